// Data compiled into the binary: the standard library modules (`std:sections`
// is stdlib/std/sections.dsa, and so on) and the default coding schema.
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

// The files of the default coding schema, by name: `snomed/...` (an RF2
// Snapshot fragment), `icd10.json`, `readv2.json`,
// `CodeSystem-v3-ActCode.json`, `CodeSystem-v3-Confidentiality.json`. Each
// text is followed by a NUL byte.
std::span<const EmbeddedModule> DefaultSchemaFiles();

}  // namespace caldicott::stdlib

#endif  // CALDICOTT_STDLIB_STDLIB_H_
