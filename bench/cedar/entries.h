// The entries that Caldicott and the Cedar peer both decide (bench/cedar).
//
// A deterministic batch in the proportions of a GP record, built the way
// bench/decide_bench.cpp builds its batch: the kind by frequency, then a
// clinical item of that kind by weight, each with two or three SNOMED CT
// codings from the demonstration schema (codes in the groups the agreements
// name and codes in no group), some with an ICD-10 or Read v2 coding as
// well, some with security labels, and some without a date. The batch
// depends only on the count and the seed.
#ifndef CALDICOTT_BENCH_CEDAR_ENTRIES_H_
#define CALDICOTT_BENCH_CEDAR_ENTRIES_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "caldicott/caldicott.h"

namespace caldicott::cedar {

struct Batch {
  std::vector<caldicott_coding> codings;  // reserved up front: entries point into it
  std::vector<caldicott_entry> entries;
};

Batch MakeBatch(size_t count, uint64_t seed);

// The options both tools take: the request, the batch, the sources.
struct CommonArgs {
  std::string agreement, role, at;
  size_t entries = 4096;
  uint64_t seed = 20261125;
  std::vector<std::string> files;
};

// Takes `arg` into `a` when it is one of the common options (`value()`
// gives the option's value) or a file. False for any other `--` option.
bool ParseCommonArg(std::string_view arg, const std::function<std::string()>& value, CommonArgs& a);

// "system|code": the element of a Cedar set for one coding or label. A
// system URI contains no `|`, so this is exact.
std::string CodingKey(std::string_view system, std::string_view code);

// Entry `index` as a Cedar entity in the JSON entity format: uid
// Entry::"e<index>", attributes kind, status, dated, date (days since
// 1970-01-01; 0 when undated), codes and labels (sets of "system|code").
void WriteEntity(std::ostream& out, size_t index, const caldicott_entry& e);

}  // namespace caldicott::cedar

#endif  // CALDICOTT_BENCH_CEDAR_ENTRIES_H_
