// The `caldicott` command line: its subcommands, options and exit statuses
// are described in docs/cli.md.
#ifndef CALDICOTT_COMPILER_DRIVER_DRIVER_H_
#define CALDICOTT_COMPILER_DRIVER_DRIVER_H_

#include <ostream>
#include <span>
#include <string>

namespace caldicott::driver {

// Exit statuses: a contract with scripts and CI (docs/cli.md).
enum ExitStatus : int {
  kSuccess = 0,
  kSourceErrors = 1,  // errors in the agreement source
  kUsageOrIo = 2,     // usage, I/O or malformed input
  kDoesNotApply = 3,  // the agreement does not apply to the request
};

struct Environment {
  bool stderr_is_terminal = false;
  bool no_color = false;  // NO_COLOR is set
};

// Runs the command line `args` (without the program name). Writes results
// to `out` and diagnostics to `err`; returns the exit status.
int Run(std::span<const std::string> args, std::ostream& out, std::ostream& err,
        const Environment& env = {});

}  // namespace caldicott::driver

#endif  // CALDICOTT_COMPILER_DRIVER_DRIVER_H_
