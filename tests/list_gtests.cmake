# Run after a test binary is linked (cmake -P, from silverwork_test_suite in
# tests/CMakeLists.txt): writes the binary's GoogleTest tests, one full name
# (Suite.Test, or Instance/Suite.Test/Param) a line, to OUTPUT, which
# tests/ctest_registration.cmake reads when CTest starts.
#   -D BINARY=<test binary> -D OUTPUT=<file> -D WORKING_DIRECTORY=<dir>
#   -D TIMEOUT=<seconds>
cmake_minimum_required(VERSION 3.25)

execute_process(
  COMMAND "${BINARY}" --gtest_list_tests
  WORKING_DIRECTORY "${WORKING_DIRECTORY}"
  TIMEOUT ${TIMEOUT}
  OUTPUT_VARIABLE listing
  ERROR_VARIABLE errors
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  file(REMOVE "${OUTPUT}")
  message(FATAL_ERROR "cannot list the tests of ${BINARY} (exit ${result}):\n${listing}${errors}")
endif()

# `--gtest_list_tests` prints each suite as "Suite." and its tests below it,
# indented by two spaces; parameterised ones end in "  # GetParam() = ...".
string(REPLACE ";" "\\;" listing "${listing}")
string(REPLACE "\n" ";" lines "${listing}")
set(names "")
set(suite "")
foreach(line IN LISTS lines)
  string(REGEX REPLACE " +#.*$" "" line "${line}")
  if(line MATCHES "^  (.+)$")
    if(suite STREQUAL "")
      message(FATAL_ERROR "unexpected line in the test list of ${BINARY}: ${line}")
    endif()
    string(APPEND names "${suite}.${CMAKE_MATCH_1}\n")
  elseif(line MATCHES "^(.+)\\.$")
    set(suite "${CMAKE_MATCH_1}")
  elseif(NOT line STREQUAL "")
    message(FATAL_ERROR "unexpected line in the test list of ${BINARY}: ${line}")
  endif()
endforeach()
if(names STREQUAL "")
  message(FATAL_ERROR "${BINARY} lists no tests")
endif()
file(WRITE "${OUTPUT}" "${names}")
