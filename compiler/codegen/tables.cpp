#include "compiler/codegen/tables.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>
#include <set>
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

// Multiplicative hashing: the bucket is the top bits of the product, which
// every bit of the key reaches. The last word goes in rotated (for codes of
// 8 to 16 bytes it overlaps the first), with one multiply in all, the
// shortest dependency chain from the code's bytes to its bucket. Codes
// longer than 16 bytes also fold in their middle words.
uint64_t HashCode(uint32_t system, const char* p, size_t n) {
  KeyWords k = WordsOf(std::string_view(p, n));
  uint64_t h = k.w0 ^ n ^ (uint64_t{system} << 40);
  for (size_t i = 8; i + 8 < n; i += 8) h = (h ^ Load64(p + i)) * kHashK2;
  return (h ^ std::rotl(k.w1, 31)) * kHashK2;
}

namespace {

// Builds a field's hash table over its hashed systems: each code's bucket,
// then the slots sorted by bucket (a counting sort; within a bucket, in
// the order the codes come).
void BuildHash(const std::vector<const SystemTable*>& systems, FieldHash& hash) {
  size_t count = 0;
  for (const SystemTable* t : systems) count += t->codes.size();
  if (count == 0) return;
  if (count > (size_t{1} << 30)) throw std::length_error("code table too large");
  // As many buckets as codes, rounded up to a power of two: a load of a
  // half to one code per bucket. Twice as many measured no faster for the
  // example locality, and made an agreement of 300,000 codes about a tenth
  // slower: its bucket bounds are one more cache line (and TLB entry) per
  // probe, and a smaller array misses less (bench/README.md).
  size_t buckets = std::bit_ceil(std::max<size_t>(8, count));
  hash.shift = 64 - static_cast<uint32_t>(std::countr_zero(buckets));
  std::vector<std::pair<uint32_t, Slot>> placed;  // bucket, slot
  placed.reserve(count);
  for (const SystemTable* t : systems) {
    for (const auto& [code, cls] : t->codes) {
      KeyWords k = WordsOf(code);
      Slot s{k.w0, k.w1, static_cast<uint32_t>(code.size()), t->index, cls, 0};
      if (code.size() > 16) {
        if (hash.keys.size() + code.size() > UINT32_MAX) {
          throw std::length_error("code table too large");
        }
        s.key_off = static_cast<uint32_t>(hash.keys.size());
        hash.keys += code;
      }
      placed.emplace_back(
          static_cast<uint32_t>(HashCode(t->index, code.data(), code.size()) >> hash.shift), s);
    }
  }
  hash.buckets.assign(buckets + 1, 0);
  for (const auto& [b, s] : placed) ++hash.buckets[b + 1];
  for (size_t b = 0; b < buckets; ++b) hash.buckets[b + 1] += hash.buckets[b];
  hash.slots.resize(count);
  std::vector<uint32_t> fill(hash.buckets.begin(), hash.buckets.end() - 1);
  for (const auto& [b, s] : placed) hash.slots[fill[b]++] = s;
}

// Every SetKey some rule uses.
std::set<SetKey> UsedSetKeys(const ir::Policy& policy) {
  std::set<SetKey> used;
  for (const ir::Cond& c : policy.conds) {
    if (c.op == ir::CondOp::CodeIn) used.insert({c.a, Field::Codings});
    if (c.op == ir::CondOp::LabelIn) used.insert({c.a, Field::Labels});
    if (c.op == ir::CondOp::Confidential) {
      used.insert({static_cast<uint32_t>(policy.code_sets.size()), Field::Labels});
    }
  }
  return used;
}

}  // namespace

PolicyTables BuildPolicyTables(const ir::Policy& policy, uint32_t inline_limit) {
  // The SetKeys each code is in, per (field, system).
  std::map<std::pair<Field, std::string>, std::unordered_map<std::string, std::vector<SetKey>>>
      codes;
  auto add = [&](const SetKey& key, const std::string& uri, const std::string& code) {
    if (uri.empty() || code.empty()) return;  // an empty system or code is in no set
    std::vector<SetKey>& keys = codes[{key.second, uri}][code];
    if (keys.empty() || keys.back() != key) keys.push_back(key);
  };
  const uint32_t confidential = static_cast<uint32_t>(policy.code_sets.size());
  for (const SetKey& key : UsedSetKeys(policy)) {  // in order: each code's keys come sorted
    if (key.first == confidential) {
      for (const char* code : {"R", "V"}) add(key, std::string(kConfidentiality), code);
      continue;
    }
    for (const ir::SystemCodes& s : policy.code_sets[key.first].systems) {
      for (const std::string& code : s.codes) add(key, s.uri, code);
    }
  }

  PolicyTables t;
  t.classes.emplace_back();  // class 0: in no set
  std::map<std::vector<SetKey>, uint32_t> class_of;
  uint32_t per_field[2] = {0, 0};
  for (auto& [where, table] : codes) {
    SystemTable st;
    st.field = where.first;
    st.uri = where.second;
    st.index = per_field[static_cast<int>(st.field)]++;
    st.codes.reserve(table.size());
    for (auto& [code, keys] : table) {
      auto [it, added] = class_of.try_emplace(keys, static_cast<uint32_t>(t.classes.size()));
      if (added) t.classes.push_back(keys);
      st.codes.emplace_back(code, it->second);
    }
    std::sort(st.codes.begin(), st.codes.end());
    // Inline compares only for a few codes that the key words hold whole.
    bool short_codes = std::all_of(st.codes.begin(), st.codes.end(),
                                   [](const auto& c) { return c.first.size() <= 16; });
    st.hashed = st.codes.size() > inline_limit || !short_codes;
    t.systems.push_back(std::move(st));
  }
  for (Field f : {Field::Codings, Field::Labels}) {
    std::vector<const SystemTable*> hashed;
    for (const SystemTable& s : t.systems) {
      if (s.field == f && s.hashed) hashed.push_back(&s);
    }
    BuildHash(hashed, t.hashes[static_cast<int>(f)]);
  }
  return t;
}

AgreementAtoms BuildAgreementAtoms(const ir::Policy& policy, ir::AgreementId a,
                                   const PolicyTables& tables) {
  AgreementAtoms t;
  const uint32_t confidential = static_cast<uint32_t>(policy.code_sets.size());
  std::vector<ir::CondId> stack;
  for (ir::RuleId r : policy.Get(a).rules) {
    stack.push_back(policy.Get(r).cond);
    while (!stack.empty()) {
      const ir::Cond& c = policy.Get(stack.back());
      stack.pop_back();
      std::optional<SetKey> key;
      if (c.op == ir::CondOp::CodeIn) key = SetKey{c.a, Field::Codings};
      if (c.op == ir::CondOp::LabelIn) key = SetKey{c.a, Field::Labels};
      if (c.op == ir::CondOp::Confidential) key = SetKey{confidential, Field::Labels};
      if (key && t.atoms.try_emplace(*key, t.atom_count).second) ++t.atom_count;
      for (uint32_t i = c.child_count; i-- > 0;) {
        stack.push_back(policy.children[c.first_child + i]);
      }
    }
  }
  t.words = std::max<uint32_t>(1, (t.atom_count + 63) / 64);
  t.masks.assign(tables.classes.size() * t.words, 0);
  for (size_t c = 0; c < tables.classes.size(); ++c) {
    for (const SetKey& key : tables.classes[c]) {
      auto it = t.atoms.find(key);
      if (it == t.atoms.end()) continue;
      t.masks[c * t.words + it->second / 64] |= uint64_t{1} << (it->second % 64);
    }
  }
  return t;
}

uint32_t Lookup(const PolicyTables& tables, const SystemTable& table, std::string_view code,
                uint32_t* probes) {
  if (code.empty()) return 0;
  if (!table.hashed) {
    auto it = std::lower_bound(table.codes.begin(), table.codes.end(), code,
                               [](const auto& e, std::string_view c) { return e.first < c; });
    return it != table.codes.end() && it->first == code ? it->second : 0;
  }
  const FieldHash& hash = tables.HashOf(table.field);
  KeyWords k = WordsOf(code);
  size_t b = HashCode(table.index, code.data(), code.size()) >> hash.shift;
  for (uint32_t i = hash.buckets[b]; i < hash.buckets[b + 1]; ++i) {
    if (probes != nullptr) ++*probes;
    const Slot& s = hash.slots[i];
    if (s.len == code.size() && s.system == table.index && s.w0 == k.w0 && s.w1 == k.w1 &&
        (code.size() <= 16 ||
         std::memcmp(code.data() + 8, hash.keys.data() + s.key_off + 8, code.size() - 16) == 0)) {
      return s.cls;
    }
  }
  return 0;
}

}  // namespace caldicott::codegen
