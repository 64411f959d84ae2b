// Sections, agreements and rules: the kinds a section names, the names in
// targets, grants and conditions, the "cannot match" rule, repeated and
// missing statements, and shares that an unconditional exclude empties.
#include "compiler/check/agreements.h"

#include "compiler/ast/overloaded.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace caldicott::check::detail {

namespace {

using diag::DiagKind;
using source::SourceRange;

constexpr uint32_t Bit(ast::EntryKind k) {
  return 1u << static_cast<unsigned>(k);
}
constexpr uint32_t kAllKinds = (1u << ast::kEntryKindCount) - 1;
// Kinds whose entries can carry a medicinal product or substance code.
constexpr uint32_t kProductKinds = Bit(ast::EntryKind::Medication) | Bit(ast::EntryKind::Allergy) |
                                   Bit(ast::EntryKind::Immunisation) | Bit(ast::EntryKind::Device) |
                                   Bit(ast::EntryKind::Other);
// Kinds whose entries can carry a clinical finding code.
constexpr uint32_t kFindingKinds =
    kAllKinds & ~(Bit(ast::EntryKind::Medication) | Bit(ast::EntryKind::Immunisation) |
                  Bit(ast::EntryKind::Device));

std::string KindsText(uint32_t kinds) {
  std::string out;
  for (int k = 0; k < ast::kEntryKindCount; ++k) {
    if (kinds & (1u << k)) {
      out += (out.empty() ? "`" : ", `") +
             std::string(ast::Spelling(static_cast<ast::EntryKind>(k))) + "`";
    }
  }
  return out;
}

class AgreementChecker {
 public:
  AgreementChecker(CheckerState& state, Names& names) : s_(state), names_(names) {}

  void CheckSection(Section& s);
  void CheckAgreement(Agreement& a);

 private:
  void CheckCond(const ast::Cond& cond, size_t module, uint32_t kinds,
                 const std::string& kinds_text);
  void CheckCanMatch(const Group& g, SourceRange use, uint32_t kinds,
                     const std::string& kinds_text);
  void CheckRule(const Agreement& a, const ast::Rule& r);
  void CheckEmptyShares(const Agreement& a);
  const ast::Target* Covering(const ast::Target& t, const std::vector<const ast::Rule*>& excludes);
  bool Covers(const ast::Target& exclude, const ast::Target& share);

  CheckerState& s_;
  Names& names_;
};

// Resolves the group names in `cond`; checks that a code group can match
// entries of `kinds`.
void AgreementChecker::CheckCond(const ast::Cond& cond, size_t module, uint32_t kinds,
                                 const std::string& kinds_text) {
  std::visit(ast::Overloaded{
                 [&](const ast::CondAnd& a) {
                   for (const ast::Cond& c : a.operands) CheckCond(c, module, kinds, kinds_text);
                 },
                 [&](const ast::CondOr& o) {
                   for (const ast::Cond& c : o.operands) CheckCond(c, module, kinds, kinds_text);
                 },
                 [&](const ast::CondNot& n) { CheckCond(*n.operand, module, kinds, kinds_text); },
                 [&](const ast::CondInGroup& g) {
                   auto index = names_.Resolve(g.group, Names::Ns::Group, module, g.kind);
                   if (index && g.kind == ast::GroupKind::Code) {
                     CheckCanMatch(s_.out.groups[*index], g.group.range, kinds, kinds_text);
                   }
                 },
                 [](const auto&) {},
             },
             cond.node);
}

void AgreementChecker::CheckCanMatch(const Group& g, SourceRange use, uint32_t kinds,
                                     const std::string& kinds_text) {
  if (kinds == 0 || !g.ok) return;
  const char* holds = nullptr;
  if (g.only_products && (kinds & kProductKinds) == 0) {
    holds = "medicinal products and substances";
  } else if (g.only_findings && (kinds & kFindingKinds) == 0) {
    holds = "clinical findings and disorders";
  }
  if (holds == nullptr) return;
  s_.diags
      .Emit(DiagKind::GroupCannotMatch, use,
            fmt::format("code group `{}` holds only {}, which {} entries never carry", g.name,
                        holds, kinds_text))
      .Note(g.decl->name.range, fmt::format("`{}` is defined here", g.name))
      .Help("use a group of the right kind of codes, or share a section that holds them");
}

void AgreementChecker::CheckSection(Section& s) {
  for (const ast::SectionItem& item : s.decl->items) {
    uint32_t kinds = 0;
    for (const ast::KindRef& k : item.kinds) kinds |= Bit(k.kind);
    s.kinds |= kinds;
    if (item.where) CheckCond(*item.where, s.module, kinds, KindsText(kinds));
  }
}

void AgreementChecker::CheckAgreement(Agreement& a) {
  const ast::Agreement& decl = *a.decl;
  std::map<std::string, SourceRange> seen_statement;
  auto once = [&](const char* word, SourceRange range) {
    auto [it, inserted] = seen_statement.try_emplace(word, range);
    if (!inserted) {
      s_.diags
          .Emit(DiagKind::RepeatedStatement, range,
                fmt::format("agreement `{}` gives `{}` twice", a.name, word))
          .Note(it->second, "the first is here")
          .Help("keep one");
    }
    return inserted;
  };
  bool any_share = false;
  bool any_grant = false;
  for (const ast::Statement& s : decl.statements) {
    std::visit(ast::Overloaded{
                   [&](const ast::Rule& r) {
                     any_share = any_share || !r.exclude;
                     a.rules.push_back(&r);
                     CheckRule(a, r);
                   },
                   [&](const ast::Grant& g) {
                     any_grant = true;
                     for (const ast::Name& role : g.roles) {
                       if (auto index = names_.Resolve(role, Names::Ns::Role, a.module))
                         a.roles.push_back(*index);
                     }
                   },
                   [&](const ast::Version& v) {
                     if (once("version", s.range)) a.version = v.value;
                   },
                   [&](const ast::Controllers& c) {
                     if (!once("controllers", s.range)) return;
                     for (const ast::Code& p : c.practices) a.controllers.push_back(p.text);
                   },
                   [&](const ast::Purpose& p) {
                     if (once("purpose", s.range)) a.purpose = p.name.text;
                   },
                   [&](const ast::Effective& e) {
                     if (!once("effective", s.range)) return;
                     a.effective_from = e.from;
                     a.effective_to = e.to;
                     if (e.to && *e.to < e.from) {
                       s_.diags
                           .Emit(DiagKind::BackwardsDates, e.to->range,
                                 fmt::format("agreement `{}` ends before it starts", a.name))
                           .Note(e.from.range, "it starts here")
                           .Help("the range is `effective FROM to TO`, with TO on or after FROM");
                     }
                   },
               },
               s.node);
  }
  if (!any_grant) {
    s_.diags
        .Emit(
            DiagKind::NoRoleGranted, decl.name.range,
            fmt::format("agreement `{}` grants no role, so no one may see what it shares", a.name))
        .Help("add `grant role ROLE;`");
  }
  if (!any_share) {
    s_.diags
        .Emit(DiagKind::NothingShared, decl.name.range,
              fmt::format("agreement `{}` shares nothing", a.name))
        .Help("add `share SECTION;`, for example `share summary;`");
  }
  CheckEmptyShares(a);
}

void AgreementChecker::CheckRule(const Agreement& a, const ast::Rule& r) {
  uint32_t kinds = 0;
  bool any_kind = false;
  for (const ast::Target& t : r.targets) {
    switch (t.kind) {
      case ast::TargetKind::Section:
        if (auto index = names_.Resolve(t.name, Names::Ns::Section, a.module)) {
          kinds |= s_.out.sections[*index].kinds;
        } else {
          any_kind = true;  // unknown: do not guess
        }
        break;
      case ast::TargetKind::CodeGroup:
        names_.Resolve(t.name, Names::Ns::Group, a.module, ast::GroupKind::Code);
        any_kind = true;
        break;
      case ast::TargetKind::LabelGroup:
        names_.Resolve(t.name, Names::Ns::Group, a.module, ast::GroupKind::Label);
        any_kind = true;
        break;
      case ast::TargetKind::Confidential:
        any_kind = true;
        break;
    }
  }
  if (r.where) {
    std::string text;
    for (const ast::Target& t : r.targets) {
      if (t.kind == ast::TargetKind::Section)
        text += (text.empty() ? "`" : ", `") + t.name.text + "`";
    }
    CheckCond(*r.where, a.module, any_kind ? 0 : kinds, text);
  }
}

// W0401: a share whose every target an unconditional exclude covers.
void AgreementChecker::CheckEmptyShares(const Agreement& a) {
  std::vector<const ast::Rule*> excludes;
  for (const ast::Rule* r : a.rules) {
    if (r->exclude && !r->where) excludes.push_back(r);
  }
  if (excludes.empty()) return;
  for (const ast::Rule* share : a.rules) {
    if (share->exclude) continue;
    const ast::Target* by = nullptr;
    bool all_covered = !share->targets.empty();
    for (const ast::Target& t : share->targets) {
      const ast::Target* cover = Covering(t, excludes);
      if (cover == nullptr) {
        all_covered = false;
        break;
      }
      by = cover;
    }
    if (!all_covered) continue;
    s_.diags
        .Emit(DiagKind::ShareMadeEmpty, share->targets.front().range,
              "this `share` shares nothing: an `exclude` removes everything it names")
        .Note(by->range, "excluded here")
        .Help("exclude always wins, whatever the order; remove the share or narrow the exclude");
  }
}

const ast::Target* AgreementChecker::Covering(const ast::Target& t,
                                              const std::vector<const ast::Rule*>& excludes) {
  for (const ast::Rule* ex : excludes) {
    for (const ast::Target& e : ex->targets) {
      if (Covers(e, t)) return &e;
    }
  }
  return nullptr;
}

bool AgreementChecker::Covers(const ast::Target& exclude, const ast::Target& share) {
  const CheckedProgram& out = s_.out;
  if (exclude.kind == ast::TargetKind::Confidential) {
    return share.kind == ast::TargetKind::Confidential;
  }
  auto ex = out.resolved.find(&exclude.name);
  auto sh = out.resolved.find(&share.name);
  if (ex == out.resolved.end()) return false;
  if (exclude.kind == ast::TargetKind::Section) {
    // An unconditional section of every kind (`full_record`) covers
    // anything; otherwise only the same section covers a section.
    const Section& s = out.sections[ex->second];
    bool whole =
        s.kinds == kAllKinds && std::all_of(s.decl->items.begin(), s.decl->items.end(),
                                            [](const ast::SectionItem& i) { return !i.where; });
    if (whole) return true;
    return share.kind == ast::TargetKind::Section && sh != out.resolved.end() &&
           sh->second == ex->second;
  }
  // A group covers a group of the same kind whose every code it holds.
  if (share.kind != exclude.kind || sh == out.resolved.end()) return false;
  const Group& eg = out.groups[ex->second];
  const Group& sg = out.groups[sh->second];
  if (!eg.ok || !sg.ok || sg.CodeCount() == 0) return false;
  for (const CodeSet& set : sg.sets) {
    auto it = std::find_if(eg.sets.begin(), eg.sets.end(),
                           [&](const CodeSet& s) { return s.uri == set.uri; });
    if (it == eg.sets.end() ||
        !std::includes(it->codes.begin(), it->codes.end(), set.codes.begin(), set.codes.end())) {
      return false;
    }
  }
  return true;
}

}  // namespace

void CheckSectionsAndAgreements(CheckerState& state, Names& names) {
  AgreementChecker checker(state, names);
  for (Section& s : state.out.sections) checker.CheckSection(s);
  for (Agreement& a : state.out.agreements) checker.CheckAgreement(a);
}

}  // namespace caldicott::check::detail
