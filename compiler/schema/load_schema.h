// The schema phase's entry point: the coding schema of one compilation,
// from `--schema` paths and the default schema (docs/language.md, "The
// default schema and `--schema`").
#ifndef CALDICOTT_COMPILER_SCHEMA_LOAD_SCHEMA_H_
#define CALDICOTT_COMPILER_SCHEMA_LOAD_SCHEMA_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/schema/import.h"
#include "compiler/schema/schema.h"

namespace caldicott::schema {

// A file of the default schema held in memory: `snomed/...` names an RF2
// file, anything else ending in `.json` a FHIR CodeSystem.
struct DataFile {
  std::string_view name;
  std::string_view text;
};

// Loads every `--schema` path (a CodeSystem JSON file, an RF2 Snapshot
// directory, or a directory of these), then adds the default systems for
// every system the paths did not supply. A system supplied twice by the
// paths is an error. Returns false when any path could not be loaded.
bool LoadSchema(std::span<const std::string> paths, std::span<const DataFile> defaults, Schema& out,
                std::vector<ImportError>& errors);

// Files an RF2 file into `release` by its name (sct2_Concept_Snapshot...,
// der2_Refset_Simple...Snapshot...). Returns false for a file that is not
// part of a Snapshot.
bool AddRf2File(std::string name, std::string text, Rf2Release& release);

}  // namespace caldicott::schema

#endif  // CALDICOTT_COMPILER_SCHEMA_LOAD_SCHEMA_H_
