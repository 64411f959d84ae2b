#include "compiler/source/source.h"

#include <gtest/gtest.h>

namespace caldicott::source {
namespace {

TEST(SourceFile, LineAndColumnFromOffset) {
  SourceManager sm;
  const SourceFile& f = sm.Add("a.dsa", "ab\ncd\n\nxyz");
  EXPECT_EQ(f.line_count(), 4u);
  auto at = [&](uint32_t o) {
    LineCol lc = f.Position(o);
    return std::pair(lc.line, lc.column);
  };
  EXPECT_EQ(at(0), std::pair(1u, 1u));
  EXPECT_EQ(at(2), std::pair(1u, 3u));  // the newline itself
  EXPECT_EQ(at(3), std::pair(2u, 1u));
  EXPECT_EQ(at(6), std::pair(3u, 1u));
  EXPECT_EQ(at(9), std::pair(4u, 3u));
  EXPECT_EQ(at(10), std::pair(4u, 4u));    // end of file
  EXPECT_EQ(at(1000), std::pair(4u, 4u));  // clamped
  EXPECT_EQ(f.Line(1), "ab");
  EXPECT_EQ(f.Line(3), "");
  EXPECT_EQ(f.Line(4), "xyz");
  EXPECT_EQ(f.Line(5), "");
}

TEST(SourceFile, ColumnsCountCodePoints) {
  SourceManager sm;
  // "é" is two bytes; the `x` after it is in column 3.
  const SourceFile& f = sm.Add("a.dsa", "\xC3\xA9 x");
  EXPECT_EQ(f.Position(3).column, 3u);
}

// Columns come from a table of code points per block of bytes: every
// offset of long lines of one-, two- and three-byte characters, across
// block boundaries, agrees with counting from the start of its line.
TEST(SourceFile, ColumnsOfLongLinesAgreeWithCounting) {
  std::string text;
  for (int i = 0; i < 500; ++i) {
    text += i % 7 == 0 ? "\xC3\xA9" : i % 11 == 0 ? "\xE2\x82\xAC" : "a";
    if (i % 97 == 96) text += '\n';
  }
  SourceManager sm;
  const SourceFile& f = sm.Add("a.dsa", text);
  uint32_t line = 1, start = 0;
  for (uint32_t o = 0; o <= text.size(); ++o) {
    if ((static_cast<unsigned char>(text[o > 0 ? o - 1 : 0]) == '\n') && o > 0) ++line, start = o;
    LineCol lc = f.Position(o);
    EXPECT_EQ(lc.line, line) << o;
    EXPECT_EQ(lc.column, 1 + CodePointCount(std::string_view(text).substr(start, o - start))) << o;
  }
}

TEST(SourceFile, CrLfLinesAreTrimmed) {
  SourceManager sm;
  const SourceFile& f = sm.Add("a.dsa", "one\r\ntwo\r\n");
  EXPECT_EQ(f.Line(1), "one");
  EXPECT_EQ(f.Line(2), "two");
  EXPECT_EQ(f.Position(5).line, 2u);
}

TEST(ValidateText, AcceptsUtf8) {
  EXPECT_FALSE(ValidateText("plain ascii"));
  EXPECT_FALSE(ValidateText("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(ValidateText(""));
}

TEST(ValidateText, RejectsWhatIsNotText) {
  auto nul = ValidateText(std::string_view("ab\0c", 4));
  ASSERT_TRUE(nul);
  EXPECT_EQ(nul->offset, 2u);
  EXPECT_EQ(nul->message, "NUL character");

  auto bad = ValidateText("ok\xFF");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->offset, 2u);
  EXPECT_EQ(bad->message, "invalid UTF-8 byte 0xff");

  EXPECT_TRUE(ValidateText("\xC0\xAF"));          // overlong
  EXPECT_TRUE(ValidateText("\xED\xA0\x80"));      // surrogate
  EXPECT_TRUE(ValidateText("\xE2\x82"));          // truncated
  EXPECT_TRUE(ValidateText("\xF4\x90\x80\x80"));  // beyond U+10FFFF
}

TEST(SanitizeText, ReplacesBadBytesAndKeepsOffsets) {
  std::string text =
      "a\xFF"
      "b\xC3";
  auto problem = SanitizeText(text);
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->offset, 1u);
  EXPECT_EQ(text, "a?b?");
  EXPECT_FALSE(ValidateText(text));
}

}  // namespace
}  // namespace caldicott::source
