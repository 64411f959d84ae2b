// Internal to bundlegen: civil (proleptic Gregorian) dates as days since
// 1970-01-01, and back.
#ifndef CALDICOTT_TOOLS_BUNDLEGEN_DATES_H_
#define CALDICOTT_TOOLS_BUNDLEGEN_DATES_H_

#include <cstdint>

namespace caldicott::bundlegen::internal {

int64_t DaysFromCivil(int y, unsigned m, unsigned d);

struct Civil {
  int y;
  unsigned m, d;
};
Civil CivilFromDays(int64_t z);

}  // namespace caldicott::bundlegen::internal

#endif  // CALDICOTT_TOOLS_BUNDLEGEN_DATES_H_
