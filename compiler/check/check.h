// The check phase: names, types and codes of a loaded program against the
// coding schema (see "Names and the coding schema" in docs/language.md), and
// the expansion of every group into concrete code sets.
//
// It reads load::Program and schema::Schema and produces CheckedProgram,
// which the lowering phase reads. It reports through diag::Diagnostics with
// error recovery: a group that fails to expand is marked and treated as
// empty, names that fail to resolve are left unresolved, and nothing that
// depends only on them is reported again.
//
// This is the phase's only public header; the other headers beside it are
// internal to the phase.
#ifndef CALDICOTT_COMPILER_CHECK_CHECK_H_
#define CALDICOTT_COMPILER_CHECK_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/load/load.h"
#include "compiler/schema/schema.h"

namespace caldicott::check {

// The codes of one system that a group holds, exactly.
struct CodeSet {
  std::string system;              // the agreement name: "snomed"
  std::string uri;                 // "http://snomed.info/sct"
  std::vector<std::string> codes;  // sorted, unique
};

struct Group {
  ast::GroupKind kind = ast::GroupKind::Code;
  std::string name;
  const ast::Group* decl = nullptr;
  size_t module = 0;
  bool ok = true;             // false when its expansion met an error
  std::vector<CodeSet> sets;  // by system, sorted by system name
  // Which SNOMED CT top-level hierarchies its concepts come from (by the
  // focus concepts of its expressions), for the "cannot match" rule.
  bool only_products = false;  // every code is a medicinal product or substance
  bool only_findings = false;  // every code is a clinical finding or disorder
  size_t CodeCount() const;
};

struct Section {
  std::string name;
  const ast::Section* decl;
  size_t module;
  uint32_t kinds = 0;  // bit (1 << EntryKind) for every kind an item names
};

struct Role {
  std::string name;
  const ast::Role* decl;
  size_t module;
};

struct Agreement {
  std::string name;
  const ast::Agreement* decl = nullptr;
  size_t module = 0;
  std::vector<size_t> roles;  // into CheckedProgram::roles
  std::optional<ast::Date> effective_from, effective_to;
  std::vector<std::string> controllers;
  std::optional<uint32_t> version;
  std::string purpose;
  std::vector<const ast::Rule*> rules;  // share and exclude statements
};

struct CheckedProgram {
  std::vector<Group> groups;
  std::vector<Section> sections;
  std::vector<Role> roles;
  std::vector<Agreement> agreements;
  // What every name in a target or condition resolved to: the Name node's
  // address to an index into `groups` or `sections`.
  std::unordered_map<const ast::Name*, size_t> resolved;

  const Group* GroupNamed(std::string_view name) const;
  const Agreement* AgreementNamed(std::string_view name) const;
};

// Checks `program`. Problems go to `diags`; the result is complete only
// when no error was reported.
CheckedProgram Check(const load::Program& program, const schema::Schema& schema,
                     const source::SourceManager& sources, diag::Diagnostics& diags);

}  // namespace caldicott::check

#endif  // CALDICOTT_COMPILER_CHECK_CHECK_H_
