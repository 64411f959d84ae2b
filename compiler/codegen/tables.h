// Internal to codegen: partial evaluation of one agreement into atoms and
// code tables, before any LLVM IR is built. Plain C++, so that the tables
// can be tested (and their hashing matched against the emitted code)
// without LLVM.
#ifndef CALDICOTT_COMPILER_CODEGEN_TABLES_H_
#define CALDICOTT_COMPILER_CODEGEN_TABLES_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/ir.h"

namespace caldicott::codegen {

// How a code is keyed: its length and two words that, for codes of at most
// 16 bytes, hold every byte of it (longer codes also compare their middle
// bytes). The emitted code computes the same words with unaligned loads.
struct KeyWords {
  uint64_t w0 = 0;
  uint64_t w1 = 0;
};
KeyWords WordsOf(std::string_view code);
uint64_t Mix(uint64_t x);

// Which field of an entry an atom looks at.
enum class Field : uint8_t { Codings, Labels };

// One slot of an open-addressed table; `len` 0 marks an empty slot.
// Laid out exactly as the emitted code reads it (32 bytes, little-endian).
struct Slot {
  uint64_t w0 = 0;
  uint64_t w1 = 0;
  uint32_t len = 0;
  uint32_t mask = 0;     // index into AgreementTables::masks (0: the empty mask)
  uint32_t key_off = 0;  // into `keys`, for codes longer than 16 bytes
  uint32_t pad = 0;
};
static_assert(sizeof(Slot) == 32);

// The codes of one system in one field, each with the mask of the atoms it
// satisfies.
struct SystemTable {
  Field field = Field::Codings;
  std::string uri;
  // Sorted by code; what the inline compares or the hash table hold.
  std::vector<std::pair<std::string, uint32_t>> codes;  // code, mask index
  // The hash table (empty when the codes are compared inline).
  std::vector<Slot> slots;  // power-of-two size
  std::string keys;         // the codes longer than 16 bytes, concatenated
};

struct AgreementTables {
  uint32_t atom_count = 0;
  uint32_t words = 1;  // 64-bit words per mask (at least one)
  // masks[i * words + k]: word k of mask i. Mask 0 is all zero.
  std::vector<uint64_t> masks;
  std::vector<SystemTable> systems;
  // The atom bit of each (code set, field) atom the rules use, and of
  // `confidential`.
  std::map<std::pair<uint32_t, Field>, uint32_t> set_atoms;
  int32_t confidential_atom = -1;
};

// Partially evaluates agreement `a`: numbers its atoms and builds a table
// per (field, system). Tables of at most `inline_limit` codes get no hash
// table (the emitted code compares them inline).
AgreementTables BuildTables(const ir::Policy& policy, ir::AgreementId a, uint32_t inline_limit);

// The mask index a table gives a code (0 when none), by probing the hash
// table exactly as the emitted code does, or by the sorted list.
uint32_t Lookup(const SystemTable& table, std::string_view code);

}  // namespace caldicott::codegen

#endif  // CALDICOTT_COMPILER_CODEGEN_TABLES_H_
