// Importers: from files in the formats of docs/language.md ("The default
// schema and `--schema`") to
// CodeSystems. Each importer reports malformed input as ImportErrors with a
// file and line, and never throws.
#ifndef CALDICOTT_COMPILER_SCHEMA_IMPORT_H_
#define CALDICOTT_COMPILER_SCHEMA_IMPORT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/schema/schema.h"

namespace caldicott::schema {

struct ImportError {
  std::string file;
  uint32_t line = 0;  // 1-based; 0 when the problem is the whole file
  std::string message;
};

// ---- FHIR R4 CodeSystem JSON (fhir_codesystem.cpp)

// Imports one CodeSystem resource. The hierarchy comes from nested
// `concept` and from `parent` / `subsumedBy` properties (both may be mixed);
// the system is bound by its `url` (its agreement name from the standard
// bindings, else the CodeSystem's `name` in snake case). Concepts whose
// `status` property is retired (or inactive) are loaded as inactive.
// Returns null, with errors, when the text is not a CodeSystem.
std::unique_ptr<CodeSystem> ImportFhirCodeSystem(std::string_view json, const std::string& source,
                                                 std::vector<ImportError>& errors);

// ---- RF2 Snapshot (rf2.cpp)

// The files of one RF2 Snapshot release, by role. `name` is the path shown
// in errors; `text` the file's bytes (tab-separated UTF-8 with a header).
struct Rf2File {
  std::string name;
  std::string text;
};
struct Rf2Release {
  std::vector<Rf2File> concepts;          // sct2_Concept_Snapshot*.txt
  std::vector<Rf2File> descriptions;      // sct2_Description_Snapshot*.txt
  std::vector<Rf2File> relationships;     // sct2_Relationship_Snapshot*.txt (IS-A rows used)
  std::vector<Rf2File> simple_refsets;    // Refset/**/der2_Refset_Simple*Snapshot*.txt
  std::vector<Rf2File> language_refsets;  // Refset/**/der2_cRefset_Language*Snapshot*.txt
};

// Finds the Snapshot files under `dir` (the directory itself, or its
// Snapshot/ sub-folder) and reads them. Returns false with errors when
// there is no concept file or a file cannot be read.
bool ReadRf2Directory(const std::string& dir, Rf2Release& out, std::vector<ImportError>& errors);

// Imports a release as the code system `uri` (SNOMED CT unless told
// otherwise). Honours `active` on every row; the preferred term is the
// active synonym (typeId 900000000000013009) marked preferred in a language
// refset when one is loaded, else the active FSN without its semantic tag,
// else any active synonym. Malformed rows (wrong column count, a bad or
// Excel-damaged id such as `1.15E+15`, a bad active flag) are reported with
// file:line and skipped.
std::unique_ptr<CodeSystem> ImportRf2(const Rf2Release& release, std::vector<ImportError>& errors,
                                      std::string uri = std::string(kSnomedUri),
                                      std::string name = "snomed");

}  // namespace caldicott::schema

#endif  // CALDICOTT_COMPILER_SCHEMA_IMPORT_H_
