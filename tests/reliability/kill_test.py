#!/usr/bin/env python3
"""kill -9 at random moments (docs/rules.md §23, docs/design/0007-data-safety-files.md).

Usage: kill_test.py SORIGHTS_BINARY DEMO_MODEL CASE

Runs a command of the `sorights` binary again and again against a fresh copy
of a store and kills it with SIGKILL after a random delay, sized from the
command's own run time so that kills land before, during and after its
write. After each kill the store must open at the old version or the new one,
hold exactly the old or the new model, and its audit trail must end at the
store's version. `import` into a path with no store must leave either no store
file or a complete one.

CASE: one of the functions marked @case below, or `all`.
SORIGHTS_KILL_SEED fixes the random seed; SORIGHTS_KILL_ROUNDS the kills per
command (default 25).
"""
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from cases import BIN, DEMO, CASES, case  # noqa: E402  the shared case registry

ROUNDS = int(os.environ.get("SORIGHTS_KILL_ROUNDS", "25"))
SEED = int(os.environ.get("SORIGHTS_KILL_SEED", str(random.randrange(1 << 30))))


def run(db, *args, check=True):
    p = subprocess.run([BIN, "--db", db] + list(args), capture_output=True, text=True, timeout=60)
    if check and p.returncode != 0:
        raise AssertionError(f"{args}: exit {p.returncode}\n{p.stdout}{p.stderr}")
    return p


def stored_version(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT version FROM meta WHERE id = 1").fetchone()[0]
    finally:
        con.close()


def state(db):
    """(version, export, audit lines) of a store, after checking that it opens."""
    exported = run(db, "export").stdout
    # Audit lines without their time (VERSION TIME ACTOR WHAT).
    audit = [" ".join(l.split(" ")[:1] + l.split(" ")[2:]) for l in run(db, "audit").stdout.splitlines()]
    return stored_version(db), exported, audit


def timed(fn):
    """The shortest of three runs of fn, in seconds."""
    best = None
    for _ in range(3):
        start = time.monotonic()
        fn()
        took = time.monotonic() - start
        best = took if best is None else min(best, took)
    return best


def attempts(rounds):
    """At most 4 × rounds tries, to land `rounds` kills."""
    return range(4 * rounds)


def kill_after(argv, delay, sig=signal.SIGKILL):
    """Starts argv, sends it `sig` after `delay` seconds (unless it ended
    first). Returns True when the signal landed."""
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        p.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        p.send_signal(sig)
        p.wait()
        return True


class Work:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="sorights-kill-test-")
        self.rng = random.Random(SEED)
        self.killed = 0
        self.finished = 0
        self.want_kills = ROUNDS  # at least this many signals must land

    def path(self, name):
        return os.path.join(self.dir, name)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def fresh(self, base, db):
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)
        shutil.copyfile(base, db)

    def kill_rounds(self, base, args, rounds):
        """Kills `sorights --db COPY args...` `rounds` times on fresh copies of
        `base`; each time the copy must be at the old state or the new one."""
        old = state(base)
        probe = self.path("probe.db")
        def once():
            self.fresh(base, probe)
            run(probe, *args)
        duration = timed(once)
        new = state(probe)
        if new[0] != old[0] + 1:
            raise AssertionError(f"{args}: the command made version {new[0]} from {old[0]}")
        seen = {"old": 0, "new": 0}
        db = self.path("work.db")
        landed = 0
        for i in attempts(rounds):
            if landed == rounds:
                break
            self.fresh(base, db)
            delay = self.rng.uniform(0, duration * 1.1)
            if kill_after([BIN, "--db", db] + list(args), delay):
                self.killed += 1
                landed += 1
            else:
                self.finished += 1
            got = state(db)
            where = f"{args} killed after {delay * 1000:.1f} ms (round {i}, seed {SEED})"
            if got == old:
                seen["old"] += 1
            elif got == new:
                seen["new"] += 1
            else:
                raise AssertionError(f"{where}: the store is neither the old nor the new one: "
                                     f"version {got[0]}, audit ends {got[2][-1:]}")
            last = int(got[2][-1].split()[0])
            if last != got[0] or len(got[2]) != got[0]:
                raise AssertionError(f"{where}: audit ends at version {last} with {len(got[2])} entries, "
                                     f"store at version {got[0]}")
        print(f"  {' '.join(args[:3])}: {duration * 1000:.0f} ms a run; old {seen['old']}, new {seen['new']}")


@case
def import_into_a_store(w):
    base = w.path("base.db")
    run(base, "import", DEMO)
    model = w.path("more.json")
    users = ",\n".join(
        f'{{"id": "u{i:03d}", "name": "User {i}", "type": "associate", "company": "acme-no", '
        f'"role": "level-3", "group": "sales"}}' for i in range(300))
    with open(model, "w") as f:
        f.write('{"format": "sorights-model/1", "groups": [{"id": "extra", "name": "Extra"}], '
                f'"users": [{users}]}}')
    w.kill_rounds(base, ["import", model], ROUNDS)


@case
def admin_commands(w):
    base = w.path("base.db")
    run(base, "import", DEMO)
    w.kill_rounds(base, ["user", "add", "zoe", "--role", "level-3", "--group", "sales", "--company", "acme-no"],
                  ROUNDS)
    w.kill_rounds(base, ["role", "set-right", "sales-rep", "sale", "primary_group", "CRUD"], ROUNDS // 2)


def new_path_rounds(w, sig, rounds):
    """Sends `sig` to `import` into a path with no store `rounds` times (that
    many must land); after each, there is no store or the complete one.
    Returns how many rounds left no store, the complete store, and how many
    temporary files were left."""
    reference = w.path("reference.db")

    def once():
        if os.path.exists(reference):
            os.unlink(reference)
        run(reference, "import", DEMO)
    duration = timed(once)
    complete = state(reference)
    db = w.path("new.db")
    seen = {"none": 0, "complete": 0, "temp": 0}
    landed = 0
    for i in attempts(rounds):
        if landed == rounds:
            break
        for name in os.listdir(w.dir):
            if name.startswith("new.db") or name.startswith(".new.db"):
                os.unlink(w.path(name))
        delay = w.rng.uniform(0, duration * 1.1)
        if kill_after([BIN, "--db", db, "import", DEMO], delay, sig):
            w.killed += 1
            landed += 1
        else:
            w.finished += 1
        where = f"import into a new path, signal {sig} after {delay * 1000:.1f} ms (round {i}, seed {SEED})"
        seen["temp"] += sum(1 for n in os.listdir(w.dir) if n.startswith(".new.db.sorights-tmp-"))
        names = sorted(n for n in os.listdir(w.dir) if n.startswith("new.db"))
        if not names:
            seen["none"] += 1
            continue
        if names != ["new.db"]:
            raise AssertionError(f"{where}: left {names}")
        got = state(db)
        if got != complete:
            raise AssertionError(f"{where}: the store is not the complete one: version {got[0]}")
        seen["complete"] += 1
    print(f"  import into a new path ({signal.Signals(sig).name}): {duration * 1000:.0f} ms a run; "
          f"no store {seen['none']}, complete {seen['complete']}, temporary files left {seen['temp']}")
    return seen


@case
def import_into_a_new_path(w):
    new_path_rounds(w, signal.SIGKILL, ROUNDS)


@case
def terminated_import_removes_its_temporary_file(w):
    # SIGTERM (and SIGINT, SIGHUP) can be handled: the temporary store goes too.
    seen = new_path_rounds(w, signal.SIGTERM, 10)
    if seen["temp"]:
        raise AssertionError(f"SIGTERM left {seen['temp']} temporary files")
    w.want_kills = 10


def main():
    name = sys.argv[3]
    names = list(CASES) if name == "all" else [name]
    print(f"seed {SEED} (set SORIGHTS_KILL_SEED to repeat)")
    failed = 0
    for n in names:
        w = Work()
        try:
            CASES[n](w)
            if w.killed < w.want_kills:
                raise AssertionError(f"only {w.killed} kills landed before the command ended")
            print(f"ok   {n}: {w.killed} killed, {w.finished} finished first")
        except AssertionError as ex:
            failed += 1
            print(f"FAIL {n}: {ex}")
        finally:
            w.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
