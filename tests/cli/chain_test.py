#!/usr/bin/env python3
"""CTest driver for the administration chain and the id rules on the command
line (docs/design/0006-administration-chain.md): what the issue reported, run
as a user would, on the demo model. Every refusal is exit 2 with the rule and
the item on standard error, nothing changed in the model, and the refusal in
the audit trail.

Run by CTest, one test per case (tests/support/cases.py).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from cases import DEMO, CliEnv, case, run  # noqa: E402  the shared case runner


class Env(CliEnv):
    def __init__(self):
        super().__init__()
        self.out("import", DEMO)

    def refused(self, rule, item, *args):
        """The command is refused naming `rule` and `item`; the model is unchanged."""
        before = self.out("export")
        code, out, err = self.run(*args)
        if code != 2:
            raise AssertionError(f"{args}: exit {code}, wanted 2\nstdout:\n{out}\nstderr:\n{err}")
        if f"[{rule}]" not in err or (item and item not in err):
            raise AssertionError(f"{args}: stderr lacks [{rule}] or {item!r}:\n{err}")
        after = self.out("export")
        if before != after:
            raise AssertionError(f"{args}: the model changed although the command was refused")
        last = self.out("audit").splitlines()[-1]
        if " refused: " not in last or rule not in last:
            raise AssertionError(f"{args}: the refusal is not the last audit line: {last}")
        return err



@case
def user_admin_cannot_climb(e):
    # An administrator whose login is off, switched on by a user administrator,
    # would then grant admin-all to anyone: refused at the first step.
    e.out("user", "add", "nolog", "--company", "acme-no", "--role", "level-0", "--group", "sales",
         "--can-log-in", "no")
    e.refused("target-outranks-actor", '"nolog"', "--as", "hanne", "user", "edit", "nolog", "--can-log-in", "yes")
    for cmd in (["user", "delete", "frida"], ["user", "retire", "frida"], ["user", "former", "frida"],
                ["user", "edit", "frida", "--can-log-in", "no"], ["user", "edit", "frida", "--name", "F"]):
        e.refused("target-outranks-actor", '"frida"', "--as", "hanne", *cmd)
    # What a user administrator may do: assign levels 1-5, Local user, External user.
    for role in ("level-1", "level-2", "level-3", "level-4", "level-5", "local"):
        e.out("--as", "hanne", "user", "edit", "gunnar", "--role", role)
    e.refused("privilege-escalation", '"level-0"', "--as", "hanne", "user", "edit", "gunnar", "--role", "level-0")
    e.refused("privilege-escalation", '"list-admin"', "--as", "hanne", "user", "edit", "gunnar",
              "--role", "list-admin")


@case
def nobody_cuts_the_chain(e):
    # frida is the only effective administrator.
    for cmd in (["user", "delete", "frida"], ["user", "retire", "frida"], ["user", "former", "frida"],
                ["user", "edit", "frida", "--can-log-in", "no"]):
        e.refused("self-lockout", '"frida"', "--as", "frida", *cmd)
    e.refused("last-admin", "", "--as", "frida", "role", "revoke", "level-0", "admin-all")
    e.refused("last-admin", "", "user", "retire", "frida")  # the system actor too
    # With a second administrator, frida may step down through someone else.
    e.out("user", "add", "root2", "--company", "acme-no", "--role", "level-0", "--group", "sales")
    e.out("--as", "root2", "user", "retire", "frida")


@case
def role_admin_cannot_raise_a_cell_beyond_his_own(e):
    e.out("role", "copy", "level-3", "radmin", "--name", "Role admin")
    e.out("role", "grant", "radmin", "admin-role")
    e.out("user", "add", "ra", "--company", "acme-no", "--role", "radmin", "--group", "sales")
    # radmin has R on sales of other groups; CRUD there is an escalation.
    e.refused("data-rights-escalation", '"level-5"', "--as", "ra", "role", "set-right", "level-5", "sale",
              "other_groups", "CRUD")
    # What his own cell holds may be given.
    e.out("--as", "ra", "role", "set-right", "level-5", "sale", "own", "CRUD")
    # A copy of a stronger role adds every one of its letters.
    e.refused("data-rights-escalation", '"strong"', "--as", "ra", "role", "copy", "level-1", "strong")


@case
def ids_cannot_forge_output(e):
    for bad in ("evil\nline", "tab\there", "esc\x1b[31m", "  ", " lead", "trail ", "(system)"):
        code, out, err = e.run("user", "add", bad, "--company", "acme-no", "--role", "level-3", "--group", "sales")
        if code != 2 or "[invalid-id]" not in err:
            raise AssertionError(f"user add {bad!r}: exit {code}\n{err}")
        if "\n" in bad and bad in err:
            raise AssertionError(f"the raw id was printed: {err!r}")
    code, out, err = e.run("user", "add", "ok", "--name", "two\nlines", "--company", "acme-no", "--role",
                           "level-3", "--group", "sales")
    if code != 2 or "[invalid-name]" not in err:
        raise AssertionError(f"a name with a newline: exit {code}\n{err}")
    # The audit trail stays one entry a line, and only the built-in actor is (system).
    lines = e.out("audit").splitlines()
    for line in lines:
        if not line.split(" ", 1)[0].isdigit():
            raise AssertionError(f"a forged audit line: {line!r}")


def main():
    return run(Env)


if __name__ == "__main__":
    sys.exit(main())
