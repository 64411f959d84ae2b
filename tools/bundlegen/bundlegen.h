// A deterministic synthetic FHIR R4 Bundle of one patient's GP record, for
// the filter's benchmarks and scale tests (issue 4, "Performance": bundles of
// 1 MB, 20 MB and 200 MB).
//
// The Bundle holds one Patient, registered (generalPractitioner) at the
// practice with ODS code A81001; the Organizations, Location, Practitioners,
// PractitionerRoles and Medications its record refers to; then clinical
// resources, consultation by consultation (an Encounter, then the
// Conditions, Observations, MedicationRequests and MedicationStatements,
// Procedures, AllergyIntolerances, Immunizations, DocumentReferences,
// ServiceRequests, FamilyMemberHistories, CarePlans and Flags recorded at
// it), until the Bundle reaches the size asked for. A `document` Bundle
// starts with a Composition whose sections list every clinical resource.
//
// The codes are the demonstration schema's (stdlib/schema): SNOMED CT
// concepts of the groups that the standard library and the example
// agreements name (diabetes, lower limb, arthritis, mental health, sexual
// health, safeguarding, ...) and concepts in no group at all, with an ICD-10
// and a Read v2 coding beside them where one is sensible. Vaccines,
// encounter types, measurements and some referrals, which the demonstration
// schema lacks, use SNOMED CT concepts of the Global Patient Set (real, but
// unknown to the default schema, so in no group) and LOINC. Some resources
// carry security labels (meta.security): HL7 v3 Confidentiality N, R or V,
// and ActCode sensitivity codes (PSY, ETH, SEX, STD, HIV, GENDER, SDV) on
// sensitive entries. Every reference resolves inside the Bundle.
//
// The JSON is pretty-printed (two-space indents) and streamed out as it is
// made: memory does not grow with the size. The output depends only on the
// Options: the generator uses its own pseudo-random numbers (splitmix64)
// and never the clock.
#ifndef CALDICOTT_TOOLS_BUNDLEGEN_BUNDLEGEN_H_
#define CALDICOTT_TOOLS_BUNDLEGEN_BUNDLEGEN_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace caldicott::bundlegen {

enum class BundleType { kCollection, kSearchset, kDocument, kTransaction };

// "collection", "searchset", "document", "transaction".
std::string_view BundleTypeName(BundleType type);
std::optional<BundleType> ParseBundleType(std::string_view name);

struct Options {
  // The size asked for. The Bundle ends with the first clinical resource
  // that reaches it, so it is at most a few kilobytes over; but never less
  // than the Patient and the resources it refers to (about 40 KB).
  uint64_t bytes = 1u << 20;
  uint64_t seed = 1;
  BundleType type = BundleType::kCollection;
};

struct Summary {
  uint64_t bytes = 0;
  uint64_t entries = 0;   // Bundle.entry
  uint64_t clinical = 0;  // entries an agreement decides (not Patient, supporting, Composition)
  uint64_t labelled = 0;  // entries with meta.security
  std::map<std::string, uint64_t, std::less<>> resources;  // resource type -> entries
  std::string patient_id;
};

// Receives the output in order, in chunks of about 1 MB. Returns false to
// stop the generation (a write error).
using Sink = std::function<bool(std::string_view)>;

// Writes the Bundle through `sink`. False when the sink stopped it.
bool Generate(const Options& options, const Sink& sink, Summary& summary);

// Writes the Bundle to `path` ("-" is standard output). On failure returns
// false and sets `error` to one line.
bool GenerateFile(const Options& options, const std::string& path, Summary& summary,
                  std::string& error);

// The Bundle in memory (for tests).
std::string GenerateString(const Options& options, Summary* summary = nullptr);

}  // namespace caldicott::bundlegen

#endif  // CALDICOTT_TOOLS_BUNDLEGEN_BUNDLEGEN_H_
