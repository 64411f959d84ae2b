#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "compiler/driver/driver.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  caldicott::driver::Environment env;
  env.stderr_is_terminal = ::isatty(STDERR_FILENO) == 1 && std::getenv("TERM") != nullptr &&
                           std::string(std::getenv("TERM")) != "dumb";
  env.no_color = std::getenv("NO_COLOR") != nullptr;
  try {
    return caldicott::driver::Run(args, std::cout, std::cerr, env);
  } catch (const std::bad_alloc&) {
    std::cerr << "caldicott: error: out of memory\n";
  } catch (const std::exception& e) {
    std::cerr << "caldicott: internal error: " << e.what() << "\n";
  }
  return caldicott::driver::kUsageOrIo;
}
