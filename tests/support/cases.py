"""The case runner every command-line test driver shares.

A driver is run by CTest as `driver.py SORIGHTS_BINARY DEMO_MODEL CASE` (one
CTest test per CASE; `all` runs every case). It registers its cases with
`@case`, then calls `run(make_env)`: each case gets a fresh environment from
`make_env()`, which is closed afterwards (`close()`, when it has one), whatever
happens. A case fails by raising AssertionError.
"""
import os
import sys

BIN = os.path.abspath(sys.argv[1]) if len(sys.argv) > 2 else ""
DEMO = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else ""
CASES = {}


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
