# Included by the -P test scripts: sorights_run(<command...>) runs a command
# and stops the script with its output when it fails.
macro(sorights_run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGN}\n${_out}")
  endif()
endmacro()
