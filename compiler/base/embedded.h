// Files built into the binary (cmake/Embed.cmake writes the definitions):
// the standard library, the default coding schema, the tools' data.
#ifndef CALDICOTT_COMPILER_BASE_EMBEDDED_H_
#define CALDICOTT_COMPILER_BASE_EMBEDDED_H_

#include <string_view>

namespace caldicott::base {

struct EmbeddedFile {
  std::string_view name;  // as the CMake call named it
  std::string_view text;  // the file's bytes, followed by a NUL byte
};

}  // namespace caldicott::base

#endif  // CALDICOTT_COMPILER_BASE_EMBEDDED_H_
