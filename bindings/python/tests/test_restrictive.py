"""Restrictive functional rights (docs/rules.md §16): the declared flag
round-trips, and the system user holds no restrictive right."""
import unittest

import sorights
from support import RoundTrip, make_model


def model_with_rights():
    model = make_model()
    model.functional_rights.append(sorights.FunctionalRightDef("host-export", "Export"))
    model.functional_rights.append(
        sorights.FunctionalRightDef(id="host-hide-export", name="Hide export", restrictive=True))
    model.users.append(sorights.User(id="integration", type="system"))
    return model


class RestrictiveRightTest(unittest.TestCase):
    def test_field_defaults_to_false_and_shows_in_repr(self):
        self.assertFalse(sorights.FunctionalRightDef("x").restrictive)
        r = sorights.FunctionalRightDef("x", restrictive=True)
        self.assertTrue(r.restrictive)
        self.assertIn("restrictive=True", repr(r))
        self.assertNotEqual(r, sorights.FunctionalRightDef("x"))

    def test_system_user_holds_no_restrictive_right(self):
        snap = sorights.compile(model_with_rights(), 1)
        self.assertTrue(snap.has("integration", "admin-all"))
        self.assertTrue(snap.has("integration", "host-export"))
        self.assertFalse(snap.has("integration", "host-hide-export"))
        self.assertFalse(snap.has("integration", "hide-company"))


class RestrictiveRoundTripTest(RoundTrip, unittest.TestCase):
    in_file = '"restrictive": true'
    make = staticmethod(model_with_rights)

    def check_model_file(self, text, back):
        self.assertEqual(text.count('"restrictive"'), 1)  # omitted when false
        self.assertTrue(back.functional_rights[-1].restrictive)


if __name__ == "__main__":
    unittest.main()
