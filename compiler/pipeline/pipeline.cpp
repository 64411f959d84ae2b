#include "compiler/pipeline/pipeline.h"

#include "compiler/lower/lower.h"
#include "compiler/schema/load_schema.h"
#include "stdlib/stdlib.h"

namespace caldicott::pipeline {

std::shared_ptr<const schema::Schema> LoadSchema(const std::vector<std::string>& paths,
                                                 diag::Diagnostics& diags) {
  std::vector<schema::DataFile> defaults;
  for (const stdlib::EmbeddedModule& f : stdlib::DefaultSchemaFiles()) {
    defaults.push_back({f.name, f.text});
  }
  std::vector<schema::ImportError> errors;
  auto loaded = std::make_shared<schema::Schema>();
  schema::LoadSchema(paths, defaults, *loaded, errors);
  for (const schema::ImportError& e : errors) {
    diags.EmitForPath(diag::DiagKind::BadSchema, e.file, e.message, e.line);
  }
  return loaded;
}

bool Compilation::Run(const std::vector<std::string>& paths, diag::Diagnostics& diags,
                      const std::optional<std::string>& text) {
  int before = diags.errors();
  load::Options load_options;
  load_options.parse.max_errors_per_file = options_.max_errors_per_file;
  if (options_.stdlib_dir) {
    std::string error;
    if (!load::ReadStdlibDirectory(*options_.stdlib_dir, load_options.stdlib, error)) {
      diags.EmitForPath(diag::DiagKind::FileUnreadable, *options_.stdlib_dir, error);
      return false;
    }
  } else {
    for (const stdlib::EmbeddedModule& m : stdlib::EmbeddedModules()) {
      load_options.stdlib.push_back({std::string(m.name), std::string(m.text)});
    }
  }

  // The coding schema: the paths given, then the defaults for the rest.
  if (options_.schema != nullptr) {
    schema_ = options_.schema;
  } else if (!options_.parse_only) {
    schema_ = LoadSchema(options_.schema_paths, diags);
  }

  if (text && !paths.empty()) {
    program_ = load::LoadProgramText(paths[0], *text, sources_, diags, load_options);
  } else {
    program_ = load::LoadProgram(paths, sources_, diags, load_options);
  }
  // Checking a program with syntax errors would report their consequences
  // again; lowering needs a program without errors.
  if (options_.parse_only || diags.errors() > before) return diags.errors() == before;
  checked_ = check::Check(program_, *schema_, sources_, diags);
  if (diags.errors() > before) return false;
  policy_ = lower::Lower(*checked_, sources_);
  return true;
}

}  // namespace caldicott::pipeline
