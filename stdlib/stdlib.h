// The standard library modules compiled into the binary: `std:sections` is
// stdlib/std/sections.dsa, and so on.
#ifndef CALDICOTT_STDLIB_STDLIB_H_
#define CALDICOTT_STDLIB_STDLIB_H_

#include <span>
#include <string_view>

namespace caldicott::stdlib {

struct EmbeddedModule {
  std::string_view name;  // "sections" for std:sections
  std::string_view text;
};

std::span<const EmbeddedModule> EmbeddedModules();

}  // namespace caldicott::stdlib

#endif  // CALDICOTT_STDLIB_STDLIB_H_
