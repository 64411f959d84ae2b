// The FHIR R4 adapter (docs/fhir.md): reads a Bundle held in memory,
// turns each entry's resource into a caldicott_entry (kind, status, date,
// codings, security labels), asks a decision callback about the clinical
// ones, and writes the Bundle back with the withheld entries removed. What
// is kept is copied byte for byte; only a document Bundle's Composition is
// rewritten (see below). docs/fhir.md has the tables and the
// reasons for every choice; the essentials are repeated here.
//
// Categories of resource
//   clinical      the kinds of docs/fhir.md plus a fixed list of
//                 other clinical types (kind `other`, see docs/fhir.md); the
//                 decision callback decides them
//   patient       Patient: kept whenever the agreement applies
//   supporting    Practitioner, PractitionerRole, Organization, Location,
//                 Medication: kept when a kept resource references them,
//                 transitively through kept supporting resources
//   composition   the first entry of a `document` Bundle when it is a
//                 Composition: kept, with its section entries that do not
//                 point at kept resources removed
//   unclassified  everything else (Binary, Bundle, List, Provenance,
//                 RelatedPerson, definitions, ...): always withheld (fail
//                 closed: the adapter cannot tell what they reveal); also a
//                 Patient, supporting resource or Composition that contains
//                 (`contained`) a resource that is neither (nor a Substance,
//                 a Medication's ingredient), since it would be kept without
//                 a decision
//
// Input rules (each breach is a one-line error, never a partial output):
// valid UTF-8 JSON nested at most kMaxDepth deep, a top-level object with
// resourceType `Bundle`, no key twice in one object, every entry an object
// with a resource that has a resourceType, no resource type+id twice, no
// fullUrl twice, and the fields the adapter reads (codings, security labels,
// references) of the right JSON type.
#ifndef CALDICOTT_RUNTIME_FHIR_FHIR_H_
#define CALDICOTT_RUNTIME_FHIR_FHIR_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "caldicott/caldicott.h"

namespace caldicott::fhir {

// Readable bytes that must follow the input (simdjson's SIMDJSON_PADDING).
inline constexpr size_t kPadding = 64;

// The deepest nesting of JSON arrays and objects accepted, counted from the
// Bundle itself (the Bundle is depth 1, an entry's resource depth 4).
inline constexpr size_t kMaxDepth = 256;

// The ODS identifier system of a registered practice.
inline constexpr std::string_view kOdsSystem = "https://fhir.nhs.uk/Id/ods-organization-code";

// Bytes followed by kPadding readable bytes, so the parser needs no copy.
class PaddedBuffer {
 public:
  PaddedBuffer() = default;
  // Copies `bytes`.
  explicit PaddedBuffer(std::string_view bytes);
  // Reads a whole file ("-" is standard input). On failure returns nullopt
  // and sets `error` to one line.
  static std::optional<PaddedBuffer> ReadFile(const std::string& path, std::string& error);

  std::string_view view() const { return {data_.get(), size_}; }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
};

enum class Category : uint8_t { kClinical, kPatient, kSupporting, kComposition, kUnclassified };

// "clinical", "patient", "supporting", "composition", "unclassified".
std::string_view CategoryName(Category category);
// The names of kinds and statuses are abi::KindName and abi::StatusName.

// How the adapter classifies a resource type. `kind` is meaningful only for
// Category::kClinical. A Composition is kUnclassified here; the Bundle
// decides whether it is its document Composition.
struct Classification {
  Category category;
  caldicott_kind kind;
};
Classification Classify(std::string_view resource_type);

// A FHIR date, dateTime or instant as days since 1970-01-01: the calendar
// date as written (the time and zone are checked but not applied); a
// partial date (YYYY or YYYY-MM) is its first day. nullopt when it is not a
// valid FHIR date.
std::optional<caldicott_date> ParseDate(std::string_view text);

// What the adapter extracts from one entry. Views are valid only during
// the callback that receives it.
struct ExtractedEntry {
  size_t index;  // position in Bundle.entry
  std::string_view resource_type;
  std::string_view id;        // "" when absent
  std::string_view full_url;  // "" when absent
  Category category;
  caldicott_kind kind;            // CALDICOTT_KIND_OTHER unless clinical
  caldicott_entry_status status;  // CALDICOTT_STATUS_UNKNOWN unless clinical
  caldicott_date date;            // CALDICOTT_NO_DATE when none or not clinical
  std::span<const caldicott_coding> codings;
  std::span<const caldicott_coding> labels;
  // Every `reference` in the resource (contained resources included) that
  // resolves to another entry of the Bundle, as entry indices, in document
  // order (duplicates removed).
  std::span<const uint32_t> references;
  // A Patient, supporting resource or document Composition that contains a
  // resource of another kind (but Substance): its category is then
  // kUnclassified.
  bool contains_unsupported = false;

  caldicott_entry AsEntry() const;
};

struct ParseOptions {
  // Strict (the default, and always for Filter): entries without a
  // resource, and duplicate type+id or fullUrl, are errors. Lenient: the
  // former are skipped, and for duplicates the first one wins references.
  bool strict = true;
};

// A parsed, validated Bundle. It refers to the input's bytes, which must
// outlive it.
class Bundle {
 public:
  // Returns nullptr and sets `error` (one line) when the input breaks a rule.
  static std::unique_ptr<Bundle> Parse(const PaddedBuffer& input, const ParseOptions& options,
                                       std::string& error);
  ~Bundle();

  std::string_view type() const;  // Bundle.type ("" when absent)
  size_t entry_count() const;     // Bundle.entry, resources or not
  // ODS codes of the registered practices the Patient(s) name, sorted, no
  // duplicates. Empty when the record names none.
  const std::vector<std::string>& practices() const;

  // Extracts every entry that has a resource, in order. Returns an error
  // only for internal failures (out of memory): Parse validated the input.
  std::optional<std::string> ForEach(const std::function<void(const ExtractedEntry&)>& fn) const;

  struct Impl;

 private:
  explicit Bundle(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend struct FilterRun;
};

// Why an entry was kept or withheld.
enum class Outcome : uint8_t {
  kShared,                  // clinical: a share matched and no exclude did
  kExcluded,                // clinical: an exclude matched
  kNoShareMatched,          // clinical: no share matched
  kWithheldByEngine,        // clinical: the engine withheld it otherwise (decision.reason)
  kPatient,                 // the Patient, kept because the agreement applies
  kSupportingReferenced,    // supporting, referenced by a kept resource: kept
  kSupportingUnreferenced,  // supporting, referenced by no kept resource: withheld
  kComposition,             // the document's Composition: kept (maybe rewritten)
  kUnclassified,            // neither clinical nor supporting: withheld
  kContainsUnsupported,     // would be kept, but contains other resources: withheld
};
// The reason in words: "shared", "excluded", "no share matched", "withheld
// by the engine", "patient: kept because the agreement applies", "not
// clinical: kept as supporting", "withheld as unreferenced supporting",
// "document composition: kept", "withheld as unclassified", "withheld:
// contains resources that are neither patient nor supporting".
std::string_view OutcomeText(Outcome outcome);

// One line of the explanation (`--explain`).
struct EntryReport {
  size_t index = 0;  // position in Bundle.entry
  std::string resource_type;
  std::string id;
  std::string full_url;
  Category category = Category::kUnclassified;
  caldicott_kind kind = CALDICOTT_KIND_OTHER;
  caldicott_entry_status status = CALDICOTT_STATUS_UNKNOWN;
  caldicott_date date = CALDICOTT_NO_DATE;
  bool kept = false;
  Outcome outcome = Outcome::kUnclassified;
  // The engine's decision for clinical entries; {WITHHOLD, 0, 0} otherwise.
  caldicott_decision decision = {CALDICOTT_WITHHOLD, 0, 0};
  // For the Composition: whether its bytes were rewritten.
  bool rewritten = false;
};

// Whether the agreement applies, given the ODS codes of the registered
// practices the record names (Bundle::practices(); empty when none).
using AppliesFn = std::function<bool(std::span<const std::string> practices)>;
// Decides a batch of clinical entries, one decision each. Decisions the
// callback leaves untouched stay WITHHOLD (reason NO_ENGINE).
using DecideFn =
    std::function<void(std::span<const caldicott_entry>, std::span<caldicott_decision>)>;
// Adapts a one-entry callback to DecideFn.
DecideFn DecideEach(std::function<caldicott_decision(const caldicott_entry&)> decide);

struct FilterOptions {
  bool explain = false;      // fill FilterResult::entries
  size_t batch_size = 1024;  // clinical entries per DecideFn call
};

struct FilterResult {
  enum class Status : uint8_t {
    kFiltered,      // `output` holds the filtered Bundle
    kDoesNotApply,  // the agreement does not apply: nothing is output
    kError,         // `error` holds one line; nothing is output
  };
  Status status = Status::kError;
  std::string error;
  std::string output;
  std::vector<std::string> practices;  // as Bundle::practices()
  std::vector<EntryReport> entries;    // with FilterOptions::explain, one per entry
  size_t kept = 0;                     // entries kept
  size_t withheld = 0;                 // entries withheld
};

// Filters a Bundle (docs/fhir.md). Output: the input with the
// withheld entries removed from Bundle.entry (the separators around the
// kept ones as they were; the `entry` member is removed when nothing is
// kept, as FHIR forbids empty arrays), Bundle.total removed (a count would
// reveal withheld entries), Bundle.signature removed when anything changed
// (it would no longer verify), and the document Composition rewritten when
// it pointed at withheld resources. Every other byte is the input's.
FilterResult Filter(const PaddedBuffer& input, const FilterOptions& options,
                    const AppliesFn& applies, const DecideFn& decide);
// The same for bytes without padding (copies them once).
FilterResult Filter(std::string_view input, const FilterOptions& options, const AppliesFn& applies,
                    const DecideFn& decide);

}  // namespace caldicott::fhir

#endif  // CALDICOTT_RUNTIME_FHIR_FHIR_H_
