// Imports an RF2 Snapshot release (docs/language.md, "The default schema
// and `--schema`"; stdlib/schema/README.md).
//
// A full release is about 570 MB of text: 400,000 concepts, 1.6 million
// descriptions and language rows, 1.3 million relationships. Every file is
// split into lines and fields as string_views over its text (no per-field
// allocation), each field is checked, and the rows are reduced to flat
// arrays keyed by SCTID, held as integers in open-addressing tables.
//
// Concepts come first: every other file is resolved against them. Then two
// independent halves run side by side, one on a second thread: the terms
// (language refsets, then descriptions: the best term per concept) and the
// graph (relationships and simple refsets, handed to the CodeSystemBuilder
// in concept order). The builder only ever runs on one thread at a time;
// it gets the terms once both halves are done. Errors come out in a fixed
// order whatever the threads do: concepts, language refsets, descriptions,
// relationships, simple refsets, each file in its row order.
//
// The measured cost of a full-size load is in bench/README.md.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "compiler/schema/import.h"

namespace caldicott::schema {

namespace {

constexpr uint64_t kIsA = 116680003;
constexpr uint64_t kFsnType = 900000000000003001;
constexpr uint64_t kSynonymType = 900000000000013009;
constexpr uint64_t kPreferred = 900000000000548007;
constexpr uint64_t kGbEnglish = 900000000000508004;
constexpr uint64_t kUsEnglish = 900000000000509007;
constexpr uint64_t kNhsClinicalLanguage = 999001261000000100;
constexpr uint64_t kNhsPharmacyLanguage = 999000691000001104;

// Errors listed per file; the rest are counted in one last entry.
constexpr size_t kMaxErrorsPerFile = 100;

// Directory levels searched below the release folder.
constexpr int kMaxDepth = 8;

// ---- Small helpers

// `text` for a message: at most 40 bytes, control and non-ASCII bytes
// escaped, so that garbage never reaches a terminal raw.
std::string Show(std::string_view text) {
  constexpr size_t kMax = 40;
  std::string out;
  for (size_t i = 0; i < text.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > kMax) out += "...";
  return out;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// `1.15E+15`, `7.32E+07`, `1E15`: what a spreadsheet shows for a long id.
bool SpreadsheetDamaged(std::string_view s) {
  size_t e = s.find_first_of("eE");
  if (e == std::string_view::npos || e == 0) return false;
  std::string_view mantissa = s.substr(0, e), exponent = s.substr(e + 1);
  size_t dot = mantissa.find('.');
  if (dot != std::string_view::npos) {
    if (!AllDigits(mantissa.substr(0, dot))) return false;
    std::string_view fraction = mantissa.substr(dot + 1);
    if (!fraction.empty() && !AllDigits(fraction)) return false;
  } else if (!AllDigits(mantissa)) {
    return false;
  }
  if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) exponent.remove_prefix(1);
  return AllDigits(exponent);
}

constexpr std::array<bool, 256> kHexDigit = [] {
  std::array<bool, 256> t{};
  for (char c : std::string_view("0123456789abcdefABCDEF")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

bool IsUuid(std::string_view s) {
  if (s.size() != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') return false;
  bool ok = true;
  for (size_t i = 0; i < 36; ++i) {
    ok &= kHexDigit[static_cast<unsigned char>(s[i])] || i == 8 || i == 13 || i == 18 || i == 23;
  }
  return ok;
}

bool ValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    if (end - p >= 8) {  // eight ASCII bytes at a time
      uint64_t word;
      std::memcpy(&word, p, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        p += 8;
        continue;
      }
    }
    if (*p < 0x80) {
      ++p;
      continue;
    }
    int extra;
    uint32_t cp;
    if ((*p & 0xE0) == 0xC0) {
      extra = 1;
      cp = *p & 0x1F;
    } else if ((*p & 0xF0) == 0xE0) {
      extra = 2;
      cp = *p & 0x0F;
    } else if ((*p & 0xF8) == 0xF0) {
      extra = 3;
      cp = *p & 0x07;
    } else {
      return false;
    }
    if (end - p <= extra) return false;
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += extra + 1;
  }
  return true;
}

// `Consumer disorder (disorder)` -> `Consumer disorder`.
std::string_view WithoutSemanticTag(std::string_view fsn) {
  if (fsn.ends_with(')')) {
    size_t open = fsn.rfind(" (");
    if (open != std::string_view::npos && open > 0) return fsn.substr(0, open);
  }
  return fsn;
}

// ---- Open-addressing hash tables keyed by SCTID. SCTIDs are never 0, so 0
// marks an empty slot. A full release makes these tables far larger than
// the caches: the passes that probe them most prefetch a batch of slots
// before touching them.

size_t Mix(uint64_t key) {
  key ^= key >> 33;
  key *= 0xff51afd7ed558ccdull;
  key ^= key >> 33;
  return static_cast<size_t>(key);
}

size_t PowerOfTwoAtLeast(size_t n) {
  size_t p = 64;
  while (p < n) p *= 2;
  return p;
}

// SCTID -> concept index.
class ConceptIndex {
 public:
  explicit ConceptIndex(size_t expected = 0) { Rehash(expected * 2); }

  const uint32_t* Find(uint64_t key) const {
    for (size_t i = Mix(key) & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == 0) return nullptr;
    }
  }
  // The value for `key`, inserted as `init` when new.
  uint32_t& Insert(uint64_t key, uint32_t init, bool& inserted) {
    if ((size_ + 1) * 2 > slots_.size()) Rehash(slots_.size() * 2);
    size_t i = Mix(key) & mask_;
    while (slots_[i].key != 0 && slots_[i].key != key) i = (i + 1) & mask_;
    inserted = slots_[i].key == 0;
    if (inserted) {
      slots_[i] = {key, init};
      ++size_;
    }
    return slots_[i].value;
  }

 private:
  struct Slot {
    uint64_t key;
    uint32_t value;
  };
  void Rehash(size_t want) {
    std::vector<Slot> old(PowerOfTwoAtLeast(want), Slot{0, 0});
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.key == 0) continue;
      size_t i = Mix(s.key) & mask_;
      while (slots_[i].key != 0) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  size_t size_ = 0, mask_ = 0;
};

// Description SCTID -> the best rank a language refset gives it, in one
// word a slot: SCTIDs are below 10^18 < 2^60, the rank sits above them.
class RankTable {
 public:
  explicit RankTable(size_t expected = 0) { Rehash(expected * 2); }

  void Prefetch(uint64_t key) const { __builtin_prefetch(&slots_[Mix(key) & mask_]); }

  // The rank of `key`, or -1.
  int Find(uint64_t key) const {
    for (size_t i = Mix(key) & mask_;; i = (i + 1) & mask_) {
      if ((slots_[i] & kKeyMask) == key) return static_cast<int>(slots_[i] >> kShift);
      if (slots_[i] == 0) return -1;
    }
  }
  // Records `rank` for `key`, keeping the lower of two.
  void Lower(uint64_t key, uint8_t rank) {
    if ((size_ + 1) * 2 > slots_.size()) Rehash(slots_.size() * 2);
    size_t i = Mix(key) & mask_;
    while (slots_[i] != 0 && (slots_[i] & kKeyMask) != key) i = (i + 1) & mask_;
    uint64_t word = key | (uint64_t{rank} << kShift);
    if (slots_[i] == 0) {
      slots_[i] = word;
      ++size_;
    } else if (word < slots_[i]) {
      slots_[i] = word;
    }
  }

 private:
  static constexpr int kShift = 60;
  static constexpr uint64_t kKeyMask = (uint64_t{1} << kShift) - 1;
  void Rehash(size_t want) {
    std::vector<uint64_t> old(PowerOfTwoAtLeast(want), 0);
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    for (uint64_t word : old) {
      if (word == 0) continue;
      size_t i = Mix(word & kKeyMask) & mask_;
      while (slots_[i] != 0) i = (i + 1) & mask_;
      slots_[i] = word;
    }
  }
  std::vector<uint64_t> slots_;
  size_t size_ = 0, mask_ = 0;
};

// Rows are handled this many at a time where a pass probes a large table.
constexpr size_t kBatch = 32;

// ---- Reading one file: lines, fields, checks, errors

// The Verhoeff check with the position permutation folded into the
// dihedral table, one lookup a digit. VerhoeffValid (schema.cpp) is the
// reference: rf2_test checks that the two accept the same ids.
constexpr uint8_t kVerhoeffD[10][10] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
    {3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
    {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
    {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
constexpr uint8_t kVerhoeffP[8][10] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4}, {5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
    {8, 9, 1, 6, 0, 4, 3, 5, 2, 7}, {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
    {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};
// kVerhoeff[position % 8][check so far][digit], positions counted from the right.
constexpr auto kVerhoeff = [] {
  std::array<std::array<std::array<uint8_t, 10>, 10>, 8> t{};
  for (int i = 0; i < 8; ++i) {
    for (int c = 0; c < 10; ++c) {
      for (int d = 0; d < 10; ++d) t[i][c][d] = kVerhoeffD[c][kVerhoeffP[i][d]];
    }
  }
  return t;
}();

enum class IdKind : uint8_t { kConcept, kDescription, kRelationship, kComponent };

// One id column, remembering the last value it accepted: moduleId, typeId
// and the like repeat on almost every row, and are checked once per run.
struct IdColumn {
  std::string_view name;
  IdKind kind;
  std::string_view last = {};
  uint64_t value = 0;
};

// The partition digits `pp` as a kind of component, for messages.
std::string_view PartitionKind(std::string_view pp) {
  if (pp == "00" || pp == "10") return "a concept's";
  if (pp == "01" || pp == "11") return "a description's";
  if (pp == "02" || pp == "12") return "a relationship's";
  return "not a concept's, description's or relationship's";
}

class FileReader {
 public:
  FileReader(const Rf2File& file, std::string_view role, std::string_view header,
             std::vector<ImportError>& errors)
      : file_(file), role_(role), header_(header), errors_(errors) {
    pos_ = 0;
    // A byte-order mark is tolerated before the header.
    if (file.text.starts_with("\xEF\xBB\xBF")) pos_ = 3;
  }
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;
  ~FileReader() {
    if (count_ > kMaxErrorsPerFile) {
      errors_.push_back(
          {file_.name, 0,
           fmt::format("{} more errors in this file are not listed", count_ - kMaxErrorsPerFile)});
    }
  }

  // Checks the header row. On failure the file is reported and skipped.
  bool Header() {
    std::string_view line;
    if (!NextLine(line)) {
      Error(fmt::format("the file is empty; an RF2 {} file starts with the header row `{}`", role_,
                        Columns(header_)));
      return false;
    }
    if (line == header_) return true;
    std::string_view first = line.substr(0, line.find('\t'));
    if (AllDigits(first) || IsUuid(first)) {
      Error(
          fmt::format("the header row is missing: an RF2 {} file starts with `{}`; the file "
                      "was not read",
                      role_, Columns(header_)));
    } else {
      Error(
          fmt::format("this is not an RF2 {} file: its header row should be `{}`, not `{}`; the "
                      "file was not read",
                      role_, Columns(header_), Show(line)));
    }
    return false;
  }

  // The next non-blank data row, split into exactly N fields. Rows of any
  // other width are reported and skipped.
  template <size_t N>
  bool Row(std::array<std::string_view, N>& fields) {
    std::string_view line;
    while (NextLine(line)) {
      if (line.empty()) continue;
      size_t count = 0;
      const char* p = line.data();
      const char* end = p + line.size();
      while (true) {
        const void* tab = std::memchr(p, '\t', static_cast<size_t>(end - p));
        const char* stop = tab != nullptr ? static_cast<const char*>(tab) : end;
        if (count < N) fields[count] = {p, static_cast<size_t>(stop - p)};
        ++count;
        if (tab == nullptr) break;
        p = stop + 1;
      }
      if (count == N) return true;
      Error(fmt::format("expected {} tab-separated columns, found {}", N, count));
    }
    return false;
  }

  void Error(std::string message) {
    if (++count_ <= kMaxErrorsPerFile) errors_.push_back({file_.name, line_, std::move(message)});
  }

  // ---- Field checks: each returns false after reporting the problem.

  bool Id(IdColumn& column, std::string_view text, uint64_t& value) {
    if (text == column.last && column.value != 0) {
      value = column.value;
      return true;
    }
    value = ParseSctid(text, column.kind);
    if (value == 0) {
      Error(SctidMessage(column, text));
      return false;
    }
    column.last = text;
    column.value = value;
    return true;
  }
  bool MemberId(std::string_view text) {
    if (IsUuid(text)) return true;
    if (SpreadsheetDamaged(text)) {
      Error(fmt::format("`id` looks like a number damaged by a spreadsheet ({})", Show(text)));
    } else {
      Error(
          fmt::format("`id` `{}` is not a UUID (a reference set member id is a UUID)", Show(text)));
    }
    return false;
  }
  bool Active(std::string_view text, bool& active) {
    if (text.size() == 1 && (text[0] == '0' || text[0] == '1')) {
      active = text[0] == '1';
      return true;
    }
    Error(fmt::format("`active` must be 0 or 1, not `{}`", Show(text)));
    return false;
  }
  bool EffectiveTime(std::string_view text) {
    if (text.size() == 8 && AllDigits(text)) return true;
    Error(fmt::format("`effectiveTime` must be a date written YYYYMMDD, not `{}`", Show(text)));
    return false;
  }

 private:
  bool NextLine(std::string_view& line) {
    const std::string& text = file_.text;
    if (pos_ >= text.size()) return false;
    const void* nl = std::memchr(text.data() + pos_, '\n', text.size() - pos_);
    size_t end = nl != nullptr ? static_cast<size_t>(static_cast<const char*>(nl) - text.data())
                               : text.size();
    line = std::string_view(text.data() + pos_, end - pos_);
    if (line.ends_with('\r')) line.remove_suffix(1);
    pos_ = end + 1;
    ++line_;
    return true;
  }

  static std::string Columns(std::string_view header) {
    std::string out(header);
    std::replace(out.begin(), out.end(), '\t', ' ');
    return out;
  }

  // The SCTID's value, or 0 when it is not an SCTID of `kind`.
  static uint64_t ParseSctid(std::string_view text, IdKind kind) {
    size_t n = text.size();
    if (n < 6 || n > 18 || text[0] == '0') return 0;
    uint64_t v = 0;
    for (char c : text) {
      unsigned d = static_cast<unsigned>(c - '0');
      if (d > 9) return 0;
      v = v * 10 + d;
    }
    unsigned check = 0;  // from the rightmost digit
    for (size_t i = 0; i < n; ++i) check = kVerhoeff[i & 7][check][text[n - 1 - i] - '0'];
    if (check != 0) return 0;
    char p0 = text[n - 3], p1 = text[n - 2];
    switch (kind) {
      case IdKind::kConcept:
        return (p0 == '0' || p0 == '1') && p1 == '0' ? v : 0;
      case IdKind::kDescription:
        return (p0 == '0' || p0 == '1') && p1 == '1' ? v : 0;
      case IdKind::kRelationship:
        return (p0 == '0' || p0 == '1') && p1 == '2' ? v : 0;
      case IdKind::kComponent:
        return v;
    }
    return 0;
  }

  static std::string SctidMessage(const IdColumn& column, std::string_view text) {
    if (SpreadsheetDamaged(text)) {
      return fmt::format("`{}` looks like a number damaged by a spreadsheet ({})", column.name,
                         Show(text));
    }
    if (auto problem = SctidProblem(text, false)) {
      if (text.empty()) return fmt::format("`{}` is empty", column.name);
      return fmt::format("`{}` `{}` is not an SCTID: {}", column.name, Show(text), *problem);
    }
    std::string_view want, own;
    switch (column.kind) {
      case IdKind::kConcept:
        want = "a concept id";
        own = "00, or 10 in an extension";
        break;
      case IdKind::kDescription:
        want = "a description id";
        own = "01, or 11 in an extension";
        break;
      case IdKind::kRelationship:
        want = "a relationship id";
        own = "02, or 12 in an extension";
        break;
      case IdKind::kComponent:
        break;
    }
    std::string_view pp = text.substr(text.size() - 3, 2);
    return fmt::format("`{}` `{}` is not {}: its partition `{}` is {} ({} has {})", column.name,
                       text, want, pp, PartitionKind(pp), want, own);
  }

  const Rf2File& file_;
  std::string_view role_, header_;
  std::vector<ImportError>& errors_;
  size_t pos_ = 0;
  uint32_t line_ = 0;
  size_t count_ = 0;
};

constexpr std::string_view kConceptHeader =
    "id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId";
constexpr std::string_view kDescriptionHeader =
    "id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\t"
    "caseSignificanceId";
constexpr std::string_view kRelationshipHeader =
    "id\teffectiveTime\tactive\tmoduleId\tsourceId\tdestinationId\trelationshipGroup\ttypeId\t"
    "characteristicTypeId\tmodifierId";
constexpr std::string_view kSimpleRefsetHeader =
    "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId";
constexpr std::string_view kLanguageRefsetHeader =
    "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId\tacceptabilityId";

// ---- The import

// How good a description is as a concept's preferred term; lower wins.
// A synonym preferred in a language refset ranks by that refset: the UK
// and GB English ones first (this is an NHS tool), US English last.
constexpr uint8_t kPreferredUk = 0, kPreferredOther = 1, kPreferredUs = 2, kFsn = 3,
                  kOtherSynonym = 4, kNoTerm = 255;

uint8_t LanguageRank(uint64_t refset) {
  if (refset == kGbEnglish || refset == kNhsClinicalLanguage || refset == kNhsPharmacyLanguage) {
    return kPreferredUk;
  }
  return refset == kUsEnglish ? kPreferredUs : kPreferredOther;
}

struct Concept {
  std::string_view code;
  std::string_view time;
  bool active;
};

struct Term {
  uint64_t description = 0;
  std::string_view text;
  uint8_t rank = kNoTerm;
};

class Importer {
 public:
  explicit Importer(const Rf2Release& release) : release_(release) {}

  std::unique_ptr<CodeSystem> Run(std::string uri, std::string name,
                                  std::vector<ImportError>& errors);

 private:
  // Each pass reports into the errors it is given: the two halves of the
  // import run on two threads.
  void Concepts(const Rf2File& file, std::vector<ImportError>& errors);
  void Languages(const Rf2File& file, std::vector<ImportError>& errors);
  void Descriptions(const Rf2File& file, std::vector<ImportError>& errors);
  void Relationships(const Rf2File& file, std::vector<ImportError>& errors);
  void SimpleRefset(const Rf2File& file, std::vector<ImportError>& errors);

  // The index of a declared concept, reported when there is none.
  bool Resolve(FileReader& reader, std::string_view column, std::string_view code, uint64_t id,
               uint32_t& index) const {
    if (const uint32_t* found = index_.Find(id)) {
      index = *found;
      return true;
    }
    reader.Error(fmt::format("`{}` `{}` is not a concept of this release", column, code));
    return false;
  }

  // A candidate for a concept's term; the lowest rank wins, then the
  // lowest description id.
  void Offer(uint32_t concept_index, uint64_t description, std::string_view text, uint8_t rank) {
    Term& best = terms_[concept_index];
    if (rank < best.rank || (rank == best.rank && description < best.description)) {
      best = {description, text, rank};
    }
  }

  const Rf2Release& release_;
  std::vector<Concept> concepts_;
  ConceptIndex index_;
  RankTable preferred_;                                 // description -> best LanguageRank
  std::vector<Term> terms_;                             // by concept index
  std::vector<std::pair<uint32_t, uint32_t>> isa_;      // child, parent
  std::vector<std::pair<uint32_t, uint32_t>> members_;  // refset, member
  std::string_view version_;
};

void Importer::Concepts(const Rf2File& file, std::vector<ImportError>& errors) {
  FileReader r(file, "Concept", kConceptHeader, errors);
  if (!r.Header()) return;
  IdColumn id{"id", IdKind::kConcept}, module{"moduleId", IdKind::kConcept},
      status{"definitionStatusId", IdKind::kConcept};
  std::array<std::string_view, 5> f;
  uint64_t v, ignored;
  bool active;
  while (r.Row(f)) {
    if (!r.Id(id, f[0], v) || !r.EffectiveTime(f[1]) || !r.Active(f[2], active) ||
        !r.Id(module, f[3], ignored) || !r.Id(status, f[4], ignored)) {
      continue;
    }
    bool inserted;
    uint32_t& index = index_.Insert(v, static_cast<uint32_t>(concepts_.size()), inserted);
    if (inserted) {
      concepts_.push_back({f[0], f[1], active});
    } else if (f[1] >= concepts_[index].time) {  // the latest row of an id wins
      concepts_[index] = {f[0], f[1], active};
    }
    version_ = std::max(version_, f[1]);
  }
}

void Importer::Languages(const Rf2File& file, std::vector<ImportError>& errors) {
  FileReader r(file, "language reference set", kLanguageRefsetHeader, errors);
  if (!r.Header()) return;
  IdColumn module{"moduleId", IdKind::kConcept}, refset{"refsetId", IdKind::kConcept},
      component{"referencedComponentId", IdKind::kDescription},
      acceptability{"acceptabilityId", IdKind::kConcept};
  std::array<std::string_view, 7> f;
  uint64_t refset_id, description, accept, ignored;
  bool active;
  std::array<std::pair<uint64_t, uint8_t>, kBatch> batch;
  size_t n = 0;
  auto flush = [&] {
    for (size_t i = 0; i < n; ++i) preferred_.Lower(batch[i].first, batch[i].second);
    n = 0;
  };
  while (r.Row(f)) {
    if (!r.MemberId(f[0]) || !r.EffectiveTime(f[1]) || !r.Active(f[2], active) ||
        !r.Id(module, f[3], ignored) || !r.Id(refset, f[4], refset_id) ||
        !r.Id(component, f[5], description) || !r.Id(acceptability, f[6], accept)) {
      continue;
    }
    if (!active || accept != kPreferred) continue;
    preferred_.Prefetch(description);
    batch[n++] = {description, LanguageRank(refset_id)};
    if (n == kBatch) flush();
  }
  flush();
}

void Importer::Descriptions(const Rf2File& file, std::vector<ImportError>& errors) {
  FileReader r(file, "Description", kDescriptionHeader, errors);
  if (!r.Header()) return;
  IdColumn id{"id", IdKind::kDescription}, module{"moduleId", IdKind::kConcept},
      concept_id{"conceptId", IdKind::kConcept}, type{"typeId", IdKind::kConcept},
      case_significance{"caseSignificanceId", IdKind::kConcept};
  std::array<std::string_view, 9> f;
  uint64_t description, concept_value, type_id, ignored;
  uint64_t last_concept = 0;
  uint32_t index = 0;
  bool active;
  // Synonyms wait in a batch for their language rank.
  struct Synonym {
    uint64_t description;
    std::string_view text;
    uint32_t concept_index;
  };
  std::array<Synonym, kBatch> batch;
  size_t n = 0;
  auto flush = [&] {
    for (size_t i = 0; i < n; ++i) {
      int rank = preferred_.Find(batch[i].description);
      Offer(batch[i].concept_index, batch[i].description, batch[i].text,
            rank >= 0 ? static_cast<uint8_t>(rank) : kOtherSynonym);
    }
    n = 0;
  };
  while (r.Row(f)) {
    if (!r.Id(id, f[0], description) || !r.EffectiveTime(f[1]) || !r.Active(f[2], active) ||
        !r.Id(module, f[3], ignored) || !r.Id(concept_id, f[4], concept_value)) {
      continue;
    }
    if (f[5].empty()) {
      r.Error("`languageCode` is empty");
      continue;
    }
    if (!r.Id(type, f[6], type_id)) continue;
    if (f[7].empty()) {
      r.Error("`term` is empty");
      continue;
    }
    if (!ValidUtf8(f[7])) {
      r.Error("`term` is not valid UTF-8");
      continue;
    }
    if (!r.Id(case_significance, f[8], ignored)) continue;
    if (!active || (type_id != kSynonymType && type_id != kFsnType)) continue;
    if (concept_value != last_concept) {
      if (!Resolve(r, "conceptId", f[4], concept_value, index)) continue;
      last_concept = concept_value;
    }
    if (type_id == kFsnType) {
      Offer(index, description, WithoutSemanticTag(f[7]), kFsn);
    } else {
      preferred_.Prefetch(description);
      batch[n++] = {description, f[7], index};
      if (n == kBatch) flush();
    }
  }
  flush();
}

void Importer::Relationships(const Rf2File& file, std::vector<ImportError>& errors) {
  FileReader r(file, "Relationship", kRelationshipHeader, errors);
  if (!r.Header()) return;
  IdColumn id{"id", IdKind::kRelationship}, module{"moduleId", IdKind::kConcept},
      source{"sourceId", IdKind::kConcept}, destination{"destinationId", IdKind::kConcept},
      type{"typeId", IdKind::kConcept}, characteristic{"characteristicTypeId", IdKind::kConcept},
      modifier{"modifierId", IdKind::kConcept};
  std::array<std::string_view, 10> f;
  uint64_t source_id, destination_id, type_id, ignored;
  uint64_t last_source = 0;
  uint32_t child = 0, parent = 0;
  bool active;
  while (r.Row(f)) {
    if (!r.Id(id, f[0], ignored) || !r.EffectiveTime(f[1]) || !r.Active(f[2], active) ||
        !r.Id(module, f[3], ignored) || !r.Id(source, f[4], source_id) ||
        !r.Id(destination, f[5], destination_id)) {
      continue;
    }
    if (!AllDigits(f[6]) || f[6].size() > 9) {
      r.Error(fmt::format("`relationshipGroup` must be a number, not `{}`", Show(f[6])));
      continue;
    }
    if (!r.Id(type, f[7], type_id) || !r.Id(characteristic, f[8], ignored) ||
        !r.Id(modifier, f[9], ignored)) {
      continue;
    }
    if (!active || type_id != kIsA) continue;
    if (source_id != last_source) {
      if (!Resolve(r, "sourceId", f[4], source_id, child)) continue;
      last_source = source_id;
    }
    if (!Resolve(r, "destinationId", f[5], destination_id, parent)) continue;
    isa_.emplace_back(child, parent);
  }
}

void Importer::SimpleRefset(const Rf2File& file, std::vector<ImportError>& errors) {
  FileReader r(file, "simple reference set", kSimpleRefsetHeader, errors);
  if (!r.Header()) return;
  IdColumn module{"moduleId", IdKind::kConcept}, refset{"refsetId", IdKind::kConcept},
      component{"referencedComponentId", IdKind::kComponent};
  std::array<std::string_view, 6> f;
  uint64_t refset_id, member_id, ignored;
  uint64_t last_refset = 0;
  uint32_t set = 0, member = 0;
  bool active;
  while (r.Row(f)) {
    if (!r.MemberId(f[0]) || !r.EffectiveTime(f[1]) || !r.Active(f[2], active) ||
        !r.Id(module, f[3], ignored) || !r.Id(refset, f[4], refset_id) ||
        !r.Id(component, f[5], member_id)) {
      continue;
    }
    // Members that are descriptions or relationships are not concepts.
    if (!active || f[5][f[5].size() - 2] != '0') continue;
    if (refset_id != last_refset) {
      if (!Resolve(r, "refsetId", f[4], refset_id, set)) continue;
      last_refset = refset_id;
    }
    if (!Resolve(r, "referencedComponentId", f[5], member_id, member)) continue;
    members_.emplace_back(set, member);
  }
}

// The release folder of a file: `.../Snapshot/Terminology/sct2_...` -> `...`.
std::string ReleaseSource(std::string_view file) {
  size_t slash = file.rfind('/');
  if (slash == std::string_view::npos) return std::string(file);
  std::string_view dir = file.substr(0, slash);
  for (std::string_view suffix : {"/Terminology", "/Snapshot"}) {
    if (dir.ends_with(suffix) && dir.size() > suffix.size()) dir.remove_suffix(suffix.size());
  }
  return std::string(dir);
}

size_t TotalBytes(const std::vector<Rf2File>& files) {
  size_t n = 0;
  for (const Rf2File& f : files) n += f.text.size();
  return n;
}

// Runs `a` on a second thread and `b` on this one; both inline when no
// thread can be started.
template <typename A, typename B>
void RunBoth(A&& a, B&& b) {
  std::thread thread;
  try {
    thread = std::thread(std::forward<A>(a));
  } catch (const std::system_error&) {
    a();
  }
  b();
  if (thread.joinable()) thread.join();
}

std::unique_ptr<CodeSystem> Importer::Run(std::string uri, std::string name,
                                          std::vector<ImportError>& errors) {
  if (release_.concepts.empty()) {
    errors.push_back({"", 0, "the RF2 release has no concept file (sct2_Concept_Snapshot*.txt)"});
    return nullptr;
  }
  // Concepts first: every other file is resolved against them. About 60
  // bytes a concept row.
  size_t expected = TotalBytes(release_.concepts) / 48;
  index_ = ConceptIndex(expected);
  concepts_.reserve(expected);
  for (const Rf2File& file : release_.concepts) Concepts(file, errors);
  if (concepts_.empty()) {
    errors.push_back({release_.concepts.front().name, 0,
                      "no concept could be read from the release's concept files"});
    return nullptr;
  }

  // Then two independent halves, side by side. Terms: the language refsets,
  // then the descriptions. The graph: relationships and refset members,
  // handed to the builder as they are ready. The builder only ever runs on
  // one thread at a time.
  CodeSystemBuilder builder(std::move(uri), std::move(name),
                            ReleaseSource(release_.concepts.front().name));
  std::vector<ImportError> term_errors, graph_errors;
  auto terms = [&] {
    preferred_ = RankTable(TotalBytes(release_.language_refsets) / 110);  // ~115 bytes a row
    for (const Rf2File& file : release_.language_refsets) Languages(file, term_errors);
    terms_.assign(concepts_.size(), Term{});
    for (const Rf2File& file : release_.descriptions) Descriptions(file, term_errors);
    preferred_ = RankTable();
  };
  std::vector<ConceptId> ids;  // the builder's id of each of concepts_
  auto graph = [&] {
    isa_.reserve(TotalBytes(release_.relationships) / 130);  // ~110 bytes a row, mostly IS-A
    for (const Rf2File& file : release_.relationships) Relationships(file, graph_errors);
    for (const Rf2File& file : release_.simple_refsets) SimpleRefset(file, graph_errors);
    builder.SetVersion(std::string(version_));
    builder.Reserve(concepts_.size(), isa_.size());
    ids.reserve(concepts_.size());
    for (const Concept& c : concepts_) ids.push_back(builder.AddConcept(c.code, c.active));
    for (const auto& [child, parent] : isa_) builder.AddIsA(ids[child], ids[parent]);
    for (const auto& [set, member] : members_) builder.AddRefsetMember(ids[set], ids[member]);
    isa_ = {};
    members_ = {};
  };
  RunBoth(terms, graph);
  errors.insert(errors.end(), term_errors.begin(), term_errors.end());
  errors.insert(errors.end(), graph_errors.begin(), graph_errors.end());
  for (size_t i = 0; i < concepts_.size(); ++i) {
    if (!terms_[i].text.empty()) builder.SetTerm(ids[i], terms_[i].text);
  }
  return builder.Build();
}

// ---- Finding the files

enum class Role { kNone, kConcepts, kDescriptions, kRelationships, kSimpleRefset, kLanguage };

Role RoleOf(std::string_view name) {
  if (!name.ends_with(".txt")) return Role::kNone;
  if (name.starts_with("sct2_Concept_Snapshot")) return Role::kConcepts;
  if (name.starts_with("sct2_Description_Snapshot")) return Role::kDescriptions;
  if (name.starts_with("sct2_Relationship_Snapshot")) return Role::kRelationships;
  constexpr std::string_view kSimple = "der2_Refset_Simple", kLanguage = "der2_cRefset_Language";
  if (name.starts_with(kSimple) && name.find("Snapshot", kSimple.size()) != name.npos) {
    return Role::kSimpleRefset;
  }
  if (name.starts_with(kLanguage) && name.find("Snapshot", kLanguage.size()) != name.npos) {
    return Role::kLanguage;
  }
  return Role::kNone;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

struct Found {
  std::vector<std::pair<std::string, Role>> files;
  std::vector<std::pair<dev_t, ino_t>> visited;  // directories, against symlink loops
};

// Collects the release files below `dir`, in name order.
bool Walk(const std::string& dir, int depth, Found& found, std::vector<ImportError>& errors) {
  struct stat self;
  if (::stat(dir.c_str(), &self) == 0) {
    std::pair<dev_t, ino_t> key{self.st_dev, self.st_ino};
    if (std::find(found.visited.begin(), found.visited.end(), key) != found.visited.end()) {
      return true;
    }
    found.visited.push_back(key);
  }
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    errors.push_back({dir, 0, fmt::format("cannot be read: {}", std::strerror(errno))});
    return false;
  }
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(d)) {
    if (entry->d_name[0] != '.') names.emplace_back(entry->d_name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    std::string path = dir + "/" + name;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) continue;  // a dangling link: not a release file
    if (S_ISDIR(st.st_mode)) {
      if (depth < kMaxDepth) Walk(path, depth + 1, found, errors);
    } else if (S_ISREG(st.st_mode)) {
      Role role = RoleOf(name);
      if (role != Role::kNone) found.files.emplace_back(std::move(path), role);
    }
  }
  return true;
}

bool ReadFile(const std::string& path, std::string& out, std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  struct stat st;
  size_t size = ::fstat(fd, &st) == 0 && st.st_size > 0 ? static_cast<size_t>(st.st_size) : 0;
  // One byte more than the file, so that reaching its end needs no growth.
  out.resize(size + 1);
  size_t used = 0;
  while (true) {
    if (used == out.size()) out.resize(out.size() * 2);  // the file grew
    ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(used);
  return true;
}

}  // namespace

bool ReadRf2Directory(const std::string& dir, Rf2Release& out, std::vector<ImportError>& errors) {
  std::string root = dir;
  while (root.size() > 1 && root.ends_with('/')) root.pop_back();
  if (!IsDirectory(root)) {
    errors.push_back({dir, 0,
                      fmt::format("cannot be read as an RF2 release: {}",
                                  ::access(root.c_str(), F_OK) == 0 ? "not a directory"
                                                                    : std::strerror(errno))});
    return false;
  }
  // The release root holds Snapshot/ (and perhaps Full/, never read).
  if (IsDirectory(root + "/Snapshot")) root += "/Snapshot";
  Found found;
  if (!Walk(root, 0, found, errors)) return false;

  bool ok = true;
  for (auto& [path, role] : found.files) {
    Rf2File file{path, {}};
    std::string error;
    if (!ReadFile(path, file.text, error)) {
      errors.push_back({path, 0, fmt::format("cannot be read: {}", error)});
      ok = false;
      continue;
    }
    switch (role) {
      case Role::kConcepts:
        out.concepts.push_back(std::move(file));
        break;
      case Role::kDescriptions:
        out.descriptions.push_back(std::move(file));
        break;
      case Role::kRelationships:
        out.relationships.push_back(std::move(file));
        break;
      case Role::kSimpleRefset:
        out.simple_refsets.push_back(std::move(file));
        break;
      case Role::kLanguage:
        out.language_refsets.push_back(std::move(file));
        break;
      case Role::kNone:
        break;
    }
  }
  if (out.concepts.empty()) {
    errors.push_back({dir, 0,
                      "holds no RF2 concept file (sct2_Concept_Snapshot*.txt), in itself or "
                      "below its Snapshot folder"});
    return false;
  }
  return ok;
}

std::unique_ptr<CodeSystem> ImportRf2(const Rf2Release& release, std::vector<ImportError>& errors,
                                      std::string uri, std::string name) {
  Importer importer(release);
  return importer.Run(std::move(uri), std::move(name), errors);
}

}  // namespace caldicott::schema
