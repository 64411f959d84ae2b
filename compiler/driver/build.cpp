// `caldicott compile`, `emit-llvm` and `inspect`: the LLVM backend's
// commands (DESIGN.md section 7).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "compiler/codegen/codegen.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/driver.h"
#include "compiler/schema/schema.h"
#include "runtime/artifact/artifact.h"
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
    } else if (!with_json && Matches(a, "--schema")) {
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

// Every source read (the files named and what they import, the standard
// library included), in the order they were read.
std::string SourceHash(const source::SourceManager& sources) {
  artifact::Sha256 h;
  for (uint32_t i = 1; i <= sources.size(); ++i) {
    std::string_view text = sources.Get(source::FileId{i}).text();
    h.Update(fmt::format("{}:", text.size()));
    h.Update(text);
  }
  return "sha256:" + h.HexDigest();
}

// The coding schema: every system's URI and version, and every concept with
// its activity, parents and refset members, in a fixed order.
std::string SchemaHash(const schema::Schema& schema) {
  std::vector<const schema::CodeSystem*> systems = schema.Systems();
  std::sort(systems.begin(), systems.end(),
            [](const auto* a, const auto* b) { return a->uri() < b->uri(); });
  artifact::Sha256 h;
  std::string line;
  for (const schema::CodeSystem* s : systems) {
    h.Update(fmt::format("system {} {} {}\n", s->uri(), s->version(), s->size()));
    for (schema::ConceptId id = 0; id < s->size(); ++id) {
      line.assign(s->Code(id));
      line += s->Active(id) ? " +" : " -";
      for (schema::ConceptId p : s->Parents(id)) (line += ' ') += s->Code(p);
      if (s->IsRefset(id)) {
        line += " refset";
        for (schema::ConceptId m : s->RefsetMembers(id)) (line += ' ') += s->Code(m);
      }
      line += '\n';
      h.Update(line);
    }
  }
  return "sha256:" + h.HexDigest();
}

std::string CompilerVersion() {
  return fmt::format("caldicott {} (LLVM {})", CALDICOTT_VERSION, codegen::LlvmVersion());
}

}  // namespace

int CompileArtifact(std::span<const std::string> args, std::ostream& out, std::ostream& err,
                    const Environment& env) {
  BuildOptions o = ParseBuild(args, "compile", true, false);
  int exit_code = kSuccess;
  auto compilation = CompileWithDiagnostics(o.files, o.schema_paths, err, env, exit_code);
  if (compilation == nullptr) return exit_code;

  artifact::Contents contents;
  contents.policy = *compilation->policy();
  codegen::Options options;
  options.cpu = o.cpu;
  std::string error;
  if (!codegen::EmitObject(contents.policy, options, contents.object, error)) {
    err << "caldicott: error: " << error << '\n';
    return kUsageOrIo;
  }
  artifact::Manifest& m = contents.manifest;
  m.target_triple = codegen::TargetTriple();
  m.cpu = o.cpu == codegen::Options::Cpu::Generic ? "generic" : "host";
  m.compiler_version = CompilerVersion();
  m.source_hash = SourceHash(compilation->sources());
  m.schema_hash = SchemaHash(compilation->schema());
  m.agreements = artifact::DescribeAgreements(contents.policy);
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
            const Environment&) {
  BuildOptions o = ParseBuild(args, "inspect", false, true);
  const std::string& path = o.files[0];
  std::string bytes, error;
  if (!ReadWholeFile(path, bytes, error)) {
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
    std::string why;
    bool runs = native::TargetRunsHere(contents.manifest.target_triple, why);
    out << "runs here: " << (runs ? "yes" : "no, " + why) << '\n';
  }
  return kSuccess;
}

}  // namespace caldicott::driver
