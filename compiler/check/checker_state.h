// Internal to the check phase: what every concern of the checker shares,
// namely its inputs, where it reports and the CheckedProgram it fills in.
#ifndef CALDICOTT_COMPILER_CHECK_CHECKER_STATE_H_
#define CALDICOTT_COMPILER_CHECK_CHECKER_STATE_H_

#include "compiler/check/check.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/load/load.h"
#include "compiler/schema/schema.h"
#include "compiler/source/source.h"

namespace caldicott::check::detail {

struct CheckerState {
  const load::Program& program;
  const schema::Schema& schema;
  const source::SourceManager& sources;
  diag::Diagnostics& diags;
  CheckedProgram out;
};

}  // namespace caldicott::check::detail

#endif  // CALDICOTT_COMPILER_CHECK_CHECKER_STATE_H_
