# Sanitizer builds (docs/sanitizers.md).
#
#   cmake -S . -B build-asan -DCALDICOTT_SANITIZE=address,undefined
#   cmake -S . -B build-tsan -DCALDICOTT_SANITIZE=thread
#
# The options are added globally (add_compile_options / add_link_options), so
# the top-level CMakeLists.txt includes this file before any add_subdirectory:
# every target of the tree, ours and the generated parser alike, is
# instrumented. Libraries from the system (libstdc++, the ANTLR runtime,
# GoogleTest, fmt, simdjson, libLLVM) are not; ASan and UBSan do not need
# them to be, and TSan sees their synchronisation through the pthread
# interceptors (cmake/tsan.supp lists what it cannot see).
#
# A finding must fail the test that provoked it, so nothing recovers:
# -fno-sanitize-recover=all makes every UBSan report fatal, as ASan's are
# already. (TSan reports and exits with status 66 at the end; the Makefile's
# test-tsan sets halt_on_error. test-asan and test-tsan also set
# abort_on_error, so that a lit test expecting a non-zero exit status cannot
# mistake a finding for it.)

set(CALDICOTT_SANITIZE "" CACHE STRING
  "Sanitizers for every target: empty (none), address,undefined, or thread")
set_property(CACHE CALDICOTT_SANITIZE PROPERTY STRINGS
  "" "address,undefined" "address" "undefined" "thread")

if(NOT CALDICOTT_SANITIZE)
  return()
endif()

if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  message(FATAL_ERROR "CALDICOTT_SANITIZE needs GCC or Clang, not ${CMAKE_CXX_COMPILER_ID}")
endif()

string(REPLACE "," ";" _caldicott_sanitizers "${CALDICOTT_SANITIZE}")
foreach(s IN LISTS _caldicott_sanitizers)
  if(NOT s MATCHES "^(address|undefined|thread)$")
    message(FATAL_ERROR "CALDICOTT_SANITIZE: unknown sanitizer `${s}` "
                        "(use address,undefined or thread)")
  endif()
endforeach()
if("thread" IN_LIST _caldicott_sanitizers AND "address" IN_LIST _caldicott_sanitizers)
  message(FATAL_ERROR "CALDICOTT_SANITIZE: thread and address cannot be combined")
endif()

set(_caldicott_sanitize_flags -fsanitize=${CALDICOTT_SANITIZE})
if("undefined" IN_LIST _caldicott_sanitizers)
  # Not part of GCC's `undefined` group, but undefined behaviour in C++: a
  # floating-point value converted to an integer type that cannot hold it.
  # (float-divide-by-zero is left out: IEEE 754 defines it.)
  list(APPEND _caldicott_sanitize_flags -fsanitize=float-cast-overflow)
endif()

# Everything compiles with RTTI (CMake's default), which -fsanitize=vptr
# needs; Debian's libLLVM is built with RTTI too, so the check also works on
# LLVM's objects. The code the LLVM backend emits (JIT or artefact) is not
# instrumented at all. GCC has no -fsanitize=function; Clang's (part of
# `undefined` since Clang 17) checks a signature in front of the callee,
# which JIT-compiled decision functions do not have, so it is turned off.
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang" AND "undefined" IN_LIST _caldicott_sanitizers)
  list(APPEND _caldicott_sanitize_flags -fno-sanitize=function)
endif()
#
# Our targets compile with -Werror (cmake/CaldicottTargets.cmake), and GCC
# warns falsely about the instrumented code: with -fsanitize=address,undefined
# g++ 12 reports -Wmaybe-uninitialized inside libstdc++ (<regex>'s
# std::function moves, in compiler/check/check.cpp). GCC's manual says as
# much ("sanitizers tend to increase the rate of false positive warnings,
# most notably those around -Wmaybe-uninitialized"). The ordinary build keeps
# that warning as an error; sanitizer builds do not look for it. (A specific
# -Wno-... wins over -Wall/-Wextra wherever it stands on the command line.)
add_compile_options(${_caldicott_sanitize_flags}
                    -fno-omit-frame-pointer -fno-sanitize-recover=all
                    -Wno-maybe-uninitialized)
add_link_options(${_caldicott_sanitize_flags})

# Fail at configure time, with the reason, when the toolchain cannot build
# and link an instrumented program (g++ ships libasan, libubsan and libtsan
# as libasan8, libubsan1 and libtsan2).
include(CheckCXXSourceCompiles)
set(CMAKE_REQUIRED_FLAGS "${_caldicott_sanitize_flags}")
string(REPLACE ";" " " CMAKE_REQUIRED_FLAGS "${CMAKE_REQUIRED_FLAGS}")
set(CMAKE_REQUIRED_LINK_OPTIONS ${_caldicott_sanitize_flags})
string(MAKE_C_IDENTIFIER "CALDICOTT_SANITIZE_WORKS_${CALDICOTT_SANITIZE}" _caldicott_works)
check_cxx_source_compiles("int main() { return 0; }" ${_caldicott_works})
unset(CMAKE_REQUIRED_FLAGS)
unset(CMAKE_REQUIRED_LINK_OPTIONS)
if(NOT ${_caldicott_works})
  message(FATAL_ERROR "CALDICOTT_SANITIZE=${CALDICOTT_SANITIZE}: the compiler cannot build "
                      "and link with ${_caldicott_sanitize_flags} (is its sanitizer runtime installed?)")
endif()
string(REPLACE ";" " " _caldicott_shown "${_caldicott_sanitize_flags}")
message(STATUS "Sanitizers: ${_caldicott_shown}")
