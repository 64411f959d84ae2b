// The whole compiler front to back, in one place: coding schema, load
// (parse + imports), check, lower. The CLI and the runtime both compile
// through it, so they cannot drift apart.
#ifndef CALDICOTT_COMPILER_PIPELINE_PIPELINE_H_
#define CALDICOTT_COMPILER_PIPELINE_PIPELINE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/check/check.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/ir/ir.h"
#include "compiler/load/load.h"
#include "compiler/schema/schema.h"
#include "compiler/source/source.h"

namespace caldicott::pipeline {

struct Options {
  std::vector<std::string> schema_paths;  // --schema
  std::optional<std::string> stdlib_dir;  // --stdlib; else the built-in modules
  bool parse_only = false;                // stop after load
  int max_errors_per_file = 1000;
  // A coding schema loaded by an earlier compilation (shared_schema()):
  // used as it is, and schema_paths are then ignored.
  std::shared_ptr<const schema::Schema> schema;
};

// The coding schema of `paths` (as --schema), with the default schema for
// the systems they do not give. Problems are reported to `diags`.
std::shared_ptr<const schema::Schema> LoadSchema(const std::vector<std::string>& paths,
                                                 diag::Diagnostics& diags);

// One compilation. Create it, make consumers that render against
// sources(), then Run(). Each stage runs only when the ones before it
// reported no error; what ran is kept for dumps.
class Compilation {
 public:
  explicit Compilation(Options options) : options_(std::move(options)) {}

  source::SourceManager& sources() { return sources_; }
  const source::SourceManager& sources() const { return sources_; }
  // The coding schema the program was checked against (empty with
  // parse_only).
  const schema::Schema& schema() const { return *schema_; }
  // The same, to hand to later compilations (Options::schema).
  std::shared_ptr<const schema::Schema> shared_schema() const { return schema_; }

  // Compiles the files `paths`, or (when `text` is given) one source in
  // memory named paths[0]. Returns false when any error was reported.
  bool Run(const std::vector<std::string>& paths, diag::Diagnostics& diags,
           const std::optional<std::string>& text = std::nullopt);

  const load::Program& program() const { return program_; }
  const check::CheckedProgram* checked() const { return checked_ ? &*checked_ : nullptr; }
  const ir::Policy* policy() const { return policy_ ? &*policy_ : nullptr; }
  // Takes the policy out (for an engine that outlives the compilation).
  std::optional<ir::Policy> TakePolicy() { return std::move(policy_); }

 private:
  Options options_;
  source::SourceManager sources_;
  std::shared_ptr<const schema::Schema> schema_ = std::make_shared<schema::Schema>();
  load::Program program_;
  std::optional<check::CheckedProgram> checked_;
  std::optional<ir::Policy> policy_;
};

}  // namespace caldicott::pipeline

#endif  // CALDICOTT_COMPILER_PIPELINE_PIPELINE_H_
