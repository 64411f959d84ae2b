// The contract between the code the compiler emits and the runtime that
// runs it, for C++: the C API's types (caldicott/caldicott.h), the
// signature and symbol names of the decision functions in an object, and
// the names of the entry kinds and statuses (caldicott/kinds.def,
// caldicott/statuses.def). The compiler (ir, interp, codegen) and the
// runtime (native loader, artefacts, FHIR adapter, engine) both depend on
// this target; it depends on nothing.
#ifndef CALDICOTT_RUNTIME_ABI_ABI_H_
#define CALDICOTT_RUNTIME_ABI_ABI_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "caldicott/caldicott.h"

namespace caldicott::abi {

// The signature of every emitted decision function (one per agreement):
// decides `count` entries, writing one decision each, assuming the
// agreement applies to the request. `within` holds the threshold dates of
// ir::WithinInputs(policy, agreement) for this request, in that order.
// Malformed entries are withheld with CALDICOTT_REASON_MALFORMED_ENTRY,
// exactly as the reference interpreter does. Pure: reads only its
// arguments and its own constants, so it is thread-safe and allocates
// nothing.
using DecideFn = void (*)(const caldicott_entry* entries, size_t count,
                          const caldicott_date* within, caldicott_decision* out);

// The symbol of agreement `index`'s decision function in an object.
inline std::string DecideSymbol(uint32_t agreement_index) {
  return "caldicott_decide_" + std::to_string(agreement_index);
}

// The symbol of an object's list of its large constant tables: pairs of
// (address, size in bytes), 16 bytes each, ended by (0, 0). The loader
// asks the kernel to back them with huge pages (fewer TLB misses for an
// agreement of hundreds of thousands of codes). Absent from objects made
// before it existed; the loader then does without.
inline constexpr const char* kLargeTablesSymbol = "caldicott_large_tables";
// Tables of at least this many bytes are listed, and no fewer bytes of
// object code can hold one.
inline constexpr size_t kLargeTableBytes = size_t{2} << 20;

// The spellings of the kinds and statuses, indexed by their C enum value.
inline constexpr std::array<std::string_view, CALDICOTT_KIND_COUNT> kKindSpellings = {
#define CALDICOTT_KIND(ENUM, CamelName, spelling) spelling,
#include "caldicott/kinds.def"
#undef CALDICOTT_KIND
};
inline constexpr std::array<std::string_view, CALDICOTT_STATUS_COUNT> kStatusSpellings = {
#define CALDICOTT_STATUS(ENUM, CamelName, spelling) spelling,
#include "caldicott/statuses.def"
#undef CALDICOTT_STATUS
};

// "problem", ..., "other"; "?" for a value that is no kind.
constexpr std::string_view KindName(uint32_t kind) {
  return kind < kKindSpellings.size() ? kKindSpellings[kind] : "?";
}
// "active", ..., "unknown"; "?" for a value that is no status.
constexpr std::string_view StatusName(uint32_t status) {
  return status < kStatusSpellings.size() ? kStatusSpellings[status] : "?";
}

}  // namespace caldicott::abi

#endif  // CALDICOTT_RUNTIME_ABI_ABI_H_
