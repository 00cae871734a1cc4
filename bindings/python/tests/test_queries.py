"""QueryIndex (the admin's questions) and run_policy_tests."""
import json
import unittest

import sorights
from support import make_model


def model_with_others():
    model = make_model()
    model.users.append(sorights.User(id="sys", type="system"))
    model.users.append(sorights.User(id="web", type="anonymous"))
    model.users.append(sorights.User(id="zed", name="Zed Zulu", company="acme", role="level-3", group="support",
                                     other_groups=["sales"], retired=True))
    return model


class QueryIndexTest(unittest.TestCase):
    def setUp(self):
        self.model = model_with_others()
        self.snapshot = self.model.compile()
        self.q = sorights.QueryIndex(self.snapshot, self.model)

    def test_who_can_equals_the_loop_of_can(self):
        for owner in ("alice", "bob", "sys", None):
            for action in ("read", "create", "update", "delete"):
                record = sorights.Record(object="sale", owner=owner)
                want = sorted(u for u in self.snapshot.users if self.snapshot.can(u, action, record))
                self.assertEqual(self.q.who_can(action, record), want, (owner, action))
        self.assertIn("alice", self.q.who_can("update", sorights.Record(object="sale", owner="alice")))

    def test_users_by_filter_in_id_order(self):
        self.assertEqual(self.q.users(), ["alice", "bob", "sam", "sys", "web", "zed"])
        self.assertEqual(self.q.users(role="system"), ["sys"])  # the implied role
        self.assertEqual(self.q.users(type="other"), ["sys", "web"])
        self.assertEqual(self.q.users(group="sales"), ["alice", "sam", "zed"])
        self.assertEqual(self.q.users(group="sales", active=True), ["alice", "sam"])
        self.assertEqual(self.q.users(search="ZULU"), ["zed"])
        self.assertEqual(self.q.users(offset=1, limit=2), ["bob", "sam"])
        with self.assertRaises(sorights.NotFoundError):
            self.q.users(role="nope")
        with self.assertRaises(ValueError):
            self.q.users(type="robot")

    def test_roles_and_rights(self):
        self.assertEqual(self.q.role_user_count("system"), 1)
        self.assertEqual(self.q.role_user_count("level-3"), 3)  # a retired user counts
        self.assertTrue(self.q.role_hidden("system"))
        self.assertFalse(self.q.role_hidden("level-3"))
        self.assertEqual(self.q.effective_role("sys"), "system")
        self.assertEqual(self.q.group_members("support"), ["bob", "zed"])
        self.assertEqual(self.q.users_holding("admin-all"), ["sys"])
        self.assertIn("level-0", self.q.roles_granting("admin-all"))
        self.assertNotIn("system", self.q.roles_granting("admin-all"))
        with self.assertRaises(sorights.NotFoundError):
            self.q.users_holding("no-such-right")

    @unittest.skipUnless(sorights.HAS_STORAGE, "needs the storage library")
    def test_policy_tests(self):
        tests = {"format": "sorights-tests/1", "tests": [
            {"name": "own", "user": "alice", "action": "update", "object": "sale",
             "record": {"owner": "alice"}, "expect": "allow"},
            {"name": "wrong", "user": "bob", "has": "admin-all", "expect": "allow"}]}
        passed, failures = sorights.run_policy_tests(self.snapshot, self.model, json.dumps(tests))
        self.assertEqual(passed, 1)
        self.assertEqual(failures, [("wrong", "allow", "deny")])
        with self.assertRaises(sorights.Error):
            sorights.run_policy_tests(self.snapshot, self.model, '{"format": "sorights-tests/1", "tests": [1]}')


class FilterAndPredicateTest(unittest.TestCase):
    def setUp(self):
        self.model = model_with_others()
        self.snapshot = self.model.compile()

    def test_filter_equals_can_per_record(self):
        owners = ["alice", "bob", "sam", "zed", None, "ghost"]
        records = [sorights.Record(object="sale", owner=o, completed=(i % 2 == 1)) for i, o in enumerate(owners)]
        for user in ("alice", "bob", "sys", "zed"):
            for action in ("read", "update", "delete"):
                got = sorights.filter(self.snapshot, user, action, "sale", records)
                want = [self.snapshot.can(user, action, r) for r in records]
                self.assertEqual(got, want, (user, action))
        self.assertEqual(sorights.filter(self.snapshot, "alice", "read", "sale", []), [])

    def test_predicate_sql(self):
        sql, params, exact = sorights.predicate_sql(self.snapshot, "alice", "sale", "update")
        self.assertIn("?", sql)
        self.assertIn("alice", params)
        self.assertTrue(exact)
        sql, params, _ = sorights.predicate_sql(self.snapshot, "alice", "sale", "update", numbered=True,
                                                record_prefix="r.", owner_prefix="o.")
        self.assertIn("$1", sql)
        self.assertIn("r.owner", sql)
        sql, params, _ = sorights.predicate_sql(self.snapshot, "nobody", "sale", "read")
        self.assertEqual(params, [])


class LicenceReportTest(unittest.TestCase):
    def test_licence_usage_and_html_report(self):
        model = make_model()
        model.licences.append(sorights.Licence(id="web", name="Web", count=2))
        model.users[0].licences = ["web"]
        usage = {u.licence: u for u in sorights.licence_usage(model)}
        self.assertEqual(usage["web"].in_use, 1)
        self.assertEqual(usage["web"].available, 1)
        self.assertEqual(usage["web"].users, ["alice"])
        self.assertEqual(usage["web"].kind, sorights.LicenceKind.USER)
        html = sorights.render_html_report(model, "Demo")
        self.assertTrue(html.lstrip().lower().startswith("<!doctype html"), html[:40])
        self.assertIn("Demo", html)


if __name__ == "__main__":
    unittest.main()
