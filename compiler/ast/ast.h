// The abstract syntax tree: what the parse phase produces and every later
// phase reads. It holds no ANTLR types. Every node carries the SourceRange
// of the text it came from.
//
// The tree is shallow by construction: chains (`a and b and c`, `A OR B OR
// C`) are n-ary nodes, repeated `not` collapses to at most one, and the
// parse phase refuses parentheses nested deeper than kMaxNesting, so no
// recursive walk over it can exhaust the stack.
#ifndef CALDICOTT_COMPILER_AST_AST_H_
#define CALDICOTT_COMPILER_AST_AST_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

#include "caldicott/caldicott.h"
#include "compiler/source/source.h"

namespace caldicott::ast {

using source::SourceRange;

// The deepest nesting of parentheses the parser accepts.
inline constexpr int kMaxNesting = 128;

// ---- fixed vocabularies of the language (docs/language.md)

// The entry kinds and statuses, from the one list the C API's enums are
// made from (runtime/include/caldicott/kinds.def, statuses.def): each
// value is its C enumerator's, so lowering passes them on unchanged.
enum class EntryKind : uint8_t {
#define CALDICOTT_KIND(ENUM, CamelName, spelling) CamelName = CALDICOTT_KIND_##ENUM,
#include "caldicott/kinds.def"
#undef CALDICOTT_KIND
};
inline constexpr int kEntryKindCount = CALDICOTT_KIND_COUNT;

enum class Status : uint8_t {
#define CALDICOTT_STATUS(ENUM, CamelName, spelling) CamelName = CALDICOTT_STATUS_##ENUM,
#include "caldicott/statuses.def"
#undef CALDICOTT_STATUS
};
inline constexpr int kStatusCount = CALDICOTT_STATUS_COUNT;

enum class TimeUnit : uint8_t { Days, Months, Years };

std::string_view Spelling(EntryKind kind);
std::string_view Spelling(Status status);
std::string_view Spelling(TimeUnit unit);
std::optional<EntryKind> EntryKindNamed(std::string_view name);
std::optional<Status> StatusNamed(std::string_view name);
std::span<const std::string_view> EntryKindSpellings();
std::span<const std::string_view> StatusSpellings();

// ---- leaves

// A name as written: `podiatry`, or a qualified one, `medication.current`.
struct Name {
  std::string text;
  SourceRange range;
};

// A string literal, escapes resolved.
struct Str {
  std::string value;
  SourceRange range;
};

// A code as written in the source (`73211009`, `C10..`, `A81001`).
struct Code {
  std::string text;
  SourceRange range;
};

// A calendar date that exists.
struct Date {
  int year = 0;
  int month = 0;
  int day = 0;
  SourceRange range;
  friend bool operator<(const Date& a, const Date& b) {
    return std::tie(a.year, a.month, a.day) < std::tie(b.year, b.month, b.day);
  }
};

// ---- code expressions (a subset of SNOMED CT ECL)

enum class ConstraintOp : uint8_t {
  DescendantOrSelf,  // <<
  Descendant,        // <
  Child,             // <!
  MemberOf,          // ^
};
enum class EclBinaryOp : uint8_t { Or, And, Minus };

std::string_view Spelling(ConstraintOp op);
std::string_view Spelling(EclBinaryOp op);

struct CodeExpr;

// A bare code, optionally followed by its |term|.
struct EclCode {
  Code code;
  std::optional<Str> term;
};
// `<< X`, `< X`, `<! X`, `^ X`, where X is a code or a parenthesised
// expression.
struct EclConstraint {
  ConstraintOp op;
  std::unique_ptr<CodeExpr> operand;
};
// `A OR B OR C`: one operator, two or more operands, left-associative.
struct EclBinary {
  EclBinaryOp op;
  std::vector<CodeExpr> operands;
};

struct CodeExpr {
  std::variant<EclCode, EclConstraint, EclBinary> node;
  SourceRange range;
};

// ---- groups

enum class GroupKind : uint8_t { Code, Label };
std::string_view Spelling(GroupKind kind);  // "code-group" / "label-group"

// `snomed << 73211009, << 44054006;` inside a group.
struct SystemEntry {
  Name system;
  std::vector<CodeExpr> exprs;  // a comma-separated list: their union
};
// `code-group other;` inside a group: the union with another group.
struct GroupRef {
  GroupKind kind;
  Name name;
};
struct GroupEntry {
  std::variant<SystemEntry, GroupRef> node;
  SourceRange range;
};

// `code-group NAME "title" { ... }` or `label-group NAME "title" { ... }`.
struct Group {
  GroupKind kind;
  Name name;
  std::optional<Str> title;
  std::vector<GroupEntry> entries;
  SourceRange range;
};

// ---- conditions

struct Cond;
struct CondAnd {
  std::vector<Cond> operands;  // two or more
};
struct CondOr {
  std::vector<Cond> operands;  // two or more
};
struct CondNot {
  std::unique_ptr<Cond> operand;
};
// `code in code-group G` or `label in label-group G`.
struct CondInGroup {
  GroupKind kind;
  Name group;
};
struct CondStatus {
  Status status;
  SourceRange status_range;
};
struct CondRecordedWithin {
  uint32_t amount;
  TimeUnit unit;
};
struct CondRecordedBefore {
  Date date;
};
struct CondRecordedAfter {
  Date date;
};

struct Cond {
  std::variant<CondAnd, CondOr, CondNot, CondInGroup, CondStatus, CondRecordedWithin,
               CondRecordedBefore, CondRecordedAfter>
      node;
  SourceRange range;
};

// ---- declarations

struct Import {
  Str path;  // "std:sections" or a path relative to the importing file
  SourceRange range;
};

struct Role {
  Name name;
  std::optional<Str> title;
  std::optional<Code> rbac;  // NHS national RBAC role code
  SourceRange range;
};

// One line of a section: the entries of these kinds that pass `where`.
struct KindRef {
  EntryKind kind;
  SourceRange range;
};
struct SectionItem {
  std::vector<KindRef> kinds;
  std::optional<Cond> where;
  SourceRange range;
};
struct Section {
  Name name;
  std::optional<Str> title;
  std::vector<SectionItem> items;
  SourceRange range;
};

// What a share or exclude statement names.
enum class TargetKind : uint8_t { Section, CodeGroup, LabelGroup, Confidential };
struct Target {
  TargetKind kind;
  Name name;  // empty for Confidential
  SourceRange range;
};

struct Rule {
  bool exclude = false;  // share or exclude
  std::vector<Target> targets;
  std::optional<Cond> where;
};
struct Grant {
  std::vector<Name> roles;
};
struct Version {
  uint32_t value;
};
struct Controllers {
  std::vector<Code> practices;  // ODS codes
};
struct Purpose {
  Name name;
};
struct Effective {
  Date from;
  std::optional<Date> to;
};

struct Statement {
  std::variant<Rule, Grant, Version, Controllers, Purpose, Effective> node;
  SourceRange range;
};

struct Agreement {
  Name name;
  std::optional<Str> title;
  std::vector<Statement> statements;
  SourceRange range;
};

using Decl = std::variant<Import, Role, Group, Section, Agreement>;

// One parsed source file.
struct Module {
  source::FileId file;
  std::vector<Decl> decls;  // in source order
};

}  // namespace caldicott::ast

#endif  // CALDICOTT_COMPILER_AST_AST_H_
