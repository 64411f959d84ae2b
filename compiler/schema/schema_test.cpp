#include "compiler/schema/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace caldicott::schema {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

std::vector<std::string> Codes(const CodeSystem& cs, const std::vector<ConceptId>& ids) {
  std::vector<std::string> out;
  for (ConceptId id : ids) out.emplace_back(cs.Code(id));
  return out;
}

std::unique_ptr<CodeSystem> Small(std::vector<CodeSystemBuilder::Dangling>* dangling = nullptr) {
  CodeSystemBuilder b("http://example.org/cs", "example", "test");
  b.AddConcept("root", true, "Root");
  b.AddConcept("a", true, "A");
  b.AddConcept("b", true, "B");
  b.AddConcept("ab", true, "A and B");  // two parents: a diamond under root
  b.AddConcept("old", false, "Retired");
  b.AddConcept("set", true, "A reference set");
  b.AddIsA("a", "root");
  b.AddIsA("b", "root");
  b.AddIsA("ab", "a");
  b.AddIsA("ab", "b");
  b.AddIsA("ab", "a");      // duplicate
  b.AddIsA("old", "root");  // inactive concept, active edge: kept
  b.AddIsA("a", "ghost");   // undeclared parent
  b.AddRefsetMember("set", "a");
  b.AddRefsetMember("set", "old");  // inactive member
  return b.Build(dangling);
}

TEST(CodeSystem, FindTermsAndHierarchy) {
  std::vector<CodeSystemBuilder::Dangling> dangling;
  auto cs = Small(&dangling);
  EXPECT_EQ(cs->size(), 7u);  // ids: "ghost" is interned but not found
  EXPECT_EQ(cs->concept_count(), 6u);
  EXPECT_FALSE(cs->Find("ghost"));
  ASSERT_EQ(dangling.size(), 1u);
  EXPECT_EQ(dangling[0].code, "ghost");
  ConceptId root = *cs->Find("root"), ab = *cs->Find("ab"), a = *cs->Find("a");
  EXPECT_EQ(cs->PreferredTerm(ab), "A and B");
  EXPECT_FALSE(cs->Active(*cs->Find("old")));
  EXPECT_THAT(Codes(*cs, {cs->Parents(ab).begin(), cs->Parents(ab).end()}),
              UnorderedElementsAre("a", "b"));
  EXPECT_THAT(Codes(*cs, {cs->Children(root).begin(), cs->Children(root).end()}),
              UnorderedElementsAre("a", "b", "old"));
  std::vector<ConceptId> desc;
  cs->Descendants(root, true, desc);
  // ab once; the retired concept too: a record may still carry it, and an
  // exclusion must still catch it.
  EXPECT_THAT(Codes(*cs, desc), UnorderedElementsAre("root", "a", "b", "ab", "old"));
  desc.clear();
  cs->Descendants(a, false, desc);
  EXPECT_THAT(Codes(*cs, desc), ElementsAre("ab"));
  EXPECT_TRUE(cs->Subsumes(root, ab));
  EXPECT_TRUE(cs->Subsumes(ab, ab));
  EXPECT_FALSE(cs->Subsumes(ab, root));
  EXPECT_FALSE(cs->Subsumes(*cs->Find("b"), a));
}

TEST(CodeSystem, RefsetMembersIncludeRetiredConcepts) {
  auto cs = Small();
  ConceptId set = *cs->Find("set");
  EXPECT_TRUE(cs->IsRefset(set));
  EXPECT_THAT(Codes(*cs, {cs->RefsetMembers(set).begin(), cs->RefsetMembers(set).end()}),
              ElementsAre("a", "old"));
  EXPECT_TRUE(cs->RefsetMembers(*cs->Find("a")).empty());
}

TEST(CodeSystem, LaterDeclarationWins) {
  CodeSystemBuilder b("u", "n", "s");
  b.AddConcept("x", true, "First");
  b.AddConcept("x", false, "Second");
  auto cs = b.Build();
  EXPECT_EQ(cs->concept_count(), 1u);
  EXPECT_FALSE(cs->Active(0));
  EXPECT_EQ(cs->PreferredTerm(0), "Second");
}

TEST(Schema, AddReplacesBySystemUri) {
  Schema schema;
  EXPECT_EQ(schema.Add(Small()), nullptr);
  CodeSystemBuilder b("http://example.org/cs", "example", "user");
  b.AddConcept("z", true);
  auto replaced = schema.Add(b.Build());
  ASSERT_NE(replaced, nullptr);
  EXPECT_EQ(replaced->source(), "test");
  EXPECT_EQ(schema.ByName("example")->source(), "user");
  EXPECT_EQ(schema.ByUri("http://example.org/cs")->concept_count(), 1u);
  EXPECT_EQ(schema.ByName("nothing"), nullptr);
}

TEST(Bindings, DesignTable) {
  EXPECT_EQ(UriForName("snomed"), "http://snomed.info/sct");
  EXPECT_EQ(UriForName("icd10"), "http://hl7.org/fhir/sid/icd-10");
  EXPECT_EQ(NameForUri("http://terminology.hl7.org/CodeSystem/v3-ActCode"), "actcode");
  EXPECT_FALSE(UriForName("nonsense"));
}

TEST(Sctid, VerhoeffAndPartition) {
  EXPECT_EQ(SctidProblem("73211009"), std::nullopt);            // Diabetes mellitus
  EXPECT_EQ(SctidProblem("999004381000000103"), std::nullopt);  // a UK extension refset
  EXPECT_EQ(SctidProblem("138875005"), std::nullopt);
  EXPECT_EQ(SctidProblem("73211008"), "its check digit is wrong (Verhoeff)");
  EXPECT_EQ(SctidProblem("073211009"), "an SCTID has no leading zero");
  EXPECT_EQ(SctidProblem("12345"), "an SCTID has 6 to 18 digits");
  EXPECT_EQ(SctidProblem("C10.."), "an SCTID has only digits");
  EXPECT_EQ(SctidProblem("1.15E+15"), "an SCTID has only digits");
  // 900000000000013009 is a concept; a description id has partition 01.
  EXPECT_EQ(SctidProblem("900000000000013009"), std::nullopt);
  auto description = SctidProblem("2154584011");  // partition 01
  ASSERT_TRUE(description.has_value());
  EXPECT_EQ(*description, "its partition `01` is not a concept's (00, or 10 in an extension)");
  EXPECT_EQ(SctidProblem("2154584011", /*concept_only=*/false), std::nullopt);
  EXPECT_TRUE(VerhoeffValid("2363"));
  EXPECT_FALSE(VerhoeffValid("2364"));
}

}  // namespace
}  // namespace caldicott::schema
