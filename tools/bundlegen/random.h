// Internal to bundlegen: its pseudo-random numbers, and the resource ids
// drawn from them.
#ifndef CALDICOTT_TOOLS_BUNDLEGEN_RANDOM_H_
#define CALDICOTT_TOOLS_BUNDLEGEN_RANDOM_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

namespace caldicott::bundlegen::internal {

// splitmix64: the same numbers on every platform and standard library.
struct Rng {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(Next() % n); }
  int Between(int lo, int hi) {
    return lo + static_cast<int>(Below(static_cast<uint32_t>(hi - lo + 1)));
  }
  bool Percent(uint32_t p) { return Below(100) < p; }
  bool PerMille(uint32_t p) { return Below(1000) < p; }
  // An item of `items` (an array or a vector, not empty).
  template <class Items>
  const auto& Pick(const Items& items) {
    return items[Below(static_cast<uint32_t>(std::size(items)))];
  }
  // An item of `items` (not empty) by its `weight`.
  template <class Items>
  const auto& Weighted(const Items& items) {
    int total = 0;
    for (const auto& t : items) total += t.weight;
    int w = static_cast<int>(Below(static_cast<uint32_t>(total)));
    for (const auto& t : items) {
      if (w < t.weight) return t;
      w -= t.weight;
    }
    return items[std::size(items) - 1];
  }
};

// A resource id: a version 4 UUID.
struct Id {
  std::array<char, 36> text;
  std::string_view view() const { return {text.data(), text.size()}; }
};

inline Id NewId(Rng& rng) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t hi = rng.Next(), lo = rng.Next();
  hi = (hi & ~0xF000ull) | 0x4000ull;                  // version 4
  lo = (lo & ~(0xC000ull << 48)) | (0x8000ull << 48);  // variant 10
  Id id;
  size_t p = 0;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) id.text[p++] = '-';
    uint64_t word = i < 16 ? hi : lo;
    int shift = 60 - 4 * (i % 16);
    id.text[p++] = kHex[(word >> shift) & 0xF];
  }
  return id;
}

}  // namespace caldicott::bundlegen::internal

#endif  // CALDICOTT_TOOLS_BUNDLEGEN_RANDOM_H_
