"""Directory and transactions: commit, rollback, context manager, audit."""
import unittest

import sorights
from support import make_model


class DirectoryTest(unittest.TestCase):
    def setUp(self):
        self.directory = sorights.Directory.in_memory(make_model())

    def test_open(self):
        d = self.directory
        self.assertEqual(d.version, 0)
        self.assertIn("alice", d.snapshot)
        self.assertEqual(len(d.model.users), 3)
        self.assertIn("version=0", repr(d))
        empty = sorights.Directory.open()
        self.assertEqual(len(empty.model.roles), 12)
        storage = sorights.InMemoryStorage(make_model(), version=5)
        self.assertEqual(sorights.Directory.open(storage).version, 5)

    def test_commit(self):
        d = self.directory
        before = d.snapshot
        tx = d.begin()
        self.assertEqual(tx.actor, "")
        tx.put_user(sorights.User(id="carol", company="acme", role="level-4", group="support"))
        tx.set_user_role("alice", "level-2")
        tx.copy_role("level-3", "sales-rep", "Sales rep")
        tx.set_data_right("sales-rep", "sale", "primary_group", "RU")
        tx.set_functional_rights("sales-rep", ["allow-bulk-export"])
        tx.set_user_role("sam", "sales-rep")
        self.assertTrue(tx.has_changes)
        self.assertGreaterEqual(len(tx.changes()), 4)
        self.assertIn("carol", tx.preview())
        info = tx.commit()
        self.assertEqual(info.version, 1)
        self.assertEqual(d.version, 1)
        after = d.snapshot
        self.assertEqual(after.user_role("alice"), "level-2")
        self.assertTrue(after.can("sam", "update", sorights.Record(object="sale", owner="alice")))
        self.assertTrue(after.has("sam", "allow-bulk-export"))
        self.assertNotIn("carol", before)  # an old snapshot never changes

    def test_context_manager_commits_or_rolls_back(self):
        d = self.directory
        with d.transaction() as tx:
            tx.put_group(sorights.Group("marketing", "Marketing"))
        self.assertEqual(d.version, 1)
        self.assertIsNotNone(d.model.find_group("marketing"))
        with self.assertRaises(RuntimeError):
            with d.begin() as tx:
                tx.remove_group("marketing")
                raise RuntimeError("cancel")
        self.assertEqual(d.version, 1)
        self.assertIsNotNone(d.model.find_group("marketing"))

    def test_rollback(self):
        tx = self.directory.begin()
        tx.delete_user("bob")
        tx.rollback()
        self.assertFalse(tx.has_changes)
        self.assertIsNotNone(tx.staged.find_user("bob"))

    def test_edit_user(self):
        tx = self.directory.begin()

        def edit(user):
            user.other_groups = ["support"]
            user.name = "Alice A."
        tx.edit_user("alice", edit)
        tx.commit()
        self.assertEqual(self.directory.model.find_user("alice").other_groups, ["support"])

        def broken(user):
            user.name = "half"
            raise KeyError("oops")
        tx = self.directory.begin()
        with self.assertRaises(KeyError):
            tx.edit_user("alice", broken)
        self.assertFalse(tx.has_changes)
        with self.assertRaises(sorights.NotFoundError):
            tx.edit_user("nobody", edit)

    def test_refused_changes(self):
        d = self.directory
        with self.assertRaises(sorights.NotFoundError):
            d.begin().set_user_role("nobody", "level-2")
        with self.assertRaises(sorights.Error):
            d.begin("nobody")
        tx = d.begin("alice")  # level-3: no admin-users right
        tx.set_user_role("alice", "level-0")
        with self.assertRaises(sorights.PermissionDeniedError) as ctx:
            tx.commit()
        self.assertEqual(ctx.exception.code, sorights.ErrorCode.PERMISSION_DENIED)
        self.assertEqual(d.version, 0)
        trail = d.audit(include_refused=True)
        self.assertTrue(any(e.refused for e in trail))
        tx = d.begin()
        with self.assertRaises(sorights.NotFoundError):
            tx.set_user_role("bob", "no-such-role")
        # A rule checked at commit: every problem is reported, nothing changes.
        with self.assertRaises((sorights.ValidationError, sorights.NotFoundError)):
            tx.put_user(sorights.User(id="zed", company="acme", role="level-3", group="salse"))
            tx.commit()
        self.assertEqual(d.version, 0)

    def test_audit(self):
        d = self.directory
        with d.begin() as tx:
            tx.set_user_role("alice", "level-2")
        trail = d.audit()
        self.assertEqual(len(trail), 1)
        self.assertEqual(trail[0].version, 1)
        self.assertFalse(trail[0].refused)
        change = trail[0].changes[0]
        self.assertEqual(change.kind, sorights.EntityKind.USER)
        self.assertEqual(change.id, "alice")
        self.assertEqual(change.before.role, "level-3")
        self.assertEqual(change.after.role, "level-2")
        self.assertEqual(len(d.audit(user="bob")), 0)


if __name__ == "__main__":
    unittest.main()
