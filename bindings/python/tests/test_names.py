"""Display names from Python (bind_names.cpp)."""
import unittest

import sorights


class Names(unittest.TestCase):
    def test_languages_parse_and_nb_is_norwegian(self):
        self.assertEqual(sorights.parse_language("nb"), sorights.Language.NO)
        self.assertEqual(sorights.parse_language("DA"), sorights.Language.DA)
        self.assertIsNone(sorights.parse_language("de"))

    def test_builtin_names_in_each_language(self):
        self.assertEqual(sorights.display_name("roles", "level-0", "da"), "Brugerniveau 0")
        self.assertEqual(sorights.display_name("tabs", "other-users", sorights.Language.NL), "Andere gebruikers")
        self.assertEqual(sorights.display_name("roles", "sales-rep", "da"), "sales-rep")
        levels = sorights.builtin_names("levels", "da")
        self.assertEqual(levels[0], ("none", "Ingen"))
        with self.assertRaises(ValueError):
            sorights.display_name("roles", "level-0", "xx")
        with self.assertRaises(ValueError):
            sorights.builtin_names("colours")

    def test_report_takes_a_language(self):
        model = sorights.Model.with_defaults()
        page = sorights.render_html_report(model, "Demo", lang="da")
        self.assertIn('<html lang="da">', page)
        self.assertIn("Brugerniveau 0", page)
        self.assertIn('<html lang="en">', sorights.render_html_report(model, "Demo"))
        self.assertEqual(sorights.role_display_name(model, "level-1", "nl"), "Gebruikersniveau 1")


if __name__ == "__main__":
    unittest.main()
