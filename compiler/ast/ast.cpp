#include "compiler/ast/ast.h"

#include <array>

namespace caldicott::ast {

namespace {
constexpr std::array<std::string_view, kEntryKindCount> kKindSpellings = {
    "problem",      "allergy",   "medication", "observation", "procedure",
    "immunisation", "encounter", "document",   "referral",    "family_history",
    "care_plan",    "alert",     "device",     "other",
};
constexpr std::array<std::string_view, kStatusCount> kStatusSpellings = {
    "active", "inactive", "current", "past", "unknown",
};
}  // namespace

std::string_view Spelling(EntryKind kind) {
  return kKindSpellings[static_cast<size_t>(kind)];
}
std::string_view Spelling(Status status) {
  return kStatusSpellings[static_cast<size_t>(status)];
}

std::string_view Spelling(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::Days:
      return "days";
    case TimeUnit::Months:
      return "months";
    case TimeUnit::Years:
      return "years";
  }
  return "?";
}

std::optional<EntryKind> EntryKindNamed(std::string_view name) {
  for (size_t i = 0; i < kKindSpellings.size(); ++i) {
    if (kKindSpellings[i] == name) return static_cast<EntryKind>(i);
  }
  return std::nullopt;
}

std::optional<Status> StatusNamed(std::string_view name) {
  for (size_t i = 0; i < kStatusSpellings.size(); ++i) {
    if (kStatusSpellings[i] == name) return static_cast<Status>(i);
  }
  return std::nullopt;
}

std::span<const std::string_view> EntryKindSpellings() {
  return kKindSpellings;
}
std::span<const std::string_view> StatusSpellings() {
  return kStatusSpellings;
}

std::string_view Spelling(ConstraintOp op) {
  switch (op) {
    case ConstraintOp::DescendantOrSelf:
      return "<<";
    case ConstraintOp::Descendant:
      return "<";
    case ConstraintOp::Child:
      return "<!";
    case ConstraintOp::MemberOf:
      return "^";
  }
  return "?";
}

std::string_view Spelling(EclBinaryOp op) {
  switch (op) {
    case EclBinaryOp::Or:
      return "OR";
    case EclBinaryOp::And:
      return "AND";
    case EclBinaryOp::Minus:
      return "MINUS";
  }
  return "?";
}

std::string_view Spelling(GroupKind kind) {
  return kind == GroupKind::Code ? "code-group" : "label-group";
}

}  // namespace caldicott::ast
