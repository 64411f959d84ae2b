#include "compiler/codegen/tables.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <unordered_map>

#include "compiler/codegen/codegen.h"

namespace caldicott::codegen {

namespace {

constexpr std::string_view kConfidentiality =
    "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";

uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;  // x86-64 and the targets we emit for are little-endian
}
uint64_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace

KeyWords WordsOf(std::string_view code) {
  const char* p = code.data();
  size_t n = code.size();
  if (n >= 8) return {Load64(p), Load64(p + n - 8)};
  if (n >= 4) return {Load32(p) | Load32(p + n - 4) << 32, 0};
  if (n >= 1) {
    auto byte = [](char c) { return static_cast<uint64_t>(static_cast<unsigned char>(c)); };
    return {byte(p[0]) | byte(p[n / 2]) << 8 | byte(p[n - 1]) << 16, 0};
  }
  return {};
}

// The finaliser of MurmurHash3 (public domain).
uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

uint64_t HashCode(const char* p, size_t n) {
  KeyWords k = WordsOf(std::string_view(p, n));
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xc2b2ae3d27d4eb4fULL);
  h = Mix(h ^ k.w0);
  for (size_t i = 8; i + 8 < n; i += 8) h = Mix(h ^ Load64(p + i));
  return Mix(h ^ k.w1);
}

namespace {

// Builds the hash table of `table` (its codes already set).
void BuildSlots(SystemTable& table) {
  size_t capacity = std::bit_ceil(std::max<size_t>(8, table.codes.size() * 4 / 3 + 1));
  if (capacity > (size_t{1} << 31)) throw std::length_error("code table too large");
  table.slots.assign(capacity, Slot{});
  for (const auto& [code, mask] : table.codes) {
    KeyWords k = WordsOf(code);
    Slot s{k.w0, k.w1, static_cast<uint32_t>(code.size()), mask, 0, 0};
    if (code.size() > 16) {
      if (table.keys.size() + code.size() > UINT32_MAX) {
        throw std::length_error("code table too large");
      }
      s.key_off = static_cast<uint32_t>(table.keys.size());
      table.keys += code;
    }
    size_t i = HashCode(code.data(), code.size()) & (capacity - 1);
    while (table.slots[i].len != 0) i = (i + 1) & (capacity - 1);
    table.slots[i] = s;
  }
}

}  // namespace

AgreementTables BuildTables(const ir::Policy& policy, ir::AgreementId a, uint32_t inline_limit) {
  AgreementTables t;
  // Number the atoms: every (code set, field) and `confidential` the
  // agreement's rules use, in order of first use.
  std::vector<ir::CondId> stack;
  for (ir::RuleId r : policy.Get(a).rules) {
    stack.push_back(policy.Get(r).cond);
    while (!stack.empty()) {
      const ir::Cond& c = policy.Get(stack.back());
      stack.pop_back();
      if (c.op == ir::CondOp::CodeIn || c.op == ir::CondOp::LabelIn) {
        Field f = c.op == ir::CondOp::CodeIn ? Field::Codings : Field::Labels;
        if (t.set_atoms.try_emplace({c.a, f}, t.atom_count).second) ++t.atom_count;
      } else if (c.op == ir::CondOp::Confidential && t.confidential_atom < 0) {
        t.confidential_atom = static_cast<int32_t>(t.atom_count++);
      }
      for (uint32_t i = c.child_count; i-- > 0;) {
        stack.push_back(policy.children[c.first_child + i]);
      }
    }
  }
  t.words = std::max<uint32_t>(1, (t.atom_count + 63) / 64);

  // The atoms each code satisfies, per (field, system).
  using Bits = std::vector<uint64_t>;
  std::map<std::pair<Field, std::string>, std::unordered_map<std::string, Bits>> codes;
  auto add = [&](Field f, const std::string& uri, const std::string& code, uint32_t atom) {
    if (uri.empty() || code.empty()) return;  // an empty system or code is in no set
    Bits& bits = codes[{f, uri}][code];
    bits.resize(t.words);
    bits[atom / 64] |= uint64_t{1} << (atom % 64);
  };
  for (const auto& [key, atom] : t.set_atoms) {
    for (const ir::SystemCodes& s : policy.code_sets[key.first].systems) {
      for (const std::string& code : s.codes) add(key.second, s.uri, code, atom);
    }
  }
  if (t.confidential_atom >= 0) {
    for (const char* code : {"R", "V"}) {
      add(Field::Labels, std::string(kConfidentiality), code,
          static_cast<uint32_t>(t.confidential_atom));
    }
  }

  // Distinct masks, numbered from 1 (0 is the empty mask).
  std::map<Bits, uint32_t> mask_index;
  t.masks.assign(t.words, 0);
  for (auto& [key, table] : codes) {
    SystemTable st;
    st.field = key.first;
    st.uri = key.second;
    st.codes.reserve(table.size());
    for (auto& [code, bits] : table) {
      auto [it, added] = mask_index.try_emplace(bits, mask_index.size() + 1);
      if (added) t.masks.insert(t.masks.end(), bits.begin(), bits.end());
      st.codes.emplace_back(code, it->second);
    }
    std::sort(st.codes.begin(), st.codes.end());
    // Inline compares only for a few codes that the key words hold whole.
    bool short_codes = std::all_of(st.codes.begin(), st.codes.end(),
                                   [](const auto& c) { return c.first.size() <= 16; });
    if (st.codes.size() > inline_limit || !short_codes) BuildSlots(st);
    t.systems.push_back(std::move(st));
  }
  return t;
}

uint32_t Lookup(const SystemTable& table, std::string_view code) {
  if (code.empty()) return 0;
  if (table.slots.empty()) {
    auto it = std::lower_bound(table.codes.begin(), table.codes.end(), code,
                               [](const auto& e, std::string_view c) { return e.first < c; });
    return it != table.codes.end() && it->first == code ? it->second : 0;
  }
  KeyWords k = WordsOf(code);
  size_t mask = table.slots.size() - 1;
  for (size_t i = HashCode(code.data(), code.size()) & mask;; i = (i + 1) & mask) {
    const Slot& s = table.slots[i];
    if (s.len == 0) return 0;
    if (s.len == code.size() && s.w0 == k.w0 && s.w1 == k.w1 &&
        (code.size() <= 16 ||
         std::memcmp(code.data() + 8, table.keys.data() + s.key_off + 8, code.size() - 16) == 0)) {
      return s.mask;
    }
  }
}

std::string DecideSymbol(uint32_t agreement_index) {
  return "caldicott_decide_" + std::to_string(agreement_index);
}

}  // namespace caldicott::codegen
