# vcpkg port for sorights: builds with the project's own CMake and keeps its
# own installed sorights-config.cmake / .pc files (the layout tests/package
# checks), moved to vcpkg's share/sorights by vcpkg_cmake_config_fixup.
#
# Sources: an overlay build from a checkout sets SORIGHTS_SOURCE_DIR (see
# usage in docs/getting-started.md); otherwise the release tarball is fetched.
if(DEFINED ENV{SORIGHTS_SOURCE_DIR})
  set(SOURCE_PATH "$ENV{SORIGHTS_SOURCE_DIR}")
elseif(EXISTS "${CMAKE_CURRENT_LIST_DIR}/../../../../CMakeLists.txt")
  # The port inside the sorights repository (bindings/vcpkg/ports/sorights).
  get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../../../.." ABSOLUTE)
else()
  vcpkg_from_github(
    OUT_SOURCE_PATH SOURCE_PATH
    REPO sorights/sorights
    REF "v${VERSION}"
    SHA512 0  # set when the release is tagged
    HEAD_REF main)
endif()

vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS
  FEATURES
    storage SORIGHTS_BUILD_TOOLS
    c-api   SORIGHTS_BUILD_C_API
    postgres SORIGHTS_BUILD_POSTGRES
    python  SORIGHTS_BUILD_PYTHON)

vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    ${FEATURE_OPTIONS}
    -DSORIGHTS_INSTALL=ON
    -DSORIGHTS_BUILD_TESTS=OFF
    -DSORIGHTS_BUILD_EXAMPLES=OFF
    -DSORIGHTS_BUILD_BENCHMARKS=OFF
    -DSORIGHTS_INSTALL_CMAKEDIR=share/sorights)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(PACKAGE_NAME sorights CONFIG_PATH share/sorights)
vcpkg_fixup_pkgconfig()

if("tools" IN_LIST FEATURES)
  vcpkg_copy_tools(TOOL_NAMES sorights AUTO_CLEAN)
else()
  file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/bin" "${CURRENT_PACKAGES_DIR}/debug/bin")
endif()
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug/include" "${CURRENT_PACKAGES_DIR}/debug/share")
if(VCPKG_LIBRARY_LINKAGE STREQUAL "static")
  file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/bin" "${CURRENT_PACKAGES_DIR}/debug/bin")
endif()

file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
if(EXISTS "${SOURCE_PATH}/LICENSE")
  vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
else()
  file(WRITE "${CURRENT_PACKAGES_DIR}/share/${PORT}/copyright" "sorights: see the project for licence terms.\n")
endif()
