# cmake -DBUILD_DIR=... -DPREFIX=... -DMOVED=... [-DCONFIG=...] -P install_and_move.cmake
# Installs the build tree into PREFIX, then moves PREFIX to MOVED: the
# consumers use MOVED, which proves the installed package is relocatable.
file(REMOVE_RECURSE "${PREFIX}" "${MOVED}")
set(_config)
if(CONFIG)
  set(_config --config ${CONFIG})
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${PREFIX}" ${_config}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${rc}):\n${out}")
endif()
file(RENAME "${PREFIX}" "${MOVED}")
foreach(f lib/cmake/sorights/sorights-config.cmake lib/cmake/sorights/sorights-config-version.cmake
          lib/cmake/sorights/sorights-targets.cmake lib/pkgconfig/sorights.pc include/sorights/sorights.hpp)
  if(NOT EXISTS "${MOVED}/${f}")
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
# Nothing installed may name the original prefix or the build tree.
file(GLOB_RECURSE _files "${MOVED}/lib/cmake/*" "${MOVED}/lib/pkgconfig/*")
foreach(f IN LISTS _files)
  file(READ "${f}" _text)
  foreach(bad "${PREFIX}" "${BUILD_DIR}")
    string(FIND "${_text}" "${bad}" _at)
    if(NOT _at EQUAL -1)
      message(FATAL_ERROR "${f} names ${bad}: not relocatable")
    endif()
  endforeach()
endforeach()
message(STATUS "installed and moved to ${MOVED}")
