# caldicott_fetch_npm(SPEC SHA256 OUT_DIR_VAR)
#
# Fetches an npm package at a pinned version (`npm pack NAME@VERSION`) into
# the build tree at configure time, checks the tarball's SHA-256, unpacks it,
# and sets OUT_DIR_VAR to the unpacked `package/` directory. Nothing fetched
# is ever committed. A second configure reuses what is there.
function(caldicott_fetch_npm spec sha256 out_var)
  string(MAKE_C_IDENTIFIER "${spec}" id)
  set(dir ${CMAKE_BINARY_DIR}/_npm/${id})
  if(NOT EXISTS ${dir}/package/package.json)
    find_program(NPM_EXECUTABLE npm REQUIRED)
    file(REMOVE_RECURSE ${dir})
    file(MAKE_DIRECTORY ${dir})
    message(STATUS "Fetching ${spec} from the npm registry")
    execute_process(
      COMMAND ${NPM_EXECUTABLE} pack ${spec} --silent
      WORKING_DIRECTORY ${dir}
      RESULT_VARIABLE rc OUTPUT_VARIABLE tarball ERROR_VARIABLE err
      OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "npm pack ${spec} failed: ${err}")
    endif()
    file(SHA256 ${dir}/${tarball} actual)
    if(NOT actual STREQUAL sha256)
      message(FATAL_ERROR "${spec}: SHA-256 ${actual} is not the pinned ${sha256}")
    endif()
    file(ARCHIVE_EXTRACT INPUT ${dir}/${tarball} DESTINATION ${dir})
    file(REMOVE ${dir}/${tarball})
  endif()
  set(${out_var} ${dir}/package PARENT_SCOPE)
endfunction()
