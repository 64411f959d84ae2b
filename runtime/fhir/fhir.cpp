// The FHIR R4 adapter: parsing a Bundle, extracting its entries, filtering.
//
// How the bytes are read (see README.md for the measurements):
//  1. SplitMembers: simdjson's on-demand API walks the Bundle's top-level
//     object and takes the exact bytes of every member and of every
//     Bundle.entry element (`raw_json()`), without looking inside entries.
//     It needs only simdjson's structural index (about 0.4 bytes per input
//     byte); stage 1 also validates UTF-8 for the whole input.
//  2. Each top-level member value and each entry is then parsed on its own
//     with the DOM API (dispatched at run time to the best kernel), which
//     validates it completely (grammar, numbers, depth). The memory this
//     takes is that of the largest entry, not of the Bundle.
//  3. ReadEntries parses every entry once: it reads its identity (type, id,
//     fullUrl), checks the input rules (duplicate keys in the same walk
//     that collects the resource's references), and keeps what other
//     entries need (Medication codes, Device types, Organizations' ODS
//     codes, the Patient's generalPractitioner) and what extraction needs
//     (codings, labels, status, date, reference strings, copied).
//     ExtractEach then goes over what ReadEntries kept, without parsing
//     again, with every reference resolvable.
//  4. The output is spliced from the input: kept entries and everything
//     outside Bundle.entry are copied byte for byte.
#include "runtime/fhir/fhir.h"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <new>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "runtime/fhir/raw_json.h"
#include "runtime/fhir/resource.h"

namespace caldicott::fhir {

static_assert(kPadding == simdjson::SIMDJSON_PADDING);

using internal::Path;
using internal::Printable;
using internal::RawJson;
using internal::ResourceFacts;

// ---------------------------------------------------------------- input

PaddedBuffer::PaddedBuffer(std::string_view bytes)
    : data_(new char[bytes.size() + kPadding]), size_(bytes.size()) {
  std::memcpy(data_.get(), bytes.data(), bytes.size());
  std::memset(data_.get() + size_, 0, kPadding);
}

std::optional<PaddedBuffer> PaddedBuffer::ReadFile(const std::string& path, std::string& error) {
  bool is_stdin = path == "-";
  int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  auto fail = [&](int err) {
    error = "cannot read `" + Printable(is_stdin ? "standard input" : path) +
            "`: " + std::strerror(err);
    if (!is_stdin && fd >= 0) ::close(fd);
    return std::nullopt;
  };
  if (fd < 0) return fail(errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(errno);
  if (S_ISDIR(st.st_mode)) return fail(EISDIR);
  size_t capacity = S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) + 1 : size_t{1} << 16;
  std::unique_ptr<char[]> data(new char[capacity + kPadding]);
  size_t size = 0;
  while (true) {
    if (size == capacity) {
      size_t bigger = capacity * 2;
      std::unique_ptr<char[]> grown(new char[bigger + kPadding]);
      std::memcpy(grown.get(), data.get(), size);
      data = std::move(grown);
      capacity = bigger;
    }
    ssize_t n = ::read(fd, data.get() + size, capacity - size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno);
    }
    if (n == 0) break;
    size += static_cast<size_t>(n);
  }
  if (!is_stdin) ::close(fd);
  std::memset(data.get() + size, 0, kPadding);
  PaddedBuffer buffer;
  buffer.data_ = std::move(data);
  buffer.size_ = size;
  return buffer;
}

// ---------------------------------------------------------------- small pieces

caldicott_entry ExtractedEntry::AsEntry() const {
  return caldicott_entry{static_cast<uint32_t>(kind),
                         static_cast<uint32_t>(status),
                         date,
                         0,
                         codings.data(),
                         codings.size(),
                         labels.data(),
                         labels.size()};
}

std::string_view OutcomeText(Outcome outcome) {
  switch (outcome) {
    case Outcome::kShared:
      return "shared";
    case Outcome::kExcluded:
      return "excluded";
    case Outcome::kNoShareMatched:
      return "no share matched";
    case Outcome::kWithheldByEngine:
      return "withheld by the engine";
    case Outcome::kPatient:
      return "patient: kept because the agreement applies";
    case Outcome::kSupportingReferenced:
      return "not clinical: kept as supporting";
    case Outcome::kSupportingUnreferenced:
      return "withheld as unreferenced supporting";
    case Outcome::kComposition:
      return "document composition: kept";
    case Outcome::kUnclassified:
      return "withheld as unclassified";
    case Outcome::kContainsUnsupported:
      return "withheld: contains resources that are neither patient nor supporting";
  }
  return "withheld as unclassified";
}

DecideFn DecideEach(std::function<caldicott_decision(const caldicott_entry&)> decide) {
  return [decide = std::move(decide)](std::span<const caldicott_entry> entries,
                                      std::span<caldicott_decision> out) {
    for (size_t i = 0; i < entries.size(); ++i) out[i] = decide(entries[i]);
  };
}

namespace {

// Strings that must outlive the DOM they came from; views stay valid.
class Arena {
 public:
  std::string_view Copy(std::string_view s) {
    if (s.empty()) return {};
    if (s.size() > kBlock / 4) {
      big_.emplace_back(s);
      return big_.back();
    }
    if (blocks_.empty() || used_ + s.size() > kBlock) {
      blocks_.emplace_back(new char[kBlock]);
      used_ = 0;
    }
    char* p = blocks_.back().get() + used_;
    std::memcpy(p, s.data(), s.size());
    used_ += s.size();
    return {p, s.size()};
  }

 private:
  static constexpr size_t kBlock = 1 << 20;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::deque<std::string> big_;
  size_t used_ = 0;
};

std::string NotJson(simdjson::error_code error, std::string_view where) {
  std::string out = "not valid JSON: " + internal::JsonErrorText(error);
  if (!where.empty()) out += " in `" + std::string(where) + "`";
  return out;
}

bool IsWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view TrimEnd(std::string_view s) {
  while (!s.empty() && IsWhitespace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsAsciiAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// RFC 3986: a scheme, then ':' before any '/'. (ASCII classes, as
// std::isalpha and std::isalnum in the "C" locale the adapter runs in.)
bool IsAbsolute(std::string_view ref) {
  if (ref.empty() || !IsAsciiAlpha(ref[0])) return false;
  for (char c : ref) {
    if (c == ':') return true;
    if (!IsAsciiAlpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  return false;
}

struct Coding {
  std::string system;
  std::string code;
};

// Entries by a string of theirs (fullUrl, "Type/id"): open addressing over
// entry indices, sized once, so that a Bundle of a million entries costs
// 8 bytes an entry rather than a node allocation each.
class EntryIndex {
 public:
  void Reserve(size_t n) {
    size_t size = 16;
    while (size < 2 * n) size *= 2;
    slots_.assign(size, 0);
  }
  // Adds entry `index` under `key`; returns the entry already there, if any.
  template <typename KeyOf>
  std::optional<uint32_t> Insert(std::string_view key, uint32_t index, KeyOf key_of) {
    size_t mask = slots_.size() - 1;
    for (size_t i = std::hash<std::string_view>()(key) & mask;; i = (i + 1) & mask) {
      if (slots_[i] == 0) {
        slots_[i] = index + 1;
        return std::nullopt;
      }
      if (key_of(slots_[i] - 1) == key) return slots_[i] - 1;
    }
  }
  template <typename KeyOf>
  std::optional<uint32_t> Find(std::string_view key, KeyOf key_of) const {
    if (slots_.empty()) return std::nullopt;
    size_t mask = slots_.size() - 1;
    for (size_t i = std::hash<std::string_view>()(key) & mask;; i = (i + 1) & mask) {
      if (slots_[i] == 0) return std::nullopt;
      if (key_of(slots_[i] - 1) == key) return slots_[i] - 1;
    }
  }
  void Clear() { std::vector<uint32_t>().swap(slots_); }

 private:
  std::vector<uint32_t> slots_;  // entry index + 1; 0 is empty
};

}  // namespace

// ---------------------------------------------------------------- the Bundle

struct Bundle::Impl {
  std::string_view bytes;
  ParseOptions options;
  std::string type;

  // The top-level object: '{' and '}' offsets and its members.
  size_t open = 0;
  size_t close = 0;
  struct Member {
    std::string key;
    size_t begin;
    size_t end;
  };
  std::vector<Member> members;
  std::optional<size_t> entry_member;  // index into members
  size_t entry_open = 0;               // just after Bundle.entry's '['
  size_t entry_close = 0;              // its ']'

  struct Entry {
    size_t begin;
    size_t end;
    std::string_view type_id = {};  // "Type/id" (arena); "Type/" without an id
    uint32_t type_size = 0;
    bool has_resource = false;
    std::string_view full_url = {};  // arena

    // What ExtractEach needs, read by ReadEntries. Strings are in `extract_arena`.
    Classification classification{Category::kUnclassified, CALDICOTT_KIND_OTHER};
    caldicott_entry_status status = CALDICOTT_STATUS_UNKNOWN;
    bool contains_unsupported = false;
    caldicott_date date = CALDICOTT_NO_DATE;
    uint32_t codings = 0;  // into `codes`: the codings, then the labels
    uint32_t coding_count = 0;
    uint32_t label_count = 0;
    uint32_t references = 0;  // into `reference_texts`
    uint32_t reference_count = 0;
    std::string_view concept_reference = {};  // extract_arena
    std::string_view concept_type = {};       // static

    std::string_view type() const { return type_id.substr(0, type_size); }
    std::string_view id() const {
      return type_id.substr(std::min<size_t>(type_size + 1, type_id.size()));
    }
  };
  std::vector<Entry> entries;
  Arena arena;
  Arena extract_arena;                            // ReadEntries' strings for ExtractEach
  std::vector<caldicott_coding> codes;            // Entry::codings
  std::vector<std::string_view> reference_texts;  // Entry::references
  EntryIndex by_url;                              // fullUrl
  EntryIndex by_type_id;                          // "Type/id" of resources with an id
  std::unordered_map<uint32_t, std::vector<Coding>> concepts;  // Medication code, Device type
  std::unordered_map<uint32_t, std::vector<std::string>> ods;  // Organization ODS codes
  std::optional<uint32_t> composition;                         // the document's Composition
  std::vector<std::string> practices;

  // The Bundle's top-level members and the byte range of every entry.
  std::optional<std::string> SplitMembers();
  // Every entry parsed once: identity, input rules, what extraction needs.
  std::optional<std::string> ReadEntries();
  std::optional<uint32_t> Resolve(std::string_view ref, uint32_t from) const;
  // Calls `fn` with every entry extracted, references resolved.
  template <typename Fn>
  void ExtractEach(Fn&& fn) const;
  // Frees what only ExtractEach needs.
  void ClearExtracts() {
    codes = {};
    reference_texts = {};
    extract_arena = {};
  }
};

namespace {

// Parses one piece of the input (a member value or an entry) with the DOM.
simdjson::error_code ParsePiece(simdjson::dom::parser& parser, std::string_view bytes, size_t begin,
                                size_t end, simdjson::dom::element& out) {
  return parser.parse(bytes.data() + begin, end - begin, false).get(out);
}

std::string Describe(simdjson::dom::element_type t) {
  switch (t) {
    case simdjson::dom::element_type::ARRAY:
      return "an array";
    case simdjson::dom::element_type::STRING:
      return "a string";
    case simdjson::dom::element_type::BOOL:
      return "a boolean";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
    case simdjson::dom::element_type::OBJECT:
      return "an object";
    default:
      return "a number";
  }
}

}  // namespace

std::optional<std::string> Bundle::Impl::SplitMembers() {
  namespace od = simdjson::ondemand;
  const char* base = bytes.data();
  RawJson raw(bytes);
  od::parser parser;
  od::document doc;
  simdjson::error_code err = parser.iterate(base, bytes.size(), bytes.size() + kPadding).get(doc);
  if (err) return NotJson(err, "");
  od::json_type root_type;
  if (doc.type().get(root_type) != simdjson::SUCCESS || root_type != od::json_type::object) {
    // Not an object: say whether it is JSON at all.
    simdjson::dom::parser dom;
    if ((err = dom.allocate(bytes.size(), kMaxDepth))) return NotJson(err, "");
    simdjson::dom::element e;
    if ((err = dom.parse(base, bytes.size(), false).get(e))) return NotJson(err, "");
    if (e.is_object()) return NotJson(simdjson::TAPE_ERROR, "");
    return "not a FHIR Bundle: the JSON value is " + Describe(e.type()) + ", not an object";
  }
  open = raw.SkipWhitespace(0);
  od::object root;
  if ((err = doc.get_object().get(root))) return NotJson(err, "");
  std::optional<std::string> entry_error;
  for (auto field_result : root) {
    od::field field;
    if ((err = std::move(field_result).get(field))) return NotJson(err, "Bundle");
    // (unescaped_key() consumes the raw key: take its position first.)
    size_t key_begin = static_cast<size_t>(field.key().raw() - base) - 1;
    std::string_view key;
    if ((err = field.unescaped_key().get(key))) return NotJson(err, "Bundle");
    Member member{std::string(key), key_begin, 0};
    for (const Member& m : members) {
      if (m.key == member.key) return "duplicate key `" + Printable(key) + "` in `Bundle`";
    }
    od::value value = field.value();
    od::json_type vt;
    if ((err = value.type().get(vt))) return NotJson(err, "Bundle." + Printable(key));
    std::string_view span;
    if (member.key == "entry" && vt == od::json_type::array) {
      od::array array;
      if ((err = value.get_array().get(array))) return NotJson(err, "Bundle.entry");
      size_t colon = raw.SkipWhitespace(raw.SkipString(member.begin));
      entry_open = raw.SkipWhitespace(colon + 1) + 1;
      size_t last = entry_open;
      for (auto element_result : array) {
        od::value element;
        size_t index = entries.size();
        auto where = [index] { return "Bundle.entry[" + std::to_string(index) + "]"; };
        if ((err = std::move(element_result).get(element))) return NotJson(err, where());
        od::json_type et;
        if ((err = element.type().get(et))) return NotJson(err, where());
        if (et != od::json_type::object) {
          if (!entry_error) entry_error = "`" + where() + "` is not an object";
          std::string_view token = TrimEnd(element.raw_json_token());
          entries.push_back({static_cast<size_t>(token.data() - base),
                             static_cast<size_t>(token.data() - base) + token.size()});
          if (et == od::json_type::array) {
            od::array inner;
            std::string_view inner_raw;
            if ((err = element.get_array().get(inner)) || (err = inner.raw_json().get(inner_raw))) {
              return NotJson(err, where());
            }
            entries.back().end = entries.back().begin + TrimEnd(inner_raw).size();
          }
          last = entries.back().end;
          continue;
        }
        od::object object;
        std::string_view object_raw;
        if ((err = element.get_object().get(object)) || (err = object.raw_json().get(object_raw))) {
          return NotJson(err, where());
        }
        object_raw = TrimEnd(object_raw);
        size_t begin = static_cast<size_t>(object_raw.data() - base);
        entries.push_back({begin, begin + object_raw.size()});
        last = entries.back().end;
      }
      entry_close = raw.SkipWhitespace(last);
      if (entry_close >= bytes.size() || bytes[entry_close] != ']') {
        return NotJson(simdjson::TAPE_ERROR, "Bundle.entry");
      }
      member.end = entry_close + 1;
      entry_member = members.size();
      members.push_back(std::move(member));
      continue;
    }
    if (member.key == "entry") entry_error = "`Bundle.entry` is not an array";
    if (vt == od::json_type::object) {
      od::object object;
      if ((err = value.get_object().get(object)) || (err = object.raw_json().get(span))) {
        return NotJson(err, "Bundle." + Printable(key));
      }
    } else if (vt == od::json_type::array) {
      od::array array;
      if ((err = value.get_array().get(array)) || (err = array.raw_json().get(span))) {
        return NotJson(err, "Bundle." + Printable(key));
      }
    } else {
      span = value.raw_json_token();
    }
    span = TrimEnd(span);
    member.end = static_cast<size_t>(span.data() - base) + span.size();
    members.push_back(std::move(member));
  }
  const char* location = nullptr;
  if (doc.current_location().get(location) == simdjson::SUCCESS) {
    return NotJson(simdjson::TRAILING_CONTENT, "");
  }
  close = bytes.size();
  while (close > 0 && IsWhitespace(bytes[close - 1])) --close;
  if (close == 0 || bytes[--close] != '}') return NotJson(simdjson::TAPE_ERROR, "");

  // Validate every member value but the entries, and read resourceType and
  // type.
  simdjson::dom::parser dom;
  if ((err = dom.allocate(4096, kMaxDepth - 1))) return NotJson(err, "");
  std::optional<std::string> resource_type;
  std::optional<std::string> not_bundle;
  for (size_t i = 0; i < members.size(); ++i) {
    if (entry_member && i == *entry_member) continue;
    const Member& m = members[i];
    size_t value_begin = raw.SkipWhitespace(raw.SkipWhitespace(raw.SkipString(m.begin)) + 1);
    simdjson::dom::element e;
    if ((err = ParsePiece(dom, bytes, value_begin, m.end, e))) {
      return NotJson(err, "Bundle." + Printable(m.key));
    }
    std::string_view s;
    if (m.key == "resourceType") {
      if (e.get_string().get(s)) {
        not_bundle = "not a FHIR Bundle: `resourceType` is not a string";
      } else {
        resource_type = std::string(s);
      }
    } else if (m.key == "type" && e.get_string().get(s) == simdjson::SUCCESS) {
      type = std::string(s);
    }
  }
  if (!not_bundle && !resource_type) not_bundle = "not a FHIR Bundle: no `resourceType`";
  if (!not_bundle && *resource_type != "Bundle") {
    not_bundle = "not a FHIR Bundle: `resourceType` is `" + Printable(*resource_type) + "`";
  }
  if (not_bundle) {
    // Invalid JSON anywhere is reported first.
    simdjson::dom::parser entry_dom;
    if ((err = entry_dom.allocate(4096, kMaxDepth - 2))) return NotJson(err, "");
    for (size_t i = 0; i < entries.size(); ++i) {
      simdjson::dom::element e;
      if ((err = ParsePiece(entry_dom, bytes, entries[i].begin, entries[i].end, e))) {
        return NotJson(err, "Bundle.entry[" + std::to_string(i) + "]");
      }
    }
    return not_bundle;
  }
  return entry_error;
}

std::optional<std::string> Bundle::Impl::ReadEntries() {
  simdjson::dom::parser dom;
  simdjson::error_code err = dom.allocate(1 << 16, kMaxDepth - 2);
  if (err) return NotJson(err, "");
  ResourceFacts facts;
  std::vector<std::string_view> references;
  std::optional<std::string> problem;  // the first breach of a rule other than JSON's
  struct PatientInfo {
    uint32_t index;
    std::vector<std::string> references;
  };
  std::vector<PatientInfo> patients;

  by_url.Reserve(entries.size());
  by_type_id.Reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    Entry& entry = entries[i];
    Path path{nullptr, "Bundle.entry", static_cast<int64_t>(i)};
    simdjson::dom::element e;
    if ((err = ParsePiece(dom, bytes, entry.begin, entry.end, e))) {
      return NotJson(err, path.Format());
    }
    if (problem) continue;  // only JSON errors matter now
    references.clear();
    if (auto walk = internal::CheckEntry(e, path, references)) {
      problem = walk;
      continue;
    }
    simdjson::dom::object object = e.get_object().value_unsafe();
    simdjson::dom::element full_url;
    std::string_view url;
    if (object.at_key("fullUrl").get(full_url) == simdjson::SUCCESS &&
        full_url.get_string().get(url)) {
      problem = "`" + path.Format() + ".fullUrl` is not a string";
      continue;
    }
    entry.full_url = arena.Copy(url);
    simdjson::dom::element resource;
    if (object.at_key("resource").get(resource) != simdjson::SUCCESS) {
      if (options.strict) problem = "`" + path.Format() + "` has no resource";
      continue;
    }
    simdjson::dom::object resource_object;
    if (resource.get_object().get(resource_object)) {
      problem = "`" + path.Format() + ".resource` is not an object";
      continue;
    }
    if (auto read = internal::ReadResource(resource_object, path.Child("resource"), facts)) {
      problem = read;
      continue;
    }
    entry.has_resource = true;
    std::string key = std::string(facts.type) + "/" + std::string(facts.id);
    entry.type_id = arena.Copy(key);
    entry.type_size = static_cast<uint32_t>(facts.type.size());
    auto index = static_cast<uint32_t>(i);
    if (!facts.id.empty()) {
      auto other =
          by_type_id.Insert(entry.type_id, index, [&](uint32_t e) { return entries[e].type_id; });
      if (other && options.strict) {
        problem = "duplicate resource `" + Printable(key) + "` in `Bundle.entry[" +
                  std::to_string(*other) + "]` and `" + path.Format() + "`";
        continue;
      }
    }
    if (!entry.full_url.empty()) {
      auto other =
          by_url.Insert(entry.full_url, index, [&](uint32_t e) { return entries[e].full_url; });
      if (other && options.strict) {
        problem = "duplicate fullUrl `" + Printable(entry.full_url) + "` in `Bundle.entry[" +
                  std::to_string(*other) + "]` and `" + path.Format() + "`";
        continue;
      }
    }
    if (facts.type == "Medication" || facts.type == "Device") {
      std::vector<Coding>& c = concepts[index];
      for (const internal::CodingView& v : facts.codings) {
        c.push_back({std::string(v.system), std::string(v.code)});
      }
    } else if (facts.type == "Organization" && !facts.ods_codes.empty()) {
      ods[index].assign(facts.ods_codes.begin(), facts.ods_codes.end());
    } else if (facts.type == "Patient") {
      practices.insert(practices.end(), facts.practice_codes.begin(), facts.practice_codes.end());
      patients.push_back(
          {index, {facts.practitioner_references.begin(), facts.practitioner_references.end()}});
    }
    if (i == 0 && type == "document" && facts.type == "Composition") composition = 0;
    // What ExtractEach needs.
    entry.classification = facts.classification;
    entry.status = facts.status;
    entry.date = facts.date;
    entry.contains_unsupported = facts.contains_unsupported;
    entry.codings = static_cast<uint32_t>(codes.size());
    entry.coding_count = static_cast<uint32_t>(facts.codings.size());
    entry.label_count = static_cast<uint32_t>(facts.labels.size());
    auto store = [&](const internal::CodingView& c) {
      std::string_view system = extract_arena.Copy(c.system);
      std::string_view code = extract_arena.Copy(c.code);
      codes.push_back({system.data(), system.size(), code.data(), code.size()});
    };
    for (const internal::CodingView& c : facts.codings) store(c);
    for (const internal::CodingView& c : facts.labels) store(c);
    entry.references = static_cast<uint32_t>(reference_texts.size());
    entry.reference_count = static_cast<uint32_t>(references.size());
    for (std::string_view r : references) reference_texts.push_back(extract_arena.Copy(r));
    entry.concept_reference = extract_arena.Copy(facts.concept_reference);
    entry.concept_type = facts.concept_type;
  }
  if (problem) return problem;
  for (const PatientInfo& p : patients) {
    for (const std::string& ref : p.references) {
      auto target = Resolve(ref, p.index);
      if (!target || entries[*target].type() != "Organization") continue;
      auto it = ods.find(*target);
      if (it != ods.end()) practices.insert(practices.end(), it->second.begin(), it->second.end());
    }
  }
  std::sort(practices.begin(), practices.end());
  practices.erase(std::unique(practices.begin(), practices.end()), practices.end());
  return std::nullopt;
}

std::optional<uint32_t> Bundle::Impl::Resolve(std::string_view ref, uint32_t from) const {
  if (ref.empty() || ref.front() == '#') return std::nullopt;
  size_t history = ref.find("/_history/");
  if (history != std::string_view::npos) ref = ref.substr(0, history);
  auto url_of = [&](uint32_t e) { return entries[e].full_url; };
  if (IsAbsolute(ref)) return by_url.Find(ref, url_of);
  size_t slash = ref.find('/');
  if (slash == 0 || slash == std::string_view::npos || slash + 1 == ref.size()) {
    return std::nullopt;
  }
  for (size_t k = slash + 1; k < ref.size(); ++k) {
    if (ref[k] == '/' || ref[k] == '?') return std::nullopt;
  }
  // Relative to the RESTful base of the referring entry's fullUrl, if any:
  // the fullUrl ends with "/Type/id".
  const Entry& source = entries[from];
  std::string_view url = source.full_url;
  std::string_view type_id = source.type_id;
  if (!source.id().empty() && (url.starts_with("http://") || url.starts_with("https://")) &&
      url.size() > type_id.size() + 1 && url.ends_with(type_id) &&
      url[url.size() - type_id.size() - 1] == '/') {
    std::string_view base = url.substr(0, url.size() - type_id.size());  // with its '/'
    size_t size = base.size() + ref.size();
    char stack[512];
    std::string heap;
    char* p = stack;
    if (size > sizeof(stack)) {
      heap.resize(size);
      p = heap.data();
    }
    std::memcpy(p, base.data(), base.size());
    std::memcpy(p + base.size(), ref.data(), ref.size());
    if (auto hit = by_url.Find(std::string_view(p, size), url_of)) return hit;
  }
  return by_type_id.Find(ref, [&](uint32_t e) { return entries[e].type_id; });
}

template <typename Fn>
void Bundle::Impl::ExtractEach(Fn&& fn) const {
  std::vector<uint32_t> resolved;
  std::vector<caldicott_coding> codings;
  auto to_coding = [](std::string_view system, std::string_view code) {
    return caldicott_coding{system.data(), system.size(), code.data(), code.size()};
  };
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& entry = entries[i];
    if (!entry.has_resource) continue;
    auto index = static_cast<uint32_t>(i);
    std::span<const caldicott_coding> own(codes.data() + entry.codings, entry.coding_count);
    std::span<const caldicott_coding> labels(codes.data() + entry.codings + entry.coding_count,
                                             entry.label_count);
    std::span<const caldicott_coding> all_codings = own;
    if (!entry.concept_reference.empty()) {
      auto target = Resolve(entry.concept_reference, index);
      if (target && entries[*target].type() == entry.concept_type) {
        auto it = concepts.find(*target);
        if (it != concepts.end() && !it->second.empty()) {
          codings.assign(own.begin(), own.end());
          for (const Coding& c : it->second) codings.push_back(to_coding(c.system, c.code));
          all_codings = codings;
        }
      }
    }
    resolved.clear();
    for (size_t k = 0; k < entry.reference_count; ++k) {
      auto target = Resolve(reference_texts[entry.references + k], index);
      if (!target || *target == index) continue;
      if (std::find(resolved.begin(), resolved.end(), *target) == resolved.end()) {
        resolved.push_back(*target);
      }
    }
    Category category = entry.classification.category;
    if (composition && *composition == index) category = Category::kComposition;
    if (entry.contains_unsupported && category != Category::kClinical) {
      category = Category::kUnclassified;
    }
    bool clinical = category == Category::kClinical;
    ExtractedEntry x{i,
                     entry.type(),
                     entry.id(),
                     entry.full_url,
                     category,
                     clinical ? entry.classification.kind : CALDICOTT_KIND_OTHER,
                     clinical ? entry.status : CALDICOTT_STATUS_UNKNOWN,
                     clinical ? entry.date : CALDICOTT_NO_DATE,
                     all_codings,
                     labels,
                     resolved,
                     entry.contains_unsupported};
    fn(x);
  }
}

Bundle::Bundle(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Bundle::~Bundle() = default;

std::unique_ptr<Bundle> Bundle::Parse(const PaddedBuffer& input, const ParseOptions& options,
                                      std::string& error) {
  try {
    auto impl = std::make_unique<Impl>();
    impl->bytes = input.view();
    impl->options = options;
    if (auto err = impl->SplitMembers()) {
      error = *err;
      return nullptr;
    }
    if (auto err = impl->ReadEntries()) {
      error = *err;
      return nullptr;
    }
    return std::unique_ptr<Bundle>(new Bundle(std::move(impl)));
  } catch (const std::bad_alloc&) {
    error = "out of memory";
  } catch (const std::exception& e) {
    error = std::string("internal error: ") + e.what();
  }
  return nullptr;
}

std::string_view Bundle::type() const {
  return impl_->type;
}
size_t Bundle::entry_count() const {
  return impl_->entries.size();
}
const std::vector<std::string>& Bundle::practices() const {
  return impl_->practices;
}

std::optional<std::string> Bundle::ForEach(
    const std::function<void(const ExtractedEntry&)>& fn) const {
  impl_->ExtractEach(fn);
  return std::nullopt;
}

// ---------------------------------------------------------------- filtering

struct FilterRun {
  static FilterResult Run(const PaddedBuffer& input, const FilterOptions& options,
                          const AppliesFn& applies, const DecideFn& decide);
};

namespace {

// Clinical entries waiting for a decision, with their strings copied.
class Batch {
 public:
  void Add(const ExtractedEntry& x) {
    Pending p{static_cast<uint32_t>(x.index), x.AsEntry(), codes_.size(), x.codings.size(),
              x.labels.size()};
    for (const caldicott_coding& c : x.codings) Store(c);
    for (const caldicott_coding& c : x.labels) Store(c);
    pending_.push_back(p);
  }
  size_t size() const { return pending_.size(); }

  // Decides the pending entries; `record(index, decision)` for each.
  template <typename Record>
  void Flush(const DecideFn& decide, Record record) {
    if (pending_.empty()) return;
    codings_.clear();
    for (const Stored& s : codes_) {
      codings_.push_back(
          {text_.data() + s.system, s.system_len, text_.data() + s.code, s.code_len});
    }
    entries_.clear();
    for (const Pending& p : pending_) {
      caldicott_entry e = p.entry;
      e.codings = codings_.data() + p.first;
      e.labels = codings_.data() + p.first + p.codings;
      entries_.push_back(e);
    }
    decisions_.assign(pending_.size(),
                      caldicott_decision{CALDICOTT_WITHHOLD, CALDICOTT_REASON_NO_ENGINE, 0});
    decide(entries_, decisions_);
    for (size_t k = 0; k < pending_.size(); ++k) record(pending_[k].index, decisions_[k]);
    pending_.clear();
    codes_.clear();
    text_.clear();
  }

 private:
  struct Pending {
    uint32_t index;
    caldicott_entry entry;
    size_t first;  // into codes_
    size_t codings;
    size_t labels;
  };
  struct Stored {
    size_t system, system_len, code, code_len;
  };
  void Store(const caldicott_coding& c) {
    Stored s{text_.size(), c.system_len, 0, c.code_len};
    text_.append(c.system, c.system_len);
    s.code = text_.size();
    text_.append(c.code, c.code_len);
    codes_.push_back(s);
  }
  std::vector<Pending> pending_;
  std::vector<Stored> codes_;
  std::string text_;
  std::vector<caldicott_coding> codings_;
  std::vector<caldicott_entry> entries_;
  std::vector<caldicott_decision> decisions_;
};

struct State {
  Category category = Category::kUnclassified;
  caldicott_kind kind = CALDICOTT_KIND_OTHER;
  caldicott_entry_status status = CALDICOTT_STATUS_UNKNOWN;
  caldicott_date date = CALDICOTT_NO_DATE;
  caldicott_decision decision = {CALDICOTT_WITHHOLD, 0, 0};
  bool kept = false;
  Outcome outcome = Outcome::kUnclassified;
};

Outcome ClinicalOutcome(const caldicott_decision& d) {
  if (d.verdict == CALDICOTT_SHARE) return Outcome::kShared;
  if (d.reason == CALDICOTT_REASON_EXCLUDED) return Outcome::kExcluded;
  if (d.reason == CALDICOTT_REASON_NO_SHARE) return Outcome::kNoShareMatched;
  return Outcome::kWithheldByEngine;
}

}  // namespace

FilterResult FilterRun::Run(const PaddedBuffer& input, const FilterOptions& options,
                            const AppliesFn& applies, const DecideFn& decide) {
  FilterResult result;
  std::string error;
  std::unique_ptr<Bundle> bundle = Bundle::Parse(input, ParseOptions{}, error);
  if (!bundle) {
    result.error = std::move(error);
    return result;
  }
  Bundle::Impl& b = *bundle->impl_;
  result.practices = b.practices;
  if (!applies(result.practices)) {
    result.status = FilterResult::Status::kDoesNotApply;
    return result;
  }

  // Extraction: states, references, decisions.
  const size_t n = b.entries.size();
  std::vector<State> states(n);
  std::vector<size_t> edge_begin(n + 1, 0);
  std::vector<uint32_t> edges;
  Batch batch;
  size_t batch_size = std::max<size_t>(options.batch_size, 1);
  auto record = [&](uint32_t index, const caldicott_decision& d) {
    states[index].decision = d;
    states[index].kept = d.verdict == CALDICOTT_SHARE;
    states[index].outcome = ClinicalOutcome(d);
  };
  size_t next = 0;
  b.ExtractEach([&](const ExtractedEntry& x) {
    while (next <= x.index) edge_begin[next++] = edges.size();
    edges.insert(edges.end(), x.references.begin(), x.references.end());
    State& s = states[x.index];
    s.category = x.category;
    s.kind = x.kind;
    s.status = x.status;
    s.date = x.date;
    switch (x.category) {
      case Category::kClinical:
        batch.Add(x);
        if (batch.size() >= batch_size) batch.Flush(decide, record);
        break;
      case Category::kPatient:
        s.kept = true;
        s.outcome = Outcome::kPatient;
        break;
      case Category::kComposition:
        s.kept = true;
        s.outcome = Outcome::kComposition;
        break;
      case Category::kSupporting:
        s.outcome = Outcome::kSupportingUnreferenced;
        break;
      case Category::kUnclassified:
        s.outcome = x.contains_unsupported &&
                            (Classify(x.resource_type).category != Category::kUnclassified ||
                             b.composition == x.index)
                        ? Outcome::kContainsUnsupported
                        : Outcome::kUnclassified;
        break;
    }
  });
  b.ClearExtracts();
  batch.Flush(decide, record);
  while (next <= n) edge_begin[next++] = edges.size();

  // Supporting resources referenced by kept ones, transitively.
  std::vector<uint32_t> queue;
  for (size_t i = 0; i < n; ++i) {
    if (states[i].kept) queue.push_back(static_cast<uint32_t>(i));
  }
  while (!queue.empty()) {
    uint32_t i = queue.back();
    queue.pop_back();
    for (size_t k = edge_begin[i]; k < edge_begin[i + 1]; ++k) {
      State& t = states[edges[k]];
      if (t.category == Category::kSupporting && !t.kept) {
        t.kept = true;
        t.outcome = Outcome::kSupportingReferenced;
        queue.push_back(edges[k]);
      }
    }
  }
  std::vector<uint32_t>().swap(edges);

  // The document's Composition.
  std::optional<std::string> composition;
  if (b.composition && states[*b.composition].kept) {
    uint32_t c = *b.composition;
    const Bundle::Impl::Entry& e = b.entries[c];
    composition = internal::RewriteComposition(b.bytes.substr(e.begin, e.end - e.begin),
                                               [&](std::string_view ref) {
                                                 auto target = b.Resolve(ref, c);
                                                 return target && states[*target].kept;
                                               });
  }

  // What is no longer needed goes before the output is built.
  b.by_url.Clear();
  b.by_type_id.Clear();
  b.concepts = {};
  b.ods = {};

  // The output.
  for (const State& s : states) ++(s.kept ? result.kept : result.withheld);
  bool has_total = false;
  for (const auto& m : b.members) has_total |= m.key == "total";
  bool changed = result.withheld > 0 || composition.has_value() || has_total;
  std::vector<internal::ListItem> members;
  for (size_t k = 0; k < b.members.size(); ++k) {
    const auto& m = b.members[k];
    internal::ListItem item{m.begin, m.end};
    if (m.key == "total" || (changed && m.key == "signature")) {
      item.keep = false;
    } else if (b.entry_member && k == *b.entry_member && n > 0) {
      item.keep = result.kept > 0;  // FHIR forbids an empty array
      item.replaced = true;         // written below, straight into the output
    }
    members.push_back(std::move(item));
  }
  // Bundle.entry with the kept entries, as internal::EmitList does it: the
  // whitespace before the first entry, each kept entry preceded by the
  // separator that preceded it, and the bytes after the last entry.
  auto write_entries = [&](std::string& out, size_t k) {
    const auto& m = b.members[k];
    const auto& entries = b.entries;
    out.append(b.bytes.substr(m.begin, b.entry_open - m.begin));
    bool first = true;
    for (size_t i = 0; i < n; ++i) {
      if (!states[i].kept) continue;
      size_t from = first ? b.entry_open : entries[i - 1].end;
      size_t to = first ? entries[0].begin : entries[i].begin;
      out.append(b.bytes.substr(from, to - from));
      first = false;
      if (composition && i == *b.composition) {
        out.append(*composition);
      } else {
        out.append(b.bytes.substr(entries[i].begin, entries[i].end - entries[i].begin));
      }
    }
    out.append(b.bytes.substr(entries.back().end, m.end - entries.back().end));
  };
  result.output.reserve(b.bytes.size());
  result.output.append(b.bytes.substr(0, b.open + 1));
  internal::EmitList(result.output, b.bytes, b.open + 1, members, b.close, write_entries);
  result.output.append(b.bytes.substr(b.close));

  if (options.explain) {
    result.entries.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      const State& s = states[i];
      const Bundle::Impl::Entry& e = b.entries[i];
      EntryReport r;
      r.index = i;
      r.resource_type = e.type();
      r.id = e.id();
      r.full_url = e.full_url;
      r.category = s.category;
      r.kind = s.kind;
      r.status = s.status;
      r.date = s.date;
      r.kept = s.kept;
      r.outcome = s.outcome;
      r.decision = s.decision;
      r.rewritten = composition.has_value() && b.composition && *b.composition == i;
      result.entries.push_back(std::move(r));
    }
  }
  result.status = FilterResult::Status::kFiltered;
  return result;
}

namespace {

// No exception leaves the adapter: out of memory (or an exception from a
// callback) is an error like any other, and nothing is output.
template <typename Fn>
FilterResult Guarded(Fn fn) {
  FilterResult failed;
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    failed.error = "out of memory";
  } catch (const std::exception& e) {
    failed.error = std::string("internal error: ") + e.what();
  } catch (...) {
    failed.error = "internal error";
  }
  return failed;
}

}  // namespace

FilterResult Filter(const PaddedBuffer& input, const FilterOptions& options,
                    const AppliesFn& applies, const DecideFn& decide) {
  return Guarded([&] { return FilterRun::Run(input, options, applies, decide); });
}

FilterResult Filter(std::string_view input, const FilterOptions& options, const AppliesFn& applies,
                    const DecideFn& decide) {
  return Guarded([&] { return FilterRun::Run(PaddedBuffer(input), options, applies, decide); });
}

}  // namespace caldicott::fhir
