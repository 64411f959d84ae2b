// Internal to bundlegen: the catalogue of clinical content its records are
// made of (codes, terms, medicines, people and places). The data is
// tools/bundlegen/catalogue.txt, embedded into the library when it is built
// (so the generator reads no file when it runs) and parsed once, on first
// use; that file describes its format and each table.
#ifndef CALDICOTT_TOOLS_BUNDLEGEN_CATALOGUE_H_
#define CALDICOTT_TOOLS_BUNDLEGEN_CATALOGUE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/base/embedded.h"

namespace caldicott::bundlegen::internal {

// ActCode information sensitivity labels that entries of an area carry.
enum class Label : uint8_t { kNone, kPsy, kEth, kStd, kHiv, kSex, kGender, kSdv };
inline constexpr size_t kLabelCount = 8;

// The sections of a document Bundle's Composition, in their order.
enum Section : uint8_t {
  kProblems,
  kAllergies,
  kMedications,
  kResults,
  kProcedures,
  kImmunizations,
  kEncounters,
  kDocuments,
  kReferrals,
  kFamilyHistory,
  kCarePlans,
  kAlerts,
  kSectionCount
};

// The organisations, by the part they play.
enum OrgIndex : uint8_t {
  kPractice,
  kPractice2,
  kHospital,
  kMentalHealthTrust,
  kPodiatry,
  kPharmacy,
  kOrgCount
};

// Every text is a view of the catalogue's text; an empty one is "none".

struct LabelCode {
  std::string_view code;
  std::string_view display;
};

// A SNOMED CT concept as a record codes it, with the ICD-10 and Read v2
// codes (and their titles) recorded beside it where there are sensible
// ones, and the label a record of it may carry.
struct Concept {
  std::string_view code;
  std::string_view display;
  std::string_view icd10, icd10_title;
  std::string_view read, read_title;
  Label label;
  int weight;  // relative frequency in its table
};

struct Medicine {
  std::string_view code;
  std::string_view display;  // the product concept
  std::string_view text;     // what the prescription says
  std::string_view form;
  std::string_view dosage;
  int weight;
};

struct Measurement {
  std::string_view code;
  std::string_view display;
  std::string_view loinc;
  std::string_view loinc_display;
  std::string_view unit;
  int low, high;  // the value's range, in tenths; 0 to 0 for a blood pressure
  bool decimal;   // recorded to one decimal place (else a whole number)
  int weight;
};

struct SectionInfo {
  std::string_view title;
  std::string_view loinc;
  std::string_view loinc_display;
};

struct Relative {
  std::string_view code;  // HL7 v3 RoleCode
  std::string_view display;
  std::string_view sex;  // "female" or "male"
};

struct Org {
  std::string_view ods;
  std::string_view name;
  std::string_view type_code;  // organisation type (HL7 organization-type)
  std::string_view type_display;
};

struct Staff {
  std::string_view role_display;
  std::string_view specialty;
  OrgIndex org;
  bool female;
  int weight;  // how often they record
};

// The tables of the catalogue; every list holds at least one row.
struct Catalogue {
  std::array<LabelCode, kLabelCount> labels;  // by Label (kNone's is empty)
  std::vector<Concept> conditions;
  std::vector<Concept> allergies;
  std::vector<Concept> findings;
  std::vector<Concept> procedures;
  std::vector<Concept> vaccines;
  std::vector<Concept> encounter_types;
  std::vector<Concept> referrals;
  std::vector<Concept> family_conditions;
  std::vector<Concept> care_plans;
  std::vector<Concept> flags;
  std::vector<Medicine> medicines;
  std::vector<Measurement> measurements;
  std::array<SectionInfo, kSectionCount> sections;
  std::vector<Relative> relatives;
  std::vector<std::string_view> family_names;
  std::vector<std::string_view> female_given_names;
  std::vector<std::string_view> male_given_names;
  std::vector<std::string_view> streets;
  std::array<Org, kOrgCount> organisations;
  std::vector<Staff> staff;
};

// Reads a catalogue in the format of catalogue.txt into `catalogue`, whose
// texts are then views of `text`. On the first malformed line returns false
// and sets `error` to one line, "line N: ..." (`catalogue` is then partly
// filled).
bool ParseCatalogue(std::string_view text, Catalogue& catalogue, std::string& error);

// catalogue.txt as it was when the library was built (one file; written by
// cmake/Embed.cmake).
std::span<const base::EmbeddedFile> EmbeddedCatalogueFiles();
inline std::string_view EmbeddedCatalogueText() {
  return EmbeddedCatalogueFiles()[0].text;
}

// The embedded catalogue, parsed on first use. If it is malformed, prints
// the error on standard error and aborts.
const Catalogue& TheCatalogue();

}  // namespace caldicott::bundlegen::internal

#endif  // CALDICOTT_TOOLS_BUNDLEGEN_CATALOGUE_H_
