"""`sorights names`, --lang and SORIGHTS_LANG (docs/cli.md, docs/languages.md):
argv: SORIGHTS DEMO_MODEL."""
import contextlib
import os
import subprocess
import sys
import tempfile
import unittest

SORIGHTS, MODEL = sys.argv[1], sys.argv[2]
KINDS = ["roles", "functional-rights", "objects", "relations", "user-types", "levels", "tabs"]


def run(*args, env_lang=None, db=None):
    env = dict(os.environ)
    env.pop("SORIGHTS_LANG", None)
    if env_lang is not None:
        env["SORIGHTS_LANG"] = env_lang
    argv = [SORIGHTS] + (["--db", db] if db else []) + list(args)
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)


def role_list(lang, db):
    return run("--lang", lang, "role", "list", db=db).stdout


def user_rows(db, *options):
    """`user list`'s lines by user id, each split at its tabs."""
    return {l.split("\t")[0]: l.split("\t") for l in run(*options, "user", "list", db=db).stdout.splitlines()}


class Names(unittest.TestCase):
    @contextlib.contextmanager
    def demo_store(self):
        """A store in a temporary directory holding the demo model; yields its path."""
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, "s.db")
            self.assertEqual(run("import", MODEL, db=db).returncode, 0)
            yield db

    def test_every_kind_is_listed_under_its_heading(self):
        out = run("names").stdout.splitlines()
        self.assertEqual([l[2:] for l in out if l.startswith("# ")], KINDS)
        for line in out:
            if not line.startswith("# "):
                self.assertRegex(line, r"^[^\t]+\t[^\t]+$")

    def test_one_kind_prints_id_tab_name(self):
        r = run("--lang", "da", "names", "levels")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout, "none\tIngen\nread\tLæs\ncreate\tOpret\nupdate\tOpdater\ndelete\tSlet\n")

    def test_lang_may_stand_after_the_command_and_nb_is_no(self):
        self.assertIn("our-companies\tVåre firmaer\n", run("names", "tabs", "--lang", "nb").stdout)
        self.assertIn("other-users\tAndere gebruikers\n", run("names", "tabs", "--lang=NL").stdout)

    def test_sorights_lang_is_the_default_and_lang_wins(self):
        self.assertIn("level-0\tBrugerniveau 0\n", run("names", "roles", env_lang="da").stdout)
        self.assertIn("level-0\tUser level 0\n", run("names", "roles", "--lang", "en", env_lang="da").stdout)
        self.assertIn("other\tOther users\n", run("names", "user-types", env_lang="").stdout)

    def test_an_unknown_language_or_kind_is_exit_2_naming_it(self):
        r = run("--lang", "de", "names")
        self.assertEqual(r.returncode, 2)
        self.assertIn('"de"', r.stderr)
        r = run("names", env_lang="fr")
        self.assertEqual(r.returncode, 2)
        self.assertIn("SORIGHTS_LANG", r.stderr)
        r = run("names", "colours")
        self.assertEqual(r.returncode, 2)
        self.assertIn('"colours"', r.stderr)

    def test_role_list_and_show_print_display_names_and_keep_ids(self):
        with self.demo_store() as db:
            listed = role_list("da", db)
            self.assertRegex(listed, r"(?m)^level-0\temployee\t\d+ users?\tBrugerniveau 0$")
            self.assertNotIn("\tsystem\t", listed)
            self.assertIn("Systembruger", run("--lang", "da", "role", "list", "--all", db=db).stdout)
            shown = run("--lang", "nl", "role", "show", "level-5", db=db).stdout
            self.assertTrue(shown.startswith("role level-5 (employee): Gebruikersniveau 5\n"), shown)

    def test_role_rename_with_lang_sets_the_name_in_that_language(self):
        with self.demo_store() as db:
            r = run("role", "rename", "sales-rep", "Sælger", "--lang", "da", db=db)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertRegex(role_list("da", db), r"(?m)^sales-rep\temployee\t\d+ users?\tSælger$")
            # Other languages keep the name; --lang en too (no English entry).
            self.assertRegex(role_list("en", db), r"(?m)^sales-rep\temployee\t\d+ users?\tSales rep$")
            self.assertRegex(role_list("nl", db), r"(?m)^sales-rep\t.*\tSales rep$")
            self.assertTrue(run("--lang", "da", "role", "show", "sales-rep", db=db).stdout
                            .startswith("role sales-rep (employee): Sælger\n"))
            # The stored model carries it: export writes names.
            self.assertIn('"names": {"da": "Sælger"}', run("export", db=db).stdout)
            # nb is no; an empty name removes the entry again.
            self.assertEqual(run("role", "rename", "sales-rep", "Selger", "--lang", "nb", db=db).returncode, 0)
            self.assertRegex(role_list("no", db), r"(?m)^sales-rep\t.*\tSelger$")
            self.assertEqual(run("role", "rename", "sales-rep", "", "--lang", "da", db=db).returncode, 0)
            self.assertRegex(role_list("da", db), r"(?m)^sales-rep\t.*\tSales rep$")
            # Without --lang (SORIGHTS_LANG alone does not count) rename sets the name.
            self.assertEqual(run("role", "rename", "sales-rep", "Seller", env_lang="da", db=db).returncode, 0)
            self.assertRegex(role_list("en", db), r"(?m)^sales-rep\t.*\tSeller$")
            self.assertRegex(role_list("no", db), r"(?m)^sales-rep\t.*\tSelger$")

    def test_a_predefined_role_renamed_shows_the_stored_name_in_every_language(self):
        with self.demo_store() as db:
            self.assertEqual(run("role", "rename", "level-0", "Trainee", db=db).returncode, 0)
            for lang in ["en", "no", "nl", "da"]:
                self.assertRegex(role_list(lang, db), r"(?m)^level-0\temployee\t\d+ users?\tTrainee$", lang)
            # A Danish name of a predefined role shows in Danish only.
            self.assertEqual(run("role", "rename", "level-1", "Niveau én", "--lang", "da", db=db).returncode, 0)
            self.assertRegex(role_list("da", db), r"(?m)^level-1\t.*\tNiveau én$")
            self.assertRegex(role_list("nl", db), r"(?m)^level-1\t.*\tGebruikersniveau 1$")

    def test_user_list_prints_display_names_in_the_language_and_keeps_ids(self):
        with self.demo_store() as db:
            en = run("--lang", "en", "user", "list", db=db).stdout.splitlines()
            da = run("--lang", "da", "user", "list", db=db).stdout.splitlines()
            self.assertEqual(len(en), len(da))
            for a, b in zip(en, da):
                self.assertEqual(a.split("\t")[:6], b.split("\t")[:6])  # the ids
            rows = {l.split("\t")[0]: l.split("\t") for l in en}
            self.assertEqual(rows["alice"][1:6], ["associate", "sales-rep", "sales", "acme-no", "sales-premium"])
            self.assertEqual(rows["alice"][6:9], ["Sales rep", "Sales", "Acme Norge AS"])
            self.assertEqual(rows["integration"][6], "System user")
            rows_da = {l.split("\t")[0]: l.split("\t") for l in da}
            self.assertEqual(rows_da["integration"][6], "Systembruger")
            self.assertEqual(run("role", "rename", "sales-rep", "Sælger", "--lang", "da", db=db).returncode, 0)
            self.assertEqual(user_rows(db, "--lang", "da")["alice"][6], "Sælger")
            self.assertEqual(user_rows(db)["alice"][6], "Sales rep")

    def test_report_shows_stored_names_in_its_language(self):
        with self.demo_store() as db:
            self.assertEqual(run("role", "rename", "sales-rep", "Sælger", "--lang", "da", db=db).returncode, 0)
            pages = {}
            for lang in ["da", "en"]:
                page = os.path.join(os.path.dirname(db), f"r-{lang}.html")
                r = run("--lang", lang, "report", "--html", page, db=db)
                self.assertEqual(r.returncode, 0, r.stderr)
                with open(page, encoding="utf-8") as f:
                    pages[lang] = f.read()
            self.assertIn('<tr data-user="alice"><td>alice</td>', pages["da"])
            alice_da = pages["da"].split('<tr data-user="alice">')[1].split("</tr>")[0]
            alice_en = pages["en"].split('<tr data-user="alice">')[1].split("</tr>")[0]
            self.assertIn("<td>Sælger</td>", alice_da)
            self.assertIn("<td>Sales rep</td>", alice_en)
            self.assertNotIn("Sælger", pages["en"])
            # Group and company cells show display names (the demo's names).
            self.assertIn("<td>Acme Norge AS</td>", alice_en)
            self.assertIn("<td>Sales</td>", alice_en)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
