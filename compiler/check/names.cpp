// Name resolution: declaring every name of the program, which modules see
// which through their imports, and resolving names with helpful reports.
#include "compiler/check/names.h"

#include "compiler/ast/overloaded.h"

#include <filesystem>
#include <utility>

#include <fmt/format.h>

namespace caldicott::check::detail {

namespace {

using diag::DiagKind;

std::string_view NsWord(Names::Ns ns) {
  switch (ns) {
    case Names::Ns::Group:
      return "group";
    case Names::Ns::Section:
      return "section";
    case Names::Ns::Role:
      return "role";
    case Names::Ns::Agreement:
      return "agreement";
  }
  return "name";
}

}  // namespace

Names::Names(CheckerState& state) : s_(state) {
  size_t n = s_.program.modules.size();
  visible_.assign(n, std::vector<bool>(n, false));
  for (size_t m = 0; m < n; ++m) {
    std::vector<size_t> stack{m};
    visible_[m][m] = true;
    while (!stack.empty()) {
      size_t x = stack.back();
      stack.pop_back();
      for (size_t i : s_.program.modules[x].imports) {
        if (!visible_[m][i]) {
          visible_[m][i] = true;
          stack.push_back(i);
        }
      }
    }
  }
}

std::map<std::string, Names::Entry>& Names::Table(Ns ns) {
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

bool Names::Declare(Ns ns, const ast::Name& name, size_t index, size_t module) {
  auto [it, inserted] = Table(ns).try_emplace(name.text, Entry{index, module, name.range});
  if (!inserted) {
    s_.diags
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

void Names::Collect() {
  CheckedProgram& out = s_.out;
  for (size_t m : s_.program.order) {
    // Declares `name` and, when it is new, appends an item to `into` for
    // the caller to fill in.
    auto add = [&](Ns ns, const ast::Name& name, auto& into) {
      return Declare(ns, name, into.size(), m) ? &into.emplace_back() : nullptr;
    };
    for (const ast::Decl& decl : s_.program.modules[m].ast.decls) {
      std::visit(ast::Overloaded{
                     [](const ast::Import&) {},
                     [&](const ast::Role& r) {
                       if (Role* role = add(Ns::Role, r.name, out.roles)) {
                         *role = {r.name.text, &r, m};
                       }
                     },
                     [&](const ast::Group& g) {
                       if (Group* group = add(Ns::Group, g.name, out.groups)) {
                         group->kind = g.kind, group->name = g.name.text, group->decl = &g,
                         group->module = m;
                       }
                     },
                     [&](const ast::Section& s) {
                       if (Section* section = add(Ns::Section, s.name, out.sections)) {
                         *section = {s.name.text, &s, m};
                       }
                     },
                     [&](const ast::Agreement& a) {
                       if (Agreement* agreement = add(Ns::Agreement, a.name, out.agreements)) {
                         agreement->name = a.name.text, agreement->decl = &a, agreement->module = m;
                       }
                     },
                 },
                 decl);
    }
  }
}

// How module `from` would write an import of module `to`.
std::string Names::ImportPath(size_t from, size_t to) const {
  if (s_.program.modules[to].is_std) return ModuleName(to);
  std::filesystem::path dir = std::filesystem::path(ModuleName(from)).parent_path();
  std::filesystem::path rel =
      std::filesystem::path(ModuleName(to)).lexically_relative(dir.empty() ? "." : dir);
  return rel.empty() ? ModuleName(to) : rel.generic_string();
}

std::string Names::ModuleName(size_t m) const {
  return s_.sources.Get(s_.program.modules[m].ast.file).display_name();
}

std::optional<size_t> Names::Resolve(const ast::Name& name, Ns ns, size_t module,
                                     std::optional<ast::GroupKind> kind) {
  const std::vector<Group>& groups = s_.out.groups;
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
      s_.diags
          .Emit(unknown, name.range,
                fmt::format("`{}` is defined in `{}`, which this file does not import", name.text,
                            ModuleName(e.module)))
          .Help(fmt::format("add `import \"{}\";`", ImportPath(module, e.module)));
      return std::nullopt;
    }
    if (ns == Ns::Group && kind && groups[e.index].kind != *kind) {
      bool is_label = groups[e.index].kind == ast::GroupKind::Label;
      s_.diags
          .Emit(unknown, name.range,
                fmt::format("`{}` is a {}, not a {}", name.text,
                            is_label ? "label group" : "code group", what))
          .Note(e.range, "it is defined here")
          .Help(is_label ? "security labels are matched with `label-group` and `label in`"
                         : "codes are matched with `code-group` and `code in`");
      return std::nullopt;
    }
    s_.out.resolved[&name] = e.index;
    return e.index;
  }
  // Unknown: suggest a visible name of the right kind.
  std::vector<std::string_view> candidates;
  for (const auto& [n, e] : table) {
    if (!visible_[module][e.module]) continue;
    if (ns == Ns::Group && kind && groups[e.index].kind != *kind) continue;
    candidates.push_back(n);
  }
  auto b = s_.diags.Emit(unknown, name.range, fmt::format("unknown {} `{}`", what, name.text));
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

}  // namespace caldicott::check::detail
