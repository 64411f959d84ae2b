// The check phase's entry point, check::Check, and the lookups of
// CheckedProgram. Check runs the concerns in order: names are declared,
// groups are expanded, then sections and agreements are checked.
#include "compiler/check/check.h"

#include "compiler/check/agreements.h"
#include "compiler/check/checker_state.h"
#include "compiler/check/expand.h"
#include "compiler/check/names.h"

#include <utility>

namespace caldicott::check {

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
  detail::CheckerState state{program, schema, sources, diags, {}};
  detail::Names names(state);
  names.Collect();
  detail::ExpandGroups(state, names);
  detail::CheckSectionsAndAgreements(state, names);
  return std::move(state.out);
}

}  // namespace caldicott::check
