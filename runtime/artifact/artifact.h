// The .cpol artefact (docs/runtime.md, "Artefacts"): one file holding the object
// code of a compiled policy, the policy itself (without the codes of its
// groups, which live in the object code's tables) and a manifest, closed
// by a SHA-256 checksum of everything before it. No LLVM here: the object
// code is bytes, linked by runtime/native.
//
// Reading is strict and never trusts a length: a truncated, extended or
// corrupted file, another format or ABI version, or a manifest that does
// not match the policy is refused with a one-line reason. The target
// triple is checked by the caller (native::TargetRunsHere), which knows
// the process it runs in.
#ifndef CALDICOTT_RUNTIME_ARTIFACT_ARTIFACT_H_
#define CALDICOTT_RUNTIME_ARTIFACT_ARTIFACT_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/ir.h"

namespace caldicott::artifact {

// Bumped whenever the layout of the file changes.
inline constexpr uint32_t kFormatVersion = 1;

struct AgreementInfo {
  std::string name;
  std::string title;
  std::optional<uint32_t> version;
  std::string purpose;
  std::vector<std::string> roles;
  std::optional<std::string> effective_from, effective_to;  // YYYY-MM-DD
  std::vector<std::string> controllers;
  uint32_t rules = 0;  // how many statements
  std::string symbol;  // its decision function in the object code
  friend bool operator==(const AgreementInfo&, const AgreementInfo&) = default;
};

struct Manifest {
  uint32_t format_version = kFormatVersion;
  uint32_t abi_version = CALDICOTT_ABI_VERSION;
  std::string target_triple;
  std::string cpu;               // "generic" or a CPU name
  std::string compiler_version;  // "caldicott 0.1.0 (LLVM 19.1.7)"
  std::string source_hash;       // "sha256:" + hex, over every source file read
  std::string schema_hash;       // "sha256:" + hex, over the coding schema used
  std::vector<AgreementInfo> agreements;
  friend bool operator==(const Manifest&, const Manifest&) = default;
};

struct Contents {
  Manifest manifest;
  ir::Policy policy;   // code sets carry names only (no codes)
  std::string object;  // ELF relocatable object
};

// The manifest's agreements as they follow from a policy (symbols named by
// abi::DecideSymbol). The caller fills in the rest.
std::vector<AgreementInfo> DescribeAgreements(const ir::Policy& policy);

// The bytes of the file (layout: README.md). The policy is written without
// the codes of its code sets; the header's format version is
// kFormatVersion (so is the manifest's) and its ABI version is the
// manifest's. Nothing is checked here: Read refuses a manifest that does not
// describe the policy (fill manifest.agreements with DescribeAgreements).
std::string Write(const Contents& contents);

// Parses and checks the bytes of a file. Returns false with a one-line
// reason ("truncated: ...", "checksum mismatch: the file is damaged",
// "built for ABI version 2, this runtime is 1", ...) in `error`: one line,
// lower-case first, no final period. Never throws; `out` is assigned only
// on success. Checks everything but the target triple (see above).
bool Read(std::string_view bytes, Contents& out, std::string& error);

// Checks what Read requires of a policy beyond its encoding: every index
// in range, rules numbered in order and listed by their own agreements,
// children before their parents (so the conditions have no cycle), operands
// valid for their operation, the limits below. Returns false with a
// one-line reason.
bool ValidatePolicy(const ir::Policy& policy, std::string& error);

// Limits a reader enforces beyond the layout, so that a well-formed but
// hostile file cannot make the engines that walk the conditions recurse
// deeply or take exponential time (conditions are a DAG and may share).
inline constexpr uint32_t kMaxCondDepth = 1024;        // nodes on a root-to-leaf path
inline constexpr uint64_t kMaxCondTreeSize = 1 << 20;  // a rule's condition, unshared

// The manifest as JSON (for `caldicott inspect --json`) and as text.
std::string ManifestJson(const Manifest& manifest);
std::string ManifestText(const Manifest& manifest);

}  // namespace caldicott::artifact

#endif  // CALDICOTT_RUNTIME_ARTIFACT_ARTIFACT_H_
