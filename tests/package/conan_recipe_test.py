"""Runs bindings/conan/conanfile.py under a minimal stand-in for Conan 2.

Conan cannot be installed here (no PyPI), so this script provides the few
`conan.*` names the recipe imports and calls its methods in Conan's order:
set_version, export_sources, config_options, configure, layout,
requirements, package_id, validate, generate, build, package, package_info.

    python3 conan_recipe_test.py SOURCE_ROOT WORK_DIR [--build]

Without --build, CMake calls are only recorded (fast). With --build, they run
for real: configure + build + `cmake --install` of the exported sources into
the package folder, then the recipe's test_package consumer is configured
with find_package(sorights) through the package's builddirs and run.
"""
import fnmatch
import os
import shutil
import subprocess
import sys
import types

SOURCE_ROOT, WORK = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
REAL = "--build" in sys.argv
RECIPE_DIR = os.path.join(SOURCE_ROOT, "bindings", "conan")


# -- The stand-in ------------------------------------------------------------------
class ConanInvalidConfiguration(Exception):
    pass


class _Options:
    def __init__(self, values):
        object.__setattr__(self, "_v", dict(values))

    def __getattr__(self, name):
        try:
            return self._v[name]
        except KeyError:
            raise AttributeError(f"option {name!r} does not exist (removed?)") from None

    def __setattr__(self, name, value):
        self._v[name] = value

    def __delattr__(self, name):
        del self._v[name]

    def rm_safe(self, name):
        self._v.pop(name, None)

    def get_safe(self, name, default=None):
        return self._v.get(name, default)


class _Settings(types.SimpleNamespace):
    pass


class _CppInfo:
    def __init__(self):
        self.props, self.builddirs, self.libs, self.defines = {}, [], [], []
        self.system_libs, self.requires, self.bindirs, self.libdirs = [], [], ["bin"], ["lib"]

    def set_property(self, name, value):
        self.props[name] = value


class ConanFile:
    def __init__(self, options):
        opts = dict(self.default_options)
        opts.update(options)
        self.options = _Options(opts)
        self.settings = _Settings(os="Linux", arch="x86_64", build_type="Release",
                                  compiler=types.SimpleNamespace(cppstd="20"))
        self.recipe_folder = RECIPE_DIR
        self.export_sources_folder = os.path.join(WORK, "export")
        self.source_folder = self.export_sources_folder
        self.build_folder = os.path.join(WORK, "build")
        self.package_folder = os.path.join(WORK, "package")
        self.generators_folder = os.path.join(self.build_folder, "generators")
        self.version = None
        self.cpp_info = _CppInfo()
        self.info = types.SimpleNamespace(options=self.options, clear=lambda: setattr(self, "_cleared", True))
        self.requirements_seen = []

    def requires(self, ref):
        self.requirements_seen.append(ref)


def copy(conanfile, pattern, src, dst, excludes=()):
    copied = []
    for root, dirs, files in os.walk(src):
        rel_root = os.path.relpath(root, src)
        dirs[:] = [d for d in dirs if not any(fnmatch.fnmatch(os.path.normpath(os.path.join(rel_root, d)), e)
                                              or fnmatch.fnmatch(d, e) for e in excludes)]
        for f in files:
            rel = os.path.normpath(os.path.join(rel_root, f))
            if fnmatch.fnmatch(rel, pattern) and not any(fnmatch.fnmatch(rel, e) for e in excludes):
                os.makedirs(os.path.join(dst, os.path.dirname(rel)), exist_ok=True)
                shutil.copy2(os.path.join(src, rel), os.path.join(dst, rel))
                copied.append(rel)
    return copied


TOOLCHAIN = {}
CALLS = []


class CMakeToolchain:
    def __init__(self, conanfile):
        # As Conan's CMakeToolchain: the shared and fPIC options become CMake variables.
        self.cache_variables = {}
        shared = conanfile.options.get_safe("shared")
        if shared is not None:
            self.cache_variables["BUILD_SHARED_LIBS"] = bool(shared)
        fpic = conanfile.options.get_safe("fPIC")
        if fpic is not None:
            self.cache_variables["CMAKE_POSITION_INDEPENDENT_CODE"] = bool(fpic)

    def generate(self):
        TOOLCHAIN.update(self.cache_variables)


class CMakeDeps:
    def __init__(self, conanfile):
        pass

    def generate(self):
        CALLS.append("CMakeDeps.generate")


def _run(cmd):
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL if "--install" in cmd else None)


class CMake:
    def __init__(self, conanfile):
        self.c = conanfile

    def configure(self):
        CALLS.append("configure")
        if REAL:
            defs = [f"-D{k}={'ON' if v is True else 'OFF' if v is False else v}" for k, v in TOOLCHAIN.items()]
            _run(["cmake", "-S", self.c.source_folder, "-B", self.c.build_folder, "-G", "Ninja",
                  "-DCMAKE_BUILD_TYPE=Release"] + defs)

    def build(self):
        CALLS.append("build")
        if REAL:
            _run(["cmake", "--build", self.c.build_folder])

    def install(self, component=None):
        CALLS.append("install")
        if REAL:
            _run(["cmake", "--install", self.c.build_folder, "--prefix", self.c.package_folder])


def cmake_layout(conanfile, src_folder="."):
    CALLS.append("layout")


def check_min_cppstd(conanfile, version):
    if int(str(conanfile.settings.compiler.cppstd)) < version:
        raise ConanInvalidConfiguration(f"needs C++{version}")


def install_stand_in():
    mods = {name: types.ModuleType(name) for name in
            ("conan", "conan.tools", "conan.tools.build", "conan.tools.cmake", "conan.tools.files", "conan.errors")}
    mods["conan"].ConanFile = ConanFile
    mods["conan.tools.build"].check_min_cppstd = check_min_cppstd
    mods["conan.tools.build"].can_run = lambda c: True
    for n in ("CMake", "CMakeDeps", "CMakeToolchain", "cmake_layout"):
        setattr(mods["conan.tools.cmake"], n, globals()[n])
    mods["conan.tools.files"].copy = copy
    mods["conan.errors"].ConanInvalidConfiguration = ConanInvalidConfiguration
    sys.modules.update(mods)


# -- The run -------------------------------------------------------------------------
def load_recipe():
    import importlib.util
    spec = importlib.util.spec_from_file_location("sorights_conanfile", os.path.join(RECIPE_DIR, "conanfile.py"))
    module = importlib.util.module_from_spec(spec)
    sys.dont_write_bytecode = True
    spec.loader.exec_module(module)
    return module.SorightsConan


def run(recipe_cls, options):
    shutil.rmtree(WORK, ignore_errors=True)
    TOOLCHAIN.clear()
    CALLS.clear()
    c = recipe_cls(options)
    c.set_version()
    assert c.version == "0.1.0", c.version
    c.export_sources()
    exported = c.export_sources_folder
    for must in ("CMakeLists.txt", "cmake/SorightsInstall.cmake", "cmake/sorights-config.cmake.in",
                 "include/sorights/sorights.hpp", "src/sorights.cpp", "bindings/c/include/sorights/sorights.h"):
        assert os.path.exists(os.path.join(exported, must)), f"not exported: {must}"
    assert not os.path.exists(os.path.join(exported, "build-reach")), "build trees must not be exported"
    for step in ("config_options", "configure", "layout", "requirements", "package_id", "validate",
                 "generate", "build", "package", "package_info"):
        getattr(c, step)()
    return c


def main():
    install_stand_in()
    recipe = load_recipe()

    c = run(recipe, {})
    assert TOOLCHAIN["SORIGHTS_INSTALL"] is True and TOOLCHAIN["SORIGHTS_BUILD_TESTS"] is False
    assert TOOLCHAIN["SORIGHTS_BUILD_TOOLS"] is True and TOOLCHAIN["SORIGHTS_INSTALL_HEADER_ONLY"] is False
    assert TOOLCHAIN["SORIGHTS_BUILD_POSTGRES"] is False
    assert CALLS.count("build") == 1 and "install" in CALLS
    assert c.cpp_info.props["cmake_find_mode"] == "none"
    assert c.cpp_info.builddirs == [os.path.join("lib", "cmake", "sorights")]
    assert c.cpp_info.libs == ["sorights_c", "sorights_storage", "sorights"], c.cpp_info.libs
    assert any(r.startswith("sqlite3/") for r in c.requirements_seen)
    print("default options: ok")

    c = run(recipe, {"header_only": True})
    assert "shared" not in c.options._v and "with_storage" not in c.options._v
    assert TOOLCHAIN["SORIGHTS_INSTALL_HEADER_ONLY"] is True and TOOLCHAIN["SORIGHTS_BUILD_TOOLS"] is False
    assert "build" not in CALLS and "install" in CALLS
    assert c.cpp_info.libdirs == [] and c.requirements_seen == [] and getattr(c, "_cleared", False)
    if REAL:
        root = c.package_folder
        assert os.path.exists(os.path.join(root, "include/sorights/sorights.hpp"))
        assert not os.path.exists(os.path.join(root, "lib/libsorights.a")), "header_only installs no library"
        assert os.path.exists(os.path.join(root, "lib/pkgconfig/sorights-header-only.pc"))
        consume(c, header_only=True)
    print("header_only: ok")

    c = run(recipe, {"shared": True, "with_storage": False})
    assert "fPIC" not in c.options._v and TOOLCHAIN["SORIGHTS_BUILD_TOOLS"] is False
    assert TOOLCHAIN["BUILD_SHARED_LIBS"] is True
    assert c.cpp_info.libs == ["sorights_c", "sorights"] and "SORIGHTS_SHARED" in c.cpp_info.defines
    if REAL:
        import glob
        assert glob.glob(os.path.join(c.package_folder, "lib", "libsorights.so*")), "no shared library installed"
        consume(c, header_only=False)
    print("shared, no storage: ok")


def consume(c, header_only):
    """The recipe's test_package, found through cpp_info.builddirs (what Conan's
    CMakeToolchain puts on CMAKE_PREFIX_PATH/CMAKE_MODULE_PATH)."""
    build = os.path.join(WORK, "test_package-build")
    prefix = os.path.join(c.package_folder, c.cpp_info.builddirs[0])
    _run(["cmake", "-S", os.path.join(RECIPE_DIR, "test_package"), "-B", build, "-G", "Ninja",
          "-DCMAKE_BUILD_TYPE=Release", f"-Dsorights_DIR={prefix}",
          f"-DSORIGHTS_HEADER_ONLY={'ON' if header_only else 'OFF'}"])
    _run(["cmake", "--build", build])
    for exe in ("test_package", "test_package_c"):
        path = os.path.join(build, exe)
        if os.path.exists(path):
            _run([path])


if __name__ == "__main__":
    main()
    print("conan recipe: ok" + (" (built)" if REAL else " (recorded)"))
