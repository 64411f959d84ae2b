# Helpers shared by every target of our own (not the generated parser).

# Warnings are errors on our code. Generated and third-party code is compiled
# without this.
function(caldicott_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
endfunction()

# caldicott_library(NAME SOURCES... [DEPS ...] [PRIVATE_DEPS ...])
# One static library per compiler phase, include root at the repository top so
# that headers are named by their path: #include "compiler/parse/parse.h".
function(caldicott_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  caldicott_warnings(${name})
endfunction()

# caldicott_test(NAME SOURCES... DEPS ...): a GoogleTest binary whose tests
# CTest discovers one by one. Unit tests live beside the code they test.
function(caldicott_test name)
  if(NOT CALDICOTT_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest_main GTest::gmock)
  caldicott_warnings(${name})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
    PROPERTIES ENVIRONMENT "CALDICOTT_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
