# -----------------------------------------------------------------------------
# SorightsInstall.cmake — `cmake --install` layout and the CMake / pkg-config
# packages. Included by the top-level CMakeLists.txt after every target exists.
#
#   include/sorights/*.hpp, detail/     (+ storage/, postgres/ with their libraries;
#                                     sorights.h, the C API)
#   lib/libsorights.a | .so           (+ libsorights_storage, _postgres, _c)
#   lib/cmake/sorights/sorights-config.cmake, -config-version.cmake,
#                      sorights-targets.cmake (+ -<config>.cmake)
#   lib/pkgconfig/sorights.pc, sorights-header-only.pc, sorights-c.pc
#                  (+ sorights-storage.pc, sorights-postgres.pc)
#   bin/sorights                      (the command line, when built)
#
# Everything is relative to the prefix (relocatable): the CMake files use
# `PACKAGE_PREFIX_DIR`/`_IMPORT_PREFIX`, the .pc files use `${pcfiledir}`.
# -----------------------------------------------------------------------------
include(CMakePackageConfigHelpers)

set(SORIGHTS_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/sorights"
    CACHE STRING "Where sorights-config.cmake is installed (relative to the prefix)")
set(SORIGHTS_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig"
    CACHE STRING "Where the sorights .pc files are installed (relative to the prefix)")

# -- Which targets are exported -------------------------------------------------
# sorights::header_only and sorights::sorights always; sorights::storage,
# sorights::postgres and sorights::c when those parts were configured.
option(SORIGHTS_INSTALL_HEADER_ONLY
  "Install only the headers and sorights::header_only (no libraries; Conan/vcpkg header_only)" OFF)
set(_sorights_export_targets sorights_header_only sorights)
set(_sorights_components header_only sorights)
if(TARGET sorights_report AND NOT SORIGHTS_INSTALL_HEADER_ONLY)
  list(APPEND _sorights_export_targets sorights_report)
  list(APPEND _sorights_components report)
endif()
if(SORIGHTS_INSTALL_HEADER_ONLY)
  set(_sorights_export_targets sorights_header_only)
  set(_sorights_components header_only)
elseif(TARGET sorights_storage)
  list(APPEND _sorights_export_targets sorights_storage)
  list(APPEND _sorights_components storage)
endif()
if(TARGET sorights_postgres AND NOT SORIGHTS_INSTALL_HEADER_ONLY)
  list(APPEND _sorights_export_targets sorights_postgres)
  list(APPEND _sorights_components postgres)
endif()
if(TARGET sorights_c AND NOT SORIGHTS_INSTALL_HEADER_ONLY)
  list(APPEND _sorights_export_targets sorights_c)
  list(APPEND _sorights_components c)
endif()

# -- Headers ----------------------------------------------------------------------
# include/sorights/<library>/ holds the public headers of sorights::<library>
# and is installed with it, only when that library is exported; the core
# installs every other header. Until they go away (0.2), the forwarding
# headers of the old flat layout are installed with their library too.
set(_sorights_headers_storage storage model_file.hpp snapshot_file.hpp sqlite_store.hpp)
set(_sorights_headers_postgres postgres postgres_store.hpp)
set(_sorights_headers_console console)   # internal: the `sorights serve` console
set(_sorights_inc ${PROJECT_SOURCE_DIR}/include/sorights)
set(_sorights_claimed)
foreach(lib storage postgres console)
  list(APPEND _sorights_claimed ${_sorights_headers_${lib}})
  if(NOT "sorights_${lib}" IN_LIST _sorights_export_targets)
    continue()
  endif()
  list(POP_FRONT _sorights_headers_${lib} _folder)
  install(DIRECTORY ${_sorights_inc}/${_folder} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sorights
          COMPONENT devel FILES_MATCHING PATTERN "*.hpp")
  list(TRANSFORM _sorights_headers_${lib} PREPEND ${_sorights_inc}/)
  install(FILES ${_sorights_headers_${lib}} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sorights COMPONENT devel)
endforeach()
file(GLOB _sorights_entries LIST_DIRECTORIES true RELATIVE ${_sorights_inc} ${_sorights_inc}/*)
foreach(e IN LISTS _sorights_entries)
  if(e IN_LIST _sorights_claimed)
    continue()
  elseif(IS_DIRECTORY ${_sorights_inc}/${e})
    install(DIRECTORY ${_sorights_inc}/${e} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sorights
            COMPONENT devel FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h")
  else()
    install(FILES ${_sorights_inc}/${e} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sorights COMPONENT devel)
  endif()
endforeach()
if("sorights_c" IN_LIST _sorights_export_targets)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/bindings/c/include/sorights
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT devel FILES_MATCHING PATTERN "*.h")
endif()

# -- Libraries and the export set ---------------------------------------------------
# Shared libraries find each other (libsorights_c.so -> libsorights.so) and the
# command line finds them, wherever the prefix is moved: $ORIGIN-relative RPATHs.
if(BUILD_SHARED_LIBS)
  foreach(t IN LISTS _sorights_export_targets)
    get_target_property(_type ${t} TYPE)
    get_target_property(_rpath ${t} INSTALL_RPATH)
    if(_type STREQUAL "SHARED_LIBRARY" AND NOT _rpath)
      set_target_properties(${t} PROPERTIES INSTALL_RPATH "$ORIGIN")
    endif()
  endforeach()
endif()
install(TARGETS ${_sorights_export_targets} EXPORT sorights-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT devel
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT devel
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT sorights-targets NAMESPACE sorights:: FILE sorights-targets.cmake
        DESTINATION ${SORIGHTS_INSTALL_CMAKEDIR} COMPONENT devel)
# The build tree can be consumed too (`-Dsorights_DIR=<build>`), as fmt does.
export(EXPORT sorights-targets NAMESPACE sorights:: FILE ${PROJECT_BINARY_DIR}/sorights-targets.cmake)

# The command line, whatever its target is called.
foreach(_cli sorights_cli sorights-cli sorights_tool)
  if(TARGET ${_cli} AND NOT SORIGHTS_INSTALL_HEADER_ONLY)
    get_target_property(_type ${_cli} TYPE)
    if(_type STREQUAL "EXECUTABLE")
      if(BUILD_SHARED_LIBS)
        file(RELATIVE_PATH _to_lib "/__p/${CMAKE_INSTALL_BINDIR}" "/__p/${CMAKE_INSTALL_LIBDIR}")
        set_target_properties(${_cli} PROPERTIES INSTALL_RPATH "$ORIGIN/${_to_lib}")
      endif()
      install(TARGETS ${_cli} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tools)
    endif()
  endif()
endforeach()

# -- Each component's dependencies, for the config file ---------------------------------
# A static library exports its PRIVATE dependencies as $<LINK_ONLY:...>, so the
# consumer needs those imported targets as well (a static archive carries no link dependencies of its own). But only for
# the components it asks for: `find_package(sorights)` looks for the core's
# dependencies (Threads) and nothing else; `COMPONENTS storage` adds SQLite,
# nlohmann-json, OpenSSL and Boost (static build), and so on. Per exported
# target we record the namespaced imported targets it links (external) and the
# sorights targets it links (another component, whose dependencies it needs too).
set(_sorights_component_of_sorights_header_only header_only)
set(_sorights_component_of_sorights sorights)
set(_sorights_component_of_sorights_report report)
set(_sorights_component_of_sorights_storage storage)
set(_sorights_component_of_sorights_postgres postgres)
set(_sorights_component_of_sorights_c c)
set(_sorights_dep_targets)
foreach(t IN LISTS _sorights_export_targets)
  get_target_property(_type ${t} TYPE)
  set(_props INTERFACE_LINK_LIBRARIES)
  if(_type STREQUAL "STATIC_LIBRARY")
    list(APPEND _props LINK_LIBRARIES)
  endif()
  set(_sorights_deps_${t})
  set(_sorights_links_${t})
  foreach(p IN LISTS _props)
    get_target_property(_libs ${t} ${p})
    if(NOT _libs)
      continue()
    endif()
    foreach(_lib IN LISTS _libs)
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" _lib "${_lib}")
      if(TARGET "${_lib}")
        get_target_property(_aliased "${_lib}" ALIASED_TARGET)
        if(_aliased)
          set(_lib "${_aliased}")
        endif()
      endif()
      if(_lib IN_LIST _sorights_export_targets)
        list(APPEND _sorights_links_${t} ${_sorights_component_of_${_lib}})
      elseif(_lib MATCHES "^[A-Za-z0-9_.+-]+::[A-Za-z0-9_.+-]+$")
        list(APPEND _sorights_deps_${t} ${_lib})
      endif()
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES _sorights_deps_${t})
  list(APPEND _sorights_dep_targets ${_sorights_deps_${t}})
endforeach()
list(REMOVE_DUPLICATES _sorights_dep_targets)

# The pkg-config link flags one imported dependency stands for.
function(_sorights_pc_flags dep out)
  set(flags)
  if(dep MATCHES "^SQLite::")
    set(flags -lsqlite3)
  elseif(dep MATCHES "^OpenSSL::Crypto")
    set(flags -lcrypto)
  elseif(dep MATCHES "^OpenSSL::SSL")
    set(flags -lssl)
  elseif(dep MATCHES "^PostgreSQL::")
    set(flags -lpq)
  elseif(dep MATCHES "^ZLIB::")
    set(flags -lz)
  elseif(dep MATCHES "^Boost::(.*)$")
    set(component "${CMAKE_MATCH_1}")
    if(NOT component MATCHES "^(headers|boost|disable_autolinking|diagnostic_definitions|dynamic_linking)$")
      set(flags -lboost_${component})
    endif()
  elseif(dep MATCHES "^Threads::")
    set(flags -pthread)
  endif()
  set(${out} "${flags}" PARENT_SCOPE)
endfunction()
# The flags of every external dependency of `target` (and of the sorights
# targets it links), for the Libs line of a static library's .pc file.
function(_sorights_pc_deps target out)
  set(flags)
  foreach(dep IN LISTS _sorights_deps_${target})
    if(dep MATCHES "^sorights::")
      continue()
    endif()
    _sorights_pc_flags(${dep} f)
    list(APPEND flags ${f})
  endforeach()
  list(REMOVE_DUPLICATES flags)
  list(REMOVE_ITEM flags -pthread)
  string(REPLACE ";" " " flags "${flags}")
  set(${out} "${flags}" PARENT_SCOPE)
endfunction()

# The find_package arguments that define one imported dependency target.
function(_sorights_find_spec dep out)
  string(REGEX REPLACE "::.*" "" _ns "${dep}")
  string(REGEX REPLACE ".*::" "" _name "${dep}")
  set(_spec "")
  if(_ns STREQUAL "Threads")
    set(_spec "Threads")
  elseif(_ns STREQUAL "SQLite")
    set(_spec "SQLite3")
  elseif(_ns STREQUAL "nlohmann_json")
    set(_spec "nlohmann_json 3 CONFIG")
  elseif(_ns STREQUAL "absl")
    set(_spec "absl CONFIG")
  elseif(_ns STREQUAL "OpenSSL")
    set(_spec "OpenSSL 3.0 COMPONENTS ${_name}")
  elseif(_ns STREQUAL "PostgreSQL")
    set(_spec "PostgreSQL")
  elseif(_ns STREQUAL "ZLIB")
    set(_spec "ZLIB")
  elseif(_ns STREQUAL "Boost")
    if(_name MATCHES "^(headers|boost|disable_autolinking|diagnostic_definitions|dynamic_linking)$")
      set(_spec "Boost 1.77")
    else()
      set(_spec "Boost 1.77 COMPONENTS ${_name}")
    endif()
  else()
    message(WARNING "sorights install: exported targets link ${dep}; add its find_package "
                    "arguments to cmake/SorightsInstall.cmake")
  endif()
  set(${out} "${_spec}" PARENT_SCOPE)
endfunction()

# The table the config file reads: per component, its dependencies' find_package
# arguments and the other components it links.
set(SORIGHTS_CONFIG_DEPENDENCIES "")
foreach(t IN LISTS _sorights_export_targets)
  set(_comp ${_sorights_component_of_${t}})
  set(_specs)
  foreach(dep IN LISTS _sorights_deps_${t})
    _sorights_find_spec(${dep} _spec)
    if(_spec)
      list(APPEND _specs "${_spec}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES _specs)
  list(REMOVE_DUPLICATES _sorights_links_${t})
  string(APPEND SORIGHTS_CONFIG_DEPENDENCIES
    "set(_sorights_deps_${_comp} \"${_specs}\")\n"
    "set(_sorights_links_${_comp} \"${_sorights_links_${t}}\")\n")
endforeach()
set(SORIGHTS_CONFIG_COMPONENTS "${_sorights_components}")
if(BUILD_SHARED_LIBS)
  set(SORIGHTS_LIBRARY_TYPE SHARED)
else()
  set(SORIGHTS_LIBRARY_TYPE STATIC)
endif()

# -- sorights-config.cmake and the version file -------------------------------------------
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/sorights-config.cmake.in
  ${PROJECT_BINARY_DIR}/sorights-config-install/sorights-config.cmake
  INSTALL_DESTINATION ${SORIGHTS_INSTALL_CMAKEDIR})
# 0.x: a minor release may break the API, so only 0.1.* satisfies "0.1".
write_basic_package_version_file(${PROJECT_BINARY_DIR}/sorights-config-version.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/sorights-config-install/sorights-config.cmake
              ${PROJECT_BINARY_DIR}/sorights-config-version.cmake
        DESTINATION ${SORIGHTS_INSTALL_CMAKEDIR} COMPONENT devel)
# The build-tree package: same template, prefix = the build tree.
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/sorights-config.cmake.in
  ${PROJECT_BINARY_DIR}/sorights-config.cmake
  INSTALL_DESTINATION . INSTALL_PREFIX ${PROJECT_BINARY_DIR})

# -- pkg-config --------------------------------------------------------------------------
# prefix is computed from ${pcfiledir} so a moved prefix still works.
if(IS_ABSOLUTE "${SORIGHTS_INSTALL_PKGCONFIGDIR}")
  set(SORIGHTS_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _up "/__p/${SORIGHTS_INSTALL_PKGCONFIGDIR}" "/__p")
  string(REGEX REPLACE "/$" "" _up "${_up}")
  set(SORIGHTS_PC_PREFIX "\${pcfiledir}/${_up}")
endif()
foreach(v LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${v}}")
    set(SORIGHTS_PC_${v} "${CMAKE_INSTALL_${v}}")
  else()
    set(SORIGHTS_PC_${v} "\${prefix}/${CMAKE_INSTALL_${v}}")
  endif()
endforeach()
if(BUILD_SHARED_LIBS)
  set(SORIGHTS_PC_CFLAGS "-DSORIGHTS_COMPILED_LIB -DSORIGHTS_SHARED")
  set(_static_only "")
else()
  set(SORIGHTS_PC_CFLAGS "-DSORIGHTS_COMPILED_LIB")
  set(_static_only "x")
endif()

# sorights.pc: the compiled library.
set(SORIGHTS_PC_NAME "sorights")
set(SORIGHTS_PC_DESCRIPTION "${PROJECT_DESCRIPTION} (compiled library)")
set(SORIGHTS_PC_REQUIRES "")
set(SORIGHTS_PC_LIBS "-L\${libdir} -lsorights -pthread")
set(SORIGHTS_PC_LIBS_PRIVATE "")
configure_file(${PROJECT_SOURCE_DIR}/cmake/sorights.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/sorights.pc @ONLY)

# sorights-header-only.pc: headers only (define nothing: header-only is the default).
set(SORIGHTS_PC_NAME "sorights-header-only")
set(SORIGHTS_PC_DESCRIPTION "${PROJECT_DESCRIPTION} (header-only)")
set(_cflags_saved "${SORIGHTS_PC_CFLAGS}")
set(SORIGHTS_PC_CFLAGS "")
set(SORIGHTS_PC_LIBS "-pthread")
configure_file(${PROJECT_SOURCE_DIR}/cmake/sorights.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/sorights-header-only.pc @ONLY)
set(SORIGHTS_PC_CFLAGS "${_cflags_saved}")
if(SORIGHTS_INSTALL_HEADER_ONLY)
  set(_pc_files sorights-header-only.pc)
else()
  set(_pc_files sorights.pc sorights-header-only.pc)
endif()

# The .pc file of an adapter library (`target`, installed as lib`target`):
# it requires the core; a static archive carries no dependencies of its own,
# so they go in Libs, else in Libs.private. Appends the file to _pc_files.
function(_sorights_adapter_pc target pc_name description)
  set(SORIGHTS_PC_NAME "${pc_name}")
  set(SORIGHTS_PC_DESCRIPTION "${description}")
  set(SORIGHTS_PC_REQUIRES "sorights = ${PROJECT_VERSION}")
  set(SORIGHTS_PC_LIBS_PRIVATE "")
  _sorights_pc_deps(${target} _pc_private)
  if(_static_only)
    set(SORIGHTS_PC_LIBS "-L\${libdir} -l${target} ${_pc_private}")
  else()
    set(SORIGHTS_PC_LIBS "-L\${libdir} -l${target}")
    set(SORIGHTS_PC_LIBS_PRIVATE "${_pc_private}")
  endif()
  configure_file(${PROJECT_SOURCE_DIR}/cmake/sorights.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/${pc_name}.pc @ONLY)
  set(_pc_files ${_pc_files} ${pc_name}.pc PARENT_SCOPE)
endfunction()

if("sorights_storage" IN_LIST _sorights_export_targets)
  _sorights_adapter_pc(sorights_storage sorights-storage "sorights storage: SQLite store, model files, snapshot files")
endif()
if("sorights_postgres" IN_LIST _sorights_export_targets)
  _sorights_adapter_pc(sorights_postgres sorights-postgres "sorights PostgreSQL store")
endif()

if("sorights_c" IN_LIST _sorights_export_targets)
  # For C programs: no -DSORIGHTS_COMPILED_LIB needed (sorights.h is plain C).
  set(SORIGHTS_PC_NAME "sorights-c")
  set(SORIGHTS_PC_DESCRIPTION "sorights C API (sorights/sorights.h)")
  set(SORIGHTS_PC_REQUIRES "")
  set(SORIGHTS_PC_CFLAGS "")
  set(_c_libs "-L\${libdir} -lsorights_c")
  if(_static_only)
    if("storage" IN_LIST _sorights_links_sorights_c)
      _sorights_pc_deps(sorights_storage _pc_private)
      string(APPEND _c_libs " -lsorights_storage ${_pc_private}")
    endif()
    string(APPEND _c_libs " -lsorights_report -lsorights -lstdc++ -lm -pthread")
  endif()
  set(SORIGHTS_PC_LIBS "${_c_libs}")
  configure_file(${PROJECT_SOURCE_DIR}/cmake/sorights.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/sorights-c.pc @ONLY)
  list(APPEND _pc_files sorights-c.pc)
endif()

list(TRANSFORM _pc_files PREPEND ${PROJECT_BINARY_DIR}/pkgconfig/)
install(FILES ${_pc_files} DESTINATION ${SORIGHTS_INSTALL_PKGCONFIGDIR} COMPONENT devel)

# -- Licence and docs ----------------------------------------------------------------------
foreach(f LICENSE LICENSE.txt COPYING)
  if(EXISTS ${PROJECT_SOURCE_DIR}/${f})
    install(FILES ${PROJECT_SOURCE_DIR}/${f} DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/sorights COMPONENT devel)
  endif()
endforeach()
