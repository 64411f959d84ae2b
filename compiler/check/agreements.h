// Internal to the check phase: sections, agreements and their rules. Works
// out which entry kinds each section names, resolves the names in targets,
// grants and conditions, checks that a code group in a condition can match
// the entries it is applied to, and reports agreements that repeat a
// statement, grant or share nothing, or share what an exclude removes.
#ifndef CALDICOTT_COMPILER_CHECK_AGREEMENTS_H_
#define CALDICOTT_COMPILER_CHECK_AGREEMENTS_H_

#include "compiler/check/checker_state.h"
#include "compiler/check/names.h"

namespace caldicott::check::detail {

// Checks every section, then every agreement, of `state.out`, after its
// groups have been expanded. Resolves names through `names`.
void CheckSectionsAndAgreements(CheckerState& state, Names& names);

}  // namespace caldicott::check::detail

#endif  // CALDICOTT_COMPILER_CHECK_AGREEMENTS_H_
