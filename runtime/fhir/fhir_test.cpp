#include "runtime/fhir/fhir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>

#include "runtime/abi/abi.h"

namespace caldicott::fhir {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

// ---------------------------------------------------------------- helpers

caldicott_decision Share(uint32_t rule = 1) {
  return {CALDICOTT_SHARE, CALDICOTT_REASON_SHARED, rule};
}
caldicott_decision NoShare() {
  return {CALDICOTT_WITHHOLD, CALDICOTT_REASON_NO_SHARE, 0};
}

bool Always(std::span<const std::string>) {
  return true;
}

DecideFn ShareAll() {
  return DecideEach([](const caldicott_entry&) { return Share(); });
}
DecideFn ShareNone() {
  return DecideEach([](const caldicott_entry&) { return NoShare(); });
}
DecideFn ShareKinds(std::set<caldicott_kind> kinds) {
  return DecideEach([kinds](const caldicott_entry& e) {
    return kinds.count(static_cast<caldicott_kind>(e.kind)) ? Share(7) : NoShare();
  });
}

std::string_view Str(const char* p, size_t n) {
  return {p, n};
}

using CodeList = std::vector<std::pair<std::string, std::string>>;

CodeList Codes(std::span<const caldicott_coding> codings) {
  CodeList out;
  for (const caldicott_coding& c : codings) {
    out.emplace_back(Str(c.system, c.system_len), Str(c.code, c.code_len));
  }
  return out;
}

// What Bundle::ForEach says about one entry, with its strings copied.
struct Seen {
  std::string type;
  std::string id;
  Category category;
  caldicott_kind kind;
  caldicott_entry_status status;
  caldicott_date date;
  CodeList codes;
  CodeList labels;
  std::vector<uint32_t> references;
};

std::vector<Seen> Extract(std::string_view json, bool strict = true) {
  PaddedBuffer input(json);
  std::string error;
  auto bundle = Bundle::Parse(input, ParseOptions{strict}, error);
  EXPECT_NE(bundle, nullptr) << error;
  std::vector<Seen> out;
  if (!bundle) return out;
  auto failed = bundle->ForEach([&](const ExtractedEntry& x) {
    out.push_back({std::string(x.resource_type), std::string(x.id), x.category, x.kind, x.status,
                   x.date, Codes(x.codings), Codes(x.labels),
                   std::vector<uint32_t>(x.references.begin(), x.references.end())});
  });
  EXPECT_FALSE(failed.has_value());
  return out;
}

// One resource in a collection Bundle.
Seen ExtractOne(std::string_view resource) {
  std::string json = R"({"resourceType":"Bundle","type":"collection","entry":[{"resource":)" +
                     std::string(resource) + "}]}";
  auto seen = Extract(json);
  EXPECT_EQ(seen.size(), 1u);
  return seen.empty() ? Seen{} : seen[0];
}

std::string ParseError(std::string_view json) {
  PaddedBuffer input(json);
  std::string error;
  auto bundle = Bundle::Parse(input, ParseOptions{}, error);
  EXPECT_EQ(bundle, nullptr);
  // Filter says the same.
  FilterResult r = Filter(json, {}, Always, ShareAll());
  EXPECT_EQ(r.status, FilterResult::Status::kError);
  EXPECT_EQ(r.error, error);
  EXPECT_THAT(r.output, IsEmpty());
  EXPECT_EQ(error.find('\n'), std::string::npos);
  return error;
}

FilterResult FilterOk(std::string_view json, const DecideFn& decide, bool explain = true) {
  FilterOptions options;
  options.explain = explain;
  FilterResult r = Filter(json, options, Always, decide);
  EXPECT_EQ(r.status, FilterResult::Status::kFiltered) << r.error;
  return r;
}

// The output must be one valid JSON object: the ids of its entries'
// resources, as "Type/id" (or "Type/" when there is no id).
std::vector<std::string> OutputIds(const std::string& output) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  auto err = parser.parse(output).get(doc);
  EXPECT_EQ(err, simdjson::SUCCESS) << simdjson::error_message(err) << "\n" << output;
  std::vector<std::string> ids;
  if (err) return ids;
  EXPECT_EQ(std::string_view(doc["resourceType"].get_string().value_unsafe()), "Bundle");
  simdjson::dom::array entries;
  if (doc["entry"].get_array().get(entries)) return ids;
  for (simdjson::dom::element e : entries) {
    std::string_view type, id;
    if (e["resource"]["resourceType"].get_string().get(type)) type = "";
    if (e["resource"]["id"].get_string().get(id)) id = "";
    ids.push_back(std::string(type) + "/" + std::string(id));
  }
  return ids;
}

std::map<std::string, Outcome> Outcomes(const FilterResult& r) {
  std::map<std::string, Outcome> out;
  for (const EntryReport& e : r.entries) out[e.resource_type + "/" + e.id] = e.outcome;
  return out;
}

std::string Entry(std::string_view resource, std::string_view full_url = "") {
  std::string out = "{";
  if (!full_url.empty()) out += "\"fullUrl\":\"" + std::string(full_url) + "\",";
  return out + "\"resource\":" + std::string(resource) + "}";
}

std::string MakeBundle(std::string_view type, const std::vector<std::string>& entries,
                       std::string_view extra = "") {
  std::string out = R"({"resourceType":"Bundle","type":")" + std::string(type) + "\"";
  out += extra;
  if (!entries.empty()) {
    out += ",\"entry\":[";
    for (size_t i = 0; i < entries.size(); ++i) out += (i ? "," : "") + entries[i];
    out += "]";
  }
  return out + "}";
}

caldicott_date Day(int y, int m, int d) {
  std::string text = std::to_string(y) + "-" + (m < 10 ? "0" : "") + std::to_string(m) + "-" +
                     (d < 10 ? "0" : "") + std::to_string(d);
  return *ParseDate(text);
}

// ---------------------------------------------------------------- classification

TEST(Classify, EveryKindOfTheTable) {
  const std::map<std::string, caldicott_kind> table = {
      {"Condition", CALDICOTT_KIND_PROBLEM},
      {"AllergyIntolerance", CALDICOTT_KIND_ALLERGY},
      {"MedicationStatement", CALDICOTT_KIND_MEDICATION},
      {"MedicationRequest", CALDICOTT_KIND_MEDICATION},
      {"Observation", CALDICOTT_KIND_OBSERVATION},
      {"DiagnosticReport", CALDICOTT_KIND_OBSERVATION},
      {"Procedure", CALDICOTT_KIND_PROCEDURE},
      {"Immunization", CALDICOTT_KIND_IMMUNISATION},
      {"Encounter", CALDICOTT_KIND_ENCOUNTER},
      {"DocumentReference", CALDICOTT_KIND_DOCUMENT},
      {"ServiceRequest", CALDICOTT_KIND_REFERRAL},
      {"FamilyMemberHistory", CALDICOTT_KIND_FAMILY_HISTORY},
      {"CarePlan", CALDICOTT_KIND_CARE_PLAN},
      {"Flag", CALDICOTT_KIND_ALERT},
      {"Device", CALDICOTT_KIND_DEVICE},
      {"DeviceUseStatement", CALDICOTT_KIND_DEVICE},
      {"MedicationAdministration", CALDICOTT_KIND_OTHER},
      {"ClinicalImpression", CALDICOTT_KIND_OTHER},
      {"RiskAssessment", CALDICOTT_KIND_OTHER},
  };
  for (const auto& [type, kind] : table) {
    Classification c = Classify(type);
    EXPECT_EQ(c.category, Category::kClinical) << type;
    EXPECT_EQ(c.kind, kind) << type;
  }
  EXPECT_EQ(Classify("Patient").category, Category::kPatient);
  for (const char* t :
       {"Practitioner", "PractitionerRole", "Organization", "Location", "Medication"}) {
    EXPECT_EQ(Classify(t).category, Category::kSupporting) << t;
  }
  for (const char* t :
       {"Composition", "Bundle", "Binary", "Provenance", "List", "RelatedPerson",
        "QuestionnaireResponse", "Communication", "StructureDefinition", "", "condition"}) {
    EXPECT_EQ(Classify(t).category, Category::kUnclassified) << t;
  }
}

TEST(Names, KindsStatusesCategoriesOutcomes) {
  EXPECT_EQ(abi::KindName(CALDICOTT_KIND_FAMILY_HISTORY), "family_history");
  EXPECT_EQ(abi::KindName(CALDICOTT_KIND_IMMUNISATION), "immunisation");
  EXPECT_EQ(abi::KindName(CALDICOTT_KIND_OTHER), "other");
  EXPECT_EQ(abi::StatusName(CALDICOTT_STATUS_CURRENT), "current");
  EXPECT_EQ(abi::StatusName(CALDICOTT_STATUS_UNKNOWN), "unknown");
  EXPECT_EQ(CategoryName(Category::kSupporting), "supporting");
  EXPECT_EQ(OutcomeText(Outcome::kSupportingReferenced), "not clinical: kept as supporting");
  EXPECT_EQ(OutcomeText(Outcome::kSupportingUnreferenced), "withheld as unreferenced supporting");
  EXPECT_EQ(OutcomeText(Outcome::kUnclassified), "withheld as unclassified");
  EXPECT_EQ(OutcomeText(Outcome::kNoShareMatched), "no share matched");
}

TEST(Extract, EveryResourceTypeOfTheTable) {
  struct Case {
    const char* resource;
    caldicott_kind kind;
    CodeList codes;
  };
  const char* cc = R"({"coding":[{"system":"http://snomed.info/sct","code":"1"}]})";
  auto with = [&](std::string type, std::string field) {
    return R"({"resourceType":")" + type + "\",\"" + field + "\":" + cc + "}";
  };
  CodeList one = {{"http://snomed.info/sct", "1"}};
  std::vector<std::pair<std::string, Case>> cases = {
      {with("Condition", "code"), {"", CALDICOTT_KIND_PROBLEM, one}},
      {with("AllergyIntolerance", "code"), {"", CALDICOTT_KIND_ALLERGY, one}},
      {with("MedicationStatement", "medicationCodeableConcept"),
       {"", CALDICOTT_KIND_MEDICATION, one}},
      {with("MedicationRequest", "medicationCodeableConcept"),
       {"", CALDICOTT_KIND_MEDICATION, one}},
      {with("Observation", "code"), {"", CALDICOTT_KIND_OBSERVATION, one}},
      {with("DiagnosticReport", "code"), {"", CALDICOTT_KIND_OBSERVATION, one}},
      {with("Procedure", "code"), {"", CALDICOTT_KIND_PROCEDURE, one}},
      {with("Immunization", "vaccineCode"), {"", CALDICOTT_KIND_IMMUNISATION, one}},
      {R"({"resourceType":"Encounter","type":[)" + std::string(cc) + "]}",
       {"", CALDICOTT_KIND_ENCOUNTER, one}},
      {with("DocumentReference", "type"), {"", CALDICOTT_KIND_DOCUMENT, one}},
      {with("ServiceRequest", "code"), {"", CALDICOTT_KIND_REFERRAL, one}},
      {R"({"resourceType":"FamilyMemberHistory","condition":[{"code":)" + std::string(cc) + "}]}",
       {"", CALDICOTT_KIND_FAMILY_HISTORY, one}},
      {R"({"resourceType":"CarePlan","category":[)" + std::string(cc) + "]}",
       {"", CALDICOTT_KIND_CARE_PLAN, one}},
      {with("Flag", "code"), {"", CALDICOTT_KIND_ALERT, one}},
      {with("Device", "type"), {"", CALDICOTT_KIND_DEVICE, one}},
      {R"({"resourceType":"DeviceUseStatement","contained":[{"resourceType":"Device","id":"d","type":)" +
           std::string(cc) + R"(}],"device":{"reference":"#d"}})",
       {"", CALDICOTT_KIND_DEVICE, one}},
      {with("MedicationDispense", "medicationCodeableConcept"), {"", CALDICOTT_KIND_OTHER, one}},
      {with("RiskAssessment", "code"), {"", CALDICOTT_KIND_OTHER, one}},
      {with("Goal", "description"), {"", CALDICOTT_KIND_OTHER, one}},
  };
  for (const auto& [resource, c] : cases) {
    Seen s = ExtractOne(resource);
    EXPECT_EQ(s.category, Category::kClinical) << resource;
    EXPECT_EQ(s.kind, c.kind) << resource;
    EXPECT_EQ(s.codes, c.codes) << resource;
  }
  // Not clinical: no kind, status or date.
  Seen patient = ExtractOne(R"({"resourceType":"Patient","id":"p","birthDate":"1970-01-01"})");
  EXPECT_EQ(patient.category, Category::kPatient);
  EXPECT_EQ(patient.status, CALDICOTT_STATUS_UNKNOWN);
  EXPECT_EQ(patient.date, CALDICOTT_NO_DATE);
  Seen list = ExtractOne(R"({"resourceType":"List","code":)" + std::string(cc) +
                         R"(,"period":{"start":"2020"}})");
  EXPECT_EQ(list.category, Category::kUnclassified);
  EXPECT_THAT(list.codes, IsEmpty());
  EXPECT_EQ(list.date, CALDICOTT_NO_DATE);
}

// ---------------------------------------------------------------- statuses

caldicott_entry_status StatusOf(const std::string& resource) {
  return ExtractOne(resource).status;
}

std::string WithClinicalStatus(const std::string& type, const std::string& code) {
  return R"({"resourceType":")" + type +
         R"(","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/)" +
         (type == "Condition" ? "condition-clinical" : "allergyintolerance-clinical") +
         R"(","code":")" + code + R"("}]}})";
}

TEST(Status, Condition) {
  for (const char* code : {"active", "recurrence", "relapse"}) {
    EXPECT_EQ(StatusOf(WithClinicalStatus("Condition", code)), CALDICOTT_STATUS_ACTIVE) << code;
  }
  for (const char* code : {"inactive", "remission", "resolved", "unknown"}) {
    EXPECT_EQ(StatusOf(WithClinicalStatus("Condition", code)), CALDICOTT_STATUS_INACTIVE) << code;
  }
  EXPECT_EQ(StatusOf(R"({"resourceType":"Condition"})"), CALDICOTT_STATUS_INACTIVE);
  EXPECT_EQ(StatusOf(R"({"resourceType":"Condition","clinicalStatus":{"text":"active"}})"),
            CALDICOTT_STATUS_INACTIVE);
}

TEST(Status, AllergyIntolerance) {
  EXPECT_EQ(StatusOf(WithClinicalStatus("AllergyIntolerance", "active")), CALDICOTT_STATUS_ACTIVE);
  EXPECT_EQ(StatusOf(R"({"resourceType":"AllergyIntolerance"})"), CALDICOTT_STATUS_ACTIVE);
  for (const char* code : {"inactive", "resolved"}) {
    EXPECT_EQ(StatusOf(WithClinicalStatus("AllergyIntolerance", code)), CALDICOTT_STATUS_INACTIVE)
        << code;
  }
}

TEST(Status, Medication) {
  for (const char* type : {"MedicationStatement", "MedicationRequest"}) {
    auto with = [&](std::string status) {
      return StatusOf(R"({"resourceType":")" + std::string(type) + R"(","status":")" + status +
                      "\"}");
    };
    for (const char* s : {"active", "intended", "on-hold", "draft"}) {
      EXPECT_EQ(with(s), CALDICOTT_STATUS_CURRENT) << type << " " << s;
    }
    for (const char* s : {"completed", "stopped", "entered-in-error", "not-taken", "cancelled",
                          "unknown", "ACTIVE"}) {
      EXPECT_EQ(with(s), CALDICOTT_STATUS_PAST) << type << " " << s;
    }
    EXPECT_EQ(StatusOf(R"({"resourceType":")" + std::string(type) + "\"}"), CALDICOTT_STATUS_PAST);
  }
}

TEST(Status, OtherKindsAreUnknown) {
  for (const char* type : {"Observation", "Procedure", "Encounter", "Flag", "Device"}) {
    EXPECT_EQ(StatusOf(R"({"resourceType":")" + std::string(type) + R"(","status":"active"})"),
              CALDICOTT_STATUS_UNKNOWN)
        << type;
  }
  // MedicationAdministration is kind other: its status is not mapped.
  EXPECT_EQ(StatusOf(R"({"resourceType":"MedicationAdministration","status":"in-progress"})"),
            CALDICOTT_STATUS_UNKNOWN);
}

// ---------------------------------------------------------------- codes

TEST(Codes, EveryCodingKeptWithoutSystemAndWithoutCodeSkipped) {
  Seen s = ExtractOne(R"({"resourceType":"Condition","code":{"coding":[
      {"system":"http://snomed.info/sct","code":"44054006","display":"Diabetes"},
      {"system":"http://hl7.org/fhir/sid/icd-10","code":"E11"},
      {"code":"C10.."},
      {"system":"http://snomed.info/sct","display":"no code"}],"text":"Type 2 diabetes"}})");
  EXPECT_EQ(s.codes, (CodeList{{"http://snomed.info/sct", "44054006"},
                               {"http://hl7.org/fhir/sid/icd-10", "E11"},
                               {"", "C10.."}}));
  EXPECT_THAT(ExtractOne(R"({"resourceType":"Condition","code":{"text":"only text"}})").codes,
              IsEmpty());
  // Escapes are decoded.
  EXPECT_EQ(
      ExtractOne(
          R"({"resourceType":"Observation","code":{"coding":[{"system":"s","code":"a\"b\u00e9"}]}})")
          .codes,
      (CodeList{{"s", "a\"b\xc3\xa9"}}));
}

TEST(Codes, MedicationCodeableConceptContainedAndInTheBundle) {
  std::string bundle = MakeBundle(
      "collection",
      {Entry(
           R"({"resourceType":"MedicationRequest","id":"cc","medicationCodeableConcept":{"coding":[{"system":"https://dmd.nhs.uk","code":"39113611000001102"}]}})"),
       Entry(R"({"resourceType":"MedicationRequest","id":"contained","contained":[
           {"resourceType":"Organization","id":"m1"},
           {"resourceType":"Medication","id":"m1","code":{"coding":[{"system":"https://dmd.nhs.uk","code":"111"}]}}],
           "medicationReference":{"reference":"#m1"}})"),
       Entry(
           R"({"resourceType":"MedicationStatement","id":"uuid","medicationReference":{"reference":"urn:uuid:7b2f1f64-0000-4000-8000-000000000001"}})"),
       Entry(
           R"({"resourceType":"MedicationStatement","id":"relative","medicationReference":{"reference":"Medication/m2"}})"),
       Entry(
           R"({"resourceType":"MedicationRequest","id":"absolute","medicationReference":{"reference":"https://gp.example/fhir/Medication/m3/_history/2"}})"),
       Entry(
           R"({"resourceType":"MedicationRequest","id":"missing","medicationReference":{"reference":"Medication/nowhere","display":"Something"}})"),
       Entry(
           R"({"resourceType":"MedicationRequest","id":"wrongtype","medicationReference":{"reference":"Organization/o"}})"),
       Entry(
           R"({"resourceType":"Medication","code":{"coding":[{"system":"https://dmd.nhs.uk","code":"222"}]}})",
           "urn:uuid:7b2f1f64-0000-4000-8000-000000000001"),
       Entry(
           R"({"resourceType":"Medication","id":"m2","code":{"coding":[{"system":"https://dmd.nhs.uk","code":"333"},{"system":"http://snomed.info/sct","code":"444"}]}})"),
       Entry(
           R"({"resourceType":"Medication","id":"m3","code":{"coding":[{"system":"https://dmd.nhs.uk","code":"555"}]}})",
           "https://gp.example/fhir/Medication/m3"),
       Entry(R"({"resourceType":"Organization","id":"o"})")});
  auto seen = Extract(bundle);
  ASSERT_EQ(seen.size(), 11u);
  EXPECT_EQ(seen[0].codes, (CodeList{{"https://dmd.nhs.uk", "39113611000001102"}}));
  EXPECT_EQ(seen[1].codes, (CodeList{{"https://dmd.nhs.uk", "111"}}));
  EXPECT_EQ(seen[2].codes, (CodeList{{"https://dmd.nhs.uk", "222"}}));
  EXPECT_EQ(seen[3].codes,
            (CodeList{{"https://dmd.nhs.uk", "333"}, {"http://snomed.info/sct", "444"}}));
  EXPECT_EQ(seen[4].codes, (CodeList{{"https://dmd.nhs.uk", "555"}}));
  EXPECT_THAT(seen[5].codes, IsEmpty());
  EXPECT_THAT(seen[6].codes, IsEmpty());
  // The Medication itself carries its code; it is supporting.
  EXPECT_EQ(seen[8].category, Category::kSupporting);
  EXPECT_EQ(seen[8].codes.size(), 2u);
}

TEST(Codes, DeviceUseStatementUsesTheDeviceType) {
  auto seen = Extract(MakeBundle(
      "collection",
      {Entry(R"({"resourceType":"DeviceUseStatement","id":"u","device":{"reference":"Device/d"}})"),
       Entry(
           R"({"resourceType":"Device","id":"d","type":{"coding":[{"system":"http://snomed.info/sct","code":"25062003"}]}})")}));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].kind, CALDICOTT_KIND_DEVICE);
  EXPECT_EQ(seen[0].codes, (CodeList{{"http://snomed.info/sct", "25062003"}}));
  EXPECT_EQ(seen[1].codes, seen[0].codes);
}

TEST(Labels, MetaSecurity) {
  Seen s = ExtractOne(R"({"resourceType":"Condition","meta":{"versionId":"1","security":[
      {"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"},
      {"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"},
      {"code":"X"}],"tag":[{"system":"t","code":"not-a-label"}]}})");
  EXPECT_EQ(s.labels, (CodeList{{"http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "R"},
                                {"http://terminology.hl7.org/CodeSystem/v3-ActCode", "HIV"},
                                {"", "X"}}));
  EXPECT_THAT(ExtractOne(R"({"resourceType":"Condition","meta":{}})").labels, IsEmpty());
}

// ---------------------------------------------------------------- dates

TEST(Dates, ParseDate) {
  EXPECT_EQ(ParseDate("1970-01-01"), 0);
  EXPECT_EQ(ParseDate("1969-12-31"), -1);
  EXPECT_EQ(ParseDate("2000-03-01"), 11017);
  EXPECT_EQ(ParseDate("2024-02-29"), 19782);
  EXPECT_EQ(ParseDate("0001-01-01"), -719162);
  EXPECT_EQ(ParseDate("9999-12-31"), 2932896);
  // Partial dates: the first day of the period.
  EXPECT_EQ(ParseDate("2021"), ParseDate("2021-01-01"));
  EXPECT_EQ(ParseDate("2021-07"), ParseDate("2021-07-01"));
  // dateTime and instant: the date as written; the time and zone are checked.
  EXPECT_EQ(ParseDate("2021-07-14T23:30:00+14:00"), ParseDate("2021-07-14"));
  EXPECT_EQ(ParseDate("2021-07-14T00:30:00-05:00"), ParseDate("2021-07-14"));
  EXPECT_EQ(ParseDate("2021-07-14T10:00:00Z"), ParseDate("2021-07-14"));
  EXPECT_EQ(ParseDate("2021-07-14T10:00:00.123456Z"), ParseDate("2021-07-14"));
  EXPECT_EQ(ParseDate("2016-12-31T23:59:60Z"), ParseDate("2016-12-31"));
  for (const char* bad : {"",
                          "0000",
                          "202",
                          "20211",
                          "2021-",
                          "2021-1",
                          "2021-13",
                          "2021-00",
                          "2021-02-29",
                          "2021-04-31",
                          "2021-04-00",
                          "2021-04-1",
                          "2021/04/01",
                          " 2021",
                          "2021 ",
                          "2021-07-14T",
                          "2021-07-14T10:00:00",
                          "2021-07-14T10:00Z",
                          "2021-07-14T24:00:00Z",
                          "2021-07-14T10:60:00Z",
                          "2021-07-14T10:00:61Z",
                          "2021-07-14T10:00:00.Z",
                          "2021-07-14T10:00:00+14:01",
                          "2021-07-14T10:00:00+15:00",
                          "2021-07-14T10:00:00+0100",
                          "2021-07-14T10:00:00z",
                          "2021-07-14X",
                          "2021-07-14T10:00:00ZZ",
                          "２０２１"}) {
    EXPECT_EQ(ParseDate(bad), std::nullopt) << bad;
  }
}

TEST(Dates, FirstPresentField) {
  auto date = [](std::string fields) {
    return ExtractOne(R"({"resourceType":"Condition",)" + fields + "}").date;
  };
  EXPECT_EQ(date(R"("onsetDateTime":"2001-01-01","recordedDate":"2002-02-02")"), Day(2002, 2, 2));
  EXPECT_EQ(date(R"("onsetDateTime":"2001-01-01")"), Day(2001, 1, 1));
  EXPECT_EQ(date(R"("onsetPeriod":{"start":"2001-05","end":"2003"})"), Day(2001, 5, 1));
  // An onset that is not a date (Age, string) is not a date: the next field counts.
  EXPECT_EQ(date(R"("onsetString":"childhood","onsetAge":{"value":3},"period":{"start":"1999"})"),
            Day(1999, 1, 1));
  EXPECT_EQ(date(R"("onsetPeriod":{"end":"2003"})"), CALDICOTT_NO_DATE);
  // The first present one decides, even when it cannot be read.
  EXPECT_EQ(date(R"("recordedDate":"yesterday","onsetDateTime":"2001-01-01")"), CALDICOTT_NO_DATE);
  EXPECT_EQ(date(R"("recordedDate":20010101,"onsetDateTime":"2001-01-01")"), CALDICOTT_NO_DATE);
  EXPECT_EQ(date(R"("note":[{"text":"2001"}])"), CALDICOTT_NO_DATE);

  auto of = [](std::string type, std::string fields) {
    return ExtractOne(R"({"resourceType":")" + type + "\"," + fields + "}").date;
  };
  EXPECT_EQ(of("Observation", R"("effectiveDateTime":"2010-10-10T10:10:10+01:00")"),
            Day(2010, 10, 10));
  EXPECT_EQ(of("Observation", R"("effectivePeriod":{"start":"2010-10-11"})"), Day(2010, 10, 11));
  EXPECT_EQ(of("Observation", R"("effectiveInstant":"2010-10-12T00:00:00Z")"), Day(2010, 10, 12));
  EXPECT_EQ(of("Observation",
               R"("effectiveTiming":{"event":["2010-10-13"]},"issued":"2011-01-01T00:00:00Z")"),
            CALDICOTT_NO_DATE);
  EXPECT_EQ(of("MedicationRequest", R"("authoredOn":"2011-11-11")"), Day(2011, 11, 11));
  EXPECT_EQ(of("ServiceRequest", R"("occurrenceDateTime":"2012-12-12","authoredOn":"2011-11-11")"),
            Day(2011, 11, 11));
  EXPECT_EQ(of("ServiceRequest", R"("occurrencePeriod":{"start":"2012-12-13"})"),
            Day(2012, 12, 13));
  EXPECT_EQ(of("Immunization", R"("occurrenceDateTime":"2013-01-13")"), Day(2013, 1, 13));
  EXPECT_EQ(of("Procedure", R"("performedDateTime":"2014-02-14")"), Day(2014, 2, 14));
  EXPECT_EQ(of("Procedure", R"("performedPeriod":{"start":"2014-02-15T08:00:00Z"})"),
            Day(2014, 2, 15));
  EXPECT_EQ(of("Encounter", R"("period":{"start":"2015-03-15"})"), Day(2015, 3, 15));
  EXPECT_EQ(of("AllergyIntolerance", R"("recordedDate":"2016-04-16","onsetDateTime":"2000")"),
            Day(2016, 4, 16));
  EXPECT_EQ(of("Flag", R"("period":{"start":"2017"})"), Day(2017, 1, 1));
}

// ---------------------------------------------------------------- filtering

// A small GP record, pretty-printed, built from its entries so that tests
// can say exactly which bytes the output must hold.
const char* const kRecordHead = R"({
  "resourceType": "Bundle",
  "id": "record",
  "type": "collection",
  "entry": [
    )";
const char* const kRecordTail = R"(
  ]
}
)";
const std::vector<std::string> kRecordEntries = {
    R"({
      "fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000001",
      "resource": {
        "resourceType": "Patient",
        "id": "pat",
        "generalPractitioner": [ { "reference": "urn:uuid:00000000-0000-4000-8000-000000000002" } ],
        "managingOrganization": { "reference": "Organization/practice" }
      }
    })",
    R"({
      "fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000002",
      "resource": {
        "resourceType": "Organization",
        "id": "practice",
        "identifier": [ { "system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "A81001" } ]
      }
    })",
    R"({
      "fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000003",
      "resource": {
        "resourceType": "Condition",
        "id": "diabetes",
        "clinicalStatus": { "coding": [ { "code": "active" } ] },
        "code": { "coding": [ { "system": "http://snomed.info/sct", "code": "44054006" } ] },
        "subject": { "reference": "urn:uuid:00000000-0000-4000-8000-000000000001" },
        "recorder": { "reference": "Practitioner/gp" }
      }
    })",
    R"({
      "fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000004",
      "resource": {
        "resourceType": "MedicationRequest",
        "id": "metformin",
        "status": "active",
        "medicationReference": { "reference": "Medication/met" },
        "requester": { "reference": "PractitionerRole/gp-role" }
      }
    })",
    R"({
      "fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000005",
      "resource": { "resourceType": "Medication", "id": "met",
        "code": { "coding": [ { "system": "https://dmd.nhs.uk", "code": "325278007" } ] } }
    })",
    R"({ "resource": { "resourceType": "Practitioner", "id": "gp" } })",
    R"({ "resource": { "resourceType": "PractitionerRole", "id": "gp-role",
        "practitioner": { "reference": "Practitioner/locum" },
        "organization": { "reference": "Organization/federation" },
        "location": [ { "reference": "Location/surgery" } ] } })",
    R"({ "resource": { "resourceType": "Practitioner", "id": "locum" } })",
    R"({ "resource": { "resourceType": "Organization", "id": "federation",
        "partOf": { "reference": "Organization/icb" } } })",
    R"({ "resource": { "resourceType": "Organization", "id": "icb" } })",
    R"({ "resource": { "resourceType": "Location", "id": "surgery" } })",
    R"({ "resource": { "resourceType": "Practitioner", "id": "unreferenced" } })",
    R"({ "resource": { "resourceType": "Provenance", "id": "prov",
        "target": [ { "reference": "Condition/diabetes" } ], "agent": [ { "who": { "reference": "Practitioner/unreferenced" } } ] } })",
};

std::string RecordWith(const std::vector<size_t>& kept) {
  std::string out = kRecordHead;
  for (size_t k = 0; k < kept.size(); ++k) {
    out += (k > 0 ? ",\n    " : "") + kRecordEntries[kept[k]];
  }
  return out + kRecordTail;
}

const std::string kRecord = RecordWith({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});

TEST(Filter, SupportingResourcesFollowWhatIsKept) {
  FilterResult all = FilterOk(kRecord, ShareAll());
  EXPECT_THAT(all.practices, ElementsAre("A81001"));
  EXPECT_THAT(OutputIds(all.output),
              ElementsAre("Patient/pat", "Organization/practice", "Condition/diabetes",
                          "MedicationRequest/metformin", "Medication/met", "Practitioner/gp",
                          "PractitionerRole/gp-role", "Practitioner/locum",
                          "Organization/federation", "Organization/icb", "Location/surgery"));
  auto outcomes = Outcomes(all);
  EXPECT_EQ(outcomes["Patient/pat"], Outcome::kPatient);
  EXPECT_EQ(outcomes["Organization/practice"], Outcome::kSupportingReferenced);
  EXPECT_EQ(outcomes["Organization/icb"], Outcome::kSupportingReferenced);
  EXPECT_EQ(outcomes["Practitioner/unreferenced"], Outcome::kSupportingUnreferenced);
  EXPECT_EQ(outcomes["Provenance/prov"], Outcome::kUnclassified);
  EXPECT_EQ(all.kept, 11u);
  EXPECT_EQ(all.withheld, 2u);

  // Only the problem: the prescriber's role and all it brings go.
  FilterResult problems = FilterOk(kRecord, ShareKinds({CALDICOTT_KIND_PROBLEM}));
  EXPECT_THAT(OutputIds(problems.output), ElementsAre("Patient/pat", "Organization/practice",
                                                      "Condition/diabetes", "Practitioner/gp"));
  outcomes = Outcomes(problems);
  EXPECT_EQ(outcomes["MedicationRequest/metformin"], Outcome::kNoShareMatched);
  EXPECT_EQ(outcomes["Medication/met"], Outcome::kSupportingUnreferenced);

  // Nothing clinical: the Patient and what it references.
  FilterResult none = FilterOk(kRecord, ShareNone());
  EXPECT_THAT(OutputIds(none.output), ElementsAre("Patient/pat", "Organization/practice"));
}

TEST(Filter, KeptEntriesAreCopiedByteForByte) {
  // Everything before the first entry, each kept entry with the separator
  // before it, and everything after the last entry, exactly.
  EXPECT_EQ(FilterOk(kRecord, ShareKinds({CALDICOTT_KIND_MEDICATION})).output,
            RecordWith({0, 1, 3, 4, 6, 7, 8, 9, 10}));
  EXPECT_EQ(FilterOk(kRecord, ShareKinds({CALDICOTT_KIND_PROBLEM})).output,
            RecordWith({0, 1, 2, 5}));
}

TEST(Filter, NothingChangedIsIdentical) {
  std::string in = MakeBundle(
      "collection",
      {Entry(R"({"resourceType":"Patient","id":"p"})"),
       Entry(R"({"resourceType":"Observation","id":"o","subject":{"reference":"Patient/p"}})")},
      R"(,"meta":{"lastUpdated":"2024-01-01T00:00:00Z"},"signature":{"data":"c2ln"})");
  FilterResult r = FilterOk(in, ShareAll());
  EXPECT_EQ(r.output, in);
}

TEST(Filter, SeparatorsAndWhitespaceArePreserved) {
  std::string in = "\xef\xbb\xbf";  // a UTF-8 byte order mark is not JSON whitespace
  EXPECT_EQ(ParseError(in + "{}").rfind("not valid JSON", 0), 0u);

  in = "\r\n\t{ \"resourceType\" :\"Bundle\" ,\"entry\"\t:\r\n[\t"
       "{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"a\"}}  ,  "
       "{\"resource\":{\"resourceType\":\"Condition\",\"id\":\"b\"}}\n,\n"
       "{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"c\"}} \r\n] , \"type\" : "
       "\"collection\"  }\n\n";
  auto observations = ShareKinds({CALDICOTT_KIND_OBSERVATION});
  EXPECT_EQ(FilterOk(in, observations).output,
            "\r\n\t{ \"resourceType\" :\"Bundle\" ,\"entry\"\t:\r\n[\t"
            "{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"a\"}}\n,\n"
            "{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"c\"}} \r\n] , \"type\" : "
            "\"collection\"  }\n\n");
  EXPECT_EQ(FilterOk(in, ShareKinds({CALDICOTT_KIND_PROBLEM})).output,
            "\r\n\t{ \"resourceType\" :\"Bundle\" ,\"entry\"\t:\r\n[\t"
            "{\"resource\":{\"resourceType\":\"Condition\",\"id\":\"b\"}} \r\n] , \"type\" : "
            "\"collection\"  }\n\n");
  // Nothing kept: no empty `entry` array (FHIR forbids it).
  EXPECT_EQ(FilterOk(in, ShareNone()).output,
            "\r\n\t{ \"resourceType\" :\"Bundle\" , \"type\" : \"collection\"  }\n\n");
  // `entry` last.
  EXPECT_EQ(FilterOk(R"({"resourceType":"Bundle", "entry":[{"resource":{"resourceType":"Flag"}}]})",
                     ShareNone())
                .output,
            R"({"resourceType":"Bundle"})");
  // An empty entry array stays as it was.
  EXPECT_EQ(FilterOk(R"({"resourceType":"Bundle","entry":[ ]})", ShareNone()).output,
            R"({"resourceType":"Bundle","entry":[ ]})");
}

TEST(Filter, SearchsetTotalIsDropped) {
  std::string in =
      R"({"resourceType":"Bundle","type":"searchset","total":3,"link":[{"relation":"self","url":"https://x/Condition?patient=p"}],"entry":[)"
      R"({"fullUrl":"https://x/Condition/1","resource":{"resourceType":"Condition","id":"1"},"search":{"mode":"match","score":1}},)"
      R"({"fullUrl":"https://x/Observation/2","resource":{"resourceType":"Observation","id":"2"},"search":{"mode":"match"}},)"
      R"({"resource":{"resourceType":"OperationOutcome","issue":[]},"search":{"mode":"outcome"}}]})";
  FilterResult r = FilterOk(in, ShareKinds({CALDICOTT_KIND_PROBLEM}));
  EXPECT_EQ(
      r.output,
      R"({"resourceType":"Bundle","type":"searchset","link":[{"relation":"self","url":"https://x/Condition?patient=p"}],"entry":[)"
      R"({"fullUrl":"https://x/Condition/1","resource":{"resourceType":"Condition","id":"1"},"search":{"mode":"match","score":1}}]})");
  // Dropped even when everything is kept, and the signature with it.
  std::string all = MakeBundle("searchset", {Entry(R"({"resourceType":"Condition","id":"1"})")},
                               R"(,"total":1,"signature":{"data":"c2ln"})");
  EXPECT_EQ(
      FilterOk(all, ShareAll()).output,
      R"({"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Condition","id":"1"}}]})");
}

TEST(Filter, TransactionEntriesKeepTheirRequest) {
  std::string in = R"({"resourceType":"Bundle","type":"transaction","entry":[
  {"fullUrl":"urn:uuid:aaaaaaaa-0000-4000-8000-000000000001","resource":{"resourceType":"Patient","active":true},"request":{"method":"POST","url":"Patient"}},
  {"fullUrl":"urn:uuid:aaaaaaaa-0000-4000-8000-000000000002","resource":{"resourceType":"Condition","subject":{"reference":"urn:uuid:aaaaaaaa-0000-4000-8000-000000000001"}},"request":{"method":"POST","url":"Condition"}},
  {"fullUrl":"urn:uuid:aaaaaaaa-0000-4000-8000-000000000003","resource":{"resourceType":"Observation"},"request":{"method":"PUT","url":"Observation?identifier=x"}}
]})";
  FilterResult r = FilterOk(in, ShareKinds({CALDICOTT_KIND_OBSERVATION}));
  EXPECT_EQ(r.output, R"({"resourceType":"Bundle","type":"transaction","entry":[
  {"fullUrl":"urn:uuid:aaaaaaaa-0000-4000-8000-000000000001","resource":{"resourceType":"Patient","active":true},"request":{"method":"POST","url":"Patient"}},
  {"fullUrl":"urn:uuid:aaaaaaaa-0000-4000-8000-000000000003","resource":{"resourceType":"Observation"},"request":{"method":"PUT","url":"Observation?identifier=x"}}
]})");
  // A DELETE has no resource: fail closed.
  EXPECT_EQ(
      ParseError(
          R"({"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"DELETE","url":"Patient/1"}}]})"),
      "`Bundle.entry[0]` has no resource");
}

TEST(Filter, DecisionsAndExplanation) {
  std::vector<std::string> seen_codes;
  DecideFn decide = [&](std::span<const caldicott_entry> entries,
                        std::span<caldicott_decision> out) {
    for (size_t i = 0; i < entries.size(); ++i) {
      const caldicott_entry& e = entries[i];
      EXPECT_EQ(e.flags, 0u);
      for (const auto& [system, code] : Codes({e.codings, e.coding_count})) {
        seen_codes.push_back(system + "|" + code);
      }
      if (e.kind == CALDICOTT_KIND_PROBLEM)
        out[i] = {CALDICOTT_WITHHOLD, CALDICOTT_REASON_EXCLUDED, 9};
      if (e.kind == CALDICOTT_KIND_MEDICATION) out[i] = Share(4);
      // Anything else is left untouched: withheld, fail closed.
    }
  };
  FilterOptions options;
  options.explain = true;
  options.batch_size = 1;
  FilterResult r = Filter(kRecord, options, Always, decide);
  ASSERT_EQ(r.status, FilterResult::Status::kFiltered);
  EXPECT_THAT(seen_codes,
              ElementsAre("http://snomed.info/sct|44054006", "https://dmd.nhs.uk|325278007"));
  ASSERT_EQ(r.entries.size(), 13u);
  const EntryReport& condition = r.entries[2];
  EXPECT_EQ(condition.resource_type, "Condition");
  EXPECT_EQ(condition.id, "diabetes");
  EXPECT_EQ(condition.full_url, "urn:uuid:00000000-0000-4000-8000-000000000003");
  EXPECT_EQ(condition.kind, CALDICOTT_KIND_PROBLEM);
  EXPECT_EQ(condition.status, CALDICOTT_STATUS_ACTIVE);
  EXPECT_FALSE(condition.kept);
  EXPECT_EQ(condition.outcome, Outcome::kExcluded);
  EXPECT_EQ(condition.decision.rule, 9u);
  const EntryReport& med = r.entries[3];
  EXPECT_TRUE(med.kept);
  EXPECT_EQ(med.outcome, Outcome::kShared);
  EXPECT_EQ(med.status, CALDICOTT_STATUS_CURRENT);
  EXPECT_EQ(med.decision.rule, 4u);
  // Not decided by the callback at all: withheld.
  FilterResult untouched = FilterOk(kRecord, [](auto, auto) {});
  EXPECT_EQ(Outcomes(untouched)["Condition/diabetes"], Outcome::kWithheldByEngine);
  EXPECT_EQ(untouched.entries[2].decision.reason, CALDICOTT_REASON_NO_ENGINE);
  EXPECT_THAT(OutputIds(untouched.output), ElementsAre("Patient/pat", "Organization/practice"));
}

TEST(Filter, DoesNotApply) {
  std::vector<std::string> asked;
  FilterResult r = Filter(
      kRecord, {},
      [&](std::span<const std::string> practices) {
        asked.assign(practices.begin(), practices.end());
        return false;
      },
      ShareAll());
  EXPECT_EQ(r.status, FilterResult::Status::kDoesNotApply);
  EXPECT_THAT(r.output, IsEmpty());
  EXPECT_THAT(asked, ElementsAre("A81001"));
  // Bad input is an error before anything else.
  EXPECT_EQ(Filter(
                "[]", {}, [](auto) { return false; }, ShareAll())
                .status,
            FilterResult::Status::kError);
}

TEST(Practice, FromGeneralPractitioner) {
  auto practices = [](std::vector<std::string> entries) {
    PaddedBuffer input(MakeBundle("collection", entries));
    std::string error;
    auto bundle = Bundle::Parse(input, {}, error);
    EXPECT_NE(bundle, nullptr) << error;
    return bundle ? bundle->practices() : std::vector<std::string>{};
  };
  std::string ods =
      R"("identifier":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":")";
  // An Organization elsewhere in the Bundle (after the Patient).
  EXPECT_THAT(
      practices(
          {Entry(
               R"({"resourceType":"Patient","generalPractitioner":[{"reference":"Organization/o"}]})"),
           Entry(R"({"resourceType":"Organization","id":"o",)" + ods + R"(B82001"}]})")}),
      ElementsAre("B82001"));
  // The identifier on the reference itself.
  EXPECT_THAT(
      practices({Entry(
          R"({"resourceType":"Patient","generalPractitioner":[{"type":"Organization","identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"C83001"}}]})")}),
      ElementsAre("C83001"));
  // A contained Organization.
  EXPECT_THAT(
      practices({Entry(
          R"({"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"gp",)" +
          ods + R"(D84001"}]}],"generalPractitioner":[{"reference":"#gp"}]})")}),
      ElementsAre("D84001"));
  // Another identifier system, a Practitioner, an absent Organization: none.
  EXPECT_THAT(
      practices(
          {Entry(
               R"({"resourceType":"Patient","generalPractitioner":[{"reference":"Practitioner/x"},{"reference":"Organization/absent"}]})"),
           Entry(R"({"resourceType":"Practitioner","id":"x",)" + ods + R"(E85001"}]})"),
           Entry(
               R"({"resourceType":"Organization","id":"y","identifier":[{"system":"urn:other","value":"F86001"}]})")}),
      IsEmpty());
  // Two Patients naming two practices: both, sorted.
  EXPECT_THAT(
      practices(
          {Entry(
               R"({"resourceType":"Patient","id":"1","generalPractitioner":[{"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"Z1"}}]})"),
           Entry(
               R"({"resourceType":"Patient","id":"2","generalPractitioner":[{"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"A1"}}]})")}),
      ElementsAre("A1", "Z1"));
}

TEST(Filter, KeptWithoutADecisionMeansNothingElseInside) {
  std::string in = MakeBundle(
      "collection",
      {Entry(
           R"({"resourceType":"Patient","id":"p","contained":[{"resourceType":"Observation","id":"secret"}],"generalPractitioner":[{"reference":"Organization/o"}]})"),
       Entry(
           R"({"resourceType":"Organization","id":"o","contained":[{"resourceType":"Location","id":"l"}]})"),
       Entry(
           R"({"resourceType":"MedicationRequest","id":"mr","medicationReference":{"reference":"Medication/m"},"performer":{"reference":"Practitioner/x"}})"),
       Entry(
           R"({"resourceType":"Medication","id":"m","contained":[{"resourceType":"Substance","id":"s"},{"resourceType":"Organization","id":"maker"}]})"),
       Entry(
           R"({"resourceType":"Practitioner","id":"x","contained":[{"resourceType":"Condition","id":"c"}]})")});
  FilterResult r = FilterOk(in, ShareAll());
  auto outcomes = Outcomes(r);
  EXPECT_EQ(outcomes["Patient/p"], Outcome::kContainsUnsupported);
  EXPECT_EQ(outcomes["Practitioner/x"], Outcome::kContainsUnsupported);
  EXPECT_EQ(outcomes["Medication/m"], Outcome::kSupportingReferenced);
  // The Organization is referenced only by the withheld Patient.
  EXPECT_EQ(outcomes["Organization/o"], Outcome::kSupportingUnreferenced);
  EXPECT_THAT(OutputIds(r.output), ElementsAre("MedicationRequest/mr", "Medication/m"));
  EXPECT_EQ(OutcomeText(Outcome::kContainsUnsupported),
            "withheld: contains resources that are neither patient nor supporting");
}

TEST(Filter, ExceptionsDoNotEscape) {
  FilterResult r = Filter(kRecord, {}, Always,
                          [](auto, auto) -> void { throw std::runtime_error("engine exploded"); });
  EXPECT_EQ(r.status, FilterResult::Status::kError);
  EXPECT_EQ(r.error, "internal error: engine exploded");
  EXPECT_THAT(r.output, IsEmpty());
}

// ---------------------------------------------------------------- documents

constexpr std::string_view kDocument = R"({"resourceType":"Bundle","type":"document","entry":[
{"fullUrl":"urn:uuid:c0000000-0000-4000-8000-000000000000","resource":{"resourceType":"Composition","id":"doc","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">HIV, asthma</div>"},"status":"final","subject":{"reference":"Patient/p"},"author":[{"reference":"Practitioner/author"}],"title":"Summary",
 "section":[
  {"title":"Problems","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">HIV; asthma</div>"},"entry":[{"reference":"Condition/hiv"},{"reference":"urn:uuid:c0000000-0000-4000-8000-000000000002"}]},
  {"title":"Sensitive","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">HIV</div>"},"entry":[{"reference":"Condition/hiv"}]},
  {"title":"Nested","section":[{"title":"Inner","entry":[{"reference":"Condition/hiv"}]},{"title":"Kept","entry":[{"display":"no reference"},{"reference":"Observation/obs"}]}]},
  {"title":"Empty","emptyReason":{"text":"nothing"}}
 ]}},
{"resource":{"resourceType":"Patient","id":"p"}},
{"resource":{"resourceType":"Practitioner","id":"author"}},
{"resource":{"resourceType":"Condition","id":"hiv","code":{"coding":[{"system":"http://snomed.info/sct","code":"86406008"}]}}},
{"fullUrl":"urn:uuid:c0000000-0000-4000-8000-000000000002","resource":{"resourceType":"Condition","id":"asthma"}},
{"resource":{"resourceType":"Observation","id":"obs"}},
{"resource":{"resourceType":"Composition","id":"second"}}
]})";

TEST(Document, CompositionKeptAndRewritten) {
  auto not_hiv = DecideEach([](const caldicott_entry& e) {
    for (const auto& [system, code] : Codes({e.codings, e.coding_count})) {
      if (code == "86406008")
        return caldicott_decision{CALDICOTT_WITHHOLD, CALDICOTT_REASON_EXCLUDED, 2};
    }
    return Share();
  });
  FilterResult r = FilterOk(kDocument, not_hiv);
  EXPECT_EQ(r.output, R"({"resourceType":"Bundle","type":"document","entry":[
{"fullUrl":"urn:uuid:c0000000-0000-4000-8000-000000000000","resource":{"resourceType":"Composition","id":"doc","status":"final","subject":{"reference":"Patient/p"},"author":[{"reference":"Practitioner/author"}],"title":"Summary",
 "section":[
  {"title":"Problems","entry":[{"reference":"urn:uuid:c0000000-0000-4000-8000-000000000002"}]},
  {"title":"Nested","section":[{"title":"Kept","entry":[{"reference":"Observation/obs"}]}]},
  {"title":"Empty","emptyReason":{"text":"nothing"}}
 ]}},
{"resource":{"resourceType":"Patient","id":"p"}},
{"resource":{"resourceType":"Practitioner","id":"author"}},
{"fullUrl":"urn:uuid:c0000000-0000-4000-8000-000000000002","resource":{"resourceType":"Condition","id":"asthma"}},
{"resource":{"resourceType":"Observation","id":"obs"}}
]})");
  auto outcomes = Outcomes(r);
  EXPECT_EQ(outcomes["Composition/doc"], Outcome::kComposition);
  EXPECT_EQ(outcomes["Composition/second"], Outcome::kUnclassified);
  EXPECT_EQ(outcomes["Practitioner/author"], Outcome::kSupportingReferenced);
  EXPECT_TRUE(r.entries[0].rewritten);
}

TEST(Document, UnchangedCompositionIsCopied) {
  std::string in = MakeBundle(
      "document",
      {Entry(
           R"({"resourceType":"Composition","id":"d","text":{"div":"x"},"section":[{"title":"A","entry":[{"reference":"Observation/o"}]}]})"),
       Entry(R"({"resourceType":"Observation","id":"o"})")});
  FilterResult r = FilterOk(in, ShareAll());
  EXPECT_EQ(r.output, in);
  EXPECT_FALSE(r.entries[0].rewritten);
  // Everything withheld: no section left.
  EXPECT_EQ(FilterOk(in, ShareNone()).output,
            MakeBundle("document", {Entry(R"({"resourceType":"Composition","id":"d"})")}));
  // A Composition in a collection is unclassified.
  FilterResult collection = FilterOk(
      MakeBundle("collection", {Entry(R"({"resourceType":"Composition","id":"d"})")}), ShareAll());
  EXPECT_EQ(collection.entries[0].outcome, Outcome::kUnclassified);
}

// Random damage to real-looking bundles: never a crash, and whatever is
// accepted comes out as valid JSON.
TEST(Robustness, MutatedBundles) {
  std::vector<std::string> seeds = {kRecord, std::string(kDocument)};
  uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  const char kBytes[] = "{}[],:\"\\ 0aeE-+.tfnu\x01\xff\xc3";
  size_t filtered = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string s = seeds[round % seeds.size()];
    int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      size_t at = next() % s.size();
      switch (next() % 4) {
        case 0:
          s[at] = kBytes[next() % (sizeof kBytes - 1)];
          break;
        case 1:
          s.erase(at, 1 + next() % 8);
          break;
        case 2:
          s.insert(at, 1, kBytes[next() % (sizeof kBytes - 1)]);
          break;
        default:
          s.resize(at);
          break;
      }
    }
    FilterOptions options;
    options.explain = true;
    FilterResult r = Filter(s, options, Always, ShareKinds({CALDICOTT_KIND_OBSERVATION}));
    if (r.status == FilterResult::Status::kFiltered) {
      ++filtered;
      simdjson::dom::parser parser;
      simdjson::dom::element doc;
      ASSERT_EQ(parser.parse(r.output).get(doc), simdjson::SUCCESS) << s << "\n" << r.output;
    } else {
      ASSERT_EQ(r.error.find('\n'), std::string::npos);
      ASSERT_FALSE(r.error.empty());
    }
  }
  EXPECT_GT(filtered, 1000u);
}

// ---------------------------------------------------------------- bad input

TEST(BadInput, NotJson) {
  EXPECT_EQ(ParseError(""), "not valid JSON: no JSON value");
  EXPECT_EQ(ParseError("  \n"), "not valid JSON: no JSON value");
  EXPECT_EQ(ParseError("hello"),
            "not valid JSON: a missing or extra comma, colon, bracket, brace or key");
  EXPECT_EQ(ParseError("tru"), "not valid JSON: invalid literal");
  EXPECT_EQ(ParseError(R"({"resourceType":"Bundle")"),
            "not valid JSON: a missing or extra comma, colon, bracket, brace or key");
  EXPECT_EQ(ParseError(R"({"resourceType":"Bundle",})"),
            "not valid JSON: a missing or extra comma, colon, bracket, brace or key in `Bundle`");
  EXPECT_EQ(ParseError(R"({"resourceType":"Bundle"} {})"),
            "not valid JSON: more than one JSON value");
  EXPECT_EQ(
      ParseError(
          R"({"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag","x":01}}]})"),
      "not valid JSON: invalid number in `Bundle.entry[0]`");
  EXPECT_EQ(
      ParseError(
          R"({"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag","x":tru}}]})"),
      "not valid JSON: invalid literal in `Bundle.entry[0]`");
  EXPECT_EQ(
      ParseError(R"({"resourceType":"Bundle","meta":{"a" 1}})"),
      "not valid JSON: a missing or extra comma, colon, bracket, brace or key in `Bundle.meta`");
  EXPECT_EQ(
      ParseError(R"({"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag"}},]})"),
      "not valid JSON: a missing or extra comma, colon, bracket, brace or key in "
      "`Bundle.entry[1]`");
  EXPECT_EQ(ParseError(R"({"resourceType":"Bundle","id":"a	b"})"),
            "not valid JSON: control character not escaped in a string");
  EXPECT_EQ(ParseError(R"({"resourceType":"Bundle","id":"abc)"),
            "not valid JSON: unterminated string");
  EXPECT_EQ(ParseError(R"({"resourceType":"Bundle","id":"\x"})"),
            "not valid JSON: invalid string in `Bundle.id`");
  EXPECT_EQ(ParseError(std::string("{\"resourceType\":\"Bundle\",\"id\":\"a\x01b\"}")),
            "not valid JSON: control character not escaped in a string");
  EXPECT_EQ(ParseError(std::string("{\"resourceType\":\"Bundle\",\"id\":\"a\0b\"}", 32))
                .rfind("not valid JSON: ", 0),
            0u);
}

TEST(BadInput, InvalidUtf8) {
  EXPECT_EQ(ParseError("{\"resourceType\":\"Bundle\",\"id\":\"\xff\"}"),
            "not valid JSON: invalid UTF-8");
  EXPECT_EQ(ParseError("{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":"
                       "\"Flag\",\"id\":\"\xc3\x28\"}}]}"),
            "not valid JSON: invalid UTF-8");
  EXPECT_EQ(ParseError("{\"resourceType\":\"Bundle\",\"id\":\"\xed\xa0\x80\"}"),  // a surrogate
            "not valid JSON: invalid UTF-8");
}

TEST(BadInput, NotABundle) {
  EXPECT_EQ(ParseError("[]"), "not a FHIR Bundle: the JSON value is an array, not an object");
  EXPECT_EQ(ParseError("\"Bundle\""),
            "not a FHIR Bundle: the JSON value is a string, not an object");
  EXPECT_EQ(ParseError("42"), "not a FHIR Bundle: the JSON value is a number, not an object");
  EXPECT_EQ(ParseError("null"), "not a FHIR Bundle: the JSON value is null, not an object");
  EXPECT_EQ(ParseError("{}"), "not a FHIR Bundle: no `resourceType`");
  EXPECT_EQ(ParseError(R"({"resourceType":"Patient","id":"x"})"),
            "not a FHIR Bundle: `resourceType` is `Patient`");
  EXPECT_EQ(ParseError(R"({"resourceType":["Bundle"]})"),
            "not a FHIR Bundle: `resourceType` is not a string");
  EXPECT_EQ(ParseError("{\"resourceType\":\"Bund\\u0000le\\n\"}"),
            "not a FHIR Bundle: `resourceType` is `Bund\\x00le\\x0a`");
  // JSON errors come first, even inside a List's entries.
  EXPECT_EQ(ParseError(R"({"resourceType":"List","entry":[{"item":nul}]})"),
            "not valid JSON: invalid literal in `Bundle.entry[0]`");
  EXPECT_EQ(ParseError(R"({"resourceType":"List","entry":[{"item":{"reference":"x"}}]})"),
            "not a FHIR Bundle: `resourceType` is `List`");
}

TEST(BadInput, Entries) {
  EXPECT_EQ(ParseError(R"({"resourceType":"Bundle","entry":{}})"),
            "`Bundle.entry` is not an array");
  EXPECT_EQ(ParseError(R"({"resourceType":"Bundle","entry":[1]})"),
            "`Bundle.entry[0]` is not an object");
  EXPECT_EQ(ParseError(
                R"({"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag"}},[{}]]})"),
            "`Bundle.entry[1]` is not an object");
  EXPECT_EQ(ParseError(R"({"resourceType":"Bundle","entry":[{"fullUrl":"urn:uuid:1"}]})"),
            "`Bundle.entry[0]` has no resource");
  EXPECT_EQ(ParseError(R"({"resourceType":"Bundle","entry":[{"resource":"Patient/1"}]})"),
            "`Bundle.entry[0].resource` is not an object");
  EXPECT_EQ(ParseError(R"({"resourceType":"Bundle","entry":[{"resource":{"id":"1"}}]})"),
            "`Bundle.entry[0].resource` has no `resourceType`");
  EXPECT_EQ(ParseError(R"({"resourceType":"Bundle","entry":[{"resource":{"resourceType":7}}]})"),
            "`Bundle.entry[0].resource.resourceType` is not a string");
  EXPECT_EQ(
      ParseError(
          R"({"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag","id":1}}]})"),
      "`Bundle.entry[0].resource.id` is not a string");
  EXPECT_EQ(
      ParseError(
          R"({"resourceType":"Bundle","entry":[{"fullUrl":null,"resource":{"resourceType":"Flag"}}]})"),
      "`Bundle.entry[0].fullUrl` is not a string");
}

TEST(BadInput, Duplicates) {
  EXPECT_EQ(
      ParseError(MakeBundle("collection", {Entry(R"({"resourceType":"Condition","id":"1"})"),
                                           Entry(R"({"resourceType":"Observation","id":"1"})"),
                                           Entry(R"({"resourceType":"Condition","id":"1"})")})),
      "duplicate resource `Condition/1` in `Bundle.entry[0]` and `Bundle.entry[2]`");
  EXPECT_EQ(ParseError(MakeBundle("collection",
                                  {Entry(R"({"resourceType":"Condition"})", "urn:uuid:x"),
                                   Entry(R"({"resourceType":"Observation"})", "urn:uuid:x")})),
            "duplicate fullUrl `urn:uuid:x` in `Bundle.entry[0]` and `Bundle.entry[1]`");
  EXPECT_EQ(ParseError(R"({"resourceType":"Bundle","type":"collection","type":"document"})"),
            "duplicate key `type` in `Bundle`");
  // A second `code` that some readers would take instead of the first.
  EXPECT_EQ(
      ParseError(MakeBundle(
          "collection",
          {Entry(
              R"({"resourceType":"Condition","code":{"coding":[]},"code":{"coding":[{"code":"x"}]}})")})),
      "duplicate key `code` in `Bundle.entry[0]`");
  std::string many = R"({"resourceType":"Condition")";
  for (int i = 0; i < 40; ++i) many += ",\"k" + std::to_string(i) + "\":1";
  EXPECT_EQ(ParseError(MakeBundle("collection", {Entry(many + R"(,"k7":2})")})),
            "duplicate key `k7` in `Bundle.entry[0]`");
  // Escaped and plain spellings are the same key.
  EXPECT_EQ(
      ParseError(MakeBundle(
          "collection",
          {Entry(R"({"resourceType":"Condition","meta":{"security":[],"\u0073ecurity":[]}})")})),
      "duplicate key `security` in `Bundle.entry[0]`");
  // Lenient parsing (the extraction tool) lets duplicate ids through.
  EXPECT_EQ(Extract(MakeBundle("collection", {Entry(R"({"resourceType":"Condition","id":"1"})"),
                                              Entry(R"({"resourceType":"Condition","id":"1"})")}),
                    false)
                .size(),
            2u);
}

TEST(BadInput, WrongTypesOfFieldsTheAdapterReads) {
  auto error = [](std::string resource) {
    return ParseError(MakeBundle("collection", {Entry(resource)}));
  };
  EXPECT_EQ(error(R"({"resourceType":"Condition","code":{"coding":{"code":"x"}}})"),
            "`Bundle.entry[0].resource.code.coding` is not an array");
  EXPECT_EQ(error(R"({"resourceType":"Condition","code":"x"})"),
            "`Bundle.entry[0].resource.code` is not an object");
  EXPECT_EQ(
      error(
          R"({"resourceType":"Condition","code":{"coding":[{"code":"a"},{"system":1,"code":"b"}]}})"),
      "`Bundle.entry[0].resource.code.coding[1].system` is not a string");
  EXPECT_EQ(error(R"({"resourceType":"Condition","code":{"coding":[{"code":5}]}})"),
            "`Bundle.entry[0].resource.code.coding[0].code` is not a string");
  EXPECT_EQ(error(R"({"resourceType":"Condition","code":{"coding":["x"]}})"),
            "`Bundle.entry[0].resource.code.coding[0]` is not an object");
  EXPECT_EQ(error(R"({"resourceType":"Patient","meta":{"security":{"code":"R"}}})"),
            "`Bundle.entry[0].resource.meta.security` is not an array");
  EXPECT_EQ(error(R"({"resourceType":"Patient","meta":[]})"),
            "`Bundle.entry[0].resource.meta` is not an object");
  EXPECT_EQ(error(R"({"resourceType":"MedicationRequest","status":["active"]})"),
            "`Bundle.entry[0].resource.status` is not a string");
  EXPECT_EQ(error(R"({"resourceType":"MedicationRequest","medicationReference":"Medication/1"})"),
            "`Bundle.entry[0].resource.medicationReference` is not an object");
  EXPECT_EQ(error(R"({"resourceType":"Encounter","type":[{"coding":[]},7]})"),
            "`Bundle.entry[0].resource.type[1]` is not an object");
  EXPECT_EQ(
      error(R"({"resourceType":"Patient","generalPractitioner":{"reference":"Organization/1"}})"),
      "`Bundle.entry[0].resource.generalPractitioner` is not an array");
}

std::string Nested(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

TEST(BadInput, DeepNesting) {
  const std::string deep = "not valid JSON: arrays and objects nested deeper than 256 levels";
  EXPECT_EQ(ParseError(Nested(10000)), deep);
  EXPECT_EQ(ParseError(std::string(10000, '{')),
            "not valid JSON: a missing or extra comma, colon, bracket, brace or key");
  EXPECT_EQ(ParseError(R"({"resourceType":"Bundle","meta":)" + Nested(10000) + "}"),
            deep + " in `Bundle.meta`");
  EXPECT_EQ(
      ParseError(R"({"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag","x":)" +
                 Nested(10000) + "}}]}"),
      deep + " in `Bundle.entry[0]`");
  std::string objects;
  for (int i = 0; i < 10000; ++i) objects += "{\"a\":";
  objects += "1" + std::string(10000, '}');
  EXPECT_EQ(
      ParseError(R"({"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag","x":)" +
                 objects + "}}]}"),
      deep + " in `Bundle.entry[0]`");
  // Exactly at the limit: the Bundle is level 1, an entry's resource level 4.
  std::string at_limit =
      R"({"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag","x":)" +
      Nested(kMaxDepth - 4) + "}}]}";
  EXPECT_EQ(FilterOk(at_limit, ShareAll()).output, at_limit);
  std::string over =
      R"({"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Flag","x":)" +
      Nested(kMaxDepth - 3) + "}}]}";
  EXPECT_EQ(ParseError(over), deep + " in `Bundle.entry[0]`");
  EXPECT_EQ(
      FilterOk(R"({"resourceType":"Bundle","meta":)" + Nested(kMaxDepth - 1) + "}", ShareAll())
          .status,
      FilterResult::Status::kFiltered);
  EXPECT_EQ(ParseError(R"({"resourceType":"Bundle","meta":)" + Nested(kMaxDepth) + "}"),
            deep + " in `Bundle.meta`");
}

TEST(BadInput, ReferencesToAbsentResourcesAreFine) {
  FilterResult r = FilterOk(
      MakeBundle(
          "collection",
          {Entry(
              R"({"resourceType":"Condition","id":"c","subject":{"reference":"Patient/absent"},"asserter":{"reference":"https://elsewhere/Practitioner/1"},"evidence":[{"detail":[{"reference":"#nothing"},{"reference":"Observation?code=x"},{"reference":""}]}]})")}),
      ShareAll());
  EXPECT_THAT(OutputIds(r.output), ElementsAre("Condition/c"));
}

TEST(References, ResolvedAgainstFullUrlsAndTypeId) {
  auto seen = Extract(MakeBundle(
      "collection",
      {Entry(
           R"({"resourceType":"Observation","id":"o","subject":{"reference":"Patient/p"},"performer":[{"reference":"urn:uuid:prac"},{"reference":"https://a.example/fhir/Organization/org/_history/3"},{"reference":"Patient/p"}],"contained":[{"resourceType":"Provenance","agent":[{"who":{"reference":"Location/l"}}]}],"extension":[{"url":"x","valueReference":{"reference":"#c"}}]})",
           "https://a.example/fhir/Observation/o"),
       Entry(R"({"resourceType":"Patient","id":"p"})", "https://a.example/fhir/Patient/p"),
       Entry(R"({"resourceType":"Practitioner"})", "urn:uuid:prac"),
       Entry(R"({"resourceType":"Organization","id":"org"})",
             "https://a.example/fhir/Organization/org"),
       Entry(R"({"resourceType":"Location","id":"l"})"),
       // A relative reference from a RESTful fullUrl resolves against its
       // base first: this Patient/p is on another server.
       Entry(R"({"resourceType":"Condition","id":"c","subject":{"reference":"Patient/p"}})",
             "https://b.example/fhir/Condition/c"),
       Entry(
           R"({"resourceType":"Observation","id":"x","hasMember":[{"reference":"Observation/x"}]})")}));
  ASSERT_EQ(seen.size(), 7u);
  EXPECT_THAT(seen[0].references, ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(seen[5].references, ElementsAre(1));  // (type+id when the base has none)
  EXPECT_THAT(seen[6].references, IsEmpty());       // itself
}

// ---------------------------------------------------------------- the input buffer

TEST(PaddedBuffer, ReadFile) {
  std::string error;
  EXPECT_FALSE(PaddedBuffer::ReadFile("/nonexistent/bundle.json", error));
  EXPECT_EQ(error, "cannot read `/nonexistent/bundle.json`: No such file or directory");
  EXPECT_FALSE(PaddedBuffer::ReadFile("/", error));
  EXPECT_EQ(error, "cannot read `/`: Is a directory");
  auto path = std::filesystem::temp_directory_path() / ("fhir_test_" + std::to_string(getpid()));
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs(kRecord.data(), f);
    std::fclose(f);
  }
  auto buffer = PaddedBuffer::ReadFile(path, error);
  std::filesystem::remove(path);
  ASSERT_TRUE(buffer);
  EXPECT_EQ(buffer->view(), kRecord);
  EXPECT_EQ(Filter(*buffer, {}, Always, ShareAll()).output, FilterOk(kRecord, ShareAll()).output);
}

// ---------------------------------------------------------------- real data

std::filesystem::path ExamplesDir() {
  return CALDICOTT_FHIR_R4_EXAMPLES_DIR;
}

std::string ReadAll(const std::filesystem::path& p) {
  std::string error;
  auto b = PaddedBuffer::ReadFile(p, error);
  EXPECT_TRUE(b) << error;
  return b ? std::string(b->view()) : std::string();
}

// The exact bytes of every Bundle.entry element (simdjson on-demand).
std::vector<std::string> RawEntries(const std::string& json) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(json);
  std::vector<std::string> out;
  simdjson::ondemand::document doc = parser.iterate(padded);
  simdjson::ondemand::array entries;
  if (doc["entry"].get_array().get(entries)) return out;
  for (auto e : entries) {
    simdjson::ondemand::object o = e.get_object();
    std::string_view raw = o.raw_json();
    while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.back())))
      raw.remove_suffix(1);
    out.emplace_back(raw);
  }
  return out;
}

TEST(R4Examples, EveryBundleFilters) {
  // What the adapter refuses, and why.
  const std::map<std::string, std::string> refused = {
      {"Bundle-bundle-references.json",
       "duplicate resource `Observation/14` in `Bundle.entry[5]` and `Bundle.entry[6]`"},
      {"Bundle-bundle-request-medsallergies.json", "`Bundle.entry[0]` has no resource"},
      {"Bundle-bundle-request-simplesummary.json", "`Bundle.entry[0]` has no resource"},
      {"Bundle-bundle-response.json", "`Bundle.entry[1]` has no resource"},
      {"Bundle-bundle-transaction.json", "`Bundle.entry[5]` has no resource"},
      {"Bundle-dataelements.json",
       "duplicate resource `StructureDefinition/de-Quantity.value` in `Bundle.entry[144]` and "
       "`Bundle.entry[6769]`"},
  };
  size_t bundles = 0, filtered = 0, kept = 0, withheld = 0;
  for (const auto& file : std::filesystem::directory_iterator(ExamplesDir())) {
    std::string name = file.path().filename();
    if (!name.starts_with("Bundle-")) continue;
    ++bundles;
    std::string json = ReadAll(file.path());
    auto it = refused.find(name);
    if (it != refused.end()) {
      EXPECT_EQ(ParseError(json), it->second) << name;
      continue;
    }
    ++filtered;
    std::vector<std::string> in = RawEntries(json);
    int k = 0;
    std::vector<DecideFn> deciders = {
        ShareAll(), ShareNone(),
        DecideEach([&](const caldicott_entry&) { return k++ % 2 ? Share() : NoShare(); })};
    for (const DecideFn& decide : deciders) {
      FilterResult r = FilterOk(json, decide);
      ASSERT_EQ(r.status, FilterResult::Status::kFiltered) << name << ": " << r.error;
      EXPECT_EQ(OutputIds(r.output).size(), r.kept) << name;
      ASSERT_EQ(r.entries.size(), in.size()) << name;
      EXPECT_EQ(r.kept + r.withheld, in.size()) << name;
      // Every kept entry is the input's bytes (but a rewritten Composition).
      std::vector<std::string> out = RawEntries(r.output);
      std::vector<std::string> want;
      for (const EntryReport& e : r.entries) {
        if (e.kept && !e.rewritten) want.push_back(in[e.index]);
        if (e.kept && e.rewritten) want.push_back(out[want.size()]);
        if (e.category == Category::kClinical) {
          EXPECT_EQ(e.kept, e.outcome == Outcome::kShared) << name;
        }
        if (e.category == Category::kUnclassified || e.resource_type == "Composition") {
          EXPECT_EQ(e.kept, e.category == Category::kComposition) << name << " " << e.index;
        }
      }
      EXPECT_EQ(out, want) << name;
      kept += r.kept;
      withheld += r.withheld;
    }
  }
  EXPECT_EQ(bundles, 44u);
  EXPECT_EQ(filtered, 38u);
  EXPECT_GT(kept, 250u);
  EXPECT_GT(withheld, 10000u);
}

TEST(R4Examples, FatherDocument) {
  std::string json = ReadAll(ExamplesDir() / "Bundle-father.json");
  // Only the medication: the observation, allergy and encounter go, and
  // with them the Composition's sections about them.
  FilterResult r = FilterOk(json, ShareKinds({CALDICOTT_KIND_MEDICATION}));
  EXPECT_THAT(OutputIds(r.output), ElementsAre("Composition/180f219f-97a8-486d-99d9-ed631fe4fc57",
                                               "Practitioner/example", "Patient/d1",
                                               "MedicationRequest/", "MedicationStatement/"));
  EXPECT_TRUE(r.entries[0].rewritten);
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(r.output).value_unsafe();
  simdjson::dom::element composition = doc["entry"].at(0)["resource"].value_unsafe();
  EXPECT_EQ(composition["text"].error(), simdjson::NO_SUCH_FIELD);
  std::vector<std::string> titles;
  simdjson::dom::array sections = composition["section"].get_array().value_unsafe();
  for (simdjson::dom::element section : sections) {
    titles.emplace_back(section["title"].get_string().value_unsafe());
    // Nothing of this section was withheld: its narrative stays.
    EXPECT_EQ(section["text"].error(), simdjson::SUCCESS);
  }
  EXPECT_THAT(titles, ElementsAre("Medications on Discharge"));
}

TEST(R4Examples, EveryOtherResourceIsNotABundle) {
  size_t resources = 0;
  for (const auto& file : std::filesystem::directory_iterator(ExamplesDir())) {
    std::string name = file.path().filename();
    if (name.starts_with("Bundle-") || name == "package.json" || !name.ends_with(".json")) continue;
    std::string json = ReadAll(file.path());
    std::string type = name.substr(0, name.find('-'));
    PaddedBuffer input(json);
    std::string error;
    EXPECT_EQ(Bundle::Parse(input, {}, error), nullptr) << name;
    if (error.starts_with("not a FHIR Bundle: `resourceType` is `")) {
      ++resources;
    } else {
      EXPECT_EQ(error, "") << name;
    }
  }
  EXPECT_GT(resources, 5000u);
}

// ---------------------------------------------------------------- scale

long PeakRssKiB() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// A GP record of about `bytes` bytes: a Patient, its practice, and
// Conditions, Observations and MedicationRequests, pretty-printed.
std::string BigRecord(size_t bytes) {
  std::string out = R"({
  "resourceType": "Bundle",
  "type": "collection",
  "entry": [
    {
      "fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000000",
      "resource": {
        "resourceType": "Patient",
        "id": "p",
        "generalPractitioner": [ { "reference": "Organization/gp" } ]
      }
    },
    {
      "resource": {
        "resourceType": "Organization",
        "id": "gp",
        "identifier": [ { "system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "A81001" } ]
      }
    })";
  out.reserve(bytes + 4096);
  for (size_t i = 0; out.size() < bytes; ++i) {
    std::string n = std::to_string(i);
    switch (i % 3) {
      case 0:
        out += R"(,
    {
      "fullUrl": "urn:uuid:00000000-0000-4000-8000-)" +
               std::string(11 - n.size(), '0') + n + R"(1",
      "resource": {
        "resourceType": "Condition",
        "id": "c)" +
               n + R"(",
        "clinicalStatus": { "coding": [ { "system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active" } ] },
        "code": { "coding": [ { "system": "http://snomed.info/sct", "code": ")" +
               std::to_string(100000 + i % 5000) +
               R"(", "display": "A condition" } ], "text": "A condition" },
        "subject": { "reference": "Patient/p" },
        "recordedDate": "2020-03-04"
      }
    })";
        break;
      case 1:
        out += R"(,
    {
      "resource": {
        "resourceType": "Observation",
        "id": "o)" +
               n + R"(",
        "status": "final",
        "code": { "coding": [ { "system": "http://loinc.org", "code": "4548-4" }, { "system": "http://snomed.info/sct", "code": "1049301000000100" } ] },
        "subject": { "reference": "Patient/p" },
        "effectiveDateTime": "2021-05-06T10:11:12+01:00",
        "valueQuantity": { "value": 48.5, "unit": "mmol/mol", "system": "http://unitsofmeasure.org", "code": "mmol/mol" }
      }
    })";
        break;
      default:
        out += R"(,
    {
      "resource": {
        "resourceType": "MedicationRequest",
        "id": "m)" +
               n + R"(",
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": { "coding": [ { "system": "https://dmd.nhs.uk", "code": "39113611000001102" } ], "text": "Metformin 500mg tablets" },
        "subject": { "reference": "Patient/p" },
        "authoredOn": "2022-07-08",
        "dosageInstruction": [ { "text": "One tablet twice a day" } ]
      }
    })";
    }
  }
  out += "\n  ]\n}\n";
  return out;
}

// A 200 MB Bundle filters with peak memory under 3 times its size, the
// input included, read from a file as the CLI does. Run in a child process
// so that the peak is this test's alone.
TEST(Scale, TwoHundredMegabytes) {
  auto path = std::filesystem::temp_directory_path() / ("fhir_big_" + std::to_string(getpid()));
  {
    std::string json = BigRecord(200u << 20);
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(json.data(), 1, json.size(), f), json.size());
    std::fclose(f);
  }
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    long before = PeakRssKiB();
    std::string error;
    auto input = PaddedBuffer::ReadFile(path, error);
    if (!input) _exit(2);
    auto problems_withheld = DecideEach([](const caldicott_entry& e) {
      return e.kind == CALDICOTT_KIND_PROBLEM ? NoShare() : Share();
    });
    FilterResult r = Filter(*input, {}, Always, problems_withheld);
    long peak = PeakRssKiB() - before;
    double ratio = static_cast<double>(peak) * 1024 / static_cast<double>(input->view().size());
    std::fprintf(stderr, "200 MB bundle: kept %zu, withheld %zu, peak %.2f x its size %s\n", r.kept,
                 r.withheld, ratio, r.error.c_str());
    bool ok = r.status == FilterResult::Status::kFiltered && r.withheld > 100000 &&
              r.output.size() < input->view().size() && ratio < 3.0;
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  std::filesystem::remove(path);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace caldicott::fhir
