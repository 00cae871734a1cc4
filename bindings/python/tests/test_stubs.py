"""The type stubs (_core.pyi) describe exactly the names the module has."""
import ast
import inspect
import os
import unittest

import sorights
from sorights import _core

STUB = os.path.join(os.path.dirname(sorights.__file__), "_core.pyi")
PRIVATE_STUB_HELPERS = {"_Enum", "_Value", "_List", "_Bits", "_T", "_ActionLike", "_RelationLike", "_UserTypeLike",
                        "_RoleTypeLike", "_TableRightsLike", "_FieldRightsLike", "_TimeLike", "_Entity"}


def stub_names():
    with open(STUB, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    top, members, bases = set(), {}, {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            top.add(node.name)
            bases[node.name] = [ast.unparse(b).split("[")[0] for b in node.bases]
            members[node.name] = {
                n.name if isinstance(n, (ast.FunctionDef, ast.ClassDef)) else n.target.id
                for n in node.body
                if isinstance(n, (ast.FunctionDef, ast.AnnAssign)) and not (
                    isinstance(n, ast.FunctionDef) and n.name.startswith("__"))
            }
        elif isinstance(node, ast.FunctionDef):
            top.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            top.add(node.target.id)
        elif isinstance(node, ast.Assign):
            top.update(t.id for t in node.targets)
    # Members declared on stub base classes (_Value, _Enum, ...) count too.
    def inherited(name):
        out = set()
        for b in bases.get(name, []):
            out |= members.get(b, set()) | inherited(b)
        return out
    return top, {name: m | inherited(name) for name, m in members.items()}


class StubsTest(unittest.TestCase):
    def test_stub_files_are_installed(self):
        pkg = os.path.dirname(sorights.__file__)
        for f in ("_core.pyi", "__init__.pyi", "py.typed"):
            self.assertTrue(os.path.exists(os.path.join(pkg, f)), f)

    def test_every_public_name_is_stubbed(self):
        top, _ = stub_names()
        public = {n for n in dir(_core) if not n.startswith("_")} | {"__version__"}
        self.assertEqual(sorted(public - top), [], "in the module, missing from _core.pyi")
        optional = set()
        if not sorights.HAS_STORAGE:
            optional |= {"SqliteStore", "ImportMode", "parse_model_file", "read_model_file",
                         "export_model_file", "save_snapshot_file", "load_snapshot_file", "run_policy_tests"}
        self.assertEqual(sorted(top - public - PRIVATE_STUB_HELPERS - optional), [],
                         "in _core.pyi, missing from the module")

    def test_class_members_are_stubbed(self):
        _, members = stub_names()
        for name, stubbed in members.items():
            cls = getattr(_core, name, None)
            if cls is None or not inspect.isclass(cls) or issubclass(cls, BaseException):
                continue
            real = {m for m in dir(cls) if not m.startswith("_")}
            if hasattr(cls, "__members__"):  # enums: the members plus name/value
                real -= {"name", "value"}
            if name.endswith("List"):
                continue  # bind_vector's methods are covered by _List
            self.assertEqual(sorted(real - stubbed), [], f"{name}: members missing from the stub")


if __name__ == "__main__":
    unittest.main()
