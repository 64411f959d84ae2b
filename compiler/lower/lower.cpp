#include "compiler/lower/lower.h"

#include "compiler/ast/overloaded.h"
#include "compiler/base/date.h"

#include <algorithm>
#include <map>

namespace caldicott::lower {

namespace {

using ast::Overloaded;

class Lowerer {
 public:
  Lowerer(const check::CheckedProgram& program, const source::SourceManager& sources)
      : program_(program), sources_(sources) {}

  ir::Policy Run() {
    for (const check::Agreement& a : program_.agreements) LowerAgreement(a);
    return std::move(policy_);
  }

 private:
  ir::CondId Add(ir::Cond c) {
    policy_.conds.push_back(c);
    return ir::CondId{static_cast<uint32_t>(policy_.conds.size() - 1)};
  }
  ir::CondId Leaf(ir::CondOp op, uint32_t a = 0, uint32_t b = 0) {
    ir::Cond c;
    c.op = op, c.a = a, c.b = b;
    return Add(c);
  }
  // And / Or / Not over `children`; a single child of And or Or is itself.
  ir::CondId Node(ir::CondOp op, const std::vector<ir::CondId>& children) {
    if (op != ir::CondOp::Not && children.size() == 1) return children[0];
    ir::Cond c;
    c.op = op;
    c.first_child = static_cast<uint32_t>(policy_.children.size());
    c.child_count = static_cast<uint32_t>(children.size());
    policy_.children.insert(policy_.children.end(), children.begin(), children.end());
    return Add(c);
  }

  uint32_t CodeSet(size_t group) {
    auto it = code_sets_.find(group);
    if (it != code_sets_.end()) return it->second;
    const check::Group& g = program_.groups[group];
    ir::CodeSet set;
    set.name = g.name;
    for (const check::CodeSet& s : g.sets) set.systems.push_back({s.uri, s.codes});
    std::sort(set.systems.begin(), set.systems.end(),
              [](const ir::SystemCodes& a, const ir::SystemCodes& b) { return a.uri < b.uri; });
    policy_.code_sets.push_back(std::move(set));
    uint32_t id = static_cast<uint32_t>(policy_.code_sets.size() - 1);
    code_sets_[group] = id;
    return id;
  }

  static caldicott_date Days(const ast::Date& d) {
    return base::DaysFromCivil(d.year, d.month, d.day);
  }

  ir::CondId LowerCond(const ast::Cond& cond) {
    return std::visit(
        Overloaded{
            [&](const ast::CondAnd& a) {
              std::vector<ir::CondId> kids;
              for (const ast::Cond& c : a.operands) kids.push_back(LowerCond(c));
              return Node(ir::CondOp::And, kids);
            },
            [&](const ast::CondOr& o) {
              std::vector<ir::CondId> kids;
              for (const ast::Cond& c : o.operands) kids.push_back(LowerCond(c));
              return Node(ir::CondOp::Or, kids);
            },
            [&](const ast::CondNot& n) { return Node(ir::CondOp::Not, {LowerCond(*n.operand)}); },
            [&](const ast::CondInGroup& g) {
              uint32_t set = CodeSet(program_.resolved.at(&g.group));
              return Leaf(g.kind == ast::GroupKind::Code ? ir::CondOp::CodeIn : ir::CondOp::LabelIn,
                          set);
            },
            [&](const ast::CondStatus& s) {
              return Leaf(ir::CondOp::StatusIs, static_cast<uint32_t>(s.status));
            },
            [&](const ast::CondRecordedWithin& w) {
              return Leaf(ir::CondOp::RecordedWithin, w.amount, static_cast<uint32_t>(w.unit));
            },
            [&](const ast::CondRecordedBefore& b) {
              ir::Cond c;
              c.op = ir::CondOp::RecordedBefore, c.date = Days(b.date);
              return Add(c);
            },
            [&](const ast::CondRecordedAfter& a) {
              ir::Cond c;
              c.op = ir::CondOp::RecordedAfter, c.date = Days(a.date);
              return Add(c);
            },
        },
        cond.node);
  }

  ir::CondId Section(size_t index) {
    auto it = sections_.find(index);
    if (it != sections_.end()) return it->second;
    std::vector<ir::CondId> items;
    for (const ast::SectionItem& item : program_.sections[index].decl->items) {
      uint32_t mask = 0;
      for (const ast::KindRef& k : item.kinds) mask |= 1u << static_cast<unsigned>(k.kind);
      ir::CondId kinds = Leaf(ir::CondOp::KindIn, mask);
      items.push_back(item.where ? Node(ir::CondOp::And, {kinds, LowerCond(*item.where)}) : kinds);
    }
    ir::CondId id = items.empty() ? Node(ir::CondOp::Or, {}) : Node(ir::CondOp::Or, items);
    sections_[index] = id;
    return id;
  }

  ir::CondId Target(const ast::Target& t) {
    switch (t.kind) {
      case ast::TargetKind::Section:
        return Section(program_.resolved.at(&t.name));
      case ast::TargetKind::CodeGroup:
        return Leaf(ir::CondOp::CodeIn, CodeSet(program_.resolved.at(&t.name)));
      case ast::TargetKind::LabelGroup:
        return Leaf(ir::CondOp::LabelIn, CodeSet(program_.resolved.at(&t.name)));
      case ast::TargetKind::Confidential:
        return Leaf(ir::CondOp::Confidential);
    }
    return Leaf(ir::CondOp::Or);
  }

  ir::SourceLoc Loc(source::SourceRange r) const {
    const source::SourceFile& f = sources_.Get(r.file);
    source::LineCol lc = f.Position(r.begin);
    return {f.display_name(), lc.line, lc.column};
  }

  // The statement's text on one line, spaces collapsed.
  std::string Text(source::SourceRange r) const {
    std::string_view t = sources_.Get(r.file).text().substr(r.begin, r.end - r.begin);
    std::string out;
    bool space = false;
    for (char c : t) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        space = !out.empty();
        continue;
      }
      if (space) out += ' ';
      space = false;
      out += c;
    }
    return out;
  }

  void LowerAgreement(const check::Agreement& a) {
    ir::AgreementId id{static_cast<uint32_t>(policy_.agreements.size())};
    ir::Agreement out;
    out.name = a.name;
    out.title = a.decl->title ? a.decl->title->value : "";
    out.version = a.version;
    out.purpose = a.purpose;
    for (size_t r : a.roles) {
      const check::Role& role = program_.roles[r];
      out.roles.push_back({role.name, role.decl->rbac ? role.decl->rbac->text : ""});
    }
    if (a.effective_from) out.effective_from = Days(*a.effective_from);
    if (a.effective_to) out.effective_to = Days(*a.effective_to);
    out.controllers = a.controllers;
    out.loc = Loc(a.decl->name.range);

    uint32_t statement = 0;
    for (const ast::Statement& s : a.decl->statements) {
      ++statement;
      const auto* rule = std::get_if<ast::Rule>(&s.node);
      if (rule == nullptr) continue;
      std::vector<ir::CondId> targets;
      for (const ast::Target& t : rule->targets) targets.push_back(Target(t));
      ir::CondId cond = Node(ir::CondOp::Or, targets);
      if (rule->where) cond = Node(ir::CondOp::And, {cond, LowerCond(*rule->where)});
      ir::Rule r;
      r.number = static_cast<uint32_t>(policy_.rules.size() + 1);
      r.agreement = id;
      r.statement = statement;
      r.exclude = rule->exclude;
      r.cond = cond;
      r.loc = Loc(s.range);
      r.text = Text(s.range);
      policy_.rules.push_back(std::move(r));
      out.rules.push_back(ir::RuleId{static_cast<uint32_t>(policy_.rules.size() - 1)});
    }
    policy_.agreements.push_back(std::move(out));
  }

  const check::CheckedProgram& program_;
  const source::SourceManager& sources_;
  ir::Policy policy_;
  std::map<size_t, uint32_t> code_sets_;   // group -> code set
  std::map<size_t, ir::CondId> sections_;  // section -> condition
};

}  // namespace

ir::Policy Lower(const check::CheckedProgram& program, const source::SourceManager& sources) {
  return Lowerer(program, sources).Run();
}

}  // namespace caldicott::lower
