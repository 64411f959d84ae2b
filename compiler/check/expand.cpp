// Group expansion: the order groups expand in (includes first, cycles
// reported), the evaluation of code expressions, and each group's result.
#include "compiler/check/expand.h"

#include "compiler/ast/overloaded.h"
#include "compiler/check/codes.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace caldicott::check::detail {

namespace {

using diag::DiagKind;
using schema::ConceptId;
using source::SourceRange;
using Ids = std::vector<ConceptId>;  // sorted, unique

Ids Union(const Ids& a, const Ids& b) {
  Ids out;
  out.reserve(a.size() + b.size());
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}
Ids Intersection(const Ids& a, const Ids& b) {
  Ids out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}
Ids Difference(const Ids& a, const Ids& b) {
  Ids out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}
void Normalise(Ids& ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

class Expander {
 public:
  Expander(CheckerState& state, Names& names) : s_(state), names_(names), codes_(state) {}

  void Run();

 private:
  struct Frame {
    size_t group = 0;
    size_t next = 0;
    std::vector<std::pair<size_t, const ast::GroupRef*>> refs;  // resolved includes
  };

  Frame Includes(size_t g);
  void ReportGroupCycle(const std::vector<Frame>& stack, size_t target,
                        const ast::GroupRef& closing);
  void Expand(size_t g, const std::vector<size_t>& includes);
  std::optional<Ids> Eval(const ast::CodeExpr& e, const schema::CodeSystem& cs,
                          std::set<std::string>* tops);

  CheckerState& s_;
  Names& names_;
  Codes codes_;
  std::vector<std::map<std::string, Ids>> expansion_;      // by group, by system URI
  std::map<size_t, std::set<std::string>> included_tops_;  // by group
};

void Expander::Run() {
  // Depth-first over group references with an explicit stack: reports
  // cycles and expands every group after the groups it includes.
  enum State : uint8_t { kNew, kActive, kDone };
  std::vector<Group>& groups = s_.out.groups;
  std::vector<State> state(groups.size(), kNew);
  expansion_.resize(groups.size());
  for (size_t root = 0; root < groups.size(); ++root) {
    if (state[root] != kNew) continue;
    std::vector<Frame> stack;
    auto push = [&](size_t g) {
      state[g] = kActive;
      stack.push_back(Includes(g));
    };
    push(root);
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.next < top.refs.size()) {
        auto [target, ref] = top.refs[top.next++];
        if (state[target] == kNew) {
          push(target);
        } else if (state[target] == kActive) {
          ReportGroupCycle(stack, target, *ref);
          top.refs[top.next - 1].first = SIZE_MAX;  // drop the edge
          groups[top.group].ok = false;
        }
        continue;
      }
      size_t g = top.group;
      std::vector<size_t> includes;
      for (const auto& [t, ref] : top.refs) {
        if (t != SIZE_MAX) includes.push_back(t);
      }
      stack.pop_back();
      Expand(g, includes);
      state[g] = kDone;
    }
  }
}

// The frame of group `g`: the groups it includes, resolved. An include of
// the wrong kind or of an unknown name is reported and marks `g` not ok.
Expander::Frame Expander::Includes(size_t g) {
  Group& group = s_.out.groups[g];
  Frame f;
  f.group = g;
  for (const ast::GroupEntry& e : group.decl->entries) {
    if (const auto* ref = std::get_if<ast::GroupRef>(&e.node)) {
      if (ref->kind != group.kind) {
        s_.diags
            .Emit(DiagKind::GroupKindMismatch,
                  SourceRange{e.range.file, e.range.begin, ref->name.range.end},
                  fmt::format("a {} cannot include a {}", ast::Spelling(group.kind),
                              ast::Spelling(ref->kind)))
            .Help(
                "codes and security labels are different things: keep them in "
                "separate groups");
        group.ok = false;
        continue;
      }
      auto target = names_.Resolve(ref->name, Names::Ns::Group, group.module, ref->kind);
      if (target) {
        f.refs.emplace_back(*target, ref);
      } else {
        group.ok = false;
      }
    }
  }
  return f;
}

void Expander::ReportGroupCycle(const std::vector<Frame>& stack, size_t target,
                                const ast::GroupRef& closing) {
  const std::vector<Group>& groups = s_.out.groups;
  size_t first = 0;
  while (first < stack.size() && stack[first].group != target) ++first;
  std::string chain;
  for (size_t i = first; i < stack.size(); ++i) {
    chain += "`" + groups[stack[i].group].name + "` includes ";
  }
  chain += "`" + groups[target].name + "`";
  s_.diags.Emit(DiagKind::GroupCycle, closing.name.range, fmt::format("group cycle: {}", chain))
      .Note(groups[target].decl->name.range,
            fmt::format("`{}` is defined here", groups[target].name))
      .Help("a group cannot contain itself; remove one of the includes");
}

// Expands group `g` from its own entries and the (already expanded)
// groups it includes.
void Expander::Expand(size_t g, const std::vector<size_t>& includes) {
  Group& group = s_.out.groups[g];
  std::map<std::string, Ids>& mine = expansion_[g];
  std::set<std::string> tops;  // top-level hierarchies of the focus concepts
  bool other_systems_products = true, other_systems_findings = true;
  bool any_snomed = false;
  for (const ast::GroupEntry& e : group.decl->entries) {
    const auto* entry = std::get_if<ast::SystemEntry>(&e.node);
    if (entry == nullptr) continue;
    const schema::CodeSystem* cs = codes_.System(entry->system);
    if (cs == nullptr) {
      group.ok = false;
      continue;
    }
    Ids ids;
    for (const ast::CodeExpr& x : entry->exprs) {
      std::optional<Ids> r = Eval(x, *cs, &tops);
      if (!r) {
        group.ok = false;
        continue;
      }
      ids = Union(ids, *r);
    }
    Ids& slot = mine[cs->uri()];
    slot = Union(slot, ids);
    if (cs->uri() == schema::kSnomedUri) {
      any_snomed = true;
    } else {
      other_systems_products = other_systems_products && cs->name() == "dmd";
      other_systems_findings = other_systems_findings && cs->name() == "icd10";
    }
  }
  for (size_t t : includes) {
    const Group& inc = s_.out.groups[t];
    if (!inc.ok) group.ok = false;
    for (const auto& [uri, ids] : expansion_[t]) mine[uri] = Union(mine[uri], ids);
    included_tops_[g].insert(included_tops_[t].begin(), included_tops_[t].end());
    if (!inc.only_products) other_systems_products = false;
    if (!inc.only_findings) other_systems_findings = false;
  }
  tops.insert(included_tops_[g].begin(), included_tops_[g].end());
  included_tops_[g] = tops;

  // Codes as text, per system, sorted by system name.
  for (const auto& [uri, ids] : mine) {
    const schema::CodeSystem* cs = s_.schema.ByUri(uri);
    CodeSet set{cs->name(), uri, {}};
    set.codes.reserve(ids.size());
    for (ConceptId id : ids) set.codes.emplace_back(cs->Code(id));
    std::sort(set.codes.begin(), set.codes.end());
    group.sets.push_back(std::move(set));
  }
  std::sort(group.sets.begin(), group.sets.end(),
            [](const CodeSet& a, const CodeSet& b) { return a.system < b.system; });

  bool any_content = any_snomed || !includes.empty();
  group.only_products = any_content && other_systems_products && OnlyProductHierarchies(tops);
  group.only_findings = any_content && other_systems_findings && OnlyFindingHierarchies(tops);

  if (group.ok && group.CodeCount() == 0 && !group.decl->entries.empty()) {
    s_.diags
        .Emit(DiagKind::EmptyGroup, group.decl->name.range,
              fmt::format("{} `{}` expands to no codes in the loaded schema",
                          ast::Spelling(group.kind), group.name))
        .Help("a group that holds nothing matches nothing");
  }
}

// Evaluates a code expression against one system, adding the top-level
// hierarchies of its content to `tops` (when not null). Reports problems
// and returns nothing when the expression cannot be evaluated.
std::optional<Ids> Expander::Eval(const ast::CodeExpr& e, const schema::CodeSystem& cs,
                                  std::set<std::string>* tops) {
  return std::visit(
      ast::Overloaded{
          [&](const ast::EclCode& c) -> std::optional<Ids> {
            std::optional<ConceptId> id = codes_.Concept(c, cs);
            if (!id) return std::nullopt;
            TopLevels(cs, *id, tops);
            return Ids{*id};
          },
          [&](const ast::EclConstraint& c) -> std::optional<Ids> {
            // The focus of `^` is a reference set, not content: its own
            // hierarchy says nothing about what the group holds.
            bool member = c.op == ast::ConstraintOp::MemberOf;
            std::optional<Ids> focus = Eval(*c.operand, cs, member ? nullptr : tops);
            if (!focus) return std::nullopt;
            Ids out;
            for (ConceptId id : *focus) {
              switch (c.op) {
                case ast::ConstraintOp::DescendantOrSelf:
                  cs.Descendants(id, true, out);
                  break;
                case ast::ConstraintOp::Descendant:
                  cs.Descendants(id, false, out);
                  break;
                case ast::ConstraintOp::Child: {
                  auto children = cs.Children(id);
                  out.insert(out.end(), children.begin(), children.end());
                  break;
                }
                case ast::ConstraintOp::MemberOf: {
                  if (!cs.IsRefset(id)) {
                    s_.diags
                        .Emit(DiagKind::NotARefset, c.operand->range,
                              fmt::format("`{}` is not a reference set in the loaded {}",
                                          cs.Code(id), SystemTitle(cs)))
                        .Help(
                            "`^` takes the members of a reference set; use `<<` for a "
                            "concept and its descendants");
                    return std::nullopt;
                  }
                  auto members = cs.RefsetMembers(id);
                  out.insert(out.end(), members.begin(), members.end());
                  size_t sampled = 0;
                  for (ConceptId m : members) {
                    if (++sampled > 256) break;
                    TopLevels(cs, m, tops);
                  }
                  break;
                }
              }
            }
            Normalise(out);
            return out;
          },
          [&](const ast::EclBinary& b) -> std::optional<Ids> {
            std::optional<Ids> acc;
            bool ok = true;
            // MINUS: only the left operand says what the group holds.
            for (size_t i = 0; i < b.operands.size(); ++i) {
              bool content = b.op != ast::EclBinaryOp::Minus || i == 0;
              std::optional<Ids> r = Eval(b.operands[i], cs, content ? tops : nullptr);
              if (!r) {
                ok = false;
                continue;
              }
              if (!acc) {
                acc = std::move(r);
              } else if (b.op == ast::EclBinaryOp::Or) {
                acc = Union(*acc, *r);
              } else if (b.op == ast::EclBinaryOp::And) {
                acc = Intersection(*acc, *r);
              } else {
                acc = Difference(*acc, *r);
              }
            }
            if (!ok) return std::nullopt;
            return acc;
          },
      },
      e.node);
}

}  // namespace

void ExpandGroups(CheckerState& state, Names& names) {
  Expander(state, names).Run();
}

}  // namespace caldicott::check::detail
