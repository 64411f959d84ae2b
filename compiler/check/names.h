// Internal to the check phase: name resolution. Declares every group,
// section, role and agreement of the program, one namespace per kind shared
// by all its files, and looks names up as a file sees them: through its
// imports, with the right kind of group, and with a "did you mean" when a
// name is unknown.
#ifndef CALDICOTT_COMPILER_CHECK_NAMES_H_
#define CALDICOTT_COMPILER_CHECK_NAMES_H_

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/check/checker_state.h"
#include "compiler/source/source.h"

namespace caldicott::check::detail {

class Names {
 public:
  enum class Ns { Group, Section, Role, Agreement };

  // Works out which modules each module sees through its imports.
  explicit Names(CheckerState& state);

  // Declares the top-level declarations of every module, in load order,
  // into `state.out`; reports names defined twice.
  void Collect();

  // Resolves `name` in namespace `ns` as seen from `module`, and records it
  // in `CheckedProgram::resolved`. For groups, `kind` says which kind is
  // wanted. Reports and returns nothing when it does not resolve.
  std::optional<size_t> Resolve(const ast::Name& name, Ns ns, size_t module,
                                std::optional<ast::GroupKind> kind = std::nullopt);

 private:
  struct Entry {
    size_t index;
    size_t module;
    source::SourceRange range;
  };

  std::map<std::string, Entry>& Table(Ns ns);
  bool Declare(Ns ns, const ast::Name& name, size_t index, size_t module);
  std::string ImportPath(size_t from, size_t to) const;
  std::string ModuleName(size_t m) const;

  CheckerState& s_;
  std::vector<std::vector<bool>> visible_;  // [from][to]: `from` sees `to`
  std::map<std::string, Entry> groups_, sections_, roles_, agreements_;
};

}  // namespace caldicott::check::detail

#endif  // CALDICOTT_COMPILER_CHECK_NAMES_H_
