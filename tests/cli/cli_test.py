#!/usr/bin/env python3
"""CTest driver for the `sorights` command line (docs/cli.md).

Run by CTest, one test per case (tests/support/cases.py).
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from cases import DEMO, CASES, CliEnv, case, eq, run  # noqa: E402  the shared case runner


class Env(CliEnv):
    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def demo(self):
        self.ok("import", DEMO)
        return self


# -- init, import, export ---------------------------------------------------------------

@case
def init(e):
    out, _ = e.ok("init")
    assert os.path.exists(e.db)
    out, _ = e.ok("export")
    eq(out, '{"format": "sorights-model/1"}\n', "fresh export")
    e.fails("init", contains="exists")
    e.ok("init", "--help")
    e.fails("init", "extra")
    # An empty file (as mktemp makes) is no store yet: init and import take it.
    empty = e.write("empty.db", "")
    e.ok("--db", empty, "init", db=False)
    empty2 = e.write("empty2.db", "")
    e.fails("--db", empty2, "import", e.write("bad.json", "{"), db=False)
    eq(os.path.getsize(empty2), 0, "a failed import leaves the empty file empty")
    e.ok("--db", empty2, "import", DEMO, db=False)


@case
def import_and_export(e):
    out, _ = e.ok("import", DEMO)          # no store yet: initialized first
    assert out.startswith("committed version 1"), out
    exported, _ = e.ok("export")
    assert exported.startswith('{\n  "format": "sorights-model/1"'), exported[:60]
    # Export -> import --replace into a new store -> export: unchanged.
    path = e.write("exported.json", exported)
    other = os.path.join(e.dir, "other.db")
    e.ok("--db", other, "import", path, "--replace", db=False)
    again, _ = e.ok("--db", other, "export", db=False)
    eq(again, exported, "export round trip")
    # Importing the same file again changes nothing.
    out, _ = e.ok("import", DEMO)
    assert out.startswith("no changes"), out


@case
def import_merge_and_replace(e):
    e.demo()
    e.ok("import", e.write("g.json", '{"groups": [{"id": "hr", "name": "HR"}]}'))
    out, _ = e.ok("group", "list")
    assert "hr\tHR" in out and "sales\tSales" in out, out
    # Role entry: the named cell replaces, the others stay.
    e.ok("import", e.write("r.json", '{"roles": [{"id": "sales-rep", "data_rights": {"sale": {"other_groups": ""}}}]}'))
    out, _ = e.ok("role", "show", "sales-rep")
    row = [l for l in out.splitlines() if l.startswith("sale ")][0].split()
    eq(row[1:4], ["CRUD", "RU", "-"], "sale row")
    # --replace may not take away the last effective administrator (frida).
    headless = e.write("headless.json", '{"our_companies": [{"id": "acme-no", "name": "Acme Norge AS", "database_owner": true}],'
                                        ' "groups": [{"id": "g"}],'
                                        ' "users": [{"id": "zed", "company": "acme-no", "role": "level-3", "group": "g"}]}')
    e.fails("import", headless, "--replace", contains="[last-admin]")
    # --replace: the store equals the file.
    minimal = e.write("min.json", '{"our_companies": [{"id": "acme-no", "name": "Acme Norge AS", "database_owner": true}],'
                                  ' "groups": [{"id": "g"}],'
                                  ' "users": [{"id": "zed", "company": "acme-no", "role": "level-0", "group": "g"}]}')
    e.ok("import", minimal, "--replace")
    out, _ = e.ok("user", "list")
    eq(out.split("\t")[0], "zed", "only zed")
    eq(len(out.splitlines()), 1, "one user")
    out, _ = e.ok("role", "list")
    assert "sales-rep" not in out and "level-3" in out, out


@case
def import_errors(e):
    e.demo()
    before, _ = e.ok("export")
    bad = e.write("bad.json", """{
  "format": "sorights-model/1",
  "groups": [{"id": "sales"}],
  "users": [
    {"id": "u0", "company": "acme-no", "role": "level-3", "group": "sales"},
    {"id": "u1", "company": "acme-no", "role": "level-3", "group": "sales"},
    {"id": "u2", "company": "acme-no", "role": "level-3", "group": "sales"},
    {"id": "u3", "company": "acme-no", "role": "level-3", "group": "salse"}
  ],
  "roles": [{"id": "x", "data_rights": {"sale": {"own": "CRUDX"}}}],
  "surprise": true
}""")
    err = e.fails("import", bad)
    assert 'bad.json: users[3].group: unknown group "salse"' in err, err
    assert "bad.json: roles[0].data_rights.sale.own: invalid rights" in err, err
    assert 'bad.json: surprise: unknown key "surprise"' in err, err
    after, _ = e.ok("export")
    eq(after, before, "nothing changed")
    e.fails("import", e.write("syntax.json", '{"users": ['), contains="syntax.json")
    e.fails("import", os.path.join(e.dir, "missing.json"), contains="missing.json")
    e.fails("import")
    # A failed import into a store that did not exist leaves no store behind.
    nodb = os.path.join(e.dir, "never.db")
    e.fails("--db", nodb, "import", bad, db=False)
    assert not os.path.exists(nodb)


@case
def import_bounded(e):
    """Model files as untrusted input (docs/design/0008-bounded-input.md)."""
    e.demo()
    before, _ = e.ok("export")
    # Special files are refused by type, before they are opened: a FIFO
    # cannot block the import (run() times out after 120 s if it did).
    e.fails("import", e.dir, contains="it is a directory, not a regular file")
    e.fails("import", "/dev/zero", contains="/dev/zero: cannot read the model file: it is a device")
    fifo = os.path.join(e.dir, "model.fifo")
    os.mkfifo(fifo)
    e.fails("import", fifo, contains="it is a FIFO, not a regular file")
    # The size limit: checked before reading, raised with --max-model-bytes.
    small = e.write("small.json", '{"groups": [{"id": "g1"}]}')
    err = e.fails("--max-model-bytes", "10", "import", small)
    assert "small.json: the model file is 26 bytes, over the limit of 10 bytes" in err, err
    e.fails("--max-model-bytes=x", "import", small, contains="--max-model-bytes: expected a number of bytes")
    sparse = os.path.join(e.dir, "sparse.json")
    with open(sparse, "wb") as f:
        f.truncate(65 << 20)
    e.fails("import", sparse, contains="over the limit of 67108864 bytes")
    # The first bad byte, a duplicate key, a top-level array (once), a bad id.
    with open(os.path.join(e.dir, "utf8.json"), "wb") as f:
        f.write(b'{"groups": [{"id": "g\xff"}]}')
    e.fails("import", os.path.join(e.dir, "utf8.json"), contains="utf8.json: invalid UTF-8 at byte 21")
    e.fails("import", e.write("dup.json", '{"users": [{"id": "a", "id": "b"}]}'),
            contains='dup.json: users[0]: duplicate key "id"')
    err = e.fails("import", e.write("array.json", "[1, 2]"))
    eq(err.count("a model file is a JSON object"), 1, "reported once")
    e.fails("import", e.write("id.json", '{"groups": [{"id": "a\\u001bb"}]}'),
            contains='id.json: groups[0].id: invalid id "a\\x1bb": it holds a control character')
    after, _ = e.ok("export")
    eq(after, before, "nothing changed")
    e.ok("--max-model-bytes", "1000", "import", small)


@case
def export_errors(e):
    e.fails("export", contains="no store")
    e.write("s.db", "this is not a database" * 100)
    e.fails("export", contains="not a sorights store")
    e.fails("check", "alice", "read", "sale")


# -- evaluation ---------------------------------------------------------------------

@case
def check(e):
    e.demo()
    out, _ = e.ok("check", "alice", "update", "sale", "--owner", "bob")
    eq(out, 'allow role "sales-rep" cell sale/primary_group grants Update\n', "check allow")
    out, _ = e.ok("check", "bob", "update", "sale", "--owner", "bob", rc=1)
    eq(out, "deny licence removed Update\n", "cal licence")
    out, _ = e.ok("check", "dina", "delete", "sale", "--owner", "dina", rc=1)
    eq(out, "deny override removed Delete\n", "system override")
    e.ok("check", "alice", "delete", "sale", "--owner", "alice")      # user override gives it back
    e.ok("check", "dina", "create", "sale", "--new", "--owner", "dina")
    out, _ = e.ok("check", "erik", "read", "company", "--owner", "alice", rc=1)
    eq(out, "deny other-company removed Select\n", "other company")
    out, _ = e.ok("check", "gunnar", "read", "company", rc=1)
    eq(out, 'deny user "gunnar" is a former employee and holds no rights\n', "former")
    out, _ = e.ok("check", "integration", "delete", "sale", "--owner", "alice")
    eq(out, "allow the system user bypasses every check\n", "system")
    for line in (out,):
        assert re.match(r"^(allow|deny) \S", line)


@case
def check_record_options(e):
    e.demo()
    base = ["check", "carl", "read", "sale", "--owner", "alice", "--company", "customer-1"]
    e.ok(*base, rc=1)                                 # not published
    e.ok(*base, "--published")
    # A date-only --publish-to covers the whole day.
    e.ok(*base, "--published", "--publish-to", "2026-01-31", "--at", "2026-01-31T23:59:59Z")
    e.ok(*base, "--published", "--publish-to", "2026-01-31", "--at", "2026-02-01T00:00:00Z", rc=1)
    e.ok(*base, "--published", "--publish-from", "2026-02-01", "--at", "2026-01-31", rc=1)
    # --visible-for
    e.ok("check", "bob", "read", "sale", "--owner", "alice", "--visible-for", "associate:dina", rc=1)
    e.ok("check", "dina", "read", "sale", "--owner", "alice", "--visible-for", "associate:dina")
    e.ok("check", "bob", "read", "sale", "--owner", "alice", "--visible-for", "group:sales")
    e.ok("check", "erik", "read", "sale", "--owner", "dina", "--visible-for", "group:support", rc=1)
    _, err = e.ok("check", "bob", "read", "company", "--owner", "alice", "--visible-for", "group:support")
    assert "warning" in err, err
    # Record state.
    e.ok("check", "alice", "update", "sale", "--owner", "alice", "--completed", rc=1)
    e.ok("check", "frida", "delete", "person", "--user-person", rc=1)
    e.ok("check", "frida", "delete", "company", "--our-company", rc=1)
    out, _ = e.ok("rights", "frida", "company", "--database-owner")
    eq(out, "Select|Update|Insert|RestrictedUpdate\n", "database owner")
    e.ok("check", "alice", "update", "contract", "--owner", "alice", "--record-id", "C-1001", rc=1)
    e.ok("check", "alice", "update", "contract", "--owner", "alice", "--record-id", "C-1002")
    e.ok("check", "carl", "read", "document", "--owner", "alice", "--project", "p-42", "--published")
    e.ok("check", "carl", "read", "document", "--owner", "alice", "--project", "p-unknown", "--published", rc=1)
    e.ok("check", "alice", "read", "sale", "--group", "support", "--owner", "dina")


@case
def check_errors(e):
    e.demo()
    e.fails("check", "nobody", "read", "sale", contains='unknown user "nobody"')
    e.fails("check", "alice", "fly", "sale", contains='unknown action "fly"')
    e.fails("check", "alice", "read", "widget", contains='unknown data object "widget"')
    e.fails("check", "alice", "read", "sale", "--owner", "zed", contains='"zed"')
    e.fails("check", "alice", "read", "sale", "--group", "nogroup", contains='"nogroup"')
    e.fails("check", "alice", "read", "sale", "--visible-for", "group:nogroup", contains='"nogroup"')
    e.fails("check", "alice", "read", "sale", "--visible-for", "associate:zed", contains='"zed"')
    e.fails("check", "alice", "read", "sale", "--visible-for", "everyone", contains="--visible-for")
    e.fails("check", "alice", "read", "sale", "--at", "yesterday", contains="--at")
    e.fails("check", "alice", "read", "sale", "--publish-to", "2026-02-30", contains="--publish-to")
    e.fails("check", "alice", "read", "sale", "--frobnicate", contains="--frobnicate")
    e.fails("check", "alice", "read", "sale", "--owner", contains="--owner")
    e.fails("check", "alice", "read", contains="missing")
    e.fails("check", "alice", "read", "sale", "extra", contains="extra")


@case
def rights(e):
    e.demo()
    out, _ = e.ok("rights", "alice", "sale", "--owner", "bob")
    eq(out, "Select|Update\n", "rights")
    out, _ = e.ok("rights", "erik", "company", "--owner", "alice")
    eq(out, "None\n", "none")
    out, _ = e.ok("rights", "dina", "follow_up", "--owner", "erik", "--visible-for", "associate:erik")
    eq(out, "Filtering\n", "hidden follow-up")
    out, _ = e.ok("rights", "integration", "sale")
    eq(out, "Select|Update|Insert|Delete\n", "system")
    e.fails("rights", "alice", contains="missing")
    e.fails("rights", "nobody", "sale", contains="nobody")


@case
def explain(e):
    e.demo()
    out, _ = e.ok("explain", "bob", "update", "sale", "--owner", "alice")
    lines = out.splitlines()
    assert lines[0] == 'user: "bob"', lines
    assert "relation: primary_group" in lines, lines
    assert any(l.startswith('role cell: role "sales-rep" sale/primary_group') for l in lines), lines
    assert "layer licence: removed Update" in lines, lines
    assert any(l.startswith("decision: deny update") for l in lines), lines
    eq(lines[-1], "rights: Select", "final mask last")
    out, _ = e.ok("explain", "gunnar", "read", "sale")
    assert out.splitlines()[-1] == "rights: None", out
    e.fails("explain", "bob", "jump", "sale")


@case
def has(e):
    e.demo()
    out, _ = e.ok("has", "dina", "acme-approve-discount")
    eq(out, 'allow role "sales-manager" grants acme-approve-discount\n', "has allow")
    out, _ = e.ok("has", "bob", "admin-all", rc=1)
    eq(out, 'deny role "sales-rep" does not grant admin-all\n', "has deny")
    e.ok("has", "frida", "admin-all")
    out, _ = e.ok("has", "gunnar", "allow-bulk-export", rc=1)
    assert out.startswith("deny ") and "former employee" in out, out
    e.ok("has", "integration", "admin-all")
    # docs/rules.md §16: the system user holds no restrictive right (issue 13)
    out, _ = e.ok("has", "integration", "hide-company", rc=1)
    assert "no restrictive right" in out, out
    e.fails("has", "bob", "no-such-right", contains='"no-such-right"')
    e.fails("has", "nobody", "admin-all", contains='"nobody"')


@case
def field(e):
    e.demo()
    out, _ = e.ok("field", "alice", "sale", "amount", "--owner", "alice")
    eq(out, "Read|Write\n", "no rule: follows the table right")
    out, _ = e.ok("field", "alice", "sale", "margin", "--owner", "alice")
    eq(out, "None UIHintReadOnly\n", "rule with a hint")
    out, _ = e.ok("field", "dina", "sale", "discount", "--owner", "alice", "--group", "management")
    eq(out, "Read|Write UIHintMandatory\n", "mandatory")
    out, _ = e.ok("field", "hanne", "company", "name", "--owner", "hanne")
    eq(out, "Read\n", "group override removes W")
    out, _ = e.ok("field", "erik", "company", "name", "--owner", "alice")
    eq(out, "None\n", "no table right")
    e.fails("field", "alice", "sale", contains="missing")
    e.fails("field", "alice", "widget", "x", contains="widget")


# -- administration and audit ---------------------------------------------------------------

@case
def actor_and_audit(e):
    e.demo()
    before, _ = e.ok("export")
    err = e.fails("--as", "bob", "group", "add", "hr")
    assert "admin" in err, err
    err = e.fails("group", "add", "hr", "--as", "bob")          # --as after the command name
    after, _ = e.ok("export")
    eq(after, before, "refused: nothing changed")
    e.ok("user", "add", "zoe", "--role", "level-3", "--group", "sales", "--company", "acme-no", "--as", "hanne")
    e.fails("--as", "nobody", "group", "add", "hr", contains="nobody")
    # Re-stating what is stored needs no right.
    out, _ = e.ok("--as", "bob", "import", DEMO)
    assert out.startswith("no changes"), out
    out, _ = e.ok("audit")
    lines = out.splitlines()
    assert all(re.match(r"^\d+ \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \S+ ", l) for l in lines), lines
    assert lines[0].startswith("1 ") and "(system)" in lines[0], lines[0]
    refused = [l for l in lines if " refused" in l]
    assert len(refused) >= 2 and all(" bob refused: " in l for l in refused[:2]), lines
    assert any(l.startswith("2 ") and l.endswith(" hanne added user zoe") for l in lines), lines
    out, _ = e.ok("audit", "--user", "zoe")
    eq(len(out.splitlines()), 1, "audit --user")


@case
def user_commands(e):
    e.demo()
    out, _ = e.ok("user", "add", "zoe", "--name", "Zoe", "--role", "level-3", "--group", "sales",
                  "--other-groups", "support", "--company", "acme-no", "--plan", "service")
    assert out.startswith("committed version 2: added user zoe"), out
    e.fails("user", "add", "zoe", "--role", "level-3", "--group", "sales", "--company", "acme-no")
    e.fails("user", "add", "yan", "--role", "level-3", "--group", "nogroup", "--company", "acme-no", contains="nogroup")
    e.fails("user", "add", "yan", "--role", "norole", "--group", "sales", "--company", "acme-no", contains="norole")
    e.ok("user", "edit", "zoe", "--role", "level-4")
    out, _ = e.ok("user", "list", "--role", "level-4")
    # The ids, then the display names of role, group and company (docs/cli.md).
    assert re.search(r"^zoe\tassociate\tlevel-4\tsales\tacme-no\tservice\tUser level 4\tSales\tAcme Norge AS$",
                     out, re.M), out
    out, _ = e.ok("user", "list", "--group", "support")
    assert "zoe" in out and "alice" in out and "bob" not in out, out
    out, _ = e.ok("user", "list", "--plan", "sales-premium")
    assert out.splitlines()[0].startswith("alice"), out
    e.fails("user", "list", "--role", "norole", contains="norole")
    e.ok("user", "former", "zoe")
    out, _ = e.ok("user", "list", "--role", "level-4")
    assert re.search(r"^zoe\t.*\t\(a former employee\)$", out, re.M), out
    e.ok("user", "retire", "zoe")
    e.ok("check", "zoe", "read", "sale", rc=1)
    e.ok("user", "delete", "zoe")
    e.fails("check", "zoe", "read", "sale", contains="zoe")
    e.fails("user", "delete", "zoe", contains="zoe")
    e.fails("user", "frobnicate", "x")
    e.fails("user", "edit", "ghost", "--name", "x", contains="ghost")


@case
def role_commands(e):
    e.demo()
    e.ok("role", "add", "auditor", "--name", "Auditor")
    e.ok("role", "set-right", "auditor", "sale", "other_associates", "R")
    e.ok("role", "grant", "auditor", "allow-bulk-export")
    out, _ = e.ok("role", "show", "auditor")
    assert out.startswith("role auditor (employee): Auditor"), out
    assert "functional rights: allow-bulk-export" in out, out
    e.ok("role", "revoke", "auditor", "allow-bulk-export")
    e.ok("role", "copy", "level-3", "level-3b", "--name", "Level 3 b")
    e.ok("role", "rename", "level-3b", "Level three b")
    out, _ = e.ok("role", "list")
    assert re.search(r"^level-3b\temployee\t0 users\tLevel three b$", out, re.M), out
    e.ok("user", "edit", "bob", "--role", "level-3b")
    e.fails("role", "delete", "level-3b", contains="--replacement")
    e.ok("role", "delete", "level-3b", "--replacement", "level-3")
    out, _ = e.ok("user", "list", "--role", "level-3")
    assert "bob" in out, out
    e.fails("role", "set-right", "auditor", "widget", "own", "R", contains="widget")
    e.fails("role", "set-right", "auditor", "sale", "cousins", "R", contains="cousins")
    e.fails("role", "set-right", "auditor", "sale", "own", "Z", contains="Z")
    e.fails("role", "grant", "auditor", "no-right", contains="no-right")
    e.fails("role", "show", "ghost", contains="ghost")
    e.fails("role", "delete", "anonymous", "--replacement", "level-3")


@case
def group_company_licence(e):
    e.demo()
    e.ok("group", "add", "hr", "--name", "HR")
    e.fails("group", "add", "hr", contains="exists")
    out, _ = e.ok("group", "list")
    assert "hr\tHR\t0 members" in out, out
    e.ok("group", "delete", "hr")
    e.fails("group", "delete", "hr", contains="hr")
    e.fails("group", "delete", "sales")          # still in use: a model rule
    e.ok("company", "add", "acme-dk", "--name", "Acme Danmark")
    out, _ = e.ok("company", "list")
    assert "acme-no\tAcme Norge AS\t(database owner)" in out and "acme-dk" in out, out
    e.ok("company", "delete", "acme-dk")
    e.fails("company", "delete", "acme-dk")
    out, _ = e.ok("licence", "usage")
    lines = out.splitlines()
    assert lines[0].startswith("user\tin use 6\tavailable 19 of 25\t"), lines
    assert any(l.startswith("quote\tsite licence") for l in lines), lines
    assert any(l.startswith("visible-for\tin use 2\tavailable unlimited\talice,dina") for l in lines), lines
    e.fails("licence", "list")


@case
def global_options_and_help(e):
    # Default store ./sorights.db, --db after the command.
    e.ok("import", DEMO, db=False)
    assert os.path.exists(os.path.join(e.dir, "sorights.db"))
    e.ok("check", "alice", "read", "sale", "--owner", "alice", db=False)
    e.ok("check", "alice", "read", "sale", "--owner", "alice", "--db", os.path.join(e.dir, "sorights.db"), db=False)
    e.ok("check", "alice", "read", "sale", "--owner", "alice", "--db=" + os.path.join(e.dir, "sorights.db"), db=False)
    for cmd in ["init", "import", "export", "check", "rights", "explain", "has", "field", "audit",
                "user", "role", "group", "company", "licence"]:
        out, _ = e.ok(cmd, "--help", db=False)
        assert out.startswith("usage: sorights"), (cmd, out)
    out, _ = e.ok("--help", db=False)
    assert "Commands:" in out
    code, _, err = e.run(db=False)
    eq(code, 2, "no command")
    e.fails("frobnicate", db=False, contains="frobnicate")
    e.fails("--db", db=False, contains="--db")


def main():
    return run(Env)


if __name__ == "__main__":
    sys.exit(main())
