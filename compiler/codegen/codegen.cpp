// LLVM IR for the decision functions: one per agreement, over the tables
// of tables.h. The shape of an emitted function, per entry:
//
//   malformed?  kind, status, flags and null pointers, as interp::MalformedEntry
//   codings:    for each coding: one test that both pointers and lengths are
//               non-zero (else: malformed, or in no set); then the field's
//               classifier: key words of the code; which of the policy's
//               systems its URI is (length, then bytes); that system's
//               inline compares, or the field's hash table (the bucket's
//               bounds in one load, an empty bucket a miss at once, else
//               each slot compared as three 64-bit words) gives a class;
//               OR the agreement's mask for that class into the accumulator
//   labels:     the same over the security labels
//   rules:      every condition as a pair (certainly true, certainly false)
//               of i1 over the mask bits, kind bit, status and date; the
//               first matching exclude, else the first matching share,
//               chosen by selects: straight-line code, no branches
//   store:      {verdict, reason, rule}
#include "compiler/codegen/codegen.h"

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <tuple>

#include <llvm/ADT/SmallVector.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Target/TargetOptions.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/Transforms/IPO/AlwaysInliner.h>

#include "compiler/codegen/tables.h"

namespace caldicott::codegen {

// The emitted code reads the C API's structs at these offsets.
static_assert(sizeof(size_t) == 8 && sizeof(void*) == 8);
static_assert(offsetof(caldicott_entry, kind) == 0 && offsetof(caldicott_entry, status) == 4 &&
              offsetof(caldicott_entry, date) == 8 && offsetof(caldicott_entry, flags) == 12 &&
              offsetof(caldicott_entry, codings) == 16 &&
              offsetof(caldicott_entry, coding_count) == 24 &&
              offsetof(caldicott_entry, labels) == 32 &&
              offsetof(caldicott_entry, label_count) == 40 && sizeof(caldicott_entry) == 48);
static_assert(offsetof(caldicott_coding, system) == 0 &&
              offsetof(caldicott_coding, system_len) == 8 &&
              offsetof(caldicott_coding, code) == 16 &&
              offsetof(caldicott_coding, code_len) == 24 && sizeof(caldicott_coding) == 32);
static_assert(sizeof(caldicott_decision) == 12);

namespace {

std::unique_ptr<llvm::TargetMachine> MakeTargetMachine(const Options& options, std::string& error) {
  InitialiseLlvm();
  std::string triple = llvm::sys::getProcessTriple();
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (target == nullptr) return nullptr;
  std::string cpu = "x86-64";
  std::string features;
  if (options.cpu == Options::Cpu::Host) {
    cpu = llvm::sys::getHostCPUName().str();
    for (const auto& f : llvm::sys::getHostCPUFeatures()) {
      features +=
          (features.empty() ? "" : ",") + std::string(f.second ? "+" : "-") + f.first().str();
    }
  }
  llvm::TargetOptions target_options;
  const llvm::CodeGenOptLevel level = options.tier == Options::Tier::Quick
                                          ? llvm::CodeGenOptLevel::None
                                          : llvm::CodeGenOptLevel::Default;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, target_options, llvm::Reloc::PIC_, llvm::CodeModel::Small, level));
  if (tm == nullptr) error = "cannot create a target machine for " + triple;
  return tm;
}

class Emitter {
 public:
  Emitter(llvm::Module& module, const ir::Policy& policy, const Options& options)
      : ctx_(module.getContext()),
        m_(module),
        b_(ctx_),
        policy_(policy),
        tables_(BuildPolicyTables(policy, options.inline_set_limit)) {
    i1_ = b_.getInt1Ty();
    i8_ = b_.getInt8Ty();
    i32_ = b_.getInt32Ty();
    i64_ = b_.getInt64Ty();
    ptr_ = b_.getPtrTy();
    entry_ty_ = llvm::StructType::create(ctx_, {i32_, i32_, i32_, i32_, ptr_, i64_, ptr_, i64_},
                                         "caldicott_entry");
    coding_ty_ = llvm::StructType::create(ctx_, {ptr_, i64_, ptr_, i64_}, "caldicott_coding");
    decision_ty_ = llvm::StructType::create(ctx_, {i32_, i32_, i32_}, "caldicott_decision");
    llvm::FunctionType* bcmp_ty = llvm::FunctionType::get(i32_, {ptr_, ptr_, i64_}, false);
    bcmp_ = m_.getOrInsertFunction("bcmp", bcmp_ty);
    EmitKeyFunction();
    classify_[0] = EmitClassifier(Field::Codings);
    classify_[1] = EmitClassifier(Field::Labels);
    EmitLargeTables();
  }

  void EmitAgreement(ir::AgreementId a);

 private:
  llvm::LLVMContext& ctx_;
  llvm::Module& m_;
  llvm::IRBuilder<> b_;
  const ir::Policy& policy_;
  llvm::Type *i1_, *i8_, *i32_, *i64_, *ptr_;
  llvm::StructType *entry_ty_, *coding_ty_, *decision_ty_;
  llvm::FunctionCallee bcmp_;
  llvm::Function* key_fn_ = nullptr;  // {w0, w1} of (ptr, len)
  const PolicyTables tables_;
  // Per field: (system, system_len, code, code_len) -> class; null when no
  // rule looks at that field.
  llvm::Function* classify_[2] = {nullptr, nullptr};
  std::vector<std::pair<llvm::GlobalVariable*, size_t>> large_;  // see EmitLargeTables

  // Per agreement.
  const AgreementAtoms* atoms_ = nullptr;
  llvm::GlobalVariable* masks_ = nullptr;
  std::vector<llvm::Value*> acc_;                              // the mask words after both scans
  std::map<std::pair<uint32_t, bool>, llvm::Value*> certain_;  // per (CondId, want)
  std::map<std::tuple<ir::CondOp, uint32_t, uint32_t, caldicott_date>, llvm::Value*> atoms_seen_;
  llvm::Value* dated_ = nullptr;     // the entry has a date
  llvm::Value* kind_bit_ = nullptr;  // 1 << kind
  std::vector<ir::WithinInput> within_inputs_;
  llvm::Value *kind_ = nullptr, *status_ = nullptr, *date_ = nullptr, *within_ = nullptr;

  llvm::Constant* I32(uint32_t v) { return b_.getInt32(v); }
  llvm::Constant* I64(uint64_t v) { return b_.getInt64(v); }

  llvm::GlobalVariable* Bytes(const std::string& name, std::string_view data, unsigned align) {
    auto* init = llvm::ConstantDataArray::getRaw(llvm::StringRef(data.data(), data.size()),
                                                 data.size(), i8_);
    auto* g = new llvm::GlobalVariable(m_, init->getType(), true, llvm::GlobalValue::PrivateLinkage,
                                       init, name);
    g->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    g->setAlignment(llvm::Align(align));
    if (data.size() >= abi::kLargeTableBytes) large_.push_back({g, data.size()});
    return g;
  }

  // The list of abi::kLargeTablesSymbol, after every table.
  void EmitLargeTables() {
    llvm::StructType* pair = llvm::StructType::get(ctx_, {ptr_, i64_});
    std::vector<llvm::Constant*> items;
    for (const auto& [table, size] : large_) {
      items.push_back(llvm::ConstantStruct::get(pair, {table, I64(size)}));
    }
    items.push_back(
        llvm::ConstantStruct::get(pair, {llvm::ConstantPointerNull::get(b_.getPtrTy()), I64(0)}));
    llvm::ArrayType* type = llvm::ArrayType::get(pair, items.size());
    new llvm::GlobalVariable(m_, type, true, llvm::GlobalValue::ExternalLinkage,
                             llvm::ConstantArray::get(type, items), abi::kLargeTablesSymbol);
  }

  llvm::Value* Load64(llvm::Value* p, llvm::Value* offset) {
    return b_.CreateAlignedLoad(i64_, b_.CreateGEP(i8_, p, offset), llvm::Align(1));
  }
  llvm::Value* Load32(llvm::Value* p, llvm::Value* offset) {
    return b_.CreateZExt(b_.CreateAlignedLoad(i32_, b_.CreateGEP(i8_, p, offset), llvm::Align(1)),
                         i64_);
  }
  llvm::Value* Load8(llvm::Value* p, llvm::Value* offset) {
    return b_.CreateZExt(b_.CreateLoad(i8_, b_.CreateGEP(i8_, p, offset)), i64_);
  }

  void EmitKeyFunction();
  llvm::Value* EmitInlineCompares(const SystemTable& table, llvm::Value* n, llvm::Value* w0,
                                  llvm::Value* w1);
  void EmitProbe(const FieldHash& hash, const std::string& name, llvm::Value* p, llvm::Value* n,
                 llvm::Value* w0, llvm::Value* w1, llvm::PHINode* system);
  llvm::Function* EmitClassifier(Field field);
  void EmitScan(Field field, llvm::Value* items, llvm::Value* count, llvm::BasicBlock* malformed);
  llvm::Value* Bit(uint32_t atom);
  llvm::Value* Atom(const ir::Cond& c);
  llvm::Value* Certain(ir::CondId id, bool want);
  llvm::Value* All(const std::vector<llvm::Value*>& values);
  llvm::Value* Any(const std::vector<llvm::Value*>& values);
};

// {w0, w1} = WordsOf(p[0..n)), for n >= 1.
void Emitter::EmitKeyFunction() {
  llvm::StructType* pair = llvm::StructType::get(ctx_, {i64_, i64_});
  auto* fn = llvm::Function::Create(llvm::FunctionType::get(pair, {ptr_, i64_}, false),
                                    llvm::GlobalValue::InternalLinkage, "caldicott.key", m_);
  fn->addFnAttr(llvm::Attribute::AlwaysInline);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::Value* p = fn->getArg(0);
  llvm::Value* n = fn->getArg(1);
  auto* entry = llvm::BasicBlock::Create(ctx_, "entry", fn);
  auto* long_key = llvm::BasicBlock::Create(ctx_, "ge8", fn);
  auto* not_long = llvm::BasicBlock::Create(ctx_, "lt8", fn);
  auto* mid = llvm::BasicBlock::Create(ctx_, "ge4", fn);
  auto* small = llvm::BasicBlock::Create(ctx_, "lt4", fn);
  auto* done = llvm::BasicBlock::Create(ctx_, "done", fn);
  b_.SetInsertPoint(entry);
  b_.CreateCondBr(b_.CreateICmpUGE(n, I64(8)), long_key, not_long);
  b_.SetInsertPoint(long_key);
  llvm::Value* l0 = Load64(p, I64(0));
  llvm::Value* l1 = Load64(p, b_.CreateSub(n, I64(8)));
  b_.CreateBr(done);
  b_.SetInsertPoint(not_long);
  b_.CreateCondBr(b_.CreateICmpUGE(n, I64(4)), mid, small);
  b_.SetInsertPoint(mid);
  llvm::Value* m0 =
      b_.CreateOr(Load32(p, I64(0)), b_.CreateShl(Load32(p, b_.CreateSub(n, I64(4))), 32));
  b_.CreateBr(done);
  b_.SetInsertPoint(small);
  llvm::Value* s0 =
      b_.CreateOr(b_.CreateOr(Load8(p, I64(0)), b_.CreateShl(Load8(p, b_.CreateLShr(n, 1)), 8)),
                  b_.CreateShl(Load8(p, b_.CreateSub(n, I64(1))), 16));
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  llvm::PHINode* w0 = b_.CreatePHI(i64_, 3, "w0");
  w0->addIncoming(l0, long_key);
  w0->addIncoming(m0, mid);
  w0->addIncoming(s0, small);
  llvm::PHINode* w1 = b_.CreatePHI(i64_, 3, "w1");
  w1->addIncoming(l1, long_key);
  w1->addIncoming(I64(0), mid);
  w1->addIncoming(I64(0), small);
  llvm::Value* result = b_.CreateInsertValue(llvm::UndefValue::get(pair), w0, {0});
  b_.CreateRet(b_.CreateInsertValue(result, w1, {1}));
  key_fn_ = fn;
}

// The class (i32) of the code with length n and key words (w0, w1) in a
// small table, by inline compares (its codes are at most 16 bytes, so the
// words are the whole key).
llvm::Value* Emitter::EmitInlineCompares(const SystemTable& table, llvm::Value* n, llvm::Value* w0,
                                         llvm::Value* w1) {
  llvm::Value* result = I32(0);
  for (const auto& [code, cls] : table.codes) {
    KeyWords k = WordsOf(code);
    llvm::Value* hit =
        b_.CreateAnd(b_.CreateICmpEQ(n, I64(code.size())),
                     b_.CreateAnd(b_.CreateICmpEQ(w0, I64(k.w0)), b_.CreateICmpEQ(w1, I64(k.w1))));
    result = b_.CreateSelect(hit, I32(cls), result);
  }
  return result;
}

// The probe of a field's hash table, entered with the system's index in
// `system` (a phi): returns the class of the code (p, n) with key words
// (w0, w1), or 0. The hash's top bits choose a bucket; one load gives its
// bounds, and an empty bucket (most of them) is a miss at once. A hit
// compares the whole key: length and system (one word), both key words
// and, for codes over 16 bytes, the middle bytes.
void Emitter::EmitProbe(const FieldHash& hash, const std::string& name, llvm::Value* p,
                        llvm::Value* n, llvm::Value* w0, llvm::Value* w1, llvm::PHINode* system) {
  llvm::Function* fn = b_.GetInsertBlock()->getParent();
  std::string slot_bytes(reinterpret_cast<const char*>(hash.slots.data()),
                         hash.slots.size() * sizeof(Slot));
  llvm::GlobalVariable* slots = Bytes(name + ".slots", slot_bytes, 32);
  std::string bucket_bytes(reinterpret_cast<const char*>(hash.buckets.data()),
                           hash.buckets.size() * sizeof(uint32_t));
  llvm::GlobalVariable* buckets = Bytes(name + ".buckets", bucket_bytes, 8);
  llvm::GlobalVariable* keys = hash.keys.empty() ? nullptr : Bytes(name + ".keys", hash.keys, 8);

  // hash = HashCode(system, p, n): the middle words (codes over 16 bytes)
  // folded in, then the last word, rotated; the bucket is the top bits.
  llvm::Value* sys64 = b_.CreateZExt(system, i64_);
  llvm::Value* h = b_.CreateXor(b_.CreateXor(w0, n), b_.CreateShl(sys64, 40));
  auto* middle = llvm::BasicBlock::Create(ctx_, "middle", fn);
  auto* hashed = llvm::BasicBlock::Create(ctx_, "hashed", fn);
  llvm::BasicBlock* before = b_.GetInsertBlock();
  b_.CreateCondBr(b_.CreateICmpUGT(n, I64(16)), middle, hashed);
  b_.SetInsertPoint(middle);  // for (i = 8; i + 8 < n; i += 8) h = (h ^ load(p + i)) * K2
  llvm::PHINode* i = b_.CreatePHI(i64_, 2, "i");
  llvm::PHINode* hm = b_.CreatePHI(i64_, 2, "hm");
  i->addIncoming(I64(8), before);
  hm->addIncoming(h, before);
  llvm::Value* h_next = b_.CreateMul(b_.CreateXor(hm, Load64(p, i)), I64(kHashK2));
  llvm::Value* i_next = b_.CreateAdd(i, I64(8));
  i->addIncoming(i_next, middle);
  hm->addIncoming(h_next, middle);
  b_.CreateCondBr(b_.CreateICmpULT(b_.CreateAdd(i_next, I64(8)), n), middle, hashed);
  b_.SetInsertPoint(hashed);
  llvm::PHINode* hp = b_.CreatePHI(i64_, 2, "h");
  hp->addIncoming(h, before);
  hp->addIncoming(h_next, middle);
  llvm::Value* rotated = b_.CreateOr(b_.CreateShl(w1, 31), b_.CreateLShr(w1, 33));
  llvm::Value* full = b_.CreateMul(b_.CreateXor(hp, rotated), I64(kHashK2));

  auto* probe = llvm::BasicBlock::Create(ctx_, "probe", fn);
  auto* same_words = llvm::BasicBlock::Create(ctx_, "same_words", fn);
  auto* found = llvm::BasicBlock::Create(ctx_, "found", fn);
  auto* next = llvm::BasicBlock::Create(ctx_, "next", fn);
  auto* absent = llvm::BasicBlock::Create(ctx_, "absent", fn);
  // The bucket's bounds [first, end), both in one load.
  llvm::Value* bucket = b_.CreateLShr(full, hash.shift);
  llvm::Value* bounds =
      b_.CreateAlignedLoad(i64_, b_.CreateGEP(i32_, buckets, bucket), llvm::Align(4));
  llvm::Value* first = b_.CreateAnd(bounds, I64(0xffffffff));
  llvm::Value* end = b_.CreateLShr(bounds, 32);
  // Every code in the table is shorter than 4 GiB, so a longer one misses
  // (and `len_system` needs no room for it).
  llvm::Value* len_system = b_.CreateOr(n, b_.CreateShl(sys64, 32));
  b_.CreateCondBr(b_.CreateOr(b_.CreateICmpEQ(first, end), b_.CreateICmpUGT(n, I64(UINT32_MAX))),
                  absent, probe);

  b_.SetInsertPoint(probe);
  llvm::PHINode* slot_index = b_.CreatePHI(i64_, 2, "slot");
  slot_index->addIncoming(first, hashed);
  llvm::Value* slot = b_.CreateGEP(i8_, slots, b_.CreateShl(slot_index, 5));
  llvm::Value* sw0 = b_.CreateAlignedLoad(i64_, slot, llvm::Align(32));
  llvm::Value* sw1 = b_.CreateAlignedLoad(i64_, b_.CreateGEP(i8_, slot, I64(8)), llvm::Align(8));
  llvm::Value* slen_system =
      b_.CreateAlignedLoad(i64_, b_.CreateGEP(i8_, slot, I64(16)), llvm::Align(16));
  llvm::Value* same = b_.CreateAnd({b_.CreateICmpEQ(slen_system, len_system),
                                    b_.CreateICmpEQ(sw0, w0), b_.CreateICmpEQ(sw1, w1)});
  b_.CreateCondBr(same, same_words, next);

  b_.SetInsertPoint(same_words);
  if (keys == nullptr) {
    b_.CreateBr(found);  // every key here is at most 16 bytes: the words are the key
  } else {
    auto* compare_middle = llvm::BasicBlock::Create(ctx_, "compare_middle", fn);
    b_.CreateCondBr(b_.CreateICmpUGT(n, I64(16)), compare_middle, found);
    b_.SetInsertPoint(compare_middle);
    llvm::Value* key_off = b_.CreateZExt(
        b_.CreateAlignedLoad(i32_, b_.CreateGEP(i8_, slot, I64(28)), llvm::Align(4)), i64_);
    llvm::Value* key_middle = b_.CreateGEP(i8_, keys, b_.CreateAdd(key_off, I64(8)));
    llvm::Value* cmp =
        b_.CreateCall(bcmp_, {b_.CreateGEP(i8_, p, I64(8)), key_middle, b_.CreateSub(n, I64(16))});
    b_.CreateCondBr(b_.CreateICmpEQ(cmp, I32(0)), found, next);
  }

  b_.SetInsertPoint(found);
  b_.CreateRet(b_.CreateAlignedLoad(i32_, b_.CreateGEP(i8_, slot, I64(24)), llvm::Align(8)));

  b_.SetInsertPoint(next);
  llvm::Value* following = b_.CreateAdd(slot_index, I64(1));
  slot_index->addIncoming(following, next);
  b_.CreateCondBr(b_.CreateICmpEQ(following, end), absent, probe);

  b_.SetInsertPoint(absent);
  b_.CreateRet(I32(0));
}

// The class of one coding (system, system_len, code, code_len), both
// non-empty: which of the policy's systems of this field its URI is
// (length, then bytes), then that system's inline compares or the field's
// hash table. Emitted once per field and shared by every agreement.
llvm::Function* Emitter::EmitClassifier(Field field) {
  std::vector<const SystemTable*> systems;
  for (const SystemTable& s : tables_.systems) {
    if (s.field == field) systems.push_back(&s);
  }
  if (systems.empty()) return nullptr;

  std::string name =
      field == Field::Codings ? "caldicott.classify.coding" : "caldicott.classify.label";
  auto* fn = llvm::Function::Create(llvm::FunctionType::get(i32_, {ptr_, i64_, ptr_, i64_}, false),
                                    llvm::GlobalValue::InternalLinkage, name, m_);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::Value* system = fn->getArg(0);
  llvm::Value* system_len = fn->getArg(1);
  llvm::Value* code = fn->getArg(2);
  llvm::Value* code_len = fn->getArg(3);
  b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", fn));
  llvm::Value* words = b_.CreateCall(key_fn_, {code, code_len});
  llvm::Value* w0 = b_.CreateExtractValue(words, {0});
  llvm::Value* w1 = b_.CreateExtractValue(words, {1});

  const FieldHash& hash = tables_.HashOf(field);
  llvm::BasicBlock* probe = nullptr;
  llvm::PHINode* probe_system = nullptr;
  if (!hash.slots.empty()) {
    llvm::BasicBlock* here = b_.GetInsertBlock();
    probe = llvm::BasicBlock::Create(ctx_, "probe.entry", fn);
    b_.SetInsertPoint(probe);
    probe_system = b_.CreatePHI(i32_, systems.size(), "system");
    EmitProbe(hash, name, code, code_len, w0, w1, probe_system);
    b_.SetInsertPoint(here);
  }
  for (const SystemTable* table : systems) {
    auto* same_len = llvm::BasicBlock::Create(ctx_, "system.len", fn);
    auto* hit = llvm::BasicBlock::Create(ctx_, "system.hit", fn);
    auto* miss = llvm::BasicBlock::Create(ctx_, "system.miss", fn);
    b_.CreateCondBr(b_.CreateICmpEQ(system_len, I64(table->uri.size())), same_len, miss);
    b_.SetInsertPoint(same_len);
    llvm::GlobalVariable* uri = Bytes("caldicott.system", table->uri, 1);
    llvm::Value* cmp = b_.CreateCall(bcmp_, {system, uri, I64(table->uri.size())});
    b_.CreateCondBr(b_.CreateICmpEQ(cmp, I32(0)), hit, miss);
    b_.SetInsertPoint(hit);
    if (table->hashed) {
      probe_system->addIncoming(I32(table->index), hit);
      b_.CreateBr(probe);
    } else {
      b_.CreateRet(EmitInlineCompares(*table, code_len, w0, w1));
    }
    b_.SetInsertPoint(miss);
  }
  b_.CreateRet(I32(0));
  return fn;
}

// The loop over an entry's codings (or labels): ORs each one's class mask
// into acc_. A coding that points nowhere jumps to `malformed`.
void Emitter::EmitScan(Field field, llvm::Value* items, llvm::Value* count,
                       llvm::BasicBlock* malformed) {
  llvm::Function* fn = b_.GetInsertBlock()->getParent();
  llvm::Function* classify = classify_[field == Field::Codings ? 0 : 1];
  std::string what = field == Field::Codings ? "coding" : "label";
  auto* header = llvm::BasicBlock::Create(ctx_, what + ".header", fn);
  auto* body = llvm::BasicBlock::Create(ctx_, what + ".body", fn);
  auto* checked = llvm::BasicBlock::Create(ctx_, what + ".checked", fn);
  auto* nonempty = llvm::BasicBlock::Create(ctx_, what + ".nonempty", fn);
  auto* next = llvm::BasicBlock::Create(ctx_, what + ".next", fn);
  auto* exit = llvm::BasicBlock::Create(ctx_, what + ".exit", fn);
  llvm::BasicBlock* pre = b_.GetInsertBlock();
  b_.CreateBr(header);

  b_.SetInsertPoint(header);
  llvm::PHINode* j = b_.CreatePHI(i64_, 2, "j");
  j->addIncoming(I64(0), pre);
  std::vector<llvm::PHINode*> acc;
  for (llvm::Value* word : acc_) {
    llvm::PHINode* phi = b_.CreatePHI(i64_, 2, "acc");
    phi->addIncoming(word, pre);
    acc.push_back(phi);
  }
  b_.CreateCondBr(b_.CreateICmpULT(j, count), body, exit);

  b_.SetInsertPoint(body);
  llvm::Value* item = b_.CreateGEP(coding_ty_, items, j);
  llvm::Value* system = b_.CreateLoad(ptr_, b_.CreateStructGEP(coding_ty_, item, 0));
  llvm::Value* system_len = b_.CreateLoad(i64_, b_.CreateStructGEP(coding_ty_, item, 1));
  llvm::Value* code = b_.CreateLoad(ptr_, b_.CreateStructGEP(coding_ty_, item, 2));
  llvm::Value* code_len = b_.CreateLoad(i64_, b_.CreateStructGEP(coding_ty_, item, 3));
  // The common case first, in one test: both pointers and both lengths
  // non-zero. Otherwise a null pointer with a non-zero length is malformed,
  // and an empty system or code is in no set. With no tables, nothing is.
  llvm::Value* usable =
      b_.CreateAnd({b_.CreateIsNotNull(system), b_.CreateIsNotNull(code),
                    b_.CreateICmpNE(system_len, I64(0)), b_.CreateICmpNE(code_len, I64(0))});
  b_.CreateCondBr(classify == nullptr ? b_.getFalse() : usable, nonempty, checked);
  b_.SetInsertPoint(checked);
  llvm::Value* bad =
      b_.CreateOr(b_.CreateAnd(b_.CreateIsNull(system), b_.CreateICmpNE(system_len, I64(0))),
                  b_.CreateAnd(b_.CreateIsNull(code), b_.CreateICmpNE(code_len, I64(0))));
  b_.CreateCondBr(bad, malformed, next);

  b_.SetInsertPoint(nonempty);
  llvm::Value* cls = I32(0);
  if (classify != nullptr) cls = b_.CreateCall(classify, {system, system_len, code, code_len});
  b_.CreateBr(next);

  b_.SetInsertPoint(next);
  llvm::PHINode* class_index = b_.CreatePHI(i32_, 2, "class");
  class_index->addIncoming(I32(0), checked);
  class_index->addIncoming(cls, nonempty);
  llvm::Value* base = b_.CreateMul(b_.CreateZExt(class_index, i64_), I64(atoms_->words));
  for (size_t k = 0; k < acc.size(); ++k) {
    llvm::Value* word = b_.CreateLoad(i64_, b_.CreateGEP(i64_, masks_, b_.CreateAdd(base, I64(k))));
    acc[k]->addIncoming(b_.CreateOr(acc[k], word), next);
  }
  j->addIncoming(b_.CreateAdd(j, I64(1)), next);
  b_.CreateBr(header);

  b_.SetInsertPoint(exit);
  for (size_t k = 0; k < acc.size(); ++k) acc_[k] = acc[k];
}

llvm::Value* Emitter::Bit(uint32_t atom) {
  llvm::Value* word = acc_[atom / 64];
  return b_.CreateICmpNE(b_.CreateAnd(word, I64(uint64_t{1} << (atom % 64))), I64(0));
}

// An atom's value for the entry: whether the kind, status, mask bit or
// date comparison holds. Equal atoms (sections repeat kinds) are emitted
// once.
llvm::Value* Emitter::Atom(const ir::Cond& c) {
  auto key = std::make_tuple(c.op, c.a, c.b, c.date);
  if (auto it = atoms_seen_.find(key); it != atoms_seen_.end()) return it->second;
  llvm::Value* v = nullptr;
  switch (c.op) {
    case ir::CondOp::KindIn:
      v = b_.CreateICmpNE(b_.CreateAnd(kind_bit_, I32(c.a)), I32(0));
      break;
    case ir::CondOp::StatusIs:
      v = b_.CreateICmpEQ(status_, I32(c.a));
      break;
    case ir::CondOp::CodeIn:
      v = Bit(atoms_->atoms.at({c.a, Field::Codings}));
      break;
    case ir::CondOp::LabelIn:
      v = Bit(atoms_->atoms.at({c.a, Field::Labels}));
      break;
    case ir::CondOp::Confidential:
      v = Bit(atoms_->atoms.at({static_cast<uint32_t>(policy_.code_sets.size()), Field::Labels}));
      break;
    case ir::CondOp::RecordedWithin: {
      ir::WithinInput in{c.a, static_cast<ir::TimeUnit>(c.b)};
      size_t k =
          std::find(within_inputs_.begin(), within_inputs_.end(), in) - within_inputs_.begin();
      llvm::Value* threshold = b_.CreateLoad(i32_, b_.CreateGEP(i32_, within_, I64(k)));
      v = b_.CreateICmpSGE(date_, threshold);
      break;
    }
    case ir::CondOp::RecordedBefore:
      v = b_.CreateICmpSLT(date_, I32(static_cast<uint32_t>(c.date)));
      break;
    case ir::CondOp::RecordedAfter:
      v = b_.CreateICmpSGT(date_, I32(static_cast<uint32_t>(c.date)));
      break;
    default:
      throw std::logic_error("not an atom");
  }
  atoms_seen_[key] = v;
  return v;
}

// Whether a condition is certainly true (want) or certainly false (!want)
// for the entry: three-valued logic as two bits, each computed only where a
// rule needs it (a share needs "certainly true", an exclude "certainly
// false"). Only `recorded ...` atoms can be unknown: for an undated entry
// they are neither.
llvm::Value* Emitter::Certain(ir::CondId id, bool want) {
  auto key = std::make_pair(id.index, want);
  if (auto it = certain_.find(key); it != certain_.end()) return it->second;
  const ir::Cond& c = policy_.Get(id);
  llvm::Value* r = nullptr;
  switch (c.op) {
    case ir::CondOp::True:
      r = want ? b_.getTrue() : b_.getFalse();
      break;
    case ir::CondOp::And:
    case ir::CondOp::Or: {
      // and: certainly true when every child is, certainly false when any
      // is; or: the dual.
      bool all = (c.op == ir::CondOp::And) == want;
      std::vector<llvm::Value*> kids;
      for (uint32_t i = 0; i < c.child_count; ++i) {
        kids.push_back(Certain(policy_.children[c.first_child + i], want));
      }
      r = all ? All(kids) : Any(kids);
      break;
    }
    case ir::CondOp::Not:
      r = Certain(policy_.children[c.first_child], !want);
      break;
    case ir::CondOp::RecordedWithin:
    case ir::CondOp::RecordedBefore:
    case ir::CondOp::RecordedAfter: {
      llvm::Value* v = Atom(c);
      r = b_.CreateAnd(dated_, want ? v : b_.CreateNot(v));
      break;
    }
    default: {
      llvm::Value* v = Atom(c);
      r = want ? v : b_.CreateNot(v);
    }
  }
  certain_[key] = r;
  return r;
}

llvm::Value* Emitter::All(const std::vector<llvm::Value*>& values) {
  llvm::Value* r = nullptr;
  for (llvm::Value* v : values) {
    if (auto* k = llvm::dyn_cast<llvm::ConstantInt>(v)) {
      if (k->isZero()) return b_.getFalse();
      continue;
    }
    r = r == nullptr ? v : b_.CreateAnd(r, v);
  }
  return r == nullptr ? b_.getTrue() : r;
}

llvm::Value* Emitter::Any(const std::vector<llvm::Value*>& values) {
  llvm::Value* r = nullptr;
  for (llvm::Value* v : values) {
    if (auto* k = llvm::dyn_cast<llvm::ConstantInt>(v)) {
      if (!k->isZero()) return b_.getTrue();
      continue;
    }
    r = r == nullptr ? v : b_.CreateOr(r, v);
  }
  return r == nullptr ? b_.getFalse() : r;
}

void Emitter::EmitAgreement(ir::AgreementId a) {
  AgreementAtoms atoms = BuildAgreementAtoms(policy_, a, tables_);
  atoms_ = &atoms;
  within_inputs_ = ir::WithinInputs(policy_, a);
  certain_.clear();
  atoms_seen_.clear();
  masks_ = new llvm::GlobalVariable(
      m_, llvm::ArrayType::get(i64_, atoms.masks.size()), true, llvm::GlobalValue::PrivateLinkage,
      llvm::ConstantDataArray::get(ctx_, llvm::ArrayRef<uint64_t>(atoms.masks)),
      "caldicott.masks." + std::to_string(a.index));
  masks_->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);

  auto* fn = llvm::Function::Create(
      llvm::FunctionType::get(b_.getVoidTy(), {ptr_, i64_, ptr_, ptr_}, false),
      llvm::GlobalValue::ExternalLinkage, abi::DecideSymbol(a.index), m_);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  fn->addParamAttr(0, llvm::Attribute::NoAlias);
  fn->addParamAttr(0, llvm::Attribute::ReadOnly);
  fn->addParamAttr(2, llvm::Attribute::NoAlias);
  fn->addParamAttr(2, llvm::Attribute::ReadOnly);
  fn->addParamAttr(3, llvm::Attribute::NoAlias);
  llvm::Value* entries = fn->getArg(0);
  llvm::Value* count = fn->getArg(1);
  within_ = fn->getArg(2);
  llvm::Value* out = fn->getArg(3);
  entries->setName("entries");
  count->setName("count");
  within_->setName("within");
  out->setName("out");

  auto* entry = llvm::BasicBlock::Create(ctx_, "entry", fn);
  auto* header = llvm::BasicBlock::Create(ctx_, "header", fn);
  auto* scan = llvm::BasicBlock::Create(ctx_, "scan", fn);
  auto* malformed = llvm::BasicBlock::Create(ctx_, "malformed", fn);
  auto* latch = llvm::BasicBlock::Create(ctx_, "latch", fn);
  auto* exit = llvm::BasicBlock::Create(ctx_, "exit", fn);
  b_.SetInsertPoint(entry);
  b_.CreateCondBr(b_.CreateICmpEQ(count, I64(0)), exit, header);

  b_.SetInsertPoint(header);
  llvm::PHINode* i = b_.CreatePHI(i64_, 2, "i");
  i->addIncoming(I64(0), entry);
  llvm::Value* e = b_.CreateGEP(entry_ty_, entries, i);
  kind_ = b_.CreateLoad(i32_, b_.CreateStructGEP(entry_ty_, e, 0), "kind");
  status_ = b_.CreateLoad(i32_, b_.CreateStructGEP(entry_ty_, e, 1), "status");
  date_ = b_.CreateLoad(i32_, b_.CreateStructGEP(entry_ty_, e, 2), "date");
  llvm::Value* flags = b_.CreateLoad(i32_, b_.CreateStructGEP(entry_ty_, e, 3), "flags");
  llvm::Value* codings = b_.CreateLoad(ptr_, b_.CreateStructGEP(entry_ty_, e, 4), "codings");
  llvm::Value* coding_count = b_.CreateLoad(i64_, b_.CreateStructGEP(entry_ty_, e, 5));
  llvm::Value* labels = b_.CreateLoad(ptr_, b_.CreateStructGEP(entry_ty_, e, 6), "labels");
  llvm::Value* label_count = b_.CreateLoad(i64_, b_.CreateStructGEP(entry_ty_, e, 7));
  llvm::Value* bad = b_.CreateOr(
      {b_.CreateICmpUGE(kind_, I32(CALDICOTT_KIND_COUNT)),
       b_.CreateICmpUGE(status_, I32(CALDICOTT_STATUS_COUNT)), b_.CreateICmpNE(flags, I32(0)),
       b_.CreateAnd(b_.CreateICmpNE(coding_count, I64(0)), b_.CreateIsNull(codings)),
       b_.CreateAnd(b_.CreateICmpNE(label_count, I64(0)), b_.CreateIsNull(labels))});
  b_.CreateCondBr(bad, malformed, scan);

  b_.SetInsertPoint(scan);
  acc_.assign(atoms.words, I64(0));
  EmitScan(Field::Codings, codings, coding_count, malformed);
  EmitScan(Field::Labels, labels, label_count, malformed);
  dated_ = b_.CreateICmpNE(date_, I32(static_cast<uint32_t>(CALDICOTT_NO_DATE)), "dated");
  kind_bit_ = b_.CreateShl(I32(1), kind_, "kind_bit");

  // The rules, in statement order: the first exclude that matches (its
  // condition not certainly false), else the first share that matches (its
  // condition certainly true).
  const ir::Agreement& agreement = policy_.Get(a);
  llvm::Value* excluded = I32(0);
  llvm::Value* shared = I32(0);
  std::vector<std::pair<bool, std::pair<llvm::Value*, uint32_t>>> matches;
  for (ir::RuleId r : agreement.rules) {
    const ir::Rule& rule = policy_.Get(r);
    llvm::Value* match =
        rule.exclude ? b_.CreateNot(Certain(rule.cond, false)) : Certain(rule.cond, true);
    matches.push_back({rule.exclude, {match, rule.number}});
  }
  for (auto it = matches.rbegin(); it != matches.rend(); ++it) {
    auto [is_exclude, match] = *it;
    llvm::Value*& chosen = is_exclude ? excluded : shared;
    chosen = b_.CreateSelect(match.first, I32(match.second), chosen);
  }
  llvm::Value* is_excluded = b_.CreateICmpNE(excluded, I32(0));
  llvm::Value* is_shared = b_.CreateAnd(b_.CreateNot(is_excluded), b_.CreateICmpNE(shared, I32(0)));
  llvm::Value* verdict = b_.CreateZExt(is_shared, i32_);
  llvm::Value* reason = b_.CreateSelect(
      is_excluded, I32(CALDICOTT_REASON_EXCLUDED),
      b_.CreateSelect(is_shared, I32(CALDICOTT_REASON_SHARED), I32(CALDICOTT_REASON_NO_SHARE)));
  llvm::Value* rule = b_.CreateSelect(is_excluded, excluded, shared);
  llvm::Value* d = b_.CreateGEP(decision_ty_, out, i);
  b_.CreateStore(verdict, b_.CreateStructGEP(decision_ty_, d, 0));
  b_.CreateStore(reason, b_.CreateStructGEP(decision_ty_, d, 1));
  b_.CreateStore(rule, b_.CreateStructGEP(decision_ty_, d, 2));
  b_.CreateBr(latch);

  b_.SetInsertPoint(malformed);
  llvm::Value* dm = b_.CreateGEP(decision_ty_, out, i);
  b_.CreateStore(I32(CALDICOTT_WITHHOLD), b_.CreateStructGEP(decision_ty_, dm, 0));
  b_.CreateStore(I32(CALDICOTT_REASON_MALFORMED_ENTRY), b_.CreateStructGEP(decision_ty_, dm, 1));
  b_.CreateStore(I32(0), b_.CreateStructGEP(decision_ty_, dm, 2));
  b_.CreateBr(latch);

  b_.SetInsertPoint(latch);
  llvm::Value* i_next = b_.CreateAdd(i, I64(1));
  i->addIncoming(i_next, latch);
  b_.CreateCondBr(b_.CreateICmpEQ(i_next, count), exit, header);

  b_.SetInsertPoint(exit);
  b_.CreateRetVoid();
  atoms_ = nullptr;
}

// Whether the caller asked to stop (between LLVM's stages, which cannot
// be interrupted themselves).
bool Stopped(const Options& options, std::string& error) {
  if (options.stop == nullptr || !options.stop->load(std::memory_order_relaxed)) return false;
  error = "stopped";
  return true;
}

// Builds and optimises the module of a policy.
std::unique_ptr<llvm::Module> BuildModule(llvm::LLVMContext& ctx, llvm::TargetMachine& tm,
                                          const ir::Policy& policy, const Options& options,
                                          std::string& error) {
  auto module = std::make_unique<llvm::Module>("caldicott", ctx);
  module->setTargetTriple(tm.getTargetTriple().str());
  module->setDataLayout(tm.createDataLayout());  // before any IR is built
  Emitter emitter(*module, policy, options);
  for (uint32_t a = 0; a < policy.agreements.size(); ++a) {
    emitter.EmitAgreement(ir::AgreementId{a});
  }
  std::string broken;
  llvm::raw_string_ostream os(broken);
  if (llvm::verifyModule(*module, &os)) {
    error = "internal error: invalid LLVM IR: " + os.str();
    return nullptr;
  }
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  // O2, without the loop and SLP vectorisers and loop unrolling: the code is
  // scalar bit logic over short data-dependent loops (an entry's codings),
  // where they find nothing to do and cost a fifth of the compile time.
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = false;
  tuning.SLPVectorization = false;
  tuning.LoopUnrolling = false;
  tuning.LoopInterleaving = false;
  llvm::PassBuilder pb(&tm, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm;
  if (options.tier == Options::Tier::Quick) {
    // The quick tier: the key function inlined into the classifiers, and
    // nothing else (optimising the IR buys nothing measurable when the
    // instruction selector is the fast one; bench/README.md).
    mpm.addPass(llvm::AlwaysInlinerPass());
  } else {
    mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
  }
  if (Stopped(options, error)) return nullptr;
  mpm.run(*module, mam);
  return module;
}

template <class F>
bool Guarded(std::string& error, F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
}

}  // namespace

// Once per process, whoever comes first: the JIT loader calls it too.
void InitialiseLlvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

std::string TargetTriple() {
  return llvm::sys::getProcessTriple();
}

std::string HostCpu() {
  return llvm::sys::getHostCPUName().str();
}

std::string LlvmVersion() {
  return LLVM_VERSION_STRING;
}

std::string EmitLLVM(const ir::Policy& policy, const Options& options, std::string& error) {
  std::string text;
  Guarded(error, [&] {
    std::unique_ptr<llvm::TargetMachine> tm = MakeTargetMachine(options, error);
    if (tm == nullptr) return false;
    llvm::LLVMContext ctx;
    std::unique_ptr<llvm::Module> module = BuildModule(ctx, *tm, policy, options, error);
    if (module == nullptr) return false;
    llvm::raw_string_ostream os(text);
    module->print(os, nullptr);
    os.flush();
    return true;
  });
  return text;
}

bool EmitObject(const ir::Policy& policy, const Options& options, std::string& object,
                std::string& error) {
  return Guarded(error, [&] {
    std::unique_ptr<llvm::TargetMachine> tm = MakeTargetMachine(options, error);
    if (tm == nullptr) return false;
    llvm::LLVMContext ctx;
    std::unique_ptr<llvm::Module> module = BuildModule(ctx, *tm, policy, options, error);
    if (module == nullptr) return false;
    llvm::SmallVector<char, 0> buffer;
    llvm::raw_svector_ostream os(buffer);
    llvm::legacy::PassManager pm;
    if (tm->addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::ObjectFile)) {
      error = "internal error: the target cannot emit an object file";
      return false;
    }
    if (Stopped(options, error)) return false;
    pm.run(*module);
    object.assign(buffer.begin(), buffer.end());
    return true;
  });
}

}  // namespace caldicott::codegen
