// Data compiled into the binary: the standard library modules (`std:sections`
// is stdlib/std/sections.dsa, and so on) and the default coding schema.
#ifndef CALDICOTT_STDLIB_STDLIB_H_
#define CALDICOTT_STDLIB_STDLIB_H_

#include <span>
#include <string_view>

#include "compiler/base/embedded.h"

namespace caldicott::stdlib {

using EmbeddedModule = base::EmbeddedFile;

// The standard library's modules, by name: "sections" for std:sections.
std::span<const EmbeddedModule> EmbeddedModules();

// The files of the default coding schema, by name: `snomed/...` (an RF2
// Snapshot fragment), `icd10.json`, `readv2.json`,
// `CodeSystem-v3-ActCode.json`, `CodeSystem-v3-Confidentiality.json`. Each
// text is followed by a NUL byte.
std::span<const EmbeddedModule> DefaultSchemaFiles();

}  // namespace caldicott::stdlib

#endif  // CALDICOTT_STDLIB_STDLIB_H_
