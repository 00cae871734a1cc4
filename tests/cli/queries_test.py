#!/usr/bin/env python3
"""CTest driver for the query commands of the `sorights` command line
(docs/cli.md): `user list` filters, `role list [--all]`, `who-can`, `who-has`
and `test`.

Usage: queries_test.py SORIGHTS_BINARY DEMO_MODEL CASE
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_test  # noqa: E402  (Env, eq; reads the same arguments)
from cli_test import Env, eq  # noqa: E402
from cases import run  # noqa: E402  (cli_test put tests/support on the path)

DEMO_TESTS = os.path.join(os.path.dirname(cli_test.DEMO), "demo-tests.json")
CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def ids(out):
    return [line.split("\t")[0] for line in out.splitlines()]


@case
def user_list_filters(e):
    e.demo()
    out, _ = e.ok("user", "list")
    eq(ids(out), sorted(ids(out)), "sorted by id")
    eq(len(ids(out)), 11, "every user")
    # Implied roles: the system user names no role.
    out, _ = e.ok("user", "list", "--role", "system")
    eq(ids(out), ["integration"], "--role system")
    assert out.startswith("integration\tsystem\tsystem\t"), out
    out, _ = e.ok("user", "list", "--type", "other")
    eq(ids(out), ["integration", "web-anon"], "--type other")
    out, _ = e.ok("user", "list", "--type", "external")
    eq(ids(out), ["carl"], "--type external")
    out, _ = e.ok("user", "list", "--group", "sales")
    eq(ids(out), ["alice", "bob", "dina"], "--group: primary and other")
    out, _ = e.ok("user", "list", "--company", "acme-se")
    eq(ids(out), ["erik"], "--company")
    out, _ = e.ok("user", "list", "--plan", "sales-premium")
    eq(ids(out), ["alice", "dina"], "--plan")
    out, _ = e.ok("user", "list", "--licence", "sale-cal")
    eq(ids(out), ["alice", "dina"], "--licence through the plan")
    out, _ = e.ok("user", "list", "--search", "AND")
    eq(ids(out), ["alice"], "--search in the name, any case")
    out, _ = e.ok("user", "list", "--search", "an")
    eq(ids(out), ["alice", "gunnar", "hanne", "web-anon"], "--search in ids and names")
    out, _ = e.ok("user", "list", "--search", "an", "--active")
    eq(ids(out), ["alice", "hanne", "web-anon"], "--search, active only")
    out, _ = e.ok("user", "list", "--inactive")
    eq(ids(out), ["gunnar", "room-oslo"], "--inactive")
    out, _ = e.ok("user", "list", "--role", "sales-rep", "--group", "sales", "--search", "b")
    eq(ids(out), ["bob"], "filters combine")
    out, _ = e.ok("user", "list", "--role", "level-5")
    eq(out, "", "nothing matches: exit 0")
    err = e.fails("user", "list", "--role", "nope", "--group", "nogroup")
    assert "nope" in err and "nogroup" in err, err
    e.fails("user", "list", "--plan", "noplan", contains="noplan")
    e.fails("user", "list", "--licence", "nolicence", contains="nolicence")
    e.fails("user", "list", "--company", "noco", contains="noco")
    e.fails("user", "list", "--type", "robot", contains="robot")
    e.fails("user", "list", "--active", "--inactive")
    out, _ = e.ok("user", "list", "--help")
    assert out.startswith("usage: sorights user list"), out


@case
def role_list_counts(e):
    e.demo()
    out, _ = e.ok("role", "list")
    assert "system\t" not in out, out
    assert "sales-rep\temployee\t2 users\tSales rep" in out, out
    assert "anonymous\tanonymous\t1 user\t" in out, out
    assert "level-4\temployee\t1 user\t" in out, out  # a former employee counts
    out, _ = e.ok("role", "list", "--all")
    assert "system\tsystem\t1 user\tSystem user" in out, out


@case
def who_can(e):
    e.demo()
    out, _ = e.ok("who-can", "update", "sale", "--owner", "alice")
    eq(ids(out), ["alice", "integration"], "who-can update alice's sale")
    out, _ = e.ok("who-can", "read", "sale", "--owner", "alice", "--visible-for", "associate:bob")
    eq(ids(out), ["alice", "bob", "integration"], "visible for bob")
    # Every listed user is allowed by `check`, every other user denied.
    out, _ = e.ok("who-can", "update", "contract", "--owner", "bob")
    allowed = ids(out)
    users, _ = e.ok("user", "list")
    for u in ids(users):
        code, _, _ = e.run("check", u, "update", "contract", "--owner", "bob")
        eq(code, 0 if u in allowed else 1, f"check {u}")
    out, _ = e.ok("who-can", "delete", "sale", "--owner", "alice", "--completed")
    eq(ids(out), ["integration"], "a completed sale")
    e.fails("who-can", "fly", "sale", contains="fly")
    e.fails("who-can", "read", "widget", contains="widget")
    e.fails("who-can", "read", "sale", "--owner", "ghost", contains="ghost")
    e.fails("who-can", "read")


@case
def who_has(e):
    e.demo()
    out, _ = e.ok("who-has", "acme-approve-discount")
    eq(ids(out), ["dina", "integration"], "who-has")
    out, _ = e.ok("who-has", "allow-bulk-export")
    assert "gunnar" not in out and "alice" in out, out
    e.fails("who-has", "no-such-right", contains="no-such-right")
    e.fails("who-has")


@case
def policy_tests(e):
    e.demo()
    out, _ = e.ok("test", DEMO_TESTS)
    assert out.endswith(" passed, 0 failed\n"), out
    # A failing test: its name, what was expected and what came back; exit 1.
    bad = e.write("bad.json", json.dumps({"format": "sorights-tests/1", "tests": [
        {"name": "ok", "user": "alice", "action": "update", "object": "sale", "record": {"owner": "alice"},
         "expect": "allow"},
        {"name": "bob updates", "user": "bob", "action": "update", "object": "sale", "record": {"owner": "alice"},
         "expect": "allow"},
        {"name": "who", "who_can": "update", "object": "sale", "record": {"owner": "alice"},
         "expect_users": ["alice"]}]}))
    out, _ = e.ok("test", bad, rc=1)
    eq(out, "FAIL bob updates: expected allow, got deny\n"
            "FAIL who: expected [alice], got [alice, integration]\n"
            "tests: 1 passed, 2 failed\n", "failures")
    # A model file with tests runs against its own model, without a store.
    with open(cli_test.DEMO) as f:
        model = json.load(f)
    with open(DEMO_TESTS) as f:
        model["tests"] = json.load(f)["tests"]
    path = e.write("model-with-tests.json", json.dumps(model))
    out, _ = e.ok("test", path, db=False)
    assert out.endswith(" passed, 0 failed\n"), out
    assert not os.path.exists(os.path.join(e.dir, "sorights.db")), "no store created"
    # The model-file import accepts (and ignores) the tests.
    e.ok("import", path)
    # Errors: an unknown id, a bad file, a missing file.
    unknown = e.write("unknown.json", json.dumps({"format": "sorights-tests/1", "tests": [
        {"name": "ghost", "user": "ghost", "has": "admin-all", "expect": "deny"}]}))
    e.fails("test", unknown, contains="ghost")
    broken = e.write("broken.json", '{"format": "sorights-tests/1", "tests": [{"name": "x", "expect": "perhaps"}]}')
    e.fails("test", broken, contains="tests[0]")
    e.fails("test", os.path.join(e.dir, "missing.json"), contains="missing.json")
    e.fails("test")


def main():
    return run(Env, cases=CASES)  # its own registry: cli_test's cases are not these


if __name__ == "__main__":
    sys.exit(main())
