#include "compiler/ast/ast.h"

#include "runtime/abi/abi.h"

namespace caldicott::ast {

namespace {
using abi::kKindSpellings;
using abi::kStatusSpellings;
}  // namespace

std::string_view Spelling(EntryKind kind) {
  return abi::KindName(static_cast<uint32_t>(kind));
}
std::string_view Spelling(Status status) {
  return abi::StatusName(static_cast<uint32_t>(status));
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
