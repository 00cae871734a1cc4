# sorights_cli_cases(SCRIPT driver.py PREFIX "name: " LABEL label TIMEOUT seconds CASES case...)
# One CTest test "PREFIX CASE" per CASE of a Python driver that runs the
# `sorights` binary on the demo model (tests/support/cases.py).
find_package(Python3 COMPONENTS Interpreter REQUIRED)

function(sorights_cli_cases)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "SCRIPT;PREFIX;LABEL;TIMEOUT" "CASES")
  foreach(case IN LISTS arg_CASES)
    add_test(NAME "${arg_PREFIX}${case}"
             COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/${arg_SCRIPT}
                     $<TARGET_FILE:sorights_cli> ${PROJECT_SOURCE_DIR}/examples/demo-model.json ${case})
    set_tests_properties("${arg_PREFIX}${case}" PROPERTIES LABELS ${arg_LABEL} TIMEOUT ${arg_TIMEOUT})
  endforeach()
endfunction()
