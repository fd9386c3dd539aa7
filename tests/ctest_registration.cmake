# Included by CTest (each suite's TEST_INCLUDE_FILES, written by
# silverwork_test_suite in tests/CMakeLists.txt): registers the GoogleTest
# tests that tests/list_gtests.cmake listed when the binary was linked.
#
# With PER_SUITE on, one CTest test runs each GoogleTest suite in one process
# (`Suite.*`, named so): an ASan test binary takes about 0.1 s of CPU to
# start and stop, which a thousand one-test processes pay a thousand times.
# A failure's output names the failing Suite.Test; to run one test, give the
# binary --gtest_filter (docs/testing.md). With PER_SUITE off, one CTest test
# per GoogleTest test, named Suite.Test.

# The regular expression for one pattern of a --gtest_filter: * is any run
# of characters, ? any one, the rest literal.
function(silverwork_filter_pattern_regex pattern out)
  string(REGEX REPLACE "([][.+^$|(){}\\\\])" "\\\\\\1" regex "${pattern}")
  string(REPLACE "*" ".*" regex "${regex}")
  string(REPLACE "?" "." regex "${regex}")
  set(${out} "^${regex}$" PARENT_SCOPE)
endfunction()

# Sets OUT to TRUE when NAME passes FILTER, a --gtest_filter: positive
# patterns, then optionally `-` and negative ones, each list `:`-separated.
function(silverwork_passes_filter name filter out)
  set(positive "${filter}")
  set(negative "")
  string(FIND "${filter}" "-" dash)
  if(dash GREATER_EQUAL 0)
    string(SUBSTRING "${filter}" 0 ${dash} positive)
    math(EXPR after "${dash} + 1")
    string(SUBSTRING "${filter}" ${after} -1 negative)
  endif()
  if(positive STREQUAL "")
    set(positive "*")
  endif()
  set(${out} FALSE PARENT_SCOPE)
  string(REPLACE ":" ";" positive "${positive}")
  set(included FALSE)
  foreach(pattern IN LISTS positive)
    silverwork_filter_pattern_regex("${pattern}" regex)
    if(name MATCHES "${regex}")
      set(included TRUE)
      break()
    endif()
  endforeach()
  if(NOT included)
    return()
  endif()
  string(REPLACE ":" ";" negative "${negative}")
  foreach(pattern IN LISTS negative)
    silverwork_filter_pattern_regex("${pattern}" regex)
    if(name MATCHES "${regex}")
      return()
    endif()
  endforeach()
  set(${out} TRUE PARENT_SCOPE)
endfunction()

# silverwork_register_gtests(BINARY <path> LIST_FILE <file> [PREFIX <text>]
#   [FILTER <--gtest_filter>] [PER_SUITE ON|OFF] WORKING_DIRECTORY <dir>
#   TEST_TIMEOUT <s> SUITE_TIMEOUT <s> [PROPERTIES <property> <value>...])
function(silverwork_register_gtests)
  cmake_parse_arguments(PARSE_ARGV 0 arg ""
    "BINARY;LIST_FILE;PREFIX;FILTER;PER_SUITE;WORKING_DIRECTORY;TEST_TIMEOUT;SUITE_TIMEOUT"
    "PROPERTIES")
  file(STRINGS "${arg_LIST_FILE}" names)
  set(suites "")
  foreach(name IN LISTS names)
    string(REGEX REPLACE "\\.[^.]*$" "" suite "${name}")
    string(MAKE_C_IDENTIFIER "${suite}" key)
    if(NOT DEFINED "all_${key}")
      list(APPEND suites "${suite}")
      set("all_${key}" 0)
      set("chosen_${key}" "")
    endif()
    math(EXPR "all_${key}" "${all_${key}} + 1")
    set(passes TRUE)
    if(NOT arg_FILTER STREQUAL "")
      silverwork_passes_filter("${name}" "${arg_FILTER}" passes)
    endif()
    if(passes)
      list(APPEND "chosen_${key}" "${name}")
    endif()
  endforeach()

  foreach(suite IN LISTS suites)
    string(MAKE_C_IDENTIFIER "${suite}" key)
    set(chosen "${chosen_${key}}")
    list(LENGTH chosen count)
    if(count EQUAL 0)
      continue()
    endif()
    if(arg_PER_SUITE)
      if(count EQUAL all_${key})
        set(filter "${suite}.*")
      else()
        list(JOIN chosen ":" filter)
      endif()
      set(units "${arg_PREFIX}${suite}.*=${filter}")
      set(timeout ${arg_SUITE_TIMEOUT})
    else()
      set(units "")
      foreach(name IN LISTS chosen)
        list(APPEND units "${arg_PREFIX}${name}=${name}")
      endforeach()
      set(timeout ${arg_TEST_TIMEOUT})
    endif()
    foreach(unit IN LISTS units)
      string(FIND "${unit}" "=" equals)
      string(SUBSTRING "${unit}" 0 ${equals} test_name)
      math(EXPR after "${equals} + 1")
      string(SUBSTRING "${unit}" ${after} -1 filter)
      add_test("${test_name}" "${arg_BINARY}" "--gtest_filter=${filter}")
      set_tests_properties("${test_name}" PROPERTIES WORKING_DIRECTORY "${arg_WORKING_DIRECTORY}"
                           TIMEOUT ${timeout} ${arg_PROPERTIES})
    endforeach()
  endforeach()
endfunction()
