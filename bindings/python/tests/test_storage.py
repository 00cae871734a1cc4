"""Model files, snapshot files and the SQLite store."""
import os
import tempfile
import unittest

import sorights
from support import make_model

MODEL_FILE = """{
  "format": "sorights-model/1",
  "our_companies": [{"id": "acme", "name": "Acme", "database_owner": true}],
  "groups": [{"id": "sales", "name": "Sales"}],
  "roles": [{"id": "rep", "name": "Rep", "type": "employee", "copy_of": "level-3",
             "data_rights": {"sale": {"primary_group": "RU"}}}],
  "users": [
    {"id": "alice", "type": "associate", "company": "acme", "role": "rep", "group": "sales"},
    {"id": "sam", "type": "associate", "company": "acme", "role": "level-3", "group": "sales"}
  ]
}"""


@unittest.skipUnless(sorights.HAS_STORAGE, "built without sorights::storage")
class ModelFileTest(unittest.TestCase):
    def test_parse_and_export(self):
        model = sorights.parse_model_file(MODEL_FILE)
        self.assertEqual(model.find_role("rep").cell("sale", "primary_group"), "RU")
        s = model.compile()
        self.assertTrue(s.can("alice", "update", sorights.Record(object="sale", owner="sam")))
        text = sorights.export_model_file(model)
        self.assertIn("sorights-model/1", text)
        self.assertEqual(sorights.parse_model_file(text), model)

    def test_errors_name_the_path(self):
        bad = MODEL_FILE.replace('"group": "sales"}', '"group": "salse"}', 1)
        with self.assertRaises(sorights.Error) as ctx:
            sorights.parse_model_file(bad, file_name="model.json")
        self.assertIn("salse", str(ctx.exception))
        with self.assertRaises(sorights.InvalidArgumentError):
            sorights.parse_model_file("{not json")

    def test_read_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "model.json")
            with open(path, "w", encoding="utf-8") as f:
                f.write(MODEL_FILE)
            self.assertEqual(len(sorights.read_model_file(path).users), 2)
            with self.assertRaises(sorights.Error):
                sorights.read_model_file(os.path.join(tmp, "missing.json"))

    def test_snapshot_file_round_trip(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "model.snap")
            sorights.save_snapshot_file(path, make_model(), 9)
            model, version = sorights.load_snapshot_file(path)
            self.assertEqual(version, 9)
            self.assertEqual(model, make_model())
            with open(path, "r+b") as f:
                f.seek(-1, os.SEEK_END)
                last = f.read(1)
                f.seek(-1, os.SEEK_END)
                f.write(bytes([last[0] ^ 0xFF]))
            with self.assertRaises(sorights.Error):
                sorights.load_snapshot_file(path)


@unittest.skipUnless(sorights.HAS_STORAGE, "built without the storage library")
class SqliteStoreTest(unittest.TestCase):
    def test_directory_over_sqlite(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "rights.db")
            store = sorights.SqliteStore.open(path)
            self.assertEqual(store.path, path)
            d = sorights.Directory.open(store)
            with d.begin() as tx:
                tx.stage_model(make_model())
            self.assertEqual(d.version, 1)
            del d, store
            # A second process (here: a second store) sees the committed model.
            again = sorights.Directory.open(sorights.SqliteStore.open(path, create=False))
            self.assertEqual(again.version, 1)
            self.assertIn("alice", again.snapshot)
            model, version = again.storage.load()
            self.assertEqual(version, 1)
            self.assertEqual(len(model.users), 3)
            self.assertEqual(len(again.audit()), 1)

    def test_missing_file_without_create(self):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(sorights.Error):
                sorights.SqliteStore.open(os.path.join(tmp, "none.db"), create=False)


if __name__ == "__main__":
    unittest.main()
