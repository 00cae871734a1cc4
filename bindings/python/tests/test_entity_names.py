"""`names` (display names per language) of roles, groups, our companies and
declared functional rights: the field, the model file and the stores keep it
(docs/languages.md, docs/model-file.md)."""
import unittest

import sorights
from support import make_model, snapshot_file_round_trip


def model_with_names():
    model = make_model()
    model.groups.append(sorights.Group("g-names", "Sales", names={"da": "Salg", "nl": "Verkoop"}))
    model.our_companies.append(sorights.OurCompany(id="c-names", name="Acme", names={"no": "Acme Norge"}))
    model.functional_rights.append(sorights.FunctionalRightDef("host-x", "X", names={"en": "Export"}))
    return model


class EntityNamesTest(unittest.TestCase):
    def test_field_defaults_to_empty_and_shows_in_repr(self):
        self.assertEqual(sorights.Group("g").names, {})
        self.assertEqual(sorights.Role("r").names, {})
        g = sorights.Group("g", names={"da": "Gruppe"})
        self.assertEqual(g.names, {"da": "Gruppe"})
        self.assertIn("names=", repr(g))
        self.assertNotEqual(g, sorights.Group("g"))
        r = sorights.Role("r")
        r.names = {"nl": "Rol"}
        self.assertEqual(r.names, {"nl": "Rol"})

    def test_unknown_language_is_refused_by_compile(self):
        model = make_model()
        model.groups.append(sorights.Group("g-bad", names={"fr": "Groupe"}))
        with self.assertRaises(sorights.Error):
            sorights.compile(model, 1)


@unittest.skipUnless(sorights.HAS_STORAGE, "built without sorights::storage")
class EntityNamesRoundTripTest(unittest.TestCase):
    def test_model_file(self):
        model = model_with_names()
        text = sorights.export_model_file(model)
        self.assertIn('"names": {"da": "Salg", "nl": "Verkoop"}', text)
        back = sorights.parse_model_file(text)
        self.assertEqual(back, model)
        self.assertEqual(back.functional_rights[-1].names, {"en": "Export"})

    def test_snapshot_file(self):
        model = model_with_names()
        back, version = snapshot_file_round_trip(model, 3)
        self.assertEqual(back, model)
        self.assertEqual(version, 3)


if __name__ == "__main__":
    unittest.main()
