#include "compiler/diagnostics/diagnostics.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

namespace caldicott::diag {
namespace {

using source::SourceRange;

class DiagnosticsTest : public ::testing::Test {
 protected:
  source::SourceManager sources_;
  const source::SourceFile& file_ =
      sources_.Add("podiatry.dsa",
                   "agreement podiatry {\n"
                   "    share problems where code in code-group diabetis;\n"
                   "}\n");
};

TEST_F(DiagnosticsTest, TextMatchesTheContractFormat) {
  // The example of docs/diagnostics.md, rendered whole.
  std::ostringstream out;
  TextConsumer text(out, sources_, ColorMode::Never);
  Diagnostics diags(text);
  uint32_t begin = static_cast<uint32_t>(file_.text().find("diabetis"));
  diags.Emit(DiagKind::SyntaxError, {file_.id(), begin, begin + 8}, "unknown code group `diabetis`")
      .Help("did you mean `diabetes`?");
  diags.Finish();
  EXPECT_EQ(out.str(),
            "podiatry.dsa:2:45: error: unknown code group `diabetis` [E0101]\n"
            "    share problems where code in code-group diabetis;\n"
            "                                            ^~~~~~~~\n"
            "help: did you mean `diabetes`?\n"
            "1 error generated.\n");
}

TEST_F(DiagnosticsTest, NotesCarryTheirOwnPlace) {
  std::ostringstream out;
  TextConsumer text(out, sources_, ColorMode::Never);
  Diagnostics diags(text);
  diags.Emit(DiagKind::ImportCycle, {file_.id(), 0, 9}, "first")
      .Note({file_.id(), 10, 18}, "second here");
  diags.Finish();
  EXPECT_EQ(out.str(),
            "podiatry.dsa:1:1: error: first [E0202]\n"
            "agreement podiatry {\n"
            "^~~~~~~~~\n"
            "podiatry.dsa:1:11: note: second here\n"
            "agreement podiatry {\n"
            "          ^~~~~~~~\n"
            "1 error generated.\n");
}

TEST_F(DiagnosticsTest, EmptyRangeAtEndOfLineGetsOneCaret) {
  std::ostringstream out;
  TextConsumer text(out, sources_, ColorMode::Never);
  Diagnostics diags(text);
  diags.Emit(DiagKind::SyntaxError, {file_.id(), 20, 20}, "expected `;`");
  diags.Finish();
  EXPECT_NE(out.str().find("agreement podiatry {\n                    ^\n"), std::string::npos)
      << out.str();
}

TEST_F(DiagnosticsTest, ControlCharactersAreNotEchoed) {
  source::SourceManager sm;
  const source::SourceFile& f = sm.Add("x.dsa", "a\x1b[31mb");
  std::ostringstream out;
  TextConsumer text(out, sm, ColorMode::Never);
  Diagnostics diags(text);
  diags.Emit(DiagKind::StrayCharacter, {f.id(), 1, 2}, "unexpected character");
  diags.Finish();
  EXPECT_EQ(out.str().find('\x1b'), std::string::npos);
}

TEST_F(DiagnosticsTest, ControlCharactersInMessagesAreReplaced) {
  std::ostringstream out;
  TextConsumer text(out, sources_, ColorMode::Never);
  Diagnostics diags(text);
  diags.Emit(DiagKind::StrayCharacter, {file_.id(), 0, 1}, "unexpected `\x1b]0;pwned\x07`")
      .Help("\x1b[2J")
      .Note({}, "\x7f");
  diags.Finish();
  EXPECT_EQ(out.str().find('\x1b'), std::string::npos);
  EXPECT_EQ(out.str().find('\x07'), std::string::npos);
  EXPECT_EQ(out.str().find('\x7f'), std::string::npos);
  EXPECT_NE(out.str().find("unexpected `\xEF\xBF\xBD]0;pwned\xEF\xBF\xBD`"), std::string::npos);
}

TEST_F(DiagnosticsTest, TruncationLineUsesTheRightNumber) {
  std::ostringstream out;
  TextConsumer text(out, sources_, ColorMode::Never);
  Diagnostics diags(text, 1);
  diags.Emit(DiagKind::SyntaxError, {file_.id(), 0, 1}, "a");
  diags.Emit(DiagKind::SyntaxError, {file_.id(), 0, 1}, "b");
  diags.Finish();
  EXPECT_NE(out.str().find("caldicott: stopped after 1 error; further problems were not reported"),
            std::string::npos)
      << out.str();
}

TEST_F(DiagnosticsTest, VeryLongLinesAreShownAsAWindow) {
  source::SourceManager sm;
  std::string line = std::string(5000, 'a') + " bad " + std::string(5000, 'b');
  const source::SourceFile& f = sm.Add("long.dsa", line + "\n");
  std::ostringstream out;
  TextConsumer text(out, sm, ColorMode::Never);
  Diagnostics diags(text);
  diags.Emit(DiagKind::StrayCharacter, {f.id(), 5001, 5004}, "here");
  diags.Finish();
  std::string expected_line =
      "\xE2\x80\xA6" + std::string(119, 'a') + " bad " + std::string(119, 'b') + "\xE2\x80\xA6\n";
  std::string expected_caret = std::string(121, ' ') + "^~~\n";
  EXPECT_EQ(out.str(), "long.dsa:1:5002: error: here [E0104]\n" + expected_line + expected_caret +
                           "1 error generated.\n");
}

TEST_F(DiagnosticsTest, PathOnlyDiagnostics) {
  std::ostringstream out;
  TextConsumer text(out, sources_, ColorMode::Never);
  Diagnostics diags(text);
  diags.EmitForPath(DiagKind::FileUnreadable, "missing.dsa", "cannot read file: No such file");
  diags.Finish();
  EXPECT_EQ(out.str(),
            "missing.dsa: error: cannot read file: No such file [E0001]\n1 error generated.\n");
  EXPECT_TRUE(diags.has_io_errors());
}

TEST_F(DiagnosticsTest, CountsAndPluralsInTheSummary) {
  std::ostringstream out;
  TextConsumer text(out, sources_, ColorMode::Never);
  Diagnostics diags(text);
  diags.Emit(DiagKind::SyntaxError, {file_.id(), 0, 1}, "one");
  diags.Emit(DiagKind::SyntaxError, {file_.id(), 0, 1}, "two");
  diags.Emit(DiagKind::DuplicateImport, {file_.id(), 0, 1}, "three");
  diags.Finish();
  EXPECT_EQ(diags.errors(), 2);
  EXPECT_EQ(diags.warnings(), 1);
  EXPECT_FALSE(diags.has_io_errors());
  EXPECT_NE(out.str().find("2 errors and 1 warning generated.\n"), std::string::npos);
}

TEST_F(DiagnosticsTest, ErrorLimitTruncates) {
  CollectingConsumer collected;
  Diagnostics diags(collected, 3);
  for (int i = 0; i < 10; ++i) diags.Emit(DiagKind::SyntaxError, {file_.id(), 0, 1}, "x");
  EXPECT_EQ(collected.diagnostics.size(), 3u);
  EXPECT_TRUE(diags.limit_reached());
}

TEST_F(DiagnosticsTest, SortingConsumerOrdersBySourcePosition) {
  CollectingConsumer collected;
  SortingConsumer sorted(collected);
  Diagnostics diags(sorted);
  diags.Emit(DiagKind::SyntaxError, {file_.id(), 30, 31}, "late");
  diags.Emit(DiagKind::SyntaxError, {file_.id(), 5, 6}, "early");
  diags.EmitForPath(DiagKind::FileUnreadable, "x.dsa", "no place");
  EXPECT_TRUE(collected.diagnostics.empty());  // held until Finish
  diags.Finish();
  ASSERT_EQ(collected.diagnostics.size(), 3u);
  EXPECT_EQ(collected.diagnostics[0].message, "no place");
  EXPECT_EQ(collected.diagnostics[1].message, "early");
  EXPECT_EQ(collected.diagnostics[2].message, "late");
}

TEST_F(DiagnosticsTest, JsonIsOneDocument) {
  std::ostringstream out;
  JsonConsumer json(out, sources_);
  Diagnostics diags(json);
  diags.Emit(DiagKind::SyntaxError, {file_.id(), 21, 26}, "say \"hi\"\n").Help("h");
  diags.Finish();
  EXPECT_EQ(out.str(),
            "{\"diagnostics\":[\n"
            "  {\"severity\":\"error\",\"code\":\"E0101\",\"message\":\"say \\\"hi\\\"\\n\","
            "\"file\":\"podiatry.dsa\",\"line\":2,\"column\":1,\"end_line\":2,\"end_column\":6,"
            "\"help\":\"h\",\"notes\":[]}\n"
            "],\"errors\":1,\"warnings\":0,\"truncated\":false}\n");
}

TEST(DiagKinds, CodesAreUniqueAndWellFormed) {
  std::set<std::string_view> codes;
  for (const DiagKindInfo& info : AllKinds()) {
    EXPECT_TRUE(codes.insert(info.code).second) << info.code;
    ASSERT_EQ(info.code.size(), 5u);
    EXPECT_TRUE(info.code[0] == 'E' || info.code[0] == 'W');
    EXPECT_EQ(info.code[0] == 'W', info.severity == Severity::Warning) << info.code;
  }
}

TEST(ClosestMatch, FindsTyposOnly) {
  std::vector<std::string_view> names = {"diabetes", "arthritis", "lower_limb"};
  EXPECT_EQ(ClosestMatch("diabetis", names), "diabetes");
  EXPECT_EQ(ClosestMatch("athritis", names), "arthritis");
  EXPECT_EQ(ClosestMatch("lowerlimb", names), "lower_limb");
  EXPECT_EQ(ClosestMatch("hiv", names), "");
  EXPECT_EQ(ClosestMatch("xyz", {}), "");
}

}  // namespace
}  // namespace caldicott::diag
