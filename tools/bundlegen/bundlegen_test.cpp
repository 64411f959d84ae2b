#include "tools/bundlegen/bundlegen.h"

#include <cmath>
#include <set>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

namespace caldicott::bundlegen {
namespace {

using ::testing::Contains;
using ::testing::Key;

Options Make(uint64_t bytes, uint64_t seed, BundleType type = BundleType::kCollection) {
  Options o;
  o.bytes = bytes;
  o.seed = seed;
  o.type = type;
  return o;
}

// Every `reference` string in `e`.
void CollectReferences(simdjson::dom::element e, std::vector<std::string>& out) {
  if (e.is_object()) {
    for (auto [key, value] : e.get_object()) {
      if (key == "reference" && value.is_string()) {
        out.emplace_back(std::string_view(value.get_string()));
      } else {
        CollectReferences(value, out);
      }
    }
  } else if (e.is_array()) {
    for (simdjson::dom::element v : e.get_array()) CollectReferences(v, out);
  }
}

TEST(BundlegenTest, SameOptionsGiveTheSameBytes) {
  for (BundleType type : {BundleType::kCollection, BundleType::kDocument}) {
    std::string a = GenerateString(Make(1 << 20, 42, type));
    std::string b = GenerateString(Make(1 << 20, 42, type));
    EXPECT_EQ(a, b) << BundleTypeName(type);
  }
  EXPECT_NE(GenerateString(Make(1 << 20, 42)), GenerateString(Make(1 << 20, 43)));
}

TEST(BundlegenTest, ASmallerBundleIsAPrefixOfTheRecord) {
  // The clinical stream does not depend on the size: a smaller Bundle holds
  // the first entries of a larger one.
  std::string small = GenerateString(Make(200 << 10, 7));
  std::string large = GenerateString(Make(1 << 20, 7));
  size_t cut = small.rfind("\n    }");
  ASSERT_NE(cut, std::string::npos);
  EXPECT_EQ(large.compare(0, cut, small, 0, cut), 0);
}

TEST(BundlegenTest, SizeIsWithinFivePercent) {
  for (uint64_t bytes : {uint64_t{256} << 10, uint64_t{1} << 20, uint64_t{5} << 20}) {
    for (BundleType type : {BundleType::kCollection, BundleType::kSearchset, BundleType::kDocument,
                            BundleType::kTransaction}) {
      Summary s;
      std::string json = GenerateString(Make(bytes, 1, type), &s);
      EXPECT_EQ(s.bytes, json.size());
      double ratio = static_cast<double>(json.size()) / static_cast<double>(bytes);
      EXPECT_NEAR(ratio, 1.0, 0.05) << BundleTypeName(type) << " " << bytes;
      // It ends with the entry that reaches the size: never short of it.
      EXPECT_GE(json.size(), bytes) << BundleTypeName(type) << " " << bytes;
    }
  }
}

TEST(BundlegenTest, WritesAFile) {
  std::string path = ::testing::TempDir() + "/bundlegen_test.json";
  Summary s;
  std::string error;
  ASSERT_TRUE(GenerateFile(Make(300 << 10, 5), path, s, error)) << error;
  simdjson::padded_string text;
  ASSERT_EQ(simdjson::padded_string::load(path).get(text), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(text), GenerateString(Make(300 << 10, 5)));
  std::remove(path.c_str());
  EXPECT_FALSE(GenerateFile(Make(1000, 5), "/nonexistent/dir/x.json", s, error));
  EXPECT_THAT(error, ::testing::HasSubstr("/nonexistent/dir/x.json"));
}

class BundleShapeTest : public ::testing::TestWithParam<BundleType> {};

TEST_P(BundleShapeTest, ParsesAsAFhirBundleWhoseReferencesResolve) {
  BundleType type = GetParam();
  Summary summary;
  std::string json = GenerateString(Make(2 << 20, 11, type), &summary);
  simdjson::dom::parser parser;
  simdjson::dom::element bundle;
  ASSERT_EQ(parser.parse(json).get(bundle), simdjson::SUCCESS);

  EXPECT_EQ(std::string_view(bundle["resourceType"]), "Bundle");
  EXPECT_EQ(std::string_view(bundle["type"]), BundleTypeName(type));

  std::set<std::string> keys;  // "Type/id" of every entry
  std::set<std::string> full_urls;
  std::set<std::string> types;
  std::vector<std::string> references;
  std::string practice_ref;
  uint64_t entries = 0, labelled = 0;
  size_t index = 0;
  for (simdjson::dom::element entry : bundle["entry"].get_array()) {
    ++entries;
    simdjson::dom::element resource = entry["resource"];
    std::string rt{std::string_view(resource["resourceType"])};
    std::string id{std::string_view(resource["id"])};
    types.insert(rt);
    EXPECT_TRUE(keys.insert(rt + "/" + id).second) << "twice: " << rt << "/" << id;
    std::string full_url{std::string_view(entry["fullUrl"])};
    EXPECT_TRUE(full_urls.insert(full_url).second) << full_url;
    EXPECT_THAT(full_url, ::testing::EndsWith("/" + rt + "/" + id));
    if (type == BundleType::kDocument && index == 0) {
      EXPECT_EQ(rt, "Composition");
    }
    if (type == BundleType::kSearchset) {
      EXPECT_EQ(entry["search"]["mode"].error(), simdjson::SUCCESS);
    }
    if (type == BundleType::kTransaction) {
      EXPECT_EQ(std::string_view(entry["request"]["method"]), "PUT");
      EXPECT_EQ(std::string_view(entry["request"]["url"]), rt + "/" + id);
    }
    if (rt == "Patient") {
      EXPECT_EQ(summary.patient_id, id);
      practice_ref =
          std::string(std::string_view(resource["generalPractitioner"].at(0)["reference"]));
    }
    simdjson::dom::element security;
    if (resource["meta"]["security"].get(security) == simdjson::SUCCESS) ++labelled;
    CollectReferences(resource, references);
    ++index;
  }
  EXPECT_EQ(entries, summary.entries);
  EXPECT_EQ(labelled, summary.labelled);
  EXPECT_GT(summary.clinical, 500u);
  EXPECT_GT(labelled, 20u);
  for (const char* t :
       {"Patient", "Organization", "Practitioner", "Medication", "Encounter", "Condition",
        "AllergyIntolerance", "MedicationStatement", "MedicationRequest", "Observation",
        "Procedure", "Immunization", "DocumentReference", "ServiceRequest", "FamilyMemberHistory",
        "CarePlan", "Flag"}) {
    EXPECT_THAT(types, Contains(t));
    EXPECT_THAT(summary.resources, Contains(Key(t)));
  }
  // The registered practice is A81001.
  ASSERT_TRUE(keys.contains(practice_ref)) << practice_ref;
  bool found_practice = false;
  for (simdjson::dom::element entry : bundle["entry"].get_array()) {
    simdjson::dom::element r = entry["resource"];
    if (std::string_view(r["resourceType"]) != "Organization") continue;
    if ("Organization/" + std::string(std::string_view(r["id"])) != practice_ref) continue;
    simdjson::dom::element identifier = r["identifier"].at(0);
    EXPECT_EQ(std::string_view(identifier["system"]),
              "https://fhir.nhs.uk/Id/ods-organization-code");
    EXPECT_EQ(std::string_view(identifier["value"]), "A81001");
    found_practice = true;
  }
  EXPECT_TRUE(found_practice);
  // Every reference names an entry of the Bundle, or a contained resource.
  size_t contained = 0;
  for (const std::string& r : references) {
    if (r.starts_with("#")) {
      ++contained;
      continue;
    }
    EXPECT_TRUE(keys.contains(r)) << "dangling: " << r;
  }
  EXPECT_GT(contained, 0u);
}

TEST_P(BundleShapeTest, CodesComeFromTheDemonstrationSchema) {
  std::string json = GenerateString(Make(4 << 20, 3, GetParam()));
  // Codes that the example agreements decide on, in the three systems of
  // the demonstration schema, and the security labels.
  for (const char* code :
       {"\"44054006\"", "\"E11.9\"", "\"C10F.\"", "\"59621000\"", "\"35489007\"", "\"109081006\"",
        "\"48603004\"", "\"http://terminology.hl7.org/CodeSystem/v3-Confidentiality\"",
        "\"PSY\""}) {
    EXPECT_NE(json.find(code), std::string::npos) << code;
  }
}

INSTANTIATE_TEST_SUITE_P(Types, BundleShapeTest,
                         ::testing::Values(BundleType::kCollection, BundleType::kSearchset,
                                           BundleType::kDocument, BundleType::kTransaction),
                         [](const auto& info) { return std::string(BundleTypeName(info.param)); });

TEST(BundlegenTest, DocumentCompositionListsEveryClinicalEntry) {
  Summary summary;
  std::string json = GenerateString(Make(1 << 20, 9, BundleType::kDocument), &summary);
  simdjson::dom::parser parser;
  simdjson::dom::element bundle;
  ASSERT_EQ(parser.parse(json).get(bundle), simdjson::SUCCESS);
  simdjson::dom::element composition = bundle["entry"].at(0)["resource"];
  uint64_t listed = 0;
  for (simdjson::dom::element section : composition["section"].get_array()) {
    listed += simdjson::dom::array(section["entry"]).size();
  }
  EXPECT_EQ(listed, summary.clinical);
}

TEST(BundlegenTest, ParsesTypeNames) {
  EXPECT_EQ(ParseBundleType("document"), BundleType::kDocument);
  EXPECT_EQ(ParseBundleType("searchset"), BundleType::kSearchset);
  EXPECT_EQ(ParseBundleType("batch"), std::nullopt);
}

}  // namespace
}  // namespace caldicott::bundlegen
