#include "compiler/parse/parse.h"

#include <charconv>

#include <fmt/format.h>

#include "CaldicottLexer.h"
#include "CaldicottParser.h"
#include "antlr4-runtime.h"
#include "compiler/parse/syntax_errors.h"

namespace caldicott::parse {

namespace {

using grammar::CaldicottLexer;
using grammar::CaldicottParser;
using P = CaldicottParser;
using diag::DiagKind;
using source::SourceRange;

// ---------------------------------------------------------------- lexing

// Holds the lexer's output for one file.
struct Lexed {
  explicit Lexed(const source::SourceFile& file)
      : input(file.text().data(), file.text().size()), lexer(&input), tokens(&lexer) {
    lexer.removeErrorListeners();  // STRAY matches anything: the lexer cannot fail
    tokens.fill();
  }
  antlr4::ANTLRInputStream input;
  CaldicottLexer lexer;
  antlr4::CommonTokenStream tokens;
};

std::string EscapeQuotes(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// Reports the tokens that stand for malformed input, and repairs them so
// that the parser sees what the author most likely meant: one mistake, one
// diagnostic. Returns false when the file must not be parsed at all.
bool ReportLexicalProblems(Lexed& lexed, const Positions& pos, diag::Diagnostics& diags,
                           std::vector<size_t>& reported) {
  const std::vector<antlr4::Token*>& tokens = lexed.tokens.getTokens();
  int depth = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    auto* t = dynamic_cast<antlr4::WritableToken*>(tokens[i]);
    if (t == nullptr) continue;
    SourceRange range = pos.Range(t);
    int before = diags.errors();
    switch (t->getType()) {
      case P::STRAY: {
        // One diagnostic for a run of stray characters.
        size_t j = i;
        while (j + 1 < tokens.size() && tokens[j + 1]->getType() == P::STRAY &&
               tokens[j + 1]->getStartIndex() == tokens[j]->getStopIndex() + 1) {
          dynamic_cast<antlr4::WritableToken*>(tokens[j + 1])
              ->setChannel(antlr4::Token::HIDDEN_CHANNEL);
          ++j;
        }
        range = pos.Join(range, pos.Range(tokens[j]));
        std::string text(pos.file().text().substr(range.begin, range.end - range.begin));
        auto b = diags.Emit(DiagKind::StrayCharacter, range,
                            fmt::format("unexpected character{} `{}`",
                                        source::CodePointCount(text) > 1 ? "s" : "", text));
        if (text[0] == '\'') b.Help("strings are written in double quotes: \"...\"");
        if (text[0] == '#') b.Help("comments start with `//` or are written `/* ... */`");
        t->setChannel(antlr4::Token::HIDDEN_CHANNEL);
        i = j;
        break;
      }
      case P::UNTERMINATED_STRING:
        diags.Emit(DiagKind::UnterminatedString, range, "this string is not closed")
            .Help("add a `\"` before the end of the line");
        t->setType(P::STRING);
        break;
      case P::SINGLE_QUOTED:
        diags.Emit(DiagKind::SingleQuotedString, range, "strings are written in double quotes")
            .Help(fmt::format("write \"{}\"",
                              EscapeQuotes(t->getText().substr(1, t->getText().size() - 2))));
        t->setType(P::STRING);
        break;
      case P::UNTERMINATED_TERM:
        diags.Emit(DiagKind::UnterminatedTerm, range, "this term is not closed")
            .Help("a term is written between bars on one line: `|Diabetes mellitus|`");
        t->setType(P::TERM);
        break;
      case P::UNTERMINATED_BLOCK_COMMENT:
        diags
            .Emit(DiagKind::UnterminatedComment, {range.file, range.begin, range.begin + 2},
                  "this comment is not closed")
            .Help("close it with `*/`");
        t->setChannel(antlr4::Token::HIDDEN_CHANNEL);
        break;
      case P::BAD_ID: {
        std::string lower = SnakeCase(t->getText());
        diags
            .Emit(DiagKind::CapitalInName, range,
                  fmt::format("names are written in lower case: `{}`", t->getText()))
            .Help(fmt::format("write `{}`; words in capitals are codes", lower));
        t->setType(P::ID);
        break;
      }
      case P::LPAREN:
        if (++depth > ast::kMaxNesting) {
          diags
              .Emit(DiagKind::NestingTooDeep, range,
                    fmt::format("parentheses nest more than {} deep", ast::kMaxNesting))
              .Help("split the expression into named code groups");
          return false;
        }
        break;
      case P::RPAREN:
        if (depth > 0) --depth;
        break;
      case P::SEMI:
      case P::RBRACE:
        depth = 0;  // a statement or block ends; unbalanced parens stop here
        break;
      default:
        break;
    }
    if (diags.errors() != before) reported.push_back(t->getTokenIndex());
    if (diags.limit_reached()) {
      if (i + 1 < tokens.size()) diags.MarkTruncated();
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------- AST

template <class T>
T* As(antlr4::ParserRuleContext* ctx) {
  return dynamic_cast<T*>(ctx);
}

// Converts the parse tree into the AST. Any node that a syntax error left
// incomplete is dropped: its error has been reported already.
class Builder {
 public:
  Builder(const Positions& pos, diag::Diagnostics& diags) : pos_(pos), diags_(diags) {}

  ast::Module Build(P::ModuleContext* ctx) {
    ast::Module m{pos_.file().id(), {}};
    for (P::DeclContext* d : ctx->decl()) {
      if (auto decl = Decl(d)) m.decls.push_back(std::move(*decl));
    }
    return m;
  }

 private:
  // A rule context is usable when it parsed without an exception and has no
  // conjured (missing) tokens or error nodes among its direct children.
  static bool Complete(antlr4::ParserRuleContext* ctx) {
    if (ctx == nullptr || ctx->exception != nullptr) return false;
    for (antlr4::tree::ParseTree* child : ctx->children) {
      if (dynamic_cast<antlr4::tree::ErrorNode*>(child) != nullptr) return false;
    }
    return true;
  }
  // A declaration's body may hold statements that failed; they are dropped
  // one by one, and the declaration is kept so that later phases still see
  // its name (an unknown-name error would be a cascade).
  static bool Present(antlr4::ParserRuleContext* ctx) { return ctx != nullptr; }

  SourceRange R(antlr4::ParserRuleContext* ctx) const { return pos_.Range(ctx); }
  SourceRange R(antlr4::tree::TerminalNode* node) const { return pos_.Range(node->getSymbol()); }

  std::optional<ast::Decl> Decl(P::DeclContext* ctx) {
    if (!Present(ctx)) return std::nullopt;
    if (auto* c = ctx->importDecl()) return Import(c);
    if (auto* c = ctx->roleDecl()) return Role(c);
    if (auto* c = ctx->codeGroupDecl()) {
      return Group(ast::GroupKind::Code, c, c->qualifiedName(), c->STRING(), c->groupEntry());
    }
    if (auto* c = ctx->labelGroupDecl()) {
      return Group(ast::GroupKind::Label, c, c->qualifiedName(), c->STRING(), c->groupEntry());
    }
    if (auto* c = ctx->sectionDecl()) return Section(c);
    if (auto* c = ctx->agreementDecl()) return Agreement(c);
    return std::nullopt;
  }

  std::optional<ast::Decl> Import(P::ImportDeclContext* ctx) {
    if (!Complete(ctx)) return std::nullopt;
    auto path = String(ctx->STRING());
    if (!path) return std::nullopt;
    return ast::Import{std::move(*path), R(ctx)};
  }

  std::optional<ast::Decl> Role(P::RoleDeclContext* ctx) {
    if (!Complete(ctx)) return std::nullopt;
    auto name = SimpleName(ctx->name());
    if (!name) return std::nullopt;
    ast::Role role{std::move(*name), {}, {}, R(ctx)};
    if (ctx->STRING() != nullptr) role.title = String(ctx->STRING());
    if (ctx->code() != nullptr) {
      role.rbac = Code(ctx->code());
      if (!role.rbac) return std::nullopt;
    }
    return role;
  }

  std::optional<ast::Decl> Group(ast::GroupKind kind, antlr4::ParserRuleContext* ctx,
                                 P::QualifiedNameContext* name_ctx,
                                 antlr4::tree::TerminalNode* title,
                                 const std::vector<P::GroupEntryContext*>& entries) {
    if (!Present(ctx)) return std::nullopt;
    auto name = QualifiedName(name_ctx);
    if (!name) return std::nullopt;
    ast::Group g{kind, std::move(*name), {}, {}, R(ctx)};
    if (title != nullptr) g.title = String(title);
    for (P::GroupEntryContext* e : entries) {
      if (auto entry = GroupEntry(e)) g.entries.push_back(std::move(*entry));
    }
    return g;
  }

  std::optional<ast::GroupEntry> GroupEntry(P::GroupEntryContext* ctx) {
    if (!Complete(ctx)) return std::nullopt;
    if (auto* c = As<P::CodeGroupRefEntryContext>(ctx)) {
      auto name = QualifiedName(c->qualifiedName());
      if (!name) return std::nullopt;
      return ast::GroupEntry{ast::GroupRef{ast::GroupKind::Code, std::move(*name)}, R(ctx)};
    }
    if (auto* c = As<P::LabelGroupRefEntryContext>(ctx)) {
      auto name = QualifiedName(c->qualifiedName());
      if (!name) return std::nullopt;
      return ast::GroupEntry{ast::GroupRef{ast::GroupKind::Label, std::move(*name)}, R(ctx)};
    }
    auto* c = As<P::SystemEntryContext>(ctx);
    if (c == nullptr) return std::nullopt;
    auto system = SimpleName(c->name());
    if (!system) return std::nullopt;
    ast::SystemEntry entry{std::move(*system), {}};
    for (P::EclExprContext* x : c->eclExpr()) {
      auto expr = Ecl(x);
      if (!expr) return std::nullopt;
      entry.exprs.push_back(std::move(*expr));
    }
    return ast::GroupEntry{std::move(entry), R(ctx)};
  }

  std::optional<ast::CodeExpr> Ecl(P::EclExprContext* ctx) {
    if (!Complete(ctx)) return std::nullopt;
    std::vector<P::EclSubContext*> subs = ctx->eclSub();
    std::vector<P::EclOpContext*> ops = ctx->eclOp();
    if (subs.empty() || ops.size() + 1 != subs.size()) return std::nullopt;
    std::vector<ast::CodeExpr> operands;
    for (P::EclSubContext* s : subs) {
      auto e = EclSub(s);
      if (!e) return std::nullopt;
      operands.push_back(std::move(*e));
    }
    if (ops.empty()) return std::move(operands[0]);
    auto op_of = [](P::EclOpContext* o) {
      if (o->ECL_AND() != nullptr) return ast::EclBinaryOp::And;
      if (o->ECL_MINUS() != nullptr) return ast::EclBinaryOp::Minus;
      return ast::EclBinaryOp::Or;
    };
    ast::EclBinaryOp op = op_of(ops[0]);
    for (size_t i = 1; i < ops.size(); ++i) {
      ast::EclBinaryOp next = op_of(ops[i]);
      if (next != op || op == ast::EclBinaryOp::Minus) {
        auto b = diags_.Emit(DiagKind::MixedEclOperators, R(ops[i]),
                             next == op ? std::string("a chain of `MINUS` needs parentheses")
                                        : fmt::format("`{}` follows `{}` without parentheses",
                                                      ast::Spelling(next), ast::Spelling(op)));
        b.Note(R(ops[0]), fmt::format("the earlier `{}` is here", ast::Spelling(op)));
        b.Help(op == ast::EclBinaryOp::Minus && next == op
                   ? "write `(A MINUS B) MINUS C` or `A MINUS (B OR C)`"
                   : "add parentheses to say which comes first, e.g. `(A OR B) MINUS C`");
        return std::nullopt;
      }
    }
    return ast::CodeExpr{ast::EclBinary{op, std::move(operands)}, R(ctx)};
  }

  std::optional<ast::CodeExpr> EclSub(P::EclSubContext* ctx) {
    if (!Complete(ctx) || !Complete(ctx->eclFocus())) return std::nullopt;
    std::optional<ast::CodeExpr> focus;
    if (auto* c = As<P::EclCodeContext>(ctx->eclFocus())) {
      auto code = Code(c->code());
      if (!code) return std::nullopt;
      ast::EclCode ecl{std::move(*code), {}};
      if (c->TERM() != nullptr) {
        ecl.term = Term(c->TERM());
        if (!ecl.term) return std::nullopt;
      }
      focus = ast::CodeExpr{std::move(ecl), R(c)};
    } else if (auto* p = As<P::EclParenContext>(ctx->eclFocus())) {
      focus = Ecl(p->eclExpr());
      if (focus) focus->range = R(p);
    }
    if (!focus) return std::nullopt;
    P::ConstraintOpContext* op = ctx->constraintOp();
    if (op == nullptr) return focus;
    ast::ConstraintOp kind = ast::ConstraintOp::DescendantOrSelf;
    if (op->DESC() != nullptr) kind = ast::ConstraintOp::Descendant;
    if (op->CHILD_OF() != nullptr) kind = ast::ConstraintOp::Child;
    if (op->MEMBER_OF() != nullptr) kind = ast::ConstraintOp::MemberOf;
    return ast::CodeExpr{
        ast::EclConstraint{kind, std::make_unique<ast::CodeExpr>(std::move(*focus))}, R(ctx)};
  }

  std::optional<ast::Decl> Section(P::SectionDeclContext* ctx) {
    if (!Present(ctx)) return std::nullopt;
    auto name = QualifiedName(ctx->qualifiedName());
    if (!name) return std::nullopt;
    ast::Section s{std::move(*name), {}, {}, R(ctx)};
    if (ctx->STRING() != nullptr) s.title = String(ctx->STRING());
    for (P::SectionItemContext* item_ctx : ctx->sectionItem()) {
      if (!Complete(item_ctx)) continue;
      ast::SectionItem item{{}, {}, R(item_ctx)};
      bool ok = true;
      for (P::NameContext* n : item_ctx->name()) {
        auto kind = Kind(n);
        if (!kind) {
          ok = false;
          continue;
        }
        item.kinds.push_back(*kind);
      }
      if (item_ctx->cond() != nullptr) {
        item.where = Cond(item_ctx->cond());
        ok = ok && item.where.has_value();
      }
      if (ok) s.items.push_back(std::move(item));
    }
    return s;
  }

  std::optional<ast::KindRef> Kind(P::NameContext* ctx) {
    auto name = SimpleName(ctx);
    if (!name) return std::nullopt;
    if (auto kind = ast::EntryKindNamed(name->text)) return ast::KindRef{*kind, name->range};
    auto b = diags_.Emit(DiagKind::UnknownEntryKind, name->range,
                         fmt::format("unknown entry kind `{}`", name->text));
    std::string_view guess = diag::ClosestMatch(name->text, ast::EntryKindSpellings());
    if (!guess.empty()) {
      b.Help(fmt::format("did you mean `{}`?", guess));
    } else {
      b.Help(
          "the kinds are problem, allergy, medication, observation, procedure, immunisation, "
          "encounter, document, referral, family_history, care_plan, alert, device and other");
    }
    return std::nullopt;
  }

  std::optional<ast::Decl> Agreement(P::AgreementDeclContext* ctx) {
    if (!Present(ctx)) return std::nullopt;
    auto name = SimpleName(ctx->name());
    if (!name) return std::nullopt;
    ast::Agreement a{std::move(*name), {}, {}, R(ctx)};
    if (ctx->STRING() != nullptr) a.title = String(ctx->STRING());
    for (P::StmtContext* s : ctx->stmt()) {
      if (auto stmt = Statement(s)) a.statements.push_back(std::move(*stmt));
    }
    return a;
  }

  std::optional<ast::Statement> Statement(P::StmtContext* ctx) {
    if (!Complete(ctx)) return std::nullopt;
    SourceRange range = R(ctx);
    auto wrap = [&](auto node) -> std::optional<ast::Statement> {
      return ast::Statement{std::move(node), range};
    };
    if (auto* c = As<P::ShareStmtContext>(ctx)) return Rule(false, c->target(), c->cond(), range);
    if (auto* c = As<P::ExcludeStmtContext>(ctx)) return Rule(true, c->target(), c->cond(), range);
    if (auto* c = As<P::GrantStmtContext>(ctx)) {
      ast::Grant g;
      for (P::NameContext* n : c->name()) {
        auto name = SimpleName(n);
        if (!name) return std::nullopt;
        g.roles.push_back(std::move(*name));
      }
      return wrap(std::move(g));
    }
    if (auto* c = As<P::VersionStmtContext>(ctx)) {
      auto v = Number(c->INT(), "a version");
      if (!v) return std::nullopt;
      return wrap(ast::Version{*v});
    }
    if (auto* c = As<P::ControllersStmtContext>(ctx)) {
      ast::Controllers ctl;
      for (P::CodeContext* code : c->code()) {
        auto practice = Code(code);
        if (!practice) return std::nullopt;
        ctl.practices.push_back(std::move(*practice));
      }
      return wrap(std::move(ctl));
    }
    if (auto* c = As<P::PurposeStmtContext>(ctx)) {
      auto name = SimpleName(c->name());
      if (!name) return std::nullopt;
      return wrap(ast::Purpose{std::move(*name)});
    }
    if (auto* c = As<P::EffectiveStmtContext>(ctx)) {
      std::vector<antlr4::tree::TerminalNode*> dates = c->DATE();
      if (dates.empty()) return std::nullopt;
      auto from = DateOf(dates[0]);
      if (!from) return std::nullopt;
      ast::Effective e{*from, {}};
      if (dates.size() > 1) {
        e.to = DateOf(dates[1]);
        if (!e.to) return std::nullopt;
      }
      return wrap(e);
    }
    return std::nullopt;
  }

  std::optional<ast::Statement> Rule(bool exclude, const std::vector<P::TargetContext*>& targets,
                                     P::CondContext* cond, SourceRange range) {
    ast::Rule rule{exclude, {}, {}};
    for (P::TargetContext* t : targets) {
      auto target = Target(t);
      if (!target) return std::nullopt;
      rule.targets.push_back(std::move(*target));
    }
    if (cond != nullptr) {
      rule.where = Cond(cond);
      if (!rule.where) return std::nullopt;
    }
    return ast::Statement{std::move(rule), range};
  }

  std::optional<ast::Target> Target(P::TargetContext* ctx) {
    if (!Complete(ctx)) return std::nullopt;
    if (As<P::ConfidentialTargetContext>(ctx) != nullptr) {
      return ast::Target{ast::TargetKind::Confidential, {}, R(ctx)};
    }
    P::QualifiedNameContext* q = nullptr;
    ast::TargetKind kind = ast::TargetKind::Section;
    if (auto* c = As<P::SectionTargetContext>(ctx)) {
      q = c->qualifiedName();
    } else if (auto* c = As<P::CodeGroupTargetContext>(ctx)) {
      q = c->qualifiedName(), kind = ast::TargetKind::CodeGroup;
    } else if (auto* c = As<P::LabelGroupTargetContext>(ctx)) {
      q = c->qualifiedName(), kind = ast::TargetKind::LabelGroup;
    }
    auto name = QualifiedName(q);
    if (!name) return std::nullopt;
    return ast::Target{kind, std::move(*name), R(ctx)};
  }

  // cond : andCond (or andCond)*
  std::optional<ast::Cond> Cond(P::CondContext* ctx) {
    if (!Complete(ctx)) return std::nullopt;
    std::vector<ast::Cond> operands;
    for (P::AndCondContext* a : ctx->andCond()) {
      auto c = AndCond(a);
      if (!c) return std::nullopt;
      operands.push_back(std::move(*c));
    }
    if (operands.empty()) return std::nullopt;
    if (operands.size() == 1) return std::move(operands[0]);
    return ast::Cond{ast::CondOr{std::move(operands)}, R(ctx)};
  }

  std::optional<ast::Cond> AndCond(P::AndCondContext* ctx) {
    if (!Complete(ctx)) return std::nullopt;
    std::vector<ast::Cond> operands;
    for (P::NotCondContext* n : ctx->notCond()) {
      auto c = NotCond(n);
      if (!c) return std::nullopt;
      operands.push_back(std::move(*c));
    }
    if (operands.empty()) return std::nullopt;
    if (operands.size() == 1) return std::move(operands[0]);
    return ast::Cond{ast::CondAnd{std::move(operands)}, R(ctx)};
  }

  // `not not x` is `x`: an even run of `not` cancels out, so the tree never
  // nests deeper than one `not` per atom.
  std::optional<ast::Cond> NotCond(P::NotCondContext* ctx) {
    if (!Complete(ctx)) return std::nullopt;
    auto atom = Atom(ctx->atomCond());
    if (!atom) return std::nullopt;
    if (ctx->KW_NOT().size() % 2 == 0) return atom;
    return ast::Cond{ast::CondNot{std::make_unique<ast::Cond>(std::move(*atom))}, R(ctx)};
  }

  std::optional<ast::Cond> Atom(P::AtomCondContext* ctx) {
    if (!Complete(ctx)) return std::nullopt;
    SourceRange range = R(ctx);
    auto wrap = [&](auto node) -> std::optional<ast::Cond> {
      return ast::Cond{std::move(node), range};
    };
    if (auto* c = As<P::CodeInCondContext>(ctx)) {
      auto name = QualifiedName(c->qualifiedName());
      if (!name) return std::nullopt;
      return wrap(ast::CondInGroup{ast::GroupKind::Code, std::move(*name)});
    }
    if (auto* c = As<P::LabelInCondContext>(ctx)) {
      auto name = QualifiedName(c->qualifiedName());
      if (!name) return std::nullopt;
      return wrap(ast::CondInGroup{ast::GroupKind::Label, std::move(*name)});
    }
    if (auto* c = As<P::StatusCondContext>(ctx)) {
      auto name = SimpleName(c->name());
      if (!name) return std::nullopt;
      if (auto status = ast::StatusNamed(name->text)) {
        return wrap(ast::CondStatus{*status, name->range});
      }
      auto b = diags_.Emit(DiagKind::UnknownStatus, name->range,
                           fmt::format("unknown status `{}`", name->text));
      std::string_view guess = diag::ClosestMatch(name->text, ast::StatusSpellings());
      b.Help(guess.empty() ? std::string("the statuses are active, inactive, current, past and "
                                         "unknown")
                           : fmt::format("did you mean `{}`?", guess));
      return std::nullopt;
    }
    if (auto* c = As<P::RecordedWithinCondContext>(ctx)) {
      auto amount = Number(c->INT(), "a time span");
      if (!amount || !Complete(c->timeUnit())) return std::nullopt;
      ast::TimeUnit unit = ast::TimeUnit::Days;
      if (c->timeUnit()->KW_MONTHS() != nullptr) unit = ast::TimeUnit::Months;
      if (c->timeUnit()->KW_YEARS() != nullptr) unit = ast::TimeUnit::Years;
      return wrap(ast::CondRecordedWithin{*amount, unit});
    }
    if (auto* c = As<P::RecordedBeforeCondContext>(ctx)) {
      auto d = DateOf(c->DATE());
      if (!d) return std::nullopt;
      return wrap(ast::CondRecordedBefore{*d});
    }
    if (auto* c = As<P::RecordedAfterCondContext>(ctx)) {
      auto d = DateOf(c->DATE());
      if (!d) return std::nullopt;
      return wrap(ast::CondRecordedAfter{*d});
    }
    if (auto* c = As<P::ParenCondContext>(ctx)) {
      auto inner = Cond(c->cond());
      if (inner) inner->range = range;
      return inner;
    }
    return std::nullopt;
  }

  // ---- leaves

  static bool Usable(antlr4::tree::TerminalNode* node) {
    return node != nullptr && dynamic_cast<antlr4::tree::ErrorNode*>(node) == nullptr &&
           !IsConjured(node->getSymbol());
  }

  std::optional<ast::Name> SimpleName(P::NameContext* ctx) {
    if (!Complete(ctx) || !Usable(ctx->ID())) return std::nullopt;
    return ast::Name{ctx->ID()->getText(), R(ctx)};
  }

  std::optional<ast::Name> QualifiedName(P::QualifiedNameContext* ctx) {
    if (!Complete(ctx)) return std::nullopt;
    std::string text;
    for (antlr4::tree::TerminalNode* id : ctx->ID()) {
      if (!Usable(id)) return std::nullopt;
      if (!text.empty()) text += '.';
      text += id->getText();
    }
    if (text.empty()) return std::nullopt;
    return ast::Name{std::move(text), R(ctx)};
  }

  std::optional<ast::Code> Code(P::CodeContext* ctx) {
    if (!Complete(ctx) || ctx->children.size() != 1) return std::nullopt;
    auto* leaf = dynamic_cast<antlr4::tree::TerminalNode*>(ctx->children[0]);
    if (!Usable(leaf)) return std::nullopt;
    return ast::Code{leaf->getText(), R(ctx)};
  }

  // Resolves the escapes `\"` and `\\` of a string literal. A string in
  // single quotes (already reported) keeps its text between the quotes.
  std::optional<ast::Str> String(antlr4::tree::TerminalNode* node) {
    if (!Usable(node)) return std::nullopt;
    SourceRange range = R(node);
    std::string_view text = pos_.file().text().substr(range.begin, range.end - range.begin);
    std::string value;
    bool ok = true;
    if (!text.empty() && text[0] == '\'') {
      text.remove_prefix(1);
      if (!text.empty() && text.back() == '\'') text.remove_suffix(1);
      return ast::Str{std::string(text), range};
    }
    for (size_t i = 1; i < text.size(); ++i) {
      char c = text[i];
      if (c == '"') break;  // the closing quote (absent if unterminated)
      if (c == '\\' && i + 1 < text.size()) {
        char e = text[++i];
        if (e == '"' || e == '\\') {
          value += e;
        } else if (e == 'n') {
          value += '\n';
        } else {
          uint32_t at = range.begin + static_cast<uint32_t>(i) - 1;
          diags_
              .Emit(DiagKind::InvalidEscape, {range.file, at, at + 2},
                    fmt::format("unknown escape sequence `\\{}`", e))
              .Help("a string may use `\\\"`, `\\\\` and `\\n`");
          ok = false;
        }
        continue;
      }
      value += c;
    }
    if (!ok) return std::nullopt;
    return ast::Str{std::move(value), range};
  }

  std::optional<ast::Str> Term(antlr4::tree::TerminalNode* node) {
    if (!Usable(node)) return std::nullopt;
    SourceRange range = R(node);
    std::string_view text = pos_.file().text().substr(range.begin, range.end - range.begin);
    text.remove_prefix(1);
    if (!text.empty() && text.back() == '|') text.remove_suffix(1);
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return ast::Str{std::string(text), range};
  }

  std::optional<uint32_t> Number(antlr4::tree::TerminalNode* node, const char* what) {
    if (!Usable(node)) return std::nullopt;
    std::string text = node->getText();
    uint32_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || value > 1'000'000) {
      diags_
          .Emit(DiagKind::NumberOutOfRange, R(node),
                fmt::format("`{}` is too large for {}", text, what))
          .Help("the largest number allowed here is 1000000");
      return std::nullopt;
    }
    return value;
  }

  std::optional<ast::Date> DateOf(antlr4::tree::TerminalNode* node) {
    if (!Usable(node)) return std::nullopt;
    std::string text = node->getText();  // DDDD-DD-DD, by the lexer
    ast::Date d{std::stoi(text.substr(0, 4)), std::stoi(text.substr(5, 2)),
                std::stoi(text.substr(8, 2)), R(node)};
    auto leap = [](int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; };
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool valid = d.year >= 1 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
                 d.day <= kDays[std::max(0, std::min(11, d.month - 1))] +
                              (d.month == 2 && leap(d.year) ? 1 : 0);
    if (!valid) {
      diags_.Emit(DiagKind::InvalidDate, d.range, fmt::format("`{}` is not a date", text))
          .Help(d.year < 1                    ? "years start at 0001"
                : d.month < 1 || d.month > 12 ? "dates are written YYYY-MM-DD, month from 01 to 12"
                                              : "that month has fewer days");
      return std::nullopt;
    }
    return d;
  }

  const Positions& pos_;
  diag::Diagnostics& diags_;
};

}  // namespace

ast::Module ParseFile(const source::SourceFile& file, diag::Diagnostics& diags,
                      const Options& options) {
  ast::Module empty{file.id(), {}};
  Lexed lexed(file);
  Positions pos(file);
  std::vector<size_t> reported;  // tokens the lexical pass has reported on
  if (!ReportLexicalProblems(lexed, pos, diags, reported)) return empty;

  CaldicottParser parser(&lexed.tokens);
  parser.removeErrorListeners();

  // Stage 1: the fast SLL prediction, giving up at the first error. Almost
  // every real file parses here.
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  P::ModuleContext* tree = nullptr;
  try {
    tree = parser.module();
  } catch (const antlr4::ParseCancellationException&) {
    tree = nullptr;
  }

  // Stage 2: full LL with recovery and our messages, only for files with
  // errors.
  if (tree == nullptr) {
    lexed.tokens.seek(0);
    parser.reset();
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::LL);
    auto strategy = std::make_shared<ErrorStrategy>(pos, diags, options.max_errors_per_file,
                                                    std::move(reported));
    parser.setErrorHandler(strategy);
    try {
      tree = parser.module();
    } catch (const TooManyErrors&) {
      return empty;
    }
  }
  return Builder(pos, diags).Build(tree);
}

std::vector<Token> Tokenize(const source::SourceFile& file) {
  Lexed lexed(file);
  Positions pos(file);
  std::vector<Token> out;
  for (antlr4::Token* t : lexed.tokens.getTokens()) {
    std::string kind = t->getType() == antlr4::Token::EOF
                           ? "EOF"
                           : lexed.lexer.getVocabulary().getSymbolicName(t->getType());
    out.push_back(
        {std::move(kind), t->getType() == antlr4::Token::EOF ? "" : t->getText(), pos.Range(t)});
  }
  return out;
}

}  // namespace caldicott::parse
