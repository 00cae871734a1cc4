"""sorights.can_batch and rights_batch: Snapshot.can and Snapshot.rights for every record of a list,
of any objects."""
import unittest

import sorights
from support import make_model


def mixed_records():
    """700 records of five objects (one unknown) and five owners (one empty, one unknown)."""
    owners = ["alice", "bob", "sam", None, "ghost"]
    objects = ["sale", "company", "person", "project", "no-such-object"]
    return [sorights.Record(object=objects[i % 5], owner=owners[(i // 5) % 5], completed=(i % 3 == 0))
            for i in range(700)]


class CanBatchTest(unittest.TestCase):
    def test_equals_can_per_record_over_mixed_objects(self):
        snapshot = make_model().compile()
        records = mixed_records()
        for user in ("alice", "bob", "nobody"):
            for action in ("read", "create", "update", "delete"):
                got = sorights.can_batch(snapshot, user, action, records)
                want = [snapshot.can(user, action, r) for r in records]
                self.assertEqual(got, want, (user, action))
        self.assertEqual(sorights.can_batch(snapshot, "alice", "read", []), [])

    def test_rights_batch_equals_rights_per_record_over_mixed_objects(self):
        snapshot = make_model().compile()
        records = mixed_records()
        for user in ("alice", "bob", "nobody"):
            got = sorights.rights_batch(snapshot, user, records)
            want = [snapshot.rights(user, r) for r in records]
            self.assertEqual(got, want, user)
        self.assertTrue(any(r.bits != 0 for r in sorights.rights_batch(snapshot, "alice", records)))
        self.assertEqual(sorights.rights_batch(snapshot, "alice", []), [])

    def test_a_bad_visible_for_is_a_value_error(self):
        snapshot = make_model().compile()
        with self.assertRaises(ValueError):
            sorights.can_batch(snapshot, "alice", "read", [sorights.Record(object="sale", visible_for="nope")])


if __name__ == "__main__":
    unittest.main()
