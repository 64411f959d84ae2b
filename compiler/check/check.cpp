#include "compiler/check/check.h"

#include "compiler/ast/overloaded.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include <fmt/format.h>

namespace caldicott::check {

namespace {

using diag::DiagKind;
using schema::ConceptId;
using source::SourceRange;
using Ids = std::vector<ConceptId>;  // sorted, unique

using ast::Overloaded;

constexpr std::string_view kSnomedRoot = "138875005";
constexpr std::string_view kProduct = "373873005";    // |Pharmaceutical / biologic product|
constexpr std::string_view kSubstance = "105590001";  // |Substance|
constexpr std::string_view kFinding = "404684003";    // |Clinical finding|

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

bool EqualIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Why `code` is not a valid code of the system named `system`, if it is not.
std::optional<std::string> FormatProblem(std::string_view system, const std::string& code) {
  // Each pattern is compiled once, not once per code checked.
  static const std::regex kIcd10(
      R"([A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?|[A-Z][0-9]{2}-[A-Z][0-9]{2}|[IVX]+)");
  static const std::regex kRead(R"([0-9A-Za-z]{1,5}\.{0,4})");
  static const std::regex kLoinc(R"((L[APG])?[0-9]{1,8}-[0-9])");
  auto matches = [&](const std::regex& pattern) { return std::regex_match(code, pattern); };
  if (system == "snomed" || system == "dmd") {
    if (auto p = schema::SctidProblem(code)) {
      if (code.find('E') != std::string::npos && code.find('.') != std::string::npos) {
        return "it looks like a number damaged by a spreadsheet";
      }
      return *p;
    }
  } else if (system == "icd10") {
    if (!matches(kIcd10)) {
      return "an ICD-10 code is a letter and two characters, then optionally `.` and up to four "
             "more (E11, E11.9)";
    }
  } else if (system == "readv2" || system == "ctv3") {
    if (!matches(kRead) || code.size() != 5) {
      return "a Read code has five characters, padded with dots (C10.., C10E.)";
    }
  } else if (system == "loinc") {
    if (!matches(kLoinc)) {
      return "a LOINC code is digits, `-` and a check digit (2345-7)";
    }
  }
  return std::nullopt;
}

std::string SystemTitle(const schema::CodeSystem& cs) {
  if (cs.uri() == schema::kSnomedUri) return "SNOMED CT";
  return "`" + cs.name() + "`";
}

class Checker {
 public:
  Checker(const load::Program& program, const schema::Schema& schema,
          const source::SourceManager& sources, diag::Diagnostics& diags)
      : program_(program), schema_(schema), sources_(sources), diags_(diags) {}

  CheckedProgram Run() {
    ComputeVisibility();
    Collect();
    ExpandGroups();
    for (Section& s : out_.sections) CheckSection(s);
    for (Agreement& a : out_.agreements) CheckAgreement(a);
    return std::move(out_);
  }

 private:
  // ------------------------------------------------------------ names

  struct Entry {
    size_t index;
    size_t module;
    SourceRange range;
  };
  enum class Ns { Group, Section, Role, Agreement };

  void ComputeVisibility() {
    size_t n = program_.modules.size();
    visible_.assign(n, std::vector<bool>(n, false));
    for (size_t m = 0; m < n; ++m) {
      std::vector<size_t> stack{m};
      visible_[m][m] = true;
      while (!stack.empty()) {
        size_t x = stack.back();
        stack.pop_back();
        for (size_t i : program_.modules[x].imports) {
          if (!visible_[m][i]) {
            visible_[m][i] = true;
            stack.push_back(i);
          }
        }
      }
    }
  }

  std::map<std::string, Entry>& Table(Ns ns) {
    switch (ns) {
      case Ns::Group:
        return groups_;
      case Ns::Section:
        return sections_;
      case Ns::Role:
        return roles_;
      case Ns::Agreement:
        return agreements_;
    }
    return groups_;
  }

  static std::string_view NsWord(Ns ns) {
    switch (ns) {
      case Ns::Group:
        return "group";
      case Ns::Section:
        return "section";
      case Ns::Role:
        return "role";
      case Ns::Agreement:
        return "agreement";
    }
    return "name";
  }

  bool Declare(Ns ns, const ast::Name& name, size_t index, size_t module) {
    auto [it, inserted] = Table(ns).try_emplace(name.text, Entry{index, module, name.range});
    if (!inserted) {
      diags_
          .Emit(DiagKind::DuplicateDefinition, name.range,
                fmt::format("the {} `{}` is defined twice", NsWord(ns), name.text))
          .Note(it->second.range, "it is first defined here")
          .Help(
              "rename one of them; every name of a kind is shared by all the files of a "
              "program");
      return false;
    }
    return true;
  }

  void Collect() {
    for (size_t m : program_.order) {
      for (const ast::Decl& decl : program_.modules[m].ast.decls) {
        std::visit(Overloaded{
                       [](const ast::Import&) {},
                       [&](const ast::Role& r) {
                         if (Declare(Ns::Role, r.name, out_.roles.size(), m)) {
                           out_.roles.push_back({r.name.text, &r, m});
                         }
                       },
                       [&](const ast::Group& g) {
                         if (Declare(Ns::Group, g.name, out_.groups.size(), m)) {
                           Group group;
                           group.kind = g.kind, group.name = g.name.text, group.decl = &g,
                           group.module = m;
                           out_.groups.push_back(std::move(group));
                         }
                       },
                       [&](const ast::Section& s) {
                         if (Declare(Ns::Section, s.name, out_.sections.size(), m)) {
                           out_.sections.push_back({s.name.text, &s, m});
                         }
                       },
                       [&](const ast::Agreement& a) {
                         if (Declare(Ns::Agreement, a.name, out_.agreements.size(), m)) {
                           Agreement agreement;
                           agreement.name = a.name.text, agreement.decl = &a, agreement.module = m;
                           out_.agreements.push_back(std::move(agreement));
                         }
                       },
                   },
                   decl);
      }
    }
  }

  // How module `from` would write an import of module `to`.
  std::string ImportPath(size_t from, size_t to) const {
    if (program_.modules[to].is_std) return ModuleName(to);
    std::filesystem::path dir = std::filesystem::path(ModuleName(from)).parent_path();
    std::filesystem::path rel =
        std::filesystem::path(ModuleName(to)).lexically_relative(dir.empty() ? "." : dir);
    return rel.empty() ? ModuleName(to) : rel.generic_string();
  }

  std::string ModuleName(size_t m) const {
    return sources_.Get(program_.modules[m].ast.file).display_name();
  }

  // Resolves `name` in namespace `ns` as seen from `module`. For groups,
  // `kind` says which kind is wanted. Reports and returns nothing when it
  // does not resolve.
  std::optional<size_t> Resolve(const ast::Name& name, Ns ns, size_t module,
                                std::optional<ast::GroupKind> kind = std::nullopt) {
    DiagKind unknown = DiagKind::UnknownSection;
    std::string what = "section";
    if (ns == Ns::Role) unknown = DiagKind::UnknownRole, what = "role";
    if (ns == Ns::Group) {
      bool code = kind == ast::GroupKind::Code;
      unknown = code ? DiagKind::UnknownCodeGroup : DiagKind::UnknownLabelGroup;
      what = code ? "code group" : "label group";
    }
    auto& table = Table(ns);
    auto it = table.find(name.text);
    if (it != table.end()) {
      const Entry& e = it->second;
      if (!visible_[module][e.module]) {
        diags_
            .Emit(unknown, name.range,
                  fmt::format("`{}` is defined in `{}`, which this file does not import", name.text,
                              ModuleName(e.module)))
            .Help(fmt::format("add `import \"{}\";`", ImportPath(module, e.module)));
        return std::nullopt;
      }
      if (ns == Ns::Group && kind && out_.groups[e.index].kind != *kind) {
        bool is_label = out_.groups[e.index].kind == ast::GroupKind::Label;
        diags_
            .Emit(unknown, name.range,
                  fmt::format("`{}` is a {}, not a {}", name.text,
                              is_label ? "label group" : "code group", what))
            .Note(e.range, "it is defined here")
            .Help(is_label ? "security labels are matched with `label-group` and `label in`"
                           : "codes are matched with `code-group` and `code in`");
        return std::nullopt;
      }
      out_.resolved[&name] = e.index;
      return e.index;
    }
    // Unknown: suggest a visible name of the right kind.
    std::vector<std::string_view> candidates;
    for (const auto& [n, e] : table) {
      if (!visible_[module][e.module]) continue;
      if (ns == Ns::Group && kind && out_.groups[e.index].kind != *kind) continue;
      candidates.push_back(n);
    }
    auto b = diags_.Emit(unknown, name.range, fmt::format("unknown {} `{}`", what, name.text));
    std::string_view guess = diag::ClosestMatch(name.text, candidates);
    if (!guess.empty()) {
      b.Help(fmt::format("did you mean `{}`?", guess));
    } else if (ns == Ns::Section && groups_.count(name.text) != 0) {
      b.Help(fmt::format("`{}` is a group: write `code-group {}` or `label-group {}`", name.text,
                         name.text, name.text));
    } else if (ns == Ns::Section && name.text.find('.') == std::string::npos && sections_.empty()) {
      b.Help("the standard sections come from `import \"std:sections\";`");
    }
    return std::nullopt;
  }

  // ------------------------------------------------------------ groups

  void ExpandGroups() {
    // Depth-first over group references with an explicit stack: reports
    // cycles and expands every group after the groups it includes.
    enum State : uint8_t { kNew, kActive, kDone };
    std::vector<State> state(out_.groups.size(), kNew);
    struct Frame {
      size_t group = 0;
      size_t next = 0;
      std::vector<std::pair<size_t, const ast::GroupRef*>> refs;  // resolved includes
    };
    expansion_.resize(out_.groups.size());
    for (size_t root = 0; root < out_.groups.size(); ++root) {
      if (state[root] != kNew) continue;
      std::vector<Frame> stack;
      auto push = [&](size_t g) {
        state[g] = kActive;
        Frame f;
        f.group = g;
        for (const ast::GroupEntry& e : out_.groups[g].decl->entries) {
          if (const auto* ref = std::get_if<ast::GroupRef>(&e.node)) {
            if (ref->kind != out_.groups[g].kind) {
              diags_
                  .Emit(DiagKind::GroupKindMismatch,
                        SourceRange{e.range.file, e.range.begin, ref->name.range.end},
                        fmt::format("a {} cannot include a {}", ast::Spelling(out_.groups[g].kind),
                                    ast::Spelling(ref->kind)))
                  .Help(
                      "codes and security labels are different things: keep them in "
                      "separate groups");
              out_.groups[g].ok = false;
              continue;
            }
            auto target = Resolve(ref->name, Ns::Group, out_.groups[g].module, ref->kind);
            if (target) {
              f.refs.emplace_back(*target, ref);
            } else {
              out_.groups[g].ok = false;
            }
          }
        }
        stack.push_back(std::move(f));
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
            out_.groups[top.group].ok = false;
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

  template <class Stack>
  void ReportGroupCycle(const Stack& stack, size_t target, const ast::GroupRef& closing) {
    size_t first = 0;
    while (first < stack.size() && stack[first].group != target) ++first;
    std::string chain;
    for (size_t i = first; i < stack.size(); ++i) {
      chain += "`" + out_.groups[stack[i].group].name + "` includes ";
    }
    chain += "`" + out_.groups[target].name + "`";
    diags_.Emit(DiagKind::GroupCycle, closing.name.range, fmt::format("group cycle: {}", chain))
        .Note(out_.groups[target].decl->name.range,
              fmt::format("`{}` is defined here", out_.groups[target].name))
        .Help("a group cannot contain itself; remove one of the includes");
  }

  // Expands group `g` from its own entries and the (already expanded)
  // groups it includes.
  void Expand(size_t g, const std::vector<size_t>& includes) {
    Group& group = out_.groups[g];
    std::map<std::string, Ids>& mine = expansion_[g];
    std::set<std::string> tops;  // top-level hierarchies of the focus concepts
    bool other_systems_products = true, other_systems_findings = true;
    bool any_snomed = false;
    for (const ast::GroupEntry& e : group.decl->entries) {
      const auto* entry = std::get_if<ast::SystemEntry>(&e.node);
      if (entry == nullptr) continue;
      const schema::CodeSystem* cs = System(entry->system);
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
      const Group& inc = out_.groups[t];
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
      const schema::CodeSystem* cs = schema_.ByUri(uri);
      CodeSet set{cs->name(), uri, {}};
      set.codes.reserve(ids.size());
      for (ConceptId id : ids) set.codes.emplace_back(cs->Code(id));
      std::sort(set.codes.begin(), set.codes.end());
      group.sets.push_back(std::move(set));
    }
    std::sort(group.sets.begin(), group.sets.end(),
              [](const CodeSet& a, const CodeSet& b) { return a.system < b.system; });

    auto all_in = [&](std::initializer_list<std::string_view> allowed) {
      if (tops.empty()) return false;
      return std::all_of(tops.begin(), tops.end(), [&](const std::string& t) {
        return std::find(allowed.begin(), allowed.end(), t) != allowed.end();
      });
    };
    group.only_products = (any_snomed || !includes.empty()) && other_systems_products &&
                          all_in({kProduct, kSubstance});
    group.only_findings =
        (any_snomed || !includes.empty()) && other_systems_findings && all_in({kFinding});

    if (group.ok && group.CodeCount() == 0 && !group.decl->entries.empty()) {
      diags_
          .Emit(DiagKind::EmptyGroup, group.decl->name.range,
                fmt::format("{} `{}` expands to no codes in the loaded schema",
                            ast::Spelling(group.kind), group.name))
          .Help("a group that holds nothing matches nothing");
    }
  }

  // The system an entry names. A system that is missing is reported once,
  // at its first use, not at every entry that names it.
  const schema::CodeSystem* System(const ast::Name& name) {
    if (const schema::CodeSystem* cs = schema_.ByName(name.text)) return cs;
    if (!missing_systems_.insert(name.text).second) return nullptr;
    if (auto uri = schema::UriForName(name.text)) {
      diags_
          .Emit(DiagKind::UnknownCodeSystem, name.range,
                fmt::format("no code system `{}` ({}) is loaded", name.text, *uri))
          .Help("load it with `--schema PATH`: a FHIR CodeSystem or an RF2 release");
      return nullptr;
    }
    std::vector<std::string_view> names;
    std::vector<const schema::CodeSystem*> systems = schema_.Systems();
    for (const schema::CodeSystem* cs : systems) names.push_back(cs->name());
    for (const schema::Binding& b : schema::StandardBindings()) names.push_back(b.name);
    auto b = diags_.Emit(DiagKind::UnknownCodeSystem, name.range,
                         fmt::format("unknown code system `{}`", name.text));
    std::string_view guess = diag::ClosestMatch(name.text, names);
    if (!guess.empty()) {
      b.Help(fmt::format("did you mean `{}`?", guess));
    } else {
      std::string all;
      for (std::string_view n : names) {
        if (all.find("`" + std::string(n) + "`") == std::string::npos) {
          all += (all.empty() ? "`" : ", `") + std::string(n) + "`";
        }
      }
      b.Help("the code systems are " + all);
    }
    return nullptr;
  }

  // The top-level hierarchy (a child of the root) of a SNOMED CT concept.
  void TopLevels(const schema::CodeSystem& cs, ConceptId id, std::set<std::string>* tops) {
    if (tops == nullptr || cs.uri() != schema::kSnomedUri) return;
    std::vector<ConceptId> stack{id};
    std::set<ConceptId> seen{id};
    while (!stack.empty()) {
      ConceptId c = stack.back();
      stack.pop_back();
      auto parents = cs.Parents(c);
      for (ConceptId p : parents) {
        if (cs.Code(p) == kSnomedRoot) {
          tops->insert(std::string(cs.Code(c)));
        } else if (seen.insert(p).second) {
          stack.push_back(p);
        }
      }
      if (parents.empty() && cs.Code(c) != kSnomedRoot) tops->insert(std::string(cs.Code(c)));
    }
  }

  // Evaluates a code expression against one system. Reports problems and
  // returns nothing when the expression cannot be evaluated.
  std::optional<Ids> Eval(const ast::CodeExpr& e, const schema::CodeSystem& cs,
                          std::set<std::string>* tops) {
    return std::visit(
        Overloaded{
            [&](const ast::EclCode& c) -> std::optional<Ids> {
              std::optional<ConceptId> id = Concept(c, cs);
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
                      diags_
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

  // One code written in a group: its format, its presence, its term.
  std::optional<ConceptId> Concept(const ast::EclCode& c, const schema::CodeSystem& cs) {
    const std::string& code = c.code.text;
    if (auto problem = FormatProblem(cs.name(), code)) {
      diags_.Emit(DiagKind::BadCodeFormat, c.code.range,
                  fmt::format("`{}` is not a valid {} code: {}", code, SystemTitle(cs), *problem));
      return std::nullopt;
    }
    std::optional<ConceptId> id = cs.Find(code);
    if (!id) {
      auto b = diags_.Emit(
          DiagKind::CodeNotInSchema, c.code.range,
          fmt::format("`{}` is not in the loaded {} ({})", code, SystemTitle(cs), cs.source()));
      if (c.term) {
        for (ConceptId other = 0; other < cs.size(); ++other) {
          if (EqualIgnoringCase(cs.PreferredTerm(other), c.term->value)) {
            b.Help(fmt::format("`{}` has that term: did you mean it?", cs.Code(other)));
            return std::nullopt;
          }
        }
      }
      b.Help(cs.source().starts_with("<default schema>")
                 ? "the default schema is a small demonstration fragment; load your release with "
                   "`--schema PATH`"
                 : "check the code, or the release loaded with `--schema`");
      return std::nullopt;
    }
    if (!cs.Active(*id)) {
      diags_
          .Emit(DiagKind::InactiveCode, c.code.range,
                fmt::format("`{}` |{}| is inactive in the loaded {}", code, cs.PreferredTerm(*id),
                            SystemTitle(cs)))
          .Help("records may still carry it, so it still counts; prefer its active replacement");
    }
    if (c.term && !cs.PreferredTerm(*id).empty() &&
        !EqualIgnoringCase(c.term->value, cs.PreferredTerm(*id))) {
      diags_
          .Emit(DiagKind::TermMismatch, c.term->range,
                fmt::format("the term of `{}` is |{}| in the loaded {}", code,
                            cs.PreferredTerm(*id), SystemTitle(cs)))
          .Help(fmt::format("write |{}|, or check that `{}` is the code you meant",
                            cs.PreferredTerm(*id), code));
    }
    return id;
  }

  // ------------------------------------------------------------ conditions

  // Resolves the group names in `cond`; checks that a code group can match
  // entries of `kinds`.
  void CheckCond(const ast::Cond& cond, size_t module, uint32_t kinds,
                 const std::string& kinds_text) {
    std::visit(Overloaded{
                   [&](const ast::CondAnd& a) {
                     for (const ast::Cond& c : a.operands) CheckCond(c, module, kinds, kinds_text);
                   },
                   [&](const ast::CondOr& o) {
                     for (const ast::Cond& c : o.operands) CheckCond(c, module, kinds, kinds_text);
                   },
                   [&](const ast::CondNot& n) { CheckCond(*n.operand, module, kinds, kinds_text); },
                   [&](const ast::CondInGroup& g) {
                     auto index = Resolve(g.group, Ns::Group, module, g.kind);
                     if (index && g.kind == ast::GroupKind::Code) {
                       CheckCanMatch(out_.groups[*index], g.group.range, kinds, kinds_text);
                     }
                   },
                   [](const auto&) {},
               },
               cond.node);
  }

  void CheckCanMatch(const Group& g, SourceRange use, uint32_t kinds,
                     const std::string& kinds_text) {
    if (kinds == 0 || !g.ok) return;
    const char* holds = nullptr;
    if (g.only_products && (kinds & kProductKinds) == 0) {
      holds = "medicinal products and substances";
    } else if (g.only_findings && (kinds & kFindingKinds) == 0) {
      holds = "clinical findings and disorders";
    }
    if (holds == nullptr) return;
    diags_
        .Emit(DiagKind::GroupCannotMatch, use,
              fmt::format("code group `{}` holds only {}, which {} entries never carry", g.name,
                          holds, kinds_text))
        .Note(g.decl->name.range, fmt::format("`{}` is defined here", g.name))
        .Help("use a group of the right kind of codes, or share a section that holds them");
  }

  static std::string KindsText(uint32_t kinds) {
    std::string out;
    for (int k = 0; k < ast::kEntryKindCount; ++k) {
      if (kinds & (1u << k)) {
        out += (out.empty() ? "`" : ", `") +
               std::string(ast::Spelling(static_cast<ast::EntryKind>(k))) + "`";
      }
    }
    return out;
  }

  // ------------------------------------------------------------ sections

  void CheckSection(Section& s) {
    for (const ast::SectionItem& item : s.decl->items) {
      uint32_t kinds = 0;
      for (const ast::KindRef& k : item.kinds) kinds |= Bit(k.kind);
      s.kinds |= kinds;
      if (item.where) CheckCond(*item.where, s.module, kinds, KindsText(kinds));
    }
  }

  // ------------------------------------------------------------ agreements

  void CheckAgreement(Agreement& a) {
    const ast::Agreement& decl = *a.decl;
    std::map<std::string, SourceRange> seen_statement;
    auto once = [&](const char* word, SourceRange range) {
      auto [it, inserted] = seen_statement.try_emplace(word, range);
      if (!inserted) {
        diags_
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
      std::visit(Overloaded{
                     [&](const ast::Rule& r) {
                       any_share = any_share || !r.exclude;
                       a.rules.push_back(&r);
                       CheckRule(a, r);
                     },
                     [&](const ast::Grant& g) {
                       any_grant = true;
                       for (const ast::Name& role : g.roles) {
                         if (auto index = Resolve(role, Ns::Role, a.module))
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
                         diags_
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
      diags_
          .Emit(DiagKind::NoRoleGranted, decl.name.range,
                fmt::format("agreement `{}` grants no role, so no one may see what it shares",
                            a.name))
          .Help("add `grant role ROLE;`");
    }
    if (!any_share) {
      diags_
          .Emit(DiagKind::NothingShared, decl.name.range,
                fmt::format("agreement `{}` shares nothing", a.name))
          .Help("add `share SECTION;`, for example `share summary;`");
    }
    CheckEmptyShares(a);
  }

  void CheckRule(const Agreement& a, const ast::Rule& r) {
    uint32_t kinds = 0;
    bool any_kind = false;
    for (const ast::Target& t : r.targets) {
      switch (t.kind) {
        case ast::TargetKind::Section:
          if (auto index = Resolve(t.name, Ns::Section, a.module)) {
            kinds |= out_.sections[*index].kinds;
          } else {
            any_kind = true;  // unknown: do not guess
          }
          break;
        case ast::TargetKind::CodeGroup:
          Resolve(t.name, Ns::Group, a.module, ast::GroupKind::Code);
          any_kind = true;
          break;
        case ast::TargetKind::LabelGroup:
          Resolve(t.name, Ns::Group, a.module, ast::GroupKind::Label);
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
  void CheckEmptyShares(const Agreement& a) {
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
      diags_
          .Emit(DiagKind::ShareMadeEmpty, share->targets.front().range,
                "this `share` shares nothing: an `exclude` removes everything it names")
          .Note(by->range, "excluded here")
          .Help("exclude always wins, whatever the order; remove the share or narrow the exclude");
    }
  }

  const ast::Target* Covering(const ast::Target& t, const std::vector<const ast::Rule*>& excludes) {
    for (const ast::Rule* ex : excludes) {
      for (const ast::Target& e : ex->targets) {
        if (Covers(e, t)) return &e;
      }
    }
    return nullptr;
  }

  bool Covers(const ast::Target& exclude, const ast::Target& share) {
    if (exclude.kind == ast::TargetKind::Confidential) {
      return share.kind == ast::TargetKind::Confidential;
    }
    auto ex = out_.resolved.find(&exclude.name);
    auto sh = out_.resolved.find(&share.name);
    if (ex == out_.resolved.end()) return false;
    if (exclude.kind == ast::TargetKind::Section) {
      // An unconditional section of every kind (`full_record`) covers
      // anything; otherwise only the same section covers a section.
      const Section& s = out_.sections[ex->second];
      bool whole =
          s.kinds == kAllKinds && std::all_of(s.decl->items.begin(), s.decl->items.end(),
                                              [](const ast::SectionItem& i) { return !i.where; });
      if (whole) return true;
      return share.kind == ast::TargetKind::Section && sh != out_.resolved.end() &&
             sh->second == ex->second;
    }
    // A group covers a group of the same kind whose every code it holds.
    if (share.kind != exclude.kind || sh == out_.resolved.end()) return false;
    const Group& eg = out_.groups[ex->second];
    const Group& sg = out_.groups[sh->second];
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

  const load::Program& program_;
  const schema::Schema& schema_;
  const source::SourceManager& sources_;
  diag::Diagnostics& diags_;
  CheckedProgram out_;
  std::vector<std::vector<bool>> visible_;
  std::map<std::string, Entry> groups_, sections_, roles_, agreements_;
  std::vector<std::map<std::string, Ids>> expansion_;      // by group, by system URI
  std::map<size_t, std::set<std::string>> included_tops_;  // by group
  std::set<std::string> missing_systems_;                  // reported once each
};

}  // namespace

size_t Group::CodeCount() const {
  size_t n = 0;
  for (const CodeSet& s : sets) n += s.codes.size();
  return n;
}

const Group* CheckedProgram::GroupNamed(std::string_view name) const {
  for (const Group& g : groups) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

const Agreement* CheckedProgram::AgreementNamed(std::string_view name) const {
  for (const Agreement& a : agreements) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

CheckedProgram Check(const load::Program& program, const schema::Schema& schema,
                     const source::SourceManager& sources, diag::Diagnostics& diags) {
  return Checker(program, schema, sources, diags).Run();
}

}  // namespace caldicott::check
