// Robustness: feed the parser thousands of mutated versions of the shipped
// agreements and standard library. Nothing may crash or hang, every
// diagnostic must point inside its file, and rendering every diagnostic (as
// text and as JSON) must work. CTest's timeout catches a hang.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/parse/parse.h"
#include "compiler/source/source.h"
#include "stdlib/stdlib.h"

namespace caldicott {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds;
  for (const stdlib::EmbeddedModule& m : stdlib::EmbeddedModules()) seeds.emplace_back(m.text);
  fs::path examples = fs::path(CALDICOTT_SOURCE_DIR) / "examples";
  if (fs::exists(examples)) {
    for (const auto& entry : fs::recursive_directory_iterator(examples)) {
      if (entry.path().extension() != ".dsa") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  return seeds;
}

// Fragments that make interesting damage: the language's own punctuation,
// keywords, operators, unclosed constructs and bytes that are not text.
const std::vector<std::string> kFragments = {
    "(",
    ")",
    "{",
    "}",
    ";",
    ",",
    ".",
    "<<",
    "<!",
    "<",
    "^",
    "|",
    "\"",
    "'",
    "/*",
    "*/",
    "//",
    "AND",
    "OR",
    "MINUS",
    "and",
    "or",
    "not",
    "share",
    "exclude",
    "where",
    "code-group",
    "label-group",
    "section",
    "agreement",
    "role",
    "import",
    "grant role",
    "status is",
    "recorded within",
    "2026-02-30",
    "99999999999999999999",
    "C10..",
    "_X",
    "\xFF",
    "\xC3",
    std::string("\0", 1),
    "\x1b[2J",
    "\xE2\x80\xAE",
    "é",
    "\t",
    "\r\n",
    std::string(300, '('),
};

std::string Mutate(const std::string& seed, std::mt19937& rng) {
  std::string s = seed;
  auto pick = [&](size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng);
  };
  int edits = 1 + static_cast<int>(pick(4));
  for (int e = 0; e < edits; ++e) {
    size_t at = pick(s.size() + 1);
    switch (pick(6)) {
      case 0:  // delete a run
        s.erase(std::min(at, s.size()), pick(40) + 1);
        break;
      case 1:  // insert a fragment
        s.insert(std::min(at, s.size()), kFragments[pick(kFragments.size())]);
        break;
      case 2: {  // duplicate a run somewhere else
        std::string run = s.substr(std::min(at, s.size()), pick(80));
        s.insert(pick(s.size() + 1), run);
        break;
      }
      case 3:  // truncate
        s.resize(std::min(at, s.size()));
        break;
      case 4:  // flip a byte
        if (!s.empty()) s[pick(s.size())] = static_cast<char>(pick(256));
        break;
      default: {  // swap two runs
        if (s.size() < 4) break;
        size_t a = pick(s.size() / 2), b = s.size() / 2 + pick(s.size() / 2);
        size_t len = std::min<size_t>(pick(20) + 1, s.size() - b);
        std::string ra = s.substr(a, len), rb = s.substr(b, len);
        s.replace(b, len, ra);
        s.replace(a, len, rb);
      }
    }
  }
  return s;
}

TEST(Robustness, MutatedSourcesNeverCrash) {
  std::vector<std::string> seeds = Seeds();
  ASSERT_FALSE(seeds.empty());
  std::mt19937 rng(20261125);
  constexpr int kMutants = 6000;
  int with_errors = 0;
  for (int i = 0; i < kMutants; ++i) {
    std::string text = Mutate(seeds[static_cast<size_t>(i) % seeds.size()], rng);
    source::SourceManager sources;
    std::string shown = text;
    std::optional<source::TextProblem> problem = source::SanitizeText(shown);
    const source::SourceFile& file = sources.Add("m.dsa", std::move(shown));

    diag::CollectingConsumer collected;
    diag::Diagnostics diags(collected, 100);
    if (problem) {
      diags.Emit(diag::DiagKind::NotText, {file.id(), problem->offset, problem->offset + 1},
                 problem->message);
    } else {
      parse::ParseFile(file, diags);
    }
    diags.Finish();
    if (!collected.diagnostics.empty()) ++with_errors;

    std::ostringstream text_out, json_out;
    diag::TextConsumer text_consumer(text_out, sources, diag::ColorMode::Always);
    diag::JsonConsumer json_consumer(json_out, sources);
    for (const diag::Diagnostic& d : collected.diagnostics) {
      ASSERT_TRUE(d.range.valid());
      ASSERT_LE(d.range.begin, d.range.end) << "mutant " << i;
      ASSERT_LE(d.range.end, file.text().size()) << "mutant " << i;
      ASSERT_FALSE(d.message.empty());
      ASSERT_EQ(d.message.find("<missing"), std::string::npos) << d.message;
      ASSERT_EQ(d.message.find("T__"), std::string::npos) << d.message;
      text_consumer.Consume(d);
      json_consumer.Consume(d);
    }
    text_consumer.Finish(0, 0, false);
    json_consumer.Finish(0, 0, false);
    ASSERT_EQ(source::ValidateText(text_out.str()), std::nullopt) << "mutant " << i;
  }
  // The mutations are real damage: most mutants must be rejected.
  EXPECT_GT(with_errors, kMutants / 2);
}

}  // namespace
}  // namespace caldicott
