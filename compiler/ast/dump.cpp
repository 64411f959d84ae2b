#include "compiler/ast/dump.h"

#include "compiler/ast/overloaded.h"

#include <fmt/format.h>

namespace caldicott::ast {

namespace {

class Dumper {
 public:
  Dumper(const source::SourceManager& sources, const source::SourceFile& file, std::ostream& out)
      : sources_(sources), file_(file), out_(out) {}

  void Module(const ast::Module& m) {
    out_ << "module " << file_.display_name() << '\n';
    for (const Decl& d : m.decls) {
      std::visit([&](const auto& decl) { DumpDecl(decl, 1); }, d);
    }
  }

 private:
  std::string At(SourceRange r) const {
    if (!r.valid()) return "@?";
    const source::SourceFile& f = sources_.Get(r.file);
    source::LineCol b = f.Position(r.begin);
    source::LineCol e = f.Position(r.end);
    return fmt::format("@{}:{}..{}:{}", b.line, b.column, e.line, e.column);
  }
  static std::string Quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  }
  static std::string Title(const std::optional<Str>& t) { return t ? " " + Quoted(t->value) : ""; }

  void Line(int depth, const std::string& text, SourceRange r) {
    out_ << std::string(static_cast<size_t>(depth) * 2, ' ') << text << ' ' << At(r) << '\n';
  }

  void DumpDecl(const Import& d, int depth) {
    Line(depth, "import " + Quoted(d.path.value), d.range);
  }
  void DumpDecl(const Role& d, int depth) {
    Line(depth, "role " + d.name.text + Title(d.title) + (d.rbac ? " rbac " + d.rbac->text : ""),
         d.range);
  }
  void DumpDecl(const Group& d, int depth) {
    Line(depth, std::string(Spelling(d.kind)) + " " + d.name.text + Title(d.title), d.range);
    for (const GroupEntry& e : d.entries) {
      std::visit(Overloaded{
                     [&](const SystemEntry& s) {
                       Line(depth + 1, "system " + s.system.text, e.range);
                       for (const CodeExpr& x : s.exprs) Expr(x, depth + 2);
                     },
                     [&](const GroupRef& g) {
                       Line(depth + 1, std::string(Spelling(g.kind)) + " " + g.name.text, e.range);
                     },
                 },
                 e.node);
    }
  }
  void DumpDecl(const Section& d, int depth) {
    Line(depth, "section " + d.name.text + Title(d.title), d.range);
    for (const SectionItem& item : d.items) {
      std::string kinds;
      for (const KindRef& k : item.kinds) {
        kinds += (kinds.empty() ? "" : ", ") + std::string(Spelling(k.kind));
      }
      Line(depth + 1, "kinds " + kinds, item.range);
      if (item.where) Where(*item.where, depth + 2);
    }
  }
  void DumpDecl(const Agreement& d, int depth) {
    Line(depth, "agreement " + d.name.text + Title(d.title), d.range);
    for (const Statement& s : d.statements) Stmt(s, depth + 1);
  }

  void Stmt(const Statement& s, int depth) {
    std::visit(
        Overloaded{
            [&](const Rule& r) {
              Line(depth, r.exclude ? "exclude" : "share", s.range);
              for (const Target& t : r.targets) {
                std::string text;
                switch (t.kind) {
                  case TargetKind::Section:
                    text = "section " + t.name.text;
                    break;
                  case TargetKind::CodeGroup:
                    text = "code-group " + t.name.text;
                    break;
                  case TargetKind::LabelGroup:
                    text = "label-group " + t.name.text;
                    break;
                  case TargetKind::Confidential:
                    text = "confidential";
                    break;
                }
                Line(depth + 1, "target " + text, t.range);
              }
              if (r.where) Where(*r.where, depth + 1);
            },
            [&](const Grant& g) {
              std::string roles;
              for (const Name& n : g.roles) roles += (roles.empty() ? "" : ", ") + n.text;
              Line(depth, "grant role " + roles, s.range);
            },
            [&](const Version& v) { Line(depth, fmt::format("version {}", v.value), s.range); },
            [&](const Controllers& c) {
              std::string codes;
              for (const Code& p : c.practices) codes += (codes.empty() ? "" : ", ") + p.text;
              Line(depth, "controllers " + codes, s.range);
            },
            [&](const Purpose& p) { Line(depth, "purpose " + p.name.text, s.range); },
            [&](const Effective& e) {
              Line(depth, "effective " + DateText(e.from) + (e.to ? " to " + DateText(*e.to) : ""),
                   s.range);
            },
        },
        s.node);
  }

  static std::string DateText(const Date& d) {
    return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
  }

  void Where(const Cond& c, int depth) {
    out_ << std::string(static_cast<size_t>(depth) * 2, ' ') << "where\n";
    CondNode(c, depth + 1);
  }

  void CondNode(const Cond& c, int depth) {
    std::visit(Overloaded{
                   [&](const CondAnd& a) {
                     Line(depth, "and", c.range);
                     for (const Cond& x : a.operands) CondNode(x, depth + 1);
                   },
                   [&](const CondOr& o) {
                     Line(depth, "or", c.range);
                     for (const Cond& x : o.operands) CondNode(x, depth + 1);
                   },
                   [&](const CondNot& n) {
                     Line(depth, "not", c.range);
                     CondNode(*n.operand, depth + 1);
                   },
                   [&](const CondInGroup& g) {
                     Line(depth,
                          std::string(g.kind == GroupKind::Code ? "code in " : "label in ") +
                              std::string(Spelling(g.kind)) + " " + g.group.text,
                          c.range);
                   },
                   [&](const CondStatus& s) {
                     Line(depth, "status is " + std::string(Spelling(s.status)), c.range);
                   },
                   [&](const CondRecordedWithin& w) {
                     Line(depth, fmt::format("recorded within {} {}", w.amount, Spelling(w.unit)),
                          c.range);
                   },
                   [&](const CondRecordedBefore& b) {
                     Line(depth, "recorded before " + DateText(b.date), c.range);
                   },
                   [&](const CondRecordedAfter& a) {
                     Line(depth, "recorded after " + DateText(a.date), c.range);
                   },
               },
               c.node);
  }

  void Expr(const CodeExpr& e, int depth) {
    std::visit(Overloaded{
                   [&](const EclCode& c) {
                     Line(depth, "code " + c.code.text + (c.term ? " |" + c.term->value + "|" : ""),
                          e.range);
                   },
                   [&](const EclConstraint& c) {
                     Line(depth, std::string(Spelling(c.op)), e.range);
                     Expr(*c.operand, depth + 1);
                   },
                   [&](const EclBinary& b) {
                     Line(depth, std::string(Spelling(b.op)), e.range);
                     for (const CodeExpr& x : b.operands) Expr(x, depth + 1);
                   },
               },
               e.node);
  }

  const source::SourceManager& sources_;
  const source::SourceFile& file_;
  std::ostream& out_;
};

}  // namespace

void Dump(const Module& module, const source::SourceManager& sources, std::ostream& out) {
  Dumper(sources, sources.Get(module.file), out).Module(module);
}

}  // namespace caldicott::ast
