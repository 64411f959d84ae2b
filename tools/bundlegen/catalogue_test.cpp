#include "tools/bundlegen/catalogue.h"

#include <algorithm>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace caldicott::bundlegen::internal {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(CatalogueTest, TheBuiltInCatalogueParses) {
  Catalogue c;
  std::string error;
  ASSERT_TRUE(ParseCatalogue(EmbeddedCatalogueText(), c, error)) << error;
  EXPECT_EQ(error, "");
  EXPECT_EQ(c.labels[static_cast<size_t>(Label::kNone)].code, "");
  EXPECT_EQ(c.labels[static_cast<size_t>(Label::kPsy)].code, "PSY");
  EXPECT_EQ(c.sections[kProblems].title, "Problems");
  EXPECT_EQ(c.sections[kDocuments].loinc, "");
  EXPECT_EQ(c.organisations[kPractice].ods, "A81001");
  // A concept's ICD-10 and Read v2 codes come with their titles.
  const Concept& diabetes = c.conditions.front();
  EXPECT_EQ(diabetes.icd10, "E11.9");
  EXPECT_EQ(diabetes.icd10_title, "Type 2 diabetes mellitus without complications");
  EXPECT_EQ(diabetes.read_title, "Type 2 diabetes mellitus");
  // What the generator uses is the same.
  EXPECT_EQ(TheCatalogue().conditions.size(), c.conditions.size());
  EXPECT_EQ(TheCatalogue().staff.size(), c.staff.size());
}

// The built-in catalogue with the first `from` replaced by `to`.
std::string Edited(std::string_view from, std::string_view to) {
  std::string text(EmbeddedCatalogueText());
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The line of the built-in catalogue that holds the first `text`.
std::string LineOf(std::string_view text) {
  std::string_view all = EmbeddedCatalogueText();
  size_t at = all.find(text);
  EXPECT_NE(at, std::string::npos) << text;
  return "line " + std::to_string(1 + std::count(all.begin(), all.begin() + at, '\n')) + ": ";
}

std::string Error(std::string_view text) {
  Catalogue c;
  std::string error;
  EXPECT_FALSE(ParseCatalogue(text, c, error));
  return error;
}

TEST(CatalogueTest, ARowOfTheWrongShapeFailsWithItsLine) {
  const std::string_view row =
      "44054006 | Diabetes mellitus type 2 | E11.9 | C10F. | - | 10 | demo";
  EXPECT_THAT(
      Error(Edited(" | 10 | demo", " | 10")),
      AllOf(StartsWith(LineOf(row)), HasSubstr("6 fields, but a row of [conditions] has 7")));
  EXPECT_THAT(Error(Edited("C10F. | - | 10", "C10F. |  | 10")),
              AllOf(StartsWith(LineOf(row)), HasSubstr("is empty")));
  EXPECT_THAT(Error(Edited("Diabetes mellitus type 2 |", "Diabetes mellitus type 2|")),
              StartsWith(LineOf(row)));
  EXPECT_THAT(Error(Edited("Smith\n", "Smith \n")),
              AllOf(StartsWith(LineOf("Smith\n")), HasSubstr("ends with a space")));
  EXPECT_THAT(Error(Edited("Smith\n", "Smith\r\n")),
              AllOf(StartsWith(LineOf("Smith\n")), HasSubstr("control character")));
  EXPECT_THAT(Error(Edited("Smith\n", "Smith\tJones\n")), StartsWith(LineOf("Smith\n")));
}

TEST(CatalogueTest, AFieldOfTheWrongKindFailsWithItsLine) {
  const std::string_view row =
      "44054006 | Diabetes mellitus type 2 | E11.9 | C10F. | - | 10 | demo";
  EXPECT_EQ(Error(Edited(" | 10 | demo", " | ten | demo")),
            LineOf(row) + "[conditions] weight `ten`: not a whole number from 1 to 10000");
  EXPECT_THAT(Error(Edited(" | 10 | demo", " | 0 | demo")), StartsWith(LineOf(row)));
  EXPECT_THAT(Error(Edited(" | 10 | demo", " | 10 | snomed")),
              HasSubstr("[conditions] source `snomed`: not one of demo, gps"));
  EXPECT_THAT(Error(Edited("44054006 | Diabetes", "4405400x | Diabetes")),
              HasSubstr("not a SNOMED CT identifier"));
  EXPECT_THAT(Error(Edited("| F32.9 | - | PSY |", "| F32.9 | - | PSI |")),
              HasSubstr("[conditions] label `PSI`: not one of -, PSY, ETH"));
  EXPECT_THAT(Error(Edited("| E11.9 | C10F. |", "| E11.7 | C10F. |")),
              AllOf(StartsWith(LineOf(row)), HasSubstr("no row of [icd10] has this code")));
  EXPECT_THAT(Error(Edited("| 185 | 420 |", "| 500 | 420 |")), HasSubstr("below low"));
  EXPECT_THAT(Error(Edited("| practice-2 | female |", "| practice-3 | female |")),
              HasSubstr("[staff] organisation `practice-3`: not one of practice, practice-2"));
  EXPECT_THAT(Error(Edited("A53 | Other", "A54 | Other")), HasSubstr("a second row of this code"));
}

TEST(CatalogueTest, TheKeysTheGeneratorNamesMustAllBeThereInOrder) {
  EXPECT_THAT(Error(Edited("practice-2 | A81002", "second-practice | A81002")),
              AllOf(StartsWith(LineOf("practice-2 | A81002")),
                    HasSubstr("the generator expects the keys practice, practice-2, hospital")));
  EXPECT_THAT(Error(Edited("alerts | Alerts | - | -\n", "")),
              HasSubstr("[sections] has 11 rows, but the generator expects the keys"));
}

TEST(CatalogueTest, TheTablesMustAllBeThereOnceWithTheirColumns) {
  EXPECT_THAT(Error(Edited("[streets]", "[roads]")),
              AllOf(StartsWith(LineOf("[streets]")), HasSubstr("no table is called `[roads]`")));
  EXPECT_THAT(Error(Edited("[streets]", "[family-names]")),
              HasSubstr("[family-names] again: it starts at line"));
  // Without its first two lines, the rows of [streets] are more rows of the
  // table before it.
  EXPECT_EQ(Error(Edited("[streets]\nname\n", "")), "there is no [streets] table");
  EXPECT_THAT(Error(Edited("[streets]\nname\n", "") + "[streets]\nname\n"),
              HasSubstr("[streets] has no rows"));
  EXPECT_EQ(Error("Smith\n" + std::string(EmbeddedCatalogueText())),
            "line 1: a row before the first `[table]` line");
  EXPECT_THAT(Error(Edited("code | title | source\nC10E.", "code | term | source\nC10E.")),
              HasSubstr("the columns of [readv2] are `code | title | source`"));
  std::string text(EmbeddedCatalogueText());
  text.pop_back();
  EXPECT_THAT(Error(text), HasSubstr("the last line has no newline"));
}

}  // namespace
}  // namespace caldicott::bundlegen::internal
