#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "compiler/schema/import.h"

namespace caldicott::schema {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

std::unique_ptr<CodeSystem> Import(const std::string& json, std::vector<ImportError>& errors) {
  return ImportFhirCodeSystem(json, "cs.json", errors);
}

std::vector<std::string> DescendantCodes(const CodeSystem& cs, std::string_view code, bool self) {
  std::vector<ConceptId> ids;
  cs.Descendants(*cs.Find(code), self, ids);
  std::vector<std::string> out;
  for (ConceptId id : ids) out.emplace_back(cs.Code(id));
  return out;
}

TEST(FhirCodeSystem, NestedAndPropertyHierarchyMixed) {
  std::vector<ImportError> errors;
  auto cs = Import(R"({
    "resourceType": "CodeSystem", "url": "http://hl7.org/fhir/sid/icd-10", "version": "2019",
    "name": "ICD10",
    "concept": [
      {"code": "IV", "display": "Endocrine diseases", "concept": [
        {"code": "E10-E14", "display": "Diabetes mellitus", "concept": [
          {"code": "E11", "display": "Type 2 diabetes mellitus"}]}]},
      {"code": "E11.9", "display": "Type 2 diabetes mellitus without complications",
       "property": [{"code": "parent", "valueCode": "E11"}]},
      {"code": "E11.8", "display": "Type 2 diabetes mellitus with unspecified complications",
       "property": [{"code": "subsumedBy", "valueCode": "E11"}]},
      {"code": "E99", "display": "Retired", "property": [{"code": "status", "valueCode": "retired"}]}
    ]})",
                   errors);
  ASSERT_NE(cs, nullptr);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(cs->name(), "icd10");
  EXPECT_EQ(cs->version(), "2019");
  EXPECT_THAT(DescendantCodes(*cs, "IV", true),
              UnorderedElementsAre("IV", "E10-E14", "E11", "E11.9", "E11.8"));
  EXPECT_FALSE(cs->Active(*cs->Find("E99")));
  EXPECT_EQ(cs->PreferredTerm(*cs->Find("E11")), "Type 2 diabetes mellitus");
}

TEST(FhirCodeSystem, UnknownUrlIsBoundByName) {
  std::vector<ImportError> errors;
  auto cs = Import(R"({"resourceType":"CodeSystem","url":"http://example.org/x","name":"LocalCodes",
                       "concept":[{"code":"a"}]})",
                   errors);
  ASSERT_NE(cs, nullptr);
  EXPECT_EQ(cs->name(), "local_codes");
}

TEST(FhirCodeSystem, RejectsWhatIsNotACodeSystem) {
  std::vector<ImportError> errors;
  EXPECT_EQ(Import(R"({"resourceType": "ValueSet"})", errors), nullptr);
  EXPECT_THAT(errors.at(0).message, HasSubstr("not a FHIR CodeSystem"));
  errors.clear();
  EXPECT_EQ(Import("{\n\"resourceType\": \"CodeSystem\",\n oops }", errors), nullptr);
  EXPECT_EQ(errors.at(0).message, "not valid JSON");
  EXPECT_EQ(errors.at(0).line, 3u);
  errors.clear();
  EXPECT_EQ(Import(R"({"resourceType":"CodeSystem","concept":[]})", errors), nullptr);
  EXPECT_THAT(errors.at(0).message, HasSubstr("no `url`"));
  errors.clear();
  EXPECT_EQ(Import(std::string(100000, '[') + std::string(100000, ']'), errors), nullptr);
  EXPECT_THAT(errors.at(0).message, HasSubstr("nests more than"));
  errors.clear();
  EXPECT_EQ(Import("\xff\xfe garbage", errors), nullptr);
  EXPECT_FALSE(errors.empty());
}

TEST(FhirCodeSystem, ReportsConceptsWithoutCodesAndDanglingParents) {
  std::vector<ImportError> errors;
  auto cs = Import(R"({"resourceType":"CodeSystem","url":"http://example.org/x","name":"x",
    "concept":[{"display":"no code"},
               {"code":"a","property":[{"code":"parent","valueCode":"missing"}]}]})",
                   errors);
  ASSERT_NE(cs, nullptr);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_THAT(errors[0].message, HasSubstr("`concept[0]` has no `code`"));
  EXPECT_THAT(errors[1].message, HasSubstr("`missing`"));
  EXPECT_EQ(cs->concept_count(), 1u);
}

#ifdef CALDICOTT_HL7_TERMINOLOGY_DIR
std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The real HL7 v3 ActCode CodeSystem: almost flat, its hierarchy given by
// `subsumedBy`. _InformationSensitivityPolicy has 48 descendants in
// hl7.terminology.r4@7.0.1.
TEST(FhirCodeSystem, RealActCodeSensitivityHierarchy) {
  std::vector<ImportError> errors;
  auto cs = ImportFhirCodeSystem(
      ReadFile(CALDICOTT_HL7_TERMINOLOGY_DIR "/CodeSystem-v3-ActCode.json"), "ActCode", errors);
  ASSERT_NE(cs, nullptr);
  EXPECT_TRUE(errors.empty()) << errors.at(0).message;
  EXPECT_EQ(cs->name(), "actcode");
  EXPECT_GE(cs->concept_count(), 1300u);
  std::vector<std::string> sensitive = DescendantCodes(*cs, "_InformationSensitivityPolicy", false);
  EXPECT_EQ(sensitive.size(), 48u);
  for (const char* code : {"ETH", "GDIS", "HIV", "PSY", "SDV", "SEX", "STD", "TBOO", "SUD"}) {
    EXPECT_THAT(sensitive, ::testing::Contains(code));
  }
  // SICKLE is retired but still below the policy: an exclusion must catch it.
  EXPECT_THAT(sensitive, ::testing::Contains("SICKLE"));
  EXPECT_FALSE(cs->Active(*cs->Find("SICKLE")));
}

TEST(FhirCodeSystem, RealConfidentiality) {
  std::vector<ImportError> errors;
  auto cs = ImportFhirCodeSystem(
      ReadFile(CALDICOTT_HL7_TERMINOLOGY_DIR "/CodeSystem-v3-Confidentiality.json"),
      "Confidentiality", errors);
  ASSERT_NE(cs, nullptr);
  EXPECT_EQ(cs->name(), "confidentiality");
  for (const char* code : {"L", "M", "N", "R", "U", "V"}) {
    ASSERT_TRUE(cs->Find(code)) << code;
    EXPECT_TRUE(cs->Active(*cs->Find(code))) << code;
  }
}
#endif

}  // namespace
}  // namespace caldicott::schema
