// A readable, stable rendering of the AST for `caldicott check --dump=ast`
// and golden tests. One node per line, indented by depth, each with its
// source range as `@line:col..line:col` (end exclusive).
#ifndef CALDICOTT_COMPILER_AST_DUMP_H_
#define CALDICOTT_COMPILER_AST_DUMP_H_

#include <ostream>

#include "compiler/ast/ast.h"

namespace caldicott::ast {

void Dump(const Module& module, const source::SourceManager& sources, std::ostream& out);

}  // namespace caldicott::ast

#endif  // CALDICOTT_COMPILER_AST_DUMP_H_
