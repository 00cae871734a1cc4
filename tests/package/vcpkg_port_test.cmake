# cmake -DSOURCE_DIR=... -DWORK=... [-DFEATURES=storage;c-api] -P vcpkg_port_test.cmake
#
# Runs bindings/vcpkg/ports/sorights/portfile.cmake under a minimal stand-in
# for vcpkg's helper functions (vcpkg itself cannot be installed here), then
# consumes the resulting package tree with find_package(sorights CONFIG) from
# share/sorights, as a vcpkg user would. Release only (no debug pass).
cmake_minimum_required(VERSION 3.21)
file(REMOVE_RECURSE "${WORK}")
set(PORT sorights)
set(VERSION 0.1.0)
set(CURRENT_PACKAGES_DIR "${WORK}/packages/sorights_x64-linux")
set(CURRENT_BUILDTREES_DIR "${WORK}/buildtrees/sorights")
set(VCPKG_LIBRARY_LINKAGE static)
if(NOT DEFINED FEATURES)
  set(FEATURES core storage c-api)
endif()
set(ENV{SORIGHTS_SOURCE_DIR} "${SOURCE_DIR}")

include(${CMAKE_CURRENT_LIST_DIR}/run.cmake)

# -- Stand-ins for the vcpkg helpers the portfile uses -------------------------------
function(vcpkg_from_github)
  message(FATAL_ERROR "the test must use SORIGHTS_SOURCE_DIR, not download")
endfunction()
function(vcpkg_check_features)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "OUT_FEATURE_OPTIONS" "FEATURES")
  set(out)
  list(LENGTH arg_FEATURES n)
  math(EXPR last "${n} - 1")
  foreach(i RANGE 0 ${last} 2)
    math(EXPR j "${i} + 1")
    list(GET arg_FEATURES ${i} feature)
    list(GET arg_FEATURES ${j} var)
    if(feature IN_LIST FEATURES)
      list(APPEND out "-D${var}=ON")
    else()
      list(APPEND out "-D${var}=OFF")
    endif()
  endforeach()
  set(${arg_OUT_FEATURE_OPTIONS} "${out}" PARENT_SCOPE)
endfunction()
function(vcpkg_cmake_configure)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "SOURCE_PATH" "OPTIONS")
  sorights_run(${CMAKE_COMMAND} -S "${arg_SOURCE_PATH}" -B "${CURRENT_BUILDTREES_DIR}/rel" -G Ninja
       -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=${CURRENT_PACKAGES_DIR}
       -DBUILD_SHARED_LIBS=OFF ${arg_OPTIONS})
endfunction()
function(vcpkg_cmake_install)
  sorights_run(${CMAKE_COMMAND} --build "${CURRENT_BUILDTREES_DIR}/rel")
  sorights_run(${CMAKE_COMMAND} --install "${CURRENT_BUILDTREES_DIR}/rel")
endfunction()
function(vcpkg_cmake_config_fixup)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "PACKAGE_NAME;CONFIG_PATH" "")
  if(NOT EXISTS "${CURRENT_PACKAGES_DIR}/${arg_CONFIG_PATH}/sorights-config.cmake")
    message(FATAL_ERROR "no sorights-config.cmake in ${arg_CONFIG_PATH}")
  endif()
  # vcpkg moves CONFIG_PATH to share/<name>; the portfile already installs there.
endfunction()
function(vcpkg_fixup_pkgconfig)
  file(GLOB pcs "${CURRENT_PACKAGES_DIR}/lib/pkgconfig/*.pc")
  if(NOT pcs)
    message(FATAL_ERROR "no .pc files installed")
  endif()
endfunction()
function(vcpkg_copy_tools)
endfunction()
function(vcpkg_install_copyright)
endfunction()

include("${SOURCE_DIR}/bindings/vcpkg/ports/sorights/portfile.cmake")

foreach(f share/sorights/sorights-config.cmake share/sorights/sorights-targets.cmake share/sorights/usage
          share/sorights/copyright include/sorights/sorights.hpp lib/libsorights.a)
  if(NOT EXISTS "${CURRENT_PACKAGES_DIR}/${f}")
    message(FATAL_ERROR "the port did not install ${f}")
  endif()
endforeach()
if(EXISTS "${CURRENT_PACKAGES_DIR}/bin")
  message(FATAL_ERROR "a static port must not ship bin/ without the tools feature")
endif()

# A vcpkg consumer: CMAKE_PREFIX_PATH = the installed tree.
sorights_run(${CMAKE_CTEST_COMMAND} --build-and-test "${SOURCE_DIR}/tests/package/find_package" "${WORK}/consumer"
     --build-generator Ninja
     --build-options -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${CURRENT_PACKAGES_DIR}
                     -DEXPECTED_PREFIX=${CURRENT_PACKAGES_DIR} -DEXPECT_STORAGE=ON -DEXPECT_C=ON
     --test-command ${CMAKE_CTEST_COMMAND} --output-on-failure)
message(STATUS "vcpkg port: ok (${CURRENT_PACKAGES_DIR})")
