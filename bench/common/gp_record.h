// What the benchmarks decide: entries in the proportions of a GP record,
// drawn deterministically. Shared by decide_bench, scale_bench and the
// Cedar peer (bench/cedar), so that they decide the same mix.
#ifndef CALDICOTT_BENCH_COMMON_GP_RECORD_H_
#define CALDICOTT_BENCH_COMMON_GP_RECORD_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <span>

#include "caldicott/caldicott.h"
#include "tools/bundlegen/random.h"

namespace caldicott::bench {

inline constexpr const char* kSnomed = "http://snomed.info/sct";
inline constexpr const char* kConfidentiality =
    "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
inline constexpr const char* kActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

// One clinical item: what one entry records, as two or three SNOMED CT
// concepts of the demonstration schema (the concept recorded, then broader
// or related concepts a record also carries for it).
struct Item {
  caldicott_kind kind;
  int weight;  // relative frequency within its kind
  std::array<const char*, 3> codes;
  const char* label;  // an ActCode sensitivity label it is sometimes recorded with, or nullptr
};

// The items, by kind: diabetes and its complications, feet and legs,
// arthritis, long-term conditions no agreement names, mental health,
// substance misuse, sexual health, safeguarding; allergies, medication,
// observations, procedures, encounters, documents, referrals, ...
std::span<const Item> Items();

// splitmix64 (bundlegen's): a batch depends only on its seed, on every
// platform.
using Rng = bundlegen::internal::Rng;

// A kind in the proportions of a GP record (a quarter medication, a quarter
// observations, a sixth problems, an eighth encounters, ...).
caldicott_kind DrawKind(Rng& rng);

// An item of `kind`, by weight.
const Item& DrawItem(Rng& rng, caldicott_kind kind);

// A status for an entry of `kind`: problems 55% active, allergies 90%
// active, medication 35% current; the rest unknown.
uint32_t DrawStatus(Rng& rng, caldicott_kind kind);

// A date between 2005-01-01 and 2026-05-31, recent ones the commoner (the
// later of two uniform dates); `undated_percent` in 100 have none.
caldicott_date DrawDate(Rng& rng, uint32_t undated_percent);

inline caldicott_coding Coding(const char* system, const char* code) {
  return {system, std::strlen(system), code, std::strlen(code)};
}

}  // namespace caldicott::bench

#endif  // CALDICOTT_BENCH_COMMON_GP_RECORD_H_
