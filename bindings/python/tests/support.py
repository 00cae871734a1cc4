"""Shared fixtures for the sorights Python tests."""
import os
import tempfile
import unittest

import sorights


def make_model():
    """acme (database owner), groups sales/support, alice + sam (level-3, sales),
    bob (level-2, support)."""
    model = sorights.Model.with_defaults()
    model.our_companies.append(sorights.OurCompany("acme", "Acme", database_owner=True))
    model.groups.extend([sorights.Group("sales", "Sales"), sorights.Group("support", "Support")])
    model.users.append(sorights.User(id="alice", company="acme", role="level-3", group="sales"))
    model.users.append(sorights.User(id="sam", company="acme", role="level-3", group="sales"))
    model.users.append(sorights.User(id="bob", company="acme", role="level-2", group="support"))
    return model


@unittest.skipUnless(sorights.HAS_STORAGE, "built without sorights::storage")
class RoundTrip:
    """Mixed into a TestCase: the model `make()` gives comes back equal from
    a model file (whose text holds `in_file`) and from a snapshot file.
    `check_model_file(text, back)` adds what the case checks beyond that."""

    in_file = ""
    make = None

    def check_model_file(self, text, back):
        pass

    def test_model_file(self):
        model = self.make()
        text = sorights.export_model_file(model)
        self.assertIn(self.in_file, text)
        back = sorights.parse_model_file(text)
        self.assertEqual(back, model)
        self.check_model_file(text, back)

    def test_snapshot_file(self):
        model = self.make()
        back, version = snapshot_file_round_trip(model, 3)
        self.assertEqual(version, 3)
        self.assertEqual(back, model)


def snapshot_file_round_trip(model, version):
    """Saves `model` at `version` to a snapshot file (in a temporary directory)
    and loads it back: (model, version)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.snap")
        sorights.save_snapshot_file(path, model, version)
        return sorights.load_snapshot_file(path)
