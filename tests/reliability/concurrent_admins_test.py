#!/usr/bin/env python3
"""Concurrent administrators through the command line (docs/rules.md §22).

Usage: concurrent_admins_test.py SORIGHTS_BINARY DEMO_MODEL CASE

Several `sorights` processes change one SQLite store at once. A change set
made against an older version commits when nothing it touches changed since:
every command must succeed, and afterwards every change is in the store and
every commit in the audit trail, each at a version of its own.

CASE: `users_from_eight_processes`, `import_while_users_are_added`, or `all`.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from cases import BIN, DEMO, CASES, case  # noqa: E402  the shared case registry


def run(db, *args):
    p = subprocess.run([BIN, "--db", db] + list(args), capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def ok(db, *args):
    code, out, err = run(db, *args)
    if code != 0:
        raise AssertionError(f"{args}: exit {code}\n{out}{err}")
    return out


class Admins:
    """`processes` threads, each running its commands one after another; all
    start together. Failures are collected, not raised in the threads."""

    def __init__(self, db):
        self.db = db
        self.failures = []
        self.lock = threading.Lock()
        self.threads = []
        self.start_line = None

    def add(self, commands):
        self.threads.append(commands)

    def go(self):
        self.start_line = threading.Barrier(len(self.threads))

        def worker(commands):
            self.start_line.wait()
            for args in commands:
                code, out, err = run(self.db, *args)
                if code != 0 or not out.startswith("committed version "):
                    with self.lock:
                        self.failures.append(f"{' '.join(args)}: exit {code}: {out}{err}")

        threads = [threading.Thread(target=worker, args=(c,)) for c in self.threads]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if self.failures:
            raise AssertionError(f"{len(self.failures)} commands failed; first:\n" + "\n".join(self.failures[:5]))


def user_commands(process, count):
    return [["user", "add", f"w{process}-{i:02d}", "--role", "level-3", "--group", "sales", "--company", "acme-no"]
            for i in range(count)]


def check_trail(db, base_version, expected_whats):
    """Every commit after base_version is in the audit trail, one version
    each, none refused, and the last is the store's version."""
    lines = ok(db, "audit").splitlines()
    after = [l.split(" ", 3) for l in lines if int(l.split(" ")[0]) > base_version]
    refused = [l for l in after if l[3].startswith("refused")]
    if refused:
        raise AssertionError(f"refusals in the audit trail: {refused[:3]}")
    versions = [int(l[0]) for l in after]
    if versions != list(range(base_version + 1, base_version + 1 + len(expected_whats))):
        raise AssertionError(f"audit versions {versions[:5]}... are not {base_version + 1}.. in order, one each")
    whats = sorted(l[3] for l in after)
    if whats != sorted(expected_whats):
        missing = sorted(set(expected_whats) - set(whats))
        raise AssertionError(f"the audit trail lacks {missing[:5]} ({len(missing)} in all)")
    return versions[-1]


@case
def users_from_eight_processes(work):
    db = os.path.join(work, "s.db")
    ok(db, "import", DEMO)
    admins = Admins(db)
    for p in range(8):
        admins.add(user_commands(p, 25))
    admins.go()
    listed = {l.split("\t")[0] for l in ok(db, "user", "list").splitlines()}
    wanted = {f"w{p}-{i:02d}" for p in range(8) for i in range(25)}
    if not wanted <= listed:
        raise AssertionError(f"users missing from the store: {sorted(wanted - listed)[:5]}")
    last = check_trail(db, 1, [f"added user {u}" for u in wanted])
    if last != 201:
        raise AssertionError(f"the store ends at version {last}, not 201")


@case
def import_while_users_are_added(work):
    db = os.path.join(work, "s.db")
    ok(db, "import", DEMO)
    model = os.path.join(work, "more.json")
    with open(model, "w") as f:
        f.write('{"format": "sorights-model/1", '
                '"groups": [{"id": "extra-1", "name": "Extra 1"}, {"id": "extra-2", "name": "Extra 2"}], '
                '"our_companies": [{"id": "acme-dk", "name": "Acme Danmark"}], '
                '"roles": [{"id": "auditor", "name": "Auditor", "type": "employee", '
                '"data_rights": {"sale": {"own": "R"}}}]}')
    admins = Admins(db)
    for p in range(6):
        admins.add(user_commands(p, 12))
    # The import starts with the users, after a few of them have committed.
    admins.add([["user", "add", "w-early", "--role", "level-3", "--group", "sales", "--company", "acme-no"],
                ["import", model]])
    admins.go()
    exported = ok(db, "export")
    for thing in ('"extra-1"', '"extra-2"', '"acme-dk"', '"auditor"'):
        if thing not in exported:
            raise AssertionError(f"the import's {thing} is not in the store")
    listed = {l.split("\t")[0] for l in ok(db, "user", "list").splitlines()}
    wanted = {f"w{p}-{i:02d}" for p in range(6) for i in range(12)} | {"w-early"}
    if not wanted <= listed:
        raise AssertionError(f"users missing from the store: {sorted(wanted - listed)[:5]}")
    import_what = "added company acme-dk, added group extra-1, added group extra-2, added role auditor"
    check_trail(db, 1, [f"added user {u}" for u in wanted] + [import_what])


def main():
    name = sys.argv[3]
    names = list(CASES) if name == "all" else [name]
    failed = 0
    for n in names:
        work = tempfile.mkdtemp(prefix="sorights-admins-test-")
        try:
            CASES[n](work)
            print(f"ok   {n}")
        except AssertionError as ex:
            failed += 1
            print(f"FAIL {n}: {ex}")
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
