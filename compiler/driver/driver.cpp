#include "compiler/driver/driver.h"

#include <fmt/format.h>

#include "compiler/driver/commands.h"
#include "compiler/driver/options.h"

namespace caldicott::driver {

namespace {

// The subcommands, in the order `caldicott --help` lists them.
constexpr const Command* kCommands[] = {&kCheck, &kCompile, &kFilter, &kEmitLlvm, &kInspect};

constexpr const char* kAbout = "Caldicott compiles data sharing agreements (.dsa) into filters.";

constexpr const char* kExitStatuses =
    "exit status: 0 success, 1 errors in the source, 2 usage, I/O or malformed input (or an "
    "artefact that is damaged or not for this machine), 3 the agreement does not apply to the "
    "request (nothing is written).";

}  // namespace

int Run(std::span<const std::string> args, std::ostream& out, std::ostream& err,
        const Environment& env) {
  try {
    CommandLine command_line(kCommands, kAbout, kExitStatuses,
                             fmt::format("caldicott {}", CALDICOTT_VERSION));
    return command_line.Parse(args)(out, err, env);
  } catch (const UsageError& e) {
    err << "caldicott: error: " << e.message << "\n"
        << "try `caldicott --help`\n";
    return kUsageOrIo;
  }
}

}  // namespace caldicott::driver
