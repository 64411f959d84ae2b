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
