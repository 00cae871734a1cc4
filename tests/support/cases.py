"""The case runner every command-line test driver shares.

A driver is run by CTest as `driver.py SORIGHTS_BINARY DEMO_MODEL CASE` (one
CTest test per CASE; `all` runs every case). It registers its cases with
`@case`, then calls `run(make_env)`: each case gets a fresh environment from
`make_env()`, which is closed afterwards (`close()`, when it has one), whatever
happens. A case fails by raising AssertionError. `CliEnv` is the environment most
drivers start from: a temporary directory with a store path, and the binary
run in it.
"""
import os
import shutil
import subprocess
import sys
import tempfile

BIN = os.path.abspath(sys.argv[1]) if len(sys.argv) > 2 else ""
DEMO = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else ""
CASES = {}


class CliEnv:
    """A temporary directory holding the store `s.db`; `sorights` runs in it."""

    def __init__(self):
        driver = os.path.basename(sys.argv[0]).removesuffix(".py")  # names the directory
        self.dir = tempfile.mkdtemp(prefix=f"sorights-{driver}-")
        self.db = os.path.join(self.dir, "s.db")

    def path(self, name):
        return os.path.join(self.dir, name)

    def run(self, *args, db=None, cwd=None, env=None, prefix=()):
        """Runs `prefix... sorights --db DB args...`: DB is `self.db` unless `db`
        names another path, or no `--db` at all when `db` is False."""
        store = [] if db is False else ["--db", self.db if db in (None, True) else db]
        argv = list(prefix) + [BIN] + store + list(args)
        p = subprocess.run(argv, capture_output=True, text=True, cwd=cwd or self.dir, timeout=120, env=env)
        return p.returncode, p.stdout, p.stderr

    def ok(self, *args, rc=0, **kw):
        """Runs and wants exit `rc`; returns (stdout, stderr)."""
        return self.exits(rc, *args, **kw)

    def out(self, *args, **kw):
        """Runs and wants exit 0; returns stdout."""
        return self.exits(0, *args, **kw)[0]

    def exits(self, rc, *args, **kw):
        code, out, err = self.run(*args, **kw)
        if code != rc:
            raise AssertionError(f"{args}: exit {code}, wanted {rc}\nstdout:\n{out}\nstderr:\n{err}")
        return out, err

    def fails(self, *args, contains=(), **kw):
        """Runs and wants exit 2 with a message on stderr holding `contains`
        (a string or several); returns stderr."""
        _, err = self.exits(2, *args, **kw)
        if not err.strip():
            raise AssertionError(f"{args}: no message on stderr")
        for c in ([contains] if isinstance(contains, str) else contains or ()):
            if c not in err:
                raise AssertionError(f"{args}: stderr lacks {c!r}:\n{err}")
        return err

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def eq(a, b, what=""):
    if a != b:
        raise AssertionError(f"{what}: {a!r} != {b!r}")


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def run(make_env, after=None, cases=None):
    """Runs the case named on the command line (or all); 1 if any failed.
    `after(env, name)`, when given, checks a finished case and returns the text
    printed after `ok`. `cases`: a registry of the driver's own instead of
    `CASES`."""
    cases = CASES if cases is None else cases
    name = sys.argv[3]
    if name != "all" and name not in cases:
        print(f"FAIL {name}: no such case")
        return 1
    names = list(cases) if name == "all" else [name]
    failed = 0
    for n in names:
        env = make_env()
        try:
            cases[n](env)
            note = after(env, n) if after else ""
            print(f"ok   {n}{note}")
        except AssertionError as ex:
            failed += 1
            print(f"FAIL {n}: {ex}")
        finally:
            close = getattr(env, "close", None)
            if close:
                close()
    return 1 if failed else 0
