// Internal to the check phase: group expansion. Evaluates the ECL subset a
// group is written in (bare codes, `<<`, `<`, `<!`, `^`, OR, AND, MINUS)
// against the loaded schema, follows the groups it includes, reports cycles
// and fills in each group's code sets and hierarchy flags.
#ifndef CALDICOTT_COMPILER_CHECK_EXPAND_H_
#define CALDICOTT_COMPILER_CHECK_EXPAND_H_

#include "compiler/check/checker_state.h"
#include "compiler/check/names.h"

namespace caldicott::check::detail {

// Expands every group of `state.out`, each after the groups it includes,
// resolving the includes through `names`. A group whose expansion meets an
// error is marked not ok and holds what could be expanded.
void ExpandGroups(CheckerState& state, Names& names);

}  // namespace caldicott::check::detail

#endif  // CALDICOTT_COMPILER_CHECK_EXPAND_H_
