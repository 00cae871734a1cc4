"""Conan 2 recipe for sorights.

It builds with the project's own CMake and installs with `cmake --install`,
then hands consumers the package's own `sorights-config.cmake` (exactly what
tests/package checks), rather than a CMakeDeps-generated one.

    conan create bindings/conan --build=missing                      # static, compiled
    conan create bindings/conan -o "sorights/*:shared=True"
    conan create bindings/conan -o "sorights/*:header_only=True"
    conan create bindings/conan -o "sorights/*:with_storage=False"   # core only, no SQLite/JSON/Boost/OpenSSL
    conan create bindings/conan -o "sorights/*:with_postgres=True"   # + sorights::postgres (libpq)

The recipe lives in bindings/conan/; its sources are the repository two
levels up (export_sources copies them).
"""
import os
import re

from conan import ConanFile
from conan.tools.build import check_min_cppstd
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy
from conan.errors import ConanInvalidConfiguration

required_conan_version = ">=2.0"


def _project_version(root):
    """The version from `project(sorights VERSION x.y.z ...)`."""
    with open(os.path.join(root, "CMakeLists.txt"), encoding="utf-8") as f:
        m = re.search(r"project\(sorights\s+VERSION\s+([0-9.]+)", f.read())
    return m.group(1) if m else None


class SorightsConan(ConanFile):
    name = "sorights"
    description = "Embeddable authorization and user model for business applications (C++20)"
    license = "proprietary"
    topics = ("authorization", "rbac", "crm", "access-control")
    package_type = "library"
    settings = "os", "arch", "compiler", "build_type"
    options = {
        "shared": [True, False],
        "fPIC": [True, False],
        "header_only": [True, False],
        "with_storage": [True, False],   # sorights::storage (SQLite store, model files)
        "with_c_api": [True, False],     # sorights::c (sorights/sorights.h)
        "with_postgres": [True, False],  # sorights::postgres (PostgresStore; needs libpq)
    }
    default_options = {
        "shared": False,
        "fPIC": True,
        "header_only": False,
        "with_storage": True,
        "with_c_api": True,
        "with_postgres": False,
    }

    @property
    def _root(self):
        return os.path.normpath(os.path.join(self.recipe_folder, "..", ".."))

    def set_version(self):
        self.version = self.version or _project_version(self._root)

    def export_sources(self):
        root = self._root
        for pattern in ("CMakeLists.txt", "cmake/*", "include/*", "src/*", "bindings/c/*", "LICENSE*"):
            copy(self, pattern, root, self.export_sources_folder,
                 excludes=("build*", "*/__pycache__/*"))

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def configure(self):
        if self.options.header_only:
            self.package_type = "header-library"
            self.options.rm_safe("shared")
            self.options.rm_safe("fPIC")
            self.options.rm_safe("with_storage")
            self.options.rm_safe("with_c_api")
            self.options.rm_safe("with_postgres")
        elif self.options.shared:
            self.options.rm_safe("fPIC")

    def layout(self):
        cmake_layout(self, src_folder=".")

    def requirements(self):
        if not self.options.header_only and self.options.with_storage:
            # PRIVATE to the library; a static build needs them at the consumer's link.
            self.requires("sqlite3/[>=3.40 <4]")
            self.requires("nlohmann_json/[>=3.11 <4]")
            self.requires("boost/[>=1.77 <2]")
            self.requires("openssl/[>=3.0 <4]")  # libcrypto: the SQLite store's integrity check
        if not self.options.header_only and self.options.get_safe("with_postgres"):
            self.requires("libpq/[>=15 <17]")

    def package_id(self):
        if self.info.options.header_only:
            self.info.clear()

    def validate(self):
        check_min_cppstd(self, 20)
        if self.settings.os == "Windows":
            raise ConanInvalidConfiguration("sorights is built and tested on Linux (g++ 12, clang 14)")

    def generate(self):
        tc = CMakeToolchain(self)
        tc.cache_variables["SORIGHTS_BUILD_TESTS"] = False
        tc.cache_variables["SORIGHTS_BUILD_EXAMPLES"] = False
        tc.cache_variables["SORIGHTS_BUILD_BENCHMARKS"] = False
        tc.cache_variables["SORIGHTS_BUILD_PYTHON"] = False
        tc.cache_variables["SORIGHTS_INSTALL"] = True
        header_only = bool(self.options.header_only)
        tc.cache_variables["SORIGHTS_BUILD_TOOLS"] = (not header_only) and bool(self.options.get_safe("with_storage"))
        tc.cache_variables["SORIGHTS_BUILD_POSTGRES"] = (not header_only) and bool(self.options.get_safe("with_postgres"))
        tc.cache_variables["SORIGHTS_BUILD_C_API"] = (not header_only) and bool(self.options.get_safe("with_c_api"))
        # Header-only: install the headers and sorights::header_only, no libraries.
        tc.cache_variables["SORIGHTS_INSTALL_HEADER_ONLY"] = header_only
        tc.generate()
        CMakeDeps(self).generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        if not self.options.header_only:
            cmake.build()

    def package(self):
        # The same `cmake --install` as tests/package (header-only: headers,
        # sorights::header_only and sorights-header-only.pc only).
        CMake(self).install()
        copy(self, "LICENSE*", self.source_folder, os.path.join(self.package_folder, "licenses"))

    def package_info(self):
        # Consumers use the installed sorights-config.cmake (relocatable), so
        # CMakeDeps must not generate one of its own.
        self.cpp_info.set_property("cmake_find_mode", "none")
        self.cpp_info.builddirs.append(os.path.join("lib", "cmake", "sorights"))
        self.cpp_info.set_property("pkg_config_name", "sorights")
        if self.options.header_only:
            self.cpp_info.bindirs = []
            self.cpp_info.libdirs = []
            self.cpp_info.system_libs = ["pthread"]
            return
        # For non-CMake generators (and CMakeDeps-less consumers): plain flags.
        libs = []
        if self.options.with_postgres:
            libs.append("sorights_postgres")
        if self.options.with_c_api:
            libs.append("sorights_c")
        if self.options.with_storage:
            libs.append("sorights_storage")
        libs.append("sorights")
        self.cpp_info.libs = libs
        self.cpp_info.defines = ["SORIGHTS_COMPILED_LIB"] + (["SORIGHTS_SHARED"] if self.options.shared else [])
        self.cpp_info.system_libs = ["pthread", "m"]
        if self.options.with_storage:
            self.cpp_info.requires = ["sqlite3::sqlite3", "nlohmann_json::nlohmann_json", "boost::serialization",
                                      "openssl::crypto"]
        if self.options.with_postgres:
            self.cpp_info.requires.append("libpq::libpq")
