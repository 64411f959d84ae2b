// The Generator's clinical entries: consultation by consultation, an
// Encounter and then what is recorded at it.
#include <string>
#include <string_view>

#include "tools/bundlegen/generator.h"

namespace caldicott::bundlegen::internal {

void Generator::StartConsultation() {
  Rng& r = clinical_rng_;
  // Recent years are busier: the later of two uniform days.
  uint32_t span = static_cast<uint32_t>(rec_.last_day - rec_.first_day + 1);
  day_ = rec_.first_day + std::max(r.Below(span), r.Below(span));
  minute_ = 8 * 60 + 5 * static_cast<int>(r.Below(126));  // 08:00 to 18:25
  // The clinician, by how much they record.
  int total = 0;
  for (const Staff& s : cat_.staff) total += s.weight;
  int w = static_cast<int>(r.Below(static_cast<uint32_t>(total)));
  clinician_ = 0;
  while (w >= cat_.staff[clinician_].weight) w -= cat_.staff[clinician_++].weight;
  encounter_id_ = NewId(r);
  remaining_ = static_cast<int>(1 + r.Below(4) + r.Below(4));  // 1 to 7 entries
}

void Generator::WriteEncounter() {
  Rng& r = clinical_rng_;
  const Concept& c = r.Weighted(cat_.encounter_types);
  BeginEntry(kEncounter, encounter_id_);
  ClinicalMeta(c.label);
  Identifier();
  json_.Field("status", "finished");
  bool phone = c.code == "185317003";
  bool home = !phone && r.Percent(4);
  json_.Object("class");
  json_.Field("system", kActCode);
  json_.Field("code", phone ? "VR" : home ? "HH" : "AMB");
  json_.Field("display", phone ? "virtual" : home ? "home health" : "ambulatory");
  json_.Close();
  json_.Array("type");
  MainConcept("", c);
  json_.Close();
  Subject();
  json_.Array("participant");
  json_.Open('{');
  json_.Array("type");
  Concept1("", "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "PPRF",
           "primary performer");
  json_.Close();
  json_.Reference("individual", "PractitionerRole", rec_.staff[clinician_].role_id);
  json_.Close();
  json_.Close();
  json_.Object("period");
  DateTimeField("start", day_, minute_);
  DateTimeField("end", day_, minute_ + 10 + 5 * static_cast<int>(r.Below(4)));
  json_.Close();
  if (!phone && !home) {
    json_.Array("location");
    json_.Open('{');
    json_.Reference("location", "Location", rec_.location_id);
    json_.Close();
    json_.Close();
  }
  json_.Reference("serviceProvider", "Organization", rec_.org_ids[cat_.staff[clinician_].org]);
  EndEntry();
}

void Generator::WriteClinical(const Ref& ref) {
  BeginEntry(ref.type, ref.id);
  switch (ref.type) {
    case kCondition:
      WriteCondition();
      break;
    case kAllergyIntolerance:
      WriteAllergy();
      break;
    case kMedicationRequest:
      WriteMedicationRequest();
      break;
    case kMedicationStatement:
      WriteMedicationStatement();
      break;
    case kObservation:
      WriteObservation();
      break;
    case kProcedure:
      WriteProcedure();
      break;
    case kImmunization:
      WriteImmunization();
      break;
    case kDocumentReference:
      WriteDocumentReference();
      break;
    case kServiceRequest:
      WriteServiceRequest();
      break;
    case kFamilyMemberHistory:
      WriteFamilyMemberHistory();
      break;
    case kCarePlan:
      WriteCarePlan();
      break;
    default:
      WriteFlag();
      break;
  }
  EndEntry();
}

void Generator::WriteCondition() {
  Rng& r = clinical_rng_;
  const Concept& c = r.Weighted(cat_.conditions);
  ClinicalMeta(c.label);
  Identifier();
  uint32_t s = r.Below(100);
  const char* status = s < 50   ? "active"
                       : s < 53 ? "recurrence"
                       : s < 55 ? "relapse"
                       : s < 70 ? "inactive"
                       : s < 75 ? "remission"
                                : "resolved";
  std::string display = status;
  display[0] = static_cast<char>(display[0] - 'a' + 'A');
  Concept1("clinicalStatus", "http://terminology.hl7.org/CodeSystem/condition-clinical", status,
           display);
  uint32_t v = r.Below(100);
  Concept1("verificationStatus", "http://terminology.hl7.org/CodeSystem/condition-ver-status",
           v < 90 ? "confirmed" : "unconfirmed", v < 90 ? "Confirmed" : "Unconfirmed");
  json_.Array("category");
  bool problem = r.Percent(70);
  Concept1("", "http://terminology.hl7.org/CodeSystem/condition-category",
           problem ? "problem-list-item" : "encounter-diagnosis",
           problem ? "Problem List Item" : "Encounter Diagnosis");
  json_.Close();
  MainConcept("code", c);
  Subject();
  EncounterRef();
  // The onset: often before the record of it, sometimes only a year or month.
  int64_t onset = day_ - static_cast<int64_t>(r.Below(3) == 0 ? r.Below(3650) : r.Below(60));
  onset = std::max(onset, rec_.birth);
  Text t;
  uint32_t p = r.Below(10);
  if (p == 0) {
    t.Num(static_cast<uint64_t>(Civil(onset).year), 4);
  } else if (p == 1) {
    base::CivilDate cv = Civil(onset);
    t.Num(static_cast<uint64_t>(cv.year), 4) << '-';
    t.Num(static_cast<uint64_t>(cv.month), 2);
  } else {
    t.Date(onset);
  }
  json_.Field("onsetDateTime", t.view());
  if (s >= 70) {
    DateField("abatementDateTime", Later(30 + r.Below(700)));
  }
  DateTimeField("recordedDate", day_, minute_);
  Practitioner("recorder");
  Practitioner("asserter");
  if (r.Percent(20)) {
    json_.Array("note");
    json_.Open('{');
    json_.Field("text", "Discussed with patient; see consultation notes.");
    json_.Close();
    json_.Close();
  }
}

void Generator::WriteAllergy() {
  Rng& r = clinical_rng_;
  const Concept& c = r.Weighted(cat_.allergies);
  ClinicalMeta(c.label);
  Identifier();
  uint32_t s = r.Below(100);
  if (s >= 3) {  // a few records leave the clinical status out
    const char* status = s < 88 ? "active" : s < 96 ? "inactive" : "resolved";
    std::string display = status;
    display[0] = static_cast<char>(display[0] - 'a' + 'A');
    Concept1("clinicalStatus", "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
             status, display);
  }
  Concept1("verificationStatus",
           "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed",
           "Confirmed");
  json_.Field("type", r.Percent(85) ? "allergy" : "intolerance");
  std::string_view code = c.code;
  const char* category = code == "91935009" || code == "414285001" ? "food"
                         : code == "300916003"                     ? "environment"
                                                                   : "medication";
  json_.Array("category");
  json_.Str(category);
  json_.Close();
  json_.Field("criticality", r.Percent(25) ? "high" : "low");
  MainConcept("code", c);
  Subject("patient");
  EncounterRef();
  DateField("onsetDateTime", std::max(rec_.birth, day_ - static_cast<int64_t>(r.Below(5000))));
  DateTimeField("recordedDate", day_, minute_);
  Practitioner("recorder");
  json_.Array("reaction");
  json_.Open('{');
  json_.Array("manifestation");
  Concept1("", kSnomed, "419076005", "Allergic reaction");
  json_.Close();
  json_.Field("severity", r.Percent(70) ? "mild" : "moderate");
  json_.Close();
  json_.Close();
}

void Generator::MedicationChoice(bool allow_contained) {
  Rng& r = clinical_rng_;
  size_t m = static_cast<size_t>(&r.Weighted(cat_.medicines) - cat_.medicines.data());
  uint32_t how = r.Below(100);
  if (allow_contained && how < 10) {
    json_.Array("contained");
    json_.Open('{');
    json_.Field("resourceType", "Medication");
    json_.Field("id", "med1");
    MedicationBody(cat_.medicines[m]);
    json_.Close();
    json_.Close();
    json_.Object("medicationReference");
    json_.Field("reference", "#med1");
    json_.Close();
  } else if (how < 60) {
    json_.Reference("medicationReference", "Medication", rec_.medication_ids[m]);
  } else {
    MedicineConcept("medicationCodeableConcept", cat_.medicines[m]);
  }
  medicine_ = m;
}

void Generator::WriteMedicationRequest() {
  Rng& r = clinical_rng_;
  uint32_t s = r.Below(100);
  const char* status = s < 30   ? "active"
                       : s < 80 ? "completed"
                       : s < 92 ? "stopped"
                       : s < 96 ? "on-hold"
                       : s < 98 ? "cancelled"
                                : "draft";
  ClinicalMeta(Label::kNone);
  Identifier();
  json_.Field("status", status);
  json_.Field("intent", "order");
  json_.Array("category");
  Concept1("", "http://terminology.hl7.org/CodeSystem/medicationrequest-category", "community",
           "Community");
  json_.Close();
  MedicationChoice(true);
  Subject();
  EncounterRef();
  DateTimeField("authoredOn", day_, minute_);
  Practitioner("requester");
  json_.Array("dosageInstruction");
  json_.Open('{');
  json_.Field("text", cat_.medicines[medicine_].dosage);
  json_.Close();
  json_.Close();
  json_.Object("dispenseRequest");
  json_.Object("quantity");
  json_.RawField("value", r.Percent(50) ? "28" : "56");
  json_.Field("unit", cat_.medicines[medicine_].form);
  json_.Close();
  json_.Object("expectedSupplyDuration");
  json_.RawField("value", "28");
  json_.Field("unit", "day");
  json_.Field("system", kUcum);
  json_.Field("code", "d");
  json_.Close();
  json_.Close();
}

void Generator::WriteMedicationStatement() {
  Rng& r = clinical_rng_;
  uint32_t s = r.Below(100);
  const char* status = s < 35   ? "active"
                       : s < 75 ? "completed"
                       : s < 90 ? "stopped"
                       : s < 94 ? "intended"
                       : s < 97 ? "on-hold"
                                : "unknown";
  ClinicalMeta(Label::kNone);
  Identifier();
  json_.Field("status", status);
  MedicationChoice(false);
  Subject();
  json_.Reference("context", "Encounter", encounter_id_);
  if (r.Percent(50)) {
    DateTimeField("effectiveDateTime", day_, minute_);
  } else {
    json_.Object("effectivePeriod");
    DateField("start", day_);
    if (s >= 35 && s < 90) DateField("end", Later(28 + r.Below(900)));
    json_.Close();
  }
  DateTimeField("dateAsserted", day_, minute_);
  Practitioner("informationSource");
  json_.Array("dosage");
  json_.Open('{');
  json_.Field("text", cat_.medicines[medicine_].dosage);
  json_.Close();
  json_.Close();
}

void Generator::WriteObservation() {
  Rng& r = clinical_rng_;
  bool measurement = r.Percent(45);
  const Concept* finding = measurement ? nullptr : &r.Weighted(cat_.findings);
  ClinicalMeta(finding != nullptr ? finding->label : Label::kNone);
  Identifier();
  json_.Field("status", "final");
  json_.Array("category");
  if (measurement) {
    Concept1("", "http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs",
             "Vital Signs");
  } else {
    Concept1("", "http://terminology.hl7.org/CodeSystem/observation-category", "exam", "Exam");
  }
  json_.Close();
  if (measurement) {
    const Measurement& m = r.Weighted(cat_.measurements);
    json_.Object("code");
    json_.Array("coding");
    Coding(kSnomed, m.code, m.display);
    if (!m.loinc.empty()) Coding(kLoinc, m.loinc, m.loinc_display);
    json_.Close();
    json_.Field("text", m.display);
    json_.Close();
    Subject();
    EncounterRef();
    DateTimeField("effectiveDateTime", day_, minute_);
    DateTimeField("issued", day_, minute_ + 1);
    json_.Array("performer");
    json_.Reference("", "Practitioner", rec_.staff[clinician_].id);
    json_.Close();
    if (m.high == 0) {  // blood pressure: two components
      json_.Array("component");
      Component("271649006", "Systolic blood pressure", "8480-6", "Systolic blood pressure",
                r.Between(105, 175));
      Component("271650006", "Diastolic blood pressure", "8462-4", "Diastolic blood pressure",
                r.Between(60, 105));
      json_.Close();
    } else {
      int v = r.Between(m.low, m.high);
      Quantity("valueQuantity", m.decimal ? v : v - v % 10, m.unit);
    }
  } else {
    MainConcept("code", *finding);
    Subject();
    EncounterRef();
    DateTimeField("effectiveDateTime", day_, minute_);
    DateTimeField("issued", day_, minute_ + 1);
    json_.Array("performer");
    json_.Reference("", "Practitioner", rec_.staff[clinician_].id);
    json_.Close();
  }
}

void Generator::Quantity(std::string_view key, int tenths, std::string_view unit) {
  json_.Object(key);
  Text t;
  if (tenths % 10 == 0) {
    t.Num(static_cast<uint64_t>(tenths / 10));
  } else {
    t.Tenths(tenths);
  }
  json_.RawField("value", t.view());
  json_.Field("unit", unit);
  json_.Field("system", kUcum);
  json_.Field("code", unit);
  json_.Close();
}

void Generator::Component(std::string_view code, std::string_view display, std::string_view loinc,
                          std::string_view loinc_display, int value) {
  json_.Open('{');
  json_.Object("code");
  json_.Array("coding");
  Coding(kSnomed, code, display);
  Coding(kLoinc, loinc, loinc_display);
  json_.Close();
  json_.Close();
  Quantity("valueQuantity", value * 10, "mm[Hg]");
  json_.Close();
}

void Generator::WriteProcedure() {
  Rng& r = clinical_rng_;
  const Concept& c = r.Weighted(cat_.procedures);
  ClinicalMeta(c.label);
  Identifier();
  json_.Field("status", "completed");
  MainConcept("code", c);
  Subject();
  EncounterRef();
  DateTimeField("performedDateTime", day_, minute_);
  Practitioner("recorder");
  json_.Array("performer");
  json_.Open('{');
  Practitioner("actor");
  json_.Close();
  json_.Close();
}

void Generator::WriteImmunization() {
  Rng& r = clinical_rng_;
  const Concept& c = r.Weighted(cat_.vaccines);
  ClinicalMeta(c.label);
  Identifier();
  json_.Field("status", "completed");
  MainConcept("vaccineCode", c);
  Subject("patient");
  EncounterRef();
  DateTimeField("occurrenceDateTime", day_, minute_);
  DateTimeField("recorded", day_, minute_);
  json_.RawField("primarySource", "true");
  Text t;
  t << "LOT" << static_cast<char>('A' + r.Below(26));
  t.Num(r.Below(100000), 5);
  json_.Field("lotNumber", t.view());
  DateField("expirationDate", day_ + 180 + r.Below(365));
  json_.Array("performer");
  json_.Open('{');
  Practitioner("actor");
  json_.Close();
  json_.Close();
  json_.Array("protocolApplied");
  json_.Open('{');
  json_.RawField("doseNumberPositiveInt", r.Percent(80) ? "1" : "2");
  json_.Close();
  json_.Close();
}

void Generator::WriteDocumentReference() {
  Rng& r = clinical_rng_;
  // Letters about sensitive care carry their label: the type says nothing.
  static constexpr Label kTopics[] = {Label::kPsy, Label::kSex, Label::kStd, Label::kEth,
                                      Label::kSdv};
  Label label = r.Percent(10) ? kTopics[r.Below(std::size(kTopics))] : Label::kNone;
  ClinicalMeta(label);
  Identifier();
  json_.Field("status", "current");
  json_.Field("docStatus", "final");
  bool letter = r.Percent(70);
  if (letter) {
    Concept1("type", kSnomed, "270425006", "Letter from specialist");
  } else {
    Concept1("type", kSnomed, "371524004", "Clinical report");
  }
  Subject();
  DateTimeField("date", day_, minute_);
  size_t from = letter ? (r.Percent(30) ? kMentalHealthTrust : kHospital) : kPractice;
  json_.Array("author");
  json_.Reference("", "Organization", rec_.org_ids[from]);
  json_.Close();
  json_.Reference("custodian", "Organization", rec_.org_ids[kPractice]);
  json_.Field("description", letter ? "Clinic letter" : "Clinical report");
  json_.Array("content");
  json_.Open('{');
  json_.Object("attachment");
  json_.Field("contentType", "application/pdf");
  Text t;
  t << kBase << "Binary/" << NewId(r).view();
  json_.Field("url", t.view());
  json_.RawField("size", std::to_string(20000 + r.Below(400000)));
  json_.Field("title", letter ? "Clinic letter.pdf" : "Report.pdf");
  DateTimeField("creation", day_, minute_);
  json_.Close();
  json_.Close();
  json_.Close();
  json_.Object("context");
  json_.Array("encounter");
  json_.Reference("", "Encounter", encounter_id_);
  json_.Close();
  json_.Object("period");
  DateField("start", day_);
  json_.Close();
  json_.Close();
}

void Generator::WriteServiceRequest() {
  Rng& r = clinical_rng_;
  const Concept& c = r.Weighted(cat_.referrals);
  ClinicalMeta(c.label);
  Identifier();
  uint32_t s = r.Below(100);
  json_.Field("status", s < 25 ? "active" : s < 95 ? "completed" : "revoked");
  json_.Field("intent", "order");
  json_.Array("category");
  Concept1("", kSnomed, "3457005", "Patient referral");
  json_.Close();
  json_.Field("priority", r.Percent(85) ? "routine" : "urgent");
  MainConcept("code", c);
  Subject();
  EncounterRef();
  DateTimeField("authoredOn", day_, minute_);
  Practitioner("requester");
  std::string_view code = c.code;
  size_t to = code == "308451001"                          ? kPodiatry
              : code == "183524004" || code == "308459004" ? kMentalHealthTrust
                                                           : kHospital;
  json_.Array("performer");
  json_.Reference("", "Organization", rec_.org_ids[to]);
  json_.Close();
}

void Generator::WriteFamilyMemberHistory() {
  Rng& r = clinical_rng_;
  const Concept& c = r.Weighted(cat_.family_conditions);
  const Relative& rel = r.Pick(cat_.relatives);
  ClinicalMeta(Label::kNone);
  Identifier();
  json_.Field("status", "completed");
  Subject("patient");
  DateTimeField("date", day_, minute_);
  Concept1("relationship", "http://terminology.hl7.org/CodeSystem/v3-RoleCode", rel.code,
           rel.display);
  Concept1("sex", "http://hl7.org/fhir/administrative-gender", rel.sex, "");
  json_.Array("condition");
  json_.Open('{');
  MainConcept("code", c);
  json_.Object("onsetAge");
  json_.RawField("value", std::to_string(r.Between(35, 80)));
  json_.Field("unit", "a");
  json_.Field("system", kUcum);
  json_.Field("code", "a");
  json_.Close();
  json_.Close();
  json_.Close();
}

void Generator::WriteCarePlan() {
  Rng& r = clinical_rng_;
  const Concept& c = r.Weighted(cat_.care_plans);
  ClinicalMeta(c.label);
  Identifier();
  bool active = r.Percent(40);
  json_.Field("status", active ? "active" : "completed");
  json_.Field("intent", "plan");
  json_.Array("category");
  MainConcept("", c);
  json_.Close();
  json_.Field("title", c.display);
  Subject();
  EncounterRef();
  json_.Object("period");
  DateField("start", day_);
  if (!active) DateField("end", Later(90 + r.Below(600)));
  json_.Close();
  DateTimeField("created", day_, minute_);
  Practitioner("author");
  json_.Array("activity");
  json_.Open('{');
  json_.Object("detail");
  json_.Field("status", active ? "in-progress" : "completed");
  json_.Field("description", "Review at the next appointment.");
  json_.Close();
  json_.Close();
  json_.Close();
}

void Generator::WriteFlag() {
  Rng& r = clinical_rng_;
  const Concept& c = r.Weighted(cat_.flags);
  ClinicalMeta(c.label);
  Identifier();
  bool active = r.Percent(75);
  json_.Field("status", active ? "active" : "inactive");
  json_.Array("category");
  bool safety = c.label != Label::kNone;
  Concept1("", "http://terminology.hl7.org/CodeSystem/flag-category",
           safety ? "safety" : "clinical", safety ? "Safety" : "Clinical");
  json_.Close();
  MainConcept("code", c);
  Subject();
  json_.Object("period");
  DateTimeField("start", day_, minute_);
  if (!active) DateField("end", Later(30 + r.Below(900)));
  json_.Close();
  EncounterRef();
  Practitioner("author");
}

}  // namespace caldicott::bundlegen::internal
