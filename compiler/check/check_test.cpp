#include "compiler/check/check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace caldicott::check {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

// A small SNOMED CT-shaped system: root, finding > diabetes > type 1/2,
// product > metformin, and a reference set.
std::unique_ptr<schema::CodeSystem> Snomed() {
  schema::CodeSystemBuilder b(std::string(schema::kSnomedUri), "snomed", "test");
  for (auto [code, term] : std::initializer_list<std::pair<const char*, const char*>>{
           {"138875005", "SNOMED CT Concept"},
           {"404684003", "Clinical finding"},
           {"373873005", "Pharmaceutical / biologic product"},
           {"73211009", "Diabetes mellitus"},
           {"44054006", "Diabetes mellitus type 2"},
           {"46635009", "Diabetes mellitus type 1"},
           {"109081006", "Product containing metformin"},
           {"999004381000000103", "A reference set"},
           {"76272004", "Syphilis"}}) {
    b.AddConcept(code, true, term);
  }
  b.AddIsA("404684003", "138875005");
  b.AddIsA("373873005", "138875005");
  b.AddIsA("73211009", "404684003");
  b.AddIsA("44054006", "73211009");
  b.AddIsA("46635009", "73211009");
  b.AddIsA("76272004", "404684003");
  b.AddIsA("109081006", "373873005");
  b.AddRefsetMember("999004381000000103", "76272004");
  return b.Build();
}

class CheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("caldicott_check_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    schema_.Add(Snomed());
  }
  void TearDown() override { fs::remove_all(dir_); }

  const CheckedProgram& Run(const std::string& text) {
    std::ofstream(dir_ / "a.dsa") << text;
    diag::Diagnostics diags(collected_);
    std::vector<std::string> paths{(dir_ / "a.dsa").string()};
    program_ = load::LoadProgram(paths, sources_, diags, {});
    checked_ = Check(program_, schema_, sources_, diags);
    return checked_;
  }
  std::vector<std::string> Codes() const {
    std::vector<std::string> out;
    for (const auto& d : collected_.diagnostics) out.emplace_back(diag::Info(d.kind).code);
    return out;
  }
  std::vector<std::string> Expansion(const std::string& group, const std::string& system) {
    const Group* g = checked_.GroupNamed(group);
    EXPECT_NE(g, nullptr);
    for (const CodeSet& s : g->sets) {
      if (s.system == system) return s.codes;
    }
    return {};
  }

  fs::path dir_;
  schema::Schema schema_;
  source::SourceManager sources_;
  diag::CollectingConsumer collected_;
  load::Program program_;
  CheckedProgram checked_;
};

TEST_F(CheckTest, EclOperatorsExpandExactly) {
  Run("code-group all { snomed << 73211009; }\n"
      "code-group below { snomed < 73211009; }\n"
      "code-group children { snomed <! 73211009; }\n"
      "code-group minus { snomed << 73211009 MINUS 46635009; }\n"
      "code-group conj { snomed (<< 73211009) AND (<< 44054006 OR 76272004); }\n"
      "code-group members { snomed ^ 999004381000000103; }\n"
      "code-group list { snomed 44054006, 76272004; }\n"
      "code-group nested { code-group minus; code-group members; }\n");
  EXPECT_THAT(Codes(), ElementsAre());
  EXPECT_THAT(Expansion("all", "snomed"), ElementsAre("44054006", "46635009", "73211009"));
  EXPECT_THAT(Expansion("below", "snomed"), ElementsAre("44054006", "46635009"));
  EXPECT_THAT(Expansion("children", "snomed"), ElementsAre("44054006", "46635009"));
  EXPECT_THAT(Expansion("minus", "snomed"), ElementsAre("44054006", "73211009"));
  EXPECT_THAT(Expansion("conj", "snomed"), ElementsAre("44054006"));
  EXPECT_THAT(Expansion("members", "snomed"), ElementsAre("76272004"));
  EXPECT_THAT(Expansion("list", "snomed"), ElementsAre("44054006", "76272004"));
  EXPECT_THAT(Expansion("nested", "snomed"), ElementsAre("44054006", "73211009", "76272004"));
  EXPECT_EQ(checked_.GroupNamed("nested")->sets.at(0).uri, schema::kSnomedUri);
}

TEST_F(CheckTest, ContentClassesFollowTheFocusConcepts) {
  Run("code-group meds { snomed << 373873005; }\n"
      "code-group dm { snomed << 73211009; }\n"
      "code-group both { code-group meds; code-group dm; }\n"
      "code-group dm_minus_meds { snomed << 73211009 MINUS << 373873005; }\n");
  EXPECT_TRUE(checked_.GroupNamed("meds")->only_products);
  EXPECT_FALSE(checked_.GroupNamed("meds")->only_findings);
  EXPECT_TRUE(checked_.GroupNamed("dm")->only_findings);
  EXPECT_FALSE(checked_.GroupNamed("both")->only_products);
  EXPECT_FALSE(checked_.GroupNamed("both")->only_findings);
  EXPECT_TRUE(checked_.GroupNamed("dm_minus_meds")->only_findings);
}

TEST_F(CheckTest, AgreementsCarryTheirResolvedParts) {
  const CheckedProgram& p = Run(
      "section problems { problem; }\n"
      "role gp; role nurse;\n"
      "code-group dm { snomed << 73211009; }\n"
      "agreement a { version 3; controllers A81001, A81002; purpose direct_care;\n"
      "  effective 2026-01-01 to 2027-12-31;\n"
      "  share problems where code in code-group dm; exclude code-group dm where status is past;\n"
      "  grant role nurse, gp; }\n");
  EXPECT_THAT(Codes(), ElementsAre());
  const Agreement* a = p.AgreementNamed("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->version, 3u);
  EXPECT_THAT(a->controllers, ElementsAre("A81001", "A81002"));
  EXPECT_EQ(a->purpose, "direct_care");
  EXPECT_EQ(a->effective_to->year, 2027);
  ASSERT_EQ(a->roles.size(), 2u);
  EXPECT_EQ(p.roles[a->roles[0]].name, "nurse");
  ASSERT_EQ(a->rules.size(), 2u);
  EXPECT_TRUE(a->rules[1]->exclude);
  // Every name in a target or condition is resolved.
  const ast::Target& t = a->rules[0]->targets[0];
  EXPECT_EQ(p.sections.at(p.resolved.at(&t.name)).name, "problems");
  const auto& in = std::get<ast::CondInGroup>(a->rules[0]->where->node);
  EXPECT_EQ(p.groups.at(p.resolved.at(&in.group)).name, "dm");
  EXPECT_EQ(p.sections[0].kinds, 1u << static_cast<unsigned>(ast::EntryKind::Problem));
}

TEST_F(CheckTest, OneMistakeOneDiagnostic) {
  // The missing system is reported once; the groups that use an unknown
  // group are not reported again; a failed group does not warn as empty.
  Run("code-group a { icd10 E11; }\n"
      "code-group b { icd10 E10; }\n"
      "code-group c { code-group missing; }\n"
      "code-group d { code-group c; }\n");
  EXPECT_THAT(Codes(), ElementsAre("E0207", "E0203"));
  EXPECT_FALSE(checked_.GroupNamed("d")->ok);
}

TEST_F(CheckTest, LongChainsOfGroupsDoNotRecurse) {
  std::string text = "code-group g0 { snomed 73211009; }\n";
  for (int i = 1; i < 20000; ++i) {
    text +=
        "code-group g" + std::to_string(i) + " { code-group g" + std::to_string(i - 1) + "; }\n";
  }
  Run(text);
  EXPECT_THAT(Codes(), ElementsAre());
  EXPECT_THAT(Expansion("g19999", "snomed"), ElementsAre("73211009"));
}

}  // namespace
}  // namespace caldicott::check
