# cmake -DSOURCE_DIR=... -DWORK=... -DGENERATOR=... -DCONSUMER=... -DOPTIONS=... -P shared_test.cmake
# Builds the core + C API as shared libraries, installs them, moves the prefix
# and runs the find_package consumer against it.
file(REMOVE_RECURSE "${WORK}")
include(${CMAKE_CURRENT_LIST_DIR}/run.cmake)
sorights_run(${CMAKE_COMMAND} -S "${SOURCE_DIR}" -B "${WORK}/build" -G "${GENERATOR}" ${OPTIONS}
    -DBUILD_SHARED_LIBS=ON -DSORIGHTS_BUILD_TESTS=OFF -DSORIGHTS_BUILD_EXAMPLES=OFF
    -DSORIGHTS_BUILD_TOOLS=OFF -DSORIGHTS_INSTALL=ON)
sorights_run(${CMAKE_COMMAND} --build "${WORK}/build")
sorights_run(${CMAKE_COMMAND} --install "${WORK}/build" --prefix "${WORK}/prefix")
file(RENAME "${WORK}/prefix" "${WORK}/moved")
sorights_run(${CMAKE_CTEST_COMMAND} --build-and-test "${CONSUMER}" "${WORK}/consumer" --build-generator "${GENERATOR}"
    --build-options ${OPTIONS} -DCMAKE_PREFIX_PATH=${WORK}/moved -DEXPECTED_PREFIX=${WORK}/moved -DEXPECT_C=ON
    --test-command ${CMAKE_CTEST_COMMAND} --output-on-failure)
file(GLOB _so "${WORK}/moved/lib/libsorights.so*")
if(NOT _so)
  message(FATAL_ERROR "no libsorights.so installed")
endif()
message(STATUS "shared: ok (${_so})")
