// Internal to the driver: the subcommands, and what they share once their
// options are parsed: diagnostics as the compile options ask, compiling
// sources or loading a schema with them, and writing a file whole or not at
// all (common.cpp).
#ifndef CALDICOTT_COMPILER_DRIVER_COMMANDS_H_
#define CALDICOTT_COMPILER_DRIVER_COMMANDS_H_

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/driver/driver.h"
#include "compiler/driver/options.h"
#include "compiler/pipeline/pipeline.h"
#include "compiler/schema/schema.h"
#include "compiler/source/source.h"

namespace caldicott::driver {

// The subcommands; driver.cpp lists them.
extern const Command kCheck;     // check.cpp
extern const Command kCompile;   // build.cpp
extern const Command kEmitLlvm;  // build.cpp
extern const Command kInspect;   // build.cpp
extern const Command kFilter;    // filter.cpp

// The diagnostics engine the options ask for, rendering on `err` against
// `sources`: text (in colour when asked, or when `auto` and stderr is a
// terminal without NO_COLOR) or one JSON document; in source order either
// way, and stopping at the error limit.
class Reporter {
 public:
  Reporter(const DiagnosticOptions& o, const source::SourceManager& sources, std::ostream& err,
           const Environment& env);
  diag::Diagnostics& diags() { return diags_; }

 private:
  std::unique_ptr<diag::Consumer> format_;
  diag::SortingConsumer sorted_;
  diag::Diagnostics diags_;
};

// A compilation set up as the compile options say.
pipeline::Options PipelineOptions(const CompileOptions& o);

// Compiles `files` reporting diagnostics on `err` as `check` does. Null,
// with `exit_code` set, when there were errors.
std::unique_ptr<pipeline::Compilation> CompileWithDiagnostics(const std::vector<std::string>& files,
                                                              const CompileOptions& o,
                                                              std::ostream& err,
                                                              const Environment& env,
                                                              int& exit_code);

// The coding schema of `--schema` paths (with the default for the rest),
// problems reported on `err`. Null, with `exit_code` set, on errors.
std::shared_ptr<const schema::Schema> LoadSchemaWithDiagnostics(
    const std::vector<std::string>& paths, const DiagnosticOptions& o, std::ostream& err,
    const Environment& env, int& exit_code);

// Writes `bytes` to `path` whole or not at all: a temporary file beside it,
// then a rename.
bool WriteAtomically(const std::string& path, std::string_view bytes, std::string& error);

}  // namespace caldicott::driver

#endif  // CALDICOTT_COMPILER_DRIVER_COMMANDS_H_
