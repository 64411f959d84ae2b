// The .cpol artefact: writing, and reading that trusts nothing.
//
// Layout (format version 1). Every integer is little-endian and written
// byte by byte; offsets are from the start of the file.
//
//   offset  size  field
//        0     8  magic: 89 43 50 4C 0D 0A 1A 0A ("\x89CPL\r\n\x1a\n"; the
//                 high byte, CR LF, ^Z and LF catch 7-bit and text-mode
//                 transfers, as PNG's signature does)
//        8     4  u32 format version (kFormatVersion)
//       12     4  u32 ABI version (CALDICOTT_ABI_VERSION of the object code)
//       16     8  u64 length of the whole file, checksum included
//       24     4  u32 section count (3)
//       28     4  u32 reserved, 0
//       32    72  section table: 3 entries of 24 bytes, in this order:
//                   u32 tag (1 manifest, 2 policy, 3 object), u32 reserved 0,
//                   u64 offset, u64 size
//      104     …  the sections' bytes, in table order, back to back: no gap,
//                 no overlap, nothing else
//    end-32   32  SHA-256 of every byte before it
//
// The manifest is UTF-8 JSON (ManifestJson). The policy is a binary
// encoding of ir::Policy (EncodePolicy below) without the codes of its code
// sets. The object section is opaque here.
//
// Read checks, in order: length, magic, checksum, format version, ABI
// version, section table, manifest, policy, and that manifest and policy
// agree. Every read is bounds-checked, every count is checked against the
// bytes left before anything is allocated for it, every index is checked,
// and no recursion depends on the input.
#include "runtime/artifact/artifact.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <set>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/base/date.h"
#include "compiler/base/sha256.h"
#include "runtime/abi/abi.h"

namespace caldicott::artifact {

namespace {

constexpr unsigned char kMagic[8] = {0x89, 'C', 'P', 'L', '\r', '\n', 0x1a, '\n'};
constexpr uint32_t kSectionCount = 3;
constexpr uint32_t kTagManifest = 1, kTagPolicy = 2, kTagObject = 3;
constexpr size_t kTableOffset = 32;
constexpr size_t kEntrySize = 24;
constexpr size_t kHeaderSize = kTableOffset + kSectionCount * kEntrySize;  // 104
constexpr size_t kChecksumSize = 32;
constexpr size_t kMinimumSize = kHeaderSize + kChecksumSize;  // 136
constexpr const char* kSectionNames[kSectionCount] = {"manifest", "policy", "object code"};

// The number of condition operations in cond_ops.def.
constexpr uint8_t kCondOpCount = 0
#define CALDICOTT_COND_OP(Name, Spelling, Operands) +1
#include "compiler/ir/cond_ops.def"
    ;

// Dates an agreement may be effective from or to: years 0000 to 9999, so
// that they print as YYYY-MM-DD.
const caldicott_date kFirstDate = base::DaysFromCivil(0, 1, 1);
const caldicott_date kLastDate = base::DaysFromCivil(9999, 12, 31);

// ---- bytes

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
uint64_t GetLE(std::string_view bytes, size_t at, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) {
    v |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  }
  return v;
}
uint32_t GetU32(std::string_view bytes, size_t at) {
  return static_cast<uint32_t>(GetLE(bytes, at, 4));
}
uint64_t GetU64(std::string_view bytes, size_t at) {
  return GetLE(bytes, at, 8);
}

// A name from the file, fit for a one-line message: control characters
// replaced, long names cut.
std::string Shown(std::string_view s) {
  std::string out = "`";
  size_t n = 0;
  for (char c : s) {
    if (++n > 48) {
      out += "...";
      break;
    }
    out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  }
  return out + "`";
}

// ---- the policy encoding
//
//   string:    u32 length, bytes
//   optional:  u8 0, or u8 1 and the value
//   loc:       string file, u32 line, u32 column
//   policy:    u32 count, agreements; u32 count, rules; u32 count, conds;
//              u32 count, children (u32 each); u32 count, code sets
//   agreement: string name, string title, optional u32 version,
//              string purpose, u32 count, roles (string name, string rbac),
//              optional i32 effective from, optional i32 effective to,
//              u32 count, controllers (strings), u32 count, rule indices
//              (u32 each), loc
//   rule:      u32 number, u32 agreement, u32 statement, u8 exclude (0/1),
//              u32 cond, loc, string text
//   cond:      u8 op, u32 a, u32 b, i32 date, u32 first_child,
//              u32 child_count
//   code set:  string name, u32 count, system uris (strings); no codes

// The fewest bytes each item can take: the cap on a count.
constexpr size_t kMinString = 4;
constexpr size_t kMinLoc = kMinString + 8;
constexpr size_t kMinAgreement = 5 * kMinString + 1 + 4 + 1 + 1 + 4 + kMinLoc;
constexpr size_t kMinRule = 4 + 4 + 4 + 1 + 4 + kMinLoc + kMinString;
constexpr size_t kMinRole = 2 * kMinString;
constexpr size_t kCondSize = 1 + 5 * 4;
constexpr size_t kMinCodeSet = kMinString + 4;

class Encoder {
 public:
  void U8(uint8_t v) { out_ += static_cast<char>(v); }
  void U32(uint32_t v) { PutU32(out_, v); }
  void I32(int32_t v) { PutU32(out_, static_cast<uint32_t>(v)); }
  void Count(size_t n) { U32(static_cast<uint32_t>(n)); }
  void Str(std::string_view s) {
    Count(s.size());
    out_ += s;
  }
  void Loc(const ir::SourceLoc& loc) {
    Str(loc.file);
    U32(loc.line);
    U32(loc.column);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string EncodePolicy(const ir::Policy& p) {
  Encoder e;
  e.Count(p.agreements.size());
  for (const ir::Agreement& a : p.agreements) {
    e.Str(a.name);
    e.Str(a.title);
    e.U8(a.version.has_value());
    if (a.version) e.U32(*a.version);
    e.Str(a.purpose);
    e.Count(a.roles.size());
    for (const ir::Role& r : a.roles) {
      e.Str(r.name);
      e.Str(r.rbac);
    }
    e.U8(a.effective_from.has_value());
    if (a.effective_from) e.I32(*a.effective_from);
    e.U8(a.effective_to.has_value());
    if (a.effective_to) e.I32(*a.effective_to);
    e.Count(a.controllers.size());
    for (const std::string& c : a.controllers) e.Str(c);
    e.Count(a.rules.size());
    for (ir::RuleId r : a.rules) e.U32(r.index);
    e.Loc(a.loc);
  }
  e.Count(p.rules.size());
  for (const ir::Rule& r : p.rules) {
    e.U32(r.number);
    e.U32(r.agreement.index);
    e.U32(r.statement);
    e.U8(r.exclude);
    e.U32(r.cond.index);
    e.Loc(r.loc);
    e.Str(r.text);
  }
  e.Count(p.conds.size());
  for (const ir::Cond& c : p.conds) {
    e.U8(static_cast<uint8_t>(c.op));
    e.U32(c.a);
    e.U32(c.b);
    e.I32(c.date);
    e.U32(c.first_child);
    e.U32(c.child_count);
  }
  e.Count(p.children.size());
  for (ir::CondId c : p.children) e.U32(c.index);
  e.Count(p.code_sets.size());
  for (const ir::CodeSet& s : p.code_sets) {
    e.Str(s.name);
    e.Count(s.systems.size());
    for (const ir::SystemCodes& sys : s.systems) e.Str(sys.uri);
  }
  return e.Take();
}

// Reads the policy encoding. Failure is sticky: after the first error
// every read returns zero or empty and consumes nothing, so the decoder's
// loops (whose counts were checked against the bytes left) end quickly.
class Decoder {
 public:
  explicit Decoder(std::string_view bytes) : bytes_(bytes) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  size_t remaining() const { return bytes_.size() - pos_; }
  // What is being read, for the message when the bytes run out.
  static constexpr size_t kNoIndex = std::numeric_limits<size_t>::max();
  void At(const char* what, size_t index = kNoIndex) { what_ = what, index_ = index; }

  void Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    pos_ = bytes_.size();
  }

  uint8_t U8() { return static_cast<uint8_t>(Get(1)); }
  uint32_t U32() { return static_cast<uint32_t>(Get(4)); }
  int32_t I32() { return static_cast<int32_t>(U32()); }
  bool Bool() {
    uint8_t v = U8();
    if (v > 1) Fail(fmt::format("a flag of {} is {}, not 0 or 1", Where(), v));
    return v == 1;
  }
  template <class T>
  std::optional<T> Optional() {
    if (!Bool()) return std::nullopt;
    return static_cast<T>(U32());
  }
  std::string Str() {
    uint32_t n = U32();
    if (n > remaining()) {
      Fail(fmt::format("a string of {} bytes in {} overruns the section", n, Where()));
      return {};
    }
    std::string s(bytes_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  // A count of items that take at least `min_each` bytes: never more than
  // the bytes left can hold, so that reserving for it is safe.
  uint32_t Count(size_t min_each, const char* what) {
    uint32_t n = U32();
    if (n > remaining() / min_each) {
      Fail(fmt::format("{} {} in {} cannot fit in the {} bytes left", n, what, Where(),
                       remaining()));
      return 0;
    }
    return n;
  }
  ir::SourceLoc Loc() {
    ir::SourceLoc loc;
    loc.file = Str();
    loc.line = U32();
    loc.column = U32();
    return loc;
  }

 private:
  uint64_t Get(size_t n) {
    if (n > remaining()) {
      Fail(fmt::format("the section ends inside {}", Where()));
      return 0;
    }
    uint64_t v = GetLE(bytes_, pos_, static_cast<int>(n));
    pos_ += n;
    return v;
  }
  std::string Where() const {
    return index_ == kNoIndex ? std::string(what_) : fmt::format("{} {}", what_, index_);
  }

  std::string_view bytes_;
  size_t pos_ = 0;
  std::string error_;
  const char* what_ = "the policy";
  size_t index_ = kNoIndex;
};

bool DecodePolicy(std::string_view bytes, ir::Policy& p, std::string& error) {
  Decoder d(bytes);
  d.At("the agreement count");
  uint32_t n = d.Count(kMinAgreement, "agreements");
  p.agreements.reserve(n);
  for (uint32_t i = 0; i < n && d.ok(); ++i) {
    d.At("agreement", i);
    ir::Agreement& a = p.agreements.emplace_back();
    a.name = d.Str();
    a.title = d.Str();
    a.version = d.Optional<uint32_t>();
    a.purpose = d.Str();
    uint32_t roles = d.Count(kMinRole, "roles");
    a.roles.reserve(roles);
    for (uint32_t k = 0; k < roles && d.ok(); ++k) {
      ir::Role& r = a.roles.emplace_back();
      r.name = d.Str();
      r.rbac = d.Str();
    }
    a.effective_from = d.Optional<caldicott_date>();
    a.effective_to = d.Optional<caldicott_date>();
    uint32_t controllers = d.Count(kMinString, "controllers");
    a.controllers.reserve(controllers);
    for (uint32_t k = 0; k < controllers && d.ok(); ++k) a.controllers.push_back(d.Str());
    uint32_t rules = d.Count(4, "rule references");
    a.rules.reserve(rules);
    for (uint32_t k = 0; k < rules && d.ok(); ++k) a.rules.push_back(ir::RuleId{d.U32()});
    a.loc = d.Loc();
  }
  d.At("the rule count");
  n = d.Count(kMinRule, "rules");
  p.rules.reserve(n);
  for (uint32_t i = 0; i < n && d.ok(); ++i) {
    d.At("rule", i + 1);
    ir::Rule& r = p.rules.emplace_back();
    r.number = d.U32();
    r.agreement = ir::AgreementId{d.U32()};
    r.statement = d.U32();
    r.exclude = d.Bool();
    r.cond = ir::CondId{d.U32()};
    r.loc = d.Loc();
    r.text = d.Str();
  }
  d.At("the condition count");
  n = d.Count(kCondSize, "conditions");
  p.conds.reserve(n);
  for (uint32_t i = 0; i < n && d.ok(); ++i) {
    d.At("condition", i);
    uint8_t op = d.U8();
    if (op >= kCondOpCount) {
      d.Fail(fmt::format("condition {} has operation {}, which does not exist", i, op));
      break;
    }
    ir::Cond& c = p.conds.emplace_back();
    c.op = static_cast<ir::CondOp>(op);
    c.a = d.U32();
    c.b = d.U32();
    c.date = d.I32();
    c.first_child = d.U32();
    c.child_count = d.U32();
  }
  d.At("the child count");
  n = d.Count(4, "condition children");
  p.children.reserve(n);
  for (uint32_t i = 0; i < n && d.ok(); ++i) p.children.push_back(ir::CondId{d.U32()});
  d.At("the code set count");
  n = d.Count(kMinCodeSet, "code sets");
  p.code_sets.reserve(n);
  for (uint32_t i = 0; i < n && d.ok(); ++i) {
    d.At("code set", i);
    ir::CodeSet& s = p.code_sets.emplace_back();
    s.name = d.Str();
    uint32_t systems = d.Count(kMinString, "code systems");
    s.systems.reserve(systems);
    for (uint32_t k = 0; k < systems && d.ok(); ++k) s.systems.push_back({d.Str(), {}});
  }
  if (d.ok() && d.remaining() != 0) {
    d.Fail(fmt::format("{} bytes follow the last code set", d.remaining()));
  }
  if (!d.ok()) {
    error = "policy is malformed: " + d.error();
    return false;
  }
  return true;
}

bool IsLeaf(ir::CondOp op) {
  return op != ir::CondOp::And && op != ir::CondOp::Or && op != ir::CondOp::Not;
}

// ---- the manifest

using OrderedJson = nlohmann::ordered_json;
using Json = nlohmann::json;

// Checks the manifest JSON against its schema, field by field.
class ManifestParser {
 public:
  bool Parse(const Json& root, Manifest& m) {
    if (!Object(root, "the manifest",
                {"format_version", "abi_version", "target_triple", "cpu", "compiler_version",
                 "source_hash", "schema_hash", "agreements"})) {
      return false;
    }
    if (!U32(root, "format_version", "", m.format_version) ||
        !U32(root, "abi_version", "", m.abi_version) ||
        !String(root, "target_triple", "", m.target_triple) || !String(root, "cpu", "", m.cpu) ||
        !String(root, "compiler_version", "", m.compiler_version) ||
        !String(root, "source_hash", "", m.source_hash) ||
        !String(root, "schema_hash", "", m.schema_hash)) {
      return false;
    }
    const Json& agreements = root.at("agreements");
    if (!agreements.is_array()) return Fail("`agreements` is not an array");
    for (size_t i = 0; i < agreements.size(); ++i) {
      if (!Agreement(agreements[i], fmt::format("agreements[{}].", i),
                     m.agreements.emplace_back())) {
        return false;
      }
    }
    return true;
  }
  const std::string& error() const { return error_; }

 private:
  bool Fail(std::string message) {
    error_ = "manifest is malformed: " + message;
    return false;
  }
  // An object with exactly the fields `fields`.
  bool Object(const Json& j, const std::string& what, std::initializer_list<const char*> fields) {
    if (!j.is_object()) return Fail(what + " is not an object");
    for (const char* f : fields) {
      if (!j.contains(f)) return Fail(fmt::format("{} has no field `{}`", what, f));
    }
    for (const auto& item : j.items()) {
      if (std::none_of(fields.begin(), fields.end(),
                       [&](const char* f) { return item.key() == f; })) {
        return Fail(fmt::format("{} has an unknown field {}", what, Shown(item.key())));
      }
    }
    return true;
  }
  bool U32(const Json& j, const char* key, const std::string& prefix, uint32_t& out) {
    const Json& v = j.at(key);
    if (!v.is_number_unsigned() || v.get<uint64_t>() > std::numeric_limits<uint32_t>::max()) {
      return Fail(fmt::format("`{}{}` is not an unsigned 32-bit integer", prefix, key));
    }
    out = static_cast<uint32_t>(v.get<uint64_t>());
    return true;
  }
  bool String(const Json& j, const char* key, const std::string& prefix, std::string& out) {
    const Json& v = j.at(key);
    if (!v.is_string()) return Fail(fmt::format("`{}{}` is not a string", prefix, key));
    out = v.get<std::string>();
    return true;
  }
  bool Strings(const Json& j, const char* key, const std::string& prefix,
               std::vector<std::string>& out) {
    const Json& v = j.at(key);
    if (!v.is_array()) return Fail(fmt::format("`{}{}` is not an array", prefix, key));
    for (const Json& s : v) {
      if (!s.is_string()) return Fail(fmt::format("`{}{}` holds a non-string", prefix, key));
      out.push_back(s.get<std::string>());
    }
    return true;
  }
  bool Date(const Json& j, const char* key, const std::string& prefix,
            std::optional<std::string>& out) {
    const Json& v = j.at(key);
    if (v.is_null()) return true;
    std::string s = v.is_string() ? v.get<std::string>() : "";
    bool ok = s.size() == 10 && s[4] == '-' && s[7] == '-';
    for (size_t i = 0; ok && i < s.size(); ++i) {
      ok = i == 4 || i == 7 || (s[i] >= '0' && s[i] <= '9');
    }
    if (!ok) return Fail(fmt::format("`{}{}` is neither null nor a YYYY-MM-DD date", prefix, key));
    out = std::move(s);
    return true;
  }
  bool Agreement(const Json& j, const std::string& prefix, AgreementInfo& a) {
    std::string what = "`" + prefix.substr(0, prefix.size() - 1) + "`";
    if (!Object(j, what,
                {"name", "title", "version", "purpose", "roles", "effective", "controllers",
                 "rules", "symbol"})) {
      return false;
    }
    if (!String(j, "name", prefix, a.name) || !String(j, "title", prefix, a.title) ||
        !String(j, "purpose", prefix, a.purpose) || !Strings(j, "roles", prefix, a.roles) ||
        !Strings(j, "controllers", prefix, a.controllers) || !U32(j, "rules", prefix, a.rules) ||
        !String(j, "symbol", prefix, a.symbol)) {
      return false;
    }
    if (!j.at("version").is_null()) {
      uint32_t version = 0;
      if (!U32(j, "version", prefix, version)) return false;
      a.version = version;
    }
    const Json& effective = j.at("effective");
    if (!effective.is_null()) {
      if (!Object(effective, "`" + prefix + "effective`", {"from", "to"}) ||
          !Date(effective, "from", prefix + "effective.", a.effective_from) ||
          !Date(effective, "to", prefix + "effective.", a.effective_to)) {
        return false;
      }
    }
    return true;
  }

  std::string error_;
};

// nlohmann's message without its "[json.exception...] " prefix, on one line.
std::string JsonMessage(const char* what) {
  std::string_view s = what;
  if (s.starts_with("[json.exception.")) {
    size_t close = s.find("] ");
    if (close != std::string_view::npos) s.remove_prefix(close + 2);
  }
  std::string out;
  for (char c : s) out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  while (!out.empty() && (out.back() == '.' || out.back() == ' ')) out.pop_back();
  return out;
}

bool ParseManifest(std::string_view text, Manifest& m, std::string& error) {
  Json root;
  // JSON lets a key repeat and nlohmann keeps the last; a manifest whose
  // reader and whose human reader could see different values is refused.
  std::vector<std::set<std::string>> keys;  // per open object
  std::string duplicate;
  auto watch = [&](int, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start) {
      keys.emplace_back();
    } else if (event == Json::parse_event_t::object_end) {
      if (!keys.empty()) keys.pop_back();
    } else if (event == Json::parse_event_t::key && !keys.empty() && duplicate.empty() &&
               !keys.back().insert(parsed.get<std::string>()).second) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  try {
    root = Json::parse(text, watch);
  } catch (const Json::exception& e) {
    error = "manifest is not valid JSON: " + JsonMessage(e.what());
    return false;
  }
  if (!duplicate.empty()) {
    error = fmt::format("manifest is malformed: the field {} appears twice in an object",
                        Shown(duplicate));
    return false;
  }
  ManifestParser parser;
  if (!parser.Parse(root, m)) {
    error = parser.error();
    return false;
  }
  return true;
}

// The manifest's agreements against the policy's, field by field.
bool Consistent(const Manifest& m, const ir::Policy& policy, std::string& error) {
  std::vector<AgreementInfo> expected = DescribeAgreements(policy);
  if (m.agreements.size() != expected.size()) {
    error =
        fmt::format("manifest does not match the policy: it lists {} agreements, the policy has {}",
                    m.agreements.size(), expected.size());
    return false;
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    const AgreementInfo& a = m.agreements[i];
    const AgreementInfo& e = expected[i];
    const char* field = a.name != e.name         ? "name"
                        : a.symbol != e.symbol   ? "symbol"
                        : a.rules != e.rules     ? "rule count"
                        : a.title != e.title     ? "title"
                        : a.version != e.version ? "version"
                        : a.purpose != e.purpose ? "purpose"
                        : a.roles != e.roles     ? "roles"
                        : a.effective_from != e.effective_from || a.effective_to != e.effective_to
                            ? "effective dates"
                        : a.controllers != e.controllers ? "controllers"
                                                         : nullptr;
    if (field != nullptr) {
      error = fmt::format(
          "manifest does not match the policy: agreement {} ({} in the policy) has another {}", i,
          Shown(e.name), field);
      return false;
    }
  }
  return true;
}

}  // namespace

// ---- public

bool ValidatePolicy(const ir::Policy& p, std::string& error) {
  auto fail = [&](std::string message) {
    error = "policy is invalid: " + std::move(message);
    return false;
  };
  const size_t agreements = p.agreements.size(), rules = p.rules.size(), conds = p.conds.size();
  const size_t children = p.children.size(), sets = p.code_sets.size();
  if (agreements > std::numeric_limits<uint32_t>::max() ||
      rules > std::numeric_limits<uint32_t>::max() ||
      conds > std::numeric_limits<uint32_t>::max() ||
      children > std::numeric_limits<uint32_t>::max()) {
    return fail("too many items");
  }

  // Conditions. A child always comes before its parent (lowering adds a
  // node after its operands), so the graph has no cycle; depth and unshared
  // size follow in one pass in index order.
  for (size_t i = 0; i < children; ++i) {
    if (p.children[i].index >= conds) {
      return fail(fmt::format("child {} names condition {} of {}", i, p.children[i].index, conds));
    }
  }
  // Lowering gives each node a range of its own, so the ranges add up to
  // at most the table: that keeps this pass (and every walk) linear even
  // when a file makes many nodes share one long range.
  uint64_t edges = 0;
  for (const ir::Cond& c : p.conds) edges += c.child_count;
  if (edges > children) {
    return fail(fmt::format("the conditions have {} children between them, the table holds {}",
                            edges, children));
  }
  std::vector<uint32_t> depth(conds);
  std::vector<uint64_t> size(conds);
  for (size_t i = 0; i < conds; ++i) {
    const ir::Cond& c = p.conds[i];
    if (IsLeaf(c.op)) {
      if (c.child_count != 0 || c.first_child != 0) {
        return fail(fmt::format("condition {} ({}) takes no children", i, ir::Spelling(c.op)));
      }
    } else {
      if (uint64_t{c.first_child} + c.child_count > children) {
        return fail(fmt::format("condition {} has children {}+{}, beyond the {} there are", i,
                                c.first_child, c.child_count, children));
      }
      if (c.op == ir::CondOp::Not && c.child_count != 1) {
        return fail(fmt::format("condition {} (not) has {} children", i, c.child_count));
      }
    }
    uint32_t d = 1;
    uint64_t s = 1;
    for (uint32_t k = 0; k < c.child_count; ++k) {
      uint32_t child = p.children[c.first_child + k].index;
      if (child >= i) {
        return fail(
            fmt::format("condition {} has condition {} as a child, which does not come "
                        "before it",
                        i, child));
      }
      d = std::max(d, depth[child] + 1);
      s = std::min(s + size[child], kMaxCondTreeSize + 1);
    }
    if (d > kMaxCondDepth) {
      return fail(fmt::format("condition {} is nested {} deep, more than {}", i, d, kMaxCondDepth));
    }
    depth[i] = d, size[i] = s;
    switch (c.op) {
      case ir::CondOp::KindIn:
        if (c.a >= (1u << CALDICOTT_KIND_COUNT)) {
          return fail(fmt::format("condition {} has kind set {:#x}", i, c.a));
        }
        break;
      case ir::CondOp::StatusIs:
        if (c.a >= CALDICOTT_STATUS_COUNT) {
          return fail(fmt::format("condition {} has status {}", i, c.a));
        }
        break;
      case ir::CondOp::CodeIn:
      case ir::CondOp::LabelIn:
        if (c.a >= sets) {
          return fail(fmt::format("condition {} names code set {} of {}", i, c.a, sets));
        }
        break;
      case ir::CondOp::RecordedWithin:
        if (c.b > static_cast<uint32_t>(ir::TimeUnit::Years)) {
          return fail(fmt::format("condition {} has time unit {}", i, c.b));
        }
        break;
      case ir::CondOp::RecordedBefore:
      case ir::CondOp::RecordedAfter:
        if (c.date == CALDICOTT_NO_DATE) return fail(fmt::format("condition {} has no date", i));
        break;
      default:
        break;
    }
  }

  // Rules: numbered from 1 in order, each in an existing agreement.
  uint64_t total = 0;  // nodes of the rules' conditions, unshared
  for (size_t i = 0; i < rules; ++i) {
    const ir::Rule& r = p.rules[i];
    if (r.number != i + 1) return fail(fmt::format("rule {} is numbered {}", i + 1, r.number));
    if (r.agreement.index >= agreements) {
      return fail(fmt::format("rule {} belongs to agreement {} of {}", r.number, r.agreement.index,
                              agreements));
    }
    if (r.cond.index >= conds) {
      return fail(fmt::format("rule {} has condition {} of {}", r.number, r.cond.index, conds));
    }
    total = std::min(total + size[r.cond.index], kMaxCondTreeSize + 1);
    if (total > kMaxCondTreeSize) {
      return fail(fmt::format("the conditions of rules 1 to {} have more than {} nodes unshared",
                              r.number, kMaxCondTreeSize));
    }
    if (r.statement == 0) return fail(fmt::format("rule {} has statement 0", r.number));
  }

  // Agreements: distinct names; each lists its own rules, in order; every
  // rule is listed once.
  std::set<std::string_view> names;
  size_t listed = 0;
  for (size_t i = 0; i < agreements; ++i) {
    const ir::Agreement& a = p.agreements[i];
    if (a.name.empty()) return fail(fmt::format("agreement {} has no name", i));
    if (!names.insert(a.name).second) {
      return fail(fmt::format("two agreements are named {}", Shown(a.name)));
    }
    for (const auto& date : {a.effective_from, a.effective_to}) {
      if (date && (*date < kFirstDate || *date > kLastDate)) {
        return fail(fmt::format("agreement {} has an effective date out of range", Shown(a.name)));
      }
    }
    for (size_t k = 0; k < a.rules.size(); ++k) {
      uint32_t r = a.rules[k].index;
      if (r >= rules || p.rules[r].agreement.index != i) {
        return fail(fmt::format("agreement {} lists rule {}, which is not its own", Shown(a.name),
                                uint64_t{r} + 1));
      }
      if (k > 0 && (r <= a.rules[k - 1].index ||
                    p.rules[r].statement <= p.rules[a.rules[k - 1].index].statement)) {
        return fail(fmt::format("agreement {} lists its rules out of order", Shown(a.name)));
      }
    }
    listed += a.rules.size();
  }
  if (listed != rules) {
    return fail(fmt::format("the agreements list {} rules, there are {}", listed, rules));
  }

  // Code sets: systems sorted by uri, each once.
  for (size_t i = 0; i < sets; ++i) {
    const auto& systems = p.code_sets[i].systems;
    for (size_t k = 1; k < systems.size(); ++k) {
      if (systems[k - 1].uri >= systems[k].uri) {
        return fail(fmt::format("code set {} lists its systems out of order", i));
      }
    }
  }
  return true;
}

std::vector<AgreementInfo> DescribeAgreements(const ir::Policy& policy) {
  std::vector<AgreementInfo> out;
  for (size_t i = 0; i < policy.agreements.size(); ++i) {
    const ir::Agreement& a = policy.agreements[i];
    AgreementInfo info;
    info.name = a.name;
    info.title = a.title;
    info.version = a.version;
    info.purpose = a.purpose;
    for (const ir::Role& r : a.roles) info.roles.push_back(r.name);
    if (a.effective_from) info.effective_from = base::DateText(*a.effective_from);
    if (a.effective_to) info.effective_to = base::DateText(*a.effective_to);
    info.controllers = a.controllers;
    info.rules = static_cast<uint32_t>(a.rules.size());
    info.symbol = abi::DecideSymbol(static_cast<uint32_t>(i));
    out.push_back(std::move(info));
  }
  return out;
}

std::string ManifestJson(const Manifest& m) {
  OrderedJson agreements = OrderedJson::array();
  for (const AgreementInfo& a : m.agreements) {
    OrderedJson j;
    j["name"] = a.name;
    j["title"] = a.title;
    j["version"] = a.version ? OrderedJson(*a.version) : OrderedJson(nullptr);
    j["purpose"] = a.purpose;
    j["roles"] = a.roles;
    if (a.effective_from || a.effective_to) {
      OrderedJson e;
      e["from"] = a.effective_from ? OrderedJson(*a.effective_from) : OrderedJson(nullptr);
      e["to"] = a.effective_to ? OrderedJson(*a.effective_to) : OrderedJson(nullptr);
      j["effective"] = std::move(e);
    } else {
      j["effective"] = nullptr;
    }
    j["controllers"] = a.controllers;
    j["rules"] = a.rules;
    j["symbol"] = a.symbol;
    agreements.push_back(std::move(j));
  }
  OrderedJson root;
  root["format_version"] = m.format_version;
  root["abi_version"] = m.abi_version;
  root["target_triple"] = m.target_triple;
  root["cpu"] = m.cpu;
  root["compiler_version"] = m.compiler_version;
  root["source_hash"] = m.source_hash;
  root["schema_hash"] = m.schema_hash;
  root["agreements"] = std::move(agreements);
  // Text that is not UTF-8 is replaced rather than thrown over: Write
  // cannot fail. (Names from a checked program are UTF-8.)
  return root.dump(2, ' ', false, OrderedJson::error_handler_t::replace) + "\n";
}

std::string ManifestText(const Manifest& m) {
  auto list = [](const std::vector<std::string>& items, std::string_view none) {
    std::string out;
    for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
    return out.empty() ? std::string(none) : out;
  };
  std::string out;
  out += fmt::format("format version:   {}\n", m.format_version);
  out += fmt::format("ABI version:      {}\n", m.abi_version);
  out += fmt::format("target:           {}\n", m.target_triple);
  out += fmt::format("CPU:              {}\n", m.cpu);
  out += fmt::format("compiler:         {}\n", m.compiler_version);
  out += fmt::format("source hash:      {}\n", m.source_hash);
  out += fmt::format("schema hash:      {}\n", m.schema_hash);
  out += fmt::format("agreements:       {}\n", m.agreements.size());
  for (const AgreementInfo& a : m.agreements) {
    out += fmt::format("\nagreement {}\n", a.name);
    if (!a.title.empty()) out += fmt::format("  title:          {}\n", a.title);
    out += fmt::format("  version:        {}\n", a.version ? std::to_string(*a.version) : "(none)");
    if (!a.purpose.empty()) out += fmt::format("  purpose:        {}\n", a.purpose);
    out += fmt::format("  roles:          {}\n", list(a.roles, "(none)"));
    out += fmt::format("  effective:      {} to {}\n", a.effective_from.value_or("always"),
                       a.effective_to.value_or("open"));
    out += fmt::format("  controllers:    {}\n", list(a.controllers, "(any practice)"));
    out += fmt::format("  rules:          {}\n", a.rules);
    out += fmt::format("  symbol:         {}\n", a.symbol);
  }
  return out;
}

std::string Write(const Contents& contents) {
  Manifest manifest = contents.manifest;
  manifest.format_version = kFormatVersion;
  const std::string sections[kSectionCount] = {ManifestJson(manifest),
                                               EncodePolicy(contents.policy), contents.object};
  std::string out(reinterpret_cast<const char*>(kMagic), sizeof kMagic);
  PutU32(out, kFormatVersion);
  PutU32(out, manifest.abi_version);
  uint64_t length = kHeaderSize + kChecksumSize;
  for (const std::string& s : sections) length += s.size();
  PutU64(out, length);
  PutU32(out, kSectionCount);
  PutU32(out, 0);
  uint64_t offset = kHeaderSize;
  for (uint32_t i = 0; i < kSectionCount; ++i) {
    PutU32(out, i + 1);
    PutU32(out, 0);
    PutU64(out, offset);
    PutU64(out, sections[i].size());
    offset += sections[i].size();
  }
  for (const std::string& s : sections) out += s;
  base::Sha256 sha;
  sha.Update(out);
  auto digest = sha.Digest();
  out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return out;
}

namespace {

bool ReadChecked(std::string_view bytes, Contents& out, std::string& error) {
  if (bytes.size() < kMinimumSize) {
    error =
        fmt::format("truncated: {} bytes, an artefact has at least {}", bytes.size(), kMinimumSize);
    return false;
  }
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    // The signature's CR LF, ^Z and LF are there to show this.
    error = std::memcmp(bytes.data(), kMagic, 4) == 0
                ? "not a Caldicott artefact: its header was damaged, as by a text-mode transfer"
                : "not a Caldicott artefact";
    return false;
  }
  const uint64_t declared = GetU64(bytes, 16);
  const std::string_view body = bytes.substr(0, bytes.size() - kChecksumSize);
  base::Sha256 sha;
  sha.Update(body);
  auto digest = sha.Digest();
  if (std::memcmp(digest.data(), bytes.data() + body.size(), kChecksumSize) != 0) {
    // Name the likely cause when the header's length disagrees (it is not
    // trusted for anything else before the checksum holds).
    error = declared > bytes.size()
                ? fmt::format("truncated: {} bytes of {}", bytes.size(), declared)
                : "checksum mismatch: the file is damaged";
    return false;
  }
  const uint32_t format = GetU32(bytes, 8), abi = GetU32(bytes, 12);
  if (format != kFormatVersion) {
    error = fmt::format("artefact format version {}, this runtime reads version {}", format,
                        kFormatVersion);
    return false;
  }
  if (abi != CALDICOTT_ABI_VERSION) {
    error = fmt::format("built for ABI version {}, this runtime is {}", abi, CALDICOTT_ABI_VERSION);
    return false;
  }

  // The section table.
  if (declared != bytes.size()) {
    error = fmt::format("the header gives a length of {} bytes, the file has {}", declared,
                        bytes.size());
    return false;
  }
  if (uint32_t n = GetU32(bytes, 24); n != kSectionCount) {
    error = fmt::format("the section table has {} sections, not {}", n, kSectionCount);
    return false;
  }
  if (GetU32(bytes, 28) != 0) {
    error = "a reserved header field is not zero";
    return false;
  }
  std::string_view section[kSectionCount];
  uint64_t expected_offset = kHeaderSize;
  const uint64_t end = body.size();
  for (uint32_t i = 0; i < kSectionCount; ++i) {
    const size_t entry = kTableOffset + i * kEntrySize;
    const uint32_t tag = GetU32(bytes, entry);
    const uint64_t offset = GetU64(bytes, entry + 8), size = GetU64(bytes, entry + 16);
    if (tag != i + 1) {
      error = fmt::format("section table entry {} has tag {}, expected {} ({})", i, tag, i + 1,
                          kSectionNames[i]);
      return false;
    }
    if (GetU32(bytes, entry + 4) != 0) {
      error = fmt::format("section table entry {} has a reserved field that is not zero", i);
      return false;
    }
    if (offset > end || size > end - offset || offset < kHeaderSize) {
      error = fmt::format("the {} section ({} bytes at {}) lies outside the file", kSectionNames[i],
                          size, offset);
      return false;
    }
    if (offset < expected_offset) {
      error = fmt::format("the {} section overlaps the one before it", kSectionNames[i]);
      return false;
    }
    if (offset > expected_offset) {
      error = fmt::format("the section table leaves a gap of {} bytes before the {} section",
                          offset - expected_offset, kSectionNames[i]);
      return false;
    }
    section[i] = bytes.substr(offset, size);
    expected_offset = offset + size;
  }
  if (expected_offset != end) {
    error = fmt::format("the section table leaves a gap of {} bytes after the last section",
                        end - expected_offset);
    return false;
  }
  static_assert(kTagManifest == 1 && kTagPolicy == 2 && kTagObject == 3);

  Contents c;
  if (!ParseManifest(section[kTagManifest - 1], c.manifest, error)) return false;
  if (!DecodePolicy(section[kTagPolicy - 1], c.policy, error)) return false;
  if (!ValidatePolicy(c.policy, error)) return false;
  if (c.manifest.format_version != format || c.manifest.abi_version != abi) {
    error = fmt::format(
        "manifest does not match the header: format version {} and ABI version {}, the header "
        "says {} and {}",
        c.manifest.format_version, c.manifest.abi_version, format, abi);
    return false;
  }
  if (!Consistent(c.manifest, c.policy, error)) return false;
  c.object = std::string(section[kTagObject - 1]);
  out = std::move(c);
  return true;
}

}  // namespace

bool Read(std::string_view bytes, Contents& out, std::string& error) {
  // Nothing above should throw (every allocation is bounded by the file's
  // size, and JSON errors are caught where they arise); this is the last
  // line of defence for the promise that Read never does.
  try {
    return ReadChecked(bytes, out, error);
  } catch (const std::bad_alloc&) {
    error = "out of memory reading the artefact";
  } catch (const std::exception& e) {
    error = std::string("internal error reading the artefact: ") + JsonMessage(e.what());
  } catch (...) {
    error = "internal error reading the artefact";
  }
  return false;
}

}  // namespace caldicott::artifact
