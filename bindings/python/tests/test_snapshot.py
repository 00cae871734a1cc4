"""Compiled snapshots: checks, functional rights, field rights, explain."""
import datetime
import unittest

import sorights
from support import make_model


class SnapshotTest(unittest.TestCase):
    def setUp(self):
        self.snapshot = sorights.compile(make_model(), version=3)

    def test_facts(self):
        s = self.snapshot
        self.assertEqual(s.version, 3)
        self.assertEqual(s.user_count, 3)
        self.assertEqual(sorted(s.users), ["alice", "bob", "sam"])
        self.assertIn("level-3", s.roles)
        self.assertIn("alice", s)
        self.assertNotIn("nobody", s)
        self.assertEqual(s.user_role("alice"), "level-3")
        self.assertIsNone(s.user_role("nobody"))
        self.assertEqual(s.user_type("alice"), sorights.UserType.ASSOCIATE)
        self.assertEqual(s.role_cell("level-3", "sale", "primary_group"), "R")
        self.assertGreater(s.memory_bytes, 0)
        self.assertIn("version=3", repr(s))

    def test_own_group_and_other_records(self):
        s = self.snapshot
        own = sorights.Record(object="sale", owner="alice")
        self.assertEqual(s.rights("alice", own), sorights.TableRights.FULL)
        group = sorights.Record(object="sale", owner="sam")
        self.assertEqual(s.rights("alice", group), "R")
        self.assertTrue(s.can("alice", "read", group))
        self.assertFalse(s.can("alice", "update", group))
        self.assertTrue(s.can("bob", sorights.Action.READ, group))

    def test_total(self):
        s = self.snapshot
        rec = sorights.Record(object="sale", owner="alice")
        self.assertEqual(s.rights("nobody", rec), sorights.TableRights.NONE)
        self.assertFalse(s.can("alice", "read", sorights.Record(object="spaceship", owner="alice")))
        self.assertFalse(s.has("alice", "no-such-right"))

    def test_visibility(self):
        s = self.snapshot
        hidden = sorights.Record(object="sale", owner="bob", visible_for="associate:bob")
        self.assertFalse(s.can("alice", "read", hidden))
        shared = sorights.Record(object="sale", owner="bob", visible_for="group:sales")
        self.assertTrue(s.can("alice", "read", shared))
        with self.assertRaises(ValueError):
            s.can("alice", "read", sorights.Record(object="sale", visible_for="everyone"))

    def test_times_accept_datetimes(self):
        rec = sorights.Record(object="sale", published=True)
        rec.publish_from = datetime.datetime(2026, 1, 1)
        rec.at = datetime.date(2026, 1, 2)
        self.assertEqual(rec.publish_from, 1767225600)
        self.assertEqual(rec.at, 1767225600 + 86400)
        rec.publish_to = None
        self.assertIsNone(rec.publish_to)
        with self.assertRaises(TypeError):
            rec.at = "yesterday"

    def test_functional_rights(self):
        s = self.snapshot
        self.assertTrue(s.has("alice", "see-other-companies-associates"))
        self.assertFalse(s.has("alice", "admin-all"))

    def test_field_rights_follow_the_table_right(self):
        s = self.snapshot
        own = sorights.Record(object="sale", owner="alice")
        self.assertEqual(s.field_rights("alice", own, "amount"), sorights.FieldRights("RW"))
        other = sorights.Record(object="sale", owner="sam")
        self.assertEqual(s.field_rights("alice", other, "amount"), sorights.FieldRights("R"))

    def test_explain(self):
        e = self.snapshot.explain("alice", "update", sorights.Record(object="sale", owner="sam"))
        self.assertEqual(e.outcome, sorights.Outcome.EVALUATED)
        self.assertEqual(e.relation, sorights.Relation.PRIMARY_GROUP)
        self.assertEqual(e.role, "level-3")
        self.assertEqual(e.cell, "R")
        self.assertEqual(e.rights, "R")
        self.assertFalse(e.allowed)
        self.assertEqual(e.user, "alice")
        self.assertEqual(e.object, "sale")
        self.assertIn("level-3", str(e))
        self.assertNotIn("\n", e.reason)
        self.assertIn("deny", repr(e))
        hidden = self.snapshot.explain("alice", "read",
                                       sorights.Record(object="sale", owner="bob", visible_for="associate:bob"))
        self.assertEqual([fx.layer for fx in hidden.layers], [sorights.Layer.VISIBILITY])
        self.assertEqual(hidden.layers[0].removed, "R")
        unknown = self.snapshot.explain("nobody", "read", sorights.Record(object="sale"))
        self.assertEqual(unknown.outcome, sorights.Outcome.NO_SUCH_USER)
        self.assertIsNone(unknown.role)

    def test_inactive_users_are_denied(self):
        model = make_model()
        model.find_user("alice").retired = True
        s = model.compile()
        self.assertFalse(s.can("alice", "read", sorights.Record(object="sale", owner="alice")))
        e = s.explain("alice", "read", sorights.Record(object="sale", owner="alice"))
        self.assertEqual(e.inactive_reason, sorights.InactiveReason.RETIRED)

    def test_record_key(self):
        self.assertEqual(sorights.record_key("42"), 42)
        self.assertGreaterEqual(sorights.record_key("ORD-1"), 1 << 63)


if __name__ == "__main__":
    unittest.main()
