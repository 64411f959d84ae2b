// `caldicott compile`, `emit-llvm` and `inspect`: the LLVM backend's
// commands (docs/cli.md).
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "compiler/aot/aot.h"
#include "compiler/base/file.h"
#include "compiler/codegen/codegen.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/driver.h"
#include "runtime/artifact/artifact.h"
#include "runtime/engine/engine.h"
#include "runtime/native/native.h"

namespace caldicott::driver {

namespace {

struct BuildOptions {
  std::vector<std::string> files;
  CompileOptions compile;
  codegen::Options::Cpu cpu = codegen::Options::Cpu::Generic;
  std::string output;  // compile only
};

// The options of emit-llvm, and of compile before its output.
void DeclareEmitLlvm(Subcommand& cmd, BuildOptions& o) {
  cmd.Sources(o.files);
  using Cpu = codegen::Options::Cpu;
  cmd.Choice("--cpu", o.cpu, "CPU", {{"generic", Cpu::Generic}, {"host", Cpu::Host}},
             "code for any x86-64 machine (the default) or tuned for this one");
  cmd.Compiles(o.compile);
}

void DeclareCompile(Subcommand& cmd, BuildOptions& o) {
  DeclareEmitLlvm(cmd, o);
  cmd.Value("-o,--output", o.output, "OUT.cpol", "where to write the artefact (atomically)")
      ->required();
}

struct InspectOptions {
  std::string artifact;
  std::vector<std::string> schema_paths;
  bool json = false;
};

void DeclareInspect(Subcommand& cmd, InspectOptions& o) {
  cmd.Argument("FILE.cpol", o.artifact, "the artefact")->required();
  cmd.Flag("--json", o.json, "the manifest as JSON");
  cmd.Schema(o.schema_paths)
      ->description(
          "a code system, as for `check`: says whether the artefact was compiled "
          "against the schema given (repeatable)");
}

int CompileArtifact(const BuildOptions& o, std::ostream& out, std::ostream& err,
                    const Environment& env) {
  int exit_code = kSuccess;
  auto compilation = CompileWithDiagnostics(o.files, o.compile, err, env, exit_code);
  if (compilation == nullptr) return exit_code;

  artifact::Contents contents;
  std::string error;
  if (!aot::BuildArtifact(*compilation, o.cpu, contents, error)) {
    err << "caldicott: error: " << error << '\n';
    return kUsageOrIo;
  }
  if (!WriteAtomically(o.output, artifact::Write(contents), error)) {
    err << "caldicott: error: " << error << '\n';
    return kUsageOrIo;
  }
  out << fmt::format("wrote {}: {} agreement{}, {} rules, {} bytes of object code\n", o.output,
                     contents.policy.agreements.size(),
                     contents.policy.agreements.size() == 1 ? "" : "s",
                     contents.policy.rules.size(), contents.object.size());
  return kSuccess;
}

int EmitLlvm(const BuildOptions& o, std::ostream& out, std::ostream& err, const Environment& env) {
  int exit_code = kSuccess;
  auto compilation = CompileWithDiagnostics(o.files, o.compile, err, env, exit_code);
  if (compilation == nullptr) return exit_code;
  codegen::Options options;
  options.cpu = o.cpu;
  std::string error;
  std::string text = codegen::EmitLLVM(*compilation->policy(), options, error);
  if (text.empty()) {
    err << "caldicott: error: " << error << '\n';
    return kUsageOrIo;
  }
  out << text;
  return kSuccess;
}

int Inspect(const InspectOptions& o, std::ostream& out, std::ostream& err, const Environment& env) {
  const std::string& path = o.artifact;
  std::string bytes, error;
  if (!base::ReadWholeFile(path, bytes, error)) {
    err << "caldicott: error: " << error << '\n';
    return kUsageOrIo;
  }
  artifact::Contents contents;
  if (!artifact::Read(bytes, contents, error)) {
    err << "caldicott: error: " << path << ": " << error << '\n';
    return kUsageOrIo;
  }
  if (o.json) {
    out << artifact::ManifestJson(contents.manifest);
  } else {
    out << artifact::ManifestText(contents.manifest);
    if (!o.schema_paths.empty()) {
      int exit_code = kSuccess;
      auto schema = LoadSchemaWithDiagnostics(o.schema_paths, {}, err, env, exit_code);
      if (schema == nullptr) return exit_code;
      bool same = schema->Hash() == contents.manifest.schema_hash;
      out << "schema given: " << (same ? "the one it was compiled against" : "another one") << '\n';
    }
    std::string why;
    bool runs = native::TargetRunsHere(contents.manifest.target_triple, contents.manifest.cpu, why);
    out << "runs here: " << (runs ? "yes" : "no, " + why) << '\n';
  }
  return kSuccess;
}

}  // namespace

const Command kCompile = {"compile", "compile agreements to native code in an artefact",
                          Declared<BuildOptions, DeclareCompile, CompileArtifact>};
const Command kEmitLlvm = {"emit-llvm", "print the optimised LLVM IR of the agreements",
                           Declared<BuildOptions, DeclareEmitLlvm, EmitLlvm>};
const Command kInspect = {"inspect", "print the manifest of an artefact",
                          Declared<InspectOptions, DeclareInspect, Inspect>};

}  // namespace caldicott::driver
