// Internal to the parse phase: turning ANTLR's view of a syntax error into
// a diagnostic a person understands.
#ifndef CALDICOTT_COMPILER_PARSE_SYNTAX_ERRORS_H_
#define CALDICOTT_COMPILER_PARSE_SYNTAX_ERRORS_H_

#include <string>
#include <vector>

#include "CaldicottParser.h"
#include "antlr4-runtime.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/source/source.h"

namespace caldicott::parse {

// Maps ANTLR's code-point indices to our byte offsets.
class Positions {
 public:
  explicit Positions(const source::SourceFile& file);

  uint32_t Byte(size_t code_point_index) const;
  // The range of one token. A token the error strategy conjured (it has no
  // text in the file) gets an empty range at `fallback`.
  source::SourceRange Range(const antlr4::Token* token) const;
  source::SourceRange Range(antlr4::ParserRuleContext* ctx) const;
  source::SourceRange Join(source::SourceRange a, source::SourceRange b) const {
    return {file_.id(), a.begin, std::max(a.end, b.end)};
  }
  const source::SourceFile& file() const { return file_; }

 private:
  const source::SourceFile& file_;
  std::vector<uint32_t> byte_of_;  // empty when the text is ASCII
};

// True for a token that the error strategy made up to stand in for a
// missing one.
bool IsConjured(const antlr4::Token* token);

// Thrown to abandon a parse after too many errors.
struct TooManyErrors {};

// The error strategy of the real parse: ANTLR's recovery, our messages.
class ErrorStrategy : public antlr4::DefaultErrorStrategy {
 public:
  // `reported`: indices of tokens that the lexical pass has already
  // reported on (sorted); the parser stays quiet about them.
  ErrorStrategy(const Positions& positions, diag::Diagnostics& diags, int max_errors,
                std::vector<size_t> reported)
      : positions_(positions),
        diags_(diags),
        max_errors_(max_errors),
        reported_(std::move(reported)) {}

  int errors() const { return errors_; }

 protected:
  void reportNoViableAlternative(antlr4::Parser* parser,
                                 const antlr4::NoViableAltException& e) override;
  void reportInputMismatch(antlr4::Parser* parser,
                           const antlr4::InputMismatchException& e) override;
  void reportFailedPredicate(antlr4::Parser* parser,
                             const antlr4::FailedPredicateException& e) override;
  void reportUnwantedToken(antlr4::Parser* parser) override;
  void reportMissingToken(antlr4::Parser* parser) override;

 private:
  void Report(antlr4::Parser* parser, antlr4::Token* found,
              const antlr4::misc::IntervalSet& expected);
  bool Suppressed(antlr4::Parser* parser, antlr4::Token* found);
  // Counts an error about to be reported, unless it is suppressed. Throws
  // TooManyErrors past the limit.
  bool Counted(antlr4::Parser* parser, antlr4::Token* found);

  const Positions& positions_;
  diag::Diagnostics& diags_;
  int max_errors_;
  int errors_ = 0;
  std::vector<size_t> reported_;
  size_t last_error_ = INVALID_INDEX;  // token index of the last error
};

// The name a capitalised word most likely meant: `podiatryAssistant` ->
// `podiatry_assistant`, `Podiatrist` -> `podiatrist`, `readV2` -> `readv2`.
std::string SnakeCase(const std::string& s);

// "`;`", "a name", "end of file": how a message names a token type.
std::string DescribeTokenType(size_t type, const antlr4::dfa::Vocabulary& vocab);

}  // namespace caldicott::parse

#endif  // CALDICOTT_COMPILER_PARSE_SYNTAX_ERRORS_H_
