"""`names` (display names per language) of roles, groups, our companies and
declared functional rights: the field, the model file and the stores keep it
(docs/languages.md, docs/model-file.md)."""
import unittest

import sorights
from support import RoundTrip, make_model


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


class EntityNamesRoundTripTest(RoundTrip, unittest.TestCase):
    in_file = '"names": {"da": "Salg", "nl": "Verkoop"}'
    make = staticmethod(model_with_names)

    def check_model_file(self, text, back):
        self.assertEqual(back.functional_rights[-1].names, {"en": "Export"})


if __name__ == "__main__":
    unittest.main()
