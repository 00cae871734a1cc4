# cmake -DPYTHON=... -DBUILD_DIR=... -DWORK=... [-DCONFIG=...] [-DPRELOAD=<asan runtime>] -P python_import.cmake
# Installs the Python package (component python) into a fresh virtual
# environment made from the interpreter that built it, and imports it with that
# environment's interpreter, PYTHONPATH unset: the install layout must be one
# the interpreter searches by itself.
file(REMOVE_RECURSE "${WORK}")
execute_process(COMMAND "${PYTHON}" -m venv --without-pip "${WORK}/venv"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "python -m venv failed (${rc}):\n${out}")
endif()
set(_config)
if(CONFIG)
  set(_config --config ${CONFIG})
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${WORK}/venv" --component python ${_config}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install --component python failed (${rc}):\n${out}")
endif()
set(_env)
if(PRELOAD)   # a sanitized module in an unsanitized interpreter
  set(_env "LD_PRELOAD=${PRELOAD}" "ASAN_OPTIONS=detect_leaks=0")
endif()
set(_check "import os, sys, sorights; p = os.path.realpath(sorights.__file__); \
root = os.path.realpath(sys.argv[1]); \
assert p.startswith(root + os.sep), p; \
m = sorights.Model.with_defaults(); s = m.compile(); \
print('imported', sorights.__version__, 'from', p)")
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=PYTHONPATH --unset=PYTHONHOME --unset=PYTHONUSERBASE ${_env}
                        "${WORK}/venv/bin/python" -c "${_check}" "${WORK}/venv"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  file(GLOB_RECURSE _installed RELATIVE "${WORK}/venv" "${WORK}/venv/*__init__.py")
  message(FATAL_ERROR "import sorights failed in a venv it was installed into (${rc}):\n${out}\n"
                      "installed: ${_installed}")
endif()
message(STATUS "${out}")
