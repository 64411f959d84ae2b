#include "compiler/parse/syntax_errors.h"

#include <algorithm>
#include <initializer_list>

#include <fmt/format.h>

namespace caldicott::parse {

using grammar::CaldicottParser;
using P = CaldicottParser;

Positions::Positions(const source::SourceFile& file) : file_(file) {
  std::string_view text = file.text();
  bool ascii = std::all_of(text.begin(), text.end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return;
  byte_of_.reserve(text.size() + 1);
  for (uint32_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) byte_of_.push_back(i);
  }
  byte_of_.push_back(static_cast<uint32_t>(text.size()));
}

uint32_t Positions::Byte(size_t cp) const {
  if (byte_of_.empty()) return static_cast<uint32_t>(std::min(cp, file_.text().size()));
  return byte_of_[std::min(cp, byte_of_.size() - 1)];
}

bool IsConjured(const antlr4::Token* token) {
  return token == nullptr || token->getStartIndex() == INVALID_INDEX;
}

source::SourceRange Positions::Range(const antlr4::Token* token) const {
  // EOF and conjured tokens have no text: an empty range at the end.
  if (token == nullptr || token->getType() == antlr4::Token::EOF || IsConjured(token)) {
    auto end = static_cast<uint32_t>(file_.text().size());
    return {file_.id(), end, end};
  }
  return {file_.id(), Byte(token->getStartIndex()), Byte(token->getStopIndex() + 1)};
}

source::SourceRange Positions::Range(antlr4::ParserRuleContext* ctx) const {
  source::SourceRange begin = Range(ctx->getStart());
  const antlr4::Token* stop = ctx->getStop();
  if (stop == nullptr || IsConjured(stop) || stop->getType() == antlr4::Token::EOF ||
      stop->getStopIndex() + 1 <= ctx->getStart()->getStartIndex()) {
    return begin;
  }
  return {file_.id(), begin.begin, Byte(stop->getStopIndex() + 1)};
}

// `podiatryAssistant` -> `podiatry_assistant`, `readV2` -> `readv2`.
std::string SnakeCase(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (std::isupper(c)) {
      // A capital that starts a word (`Assistant`) starts a new `_` part;
      // one that does not (`V2`, `HIV`) is just lowered.
      bool starts_word = i + 1 < s.size() && std::islower(static_cast<unsigned char>(s[i + 1]));
      if (starts_word && i > 0 && s[i - 1] != '_') out += '_';
      out += static_cast<char>(std::tolower(c));
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string DescribeTokenType(size_t type, const antlr4::dfa::Vocabulary& vocab) {
  switch (type) {
    case antlr4::Token::EOF:
      return "end of file";
    case P::ID:
      return "a name";
    case P::CODE:
      return "a code";
    case P::INT:
      return "a number";
    case P::DATE:
      return "a date (YYYY-MM-DD)";
    case P::STRING:
      return "a string";
    case P::TERM:
      return "a `|term|`";
    default:
      break;
  }
  std::string literal = vocab.getLiteralName(type);
  if (literal.size() >= 2 && literal.front() == '\'' && literal.back() == '\'') {
    return "`" + literal.substr(1, literal.size() - 2) + "`";
  }
  return "`" + vocab.getDisplayName(type) + "`";
}

namespace {

bool IsKeyword(size_t type, const antlr4::dfa::Vocabulary& vocab) {
  std::string symbolic = vocab.getSymbolicName(type);
  return symbolic.rfind("KW_", 0) == 0 || symbolic.rfind("ECL_", 0) == 0;
}

// What was found, for "expected X, found Y".
std::string DescribeFound(const antlr4::Token* t) {
  if (t->getType() == antlr4::Token::EOF) return "end of file";
  std::string text = t->getText();
  if (source::CodePointCount(text) > 32) {
    size_t cut = 0;
    for (size_t cps = 0; cut < text.size() && cps < 30; ++cps) {
      ++cut;
      while (cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) ++cut;
    }
    text = text.substr(0, cut) + "…";
  }
  return "`" + text + "`";
}

// Names the expected set in the language's terms: "a statement" rather than
// seven keywords.
std::string DescribeExpected(const antlr4::misc::IntervalSet& expected,
                             const antlr4::dfa::Vocabulary& vocab) {
  std::vector<size_t> types;
  for (ssize_t t : expected.toList()) types.push_back(static_cast<size_t>(t));
  std::vector<std::string> parts;
  auto take_group = [&](std::initializer_list<size_t> group, const char* words) {
    for (size_t g : group) {
      if (std::find(types.begin(), types.end(), g) == types.end()) return;
    }
    std::erase_if(
        types, [&](size_t t) { return std::find(group.begin(), group.end(), t) != group.end(); });
    parts.emplace_back(words);
  };
  take_group({P::KW_IMPORT, P::KW_ROLE, P::KW_CODE_GROUP, P::KW_LABEL_GROUP, P::KW_SECTION,
              P::KW_AGREEMENT},
             "a declaration");
  take_group({P::KW_SHARE, P::KW_EXCLUDE, P::KW_GRANT, P::KW_VERSION, P::KW_CONTROLLERS,
              P::KW_PURPOSE, P::KW_EFFECTIVE},
             "a statement");
  take_group(
      {P::DESC_OR_SELF, P::DESC, P::CHILD_OF, P::MEMBER_OF, P::INT, P::CODE, P::ID, P::LPAREN},
      "a code expression");
  take_group({P::KW_CODE_GROUP, P::KW_LABEL_GROUP, P::KW_CONFIDENTIAL, P::ID},
             "a section, `code-group`, `label-group` or `confidential`");
  take_group({P::KW_NOT, P::KW_CODE, P::KW_LABEL, P::KW_STATUS, P::KW_RECORDED, P::LPAREN},
             "a condition");
  take_group({P::KW_CODE, P::KW_LABEL, P::KW_STATUS, P::KW_RECORDED, P::LPAREN}, "a condition");
  take_group({P::INT, P::CODE, P::ID}, "a code");
  take_group({P::ECL_OR, P::ECL_AND, P::ECL_MINUS}, "`OR`, `AND` or `MINUS`");
  // "or end of file" helps nobody when something else would do.
  if (!parts.empty() || types.size() > 1) std::erase(types, antlr4::Token::EOF);
  for (size_t t : types) parts.push_back(DescribeTokenType(t, vocab));
  if (parts.empty()) return "something else";
  if (parts.size() == 1) return parts[0];
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += i + 1 == parts.size() ? " or " : ", ";
    out += parts[i];
  }
  return out;
}

bool Contains(const antlr4::misc::IntervalSet& set, size_t type) {
  return set.contains(type);
}

// The last token on the default channel before `t`, if any.
antlr4::Token* PreviousToken(antlr4::Parser* parser, antlr4::Token* t) {
  auto* stream = parser->getTokenStream();
  if (t->getTokenIndex() == INVALID_INDEX) return nullptr;
  for (size_t i = t->getTokenIndex(); i-- > 0;) {
    antlr4::Token* p = stream->get(i);
    if (p->getChannel() == antlr4::Token::DEFAULT_CHANNEL) return p;
  }
  return nullptr;
}

}  // namespace

// One error per statement: after an error, ANTLR's recovery often trips
// over the rest of the same statement, and a malformed token that the
// lexical pass reported (an unterminated string swallows the `;`) trips the
// parser too. Stay quiet until a `;`, `{` or `}` has gone by since the last
// reported problem.
bool ErrorStrategy::Suppressed(antlr4::Parser* parser, antlr4::Token* found) {
  size_t at = found->getTokenIndex();
  if (at == INVALID_INDEX) return true;
  size_t anchor = INVALID_INDEX;
  if (last_error_ != INVALID_INDEX && last_error_ <= at) anchor = last_error_;
  auto it = std::upper_bound(reported_.begin(), reported_.end(), at);
  if (it != reported_.begin() && (anchor == INVALID_INDEX || *(it - 1) > anchor)) {
    anchor = *(it - 1);
  }
  if (anchor == INVALID_INDEX) return false;
  auto* stream = parser->getTokenStream();
  for (size_t i = anchor; i < at; ++i) {
    size_t type = stream->get(i)->getType();
    if (type == P::SEMI || type == P::LBRACE || type == P::RBRACE) return false;
  }
  return true;
}

bool ErrorStrategy::Counted(antlr4::Parser* parser, antlr4::Token* found) {
  if (Suppressed(parser, found)) return false;
  last_error_ = found->getTokenIndex();
  if (++errors_ > max_errors_ || diags_.limit_reached()) {
    diags_.MarkTruncated();
    throw TooManyErrors{};
  }
  return true;
}

namespace {
bool InsideRule(antlr4::Parser* parser, size_t rule) {
  for (antlr4::RuleContext* c = parser->getContext(); c != nullptr;
       c = dynamic_cast<antlr4::RuleContext*>(c->parent)) {
    if (c->getRuleIndex() == rule) return true;
  }
  return false;
}
}  // namespace

void ErrorStrategy::Report(antlr4::Parser* parser, antlr4::Token* found,
                           const antlr4::misc::IntervalSet& expected) {
  if (!Counted(parser, found)) return;

  source::SourceRange range = positions_.Range(found);
  std::string message;
  std::string help;
  antlr4::Token* prev = PreviousToken(parser, found);

  // A missing `;` is found on the next line; point where it belongs.
  if (Contains(expected, P::SEMI) && prev != nullptr &&
      (found->getType() == antlr4::Token::EOF || found->getLine() > prev->getLine())) {
    // ANTLR recovers by inserting the `;`, so the next statement starts
    // afresh at `found`: errors in it are new errors.
    last_error_ = INVALID_INDEX;
    uint32_t after = positions_.Range(prev).end;
    range = {positions_.file().id(), after, after};
    message = fmt::format("expected `;` after {}", DescribeFound(prev));
    help = "every statement and declaration ends with `;`";
  } else {
    message =
        fmt::format("expected {}, found {}", DescribeExpected(expected, parser->getVocabulary()),
                    DescribeFound(found));
    size_t type = found->getType();
    if (Contains(expected, P::ID) && IsKeyword(type, parser->getVocabulary())) {
      help = fmt::format("{} is a keyword and cannot be used as a name", DescribeFound(found));
    } else if (Contains(expected, P::ID) && type == P::CODE) {
      help = fmt::format("names are written in lower case: `{}`", SnakeCase(found->getText()));
    } else if ((type == P::KW_AND || type == P::KW_OR || type == P::KW_NOT) &&
               InsideRule(parser, P::RuleGroupEntry)) {
      help = "code expressions combine with `AND`, `OR` and `MINUS`, in capitals";
    } else if ((type == P::ECL_AND || type == P::ECL_OR) &&
               (Contains(expected, P::KW_OR) || Contains(expected, P::KW_AND))) {
      help = "conditions combine with `and`, `or` and `not`, in lower case";
    } else if (type == P::INT && Contains(expected, P::DATE)) {
      help = "dates are written YYYY-MM-DD, for example `2026-01-01`";
    } else if (type == P::STRING && Contains(expected, P::SEMI)) {
      help = "a title string comes straight after the name it describes";
    }
  }
  auto builder = diags_.Emit(diag::DiagKind::SyntaxError, range, std::move(message));
  if (!help.empty()) builder.Help(std::move(help));
}

void ErrorStrategy::reportNoViableAlternative(antlr4::Parser* parser,
                                              const antlr4::NoViableAltException& e) {
  antlr4::Token* found = e.getOffendingToken();
  antlr4::misc::IntervalSet expected =
      e.getStartToken() == found ? e.getExpectedTokens() : antlr4::misc::IntervalSet();
  if (expected.isEmpty()) {
    if (!Counted(parser, found)) return;
    diags_.Emit(diag::DiagKind::SyntaxError, positions_.Range(found),
                fmt::format("unexpected {}", DescribeFound(found)));
    return;
  }
  Report(parser, found, expected);
}

void ErrorStrategy::reportInputMismatch(antlr4::Parser* parser,
                                        const antlr4::InputMismatchException& e) {
  Report(parser, e.getOffendingToken(), e.getExpectedTokens());
}

void ErrorStrategy::reportFailedPredicate(antlr4::Parser* parser,
                                          const antlr4::FailedPredicateException& e) {
  // The grammar has no predicates; keep a sane message should one appear.
  Report(parser, e.getOffendingToken(), e.getExpectedTokens());
}

void ErrorStrategy::reportUnwantedToken(antlr4::Parser* parser) {
  if (inErrorRecoveryMode(parser)) return;
  beginErrorCondition(parser);
  Report(parser, parser->getCurrentToken(), getExpectedTokens(parser));
}

void ErrorStrategy::reportMissingToken(antlr4::Parser* parser) {
  if (inErrorRecoveryMode(parser)) return;
  beginErrorCondition(parser);
  Report(parser, parser->getCurrentToken(), getExpectedTokens(parser));
}

}  // namespace caldicott::parse
