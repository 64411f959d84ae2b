// Internal to bundlegen: the Generator, which writes the Bundle of one
// patient's record entry by entry. Its methods are in two files:
// generator.cpp (the Bundle, the frame of every entry, and the Patient and
// the resources its record refers to, and the Composition) and
// clinical_entries.cpp (the consultations and what is recorded at them).
#ifndef CALDICOTT_TOOLS_BUNDLEGEN_GENERATOR_H_
#define CALDICOTT_TOOLS_BUNDLEGEN_GENERATOR_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "tools/bundlegen/bundlegen.h"
#include "tools/bundlegen/catalogue.h"
#include "tools/bundlegen/json_writer.h"
#include "tools/bundlegen/random.h"
#include "tools/bundlegen/record.h"

namespace caldicott::bundlegen::internal {

// Code and identifier systems.
inline constexpr std::string_view kBase = "https://gp.example.org/fhir/R4/";
inline constexpr std::string_view kSnomed = "http://snomed.info/sct";
inline constexpr std::string_view kIcd10 = "http://hl7.org/fhir/sid/icd-10";
inline constexpr std::string_view kReadV2 = "http://read.info/readv2";
inline constexpr std::string_view kLoinc = "http://loinc.org";
inline constexpr std::string_view kUcum = "http://unitsofmeasure.org";
inline constexpr std::string_view kConfidentiality =
    "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
inline constexpr std::string_view kActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
inline constexpr std::string_view kOds = "https://fhir.nhs.uk/Id/ods-organization-code";
inline constexpr std::string_view kNhsNumber = "https://fhir.nhs.uk/Id/nhs-number";
inline constexpr std::string_view kSdsUser = "https://fhir.nhs.uk/Id/sds-user-id";
inline constexpr std::string_view kRecordId = "https://gp.example.org/Id/record-guid";

// Resource types, in the order the Summary counts them.
enum Type : uint8_t {
  kPatient,
  kOrganization,
  kLocation,
  kPractitioner,
  kPractitionerRole,
  kMedication,
  kComposition,
  kEncounter,
  kCondition,
  kAllergyIntolerance,
  kMedicationRequest,
  kMedicationStatement,
  kObservation,
  kProcedure,
  kImmunization,
  kDocumentReference,
  kServiceRequest,
  kFamilyMemberHistory,
  kCarePlan,
  kFlag,
  kTypeCount
};
inline constexpr std::string_view kTypeNames[kTypeCount] = {
    "Patient",          "Organization",        "Location",          "Practitioner",
    "PractitionerRole", "Medication",          "Composition",       "Encounter",
    "Condition",        "AllergyIntolerance",  "MedicationRequest", "MedicationStatement",
    "Observation",      "Procedure",           "Immunization",      "DocumentReference",
    "ServiceRequest",   "FamilyMemberHistory", "CarePlan",          "Flag"};

// The section of a document Bundle's Composition that lists entries of type
// `t`.
Section SectionOf(Type t);

// A clinical entry as the Composition of a document Bundle lists it.
struct Ref {
  Type type;
  Id id;
};

// What each part of a document Bundle's Composition costs, in bytes: each
// reference (in Bundle order), and each section beyond its references.
struct CompositionLayout {
  std::vector<uint64_t> ref_bytes;
  std::array<uint64_t, kSectionCount> section_bytes{};
};

class Generator {
 public:
  Generator(const Options& options, Out& out, Summary& summary);

  // Has the next Begin() record what the Composition's parts cost.
  void MeasureComposition(CompositionLayout* layout) { layout_ = layout; }

  // The Bundle up to its first clinical entry: the Patient, the supporting
  // resources and, in a document Bundle, the Composition listing `refs`.
  void Begin(std::span<const Ref> refs);
  // One clinical entry.
  Ref Next();
  void End();

 private:
  // The frame of an entry, and what entries have in common (generator.cpp).
  void BeginEntry(Type type, const Id& id);
  void EndEntry();
  // meta: lastUpdated, and the security labels when there are any.
  void Meta(int64_t day, Label label, bool restricted, bool normal);
  // The labels of a clinical entry: most have none; some are marked normal;
  // a sensitive concept often carries its ActCode label, and sometimes
  // restricted; a few others are restricted.
  void ClinicalMeta(Label label);
  void Coding(std::string_view system, std::string_view code, std::string_view display);
  // A CodeableConcept with one coding.
  void Concept1(std::string_view key, std::string_view system, std::string_view code,
                std::string_view display);
  // The main CodeableConcept of a clinical entry: the SNOMED CT coding, then
  // ICD-10 and Read v2 where the concept has them (1 to 3 codings).
  void MainConcept(std::string_view key, const Concept& c);
  // identifier: one, of `system`.
  void Identifier(std::string_view system, std::string_view value);
  // identifier: a new record id.
  void Identifier();
  void Subject(std::string_view key = "subject") {
    json_.Reference(key, "Patient", rec_.patient_id);
  }
  void Practitioner(std::string_view key);
  void EncounterRef() { json_.Reference("encounter", "Encounter", encounter_id_); }
  void DateTimeField(std::string_view key, int64_t day, int minute);
  // A day `days` after the consultation, but not after the end of the record.
  int64_t Later(uint32_t days) const { return std::min(day_ + days, rec_.last_day); }
  void DateField(std::string_view key, int64_t day);

  // The fixed resources (generator.cpp).
  void WritePatient();
  void WriteOrganization(size_t i);
  void WriteLocation();
  void WritePractitioner(size_t i);
  void WritePractitionerRole(size_t i);
  void WriteMedication(size_t i);
  // The medicine as a CodeableConcept (SNOMED CT, and the prescription's
  // text).
  void MedicineConcept(std::string_view key, const Medicine& m);
  void MedicationBody(const Medicine& m);
  void WriteComposition(std::span<const Ref> refs);

  // The consultations (clinical_entries.cpp).
  void StartConsultation();
  void WriteEncounter();
  void WriteClinical(const Ref& ref);
  void WriteCondition();
  void WriteAllergy();
  // medicationCodeableConcept, or medicationReference to the Bundle's
  // Medication, or to a contained one.
  void MedicationChoice(bool allow_contained);
  void WriteMedicationRequest();
  void WriteMedicationStatement();
  void WriteObservation();
  void Quantity(std::string_view key, int tenths, std::string_view unit);
  void Component(std::string_view code, std::string_view display, std::string_view loinc,
                 std::string_view loinc_display, int value);
  void WriteProcedure();
  void WriteImmunization();
  void WriteDocumentReference();
  void WriteServiceRequest();
  void WriteFamilyMemberHistory();
  void WriteCarePlan();
  void WriteFlag();

  const Options& options_;
  Out& out_;
  Json json_;
  Summary& summary_;
  std::array<uint64_t, kTypeCount> counts_{};

  // What the record is made of, and its fixed part.
  const Catalogue& cat_;
  const Record rec_;

  // The clinical stream.
  Rng clinical_rng_;
  int remaining_ = 0;  // entries still to record at this consultation
  int64_t day_ = 0;
  int minute_ = 0;
  size_t clinician_ = 0;
  size_t medicine_ = 0;
  Id encounter_id_{};
  Type entry_type_ = kPatient;
  Id entry_id_{};
  CompositionLayout* layout_ = nullptr;
};

}  // namespace caldicott::bundlegen::internal

#endif  // CALDICOTT_TOOLS_BUNDLEGEN_GENERATOR_H_
