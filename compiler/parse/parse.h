// The parse phase: source text in, AST out.
//
// This is the only phase that sees ANTLR. It lexes the whole file, reports
// lexical problems itself (so that each gets a precise message), parses
// with a recovering error strategy that speaks the language's own words,
// and converts the parse tree into ast::Module. Nodes that a syntax error
// left incomplete are dropped, not guessed at, so later phases never report
// a cascade of follow-on errors.
#ifndef CALDICOTT_COMPILER_PARSE_PARSE_H_
#define CALDICOTT_COMPILER_PARSE_PARSE_H_

#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/source/source.h"

namespace caldicott::parse {

struct Options {
  // After this many syntax errors in one file, stop parsing it.
  int max_errors_per_file = 20;
};

// Parses `file`. Reports problems to `diags` and returns what could be
// built. `file` must outlive the returned module's use of its ranges.
ast::Module ParseFile(const source::SourceFile& file, diag::Diagnostics& diags,
                      const Options& options = {});

// A token as the lexer sees it, for `--dump=tokens` and tests.
struct Token {
  std::string kind;  // the grammar's token name: ID, CODE, INT, KW_SHARE, ...
  std::string text;
  source::SourceRange range;
};

// Lexes `file` without parsing. Skipped text (spaces, comments) is absent.
std::vector<Token> Tokenize(const source::SourceFile& file);

}  // namespace caldicott::parse

#endif  // CALDICOTT_COMPILER_PARSE_PARSE_H_
