// The LLVM backend: compiles the policy IR into native decision functions.
// This header is the phase's one entry point and names no LLVM type: the
// output is text (LLVM IR) or bytes (an ELF relocatable object), which the
// runtime's loader links in process with ORC (runtime/native/native.h).
//
// Partial evaluation (docs/backend.md): every code group is already
// expanded to exact codes; each `code in` / `label in` / `confidential`
// atom of an agreement gets one bit. Constant tables (one hash table per
// field, keyed by code system and code, or inline compares for a system
// with a few codes) map a code to its class, and each agreement's constant
// class table to the bitmask of the atoms it satisfies. The emitted
// function ORs the masks of an entry's codings and labels, then evaluates
// every rule as straight-line code over that mask and the entry's kind,
// status and date, in the same three-valued logic as the interpreter. Code
// matching is exact: a table hit compares the whole key, so a hash
// collision can never share an entry.
#ifndef CALDICOTT_COMPILER_CODEGEN_CODEGEN_H_
#define CALDICOTT_COMPILER_CODEGEN_CODEGEN_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/ir/ir.h"
#include "runtime/abi/abi.h"

namespace caldicott::codegen {

// The decision functions' signature and symbols are the ABI's
// (runtime/abi/abi.h): abi::DecideFn, abi::DecideSymbol,
// abi::kLargeTablesSymbol.

struct Options {
  // "host": tune for this machine's CPU (the JIT). "generic": a baseline
  // x86-64 that runs on any machine of the target (artefacts).
  enum class Cpu { Host, Generic } cpu = Cpu::Host;
  // Tables of at most this many codes become inline compares.
  uint32_t inline_set_limit = 4;
  // "optimised": the O2 pipeline (PassBuilder) and O2 instruction selection
  // and register allocation: what artefacts hold and what a JIT engine ends
  // up running. "quick": the same IR, only the always-inline pass, and
  // LLVM's fast instruction selector and register allocator: about a
  // twentieth of the compile time for about half the decision speed, the
  // first tier of a JIT engine (docs/backend.md, "Tiers"). Both decide
  // identically.
  enum class Tier { Optimised, Quick } tier = Tier::Optimised;
  // When set, EmitObject gives up ("stopped") as soon as this turns true,
  // between LLVM's stages: a background compile that is no longer wanted.
  const std::atomic<bool>* stop = nullptr;
};

// The LLVM IR of the policy (optimised at O2 unless options.tier is Quick),
// as text. Empty and `error` set on failure.
std::string EmitLLVM(const ir::Policy& policy, const Options& options, std::string& error);

// An ELF relocatable object holding one abi::DecideFn per agreement (named by
// abi::DecideSymbol). Returns false and sets `error` on failure.
bool EmitObject(const ir::Policy& policy, const Options& options, std::string& object,
                std::string& error);

// Registers LLVM's native target, once per process (thread-safe). Every
// use of LLVM in Caldicott goes through it.
void InitialiseLlvm();

// The target triple objects are emitted for (this process's), and the
// version of LLVM that emits them.
std::string TargetTriple();
std::string LlvmVersion();
// The name of this machine's CPU, as LLVM knows it ("znver3").
std::string HostCpu();

// The hash the tables are built with, exposed so tests can check that the
// emitted code computes the same one.
// `system` is the code's system's number among those of its field.
uint64_t HashCode(uint32_t system, const char* data, size_t size);

}  // namespace caldicott::codegen

#endif  // CALDICOTT_COMPILER_CODEGEN_CODEGEN_H_
