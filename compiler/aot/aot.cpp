#include "compiler/aot/aot.h"

#include <fmt/format.h>

#include "compiler/base/sha256.h"

namespace caldicott::aot {

namespace {

// Every source read (the files named and what they import, the standard
// library included), in the order they were read.
std::string SourceHash(const source::SourceManager& sources) {
  base::Sha256 h;
  for (uint32_t i = 1; i <= sources.size(); ++i) {
    std::string_view text = sources.Get(source::FileId{i}).text();
    h.Update(fmt::format("{}:", text.size()));
    h.Update(text);
  }
  return "sha256:" + h.HexDigest();
}

}  // namespace

bool BuildArtifact(const pipeline::Compilation& compilation, codegen::Options::Cpu cpu,
                   artifact::Contents& out, std::string& error) {
  if (compilation.policy() == nullptr) {
    error = "nothing was compiled";
    return false;
  }
  out.policy = *compilation.policy();
  codegen::Options options;
  options.cpu = cpu;
  if (!codegen::EmitObject(out.policy, options, out.object, error)) return false;
  artifact::Manifest& m = out.manifest;
  m.target_triple = codegen::TargetTriple();
  m.cpu = cpu == codegen::Options::Cpu::Generic ? "generic" : codegen::HostCpu();
  m.compiler_version =
      fmt::format("caldicott {} (LLVM {})", CALDICOTT_VERSION, codegen::LlvmVersion());
  m.source_hash = SourceHash(compilation.sources());
  m.schema_hash = compilation.schema().Hash();
  m.agreements = artifact::DescribeAgreements(out.policy);
  return true;
}

}  // namespace caldicott::aot
