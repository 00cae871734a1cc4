"""`sorights --lang L report --html` in headless Chromium, for each language:
the page's lang attribute, its headings and tabs in L, a screenshot; the
Danish report names the predefined roles as the reference pages do."""
import os
import shutil
import subprocess
import tempfile
import unittest

SORIGHTS = os.environ["SORIGHTS_CLI"]
MODEL = os.environ["SORIGHTS_DEMO_MODEL"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
EXPECT = {
    "en": ["Data rights", "Functional rights", "User level 0", "My own"],
    "no": ["Datarettigheter", "Funksjonsrettigheter", "Brukernivå 0", "Mine egne", "Lisenser"],
    "nl": ["Gegevensrechten", "Functionele rechten", "Gebruikersniveau 0", "Mijn eigen", "Licenties"],
    "da": ["Datarettigheder", "Funktionelle rettigheder", "Brugerniveau 0", "Mine egne", "Læs", "Licenser"],
}


@unittest.skipIf(CHROMIUM is None, "chromium is not installed (apt-get install chromium)")
class ReportInEachLanguage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="sorights-report-lang-")
        cls.db = os.path.join(cls.tmp, "demo.db")
        subprocess.run([SORIGHTS, "--db", cls.db, "import", MODEL], check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def render(self, lang):
        page = os.path.join(self.tmp, f"report-{lang}.html")
        subprocess.run([SORIGHTS, "--db", self.db, "--lang", lang, "report", "--html", page], check=True,
                       capture_output=True)
        profile = os.path.join(self.tmp, f"profile-{lang}")
        dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", "file://" + page],
                             check=True, capture_output=True, text=True, timeout=120).stdout
        shot = os.path.join(self.tmp, f"report-{lang}.png")
        subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--window-size=1280,1400",
                        f"--screenshot={shot}", "file://" + page], check=True, capture_output=True, timeout=120)
        return dom, shot

    def test_each_language_sets_lang_and_its_words(self):
        for lang, words in EXPECT.items():
            with self.subTest(lang=lang):
                dom, shot = self.render(lang)
                self.assertIn(f'<html lang="{lang}">', dom)
                for w in words:
                    self.assertIn(w, dom)
                self.assertGreater(os.path.getsize(shot), 10000)
                # Ids stay ids: the grid cells keep their data attributes.
                self.assertIn('data-relation="own"', dom)

    def test_danish_report_names_user_level_0(self):
        dom, _ = self.render("da")
        self.assertIn("Brugerniveau 0", dom)
        self.assertNotIn("User level 0", dom)


if __name__ == "__main__":
    unittest.main(verbosity=2)
