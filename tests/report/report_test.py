"""Renders `sorights report --html` in headless Chromium and checks what an
administrator would see: the data-rights grid cells with their levels, the
functional rights, the users and the licence usage. Leaves a screenshot next
to the page (docs/report.png is made the same way)."""
import html.parser
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SORIGHTS = os.environ["SORIGHTS_CLI"]
MODEL = os.environ["SORIGHTS_DEMO_MODEL"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class Cells(html.parser.HTMLParser):
    """Collects <td data-role data-object data-relation> cells and data-licence rows."""

    def __init__(self):
        super().__init__()
        self.cells = {}
        self.licences = {}
        self.rights = {}
        self._cell = None
        self._licence = None
        self._licence_cols = []
        self._role_row = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "td" and "data-relation" in a:
            self._cell = (a["data-role"], a["data-object"], a["data-relation"], a.get("class", ""))
            self._text = []
        elif tag == "tr" and "data-licence" in a:
            self._licence = a["data-licence"]
            self._licence_cols = []
        elif tag == "tr" and "data-role" in a:
            self._role_row = a["data-role"]
            self._text = []
        elif tag in ("td", "th") and self._licence is not None:
            self._text = []

    def handle_data(self, data):
        self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            role, obj, rel, cls = self._cell
            self.cells[(role, obj, rel)] = ("".join(self._text).strip(), cls)
            self._cell = None
        elif tag in ("td", "th") and self._licence is not None:
            self._licence_cols.append("".join(self._text).strip())
        elif tag == "tr" and self._licence is not None:
            self.licences[self._licence] = self._licence_cols
            self._licence = None
        elif tag == "tr" and self._role_row is not None:
            self.rights[self._role_row] = "".join(self._text)
            self._role_row = None


@unittest.skipIf(CHROMIUM is None, "chromium is not installed (apt-get install chromium)")
class ReportInChromium(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="sorights-report-")
        db = os.path.join(cls.tmp, "demo.db")
        cls.page = os.path.join(cls.tmp, "report.html")
        subprocess.run([SORIGHTS, "--db", db, "import", MODEL], check=True, capture_output=True)
        subprocess.run([SORIGHTS, "--db", db, "report", "--html", cls.page], check=True, capture_output=True)
        profile = os.path.join(cls.tmp, "chromium-profile")
        dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", "file://" + cls.page],
                             check=True, capture_output=True, text=True, timeout=120)
        cls.dom = dom.stdout
        cls.parsed = Cells()
        cls.parsed.feed(cls.dom)
        cls.screenshot = os.path.join(cls.tmp, "report.png")
        subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--window-size=1280,1800",
                        f"--screenshot={cls.screenshot}", "file://" + cls.page],
                       check=True, capture_output=True, timeout=120)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_page_renders_as_one_document(self):
        self.assertIn("Data rights", self.dom)
        self.assertIn("Functional rights", self.dom)
        self.assertIn("Licences", self.dom)
        self.assertNotIn("<script", self.dom.lower())

    def test_grid_cells_show_the_role_rights_coloured_by_level(self):
        cells = self.parsed.cells
        self.assertEqual(cells[("sales-rep", "sale", "own")], ("CRUD", "cell lvl-delete"))
        self.assertEqual(cells[("sales-rep", "sale", "primary_group")], ("RU", "cell lvl-custom"))
        self.assertEqual(cells[("sales-rep", "sale", "other_groups")], ("R", "cell lvl-read"))
        self.assertEqual(cells[("sales-rep", "sale", "other_associates")][1], "cell lvl-none")
        self.assertEqual(cells[("partner", "document", "same_project")], ("CR", "cell lvl-create"))
        self.assertEqual(cells[("level-0", "company", "other_associates")], ("CRUD", "cell lvl-delete"))
        # An external role's grid shows the external columns.
        self.assertIn(("partner", "document", "my_company"), cells)
        self.assertNotIn(("partner", "document", "primary_group"), cells)

    def test_custom_objects_have_a_row(self):
        self.assertEqual(self.parsed.cells[("sales-manager", "contract", "other_groups")], ("CRU", "cell lvl-update"))

    def test_functional_rights_are_listed_per_role(self):
        self.assertIn("acme-approve-discount", self.parsed.rights["sales-manager"])
        self.assertIn("admin-all", self.parsed.rights["level-0"])

    def test_licence_usage_shows_in_use_and_available(self):
        user = self.parsed.licences["user"]
        self.assertEqual(user[1], "user")
        in_use = int(user[2])
        self.assertGreater(in_use, 0)
        self.assertEqual(user[3], f"{25 - in_use} of 25")
        self.assertEqual(self.parsed.licences["quote"][3], "site")
        self.assertEqual(self.parsed.licences["visible-for"][3], "unlimited")

    def test_screenshot_is_written(self):
        self.assertGreater(os.path.getsize(self.screenshot), 10000)


if __name__ == "__main__":
    unittest.main(verbosity=2)
