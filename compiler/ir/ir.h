// The policy IR: what lowering produces from a checked program, and what
// every engine (the reference interpreter, the LLVM backend) evaluates.
//
// Flat: plain structs in vectors, addressed by small typed ids. A rule's
// condition is a DAG of Cond nodes whose leaves are atoms over one entry
// (its kind, status, codings, labels and date). Code groups arrive
// expanded to exact code sets per system. Nothing here refers back to the
// AST; locations are kept as text for explanations.
#ifndef CALDICOTT_COMPILER_IR_IR_H_
#define CALDICOTT_COMPILER_IR_IR_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "caldicott/caldicott.h"

namespace caldicott::ir {

template <class Tag>
struct Id {
  uint32_t index = 0;
  friend bool operator==(Id, Id) = default;
};
using CodeSetId = Id<struct CodeSetTag>;
using CondId = Id<struct CondTag>;
using RuleId = Id<struct RuleTag>;
using AgreementId = Id<struct AgreementTag>;

enum class CondOp : uint8_t {
#define CALDICOTT_COND_OP(Name, Spelling, Operands) Name,
#include "compiler/ir/cond_ops.def"
};
std::string_view Spelling(CondOp op);

enum class TimeUnit : uint8_t { Days, Months, Years };

struct Cond {
  CondOp op = CondOp::True;
  uint32_t a = 0;  // see cond_ops.def
  uint32_t b = 0;
  caldicott_date date = 0;   // RecordedBefore / RecordedAfter
  uint32_t first_child = 0;  // And / Or / Not: children[first_child ...]
  uint32_t child_count = 0;
};

// The exact codes of one system in a code set.
struct SystemCodes {
  std::string uri;
  std::vector<std::string> codes;  // sorted, unique
};

struct CodeSet {
  std::string name;                  // the group it came from
  std::vector<SystemCodes> systems;  // sorted by uri
};

struct SourceLoc {
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
};

struct Rule {
  // Stable within a compiled policy: rules are numbered from 1 in the
  // order of agreements, then statements. 0 means "no rule".
  uint32_t number = 0;
  AgreementId agreement;
  uint32_t statement = 0;  // 1-based index of the statement in its agreement
  bool exclude = false;
  CondId cond;
  SourceLoc loc;
  std::string text;  // the statement as written, on one line
};

struct Role {
  std::string name;
  std::string rbac;  // empty when none
};

struct Agreement {
  std::string name;
  std::string title;
  std::optional<uint32_t> version;
  std::string purpose;
  std::vector<Role> roles;
  std::optional<caldicott_date> effective_from, effective_to;  // inclusive
  std::vector<std::string> controllers;                        // ODS codes
  std::vector<RuleId> rules;                                   // in statement order
  SourceLoc loc;
};

struct Policy {
  std::vector<Agreement> agreements;
  std::vector<Rule> rules;  // rules[n - 1] has number n
  std::vector<Cond> conds;
  std::vector<CondId> children;
  std::vector<CodeSet> code_sets;

  const Agreement& Get(AgreementId id) const { return agreements[id.index]; }
  const Rule& Get(RuleId id) const { return rules[id.index]; }
  const Cond& Get(CondId id) const { return conds[id.index]; }
  const CodeSet& Get(CodeSetId id) const { return code_sets[id.index]; }
  std::optional<AgreementId> Find(std::string_view agreement) const;
  const Rule* RuleNumbered(uint32_t number) const {
    return number >= 1 && number <= rules.size() ? &rules[number - 1] : nullptr;
  }
};

// ---- dates (calendar conversions are base::DaysFromCivil and friends)

// `date` moved back by `amount` units; a day past the end of the month
// becomes its last day (2026-03-31 less one month is 2026-02-28).
caldicott_date SubtractTime(caldicott_date date, uint32_t amount, TimeUnit unit);

// The calendar inputs of agreement `a`: each distinct `recorded within`
// (amount, unit) of its rules, in the order of first use (rules in statement
// order, each condition depth first). A compiled engine receives, per
// request, the threshold date of each (SubtractTime of the request date) in
// this order, so that no calendar arithmetic runs per entry.
struct WithinInput {
  uint32_t amount = 0;
  TimeUnit unit = TimeUnit::Days;
  friend bool operator==(const WithinInput&, const WithinInput&) = default;
};
std::vector<WithinInput> WithinInputs(const Policy& policy, AgreementId a);

// A readable rendering for `caldicott check --dump=ir` and golden tests.
void Dump(const Policy& policy, std::ostream& out);

}  // namespace caldicott::ir

#endif  // CALDICOTT_COMPILER_IR_IR_H_
