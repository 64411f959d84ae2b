#include "tools/rf2gen/rf2gen.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <set>
#include <unordered_map>
#include <utility>

namespace caldicott::rf2gen {

namespace {

// ---- Verhoeff (kept apart from the importer's, so that each checks the other)

constexpr uint8_t kD[10][10] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
                                {2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
                                {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
                                {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
                                {8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
constexpr uint8_t kP[8][10] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
                               {5, 8, 0, 3, 7, 9, 6, 1, 4, 2}, {8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
                               {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
                               {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};
constexpr uint8_t kInv[10] = {0, 4, 3, 2, 1, 5, 6, 7, 8, 9};

bool Verhoeff(std::string_view digits) {
  int c = 0;
  for (size_t i = 0; i < digits.size(); ++i) {
    c = kD[c][kP[i % 8][digits[digits.size() - 1 - i] - '0']];
  }
  return c == 0;
}

// Writes the SCTID into `buf` (at least 32 bytes) and returns its length.
size_t WriteSctid(char* buf, uint64_t item, int partition, uint32_t namespace_id) {
  char* end = std::to_chars(buf, buf + 20, item).ptr;
  if (namespace_id != 0) {
    char ns[8];
    char* ns_end = std::to_chars(ns, ns + 8, namespace_id).ptr;
    size_t len = static_cast<size_t>(ns_end - ns);
    for (size_t i = len; i < 7; ++i) *end++ = '0';
    end = std::copy(ns, ns_end, end);
  }
  *end++ = static_cast<char>('0' + partition / 10);
  *end++ = static_cast<char>('0' + partition % 10);
  size_t n = static_cast<size_t>(end - buf);
  int c = 0;
  for (size_t i = 0; i < n; ++i) c = kD[c][kP[(i + 1) % 8][buf[n - 1 - i] - '0']];
  buf[n] = static_cast<char>('0' + kInv[c]);
  return n + 1;
}

// ---- Deterministic pseudo-random numbers

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0.
  uint32_t Below(uint32_t n) {
    return static_cast<uint32_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }

 private:
  uint64_t state_;
};

// ---- Output

class Output {
 public:
  Output() = default;
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  ~Output() {
    if (fd_ >= 0) ::close(fd_);
  }

  bool Open(const std::string& path, bool crlf, std::string& error) {
    path_ = path;
    crlf_ = crlf;
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      error = path + ": " + std::strerror(errno);
      return false;
    }
    buf_.reserve(kFlushAt + 4096);
    return true;
  }

  // Appends one row: the fields, tab-separated, and the line end.
  template <typename... Fields>
  void Row(const Fields&... fields) {
    bool first = true;
    ((Field(fields, first)), ...);
    if (crlf_) buf_ += '\r';
    buf_ += '\n';
    if (buf_.size() >= kFlushAt) Flush();
  }

  bool Close(std::string& error, uint64_t& bytes) {
    Flush();
    bytes += written_;
    if (!error_.empty()) {
      error = error_;
      return false;
    }
    if (::close(fd_) != 0) {
      fd_ = -1;
      error = path_ + ": " + std::strerror(errno);
      return false;
    }
    fd_ = -1;
    return true;
  }

 private:
  static constexpr size_t kFlushAt = 1 << 20;

  void Field(std::string_view s, bool& first) {
    if (!first) buf_ += '\t';
    first = false;
    buf_ += s;
  }

  void Flush() {
    size_t off = 0;
    while (off < buf_.size() && error_.empty()) {
      ssize_t n = ::write(fd_, buf_.data() + off, buf_.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        error_ = path_ + ": " + std::strerror(errno);
        break;
      }
      off += static_cast<size_t>(n);
    }
    written_ += off;
    buf_.clear();
  }

  std::string path_, buf_, error_;
  int fd_ = -1;
  bool crlf_ = true;
  uint64_t written_ = 0;
};

bool MakeDirs(const std::string& path, std::string& error) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i != path.size() && path[i] != '/') continue;
    std::string prefix = path.substr(0, i);
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      error = prefix + ": " + std::strerror(errno);
      return false;
    }
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    error = path + ": not a directory";
    return false;
  }
  return true;
}

// ---- The fixed concepts: real identifiers

struct Fixed {
  const char* id;
  const char* parent;  // "" for the root
  const char* fsn;
  const char* pt;
  bool ext = false;  // UK extension content (written to the GB1000000 files)
};

constexpr const char* kRoot = "138875005";
constexpr const char* kFinding = "404684003";
constexpr const char* kProcedure = "71388002";
constexpr const char* kBody = "123037004";
constexpr const char* kModelComponent = "900000000000441003";
constexpr const char* kCore = "900000000000442005";
constexpr const char* kFoundation = "900000000000454005";
constexpr const char* kAttribute = "410662002";

constexpr std::string_view kCoreModule = "900000000000207008";
constexpr std::string_view kUkModule = "999000011000000103";
constexpr std::string_view kPrimitive = "900000000000074008";
constexpr std::string_view kDefined = "900000000000073002";
constexpr std::string_view kFsnType = "900000000000003001";
constexpr std::string_view kSynonymType = "900000000000013009";
constexpr std::string_view kCaseInsensitive = "900000000000448009";
constexpr std::string_view kInferred = "900000000000011006";
constexpr std::string_view kExistential = "900000000000451002";
constexpr std::string_view kIsA = "116680003";
constexpr std::string_view kFindingSite = "363698007";
constexpr std::string_view kProcedureSite = "405813007";
constexpr std::string_view kGbEnglish = "900000000000508004";
constexpr std::string_view kUsEnglish = "900000000000509007";
constexpr std::string_view kUkClinicalLanguage = "999001261000000100";
constexpr std::string_view kPreferred = "900000000000548007";
constexpr std::string_view kAcceptable = "900000000000549004";

// Parents come before children.
const Fixed kFixed[] = {
    {kRoot, "", "SNOMED CT Concept (SNOMED RT+CTV3)", "SNOMED CT Concept"},
    {kFinding, kRoot, "Clinical finding (finding)", "Clinical finding"},
    {kProcedure, kRoot, "Procedure (procedure)", "Procedure"},
    {kBody, kRoot, "Body structure (body structure)", "Body structure"},
    {"105590001", kRoot, "Substance (substance)", "Substance"},
    {"373873005", kRoot, "Pharmaceutical / biologic product (product)",
     "Pharmaceutical / biologic product"},
    {"410607006", kRoot, "Organism (organism)", "Organism"},
    {"363787002", kRoot, "Observable entity (observable entity)", "Observable entity"},
    {"243796009", kRoot, "Situation with explicit context (situation)",
     "Situation with explicit context"},
    {"272379006", kRoot, "Event (event)", "Event"},
    {"362981000", kRoot, "Qualifier value (qualifier value)", "Qualifier value"},
    {"419891008", kRoot, "Record artifact (record artifact)", "Record artifact"},
    {"260787004", kRoot, "Physical object (physical object)", "Physical object"},
    {"308916002", kRoot, "Environment or geographical location (environment / location)",
     "Environment or geographical location"},
    {"48176007", kRoot, "Social context (social concept)", "Social context"},
    {"123038009", kRoot, "Specimen (specimen)", "Specimen"},
    {"254291000", kRoot, "Staging and scales (staging scale)", "Staging and scales"},
    {"370115009", kRoot, "Special concept (special concept)", "Special concept"},
    {"78621006", kRoot, "Physical force (physical force)", "Physical force"},
    {kModelComponent, kRoot, "SNOMED CT Model Component (metadata)", "SNOMED CT Model Component"},
    {kCore, kModelComponent, "Core metadata concept (core metadata concept)",
     "Core metadata concept"},
    {"900000000000443000", kCore, "Module (core metadata concept)", "Module"},
    {"900000000000207008", "900000000000443000", "SNOMED CT core module (core metadata concept)",
     "SNOMED CT core module"},
    {"900000000000012004", "900000000000443000",
     "SNOMED CT model component module (core metadata concept)",
     "SNOMED CT model component module"},
    {"999000011000000103", "900000000000443000",
     "SNOMED CT United Kingdom clinical extension module (core metadata concept)",
     "SNOMED CT United Kingdom clinical extension module", true},
    {"900000000000444006", kCore, "Definition status (core metadata concept)", "Definition status"},
    {"900000000000074008", "900000000000444006", "Primitive (core metadata concept)", "Primitive"},
    {"900000000000073002", "900000000000444006", "Defined (core metadata concept)", "Defined"},
    {"900000000000446008", kCore, "Description type (core metadata concept)", "Description type"},
    {"900000000000003001", "900000000000446008", "Fully specified name (core metadata concept)",
     "Fully specified name"},
    {"900000000000013009", "900000000000446008", "Synonym (core metadata concept)", "Synonym"},
    {"900000000000447004", kCore, "Case significance (core metadata concept)", "Case significance"},
    {"900000000000448009", "900000000000447004",
     "Entire term case insensitive (core metadata concept)", "Entire term case insensitive"},
    {"900000000000449001", kCore, "Characteristic type (core metadata concept)",
     "Characteristic type"},
    {"900000000000011006", "900000000000449001", "Inferred relationship (core metadata concept)",
     "Inferred relationship"},
    {"900000000000450001", kCore, "Modifier (core metadata concept)", "Modifier"},
    {"900000000000451002", "900000000000450001",
     "Existential restriction modifier (core metadata concept)",
     "Existential restriction modifier"},
    {"900000000000511003", kCore, "Acceptability (foundation metadata concept)", "Acceptability"},
    {"900000000000548007", "900000000000511003", "Preferred (foundation metadata concept)",
     "Preferred"},
    {"900000000000549004", "900000000000511003", "Acceptable (foundation metadata concept)",
     "Acceptable"},
    {kFoundation, kModelComponent, "Foundation metadata concept (foundation metadata concept)",
     "Foundation metadata concept"},
    {"900000000000455006", kFoundation, "Reference set (foundation metadata concept)",
     "Reference set"},
    {"446609009", "900000000000455006", "Simple type reference set (foundation metadata concept)",
     "Simple type reference set"},
    {"900000000000506000", "900000000000455006",
     "Language type reference set (foundation metadata concept)", "Language type reference set"},
    {"900000000000508004", "900000000000506000",
     "Great Britain English language reference set (foundation metadata concept)", "GB English"},
    {"900000000000509007", "900000000000506000",
     "United States of America English language reference set (foundation metadata concept)",
     "US English"},
    {"999001261000000100", "900000000000506000",
     "National Health Service realm language reference set (clinical part) (foundation "
     "metadata concept)",
     "National Health Service realm language reference set (clinical part)", true},
    {kAttribute, kModelComponent, "Concept model attribute (attribute)", "Concept model attribute"},
    {"116680003", kAttribute, "Is a (attribute)", "Is a"},
    {"363698007", kAttribute, "Finding site (attribute)", "Finding site"},
    {"405813007", kAttribute, "Procedure site - Direct (attribute)", "Procedure site - Direct"},
    // The NHS data-sharing exclusion refsets, with members drawn
    // from the synthetic findings.
    {"999004351000000109", "446609009",
     "Gender related issues data sharing exclusion simple reference set (foundation metadata "
     "concept)",
     "Gender related issues data sharing exclusion simple reference set", true},
    {"999004371000000100", "446609009",
     "Assisted fertilisation data sharing exclusion simple reference set (foundation metadata "
     "concept)",
     "Assisted fertilisation data sharing exclusion simple reference set", true},
    {"999004361000000107", "446609009",
     "Termination of pregnancy data sharing exclusion simple reference set (foundation "
     "metadata concept)",
     "Termination of pregnancy data sharing exclusion simple reference set", true},
    {"999004381000000103", "446609009",
     "Sexually transmitted disease data sharing exclusion simple reference set (foundation "
     "metadata concept)",
     "Sexually transmitted disease data sharing exclusion simple reference set", true},
};
constexpr uint32_t kFixedCount = sizeof(kFixed) / sizeof(kFixed[0]);

// The four refsets and their sizes at full scale (as published in 2025).
constexpr std::array<std::pair<std::string_view, uint32_t>, 4> kRefsets = {{
    {"999004351000000109", 123},
    {"999004371000000100", 164},
    {"999004361000000107", 566},
    {"999004381000000103", 1899},
}};

// The synthetic hierarchies, under the fixed top-level concepts. The
// finding hierarchy's share is fixed (10/37 of the concepts: 100,000 at
// full size); the others split the rest by these weights (per mille).
struct Hierarchy {
  const char* top;
  const char* fsn_word;  // "Synthetic finding"
  const char* pt_word;   // "Finding"
  const char* tag;
  uint32_t weight;
  uint32_t start = 0, size = 0;  // synthetic indexes
  uint32_t top_index = 0;        // index of `top` among the fixed concepts
};

constexpr size_t kFindingH = 0, kProcedureH = 1, kBodyH = 2;

std::array<Hierarchy, 18> Hierarchies() {
  return {{
      {kFinding, "Synthetic finding", "Finding", "finding", 0},
      {kProcedure, "Synthetic procedure", "Procedure", "procedure", 245},
      {kBody, "Synthetic body structure", "Body structure", "body structure", 150},
      {"105590001", "Synthetic substance", "Substance", "substance", 110},
      {"373873005", "Synthetic product", "Product", "product", 110},
      {"410607006", "Synthetic organism", "Organism", "organism", 120},
      {"363787002", "Synthetic observable", "Observable", "observable entity", 50},
      {"243796009", "Synthetic situation", "Situation", "situation", 30},
      {"272379006", "Synthetic event", "Event", "event", 20},
      {"362981000", "Synthetic qualifier", "Qualifier", "qualifier value", 60},
      {"419891008", "Synthetic record artifact", "Record artifact", "record artifact", 5},
      {"260787004", "Synthetic physical object", "Physical object", "physical object", 40},
      {"308916002", "Synthetic location", "Location", "environment / location", 15},
      {"48176007", "Synthetic social context", "Social context", "social concept", 25},
      {"123038009", "Synthetic specimen", "Specimen", "specimen", 10},
      {"254291000", "Synthetic scale", "Scale", "staging scale", 5},
      {"370115009", "Synthetic special concept", "Special concept", "special concept", 2},
      {"78621006", "Synthetic physical force", "Physical force", "physical force", 3},
  }};
}

constexpr uint32_t kUkNamespace = 1000000;
constexpr uint64_t kConceptItemBase = 10000000;
constexpr uint64_t kInactiveItemBase = 60000000;
constexpr uint64_t kDescriptionItemBase = 20000000;
constexpr uint64_t kRelationshipItemBase = 30000000;

constexpr std::array<std::string_view, 5> kTimes = {"20020131", "20100731", "20170731", "20230301",
                                                    "20250101"};
constexpr std::string_view kReleaseTime = "20250101";

// How a synthetic concept's descriptions are laid out.
enum class Terms {
  kNormal,       // FSN, acceptable A, preferred PT, acceptable B
  kFsnFallback,  // as normal, but the PT has no language rows: the FSN decides
  kOnlySynonym,  // only the PT is active, and it has no language rows
  kUsDiffers,    // as normal, plus a synonym preferred only in US English
};

Terms TermsOf(uint32_t j) {
  if (j % 89 == 11) return Terms::kOnlySynonym;
  if (j % 97 == 5) return Terms::kFsnFallback;
  if (j % 50 == 7) return Terms::kUsDiffers;
  return Terms::kNormal;
}

bool IsExtension(uint32_t j) {
  return j % 20 == 19;
}

class Generator {
 public:
  Generator(const Options& options, Summary& summary)
      : opt_(options),
        sum_(summary),
        rel_rng_(options.seed ^ 0x5e1a7105),
        ref_rng_(options.seed ^ 0x2ef5e7) {}

  bool Run(const std::string& root, std::string& error);

 private:
  struct Files {
    Output concepts, descriptions, relationships, language;
  };

  std::string_view Id(uint64_t item, int partition, bool ext) {
    size_t n = WriteSctid(id_buf_, item, ext ? partition + 10 : partition, ext ? kUkNamespace : 0);
    return {id_buf_, n};
  }
  std::string_view Uuid() {
    Rng r(opt_.seed * 31 + ++uuid_counter_);
    uint64_t a = r.Next(), b = r.Next();
    static constexpr char kHex[] = "0123456789abcdef";
    char* p = uuid_buf_;
    for (int i = 0; i < 32; ++i) {
      if (i == 8 || i == 12 || i == 16 || i == 20) *p++ = '-';
      uint64_t word = i < 16 ? a : b;
      int nibble = static_cast<int>((word >> ((i % 16) * 4)) & 0xF);
      if (i == 12) nibble = 4;                 // version 4
      if (i == 16) nibble = 8 | (nibble & 3);  // variant 1
      *p++ = kHex[nibble];
    }
    return {uuid_buf_, 36};
  }

  void Description(Files& f, bool ext, std::string_view time, bool active,
                   std::string_view concept_id, std::string_view type, std::string_view term,
                   std::string& id_out) {
    std::string_view id = Id(kDescriptionItemBase + descriptions_++, 1, ext);
    id_out.assign(id);
    f.descriptions.Row(id_out, time, active ? "1" : "0", ext ? kUkModule : kCoreModule, concept_id,
                       "en", type, term, kCaseInsensitive);
    ++sum_.descriptions;
  }
  void Language(Files& f, bool ext, bool active, std::string_view refset,
                std::string_view description_id, std::string_view acceptability) {
    f.language.Row(Uuid(), kReleaseTime, active ? "1" : "0", ext ? kUkModule : kCoreModule, refset,
                   description_id, acceptability);
    ++sum_.language_rows;
  }
  void Relationship(Files& f, bool ext, bool active, std::string_view source,
                    std::string_view destination, std::string_view type) {
    std::string_view id = Id(kRelationshipItemBase + relationships_, 2, ext);
    f.relationships.Row(id, kTimes[relationships_ % kTimes.size()], active ? "1" : "0",
                        ext ? kUkModule : kCoreModule, source, destination,
                        type == kIsA ? "0" : "1", type, kInferred, kExistential);
    ++relationships_;
    if (type == kIsA) {
      ++sum_.isa_rows;
    } else {
      ++sum_.other_relationship_rows;
    }
  }

  uint32_t RandomMember(size_t h) { return hs_[h].start + rel_rng_.Below(hs_[h].size); }
  uint32_t Synthetic(uint32_t j) const { return kFixedCount + j; }

  void WriteFixed(Files& int_files, Files& ext_files);
  void WriteSynthetic(uint32_t j, size_t h, Files& int_files, Files& ext_files);
  void WriteInactive(uint32_t i, Files& files);
  bool WriteRefsets(const std::string& dir, std::string& error);
  void Descendants();
  Sample* SampleFor(uint32_t index) {
    auto it = sample_of_.find(index);
    return it == sample_of_.end() ? nullptr : &sum_.samples[it->second];
  }
  void AddSample(uint32_t index, std::string term, bool active = true) {
    sample_of_[index] = sum_.samples.size();
    sum_.samples.push_back(
        {index < codes_.size() ? codes_[index] : std::string(), std::move(term), active, {}});
  }

  const Options& opt_;
  Summary& sum_;
  Rng rel_rng_, ref_rng_;
  std::array<Hierarchy, 18> hs_ = Hierarchies();
  uint32_t synthetic_ = 0, inactive_ = 0;
  std::vector<std::string> codes_;                    // every active concept: fixed, then synthetic
  std::vector<std::pair<uint32_t, uint32_t>> edges_;  // active IS-A: child, parent
  std::vector<std::string> inactive_codes_;
  std::unordered_map<uint32_t, size_t> sample_of_;
  uint64_t descriptions_ = 0, relationships_ = 0, uuid_counter_ = 0;
  char id_buf_[32];
  char uuid_buf_[40];
};

void Generator::WriteFixed(Files& int_files, Files& ext_files) {
  std::unordered_map<std::string_view, uint32_t> index;
  std::string fsn_id, pt_id;
  for (uint32_t k = 0; k < kFixedCount; ++k) {
    const Fixed& c = kFixed[k];
    index[c.id] = k;
    Files& f = c.ext ? ext_files : int_files;
    std::string_view module = c.ext ? kUkModule : kCoreModule;
    f.concepts.Row(c.id, kTimes[0], "1", module, kPrimitive);
    Description(f, c.ext, kTimes[0], true, c.id, kFsnType, c.fsn, fsn_id);
    Description(f, c.ext, kTimes[0], true, c.id, kSynonymType, c.pt, pt_id);
    std::string_view language = c.ext ? kUkClinicalLanguage : kGbEnglish;
    Language(f, c.ext, true, language, fsn_id, kPreferred);
    Language(f, c.ext, true, language, pt_id, kPreferred);
    if (*c.parent != '\0') {
      uint32_t parent = index.at(c.parent);
      Relationship(f, c.ext, true, c.id, c.parent, kIsA);
      edges_.emplace_back(k, parent);
      if (Sample* s = SampleFor(k)) s->parents.push_back(c.parent);
    }
  }
}

void Generator::WriteSynthetic(uint32_t j, size_t h, Files& int_files, Files& ext_files) {
  const Hierarchy& hy = hs_[h];
  uint32_t g = Synthetic(j);
  bool ext = IsExtension(j);
  Files& f = ext ? ext_files : int_files;
  const std::string& code = codes_[g];
  std::string_view time = kTimes[j % kTimes.size()];
  f.concepts.Row(code, time, "1", ext ? kUkModule : kCoreModule,
                 j % 3 == 0 ? kDefined : kPrimitive);

  // Descriptions, in id order: FSN, [retired], acceptable A, PT, acceptable
  // B, [US]. The traps sit before the PT so that an importer which breaks
  // ties by the lower id falls into them.
  Terms terms = TermsOf(j);
  std::string n = std::to_string(j);
  std::string_view language = ext ? kUkClinicalLanguage : kGbEnglish;
  std::string fsn_id, retired_id, a_id, pt_id, b_id, us_id;
  bool only = terms == Terms::kOnlySynonym;
  Description(f, ext, time, !only, code, kFsnType,
              std::string(hy.fsn_word) + ' ' + n + " (" + hy.tag + ')', fsn_id);
  Language(f, ext, !only, language, fsn_id, kPreferred);
  if (j % 10 == 3) {  // an inactive description that an active row calls preferred
    Description(f, ext, kReleaseTime, false, code, kSynonymType,
                std::string(hy.pt_word) + ' ' + n + " retired", retired_id);
    Language(f, ext, true, language, retired_id, kPreferred);
  }
  Description(f, ext, time, !only, code, kSynonymType,
              std::string(hy.pt_word) + ' ' + n + " variant A", a_id);
  Language(f, ext, !only, language, a_id, kAcceptable);
  if (j % 7 == 0) Language(f, ext, false, language, a_id, kPreferred);  // once preferred
  std::string pt = std::string(hy.pt_word) + ' ' + n;
  Description(f, ext, time, true, code, kSynonymType, pt, pt_id);
  if (terms == Terms::kNormal || terms == Terms::kUsDiffers) {
    Language(f, ext, true, language, pt_id, kPreferred);
  }
  Description(f, ext, time, !only, code, kSynonymType,
              std::string(hy.pt_word) + ' ' + n + " variant B", b_id);
  Language(f, ext, !only, language, b_id, kAcceptable);
  if (terms == Terms::kUsDiffers) {
    Description(f, ext, time, true, code, kSynonymType,
                std::string(hy.pt_word) + ' ' + n + " US spelling", us_id);
    Language(f, ext, true, kUsEnglish, us_id, kPreferred);
    Language(f, ext, true, kUsEnglish, pt_id, kAcceptable);
  }

  // IS-A within the hierarchy: a random recursive tree (a primary parent,
  // the top for the first few) plus up to three more earlier members.
  uint32_t k = j - hy.start;
  Sample* sample = SampleFor(g);
  uint32_t parents[4];
  size_t np = 0;
  uint32_t p = rel_rng_.Below(k + 8);
  parents[np++] = p < 8 ? hy.top_index : Synthetic(hy.start + p - 8);
  if (k >= 4) {
    uint32_t extra = rel_rng_.Below(4);
    for (uint32_t e = 0; e < extra; ++e) {
      uint32_t q = Synthetic(hy.start + rel_rng_.Below(k));
      if (std::find(parents, parents + np, q) == parents + np) parents[np++] = q;
    }
  }
  for (size_t i = 0; i < np; ++i) {
    Relationship(f, ext, true, code, codes_[parents[i]], kIsA);
    edges_.emplace_back(g, parents[i]);
    if (sample != nullptr) sample->parents.push_back(codes_[parents[i]]);
  }
  // A retired IS-A into another hierarchy: honouring `active` keeps the
  // descendant counts exact.
  if (j % 3 != 0) {
    uint32_t other = h == kFindingH ? RandomMember(kBodyH) : RandomMember(kFindingH);
    Relationship(f, ext, false, code, codes_[Synthetic(other)], kIsA);
  }
  // Attribute rows point from findings and procedures at body structures.
  if (j % 2 == 0 && (h == kFindingH || h == kProcedureH)) {
    uint32_t site = RandomMember(kBodyH);
    Relationship(f, ext, true, code, codes_[Synthetic(site)],
                 h == kFindingH ? kFindingSite : kProcedureSite);
  }
}

void Generator::WriteInactive(uint32_t i, Files& f) {
  char buf[32];
  std::string code(buf, WriteSctid(buf, kInactiveItemBase + i, 0, 0));
  f.concepts.Row(code, kTimes[3], "0", kCoreModule, kPrimitive);
  std::string n = std::to_string(i);
  std::string fsn_id, pt_id;
  Description(f, false, kTimes[3], true, code, kFsnType, "Retired concept " + n + " (finding)",
              fsn_id);
  Language(f, false, true, kGbEnglish, fsn_id, kPreferred);
  Description(f, false, kTimes[3], true, code, kSynonymType, "Retired concept " + n, pt_id);
  Language(f, false, true, kGbEnglish, pt_id, kPreferred);
  Relationship(f, false, false, code, codes_[Synthetic(RandomMember(kFindingH))], kIsA);
  if (i == 0) sum_.samples.push_back({code, "Retired concept 0", false, {}});
  inactive_codes_.push_back(std::move(code));
}

bool Generator::WriteRefsets(const std::string& path, std::string& error) {
  Output out;
  if (!out.Open(path, opt_.crlf, error)) return false;
  out.Row("id", "effectiveTime", "active", "moduleId", "refsetId", "referencedComponentId");
  const Hierarchy& finding = hs_[kFindingH];
  for (const auto& [refset, full_size] : kRefsets) {
    uint32_t want = static_cast<uint32_t>(uint64_t{full_size} * opt_.concepts / 370000);
    want = std::clamp<uint32_t>(want, 3, finding.size / 4);
    std::set<uint32_t> picked;
    while (picked.size() < want) picked.insert(finding.start + ref_rng_.Below(finding.size));
    std::set<std::string> members;
    auto row = [&](bool active, const std::string& member) {
      out.Row(Uuid(), kReleaseTime, active ? "1" : "0", kUkModule, refset, member);
      ++sum_.refset_rows;
      if (active) members.insert(member);
    };
    for (uint32_t j : picked) row(true, codes_[Synthetic(j)]);
    row(true, codes_[Synthetic(*picked.begin())]);  // a second active row for one member
    for (uint32_t i = 0; i <= want / 10; ++i) {     // retired memberships
      out.Row(Uuid(), kReleaseTime, "0", kUkModule, refset,
              codes_[Synthetic(finding.start + ref_rng_.Below(finding.size))]);
      ++sum_.refset_rows;
    }
    // Retired concepts stay members (an exclusion must still catch them).
    row(true, inactive_codes_[ref_rng_.Below(inactive_)]);
    row(true, inactive_codes_[ref_rng_.Below(inactive_)]);
    // A member that is a description, not a concept: not a concept member.
    out.Row(Uuid(), kReleaseTime, "1", kUkModule, refset, Id(kDescriptionItemBase, 1, false));
    ++sum_.refset_rows;
    sum_.refsets.push_back({std::string(refset), members.size()});
  }
  return out.Close(error, sum_.bytes);
}

void Generator::Descendants() {
  size_t n = codes_.size();
  std::vector<uint32_t> start(n + 1, 0), children(edges_.size());
  for (const auto& e : edges_) ++start[e.second + 1];
  for (size_t i = 0; i < n; ++i) start[i + 1] += start[i];
  std::vector<uint32_t> fill(start.begin(), start.end() - 1);
  for (const auto& e : edges_) children[fill[e.second]++] = e.first;
  auto count = [&](uint32_t top) {
    std::vector<uint8_t> seen(n, 0);
    std::vector<uint32_t> queue{top};
    seen[top] = 1;
    for (size_t i = 0; i < queue.size(); ++i) {
      for (uint32_t c = start[queue[i]]; c < start[queue[i] + 1]; ++c) {
        if (!seen[children[c]]) {
          seen[children[c]] = 1;
          queue.push_back(children[c]);
        }
      }
    }
    return queue.size() - 1;
  };
  sum_.big_descendants = count(hs_[kFindingH].top_index);
  sum_.body_structure_descendants = count(hs_[kBodyH].top_index);
  sum_.active_isa_edges = edges_.size();
}

bool Generator::Run(const std::string& root, std::string& error) {
  if (opt_.concepts < 1000 || opt_.concepts > 20000000) {
    error = "the number of concepts must be between 1000 and 20000000";
    return false;
  }
  synthetic_ = opt_.concepts - kFixedCount;
  inactive_ = opt_.concepts / 10;

  // Hierarchy sizes: findings get 10/37, the others share the rest.
  uint32_t findings = static_cast<uint32_t>(uint64_t{opt_.concepts} * 10 / 37);
  hs_[kFindingH].size = std::min(findings, synthetic_ / 2);
  uint32_t rest = synthetic_ - hs_[kFindingH].size, given = 0;
  for (size_t h = 1; h < hs_.size(); ++h) {
    hs_[h].size =
        std::max<uint32_t>(1, static_cast<uint32_t>(uint64_t{rest} * hs_[h].weight / 1000));
    given += hs_[h].size;
  }
  hs_[kProcedureH].size += rest - given;
  uint32_t start = 0;
  for (Hierarchy& h : hs_) {
    h.start = start;
    start += h.size;
    for (uint32_t k = 0; k < kFixedCount; ++k) {
      if (std::string_view(kFixed[k].id) == h.top) h.top_index = k;
    }
  }

  codes_.reserve(kFixedCount + synthetic_);
  for (const Fixed& c : kFixed) {
    if (!Verhoeff(c.id)) {
      error = std::string("internal error: ") + c.id + " fails its check digit";
      return false;
    }
    codes_.emplace_back(c.id);
  }
  for (uint32_t j = 0; j < synthetic_; ++j) {
    codes_.emplace_back(Id(kConceptItemBase + j, 0, IsExtension(j)));
  }
  inactive_codes_.reserve(inactive_);

  // Samples: a few fixed concepts, and synthetic ones covering each trap.
  for (const char* id :
       {kRoot, kFinding, "116680003", "999004381000000103", "999000011000000103"}) {
    for (uint32_t k = 0; k < kFixedCount; ++k) {
      if (std::string_view(kFixed[k].id) == id) AddSample(k, kFixed[k].pt);
    }
  }
  for (uint32_t j : {0u, 3u, 5u, 7u, 11u, 14u, 19u, synthetic_ / 2, synthetic_ - 1}) {
    size_t h = 0;
    while (j >= hs_[h].start + hs_[h].size) ++h;
    std::string n = std::to_string(j);
    AddSample(Synthetic(j), TermsOf(j) == Terms::kFsnFallback
                                ? std::string(hs_[h].fsn_word) + ' ' + n
                                : std::string(hs_[h].pt_word) + ' ' + n);
  }

  std::string snapshot = root + "/Snapshot";
  std::string terminology = snapshot + "/Terminology";
  std::string language = snapshot + "/Refset/Language";
  std::string content = snapshot + "/Refset/Content";
  for (const std::string& dir : {terminology, language, content}) {
    if (!MakeDirs(dir, error)) return false;
  }
  Files int_files, ext_files;
  struct Named {
    Output* out;
    std::string path;
    std::string_view header;
  };
  constexpr std::string_view kConceptHeader =
      "id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId";
  constexpr std::string_view kDescriptionHeader =
      "id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\t"
      "caseSignificanceId";
  constexpr std::string_view kRelationshipHeader =
      "id\teffectiveTime\tactive\tmoduleId\tsourceId\tdestinationId\trelationshipGroup\ttypeId\t"
      "characteristicTypeId\tmodifierId";
  constexpr std::string_view kLanguageHeader =
      "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId\tacceptabilityId";
  const Named files[] = {
      {&int_files.concepts, terminology + "/sct2_Concept_Snapshot_INT_20250101.txt",
       kConceptHeader},
      {&ext_files.concepts, terminology + "/sct2_Concept_Snapshot_GB1000000_20250101.txt",
       kConceptHeader},
      {&int_files.descriptions, terminology + "/sct2_Description_Snapshot-en_INT_20250101.txt",
       kDescriptionHeader},
      {&ext_files.descriptions,
       terminology + "/sct2_Description_Snapshot-en_GB1000000_20250101.txt", kDescriptionHeader},
      {&int_files.relationships, terminology + "/sct2_Relationship_Snapshot_INT_20250101.txt",
       kRelationshipHeader},
      {&ext_files.relationships, terminology + "/sct2_Relationship_Snapshot_GB1000000_20250101.txt",
       kRelationshipHeader},
      {&int_files.language, language + "/der2_cRefset_LanguageSnapshot-en_INT_20250101.txt",
       kLanguageHeader},
      {&ext_files.language, language + "/der2_cRefset_LanguageSnapshot-en_GB1000000_20250101.txt",
       kLanguageHeader},
  };
  for (const Named& f : files) {
    if (!f.out->Open(f.path, opt_.crlf, error)) return false;
    f.out->Row(f.header);
  }

  WriteFixed(int_files, ext_files);
  for (size_t h = 0; h < hs_.size(); ++h) {
    for (uint32_t j = hs_[h].start; j < hs_[h].start + hs_[h].size; ++j) {
      WriteSynthetic(j, h, int_files, ext_files);
    }
  }
  for (uint32_t i = 0; i < inactive_; ++i) WriteInactive(i, int_files);
  for (const Named& f : files) {
    if (!f.out->Close(error, sum_.bytes)) return false;
  }
  if (!WriteRefsets(content + "/der2_Refset_SimpleSnapshot_GB1000000_20250101.txt", error)) {
    return false;
  }

  Descendants();
  sum_.active_concepts = kFixedCount + synthetic_;
  sum_.inactive_concepts = inactive_;
  for (Sample& s : sum_.samples) std::sort(s.parents.begin(), s.parents.end());
  return true;
}

}  // namespace

std::string MakeSctid(uint64_t item, int partition, uint32_t namespace_id) {
  char buf[32];
  return std::string(buf, WriteSctid(buf, item, partition, namespace_id));
}

bool Generate(const Options& options, const std::string& root, Summary& summary,
              std::string& error) {
  summary = Summary();
  summary.root = root;
  summary.big_concept = kFinding;
  summary.body_structure = kBody;
  Generator generator(options, summary);
  return generator.Run(root, error);
}

}  // namespace caldicott::rf2gen
