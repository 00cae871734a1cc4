"""Arguments entering the library from Python are checked at the entrance.

A NUL in a path or in a text field is a ValueError naming it (the C++ side
would cut "a\\0b.db" to "a"); an id given to a transaction is checked as the
model rules say (InvalidArgumentError, a ValueError, naming the argument); an
int out of range for its C++ field is an OverflowError naming the field.
Checks on a snapshot stay total: an unusable id there is a deny, not an error.
"""
import os
import tempfile
import unittest

import sorights
from sorights import Licence, Model, Override, Record, Role, User

from support import make_model


class NulTest(unittest.TestCase):
    def test_nul_in_a_store_path_is_a_value_error(self):
        if not sorights.HAS_STORAGE:
            self.skipTest("built without the storage library")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "a\0b.db")
            with self.assertRaisesRegex(ValueError, "path holds a NUL"):
                sorights.SqliteStore.open(path)
            self.assertEqual(os.listdir(tmp), [])  # "a" was not created

    def test_nul_in_file_paths_is_a_value_error(self):
        if not sorights.HAS_STORAGE:
            self.skipTest("built without the storage library")
        with self.assertRaisesRegex(ValueError, "path"):
            sorights.read_model_file("model\0.json")
        with self.assertRaisesRegex(ValueError, "path"):
            sorights.load_snapshot_file("snap\0.bin")
        with self.assertRaisesRegex(ValueError, "path"):
            sorights.save_snapshot_file("snap\0.bin", Model.with_defaults())
        with self.assertRaisesRegex(ValueError, "file_name"):
            sorights.parse_model_file("{}", file_name="x\0y")

    def test_nul_in_a_field_is_a_value_error_naming_it(self):
        with self.assertRaisesRegex(ValueError, r"User\.id holds a NUL"):
            User(id="alice\0admin")
        user = User(id="alice")
        with self.assertRaisesRegex(ValueError, r"User\.other_groups"):
            user.other_groups = ["sales", "x\0"]
        with self.assertRaisesRegex(ValueError, r"Record\.owner"):
            Record(object="sale", owner="bob\0")
        with self.assertRaisesRegex(ValueError, r"Role\.data_rights"):
            Role(id="r").data_rights = {"sale\0": {}}
        self.assertEqual(user.other_groups, [])

    def test_nul_through_a_list_item_is_a_value_error(self):
        model = Model()
        model.users.append(User(id="alice"))
        with self.assertRaisesRegex(ValueError, r"User\.group"):
            model.users[0].group = "a\0b"
        self.assertEqual(model.users[0].group, "")


class TransactionIdTest(unittest.TestCase):
    def setUp(self):
        self.directory = sorights.Directory.in_memory(make_model())

    def test_invalid_ids_are_refused_naming_the_argument(self):
        tx = self.directory.begin()
        cases = [
            (lambda: tx.set_user_role("alice\0", "level-2"), "user id"),
            (lambda: tx.set_user_role("alice", "\x1b[31m"), "role id"),
            (lambda: tx.delete_user(""), "user id"),
            (lambda: tx.grant_right("level-2", " padded "), "right id"),
            (lambda: tx.copy_role("level-2", "(system)"), "role id"),
            (lambda: tx.put_group(sorights.Group("sales\n", "Sales")), "group id"),
            (lambda: tx.put_group(sorights.Group("ok", "bad\x07name")), "group name"),
            (lambda: tx.set_user_licences("alice", ["x\x7f"]), "licence id"),
        ]
        for call, what in cases:
            with self.subTest(what=what):
                with self.assertRaises(sorights.InvalidArgumentError) as caught:
                    call()
                self.assertIsInstance(caught.exception, ValueError)
                self.assertIn(what, str(caught.exception))
        self.assertFalse(tx.has_changes)

    def test_invalid_actor_is_refused(self):
        with self.assertRaisesRegex(ValueError, "actor"):
            self.directory.begin("admin\0")
        self.directory.begin("")  # the built-in system actor

    def test_checks_stay_total(self):
        snapshot = self.directory.snapshot
        self.assertFalse(snapshot.can("alice\0", "read", Record(object="sale")))
        self.assertFalse(snapshot.has("\xff", "allow-bulk-export"))


class IntRangeTest(unittest.TestCase):
    def test_time_out_of_range_is_an_overflow_error(self):
        with self.assertRaisesRegex(OverflowError, r"Record\.at"):
            Record(object="sale", at=10**100)
        record = Record(object="sale")
        with self.assertRaisesRegex(OverflowError, r"Record\.publish_to"):
            record.publish_to = -(2**64)
        record.at = 2**63 - 1
        self.assertEqual(record.at, 2**63 - 1)

    def test_counts_and_bits_out_of_range_are_overflow_errors(self):
        with self.assertRaisesRegex(OverflowError, r"Licence\.count"):
            Licence(id="l", count=2**32)
        with self.assertRaisesRegex(OverflowError, r"Licence\.count"):
            Licence(id="l", count=-1)
        with self.assertRaisesRegex(OverflowError, r"Override\.remove"):
            Override(remove=256)
        with self.assertRaises(OverflowError):
            sorights.TableRights(10**30)
        self.assertEqual(Licence(id="l", count=2**32 - 1).count, 2**32 - 1)

    def test_version_out_of_range_is_an_overflow_error(self):
        with self.assertRaises(OverflowError):
            Model.with_defaults().compile(version=-1)
        with self.assertRaises(OverflowError):
            sorights.compile(Model.with_defaults(), 2**64)


if __name__ == "__main__":
    unittest.main()
