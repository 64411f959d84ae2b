// The Generator: the Bundle, the frame of every entry and what entries have
// in common, the Patient and the resources its record refers to, and the
// Composition of a document Bundle.
#include <string>
#include <utility>

#include "tools/bundlegen/generator.h"

namespace caldicott::bundlegen::internal {

namespace {

// How often each clinical type is recorded at a consultation (the Encounter
// itself aside).
constexpr std::array<std::pair<Type, int>, 12> kClinicalWeights = {{
    {kCondition, 32},
    {kAllergyIntolerance, 3},
    {kMedicationRequest, 28},
    {kMedicationStatement, 14},
    {kObservation, 52},
    {kProcedure, 16},
    {kImmunization, 9},
    {kDocumentReference, 12},
    {kServiceRequest, 7},
    {kFamilyMemberHistory, 3},
    {kCarePlan, 2},
    {kFlag, 2},
}};

constexpr int kClinicalTotal = [] {
  int total = 0;
  for (auto [type, weight] : kClinicalWeights) total += weight;
  return total;
}();

}  // namespace

Section SectionOf(Type t) {
  switch (t) {
    case kCondition:
      return kProblems;
    case kAllergyIntolerance:
      return kAllergies;
    case kMedicationRequest:
    case kMedicationStatement:
      return kMedications;
    case kObservation:
      return kResults;
    case kProcedure:
      return kProcedures;
    case kImmunization:
      return kImmunizations;
    case kEncounter:
      return kEncounters;
    case kDocumentReference:
      return kDocuments;
    case kServiceRequest:
      return kReferrals;
    case kFamilyMemberHistory:
      return kFamilyHistory;
    case kCarePlan:
      return kCarePlans;
    default:
      return kAlerts;
  }
}

Generator::Generator(const Options& options, Out& out, Summary& summary)
    : options_(options),
      out_(out),
      json_(out.buf()),
      summary_(summary),
      cat_(TheCatalogue()),
      rec_(DrawRecord(cat_, options.seed)),
      clinical_rng_{options.seed * 0xD1B54A32D192ED03ull + 0x2545F4914F6CDD1Dull} {
  summary_.patient_id = std::string(rec_.patient_id.view());
}

void Generator::Begin(std::span<const Ref> refs) {
  json_.Open('{');
  json_.Field("resourceType", "Bundle");
  json_.Field("id", rec_.bundle_id.view());
  json_.Object("meta");
  json_.Field("lastUpdated", "2026-07-01T09:00:00+01:00");
  json_.Close();
  if (options_.type == BundleType::kDocument) {
    json_.Object("identifier");
    json_.Field("system", "urn:ietf:rfc:3986");
    Text t;
    t << "urn:uuid:" << rec_.bundle_id.view();
    json_.Field("value", t.view());
    json_.Close();
  }
  json_.Field("type", BundleTypeName(options_.type));
  if (options_.type != BundleType::kTransaction) {
    json_.Field("timestamp", "2026-07-01T09:00:00+01:00");
  }
  if (options_.type == BundleType::kSearchset) {
    json_.Array("link");
    json_.Open('{');
    json_.Field("relation", "self");
    Text t;
    t << kBase << "Patient/" << rec_.patient_id.view() << "/$everything";
    json_.Field("url", t.view());
    json_.Close();
    json_.Close();
  }
  json_.Array("entry");
  if (options_.type == BundleType::kDocument) WriteComposition(refs);
  WritePatient();
  for (size_t i = 0; i < kOrgCount; ++i) WriteOrganization(i);
  WriteLocation();
  for (size_t i = 0; i < cat_.staff.size(); ++i) WritePractitioner(i);
  for (size_t i = 0; i < cat_.staff.size(); ++i) WritePractitionerRole(i);
  for (size_t i = 0; i < cat_.medicines.size(); ++i) WriteMedication(i);
  out_.MaybeFlush();
}

Ref Generator::Next() {
  Rng& r = clinical_rng_;
  Ref ref;
  if (remaining_ == 0) {
    StartConsultation();
    ref = {kEncounter, encounter_id_};
    WriteEncounter();
  } else {
    --remaining_;
    int w = static_cast<int>(r.Below(static_cast<uint32_t>(kClinicalTotal)));
    Type type = kFlag;
    for (auto [t, tw] : kClinicalWeights) {
      if (w < tw) {
        type = t;
        break;
      }
      w -= tw;
    }
    ref = {type, NewId(r)};
    WriteClinical(ref);
  }
  ++summary_.clinical;
  out_.MaybeFlush();
  return ref;
}

void Generator::End() {
  json_.Close();  // entry
  json_.Close();  // Bundle
  out_.buf() += '\n';
  out_.Flush();
  summary_.bytes = out_.bytes();
  for (int t = 0; t < kTypeCount; ++t) {
    if (counts_[t] > 0) summary_.resources[std::string(kTypeNames[t])] = counts_[t];
  }
}

// ---------------------------------------------------------- entry frame

void Generator::BeginEntry(Type type, const Id& id) {
  ++counts_[type];
  ++summary_.entries;
  json_.Open('{');
  Text t;
  t << kBase << kTypeNames[type] << '/' << id.view();
  json_.Field("fullUrl", t.view());
  json_.Object("resource");
  json_.Field("resourceType", kTypeNames[type]);
  json_.Field("id", id.view());
  entry_type_ = type;
  entry_id_ = id;
}

void Generator::EndEntry() {
  json_.Close();  // resource
  if (options_.type == BundleType::kSearchset) {
    bool match = entry_type_ == kPatient || entry_type_ >= kEncounter;
    json_.Object("search");
    json_.Field("mode", match ? "match" : "include");
    json_.Close();
  } else if (options_.type == BundleType::kTransaction) {
    json_.Object("request");
    json_.Field("method", "PUT");
    Text t;
    t << kTypeNames[entry_type_] << '/' << entry_id_.view();
    json_.Field("url", t.view());
    json_.Close();
  }
  json_.Close();  // entry
}

void Generator::Meta(int64_t day, Label label, bool restricted, bool normal) {
  json_.Object("meta");
  Text t;
  t.DateTime(day + 1, 7 * 60 + 30);
  json_.Field("lastUpdated", t.view());
  if (label != Label::kNone || restricted || normal) {
    ++summary_.labelled;
    json_.Array("security");
    if (restricted || normal) {
      json_.Open('{');
      json_.Field("system", kConfidentiality);
      json_.Field("code", restricted ? "R" : "N");
      json_.Field("display", restricted ? "restricted" : "normal");
      json_.Close();
    }
    if (label != Label::kNone) {
      const LabelCode& l = cat_.labels[static_cast<size_t>(label)];
      json_.Open('{');
      json_.Field("system", kActCode);
      json_.Field("code", l.code);
      json_.Field("display", l.display);
      json_.Close();
    }
    json_.Close();
  }
  json_.Close();
}

void Generator::ClinicalMeta(Label label) {
  Rng& r = clinical_rng_;
  bool sensitive = label != Label::kNone && r.Percent(60);
  bool restricted = sensitive ? r.Percent(30) : r.PerMille(8);
  bool normal = !restricted && r.Percent(12);
  Meta(day_, sensitive ? label : Label::kNone, restricted, normal);
}

void Generator::Coding(std::string_view system, std::string_view code, std::string_view display) {
  json_.Open('{');
  json_.Field("system", system);
  json_.Field("code", code);
  if (!display.empty()) json_.Field("display", display);
  json_.Close();
}

void Generator::Concept1(std::string_view key, std::string_view system, std::string_view code,
                         std::string_view display) {
  if (!key.empty())
    json_.Object(key);
  else
    json_.Open('{');
  json_.Array("coding");
  Coding(system, code, display);
  json_.Close();
  json_.Close();
}

void Generator::MainConcept(std::string_view key, const Concept& c) {
  Rng& r = clinical_rng_;
  if (!key.empty())
    json_.Object(key);
  else
    json_.Open('{');
  json_.Array("coding");
  Coding(kSnomed, c.code, c.display);
  if (!c.icd10.empty() && r.Percent(65)) Coding(kIcd10, c.icd10, c.icd10_title);
  if (!c.read.empty() && r.Percent(70)) Coding(kReadV2, c.read, c.read_title);
  json_.Close();
  json_.Field("text", c.display);
  json_.Close();
}

void Generator::Identifier(std::string_view system, std::string_view value) {
  json_.Array("identifier");
  json_.Open('{');
  json_.Field("system", system);
  json_.Field("value", value);
  json_.Close();
  json_.Close();
}

void Generator::Identifier() {
  Identifier(kRecordId, NewId(clinical_rng_).view());
}

void Generator::Practitioner(std::string_view key) {
  json_.Reference(key, "Practitioner", rec_.staff[clinician_].id);
}

void Generator::DateTimeField(std::string_view key, int64_t day, int minute) {
  Text t;
  t.DateTime(day, minute);
  json_.Field(key, t.view());
}

void Generator::DateField(std::string_view key, int64_t day) {
  Text t;
  t.Date(day);
  json_.Field(key, t.view());
}

// ------------------------------------------------------ fixed resources

void Generator::WritePatient() {
  BeginEntry(kPatient, rec_.patient_id);
  Meta(rec_.last_day, Label::kNone, false, false);
  Identifier(kNhsNumber, rec_.nhs_number);
  json_.RawField("active", "true");
  json_.Array("name");
  json_.Open('{');
  json_.Field("use", "official");
  json_.Field("family", rec_.patient_family);
  json_.Array("given");
  json_.Str(rec_.patient_given);
  json_.Close();
  json_.Array("prefix");
  json_.Str(rec_.patient_female ? "Mrs" : "Mr");
  json_.Close();
  json_.Close();
  json_.Close();
  json_.Array("telecom");
  json_.Open('{');
  json_.Field("system", "phone");
  json_.Field("value", rec_.phone);
  json_.Field("use", "home");
  json_.Close();
  json_.Close();
  json_.Field("gender", rec_.patient_female ? "female" : "male");
  DateField("birthDate", rec_.birth);
  json_.Array("address");
  json_.Open('{');
  json_.Field("use", "home");
  json_.Array("line");
  json_.Str(std::to_string(rec_.house) + " " + rec_.street);
  json_.Close();
  json_.Field("city", "Stockton-on-Tees");
  json_.Field("postalCode", rec_.postcode);
  json_.Close();
  json_.Close();
  json_.Array("generalPractitioner");
  json_.Reference("", "Organization", rec_.org_ids[kPractice]);
  json_.Close();
  json_.Reference("managingOrganization", "Organization", rec_.org_ids[kPractice]);
  EndEntry();
}

void Generator::WriteOrganization(size_t i) {
  const Org& o = cat_.organisations[i];
  BeginEntry(kOrganization, rec_.org_ids[i]);
  Identifier(kOds, o.ods);
  json_.RawField("active", "true");
  json_.Array("type");
  Concept1("", "http://terminology.hl7.org/CodeSystem/organization-type", o.type_code,
           o.type_display);
  json_.Close();
  json_.Field("name", o.name);
  json_.Array("telecom");
  json_.Open('{');
  json_.Field("system", "phone");
  json_.Field("value", "01632 9600" + std::to_string(10 + i));
  json_.Field("use", "work");
  json_.Close();
  json_.Close();
  json_.Array("address");
  json_.Open('{');
  json_.Array("line");
  json_.Str(std::to_string(3 + 7 * i) + " " + std::string(cat_.streets[i % cat_.streets.size()]));
  json_.Close();
  json_.Field("city", "Stockton-on-Tees");
  json_.Field("postalCode", "TS" + std::to_string(18 + i) + " 1AB");
  json_.Close();
  json_.Close();
  EndEntry();
}

void Generator::WriteLocation() {
  BeginEntry(kLocation, rec_.location_id);
  json_.Field("status", "active");
  json_.Field("name", "Practice 1 main surgery");
  json_.Array("type");
  Concept1("", "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "PC", "Primary care clinic");
  json_.Close();
  json_.Reference("managingOrganization", "Organization", rec_.org_ids[kPractice]);
  EndEntry();
}

void Generator::WritePractitioner(size_t i) {
  const Person& p = rec_.staff[i];
  BeginEntry(kPractitioner, p.id);
  Text t;
  t.Num(500000000000ull + 7919ull * (i + 1) * (options_.seed % 1000 + 1) % 99999999999ull, 12);
  Identifier(kSdsUser, t.view());
  json_.RawField("active", "true");
  json_.Array("name");
  json_.Open('{');
  json_.Field("family", p.family);
  json_.Array("given");
  json_.Str(p.given);
  json_.Close();
  json_.Array("prefix");
  json_.Str(p.prefix);
  json_.Close();
  json_.Close();
  json_.Close();
  json_.Field("gender", p.female ? "female" : "male");
  EndEntry();
}

void Generator::WritePractitionerRole(size_t i) {
  const Person& p = rec_.staff[i];
  const Staff& s = cat_.staff[i];
  BeginEntry(kPractitionerRole, p.role_id);
  json_.RawField("active", "true");
  json_.Reference("practitioner", "Practitioner", p.id);
  json_.Reference("organization", "Organization", rec_.org_ids[s.org]);
  json_.Array("code");
  json_.Open('{');
  json_.Field("text", s.role_display);
  json_.Close();
  json_.Close();
  json_.Array("specialty");
  json_.Open('{');
  json_.Field("text", s.specialty);
  json_.Close();
  json_.Close();
  EndEntry();
}

void Generator::WriteMedication(size_t i) {
  const Medicine& m = cat_.medicines[i];
  BeginEntry(kMedication, rec_.medication_ids[i]);
  MedicationBody(m);
  EndEntry();
}

void Generator::MedicineConcept(std::string_view key, const Medicine& m) {
  json_.Object(key);
  json_.Array("coding");
  Coding(kSnomed, m.code, m.display);
  json_.Close();
  json_.Field("text", m.text);
  json_.Close();
}

void Generator::MedicationBody(const Medicine& m) {
  MedicineConcept("code", m);
  json_.Field("status", "active");
  json_.Object("form");
  json_.Field("text", m.form);
  json_.Close();
}

void Generator::WriteComposition(std::span<const Ref> refs) {
  BeginEntry(kComposition, rec_.composition_id);
  json_.Field("status", "final");
  Concept1("type", kLoinc, "60591-5", "Patient summary Document");
  Subject();
  json_.Field("date", "2026-07-01T09:00:00+01:00");
  json_.Array("author");
  json_.Reference("", "Organization", rec_.org_ids[kPractice]);
  json_.Close();
  json_.Field("title", "Patient summary");
  json_.Reference("custodian", "Organization", rec_.org_ids[kPractice]);
  // The sections in order, each with its entries in Bundle order.
  std::array<size_t, kSectionCount> count{};
  for (const Ref& r : refs) ++count[SectionOf(r.type)];
  json_.Array("section");
  if (layout_ != nullptr) layout_->ref_bytes.assign(refs.size(), 0);
  for (int s = 0; s < kSectionCount; ++s) {
    if (count[s] == 0) continue;
    const SectionInfo& info = cat_.sections[s];
    uint64_t section_start = out_.bytes(), in_refs = 0;
    json_.Open('{');
    json_.Field("title", info.title);
    if (!info.loinc.empty()) Concept1("code", kLoinc, info.loinc, info.loinc_display);
    json_.Object("text");
    json_.Field("status", "generated");
    json_.Field("div", std::string("<div xmlns=\"http://www.w3.org/1999/xhtml\">") +
                           std::string(info.title) + "</div>");
    json_.Close();
    json_.Array("entry");
    for (size_t i = 0; i < refs.size(); ++i) {
      if (SectionOf(refs[i].type) != s) continue;
      uint64_t start = out_.bytes();
      json_.Reference("", kTypeNames[refs[i].type], refs[i].id);
      if (layout_ != nullptr) layout_->ref_bytes[i] = out_.bytes() - start;
      in_refs += out_.bytes() - start;
    }
    json_.Close();
    json_.Close();
    if (layout_ != nullptr) layout_->section_bytes[s] = out_.bytes() - section_start - in_refs;
    out_.MaybeFlush();
  }
  json_.Close();
  EndEntry();
}

}  // namespace caldicott::bundlegen::internal
