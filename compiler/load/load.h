// The load phase: from the files named on the command line to every module
// of the program, parsed, with imports resolved.
//
// `import "std:NAME"` names a standard-library module; any other import is a
// path relative to the importing file. Each file is loaded once however
// often it is imported. A cycle of imports is an error. The modules come
// out in dependency order: a module after everything it imports.
#ifndef CALDICOTT_COMPILER_LOAD_LOAD_H_
#define CALDICOTT_COMPILER_LOAD_LOAD_H_

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/parse/parse.h"
#include "compiler/source/source.h"

namespace caldicott::load {

// A standard-library module: `std:sections` has name "sections".
struct StdModule {
  std::string name;
  std::string text;
};

struct Options {
  std::vector<StdModule> stdlib;
  // Larger source files are refused (E0004).
  size_t max_file_bytes = size_t{64} << 20;
  parse::Options parse;
};

struct LoadedModule {
  ast::Module ast;
  bool is_std = false;
  // The modules this one imports (indices into Program::modules), in the
  // order of its import statements, without duplicates or cycle edges.
  std::vector<size_t> imports;
};

struct Program {
  std::vector<LoadedModule> modules;
  std::vector<size_t> order;  // dependency order: every import before its importer
  std::vector<size_t> roots;  // the modules named on the command line
};

// Loads `paths` and everything they import. Problems go to `diags`; what
// could be loaded is returned.
Program LoadProgram(std::span<const std::string> paths, source::SourceManager& sources,
                    diag::Diagnostics& diags, const Options& options);

// Like LoadProgram, for one root whose text is in memory. Its imports are
// resolved relative to `display_name`.
Program LoadProgramText(const std::string& display_name, std::string text,
                        source::SourceManager& sources, diag::Diagnostics& diags,
                        const Options& options);

// Loads the standard library from a directory of NAME.dsa files (for
// `--stdlib DIR`). Returns false and sets `error` when it cannot be read.
bool ReadStdlibDirectory(const std::string& dir, std::vector<StdModule>& out, std::string& error);

}  // namespace caldicott::load

#endif  // CALDICOTT_COMPILER_LOAD_LOAD_H_
