// Reading one resource: the classification table, the main concept of each
// resource type, statuses, dates, security labels, references and the
// registered practice. docs/fhir.md has the same tables in prose.
#include "runtime/fhir/resource.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <new>
#include <unordered_map>

#include "compiler/base/date.h"

namespace caldicott::fhir {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Where a resource type's main concept is.
enum class ConceptRule : uint8_t {
  kNone,        // no codes
  kPath,        // the CodeableConcept(s) at path1[.path2]
  kMedication,  // medicationCodeableConcept, or the Medication medicationReference points at
  kDevice,      // the Device that `device` points at: its `type`
};

struct TypeInfo {
  std::string_view type;
  Category category;
  caldicott_kind kind;
  ConceptRule rule;
  std::string_view path1;
  std::string_view path2;
};

constexpr Category kC = Category::kClinical;
constexpr Category kS = Category::kSupporting;

// Every resource type the adapter knows; any other is unclassified.
constexpr std::array kTypes = {
    // docs/fhir.md, "Resources and kinds".
    TypeInfo{"Condition", kC, CALDICOTT_KIND_PROBLEM, ConceptRule::kPath, "code", ""},
    TypeInfo{"AllergyIntolerance", kC, CALDICOTT_KIND_ALLERGY, ConceptRule::kPath, "code", ""},
    TypeInfo{"MedicationStatement", kC, CALDICOTT_KIND_MEDICATION, ConceptRule::kMedication, "",
             ""},
    TypeInfo{"MedicationRequest", kC, CALDICOTT_KIND_MEDICATION, ConceptRule::kMedication, "", ""},
    TypeInfo{"Observation", kC, CALDICOTT_KIND_OBSERVATION, ConceptRule::kPath, "code", ""},
    TypeInfo{"DiagnosticReport", kC, CALDICOTT_KIND_OBSERVATION, ConceptRule::kPath, "code", ""},
    TypeInfo{"Procedure", kC, CALDICOTT_KIND_PROCEDURE, ConceptRule::kPath, "code", ""},
    TypeInfo{"Immunization", kC, CALDICOTT_KIND_IMMUNISATION, ConceptRule::kPath, "vaccineCode",
             ""},
    TypeInfo{"Encounter", kC, CALDICOTT_KIND_ENCOUNTER, ConceptRule::kPath, "type", ""},
    TypeInfo{"DocumentReference", kC, CALDICOTT_KIND_DOCUMENT, ConceptRule::kPath, "type", ""},
    TypeInfo{"ServiceRequest", kC, CALDICOTT_KIND_REFERRAL, ConceptRule::kPath, "code", ""},
    TypeInfo{"FamilyMemberHistory", kC, CALDICOTT_KIND_FAMILY_HISTORY, ConceptRule::kPath,
             "condition", "code"},
    TypeInfo{"CarePlan", kC, CALDICOTT_KIND_CARE_PLAN, ConceptRule::kPath, "category", ""},
    TypeInfo{"Flag", kC, CALDICOTT_KIND_ALERT, ConceptRule::kPath, "code", ""},
    TypeInfo{"Device", kC, CALDICOTT_KIND_DEVICE, ConceptRule::kPath, "type", ""},
    TypeInfo{"DeviceUseStatement", kC, CALDICOTT_KIND_DEVICE, ConceptRule::kDevice, "", ""},
    // Other clinical resources of a GP record (kind `other`).
    TypeInfo{"AdverseEvent", kC, CALDICOTT_KIND_OTHER, ConceptRule::kPath, "event", ""},
    TypeInfo{"ClinicalImpression", kC, CALDICOTT_KIND_OTHER, ConceptRule::kPath, "code", ""},
    TypeInfo{"DetectedIssue", kC, CALDICOTT_KIND_OTHER, ConceptRule::kPath, "code", ""},
    TypeInfo{"DeviceRequest", kC, CALDICOTT_KIND_OTHER, ConceptRule::kPath, "codeCodeableConcept",
             ""},
    TypeInfo{"EpisodeOfCare", kC, CALDICOTT_KIND_OTHER, ConceptRule::kPath, "type", ""},
    TypeInfo{"Goal", kC, CALDICOTT_KIND_OTHER, ConceptRule::kPath, "description", ""},
    TypeInfo{"ImagingStudy", kC, CALDICOTT_KIND_OTHER, ConceptRule::kPath, "procedureCode", ""},
    TypeInfo{"ImmunizationEvaluation", kC, CALDICOTT_KIND_OTHER, ConceptRule::kPath,
             "targetDisease", ""},
    TypeInfo{"ImmunizationRecommendation", kC, CALDICOTT_KIND_OTHER, ConceptRule::kPath,
             "recommendation", "vaccineCode"},
    TypeInfo{"MedicationAdministration", kC, CALDICOTT_KIND_OTHER, ConceptRule::kMedication, "",
             ""},
    TypeInfo{"MedicationDispense", kC, CALDICOTT_KIND_OTHER, ConceptRule::kMedication, "", ""},
    TypeInfo{"NutritionOrder", kC, CALDICOTT_KIND_OTHER, ConceptRule::kNone, "", ""},
    TypeInfo{"RiskAssessment", kC, CALDICOTT_KIND_OTHER, ConceptRule::kPath, "code", ""},
    TypeInfo{"Specimen", kC, CALDICOTT_KIND_OTHER, ConceptRule::kPath, "type", ""},
    TypeInfo{"VisionPrescription", kC, CALDICOTT_KIND_OTHER, ConceptRule::kNone, "", ""},
    // The patient and the supporting resources.
    TypeInfo{"Patient", Category::kPatient, CALDICOTT_KIND_OTHER, ConceptRule::kNone, "", ""},
    TypeInfo{"Practitioner", kS, CALDICOTT_KIND_OTHER, ConceptRule::kNone, "", ""},
    TypeInfo{"PractitionerRole", kS, CALDICOTT_KIND_OTHER, ConceptRule::kNone, "", ""},
    TypeInfo{"Organization", kS, CALDICOTT_KIND_OTHER, ConceptRule::kNone, "", ""},
    TypeInfo{"Location", kS, CALDICOTT_KIND_OTHER, ConceptRule::kNone, "", ""},
    TypeInfo{"Medication", kS, CALDICOTT_KIND_OTHER, ConceptRule::kNone, "", ""},
};

const TypeInfo* FindType(std::string_view type) {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, const TypeInfo*>();
    for (const TypeInfo& t : kTypes) (*m)[t.type] = &t;
    return m;
  }();
  auto it = index->find(type);
  return it == index->end() ? nullptr : it->second;
}

}  // namespace

std::string_view CategoryName(Category category) {
  switch (category) {
    case Category::kClinical:
      return "clinical";
    case Category::kPatient:
      return "patient";
    case Category::kSupporting:
      return "supporting";
    case Category::kComposition:
      return "composition";
    case Category::kUnclassified:
      return "unclassified";
  }
  return "unclassified";
}

Classification Classify(std::string_view resource_type) {
  const TypeInfo* t = FindType(resource_type);
  if (t == nullptr) return {Category::kUnclassified, CALDICOTT_KIND_OTHER};
  return {t->category, t->kind};
}

namespace {

bool Digits(std::string_view s, size_t at, size_t n) {
  if (at + n > s.size()) return false;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int Number(std::string_view s, size_t at, size_t n) {
  int v = 0;
  for (size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

// "Thh:mm:ss(.f+)?(Z|+hh:mm|-hh:mm)" at `at`, up to the end.
bool ValidTime(std::string_view s, size_t at) {
  if (s.size() < at + 9 || s[at] != 'T' || !Digits(s, at + 1, 2) || s[at + 3] != ':' ||
      !Digits(s, at + 4, 2) || s[at + 6] != ':' || !Digits(s, at + 7, 2)) {
    return false;
  }
  int hh = Number(s, at + 1, 2), mm = Number(s, at + 4, 2), ss = Number(s, at + 7, 2);
  if (hh > 23 || mm > 59 || ss > 60) return false;
  size_t i = at + 9;
  if (i < s.size() && s[i] == '.') {
    size_t j = i + 1;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
    if (j == i + 1) return false;
    i = j;
  }
  if (i + 1 == s.size() && s[i] == 'Z') return true;
  if (i + 6 != s.size() || (s[i] != '+' && s[i] != '-') || !Digits(s, i + 1, 2) ||
      s[i + 3] != ':' || !Digits(s, i + 4, 2)) {
    return false;
  }
  int zh = Number(s, i + 1, 2), zm = Number(s, i + 4, 2);
  return (zh <= 13 && zm <= 59) || (zh == 14 && zm == 0);
}

}  // namespace

std::optional<caldicott_date> ParseDate(std::string_view s) {
  if (!Digits(s, 0, 4)) return std::nullopt;
  int y = Number(s, 0, 4);
  if (y == 0) return std::nullopt;
  if (s.size() == 4) return base::DaysFromCivil(y, 1, 1);
  if (s[4] != '-' || !Digits(s, 5, 2)) return std::nullopt;
  int m = Number(s, 5, 2);
  if (m < 1 || m > 12) return std::nullopt;
  if (s.size() == 7) return base::DaysFromCivil(y, m, 1);
  if (s[7] != '-' || !Digits(s, 8, 2)) return std::nullopt;
  int d = Number(s, 8, 2);
  if (d < 1 || d > base::DaysInMonth(y, m)) return std::nullopt;
  if (s.size() != 10 && !ValidTime(s, 10)) return std::nullopt;
  return base::DaysFromCivil(y, m, d);
}

namespace internal {

std::string Path::Format() const {
  std::string out = parent != nullptr ? parent->Format() + "." : std::string();
  out += name;
  if (index >= 0) out += "[" + std::to_string(index) + "]";
  return out;
}

void ResourceFacts::Clear() {
  type = id = concept_reference = concept_type = {};
  classification = {};
  status = CALDICOTT_STATUS_UNKNOWN;
  date = CALDICOTT_NO_DATE;
  codings.clear();
  labels.clear();
  practitioner_references.clear();
  practice_codes.clear();
  ods_codes.clear();
  contains_unsupported = false;
}

std::string Printable(std::string_view text, size_t max) {
  std::string out;
  size_t i = 0;
  for (; i < text.size() && out.size() < max; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (i < text.size()) {
    // Do not cut a UTF-8 sequence.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
    out += "...";
  }
  return out;
}

std::string JsonErrorText(simdjson::error_code error) {
  switch (error) {
    case simdjson::UTF8_ERROR:
      return "invalid UTF-8";
    case simdjson::DEPTH_ERROR:
      return "arrays and objects nested deeper than " + std::to_string(kMaxDepth) + " levels";
    case simdjson::STRING_ERROR:
      return "invalid string";
    case simdjson::UNESCAPED_CHARS:
      return "control character not escaped in a string";
    case simdjson::UNCLOSED_STRING:
      return "unterminated string";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      return "invalid literal";
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
      return "invalid number";
    case simdjson::EMPTY:
      return "no JSON value";
    case simdjson::CAPACITY:
      return "larger than 4 GiB";
    case simdjson::MEMALLOC:
      return "out of memory";
    case simdjson::TRAILING_CONTENT:
      return "more than one JSON value";
    default:
      return "a missing or extra comma, colon, bracket, brace or key";
  }
}

namespace {

std::string Error(const Path& path, std::string_view what) {
  return "`" + path.Format() + "` " + std::string(what);
}

std::optional<element> Get(object o, std::string_view key) {
  element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return std::nullopt;
  return e;
}

// A key as a plain pair, so that an array of them needs no initialising.
struct Key {
  const char* data;
  size_t size;
  std::string_view view() const { return {data, size}; }
};

// Key equality with the cheap tests first.
inline bool SameKey(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         (a.empty() || (a[0] == b[0] && std::memcmp(a.data(), b.data(), a.size()) == 0));
}

// A resource's members, read once: the adapter looks up a score of keys
// in it, most of them absent.
struct Fields {
  static constexpr size_t kMax = 64;
  explicit Fields(object o) : obj(o) {
    for (auto field : o) {
      if (n == kMax) {
        all = false;
        break;
      }
      keys[n] = {field.key.data(), field.key.size()};
      new (&values[n].e) element(field.value);
      ++n;
    }
  }
  object obj;
  size_t n = 0;
  bool all = true;  // false: more than kMax members, look them up in `obj`
  Key keys[kMax];   // (plain pairs: nothing to initialise)
  union Value {
    Value() {}
    element e;
  } values[kMax];
};

// The first member named `key`, as Get(object, key).
std::optional<element> Get(const Fields& f, std::string_view key) {
  if (!f.all) return Get(f.obj, key);
  for (size_t i = 0; i < f.n; ++i) {
    if (SameKey(f.keys[i].view(), key)) return f.values[i].e;
  }
  return std::nullopt;
}

std::optional<std::string> GetString(const Fields& o, std::string_view key, const Path& path,
                                     std::string_view& out) {
  out = {};
  auto e = Get(o, key);
  if (!e) return std::nullopt;
  if (e->get_string().get(out) != simdjson::SUCCESS)
    return Error(path.Child(key), "is not a string");
  return std::nullopt;
}

// An optional string member: "" when absent, an error when not a string.
std::optional<std::string> GetString(object o, std::string_view key, const Path& path,
                                     std::string_view& out) {
  out = {};
  auto e = Get(o, key);
  if (!e) return std::nullopt;
  if (e->get_string().get(out) != simdjson::SUCCESS)
    return Error(path.Child(key), "is not a string");
  return std::nullopt;
}

std::optional<std::string> ReadCoding(element e, const Path& path, std::vector<CodingView>& out) {
  object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return Error(path, "is not an object");
  CodingView c;
  if (auto err = GetString(o, "system", path, c.system)) return err;
  auto code = Get(o, "code");
  if (!code) return std::nullopt;  // a coding without a code names nothing
  if (code->get_string().get(c.code) != simdjson::SUCCESS) {
    return Error(path.Child("code"), "is not a string");
  }
  out.push_back(c);
  return std::nullopt;
}

// Every coding of an array of Codings.
std::optional<std::string> ReadCodings(element e, const Path& path, std::vector<CodingView>& out) {
  array a;
  if (e.get_array().get(a) != simdjson::SUCCESS) return Error(path, "is not an array");
  size_t i = 0;
  for (element c : a) {
    if (auto err = ReadCoding(c, path.At(i++), out)) return err;
  }
  return std::nullopt;
}

// Every coding of a CodeableConcept.
std::optional<std::string> ReadConcept(element e, const Path& path, std::vector<CodingView>& out) {
  object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return Error(path, "is not an object");
  auto coding = Get(o, "coding");
  if (!coding) return std::nullopt;
  return ReadCodings(*coding, path.Child("coding"), out);
}

// The CodeableConcept(s) at `rest` below `e`, through arrays.
std::optional<std::string> ReadConceptPath(element e, std::span<const std::string_view> rest,
                                           const Path& path, std::vector<CodingView>& out) {
  array a;
  if (e.get_array().get(a) == simdjson::SUCCESS) {
    size_t i = 0;
    for (element item : a) {
      if (auto err = ReadConceptPath(item, rest, path.At(i++), out)) return err;
    }
    return std::nullopt;
  }
  if (rest.empty()) return ReadConcept(e, path, out);
  object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return Error(path, "is not an object");
  auto next = Get(o, rest.front());
  if (!next) return std::nullopt;
  return ReadConceptPath(*next, rest.subspan(1), path.Child(rest.front()), out);
}

// The `reference` of a Reference (may be absent).
std::optional<std::string> ReadReference(element e, const Path& path, std::string_view& out) {
  out = {};
  object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return Error(path, "is not an object");
  return GetString(o, "reference", path, out);
}

// The contained resource with this id and type, if any.
std::optional<object> Contained(const Fields& resource, std::string_view id,
                                std::string_view type) {
  auto contained = Get(resource, "contained");
  array a;
  if (!contained || contained->get_array().get(a) != simdjson::SUCCESS) return std::nullopt;
  for (element c : a) {
    object o;
    std::string_view cid, ctype;
    if (c.get_object().get(o) != simdjson::SUCCESS) continue;
    auto eid = Get(o, "id");
    auto etype = Get(o, "resourceType");
    if (!eid || !etype || eid->get_string().get(cid) || etype->get_string().get(ctype)) continue;
    if (cid == id && ctype == type) return o;
  }
  return std::nullopt;
}

// A concept held by another resource: contained ("#id") or, for later
// resolution, elsewhere in the Bundle.
std::optional<std::string> ReadReferencedConcept(const Fields& resource, element reference,
                                                 std::string_view type,
                                                 std::string_view concept_key, const Path& path,
                                                 ResourceFacts& facts) {
  std::string_view ref;
  if (auto err = ReadReference(reference, path, ref)) return err;
  if (ref.empty()) return std::nullopt;
  if (ref.front() != '#') {
    facts.concept_reference = ref;
    facts.concept_type = type;
    return std::nullopt;
  }
  auto target = Contained(resource, ref.substr(1), type);
  if (!target) return std::nullopt;
  auto concept_value = Get(*target, concept_key);
  if (!concept_value) return std::nullopt;
  Path contained = path.parent != nullptr ? path.parent->Child("contained") : path;
  return ReadConcept(*concept_value, contained.Child(concept_key), facts.codings);
}

// The ODS codes among identifiers (one Identifier or an array of them).
std::optional<std::string> ReadOdsIdentifiers(element e, const Path& path,
                                              std::vector<std::string_view>& out) {
  array a;
  if (e.get_array().get(a) == simdjson::SUCCESS) {
    size_t i = 0;
    for (element item : a) {
      if (auto err = ReadOdsIdentifiers(item, path.At(i++), out)) return err;
    }
    return std::nullopt;
  }
  object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return Error(path, "is not an object");
  std::string_view system, value;
  if (auto err = GetString(o, "system", path, system)) return err;
  if (auto err = GetString(o, "value", path, value)) return err;
  if (system == kOdsSystem && !value.empty()) out.push_back(value);
  return std::nullopt;
}

std::optional<std::string> ReadPractitioners(const Fields& resource, const Path& path,
                                             ResourceFacts& facts) {
  auto gp = Get(resource, "generalPractitioner");
  if (!gp) return std::nullopt;
  Path gp_path = path.Child("generalPractitioner");
  array a;
  if (gp->get_array().get(a) != simdjson::SUCCESS) return Error(gp_path, "is not an array");
  size_t i = 0;
  for (element item : a) {
    Path item_path = gp_path.At(i++);
    std::string_view ref;
    if (auto err = ReadReference(item, item_path, ref)) return err;
    object o = item.get_object().value_unsafe();
    if (auto identifier = Get(o, "identifier")) {
      if (auto err = ReadOdsIdentifiers(*identifier, item_path.Child("identifier"),
                                        facts.practice_codes)) {
        return err;
      }
    }
    if (ref.empty()) continue;
    if (ref.front() != '#') {
      facts.practitioner_references.push_back(ref);
      continue;
    }
    auto org = Contained(resource, ref.substr(1), "Organization");
    if (!org) continue;
    if (auto identifier = Get(*org, "identifier")) {
      if (auto err = ReadOdsIdentifiers(*identifier, path.Child("contained").Child("identifier"),
                                        facts.practice_codes)) {
        return err;
      }
    }
  }
  return std::nullopt;
}

bool AnyCode(const std::vector<CodingView>& codings, std::initializer_list<std::string_view> set) {
  for (const CodingView& c : codings) {
    for (std::string_view s : set) {
      if (c.code == s) return true;
    }
  }
  return false;
}

std::optional<std::string> ReadStatus(const Fields& resource, const Path& path,
                                      ResourceFacts& facts) {
  std::string_view type = facts.type;
  std::vector<CodingView> clinical;
  if (type == "Condition" || type == "AllergyIntolerance") {
    auto status = Get(resource, "clinicalStatus");
    if (!status) {
      facts.status = type == "Condition" ? CALDICOTT_STATUS_INACTIVE : CALDICOTT_STATUS_ACTIVE;
      return std::nullopt;
    }
    if (auto err = ReadConcept(*status, path.Child("clinicalStatus"), clinical)) return err;
    bool active = type == "Condition" ? AnyCode(clinical, {"active", "recurrence", "relapse"})
                                      : AnyCode(clinical, {"active"});
    facts.status = active ? CALDICOTT_STATUS_ACTIVE : CALDICOTT_STATUS_INACTIVE;
  } else if (type == "MedicationStatement" || type == "MedicationRequest") {
    std::string_view status;
    if (auto err = GetString(resource, "status", path, status)) return err;
    bool current =
        status == "active" || status == "intended" || status == "on-hold" || status == "draft";
    facts.status = current ? CALDICOTT_STATUS_CURRENT : CALDICOTT_STATUS_PAST;
  }
  return std::nullopt;
}

// The first present of recordedDate, onset, effective, authoredOn,
// occurrence, performed and period.start (docs/fhir.md).
void ReadDate(const Fields& resource, ResourceFacts& facts) {
  struct Candidate {
    std::string_view key;
    std::string_view start;  // "start" for a Period
  };
  static constexpr Candidate kCandidates[] = {
      {"recordedDate", ""},      {"onsetDateTime", ""},        {"onsetPeriod", "start"},
      {"effectiveDateTime", ""}, {"effectivePeriod", "start"}, {"effectiveInstant", ""},
      {"authoredOn", ""},        {"occurrenceDateTime", ""},   {"occurrencePeriod", "start"},
      {"performedDateTime", ""}, {"performedPeriod", "start"}, {"period", "start"},
  };
  for (const Candidate& c : kCandidates) {
    auto e = Get(resource, c.key);
    if (!e) continue;
    if (!c.start.empty()) {
      object period;
      if (e->get_object().get(period) != simdjson::SUCCESS) continue;
      e = Get(period, c.start);
      if (!e) continue;
    }
    std::string_view text;
    if (e->get_string().get(text) == simdjson::SUCCESS) {
      facts.date = ParseDate(text).value_or(CALDICOTT_NO_DATE);
    }
    return;
  }
}

}  // namespace

std::optional<std::string> CheckKeys(element e, const Path& path) {
  using simdjson::dom::element_type;
  if (e.type() == element_type::ARRAY) {
    for (element item : array(e)) {
      if (auto err = CheckKeys(item, path)) return err;
    }
    return std::nullopt;
  }
  if (e.type() != element_type::OBJECT) return std::nullopt;
  std::array<std::string_view, 16> few;
  std::vector<std::string_view> many;
  size_t n = 0;
  for (auto field : object(e)) {
    if (n < few.size()) {
      few[n] = field.key;
    } else {
      if (many.empty()) many.assign(few.begin(), few.end());
      many.push_back(field.key);
    }
    ++n;
    if (auto err = CheckKeys(field.value, path)) return err;
  }
  std::optional<std::string_view> duplicate;
  if (n <= few.size()) {
    for (size_t i = 0; i < n && !duplicate; ++i) {
      for (size_t j = i + 1; j < n; ++j) {
        if (few[i] == few[j]) {
          duplicate = few[i];
          break;
        }
      }
    }
  } else {
    std::sort(many.begin(), many.end());
    auto it = std::adjacent_find(many.begin(), many.end());
    if (it != many.end()) duplicate = *it;
  }
  if (duplicate) {
    return "duplicate key `" + Printable(*duplicate) + "` in `" + path.Format() + "`";
  }
  return std::nullopt;
}

void CollectReferences(element e, std::vector<std::string_view>& references) {
  using simdjson::dom::element_type;
  if (e.type() == element_type::ARRAY) {
    for (element item : array(e)) CollectReferences(item, references);
  } else if (e.type() == element_type::OBJECT) {
    for (auto field : object(e)) {
      if (field.key == "reference" && field.value.type() == element_type::STRING) {
        references.push_back(field.value.get_string().value_unsafe());
      } else {
        CollectReferences(field.value, references);
      }
    }
  }
}

namespace {

// The keys of one object, for CheckKeys' duplicate test: the first 16 in
// place, all of them in `many` beyond.
class KeySet {
 public:
  void Add(std::string_view key) {
    if (n_ < kFew) {
      few_[n_] = {key.data(), key.size()};
    } else {
      if (many_.empty()) {
        many_.reserve(2 * kFew);
        for (const Key& k : few_) many_.push_back(k.view());
      }
      many_.push_back(key);
    }
    ++n_;
  }
  // The duplicate CheckKeys reports: with 16 keys or fewer, the first key
  // that occurs again; beyond, the least duplicated key.
  bool Duplicate(std::string_view& out) {
    if (n_ <= kFew) {
      for (size_t i = 0; i + 1 < n_; ++i) {
        for (size_t j = i + 1; j < n_; ++j) {
          if (SameKey(few_[i].view(), few_[j].view())) {
            out = few_[i].view();
            return true;
          }
        }
      }
      return false;
    }
    std::sort(many_.begin(), many_.end());
    auto it = std::adjacent_find(many_.begin(), many_.end());
    if (it == many_.end()) return false;
    out = *it;
    return true;
  }

 private:
  static constexpr size_t kFew = 16;
  Key few_[kFew];
  size_t n_ = 0;
  std::vector<std::string_view> many_;
};

// CheckKeys and, where `kCollect` is set, CollectReferences, in one walk
// of an array or object. The duplicate reported is the one CheckKeys
// reports.
template <bool kCollect>
bool Walk(element e, std::vector<std::string_view>& references, std::string_view& duplicate);

template <bool kCollect>
bool WalkObject(object o, std::vector<std::string_view>& references, std::string_view& duplicate) {
  using simdjson::dom::element_type;
  KeySet keys;
  for (auto field : o) {
    keys.Add(field.key);
    element_type vt = field.value.type();
    if (vt == element_type::ARRAY || vt == element_type::OBJECT) {
      if (!Walk<kCollect>(field.value, references, duplicate)) return false;
    } else if (kCollect && vt == element_type::STRING && SameKey(field.key, "reference")) {
      references.push_back(field.value.get_string().value_unsafe());
    }
  }
  return !keys.Duplicate(duplicate);
}

template <bool kCollect>
bool Walk(element e, std::vector<std::string_view>& references, std::string_view& duplicate) {
  using simdjson::dom::element_type;
  element_type t = e.type();
  if (t == element_type::ARRAY) {
    for (element item : array(e)) {
      element_type it = item.type();
      if (it != element_type::ARRAY && it != element_type::OBJECT) continue;
      if (!Walk<kCollect>(item, references, duplicate)) return false;
    }
    return true;
  }
  if (t != element_type::OBJECT) return true;
  return WalkObject<kCollect>(object(e), references, duplicate);
}

}  // namespace

std::optional<std::string> CheckEntry(element entry, const Path& path,
                                      std::vector<std::string_view>& references) {
  using simdjson::dom::element_type;
  std::string_view duplicate;
  bool ok = true;
  if (entry.type() != element_type::OBJECT) {
    ok = Walk<false>(entry, references, duplicate);
  } else {
    // As WalkObject, with references collected under `resource` alone.
    KeySet keys;
    for (auto field : object(entry)) {
      keys.Add(field.key);
      ok = SameKey(field.key, "resource") ? Walk<true>(field.value, references, duplicate)
                                          : Walk<false>(field.value, references, duplicate);
      if (!ok) break;
    }
    if (ok) ok = !keys.Duplicate(duplicate);
  }
  if (ok) return std::nullopt;
  return "duplicate key `" + Printable(duplicate) + "` in `" + path.Format() + "`";
}

std::optional<std::string> ReadResource(object resource_object, const Path& path,
                                        ResourceFacts& facts) {
  facts.Clear();
  const Fields resource(resource_object);
  auto type = Get(resource, "resourceType");
  if (!type) return Error(path, "has no `resourceType`");
  if (type->get_string().get(facts.type) != simdjson::SUCCESS) {
    return Error(path.Child("resourceType"), "is not a string");
  }
  if (auto err = GetString(resource, "id", path, facts.id)) return err;
  facts.classification = Classify(facts.type);

  if (auto meta = Get(resource, "meta")) {
    object m;
    if (meta->get_object().get(m) != simdjson::SUCCESS) {
      return Error(path.Child("meta"), "is not an object");
    }
    if (auto security = Get(m, "security")) {
      if (auto err = ReadCodings(*security, path.Child("meta").Child("security"), facts.labels)) {
        return err;
      }
    }
  }
  ReadDate(resource, facts);
  if (auto err = ReadStatus(resource, path, facts)) return err;

  const TypeInfo* info = FindType(facts.type);
  if (info != nullptr) {
    switch (info->rule) {
      case ConceptRule::kNone:
        break;
      case ConceptRule::kPath: {
        std::array<std::string_view, 1> rest = {info->path2};
        auto first = Get(resource, info->path1);
        if (first) {
          std::span<const std::string_view> tail(rest.data(), info->path2.empty() ? 0 : 1);
          if (auto err = ReadConceptPath(*first, tail, path.Child(info->path1), facts.codings)) {
            return err;
          }
        }
        break;
      }
      case ConceptRule::kMedication: {
        if (auto cc = Get(resource, "medicationCodeableConcept")) {
          if (auto err = ReadConcept(*cc, path.Child("medicationCodeableConcept"), facts.codings)) {
            return err;
          }
        }
        if (auto ref = Get(resource, "medicationReference")) {
          if (auto err = ReadReferencedConcept(resource, *ref, "Medication", "code",
                                               path.Child("medicationReference"), facts)) {
            return err;
          }
        }
        break;
      }
      case ConceptRule::kDevice: {
        if (auto ref = Get(resource, "device")) {
          if (auto err = ReadReferencedConcept(resource, *ref, "Device", "type",
                                               path.Child("device"), facts)) {
            return err;
          }
        }
        break;
      }
    }
  }
  if (auto contained = Get(resource, "contained")) {
    array a;
    if (contained->get_array().get(a) != simdjson::SUCCESS) {
      return Error(path.Child("contained"), "is not an array");
    }
    for (element c : a) {
      object o;
      std::string_view type;
      auto t = c.get_object().get(o) == simdjson::SUCCESS ? Get(o, "resourceType") : std::nullopt;
      Category category = t && t->get_string().get(type) == simdjson::SUCCESS
                              ? Classify(type).category
                              : Category::kUnclassified;
      // (A Medication's ingredients are contained Substances.)
      facts.contains_unsupported |=
          category != Category::kPatient && category != kS && type != "Substance";
    }
  }
  if (facts.type == "Patient") {
    if (auto err = ReadPractitioners(resource, path, facts)) return err;
  } else if (facts.type == "Organization") {
    if (auto identifier = Get(resource, "identifier")) {
      if (auto err = ReadOdsIdentifiers(*identifier, path.Child("identifier"), facts.ods_codes)) {
        return err;
      }
    }
  } else if (facts.type == "Medication") {
    // Its code is the main concept of the resources that reference it.
    if (auto code = Get(resource, "code")) {
      if (auto err = ReadConcept(*code, path.Child("code"), facts.codings)) return err;
    }
  }
  return std::nullopt;
}

}  // namespace internal

}  // namespace caldicott::fhir
