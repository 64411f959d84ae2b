#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "compiler/base/date.h"
#include "compiler/base/json.h"
#include "compiler/base/sha256.h"

namespace caldicott::base {
namespace {

std::string RawSha(std::string_view data) {
  Sha256 sha;
  sha.Update(data);
  auto d = sha.Digest();
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

// ---- SHA-256

TEST(Sha256, Fips180Vectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalInPiecesOfEverySize) {
  const std::string million(1000000, 'a');
  for (size_t piece : {1, 3, 55, 56, 63, 64, 65, 127, 1000, 4096}) {
    Sha256 sha;
    for (size_t at = 0; at < million.size(); at += piece) {
      sha.Update(std::string_view(million).substr(at, piece));
    }
    EXPECT_EQ(sha.HexDigest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        << "pieces of " << piece;
  }
  // Padding edges: lengths around one block.
  for (size_t n : {55, 56, 57, 63, 64, 65, 119, 120}) {
    std::string text(n, 'x');
    Sha256 split;
    split.Update(std::string_view(text).substr(0, n / 2));
    split.Update(std::string_view(text).substr(n / 2));
    EXPECT_EQ(split.HexDigest(), Sha256Hex(text));
  }
}

TEST(Sha256, DigestIsStableOnceFinished) {
  Sha256 sha;
  sha.Update("abc");
  std::string first = sha.HexDigest();
  sha.Update("more");  // spent: ignored
  EXPECT_EQ(sha.HexDigest(), first);
  EXPECT_EQ(RawSha("abc").size(), 32u);
  EXPECT_EQ(static_cast<unsigned char>(RawSha("abc")[0]), 0xba);
}

// ---- dates

TEST(Dates, DaysFromCivilAndBack) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  for (int32_t d = -800000; d <= 800000; d += 97) {
    CivilDate c = CivilFromDays(d);
    ASSERT_EQ(DaysFromCivil(c.year, c.month, c.day), d);
  }
  EXPECT_EQ(DateText(DaysFromCivil(2026, 2, 28)), "2026-02-28");
  EXPECT_EQ(DateText(INT32_MIN), "(no date)");
}

TEST(Dates, ParseDayTakesOnlyRealDatesWrittenInFull) {
  EXPECT_EQ(ParseDay("2026-06-01"), DaysFromCivil(2026, 6, 1));
  EXPECT_EQ(ParseDay("2024-02-29"), DaysFromCivil(2024, 2, 29));
  EXPECT_EQ(ParseDay("0001-01-01"), DaysFromCivil(1, 1, 1));
  for (const char* bad : {"2026-02-29", "2026-02-30", "2026-13-01", "2026-00-10", "2026-01-00",
                          "0000-01-01", "2026-6-01", "2026-06-1", "+026-06-01", " 2026-06-0",
                          "2026/06/01", "2026-06-01T", "20260601", ""}) {
    EXPECT_FALSE(ParseDay(bad).has_value()) << bad;
  }
}

// ---- JSON text

TEST(Json, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(JsonEscape("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(JsonEscape("\n\r\t"), "\\n\\r\\t");
  EXPECT_EQ(JsonEscape(std::string_view("\x00\x1f\x7f", 3)), "\\u0000\\u001f\\u007f");
  EXPECT_EQ(JsonEscape("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 passes through
  EXPECT_EQ(JsonString("x\"y"), "\"x\\\"y\"");
  std::string cedar;
  AppendEscaped(cedar, "\x01", "\\u{{{:x}}}");
  EXPECT_EQ(cedar, "\\u{1}");
}

}  // namespace
}  // namespace caldicott::base
