// Where the benchmarks write their scratch files (a release, an artefact):
// a mkstemp/mkdtemp pattern in $TMPDIR, or /tmp when it is unset or empty.
#ifndef CALDICOTT_BENCH_COMMON_TEMP_PATH_H_
#define CALDICOTT_BENCH_COMMON_TEMP_PATH_H_

#include <cstdlib>
#include <string>
#include <string_view>

namespace caldicott::bench {

inline std::string TempPattern(std::string_view name) {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/" + std::string(name) +
         ".XXXXXX";
}

}  // namespace caldicott::bench

#endif  // CALDICOTT_BENCH_COMMON_TEMP_PATH_H_
