// Ahead-of-time compilation: a successful compilation's policy as the
// contents of a .cpol artefact. The object code comes from the LLVM
// backend (compiler/codegen); the file format is the runtime's
// (runtime/artifact), which this phase fills and the runtime reads. What
// `caldicott compile` writes.
#ifndef CALDICOTT_COMPILER_AOT_AOT_H_
#define CALDICOTT_COMPILER_AOT_AOT_H_

#include <string>

#include "compiler/codegen/codegen.h"
#include "compiler/pipeline/pipeline.h"
#include "runtime/artifact/artifact.h"

namespace caldicott::aot {

// Compiles the policy into an artefact's contents: object code for `cpu`
// and the manifest (target, compiler version, and the SHA-256 of every
// source read and of the coding schema). False with `error` set when
// nothing was compiled or the backend failed.
bool BuildArtifact(const pipeline::Compilation& compilation, codegen::Options::Cpu cpu,
                   artifact::Contents& out, std::string& error);

}  // namespace caldicott::aot

#endif  // CALDICOTT_COMPILER_AOT_AOT_H_
