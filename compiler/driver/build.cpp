// `caldicott compile`, `emit-llvm` and `inspect`: the LLVM backend's
// commands (DESIGN.md section 7).
#include <algorithm>
#include <optional>
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
  std::vector<std::string> schema_paths;
  std::optional<std::string> output;
  codegen::Options::Cpu cpu = codegen::Options::Cpu::Generic;
  bool json = false;
};

// Options of compile (with_output), emit-llvm and inspect (json).
BuildOptions ParseBuild(std::span<const std::string> args, std::string_view command,
                        bool with_output, bool with_json) {
  BuildOptions o;
  bool only_files = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_files || a.empty() || a[0] != '-') {
      o.files.push_back(a);
    } else if (a == "--") {
      only_files = true;
    } else if (with_output && (a == "-o" || Matches(a, "--output"))) {
      o.output = TakeValue(args, i, a == "-o" ? "-o" : "--output");
    } else if (Matches(a, "--schema")) {
      o.schema_paths.push_back(TakeValue(args, i, "--schema"));
    } else if (!with_json && Matches(a, "--cpu")) {
      std::string v = TakeValue(args, i, "--cpu");
      if (v == "generic") {
        o.cpu = codegen::Options::Cpu::Generic;
      } else if (v == "host") {
        o.cpu = codegen::Options::Cpu::Host;
      } else {
        throw UsageError{fmt::format("unknown CPU `{}`; expected `generic` or `host`", v)};
      }
    } else if (with_json && a == "--json") {
      o.json = true;
    } else {
      throw UsageError{fmt::format("unknown option `{}` for `{}`", a, command)};
    }
  }
  if (o.files.empty()) {
    throw UsageError{fmt::format("`{}` needs {}", command, with_json ? "an artefact" : "FILE...")};
  }
  if (with_json && o.files.size() > 1) throw UsageError{"`inspect` reads one artefact"};
  if (with_output && !o.output) throw UsageError{"`compile` needs `-o OUT.cpol`"};
  return o;
}

}  // namespace

int CompileArtifact(std::span<const std::string> args, std::ostream& out, std::ostream& err,
                    const Environment& env) {
  BuildOptions o = ParseBuild(args, "compile", true, false);
  int exit_code = kSuccess;
  auto compilation = CompileWithDiagnostics(o.files, o.schema_paths, err, env, exit_code);
  if (compilation == nullptr) return exit_code;

  artifact::Contents contents;
  std::string error;
  if (!aot::BuildArtifact(*compilation, o.cpu, contents, error)) {
    err << "caldicott: error: " << error << '\n';
    return kUsageOrIo;
  }
  if (!WriteAtomically(*o.output, artifact::Write(contents), error)) {
    err << "caldicott: error: " << error << '\n';
    return kUsageOrIo;
  }
  out << fmt::format("wrote {}: {} agreement{}, {} rules, {} bytes of object code\n", *o.output,
                     contents.policy.agreements.size(),
                     contents.policy.agreements.size() == 1 ? "" : "s",
                     contents.policy.rules.size(), contents.object.size());
  return kSuccess;
}

int EmitLlvm(std::span<const std::string> args, std::ostream& out, std::ostream& err,
             const Environment& env) {
  BuildOptions o = ParseBuild(args, "emit-llvm", false, false);
  int exit_code = kSuccess;
  auto compilation = CompileWithDiagnostics(o.files, o.schema_paths, err, env, exit_code);
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

int Inspect(std::span<const std::string> args, std::ostream& out, std::ostream& err,
            const Environment& env) {
  BuildOptions o = ParseBuild(args, "inspect", false, true);
  const std::string& path = o.files[0];
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
      auto schema = LoadSchemaWithDiagnostics(o.schema_paths, err, env, exit_code);
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

}  // namespace caldicott::driver
