// Internal to the driver: the `filter` command, and the usage error that
// every command throws for a bad command line.
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

int Filter(std::span<const std::string> args, std::ostream& out, std::ostream& err,
           const Environment& env);

}  // namespace caldicott::driver

#endif  // CALDICOTT_COMPILER_DRIVER_FILTER_H_
