#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "compiler/schema/import.h"
#include "compiler/schema/schema.h"
#include "tools/rf2gen/rf2gen.h"

namespace caldicott::schema {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

// ---- Helpers

// Rows written with `|` between fields; the files have tabs.
std::string Tsv(std::initializer_list<std::string_view> rows, std::string_view eol = "\n") {
  std::string out;
  for (std::string_view row : rows) {
    for (char c : row) out += c == '|' ? '\t' : c;
    out += eol;
  }
  return out;
}

constexpr std::string_view kConceptHeader = "id|effectiveTime|active|moduleId|definitionStatusId";
constexpr std::string_view kDescriptionHeader =
    "id|effectiveTime|active|moduleId|conceptId|languageCode|typeId|term|caseSignificanceId";
constexpr std::string_view kRelationshipHeader =
    "id|effectiveTime|active|moduleId|sourceId|destinationId|relationshipGroup|typeId|"
    "characteristicTypeId|modifierId";
constexpr std::string_view kSimpleHeader =
    "id|effectiveTime|active|moduleId|refsetId|referencedComponentId";
constexpr std::string_view kLanguageHeader =
    "id|effectiveTime|active|moduleId|refsetId|referencedComponentId|acceptabilityId";

std::vector<std::string> Render(const std::vector<ImportError>& errors) {
  std::vector<std::string> out;
  for (const ImportError& e : errors)
    out.push_back(fmt::format("{}:{}: {}", e.file, e.line, e.message));
  return out;
}

std::vector<std::string> Codes(const CodeSystem& cs, std::span<const ConceptId> ids) {
  std::vector<std::string> out;
  for (ConceptId id : ids) out.emplace_back(cs.Code(id));
  return out;
}

std::vector<std::string> Descendants(const CodeSystem& cs, std::string_view code) {
  std::vector<ConceptId> ids;
  cs.Descendants(*cs.Find(code), false, ids);
  return Codes(cs, ids);
}

class TempDir {
 public:
  TempDir() {
    const char* tmp = getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/rf2_test.XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

  void Write(const std::string& relative, std::string_view text) const {
    std::filesystem::path p = std::filesystem::path(path_) / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }

 private:
  std::string path_;
};

// ---- A small hand-written release

constexpr std::string_view kCore = "900000000000207008";
const std::string kRow = "|20020131|1|900000000000207008|900000000000074008";

std::string U(int n) {
  return fmt::format("00000000-0000-4000-8000-{:012d}", n);
}

Rf2Release SmallRelease() {
  Rf2Release r;
  r.concepts.push_back(
      {"c.txt", Tsv({kConceptHeader, "138875005" + kRow, "404684003" + kRow, "64572001" + kRow,
                     "73211009" + kRow, "44054006" + kRow, "46635009" + kRow, "123037004" + kRow,
                     "113331007" + kRow,
                     // The latest row of an id wins, wherever it is.
                     "9999990006|20020131|1|900000000000207008|900000000000074008",
                     "9999990006|20170731|0|900000000000207008|900000000000074008",
                     "9999991005|20200101|1|900000000000207008|900000000000074008",
                     "9999991005|20100101|0|900000000000207008|900000000000074008",
                     "999004381000000103|20020131|1|999000011000000103|900000000000074008"})});
  const std::string d = "|20020131|1|900000000000207008|";
  const std::string i = "|20020131|0|900000000000207008|";
  const std::string fsn = "|en|900000000000003001|", syn = "|en|900000000000013009|";
  const std::string cs = "|900000000000448009";
  // CRLF, as real releases have.
  r.descriptions.push_back(
      {"d.txt", Tsv({kDescriptionHeader,
                     // The FSN alone: its text without the semantic tag.
                     "1000015" + d + "138875005" + fsn + "SNOMED CT Concept (SNOMED RT+CTV3)" + cs,
                     "1001016" + d + "404684003" + fsn + "Clinical finding (finding)" + cs,
                     "1002011" + d + "404684003" + syn + "Clinical finding" + cs,
                     // The preferred synonym beats a lower-id acceptable one.
                     "1003018" + d + "64572001" + fsn + "Disease (disorder)" + cs,
                     "1004012" + d + "64572001" + syn + "Disorder" + cs,
                     "1005013" + d + "64572001" + syn + "Disease" + cs,
                     // GB English beats US English.
                     "1006014" + d + "73211009" + fsn + "Diabetes mellitus (disorder)" + cs,
                     "1007017" + d + "73211009" + syn + "Diabetes mellitus" + cs,
                     "1008010" + d + "73211009" + syn + "Diabetes" + cs,
                     // Preferred only by an inactive language row: the FSN decides.
                     "1009019" + d + "44054006" + fsn + "Diabetes mellitus type 2 (disorder)" + cs,
                     "1010012" + d + "44054006" + syn + "Type II diabetes mellitus" + cs,
                     "1011011" + d + "44054006" + syn + "Type 2 diabetes mellitus" + cs,
                     // The FSN and the preferred synonym are inactive: any active synonym.
                     "1012016" + i + "46635009" + fsn + "Type 1 diabetes mellitus (disorder)" + cs,
                     "1013014" + i + "46635009" + syn + "T1DM" + cs,
                     "1014015" + d + "46635009" + syn + "Type 1 diabetes" + cs,
                     // A definition is not a term.
                     "1015019" + d + "123037004" + fsn + "Body structure (body structure)" + cs,
                     "1016018" + d + "123037004|en|900000000000550004|A structure of the body" + cs,
                     "1017010" + d + "113331007" + fsn +
                         "Endocrine system (structure) (body structure)" + cs,
                     "1018017" + d + "9999990006" + fsn + "Retired thing (finding)" + cs,
                     "1019013|20020131|1|999000011000000103|999004381000000103" + syn +
                         "Sexually transmitted disease exclusions" + cs},
                    "\r\n")});
  const std::string gb = "|20250101|1|900000000000207008|900000000000508004|";
  const std::string us = "|20250101|1|900000000000207008|900000000000509007|";
  const std::string pref = "|900000000000548007", acc = "|900000000000549004";
  r.language_refsets.push_back(
      {"l.txt", Tsv({kLanguageHeader, U(1) + gb + "1002011" + pref, U(2) + gb + "1004012" + acc,
                     U(3) + gb + "1005013" + pref, U(4) + us + "1007017" + pref,
                     U(5) + gb + "1007017" + acc, U(6) + gb + "1008010" + pref,
                     U(7) + "|20250101|0|900000000000207008|900000000000508004|1010012" + pref,
                     U(8) + gb + "1013014" + pref,
                     U(9) + "|20250101|1|999000011000000103|999001261000000100|1019013" + pref})});
  auto rel = [](std::string_view id, std::string_view active, std::string_view source,
                std::string_view destination, std::string_view type = "116680003") {
    return fmt::format(
        "{}|20020131|{}|900000000000207008|{}|{}|{}|{}|900000000000011006|"
        "900000000000451002",
        id, active, source, destination, type == "116680003" ? 0 : 1, type);
  };
  std::vector<std::string> rels = {
      std::string(kRelationshipHeader),
      rel("2000029", "1", "404684003", "138875005"),
      rel("2001025", "1", "64572001", "404684003"),
      rel("2002021", "1", "73211009", "64572001"),
      rel("2003027", "1", "44054006", "73211009"),
      rel("2004022", "1", "46635009", "73211009"),
      rel("2005023", "1", "46635009", "404684003"),  // a second parent
      rel("2006024", "1", "123037004", "138875005"),
      rel("2007026", "1", "113331007", "123037004"),
      rel("2008020", "0", "44054006", "123037004"),               // inactive
      rel("2009028", "1", "73211009", "113331007", "363698007"),  // finding site: not IS-A
      rel("2010022", "0", "9999990006", "404684003"),
  };
  std::string rel_text;
  for (const std::string& row : rels) rel_text += Tsv({row});
  r.relationships.push_back({"r.txt", rel_text});
  const std::string set = "|20250101|1|999000011000000103|999004381000000103|";
  r.simple_refsets.push_back(
      {"s.txt", Tsv({kSimpleHeader, U(11) + set + "73211009",
                     U(12) + "|20250101|0|999000011000000103|999004381000000103|44054006",
                     U(13) + set + "46635009", U(14) + set + "46635009",  // twice
                     U(15) + set + "9999990006",                          // a retired concept
                     U(16) + set + "1000015"})});                         // a description
  return r;
}

TEST(Rf2Import, SmallRelease) {
  std::vector<ImportError> errors;
  auto cs = ImportRf2(SmallRelease(), errors);
  ASSERT_NE(cs, nullptr);
  EXPECT_THAT(Render(errors), IsEmpty());
  EXPECT_EQ(cs->uri(), kSnomedUri);
  EXPECT_EQ(cs->name(), "snomed");
  EXPECT_EQ(cs->version(), "20200101");
  EXPECT_EQ(cs->size(), 11u);
  EXPECT_EQ(cs->concept_count(), 11u);

  auto term = [&](std::string_view code) {
    return std::string(cs->PreferredTerm(*cs->Find(code)));
  };
  EXPECT_EQ(term("138875005"), "SNOMED CT Concept");
  EXPECT_EQ(term("404684003"), "Clinical finding");
  EXPECT_EQ(term("64572001"), "Disease");
  EXPECT_EQ(term("73211009"), "Diabetes");
  EXPECT_EQ(term("44054006"), "Diabetes mellitus type 2");
  EXPECT_EQ(term("46635009"), "Type 1 diabetes");
  EXPECT_EQ(term("123037004"), "Body structure");
  EXPECT_EQ(term("113331007"), "Endocrine system (structure)");
  EXPECT_EQ(term("9999990006"), "Retired thing");
  EXPECT_EQ(term("9999991005"), "");
  EXPECT_EQ(term("999004381000000103"), "Sexually transmitted disease exclusions");

  EXPECT_TRUE(cs->Active(*cs->Find("404684003")));
  EXPECT_FALSE(cs->Active(*cs->Find("9999990006")));  // the later row
  EXPECT_TRUE(cs->Active(*cs->Find("9999991005")));   // the later row, earlier in the file

  EXPECT_THAT(Codes(*cs, cs->Parents(*cs->Find("46635009"))),
              UnorderedElementsAre("73211009", "404684003"));
  EXPECT_THAT(Codes(*cs, cs->Parents(*cs->Find("44054006"))), ElementsAre("73211009"));
  EXPECT_THAT(Codes(*cs, cs->Parents(*cs->Find("9999990006"))), IsEmpty());
  EXPECT_THAT(Descendants(*cs, "404684003"),
              UnorderedElementsAre("64572001", "73211009", "44054006", "46635009"));
  // Neither the inactive IS-A nor the finding site reaches body structure.
  EXPECT_THAT(Descendants(*cs, "123037004"), ElementsAre("113331007"));

  ConceptId set = *cs->Find("999004381000000103");
  EXPECT_TRUE(cs->IsRefset(set));
  EXPECT_THAT(Codes(*cs, cs->RefsetMembers(set)),
              UnorderedElementsAre("73211009", "46635009", "9999990006"));
}

TEST(Rf2Import, LfAndCrlfGiveTheSameSystem) {
  Rf2Release crlf = SmallRelease(), lf = SmallRelease();
  for (auto* files :
       {&crlf.concepts, &crlf.relationships, &crlf.simple_refsets, &crlf.language_refsets}) {
    for (Rf2File& f : *files) {
      std::string text;
      for (char c : f.text) text += c == '\n' ? std::string("\r\n") : std::string(1, c);
      f.text = text;
    }
  }
  for (Rf2File& f : lf.descriptions) std::erase(f.text, '\r');
  std::vector<ImportError> errors;
  auto a = ImportRf2(crlf, errors);
  auto b = ImportRf2(lf, errors);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_THAT(Render(errors), IsEmpty());
  ASSERT_EQ(a->size(), b->size());
  for (ConceptId id = 0; id < a->size(); ++id) {
    EXPECT_EQ(a->Code(id), b->Code(id));
    EXPECT_EQ(a->PreferredTerm(id), b->PreferredTerm(id));
    EXPECT_EQ(a->Parents(id).size(), b->Parents(id).size());
  }
}

TEST(Rf2Import, NoLanguageRefsetMeansTheFsn) {
  Rf2Release r = SmallRelease();
  r.language_refsets.clear();
  std::vector<ImportError> errors;
  auto cs = ImportRf2(r, errors);
  ASSERT_NE(cs, nullptr);
  EXPECT_EQ(cs->PreferredTerm(*cs->Find("64572001")), "Disease");  // Disease (disorder)
  EXPECT_EQ(cs->PreferredTerm(*cs->Find("73211009")), "Diabetes mellitus");
  EXPECT_EQ(cs->PreferredTerm(*cs->Find("46635009")), "Type 1 diabetes");
}

TEST(Rf2Import, CustomUriAndName) {
  std::vector<ImportError> errors;
  auto cs = ImportRf2(SmallRelease(), errors, "https://dmd.nhs.uk", "dmd");
  ASSERT_NE(cs, nullptr);
  EXPECT_EQ(cs->uri(), "https://dmd.nhs.uk");
  EXPECT_EQ(cs->name(), "dmd");
}

// ---- Malformed input

TEST(Rf2Import, MalformedRowsAreReportedWithTheirLineAndSkipped) {
  Rf2Release r;
  const std::string tail = "|20020131|1|900000000000207008|900000000000074008";
  r.concepts.push_back({"bad/concepts.txt",
                        Tsv({kConceptHeader,
                             "404684003" + tail,                                             // 2
                             "64572001|20020131|1|900000000000207008",                       // 3
                             "1.15E+15" + tail,                                              // 4
                             "73211009|20020131|2|900000000000207008|900000000000074008",    // 5
                             "404684004" + tail,                                             // 6
                             "1000015" + tail,                                               // 7
                             "abc123" + tail,                                                // 8
                             "12345" + tail,                                                 // 9
                             "0404684003" + tail,                                            // 10
                             "44054006|2025-01-01|1|900000000000207008|900000000000074008",  // 11
                             "46635009|20020131|1|7.32E+07|900000000000074008",              // 12
                             "",                            // 13: blank
                             "46635009" + tail + "|extra",  // 14
                             "123037004" + tail})});        // 15
  const std::string d = "|20020131|1|900000000000207008|";
  r.descriptions.push_back(
      {"bad/descriptions.txt",
       Tsv({kDescriptionHeader,
            "1001016" + d +
                "404684003|en|900000000000003001|Clinical finding (finding)|"
                "900000000000448009",
            "1002011" + d + "404684003|en|900000000000013009|\xff\xfe bad|900000000000448009",
            "1003018" + d + "404684003|en|900000000000013009||900000000000448009",
            "1004012" + d + "64572001|en|900000000000013009|Disease|900000000000448009",
            "1005013" + d + "404684003|en|9.00E+17|Clinical|900000000000448009",
            "404684003" + d + "404684003|en|900000000000013009|Finding|900000000000448009",
            "1006014" + d + "404684003||900000000000013009|Finding|900000000000448009"})});
  auto rel = [](std::string_view id, std::string_view source, std::string_view destination,
                std::string_view group) {
    return fmt::format(
        "{}|20020131|1|900000000000207008|{}|{}|{}|116680003|900000000000011006|"
        "900000000000451002",
        id, source, destination, group);
  };
  r.relationships.push_back(
      {"bad/relationships.txt",
       Tsv({kRelationshipHeader, rel("2000029", "404684003", "123037004", "x"),
            rel("2001025", "123037004", "64572001", "0"),
            rel("404684003", "123037004", "404684003", "0"),
            rel("2002021", "123037004", "404684003", "0")})});
  const std::string gb = "|20250101|1|900000000000207008|900000000000508004|";
  r.language_refsets.push_back(
      {"bad/language.txt",
       Tsv({kLanguageHeader, "12345" + gb + "1001016|900000000000548007",
            U(1) + gb + "404684003|900000000000548007",
            U(2) + "|20250101|yes|900000000000207008|900000000000508004|1001016|"
                   "900000000000548007"})});
  r.simple_refsets.push_back(
      {"bad/refset.txt",
       Tsv({kSimpleHeader, U(3) + "|20250101|1|999000011000000103|999004381000000103|1.15E+15",
            U(4) + "|20250101|1|999000011000000103|999004381000000103|404684003"})});

  std::vector<ImportError> errors;
  auto cs = ImportRf2(r, errors);
  ASSERT_NE(cs, nullptr);
  EXPECT_THAT(
      Render(errors),
      ElementsAre(
          "bad/concepts.txt:3: expected 5 tab-separated columns, found 4",
          "bad/concepts.txt:4: `id` looks like a number damaged by a spreadsheet (1.15E+15)",
          "bad/concepts.txt:5: `active` must be 0 or 1, not `2`",
          "bad/concepts.txt:6: `id` `404684004` is not an SCTID: its check digit is wrong "
          "(Verhoeff)",
          "bad/concepts.txt:7: `id` `1000015` is not a concept id: its partition `01` is a "
          "description's (a concept id has 00, or 10 in an extension)",
          "bad/concepts.txt:8: `id` `abc123` is not an SCTID: an SCTID has only digits",
          "bad/concepts.txt:9: `id` `12345` is not an SCTID: an SCTID has 6 to 18 digits",
          "bad/concepts.txt:10: `id` `0404684003` is not an SCTID: an SCTID has no leading zero",
          "bad/concepts.txt:11: `effectiveTime` must be a date written YYYYMMDD, not "
          "`2025-01-01`",
          "bad/concepts.txt:12: `moduleId` looks like a number damaged by a spreadsheet "
          "(7.32E+07)",
          "bad/concepts.txt:14: expected 5 tab-separated columns, found 6",
          "bad/language.txt:2: `id` `12345` is not a UUID (a reference set member id is a UUID)",
          "bad/language.txt:3: `referencedComponentId` `404684003` is not a description id: its "
          "partition `00` is a concept's (a description id has 01, or 11 in an extension)",
          "bad/language.txt:4: `active` must be 0 or 1, not `yes`",
          "bad/descriptions.txt:3: `term` is not valid UTF-8",
          "bad/descriptions.txt:4: `term` is empty",
          "bad/descriptions.txt:5: `conceptId` `64572001` is not a concept of this release",
          "bad/descriptions.txt:6: `typeId` looks like a number damaged by a spreadsheet "
          "(9.00E+17)",
          "bad/descriptions.txt:7: `id` `404684003` is not a description id: its partition `00` "
          "is a concept's (a description id has 01, or 11 in an extension)",
          "bad/descriptions.txt:8: `languageCode` is empty",
          "bad/relationships.txt:2: `relationshipGroup` must be a number, not `x`",
          "bad/relationships.txt:3: `destinationId` `64572001` is not a concept of this release",
          "bad/relationships.txt:4: `id` `404684003` is not a relationship id: its partition "
          "`00` is a concept's (a relationship id has 02, or 12 in an extension)",
          "bad/refset.txt:2: `referencedComponentId` looks like a number damaged by a "
          "spreadsheet (1.15E+15)",
          "bad/refset.txt:3: `refsetId` `999004381000000103` is not a concept of this release"));
  // The good rows are in.
  EXPECT_EQ(cs->concept_count(), 2u);
  EXPECT_EQ(cs->PreferredTerm(*cs->Find("404684003")), "Clinical finding");
  EXPECT_THAT(Codes(*cs, cs->Parents(*cs->Find("123037004"))), ElementsAre("404684003"));
}

TEST(Rf2Import, MissingOrWrongHeaderSkipsTheFile) {
  const std::string row = "404684003|20020131|1|900000000000207008|900000000000074008";
  Rf2Release r;
  r.concepts.push_back({"no-header.txt", Tsv({row})});
  r.concepts.push_back({"wrong-header.txt", Tsv({kDescriptionHeader, row})});
  r.concepts.push_back({"empty.txt", ""});
  r.concepts.push_back(
      {"upper.txt", Tsv({"ID|EFFECTIVETIME|ACTIVE|MODULEID|DEFINITIONSTATUSID", row})});
  std::vector<ImportError> errors;
  EXPECT_EQ(ImportRf2(r, errors), nullptr);
  EXPECT_THAT(
      Render(errors),
      ElementsAre(
          "no-header.txt:1: the header row is missing: an RF2 Concept file starts with `id "
          "effectiveTime active moduleId definitionStatusId`; the file was not read",
          "wrong-header.txt:1: this is not an RF2 Concept file: its header row should be `id "
          "effectiveTime active moduleId definitionStatusId`, not "
          "`id\\teffectiveTime\\tactive\\tmoduleId\\tconcept...`; the file was not read",
          "empty.txt:0: the file is empty; an RF2 Concept file starts with the header row `id "
          "effectiveTime active moduleId definitionStatusId`",
          "upper.txt:1: this is not an RF2 Concept file: its header row should be `id "
          "effectiveTime active moduleId definitionStatusId`, not "
          "`ID\\tEFFECTIVETIME\\tACTIVE\\tMODULEID\\tDEFINIT...`; the file was not read",
          "no-header.txt:0: no concept could be read from the release's concept files"));
}

TEST(Rf2Import, ByteOrderMarkAndCrlfHeaderAreAccepted) {
  Rf2Release r;
  r.concepts.push_back(
      {"c.txt", "\xEF\xBB\xBF" + Tsv({kConceptHeader,
                                      "404684003|20020131|1|900000000000207008|900000000000074008"},
                                     "\r\n")});
  std::vector<ImportError> errors;
  auto cs = ImportRf2(r, errors);
  ASSERT_NE(cs, nullptr);
  EXPECT_THAT(Render(errors), IsEmpty());
  EXPECT_TRUE(cs->Find("404684003"));
}

TEST(Rf2Import, NoConceptFile) {
  Rf2Release r = SmallRelease();
  r.concepts.clear();
  std::vector<ImportError> errors;
  EXPECT_EQ(ImportRf2(r, errors), nullptr);
  EXPECT_THAT(Render(errors),
              ElementsAre(":0: the RF2 release has no concept file (sct2_Concept_Snapshot*.txt)"));
}

TEST(Rf2Import, ErrorsAreCappedPerFile) {
  std::string text = Tsv({kConceptHeader});
  for (int i = 0; i < 250; ++i)
    text += Tsv({"1.15E+15|20020131|1|900000000000207008|900000000000074008"});
  text += Tsv({"404684003|20020131|1|900000000000207008|900000000000074008"});
  Rf2Release r;
  r.concepts.push_back({"many.txt", text});
  std::vector<ImportError> errors;
  auto cs = ImportRf2(r, errors);
  ASSERT_NE(cs, nullptr);
  EXPECT_EQ(cs->concept_count(), 1u);
  ASSERT_EQ(errors.size(), 101u);
  EXPECT_EQ(errors[0].line, 2u);
  EXPECT_EQ(errors[99].line, 101u);
  EXPECT_EQ(errors[100].file, "many.txt");
  EXPECT_EQ(errors[100].line, 0u);
  EXPECT_EQ(errors[100].message, "150 more errors in this file are not listed");
}

// The importer checks ids with a fast path of its own; SctidProblem is the
// contract. Both must accept exactly the same concept ids.
TEST(Rf2Import, IdChecksAgreeWithSctidProblem) {
  uint64_t seed = 7;
  auto next = [&seed](size_t n) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<size_t>((seed >> 33) % n);
  };
  constexpr std::string_view kPartitions[] = {"00", "10", "01", "11", "02", "12", "20"};
  std::vector<std::string> ids;
  for (int i = 0; i < 3000; ++i) {
    size_t n = 4 + next(17);
    std::string id;
    for (size_t k = 0; k < n; ++k) id += static_cast<char>('0' + next(10));
    if (i % 3 != 0 && n >= 3) {  // a chosen partition and a valid check digit
      id.replace(n - 3, 2, kPartitions[next(std::size(kPartitions))]);
      for (char d = '0'; d <= '9'; ++d) {
        id.back() = d;
        if (VerhoeffValid(id)) break;
      }
    }
    if (i % 50 == 0) id[0] = '0';
    ids.push_back(id);
  }
  std::string text = Tsv({kConceptHeader});
  for (const std::string& id : ids) {
    text += Tsv({id + "|20020131|1|900000000000207008|900000000000074008"});
  }
  Rf2Release r;
  r.concepts.push_back({"ids.txt", text});
  std::vector<ImportError> errors;
  auto cs = ImportRf2(r, errors);
  ASSERT_NE(cs, nullptr);
  size_t valid = 0;
  for (const std::string& id : ids) {
    bool ok = !SctidProblem(id, true).has_value();
    valid += ok;
    EXPECT_EQ(cs->Find(id).has_value(), ok) << id;
  }
  EXPECT_GT(valid, 300u);  // both sides of the check are exercised
}

// Deterministic bytes of every value, newlines and tabs included.
std::string Garbage(uint64_t seed, size_t n) {
  std::string out(n, '\0');
  for (char& c : out) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    c = static_cast<char>(seed >> 56);
    if ((seed >> 20) % 23 == 0) c = '\n';
    if ((seed >> 20) % 29 == 0) c = '\t';
  }
  return out;
}

TEST(Rf2Import, GarbageNeverCrashes) {
  Rf2Release r;
  r.concepts.push_back({"c", Garbage(1, 1 << 16)});
  r.descriptions.push_back({"d", Garbage(2, 1 << 16)});
  r.relationships.push_back({"r", Garbage(3, 1 << 16)});
  r.simple_refsets.push_back({"s", Garbage(4, 1 << 16)});
  r.language_refsets.push_back({"l", Garbage(5, 1 << 16)});
  std::vector<ImportError> errors;
  EXPECT_EQ(ImportRf2(r, errors), nullptr);
  EXPECT_FALSE(errors.empty());
  for (const ImportError& e : errors) {
    for (char c : e.message) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << e.message;
  }

  // Valid headers over garbage bodies: every row is refused, none crashes.
  errors.clear();
  Rf2Release h;
  h.concepts.push_back({"c", Tsv({kConceptHeader}) + Garbage(6, 1 << 16)});
  h.descriptions.push_back({"d", Tsv({kDescriptionHeader}) + Garbage(7, 1 << 16)});
  h.relationships.push_back({"r", Tsv({kRelationshipHeader}) + Garbage(8, 1 << 16)});
  h.simple_refsets.push_back({"s", Tsv({kSimpleHeader}) + Garbage(9, 1 << 16)});
  h.language_refsets.push_back({"l", Tsv({kLanguageHeader}) + Garbage(10, 1 << 16)});
  EXPECT_EQ(ImportRf2(h, errors), nullptr);
  EXPECT_FALSE(errors.empty());
}

TEST(Rf2Import, DamagedReleasesNeverCrash) {
  const Rf2Release good = SmallRelease();
  uint64_t seed = 42;
  auto next = [&seed](size_t n) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<size_t>((seed >> 33) % n);
  };
  constexpr char kBytes[] = {'\n', '\t', '\r', '\0', '\xff', '1', '0', '|', 'E', '.'};
  for (int round = 0; round < 300; ++round) {
    Rf2Release r = good;
    std::vector<Rf2File>* lists[] = {&r.concepts, &r.descriptions, &r.relationships,
                                     &r.simple_refsets, &r.language_refsets};
    for (int k = 0; k < 4; ++k) {
      std::string& text = (*lists[next(5)])[0].text;
      size_t at = next(text.size());
      switch (next(3)) {
        case 0:
          text[at] = kBytes[next(sizeof(kBytes))];
          break;
        case 1:
          text.erase(at, 1 + next(8));
          break;
        default:
          text.insert(at, 1, kBytes[next(sizeof(kBytes))]);
      }
    }
    std::vector<ImportError> errors;
    auto cs = ImportRf2(r, errors);
    if (cs == nullptr) continue;
    for (ConceptId id = 0; id < cs->size(); ++id) {
      for (ConceptId p : cs->Parents(id)) ASSERT_LT(p, cs->size());
    }
  }
}

// ---- Reading a release directory

void WriteRelease(const TempDir& dir, const std::string& snapshot) {
  Rf2Release r = SmallRelease();
  dir.Write(snapshot + "/Terminology/sct2_Concept_Snapshot_INT_20250101.txt", r.concepts[0].text);
  dir.Write(snapshot + "/Terminology/sct2_Description_Snapshot-en_INT_20250101.txt",
            r.descriptions[0].text);
  dir.Write(snapshot + "/Terminology/sct2_Relationship_Snapshot_INT_20250101.txt",
            r.relationships[0].text);
  dir.Write(snapshot + "/Refset/Language/der2_cRefset_LanguageSnapshot-en_INT_20250101.txt",
            r.language_refsets[0].text);
  dir.Write(snapshot + "/Refset/Content/der2_Refset_SimpleSnapshot_GB1000000_20250101.txt",
            r.simple_refsets[0].text);
  // Not ours: other components, other release types.
  dir.Write(snapshot + "/Terminology/sct2_StatedRelationship_Snapshot_INT_20250101.txt", "x");
  dir.Write(snapshot + "/Terminology/sct2_TextDefinition_Snapshot-en_INT_20250101.txt", "x");
  dir.Write(snapshot + "/Refset/Map/der2_sRefset_SimpleMapSnapshot_INT_20250101.txt", "x");
  dir.Write(snapshot + "/Readme.txt", "x");
}

TEST(Rf2Directory, ReleaseRootSnapshotFolderOrFlatFolder) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  WriteRelease(dir, "rel/Snapshot");
  dir.Write("rel/Full/Terminology/sct2_Concept_Full_INT_20250101.txt", "x");
  for (std::string path :
       {dir.path() + "/rel", dir.path() + "/rel/", dir.path() + "/rel/Snapshot"}) {
    Rf2Release r;
    std::vector<ImportError> errors;
    ASSERT_TRUE(ReadRf2Directory(path, r, errors)) << path;
    EXPECT_THAT(Render(errors), IsEmpty());
    ASSERT_EQ(r.concepts.size(), 1u);
    EXPECT_EQ(r.concepts[0].name,
              dir.path() + "/rel/Snapshot/Terminology/sct2_Concept_Snapshot_INT_20250101.txt");
    EXPECT_EQ(r.descriptions.size(), 1u);
    EXPECT_EQ(r.relationships.size(), 1u);
    EXPECT_EQ(r.language_refsets.size(), 1u);
    EXPECT_EQ(r.simple_refsets.size(), 1u);
    auto cs = ImportRf2(r, errors);
    ASSERT_NE(cs, nullptr);
    EXPECT_THAT(Render(errors), IsEmpty());
    EXPECT_EQ(cs->concept_count(), 11u);
    EXPECT_EQ(cs->source(), dir.path() + "/rel");
  }

  TempDir flat;
  Rf2Release small = SmallRelease();
  flat.Write("sct2_Concept_Snapshot_INT_20250101.txt", small.concepts[0].text);
  flat.Write("der2_Refset_SimpleSnapshot_INT_20250101.txt", small.simple_refsets[0].text);
  Rf2Release r;
  std::vector<ImportError> errors;
  ASSERT_TRUE(ReadRf2Directory(flat.path(), r, errors));
  EXPECT_EQ(r.concepts.size(), 1u);
  EXPECT_EQ(r.simple_refsets.size(), 1u);
  EXPECT_TRUE(r.descriptions.empty());
}

TEST(Rf2Directory, NoConceptFileOrNoDirectory) {
  TempDir dir;
  dir.Write("Snapshot/Terminology/sct2_Description_Snapshot-en_INT_20250101.txt", "x");
  Rf2Release r;
  std::vector<ImportError> errors;
  EXPECT_FALSE(ReadRf2Directory(dir.path(), r, errors));
  EXPECT_THAT(Render(errors),
              ElementsAre(dir.path() +
                          ":0: holds no RF2 concept file (sct2_Concept_Snapshot*.txt), in itself "
                          "or below its Snapshot folder"));
  errors.clear();
  EXPECT_FALSE(ReadRf2Directory(dir.path() + "/missing", r, errors));
  EXPECT_THAT(
      Render(errors),
      ElementsAre(dir.path() + "/missing:0: cannot be read as an RF2 release: No such file or "
                               "directory"));
}

TEST(Rf2Directory, SymlinkLoopsAreWalkedOnce) {
  TempDir dir;
  WriteRelease(dir, "Snapshot");
  ASSERT_EQ(symlink("..", (dir.path() + "/Snapshot/Terminology/loop").c_str()), 0);
  Rf2Release r;
  std::vector<ImportError> errors;
  ASSERT_TRUE(ReadRf2Directory(dir.path(), r, errors));
  EXPECT_EQ(r.concepts.size(), 1u);
  EXPECT_EQ(r.language_refsets.size(), 1u);
}

// ---- Scale: the synthetic release at a reduced size

TEST(Rf2Scale, ReducedSyntheticRelease) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  rf2gen::Options options;
  options.concepts = 20000;
  rf2gen::Summary summary;
  std::string error;
  ASSERT_TRUE(rf2gen::Generate(options, dir.path(), summary, error)) << error;
  // The generator is deterministic: these numbers only move when it does.
  EXPECT_EQ(summary.active_concepts, 20000u);
  EXPECT_EQ(summary.inactive_concepts, 2000u);
  EXPECT_EQ(summary.big_concept, "404684003");
  EXPECT_EQ(summary.big_descendants, 5405u);  // 20000 * 10 / 37

  Rf2Release release;
  std::vector<ImportError> errors;
  ASSERT_TRUE(ReadRf2Directory(dir.path(), release, errors));
  EXPECT_EQ(release.concepts.size(), 2u);  // International and UK extension
  EXPECT_EQ(release.simple_refsets.size(), 1u);
  auto cs = ImportRf2(release, errors);
  ASSERT_NE(cs, nullptr);
  EXPECT_THAT(Render(errors), IsEmpty());

  EXPECT_EQ(cs->concept_count(), summary.active_concepts + summary.inactive_concepts);
  EXPECT_EQ(cs->size(), cs->concept_count());
  size_t active = 0, edges = 0;
  for (ConceptId id = 0; id < cs->size(); ++id) {
    active += cs->Active(id);
    edges += cs->Parents(id).size();
  }
  EXPECT_EQ(active, summary.active_concepts);
  EXPECT_EQ(edges, summary.active_isa_edges);

  std::vector<ConceptId> out;
  cs->Descendants(*cs->Find(summary.big_concept), false, out);
  EXPECT_EQ(out.size(), summary.big_descendants);
  out.clear();
  cs->Descendants(*cs->Find(summary.body_structure), false, out);
  EXPECT_EQ(out.size(), summary.body_structure_descendants);

  ASSERT_EQ(summary.refsets.size(), 4u);
  for (const rf2gen::Refset& set : summary.refsets) {
    auto id = cs->Find(set.code);
    ASSERT_TRUE(id) << set.code;
    EXPECT_EQ(cs->RefsetMembers(*id).size(), set.members) << set.code;
  }
  ASSERT_GE(summary.samples.size(), 10u);
  for (const rf2gen::Sample& s : summary.samples) {
    auto id = cs->Find(s.code);
    ASSERT_TRUE(id) << s.code;
    EXPECT_EQ(cs->PreferredTerm(*id), s.term) << s.code;
    EXPECT_EQ(cs->Active(*id), s.active) << s.code;
    std::vector<std::string> parents = Codes(*cs, cs->Parents(*id));
    std::sort(parents.begin(), parents.end());
    EXPECT_EQ(parents, s.parents) << s.code;
  }
}

}  // namespace
}  // namespace caldicott::schema
