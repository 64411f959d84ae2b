// Internal to the driver: the `filter` command, and what every command
// shares for its command line: option matching and the usage error.
#ifndef CALDICOTT_COMPILER_DRIVER_FILTER_H_
#define CALDICOTT_COMPILER_DRIVER_FILTER_H_

#include <ostream>
#include <span>
#include <string>

#include "compiler/driver/driver.h"

namespace caldicott::driver {

struct UsageError {
  std::string message;
};

// Whether `arg` is the option `name`, as `--name` or `--name=value`.
bool Matches(const std::string& arg, std::string_view name);
// The value of option `name` at args[i]: after its `=`, or the next
// argument (then i moves past it).
std::string TakeValue(std::span<const std::string> args, size_t& i, std::string_view name);

int Filter(std::span<const std::string> args, std::ostream& out, std::ostream& err,
           const Environment& env);

}  // namespace caldicott::driver

#endif  // CALDICOTT_COMPILER_DRIVER_FILTER_H_
