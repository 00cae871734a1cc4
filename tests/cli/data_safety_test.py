#!/usr/bin/env python3
"""Files are never harmed by a failing or unrelated command (docs/rules.md
§23, docs/design/0007-data-safety-files.md), through the `sorights` binary.

Usage: data_safety_test.py SORIGHTS_BINARY DEMO_MODEL CASE
Each CASE is one CTest test (label `cli`); `all` runs every case.
"""
import os
import shutil
import sqlite3
import stat
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from cases import BIN, DEMO, CASES, CliEnv, case, eq, run  # noqa: E402  the shared case runner


class Env(CliEnv):
    def __init__(self):
        super().__init__()
        os.chmod(self.dir, 0o755)  # the unprivileged user of read_only_store must enter it

    def files(self, sub=""):
        return sorted(os.listdir(os.path.join(self.dir, sub)))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def no_temp_files(e, sub=""):
    left = [f for f in e.files(sub) if "sorights-tmp" in f]
    eq(left, [], "temporary files left behind")


# -- report: never over the store or a database; written whole ---------------------------

@case
def report_refuses_the_store_and_any_database(e):
    e.ok("import", DEMO)
    store = read(e.db)
    exported, _ = e.ok("export")
    os.symlink("s.db", e.path("alias.html"))
    os.link(e.db, e.path("hard.html"))
    os.mkdir(e.path("sub"))
    for target in ["s.db", e.db, "alias.html", "hard.html", "sub/../s.db", "s.db-wal", "s.db-shm",
                   "s.db-journal"]:
        e.fails("report", "--html", target, contains=[target, "is the", "store"])
    other = e.path("other.db")
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    other_bytes = read(other)
    e.fails("report", "--html", "other.db", contains=["other.db", "SQLite database"])
    os.symlink("other.db", e.path("other-alias.html"))
    e.fails("report", "--html", "other-alias.html", contains="SQLite database")
    e.fails("report", "--html", "sub", contains=["sub", "directory"])
    e.fails("report", "--html", "/dev/null", contains="not a regular file")
    eq(read(e.db), store, "the store")
    eq(read(other), other_bytes, "the other database")
    out, _ = e.ok("export")
    eq(out, exported, "export after the refusals")
    eq(os.readlink(e.path("alias.html")), "s.db", "the symlink")
    assert not os.path.exists(e.path("s.db-journal"))
    no_temp_files(e)


@case
def report_replaces_its_file_whole(e):
    e.ok("import", DEMO)
    old = e.path("r.html")
    with open(old, "w") as f:
        f.write("old report")
    os.chmod(old, 0o640)
    e.ok("report", "--html", "r.html")
    text = read(old)
    assert text.startswith(b"<!DOCTYPE html") or b"<html" in text[:200], text[:200]
    eq(stat.S_IMODE(os.stat(old).st_mode), 0o640, "the replaced file keeps its mode")
    # Through a symlink to an ordinary file: the file it names gets the report.
    os.symlink("r.html", e.path("link.html"))
    os.unlink(old)
    with open(old, "w") as f:
        f.write("old again")
    e.ok("report", "--html", "link.html")
    assert os.path.islink(e.path("link.html"))
    assert read(old) == text
    # A store that does not open: the old report is untouched.
    e.fails("report", "--html", "r.html", db=e.path("missing.db"), contains="missing.db")
    eq(read(old), text, "report after a failing report")
    assert not os.path.exists(e.path("missing.db"))
    no_temp_files(e)


# -- reading commands never create or change a file ---------------------------------------

@case
def reading_a_missing_or_empty_file_leaves_it_alone(e):
    for cmd in (["export"], ["audit"], ["check", "alice", "read", "sale"], ["user", "list"], ["role", "list"],
                ["licence", "usage"], ["report", "--html", "r.html"]):
        e.fails(*cmd, contains="s.db")
        eq(e.files(), [], f"{cmd} on a missing store")
        with open(e.db, "w"):
            pass
        e.fails(*cmd, contains=["s.db", "no sorights store"])
        eq(os.path.getsize(e.db), 0, f"{cmd} on an empty file")
        eq(e.files(), ["s.db"], f"{cmd} on an empty file")
        os.unlink(e.db)
    # The empty file is still fit for init.
    with open(e.db, "w"):
        pass
    e.fails("export")
    e.ok("init")
    e.ok("export")


@case
def reading_a_foreign_file_leaves_it_alone(e):
    with open(e.db, "wb") as f:
        f.write(b"not a database\n" * 500)
    text = read(e.db)
    e.fails("export", contains="not a sorights store")
    eq(read(e.db), text, "a text file")
    os.unlink(e.db)
    con = sqlite3.connect(e.db)  # a rollback-journal database of someone else's
    con.execute("CREATE TABLE notes (text)")
    con.execute("INSERT INTO notes VALUES ('keep me')")
    con.commit()
    con.close()
    db = read(e.db)
    for cmd in (["export"], ["user", "add", "zoe"], ["init"], ["import", DEMO]):
        e.fails(*cmd, contains="s.db")
        eq(read(e.db), db, f"{cmd} on a foreign SQLite database")
        eq(e.files(), ["s.db"], f"{cmd} on a foreign SQLite database")


# -- a store appears only when the command that creates it succeeds ----------------------

@case
def failing_import_into_a_new_path_leaves_no_store(e):
    bad = e.path("bad.json")
    with open(bad, "w") as f:
        f.write('{"format": "sorights-model/1", "users": [{"id": "x", "group": "nowhere"}]}')
    e.fails("import", bad, contains="bad.json")
    eq(e.files(), ["bad.json"], "after a failing import into a new path")
    with open(e.db, "w"):
        pass
    e.fails("import", bad)
    eq(os.path.getsize(e.db), 0, "an empty file after a failing import")
    eq(e.files(), ["bad.json", "s.db"], "after a failing import into an empty file")
    e.ok("import", DEMO)
    out, _ = e.ok("audit")
    eq(len(out.splitlines()), 1, "one audit entry")
    no_temp_files(e)


@case
def init_refuses_leftovers_of_an_earlier_store(e):
    with open(e.db + "-wal", "wb") as f:
        f.write(b"stale")
    e.fails("init", contains="s.db-wal")
    e.fails("import", DEMO, contains="s.db-wal")
    eq(e.files(), ["s.db-wal"], "after the refusals")
    os.unlink(e.db + "-wal")
    out, _ = e.ok("init")
    eq(out, f"created {e.db} (version 0)\n", "init")
    eq(e.files(), ["s.db"], "after init")


# -- a store this user may read but not write -------------------------------------------

def unprivileged():
    """A command prefix that runs as a user who cannot write root's files, or
    () when this process is not root (then chmod is enough)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise AssertionError("running as root without setpriv: cannot drop privileges")
    return (setpriv, "--reuid=65534", "--regid=65534", "--clear-groups")


@case
def read_only_store_serves_every_reading_command(e):
    ro = e.path("ro")
    os.mkdir(ro)
    db = os.path.join(ro, "s.db")
    e.ok("import", DEMO, db=db)
    os.chmod(db, 0o444)
    os.chmod(ro, 0o555)
    as_user = unprivileged()
    # The binary must be reachable by that user.
    probe = subprocess.run(list(as_user) + [BIN, "--help"], capture_output=True)
    if probe.returncode != 0:
        raise AssertionError(f"{BIN} cannot run as the unprivileged user: {probe.stderr!r}")
    before = read(db)
    out_dir = e.path("out")
    os.mkdir(out_dir)
    os.chmod(out_dir, 0o777)
    try:
        e.ok("check", "alice", "read", "sale", "--owner", "alice", db=db, prefix=as_user)
        out, _ = e.ok("export", db=db, prefix=as_user)
        assert '"users"' in out, out
        out, _ = e.ok("audit", db=db, prefix=as_user)
        eq(len(out.splitlines()), 1, "audit")
        e.ok("user", "list", db=db, prefix=as_user)
        e.ok("role", "show", "sales-rep", db=db, prefix=as_user)
        e.ok("licence", "usage", db=db, prefix=as_user)
        out, _ = e.ok("verify", db=db, prefix=as_user)
        eq(out, "ok\n", "verify")
        e.ok("report", "--html", os.path.join(out_dir, "r.html"), db=db, prefix=as_user)
        for cmd in (["user", "add", "zoe", "--role", "level-3", "--group", "sales"], ["role", "grant", "sales-rep", "x"],
                    ["group", "add", "hr"], ["import", DEMO]):
            e.fails(*cmd, db=db, prefix=as_user, contains=[db, "read-only"])
        # An unknown subcommand is that, not a read-only store.
        for cmd in ("user", "role", "group", "company"):
            e.fails(cmd, "frobnicate", db=db, prefix=as_user, contains="unknown subcommand")
        eq(read(db), before, "the read-only store")
        eq(sorted(os.listdir(ro)), ["s.db"], "no -wal or -shm beside a read-only store")
    finally:
        os.chmod(ro, 0o755)


# -- error messages -------------------------------------------------------------------------

@case
def usage_without_a_subcommand_goes_to_stderr(e):
    e.ok("import", DEMO)
    for cmd in ("user", "role", "group", "company", "licence"):
        code, out, err = e.run(cmd)
        eq(code, 2, f"{cmd}: exit")
        eq(out, "", f"{cmd}: stdout")
        assert "missing subcommand" in err and "usage: sorights" in err, err


@case
def negative_zero_count_is_named(e):
    model = e.path("m.json")
    with open(model, "w") as f:
        f.write('{"format": "sorights-model/1", "licences": [{"id": "x", "kind": "user", "count": -0}]}')
    err = e.fails("import", model, contains=["licences[0].count", "-0"])
    assert "found 0\n" not in err, err
    eq(e.files(), ["m.json"], "after the refused import")


def main():
    return run(Env)


if __name__ == "__main__":
    sys.exit(main())
