// Internal to the check phase: codes against the coding schema. Which code
// system an entry names, whether each code written in a group is well formed
// for its system (SCTID check digit and partition, ICD-10, Read, LOINC), is
// in the loaded release, is active and carries the right term; and which
// SNOMED CT top-level hierarchies concepts come from, for the "cannot match"
// rule.
#ifndef CALDICOTT_COMPILER_CHECK_CODES_H_
#define CALDICOTT_COMPILER_CHECK_CODES_H_

#include <optional>
#include <set>
#include <string>

#include "compiler/ast/ast.h"
#include "compiler/check/checker_state.h"
#include "compiler/schema/schema.h"

namespace caldicott::check::detail {

// How a diagnostic names a code system: "SNOMED CT" or "`icd10`".
std::string SystemTitle(const schema::CodeSystem& cs);

// Adds to `tops` the top-level hierarchies (children of the root) that a
// SNOMED CT concept falls under. Does nothing when `tops` is null or `cs` is
// not SNOMED CT.
void TopLevels(const schema::CodeSystem& cs, schema::ConceptId id, std::set<std::string>* tops);

// Whether the top-level hierarchies `tops` are all medicinal products or
// substances; all clinical findings. Both are false when `tops` is empty.
bool OnlyProductHierarchies(const std::set<std::string>& tops);
bool OnlyFindingHierarchies(const std::set<std::string>& tops);

class Codes {
 public:
  explicit Codes(CheckerState& state) : s_(state) {}

  // The system an entry names. A system that is missing is reported once,
  // at its first use, not at every entry that names it.
  const schema::CodeSystem* System(const ast::Name& name);

  // One code written in a group: its format, its presence, its term.
  // Reports problems; returns nothing when the code cannot be used.
  std::optional<schema::ConceptId> Concept(const ast::EclCode& c, const schema::CodeSystem& cs);

 private:
  CheckerState& s_;
  std::set<std::string> missing_systems_;  // reported once each
};

}  // namespace caldicott::check::detail

#endif  // CALDICOTT_COMPILER_CHECK_CODES_H_
