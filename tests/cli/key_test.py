#!/usr/bin/env python3
"""CTest driver for tamper evidence on the command line (docs/cli.md, "The
integrity key"; docs/design/0009-tamper-evidence.md): `--key-file` /
`SORIGHTS_KEY_FILE`, signed stores, `sorights verify`, and the plausible hand
edits of a store, made with raw SQL, refused with exit 2 naming the row or
object.

Run by CTest, one test per case (tests/support/cases.py).
"""
import os
import shutil
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from cases import DEMO, CASES, CliEnv, case, eq, run  # noqa: E402  the shared case runner


class Env(CliEnv):
    def __init__(self):
        super().__init__()
        self.key = self.key_file("key", os.urandom(32))
        self.other_key = self.key_file("other-key", os.urandom(32))

    def key_file(self, name, data, mode=0o600):
        path = self.path(name)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)
        return path

    def run(self, *args, env=None, **kw):
        full_env = {k: v for k, v in os.environ.items() if k != "SORIGHTS_KEY_FILE"}
        full_env.update(env or {})
        return super().run(*args, env=full_env, **kw)

    def sql(self, statements, db=None):
        con = sqlite3.connect(db or self.db)
        try:
            con.executescript(statements)
            con.commit()
            if statements.split()[0] in ("UPDATE", "INSERT", "DELETE") and con.total_changes == 0:
                raise AssertionError(f"{statements}: changed nothing")
        finally:
            con.close()

    def signed_demo(self):
        """A signed store: the demo model, a refused command and a commit (audit seq 1..3)."""
        self.out("--key-file", self.key, "import", DEMO)
        self.fails("--key-file", self.key, "--as", "bob", "group", "add", "hr", contains="admin")
        self.out("--key-file", self.key, "group", "add", "hr")
        return self

    def copy(self, name):
        path = os.path.join(self.dir, name)
        shutil.copyfile(self.db, path)
        return path


@case
def key_file_option_and_env(e):
    out = e.out("--key-file", e.key, "init")
    assert out.startswith("created"), out
    eq(e.out("--key-file", e.key, "verify"), "ok\n", "verify, option before the command")
    eq(e.out("verify", "--key-file", e.key), "ok\n", "verify, option after the command")
    eq(e.out("verify", f"--key-file={e.key}"), "ok\n", "verify, --key-file=FILE")
    eq(e.out("verify", env={"SORIGHTS_KEY_FILE": e.key}), "ok\n", "verify, SORIGHTS_KEY_FILE")
    # The option wins over the environment.
    eq(e.out("verify", "--key-file", e.key, env={"SORIGHTS_KEY_FILE": e.other_key}), "ok\n", "option wins")
    e.fails("verify", "--key-file", e.other_key, env={"SORIGHTS_KEY_FILE": e.key},
            contains="sealed with another integrity key")
    e.fails("verify", "--key-file", e.key, "--key-file", e.key, contains="--key-file given twice")
    e.fails("verify", "--key-file=", contains="--key-file: a file name may not be empty")
    e.fails("verify", "--key-file", contains="--key-file needs a value")


@case
def key_file_errors(e):
    e.out("--key-file", e.key, "init")
    missing = os.path.join(e.dir, "missing")
    e.fails("--key-file", missing, "verify", contains=f'key file "{missing}": no such file')
    e.fails("verify", env={"SORIGHTS_KEY_FILE": missing}, contains="no such file")
    e.fails("--key-file", e.dir, "verify", contains="is not a regular file")
    short = e.key_file("short", b"0123456789abcde\n")
    e.fails("--key-file", short, "verify", contains="the key has 15 bytes; it needs at least 16")
    big = e.key_file("big", b"x" * 5000)
    e.fails("--key-file", big, "verify", contains="a key file holds at most 4096")
    for mode in (0o640, 0o604, 0o620):
        loose = e.key_file(f"loose-{mode:o}", os.urandom(32), mode)
        e.fails("--key-file", loose, "verify", contains=f"group or others may read or write it (mode 0{mode:o})")
    # One trailing line end is not part of the key: `echo KEY > FILE` works.
    text = e.key_file("text", b"correct horse battery staple\n")
    text_crlf = e.key_file("text-crlf", b"correct horse battery staple\r\n")
    text_bare = e.key_file("text-bare", b"correct horse battery staple")
    db2 = os.path.join(e.dir, "t.db")
    e.out("--key-file", text, "init", db=db2)
    eq(e.out("--key-file", text_crlf, "verify", db=db2), "ok\n", "CRLF stripped")
    eq(e.out("--key-file", text_bare, "verify", db=db2), "ok\n", "no line end")


@case
def signed_store_needs_its_key(e):
    e.signed_demo()
    eq(e.out("--key-file", e.key, "verify"), "ok\n", "a signed store with commits and refusals")
    out = e.out("--key-file", e.key, "audit")
    assert " bob refused: " in out, out
    for args in (["verify"], ["export"], ["audit"], ["check", "alice", "read", "sale"], ["group", "add", "x"]):
        e.fails(*args, contains="the store is signed (sealed with an integrity key) and no key was given")
        e.fails("--key-file", e.other_key, *args, contains="sealed with another integrity key")
    # Nothing changed it: still whole.
    eq(e.out("--key-file", e.key, "verify"), "ok\n", "after the refusals")
    # Writes keep it sealed.
    e.out("--key-file", e.key, "user", "edit", "alice", "--role", "level-2")
    eq(e.out("--key-file", e.key, "verify"), "ok\n", "after a write")


@case
def unsigned_store_with_a_key(e):
    e.out("import", DEMO)
    eq(e.out("verify"), "ok\n", "an unsigned store without a key")
    e.fails("--key-file", e.key, "verify", contains="holds no integrity seal, but an integrity key was given")
    e.fails("--key-file", e.key, "init", contains="exists already")


def each_edit(e, edits):
    for n, (sql, message) in enumerate(edits):
        path = e.copy(f"case{n}.db")
        e.sql(sql, db=path)
        for args in (["verify"], ["export"], ["check", "alice", "read", "sale"], ["audit"]):
            err = e.fails("--key-file", e.key, *args, db=path, contains=message)
            assert "ok" not in err.split(":")[-1], err


@case
def hand_edits_refused(e):
    e.signed_demo()
    each_edit(e, [
        ("UPDATE data_rights SET crud = 'CRUD' WHERE role = 'level-1' AND object = 'sale' AND relation = 'my_company'",
         'table data_rights row (role="level-1", object="sale", relation="my_company") was changed outside '
         'sorights'),
        ("INSERT INTO role_rights VALUES ('level-1', 99, 'admin-all')",
         'table role_rights row (role="level-1", position=99) is not sealed: it was added outside sorights'),
        ("UPDATE users SET type = 'system' WHERE id = 'bob'",
         'table users row (id="bob") was changed outside sorights'),
        ("DELETE FROM audit_log WHERE seq = 2",
         "table audit_log row (seq=2) was deleted outside sorights"),
        ("UPDATE audit_log SET actor = 'hanne' WHERE seq = 2",
         "table audit_log row (seq=2) was changed outside sorights"),
        ("DELETE FROM audit_log WHERE seq = 3; DELETE FROM integrity_audit WHERE seq = 3",
         "the rows after seq 2 up to seq 3 were deleted outside sorights (the audit trail was truncated)"),
        ("CREATE TRIGGER promote AFTER INSERT ON audit_log BEGIN UPDATE users SET role = 'level-5'; END",
         'unexpected schema object: the store holds trigger "promote" on table "audit_log"'),
        ("CREATE VIEW everyone AS SELECT id FROM users",
         'unexpected schema object: the store holds view "everyone"'),
    ])


@case
def unsigned_store_with_a_planted_trigger(e):
    e.out("import", DEMO)
    e.sql("CREATE TRIGGER promote AFTER UPDATE ON users BEGIN UPDATE users SET role = 'level-5'; END")
    for args in (["verify"], ["export"], ["user", "edit", "alice", "--role", "level-2"]):
        e.fails(*args, contains='unexpected schema object: the store holds trigger "promote" on table "users"')
    e.sql("DROP TRIGGER promote")
    eq(e.out("verify"), "ok\n", "the trigger dropped")


def main():
    return run(Env)


if __name__ == "__main__":
    sys.exit(main())
