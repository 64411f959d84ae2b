// The native code loader: ORC LLJIT linking one relocatable object in
// process (JITLink on x86-64 ELF).
#include "runtime/native/native.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/Triple.h>

#include "compiler/codegen/codegen.h"

namespace caldicott::native {

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25  // Linux 6.1; glibc 2.36's headers predate it
#endif

namespace {

// Asks the kernel to back the object's large tables (kLargeTablesSymbol)
// with transparent huge pages, now (MADV_COLLAPSE) or, failing that, when
// it can (MADV_HUGEPAGE): a table of hundreds of thousands of codes on 4 KB
// pages overflows the TLB, and its lookups wait for page walks. Only whole
// 2 MB pages inside a table are touched. A hint: where the kernel says no
// (no THP, an older kernel), nothing changes but the speed.
// `object_size` bounds the list: no table is larger than the object that
// holds it, and no object holds more tables than it has room for, so a
// damaged list cannot send the advice elsewhere in the process.
void PreferHugePages(const uint64_t* tables, uint64_t object_size) {
  constexpr uint64_t kHuge = uint64_t{2} << 20;
  // Tables laid out one after the other (a hash table's slots and its
  // buckets) are one range, so that the 2 MB page across their boundary
  // counts too.
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (uint64_t k = 0; tables[0] != 0; tables += 2, ++k) {
    if (k > object_size / abi::kLargeTableBytes || tables[1] > object_size ||
        tables[0] + tables[1] < tables[0]) {
      return;  // not a list this loader's codegen wrote
    }
    ranges.emplace_back(tables[0], tables[0] + tables[1]);
  }
  std::sort(ranges.begin(), ranges.end());
  std::vector<std::pair<uint64_t, uint64_t>> merged;
  for (const auto& r : ranges) {
    if (!merged.empty() && r.first <= merged.back().second + 64) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  for (const auto& [first, last] : merged) {
    uint64_t begin = (first + kHuge - 1) & ~(kHuge - 1);
    uint64_t end = last & ~(kHuge - 1);
    if (end <= begin) continue;
    void* at = reinterpret_cast<void*>(static_cast<uintptr_t>(begin));
    if (madvise(at, end - begin, MADV_HUGEPAGE) == 0) madvise(at, end - begin, MADV_COLLAPSE);
  }
}

}  // namespace

struct Code::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
};

Code::~Code() = default;

namespace {

std::string Message(llvm::Error error) {
  std::string text = llvm::toString(std::move(error));
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

}  // namespace

std::unique_ptr<Code> Code::Load(std::string_view object, uint32_t agreement_count,
                                 std::string& error, bool huge_pages) {
  codegen::InitialiseLlvm();
  // Nothing of the process is visible to the object but what it may call.
  auto jit = llvm::orc::LLJITBuilder()
                 .setLinkProcessSymbolsByDefault(false)
                 .setPlatformSetUp(llvm::orc::setUpInactivePlatform)
                 .create();
  if (!jit) {
    error = "cannot start the JIT: " + Message(jit.takeError());
    return nullptr;
  }
  llvm::orc::SymbolMap allowed;
  auto allow = [&](const char* name, void* address) {
    allowed[(*jit)->mangleAndIntern(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                                              llvm::JITSymbolFlags::Exported};
  };
  allow("bcmp", reinterpret_cast<void*>(&::bcmp));
  allow("memcmp", reinterpret_cast<void*>(&::memcmp));
  allow("memcpy", reinterpret_cast<void*>(&::memcpy));
  allow("memset", reinterpret_cast<void*>(&::memset));
  llvm::orc::JITDylib& dylib = (*jit)->getMainJITDylib();
  if (llvm::Error e = dylib.define(llvm::orc::absoluteSymbols(std::move(allowed)))) {
    error = "cannot define the runtime's symbols: " + Message(std::move(e));
    return nullptr;
  }
  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(llvm::StringRef(object.data(), object.size()),
                                                     "caldicott-policy");
  if (llvm::Error e = (*jit)->addObjectFile(std::move(buffer))) {
    error = "cannot load the object code: " + Message(std::move(e));
    return nullptr;
  }
  std::unique_ptr<Code> code(new Code());
  code->impl_ = std::make_unique<Impl>();
  for (uint32_t a = 0; a < agreement_count; ++a) {
    auto address = (*jit)->lookup(abi::DecideSymbol(a));
    if (!address) {
      error = "cannot link the object code: " + Message(address.takeError());
      return nullptr;
    }
    code->functions_.push_back(address->toPtr<abi::DecideFn>());
  }
  if (huge_pages) {
    if (auto tables = (*jit)->lookup(abi::kLargeTablesSymbol)) {
      PreferHugePages(tables->toPtr<const uint64_t*>(), object.size());
    } else {
      llvm::consumeError(tables.takeError());  // an object made before the list existed
    }
  }
  code->impl_->jit = std::move(*jit);
  return code;
}

bool TargetRunsHere(std::string_view triple, std::string_view cpu, std::string& error) {
  llvm::Triple wanted{llvm::StringRef(triple.data(), triple.size())};
  llvm::Triple here{llvm::sys::getProcessTriple()};
  if (wanted.getArch() != here.getArch() || wanted.getOS() != here.getOS() ||
      wanted.getEnvironment() != here.getEnvironment() ||
      wanted.getObjectFormat() != here.getObjectFormat()) {
    error = "built for " + std::string(triple) + ", this machine is " + here.str();
    return false;
  }
  // Code tuned for one CPU may use instructions another lacks.
  std::string host_cpu = llvm::sys::getHostCPUName().str();
  if (cpu != "generic" && cpu != host_cpu) {
    error = "built for the CPU `" + std::string(cpu) + "`, this machine's is `" + host_cpu +
            "`; compile it with `--cpu generic` to run anywhere";
    return false;
  }
  return true;
}

}  // namespace caldicott::native
