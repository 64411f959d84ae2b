#include "compiler/base/file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

namespace caldicott::base {

bool ReadWholeFile(const std::string& path, std::string& bytes, std::string& error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    error = fmt::format("cannot read `{}`: it is a directory", path);
    return false;
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    error = fmt::format("cannot read `{}`: {}", path, std::strerror(errno));
    return false;
  }
  std::ostringstream buffer;
  buffer << f.rdbuf();
  if (f.bad()) {
    error = fmt::format("cannot read `{}`: {}", path, std::strerror(errno));
    return false;
  }
  bytes = std::move(buffer).str();
  return true;
}

}  // namespace caldicott::base
