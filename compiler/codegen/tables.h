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

// The multiplier of the hash (HashCode in codegen.h): an odd 64-bit
// constant from MurmurHash3's finaliser.
inline constexpr uint64_t kHashK2 = 0xff51afd7ed558ccdULL;

// Which field of an entry an atom looks at.
enum class Field : uint8_t { Codings, Labels };

// One code in a field's hash table. Laid out exactly as the emitted code
// reads it (32 bytes, little-endian): the key words, then the length and
// the system's index as one 64-bit word (`len | system << 32`), so that a
// probe compares the whole key with three 64-bit compares.
struct Slot {
  uint64_t w0 = 0;
  uint64_t w1 = 0;
  uint32_t len = 0;
  uint32_t system = 0;   // SystemTable::index of the code's system
  uint32_t cls = 0;      // the code's class (see PolicyTables)
  uint32_t key_off = 0;  // into `keys`, for codes longer than 16 bytes
};
static_assert(sizeof(Slot) == 32);

// The codes of one system in one field, each with its class.
struct SystemTable {
  Field field = Field::Codings;
  std::string uri;
  uint32_t index = 0;  // among its field's systems; part of each code's key
  // Sorted by code: what the inline compares or the hash table hold.
  std::vector<std::pair<std::string, uint32_t>> codes;  // code, class
  bool hashed = false;  // in its field's hash table, or compared inline
};

// One hash table per field for the codes of all its hashed systems, keyed
// by (system index, code), so that one probe loop serves every system.
// Buckets are chained in place: the slots are sorted by bucket, and bucket
// b holds slots [buckets[b], buckets[b + 1]). There are a power of two
// buckets, at least as many as codes, indexed by the top `64 - shift`
// bits of the hash: many buckets are empty, so that a code in no set (the
// common case) is often rejected by the one load of its bucket's bounds,
// without touching a slot.
struct FieldHash {
  std::vector<Slot> slots;        // empty when no system of the field is hashed
  std::vector<uint32_t> buckets;  // bucket count + 1 bounds into `slots`
  uint32_t shift = 64;
  std::string keys;  // the codes longer than 16 bytes, concatenated
};

// What a set membership is keyed by: a code set and the field it is
// matched against; `confidential` is the pseudo set code_sets.size() over
// the labels.
using SetKey = std::pair<uint32_t, Field>;

// The whole policy's codes, classified once for all its agreements: a
// code's class is the set of SetKeys it belongs to, numbered from 1 (0 is
// "in no set"). Codes of the same class are the same to every rule, so an
// agreement needs only a mask per class.
struct PolicyTables {
  std::vector<SystemTable> systems;          // sorted by (field, uri)
  FieldHash hashes[2];                       // by Field
  std::vector<std::vector<SetKey>> classes;  // classes[0] is empty
  const FieldHash& HashOf(Field f) const { return hashes[static_cast<int>(f)]; }
};

// The atoms of one agreement and the mask of each class.
struct AgreementAtoms {
  uint32_t atom_count = 0;
  uint32_t words = 1;  // 64-bit words per mask (at least one)
  // masks[c * words + k]: word k of class c's mask.
  std::vector<uint64_t> masks;
  std::map<SetKey, uint32_t> atoms;  // the bit of each SetKey the rules use
};

// Classifies every code the policy's rules can match. Tables of at most
// `inline_limit` codes of at most 16 bytes get no hash table (the emitted
// code compares them inline).
PolicyTables BuildPolicyTables(const ir::Policy& policy, uint32_t inline_limit);

// Numbers agreement `a`'s atoms (in order of first use) and builds the mask
// of every class.
AgreementAtoms BuildAgreementAtoms(const ir::Policy& policy, ir::AgreementId a,
                                   const PolicyTables& tables);

// The class a system's table gives a code (0 when none), by probing its
// field's hash table exactly as the emitted code does, or by the sorted
// list; `probes` (if given) counts the slots looked at.
uint32_t Lookup(const PolicyTables& tables, const SystemTable& table, std::string_view code,
                uint32_t* probes = nullptr);

}  // namespace caldicott::codegen

#endif  // CALDICOTT_COMPILER_CODEGEN_TABLES_H_
