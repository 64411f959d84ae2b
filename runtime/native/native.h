// The loader of native decision code: links an ELF object (from the JIT
// path, compiled a moment ago, or from a .cpol artefact) into this process
// with ORC's LLJIT and hands out its decision functions. The only runtime
// code that sees LLVM types; this header names none.
//
// Only the symbols the emitted code may call (bcmp, memcmp, memcpy,
// memset) are resolved, against this process's C library: an object that
// needs anything else is refused. The object's large tables
// (abi::kLargeTablesSymbol) are offered huge pages.
#ifndef CALDICOTT_RUNTIME_NATIVE_NATIVE_H_
#define CALDICOTT_RUNTIME_NATIVE_NATIVE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/abi/abi.h"

namespace caldicott::native {

class Code {
 public:
  ~Code();
  Code(const Code&) = delete;
  Code& operator=(const Code&) = delete;

  // Links `object` and looks up DecideSymbol(i) for i < agreement_count.
  // Returns null and sets `error` when the object cannot be linked or a
  // symbol is missing. With `huge_pages`, asks the kernel to back the
  // object's large tables with huge pages (synchronously, which costs a
  // little time at load; not worth it for code about to be replaced).
  static std::unique_ptr<Code> Load(std::string_view object, uint32_t agreement_count,
                                    std::string& error, bool huge_pages = true);

  abi::DecideFn decide(uint32_t agreement) const { return functions_[agreement]; }

 private:
  Code() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<abi::DecideFn> functions_;
};

// Whether code for `triple` and `cpu` ("generic", or the CPU that code was
// tuned for) runs in this process: the same architecture, operating system
// and environment, and, unless generic, the same CPU. Sets `error` to say
// why not.
bool TargetRunsHere(std::string_view triple, std::string_view cpu, std::string& error);

}  // namespace caldicott::native

#endif  // CALDICOTT_RUNTIME_NATIVE_NATIVE_H_
