"""Shared fixtures for the sorights Python tests."""
import os
import tempfile

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


def snapshot_file_round_trip(model, version):
    """Saves `model` at `version` to a snapshot file (in a temporary directory)
    and loads it back: (model, version)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.snap")
        sorights.save_snapshot_file(path, model, version)
        return sorights.load_snapshot_file(path)
