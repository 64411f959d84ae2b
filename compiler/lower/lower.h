// The lower phase: from a checked program to the policy IR.
//
// Every agreement becomes an ir::Agreement with its roles, dates and
// controllers; every share and exclude statement a rule whose condition is
// "any target matches, and the `where` holds". Sections become conditions
// over kind and status; code and label groups become exact code sets.
// Lowering a program that checked without errors cannot fail.
#ifndef CALDICOTT_COMPILER_LOWER_LOWER_H_
#define CALDICOTT_COMPILER_LOWER_LOWER_H_

#include "compiler/check/check.h"
#include "compiler/ir/ir.h"
#include "compiler/source/source.h"

namespace caldicott::lower {

ir::Policy Lower(const check::CheckedProgram& program, const source::SourceManager& sources);

}  // namespace caldicott::lower

#endif  // CALDICOTT_COMPILER_LOWER_LOWER_H_
