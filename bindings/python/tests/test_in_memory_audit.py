"""An in-memory store's audit trail, bounded by max_audit_entries."""
import unittest

import sorights
from support import make_model


def commit_roles(directory, roles):
    for role in roles:
        tx = directory.begin()
        tx.set_user_role("alice", role)
        tx.commit()


class InMemoryAuditTest(unittest.TestCase):
    def test_a_bounded_store_keeps_the_newest_entries(self):
        store = sorights.InMemoryStorage(make_model(), 1, max_audit_entries=2)
        directory = sorights.Directory.open(store)
        commit_roles(directory, ["level-4", "level-2", "level-3"])
        trail = store.audit()
        self.assertEqual([e.version for e in trail], [3, 4])
        self.assertEqual(store.version, 4)

    def test_an_unbounded_store_keeps_every_entry(self):
        store = sorights.InMemoryStorage(make_model(), 1)
        directory = sorights.Directory.open(store)
        commit_roles(directory, ["level-4", "level-2", "level-3"])
        self.assertEqual([e.version for e in store.audit()], [2, 3, 4])


if __name__ == "__main__":
    unittest.main()
