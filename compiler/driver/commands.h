// Internal to the driver: the commands other than `check`, and what every
// command shares: option matching, the usage error, compiling sources with
// diagnostics on stderr, and writing a file whole or not at all.
#ifndef CALDICOTT_COMPILER_DRIVER_COMMANDS_H_
#define CALDICOTT_COMPILER_DRIVER_COMMANDS_H_

#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "compiler/driver/driver.h"
#include "compiler/pipeline/pipeline.h"

namespace caldicott::driver {

struct UsageError {
  std::string message;
};

// Whether `arg` is the option `name`, as `--name` or `--name=value`.
bool Matches(const std::string& arg, std::string_view name);
// The value of option `name` at args[i]: after its `=`, or the next
// argument (then i moves past it).
std::string TakeValue(std::span<const std::string> args, size_t& i, std::string_view name);

// Compiles `files` reporting diagnostics on `err` as `check` does. Null,
// with `exit_code` set, when there were errors.
std::unique_ptr<pipeline::Compilation> CompileWithDiagnostics(
    const std::vector<std::string>& files, const std::vector<std::string>& schema_paths,
    std::ostream& err, const Environment& env, int& exit_code);

// The coding schema of `--schema` paths (with the default for the rest),
// problems reported on `err`. Null, with `exit_code` set, on errors.
std::shared_ptr<const schema::Schema> LoadSchemaWithDiagnostics(
    const std::vector<std::string>& paths, std::ostream& err, const Environment& env,
    int& exit_code);

// Writes `bytes` to `path` whole or not at all: a temporary file beside it,
// then a rename.
bool WriteAtomically(const std::string& path, std::string_view bytes, std::string& error);

int Filter(std::span<const std::string> args, std::ostream& out, std::ostream& err,
           const Environment& env);
int CompileArtifact(std::span<const std::string> args, std::ostream& out, std::ostream& err,
                    const Environment& env);
int EmitLlvm(std::span<const std::string> args, std::ostream& out, std::ostream& err,
             const Environment& env);
int Inspect(std::span<const std::string> args, std::ostream& out, std::ostream& err,
            const Environment& env);

}  // namespace caldicott::driver

#endif  // CALDICOTT_COMPILER_DRIVER_COMMANDS_H_
