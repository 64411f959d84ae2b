// The reference interpreter: evaluates the policy IR directly, exactly as
// docs/language.md ("What an agreement means") says. It is the oracle that every faster engine is
// tested against, so it is written to be obviously right, not fast.
//
// Dates: an entry without a date makes every `recorded ...` atom unknown.
// Conditions are evaluated in three-valued (Kleene) logic, and unknown
// fails closed: a share matches only when its condition is certainly true;
// an exclude matches unless its condition is certainly false.
#ifndef CALDICOTT_COMPILER_INTERP_INTERP_H_
#define CALDICOTT_COMPILER_INTERP_INTERP_H_

#include "caldicott/caldicott.h"
#include "compiler/ir/ir.h"

namespace caldicott::interp {

enum class Truth : uint8_t { False, True, Unknown };

// Whether agreement `a` applies to `request`: the role is granted, the date
// is inside `effective` (inclusive), and, when the agreement names
// controllers and the request names the registered practice, that practice
// is one of them.
bool Applies(const ir::Policy& policy, ir::AgreementId a, const caldicott_request& request);

// Why agreement `a` does not apply to `request`, in words ("the role
// `porter` is not granted"), or null when it applies.
const char* WhyNotApplies(const ir::Policy& policy, ir::AgreementId a,
                          const caldicott_request& request);

// Why an entry cannot be decided (then it is withheld), or null.
const char* MalformedEntry(const caldicott_entry& entry);

// The decision for one entry under agreement `a`, assuming the agreement
// applies. The deciding rule is the first (in statement order) exclude that
// matches, else the first share that matches; none when no share matches.
caldicott_decision Decide(const ir::Policy& policy, ir::AgreementId a, caldicott_date request_date,
                          const caldicott_entry& entry);

// The whole decision for one request: WITHHOLD with reason DOES_NOT_APPLY
// when the agreement does not apply, else Decide().
caldicott_decision DecideRequest(const ir::Policy& policy, ir::AgreementId a,
                                 const caldicott_request& request, const caldicott_entry& entry);

// The truth of one condition for one entry.
Truth Evaluate(const ir::Policy& policy, ir::CondId cond, caldicott_date request_date,
               const caldicott_entry& entry);

}  // namespace caldicott::interp

#endif  // CALDICOTT_COMPILER_INTERP_INTERP_H_
