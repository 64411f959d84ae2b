// Internal to bundlegen: its days (int64_t, since 1970-01-01) as calendar
// dates.
#ifndef CALDICOTT_TOOLS_BUNDLEGEN_DATES_H_
#define CALDICOTT_TOOLS_BUNDLEGEN_DATES_H_

#include <cstdint>

#include "compiler/base/date.h"

namespace caldicott::bundlegen::internal {

inline base::CivilDate Civil(int64_t days) {
  return base::CivilFromDays(static_cast<int32_t>(days));
}

}  // namespace caldicott::bundlegen::internal

#endif  // CALDICOTT_TOOLS_BUNDLEGEN_DATES_H_
