"""`conan create bindings/conan` runs this: a consumer that does
find_package(sorights CONFIG) against the package and runs the result."""
import os

from conan import ConanFile
from conan.tools.build import can_run
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout


class SorightsTestConan(ConanFile):
    settings = "os", "arch", "compiler", "build_type"
    test_type = "explicit"

    def requirements(self):
        self.requires(self.tested_reference_str)

    def layout(self):
        cmake_layout(self)

    def generate(self):
        tc = CMakeToolchain(self)
        sorights = self.dependencies["sorights"]
        tc.cache_variables["SORIGHTS_HEADER_ONLY"] = bool(sorights.options.header_only)
        tc.cache_variables["SORIGHTS_WITH_C"] = bool(sorights.options.get_safe("with_c_api"))
        tc.generate()
        CMakeDeps(self).generate()   # for sorights' own dependencies (SQLite, Boost, ...)

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def test(self):
        if can_run(self):
            for exe in ("test_package", "test_package_c"):
                path = os.path.join(self.cpp.build.bindir, exe)
                if os.path.exists(path):
                    self.run(path, env="conanrun")
