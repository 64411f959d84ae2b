#include "compiler/parse/parse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace caldicott::parse {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Parsed {
  source::SourceManager sources;
  diag::CollectingConsumer collected;
  ast::Module module;

  std::vector<std::string> Codes() const {
    std::vector<std::string> out;
    for (const auto& d : collected.diagnostics) out.emplace_back(diag::Info(d.kind).code);
    return out;
  }
  const diag::Diagnostic& Only() const {
    EXPECT_EQ(collected.diagnostics.size(), 1u);
    return collected.diagnostics.at(0);
  }
  std::string Where(const diag::Diagnostic& d) const {
    source::LineCol lc = sources.Get(d.range.file).Position(d.range.begin);
    return std::to_string(lc.line) + ":" + std::to_string(lc.column);
  }
};

std::unique_ptr<Parsed> Parse(std::string text, Options options = {}) {
  auto p = std::make_unique<Parsed>();
  const source::SourceFile& f = p->sources.Add("t.dsa", std::move(text));
  diag::Diagnostics diags(p->collected);
  p->module = ParseFile(f, diags, options);
  return p;
}

std::vector<std::string> Kinds(const std::string& text) {
  source::SourceManager sm;
  std::vector<std::string> kinds;
  for (const Token& t : Tokenize(sm.Add("t.dsa", text))) kinds.push_back(t.kind + " " + t.text);
  return kinds;
}

constexpr const char* kDesignExample = R"(
import "std:sections";
import "local/groups.dsa";
role podiatrist "Podiatrist" rbac R8003;
code-group diabetes "Diabetes mellitus" {
    snomed << 73211009 |Diabetes mellitus|;
    snomed << 420868002 |Disorder due to type 1 diabetes mellitus|
        MINUS << 190447002 |Steroid-induced diabetes|;
    readv2 << C10..;
    icd10 E10, E11, E13, E14;
}
code-group lower_limb_or_diabetic {
    code-group lower_limb;
    code-group diabetes;
}
label-group sensitive_labels {
    actcode << _InformationSensitivityPolicy;
}
agreement podiatry "Federated podiatry service" {
    version 2;
    controllers A81001, A81002;
    purpose direct_care;
    effective 2026-01-01 to 2027-12-31;
    share problems where code in code-group lower_limb or code in code-group diabetes;
    share code-group arthritis;
    share medication.current where code in code-group diabetes_medication;
    share allergies;
    exclude code-group sexual_health;
    exclude label-group sensitive_labels;
    exclude confidential;
    grant role podiatrist, podiatry_assistant;
}
)";

TEST(Lexer, CodesOfEverySystem) {
  EXPECT_THAT(Kinds("73211009 C10.. C10z. 14O.. E11.9 A56.0 _InformationSensitivityPolicy "
                    "A81001 R8003 2026-01-01 2345-7 V"),
              ElementsAre("INT 73211009", "CODE C10..", "CODE C10z.", "CODE 14O..", "CODE E11.9",
                          "CODE A56.0", "CODE _InformationSensitivityPolicy", "CODE A81001",
                          "CODE R8003", "DATE 2026-01-01", "CODE 2345-7", "CODE V", "EOF "));
}

TEST(Lexer, KeywordsNamesAndOperators) {
  EXPECT_THAT(Kinds("code-group code shares medication.current << <! < ^ AND OR MINUS"),
              ElementsAre("KW_CODE_GROUP code-group", "KW_CODE code", "ID shares", "ID medication",
                          "DOT .", "ID current", "DESC_OR_SELF <<", "CHILD_OF <!", "DESC <",
                          "MEMBER_OF ^", "ECL_AND AND", "ECL_OR OR", "ECL_MINUS MINUS", "EOF "));
}

TEST(Lexer, CommentsAreSkipped) {
  EXPECT_THAT(Kinds("a // one\n/* two\n three */ b"), ElementsAre("ID a", "ID b", "EOF "));
}

TEST(Parser, DesignExampleParsesCleanly) {
  auto p = Parse(kDesignExample);
  EXPECT_THAT(p->Codes(), ElementsAre());
  ASSERT_EQ(p->module.decls.size(), 7u);
  EXPECT_EQ(std::get<ast::Import>(p->module.decls[1]).path.value, "local/groups.dsa");

  const auto& role = std::get<ast::Role>(p->module.decls[2]);
  EXPECT_EQ(role.name.text, "podiatrist");
  EXPECT_EQ(role.title->value, "Podiatrist");
  EXPECT_EQ(role.rbac->text, "R8003");

  const auto& diabetes = std::get<ast::Group>(p->module.decls[3]);
  EXPECT_EQ(diabetes.kind, ast::GroupKind::Code);
  ASSERT_EQ(diabetes.entries.size(), 4u);
  const auto& minus = std::get<ast::SystemEntry>(diabetes.entries[1].node);
  const auto& bin = std::get<ast::EclBinary>(minus.exprs.at(0).node);
  EXPECT_EQ(bin.op, ast::EclBinaryOp::Minus);
  const auto& lhs = std::get<ast::EclConstraint>(bin.operands.at(0).node);
  EXPECT_EQ(lhs.op, ast::ConstraintOp::DescendantOrSelf);
  const auto& code = std::get<ast::EclCode>(lhs.operand->node);
  EXPECT_EQ(code.code.text, "420868002");
  EXPECT_EQ(code.term->value, "Disorder due to type 1 diabetes mellitus");
  EXPECT_EQ(std::get<ast::SystemEntry>(diabetes.entries[3].node).exprs.size(), 4u);

  const auto& labels = std::get<ast::Group>(p->module.decls[5]);
  EXPECT_EQ(labels.kind, ast::GroupKind::Label);

  const auto& a = std::get<ast::Agreement>(p->module.decls[6]);
  EXPECT_EQ(a.name.text, "podiatry");
  ASSERT_EQ(a.statements.size(), 12u);
  EXPECT_EQ(std::get<ast::Version>(a.statements[0].node).value, 2u);
  EXPECT_EQ(std::get<ast::Controllers>(a.statements[1].node).practices.at(1).text, "A81002");
  const auto& eff = std::get<ast::Effective>(a.statements[3].node);
  EXPECT_EQ(eff.from.year, 2026);
  EXPECT_EQ(eff.to->month, 12);
  const auto& share = std::get<ast::Rule>(a.statements[4].node);
  EXPECT_FALSE(share.exclude);
  EXPECT_EQ(share.targets.at(0).kind, ast::TargetKind::Section);
  EXPECT_EQ(std::get<ast::CondOr>(share.where->node).operands.size(), 2u);
  EXPECT_EQ(std::get<ast::Rule>(a.statements[6].node).targets.at(0).name.text,
            "medication.current");
  EXPECT_EQ(std::get<ast::Rule>(a.statements[10].node).targets.at(0).kind,
            ast::TargetKind::Confidential);
  EXPECT_EQ(std::get<ast::Grant>(a.statements[11].node).roles.size(), 2u);
}

TEST(Parser, RangesCoverTheirText) {
  auto p = Parse("role gp \"GP\";\n");
  const auto& role = std::get<ast::Role>(p->module.decls.at(0));
  std::string_view text = p->sources.Get(role.range.file).text();
  EXPECT_EQ(text.substr(role.range.begin, role.range.end - role.range.begin), "role gp \"GP\";");
  EXPECT_EQ(text.substr(role.name.range.begin, role.name.range.end - role.name.range.begin), "gp");
}

TEST(Parser, SectionsAndConditions) {
  auto p = Parse(
      "section s { problem, allergy where status is active and not recorded before 2020-01-01; "
      "medication where recorded within 6 months or (status is past); }");
  EXPECT_THAT(p->Codes(), ElementsAre());
  const auto& s = std::get<ast::Section>(p->module.decls.at(0));
  ASSERT_EQ(s.items.size(), 2u);
  EXPECT_EQ(s.items[0].kinds.size(), 2u);
  EXPECT_EQ(s.items[0].kinds[1].kind, ast::EntryKind::Allergy);
  const auto& conj = std::get<ast::CondAnd>(s.items[0].where->node);
  const auto& negated = std::get<ast::CondNot>(conj.operands.at(1).node);
  EXPECT_EQ(std::get<ast::CondRecordedBefore>(negated.operand->node).date.year, 2020);
  const auto& disj = std::get<ast::CondOr>(s.items[1].where->node);
  const auto& within = std::get<ast::CondRecordedWithin>(disj.operands.at(0).node);
  EXPECT_EQ(within.amount, 6u);
  EXPECT_EQ(within.unit, ast::TimeUnit::Months);
}

TEST(Parser, RepeatedNotCollapses) {
  auto p = Parse(
      "section s { problem where not not not status is active; "
      "allergy where not not status is active; }");
  EXPECT_THAT(p->Codes(), ElementsAre());
  const auto& s = std::get<ast::Section>(p->module.decls.at(0));
  const auto& n = std::get<ast::CondNot>(s.items[0].where->node);
  EXPECT_TRUE(std::holds_alternative<ast::CondStatus>(n.operand->node));
  EXPECT_TRUE(std::holds_alternative<ast::CondStatus>(s.items[1].where->node));
}

TEST(Parser, LongChainsAreFlatNotDeep) {
  std::string cond = "status is active";
  for (int i = 0; i < 20000; ++i) cond += " and not not status is past";
  auto p = Parse("section s { problem where " + cond + "; }");
  EXPECT_THAT(p->Codes(), ElementsAre());
  const auto& s = std::get<ast::Section>(p->module.decls.at(0));
  EXPECT_EQ(std::get<ast::CondAnd>(s.items[0].where->node).operands.size(), 20001u);
}

TEST(Parser, NestingUpToTheLimitParses) {
  std::string open(ast::kMaxNesting, '('), close(ast::kMaxNesting, ')');
  auto p = Parse("section s { problem where " + open + "status is active" + close + "; }");
  EXPECT_THAT(p->Codes(), ElementsAre());
}

TEST(Parser, DeepNestingIsOneErrorNotACrash) {
  std::string open(200000, '(');
  auto p = Parse("section s { problem where " + open + "status is active; }");
  const auto& d = p->Only();
  EXPECT_EQ(diag::Info(d.kind).code, "E0005");
  EXPECT_THAT(d.message, HasSubstr("nest more than 128 deep"));
}

TEST(Parser, MissingSemicolonPointsAfterThePreviousToken) {
  auto p = Parse("agreement a {\n    share problems\n    grant role gp;\n}\n");
  const auto& d = p->Only();
  EXPECT_EQ(diag::Info(d.kind).code, "E0101");
  EXPECT_EQ(d.message, "expected `;` after `problems`");
  EXPECT_EQ(p->Where(d), "2:19");
}

TEST(Parser, MessagesUseTheLanguagesWords) {
  EXPECT_EQ(Parse("agreement a {\n share problems;\n")->Only().message,
            "expected a statement or `}`, found end of file");
  EXPECT_EQ(Parse("agreement a { frobnicate; }")->Only().message,
            "expected a statement or `}`, found `frobnicate`");
  EXPECT_EQ(Parse("share problems;")->Only().message, "expected a declaration, found `share`");
  auto kw_parse = Parse("role status;");
  const auto& kw = kw_parse->Only();
  EXPECT_EQ(kw.message, "expected a name, found `status`");
  EXPECT_EQ(kw.help, "`status` is a keyword and cannot be used as a name");
  EXPECT_EQ(Parse("agreement a { effective 20260101; }")->Only().help,
            "dates are written YYYY-MM-DD, for example `2026-01-01`");
  EXPECT_EQ(Parse("code-group g { snomed 1 and 2; }")->Only().help,
            "code expressions combine with `AND`, `OR` and `MINUS`, in capitals");
}

TEST(Parser, RecoversAndReportsSeveralErrors) {
  auto p = Parse(
      "agreement a {\n"
      "  share problems where;\n"  // 1
      "  version x;\n"             // 2
      "  grant role gp;\n"
      "}\n"
      "role 9;\n"  // 3
      "role ok;\n");
  EXPECT_THAT(p->Codes(), ElementsAre("E0101", "E0101", "E0101"));
  // What parsed cleanly is still there for later phases.
  ASSERT_GE(p->module.decls.size(), 2u);
  const auto& a = std::get<ast::Agreement>(p->module.decls[0]);
  ASSERT_EQ(a.statements.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ast::Grant>(a.statements[0].node));
  EXPECT_EQ(std::get<ast::Role>(p->module.decls.back()).name.text, "ok");
}

TEST(Parser, ErrorsPerFileAreCapped) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "role 1;\n";
  Options options;
  options.max_errors_per_file = 7;
  auto p = Parse(text, options);
  EXPECT_EQ(p->collected.diagnostics.size(), 7u);
}

TEST(Lexer, MalformedTokensEachGetOneDiagnostic) {
  EXPECT_EQ(diag::Info(Parse("role gp \"Podiatrist;\n")->Only().kind).code, "E0103");
  EXPECT_EQ(diag::Info(Parse("role gp; /* never closed")->Only().kind).code, "E0102");
  EXPECT_EQ(diag::Info(Parse("code-group g { snomed 1 |Term; }")->Only().kind).code, "E0105");
  auto stray_parse = Parse("role gp; @@@ role nurse;");
  const auto& stray = stray_parse->Only();
  EXPECT_EQ(diag::Info(stray.kind).code, "E0104");
  EXPECT_EQ(stray.message, "unexpected characters `@@@`");
  auto caps_parse = Parse("role podiatryAssistant;");
  const auto& caps = caps_parse->Only();
  EXPECT_EQ(diag::Info(caps.kind).code, "E0106");
  EXPECT_EQ(caps.help, "write `podiatry_assistant`; words in capitals are codes");
  EXPECT_EQ(diag::Info(Parse("role gp 'GP';")->Only().kind).code, "E0111");
}

TEST(Parser, SingleQuotedStringKeepsTheTextBetweenTheQuotes) {
  auto p = Parse("import 'std:sections';\nrole gp 'say \"hi\"';\n");
  ASSERT_EQ(p->collected.diagnostics.size(), 2u);
  EXPECT_EQ(std::get<ast::Import>(p->module.decls.at(0)).path.value, "std:sections");
  EXPECT_EQ(std::get<ast::Role>(p->module.decls.at(1)).title->value, "say \"hi\"");
  EXPECT_EQ(p->collected.diagnostics[1].help, "write \"say \\\"hi\\\"\"");
}

TEST(Parser, CapitalisedNamesSuggestSnakeCase) {
  auto p = Parse("role podiatryAssistant; code-group g { readV2 C10..; }");
  ASSERT_EQ(p->collected.diagnostics.size(), 2u);
  EXPECT_EQ(p->collected.diagnostics[0].help,
            "write `podiatry_assistant`; words in capitals are codes");
  EXPECT_EQ(p->collected.diagnostics[1].help, "write `readv2`; words in capitals are codes");
}

TEST(Parser, EclOperatorsNeedParenthesesToMix) {
  EXPECT_THAT(Parse("code-group g { snomed << 1 OR << 2 OR 3; }")->Codes(), ElementsAre());
  EXPECT_THAT(Parse("code-group g { snomed (<< 1 OR 2) MINUS 3; }")->Codes(), ElementsAre());
  EXPECT_THAT(Parse("code-group g { snomed << 1 OR 2 MINUS 3; }")->Codes(), ElementsAre("E0107"));
  EXPECT_EQ(Parse("code-group g { snomed 1 MINUS 2 MINUS 3; }")->Only().message,
            "a chain of `MINUS` needs parentheses");
}

TEST(Parser, DatesMustExist) {
  EXPECT_THAT(Parse("agreement a { effective 2024-02-29; }")->Codes(), ElementsAre());
  EXPECT_THAT(Parse("agreement a { effective 2026-02-29; }")->Codes(), ElementsAre("E0108"));
  EXPECT_THAT(Parse("agreement a { effective 2026-13-01; }")->Codes(), ElementsAre("E0108"));
  EXPECT_THAT(Parse("agreement a { effective 2026-04-31; }")->Codes(), ElementsAre("E0108"));
  EXPECT_EQ(Parse("agreement a { effective 0000-01-01; }")->Only().help, "years start at 0001");
}

TEST(Parser, NumbersAreBounded) {
  EXPECT_THAT(Parse("agreement a { version 99999999999999999999; }")->Codes(),
              ElementsAre("E0109"));
  EXPECT_THAT(Parse("section s { problem where recorded within 5000000 days; }")->Codes(),
              ElementsAre("E0109"));
}

TEST(Parser, StringEscapes) {
  auto ok = Parse(R"(role gp "a \"quoted\" \\ title";)");
  EXPECT_EQ(std::get<ast::Role>(ok->module.decls.at(0)).title->value, R"(a "quoted" \ title)");
  EXPECT_THAT(Parse(R"(role gp "bad \q";)")->Codes(), ElementsAre("E0110"));
}

TEST(Parser, UnknownKindsAndStatusesSuggest) {
  auto kind_parse = Parse("section s { problems; }");
  const auto& kind = kind_parse->Only();
  EXPECT_EQ(diag::Info(kind.kind).code, "E0209");
  EXPECT_EQ(kind.help, "did you mean `problem`?");
  auto status_parse = Parse("section s { problem where status is actve; }");
  const auto& status = status_parse->Only();
  EXPECT_EQ(diag::Info(status.kind).code, "E0210");
  EXPECT_EQ(status.help, "did you mean `active`?");
}

TEST(Parser, NonAsciiTextKeepsColumnsInCodePoints) {
  auto p = Parse("role gp \"Médecin généraliste\"; @");
  const auto& d = p->Only();
  EXPECT_EQ(p->Where(d), "1:32");
}

}  // namespace
}  // namespace caldicott::parse
