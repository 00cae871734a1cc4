"""Items taken from a Model's lists stay valid while the lists change.

An item (``u = model.users[0]``, ``model.find_user("alice")``, an item met while
iterating) follows its element by key (the id; for field-right rules and
overrides the fields that identify them) and keeps the model alive. When the
element is gone, using the item raises ReferenceError instead of reading
freed or unrelated memory. Run under ASan in the sanitizer lane (the module is
built with ASan there and the runtime preloaded), where the old bindings
failed with heap-use-after-free.
"""
import copy
import gc
import unittest

import sorights
from sorights import Group, Model, Override, Role, User
from sorights import FieldRightRule


def model_with(n):
    model = Model()
    for i in range(n):
        model.users.append(User(id=f"u{i}", group=f"g{i}"))
    return model


class ListItemTest(unittest.TestCase):
    def test_item_reads_its_element_after_the_list_grows(self):
        model = model_with(1)
        u = model.users[0]
        for i in range(1, 200):  # many reallocations of the vector
            model.users.append(User(id=f"u{i}", name="x" * 64))
        self.assertEqual(u.id, "u0")
        self.assertEqual(u.group, "g0")

    def test_item_writes_its_element_after_the_list_grows(self):
        model = model_with(1)
        u = model.users[0]
        model.users.extend([User(id=f"u{i}") for i in range(1, 200)])
        u.group = "sales"
        u.other_groups = ["a", "b"]
        self.assertEqual(model.users[0].group, "sales")
        self.assertEqual(model.users[0].other_groups, ["a", "b"])
        self.assertEqual(model.users[1].group, "")

    def test_item_follows_its_element_when_an_earlier_one_is_deleted(self):
        model = model_with(3)
        u = model.users[2]
        del model.users[0]
        self.assertEqual(u.id, "u2")
        u.retired = True
        self.assertTrue(model.users[1].retired)

    def test_item_raises_reference_error_after_clear(self):
        model = model_with(2)
        u = model.users[1]
        model.users.clear()
        with self.assertRaises(ReferenceError):
            _ = u.id
        with self.assertRaises(ReferenceError):
            u.group = "x"
        self.assertEqual(len(model.users), 0)

    def test_item_raises_reference_error_after_its_element_is_removed(self):
        model = model_with(3)
        u = model.users[1]
        model.users.pop(1)
        with self.assertRaises(ReferenceError):
            _ = u.group
        self.assertEqual([x.id for x in model.users], ["u0", "u2"])

    def test_item_follows_an_id_changed_through_it(self):
        model = model_with(2)
        u = model.users[0]
        u.id = "renamed"
        model.users.append(User(id="later"))
        self.assertEqual(u.id, "renamed")
        self.assertEqual(model.users[0].id, "renamed")

    def test_found_item_survives_growth(self):
        model = model_with(1)
        alice = model.find_user("u0")
        model.users.extend([User(id=f"u{i}") for i in range(1, 100)])
        alice.retired = True
        self.assertTrue(model.users[0].retired)
        self.assertIsNone(model.find_user("nobody"))

    def test_item_keeps_the_model_alive(self):
        u = model_with(1).users[0]
        gc.collect()
        self.assertEqual(u.id, "u0")
        roles = Model.with_defaults().roles
        gc.collect()
        self.assertTrue(len(roles) > 0)

    def test_iterating_while_appending_reads_valid_items(self):
        model = model_with(4)
        seen = []
        for u in model.users:
            model.users.append(User(id=u.id + "-copy"))
            seen.append(u.id)
        self.assertEqual(seen, ["u0", "u1", "u2", "u3"])
        self.assertEqual(len(model.users), 8)

    def test_item_is_a_user_and_converts_to_a_plain_copy(self):
        model = model_with(1)
        u = model.users[0]
        self.assertIsInstance(u, User)
        plain = copy.copy(u)
        self.assertIs(type(plain), User)
        self.assertEqual(plain, u)
        self.assertEqual(u, User(id="u0", group="g0"))
        model.users.append(u)  # a copy of the element
        self.assertEqual(len(model.users), 2)
        model.users[1].id = "u1"
        self.assertEqual(u.id, "u0")
        self.assertIn("u0", repr(u))

    def test_item_methods_edit_the_element(self):
        model = Model.with_defaults()
        role = model.find_role("level-3")
        model.roles.extend([Role(id=f"r{i}") for i in range(50)])
        role.set_cell("sale", "own", "R")
        self.assertEqual(model.find_role("level-3").cell("sale", "own"), "R")
        self.assertEqual(role.cell("sale", "own"), "R")

    def test_enum_and_rights_fields_are_copies(self):
        model = Model()
        model.field_rights.append(FieldRightRule(role="r", object="sale", field="amount", rights="R"))
        rule = model.field_rights[0]
        rights = rule.rights
        relation = rule.relation
        model.field_rights.extend(
            [FieldRightRule(role="r", object="sale", field=f"f{i}") for i in range(100)])
        model.field_rights.clear()
        self.assertEqual(rights, sorights.FieldRights("R"))
        self.assertEqual(relation, sorights.Relation.OWN)
        with self.assertRaises(ReferenceError):
            _ = rule.rights

    def test_override_items_follow_their_element(self):
        model = Model()
        model.overrides.append(Override(target="a", object="sale", remove=1))
        o = model.overrides[0]
        model.overrides.insert(0, Override(target="b", object="sale"))
        o.remove = 3
        self.assertEqual(model.overrides[1].remove, 3)
        self.assertEqual(model.overrides[0].remove, 0)

    def test_edit_user_callback_argument_stays_valid(self):
        model = Model.with_defaults()
        model.our_companies.append(sorights.OurCompany("acme", "Acme", database_owner=True))
        model.groups.append(Group("sales", "Sales"))
        model.users.append(User(id="bob", company="acme", role="level-3", group="sales"))
        directory = sorights.Directory.in_memory(model)
        kept = []
        tx = directory.begin()
        tx.edit_user("bob", lambda u: (kept.append(u), setattr(u, "name", "Bob")))
        tx.commit()
        self.assertEqual(kept[0].name, "Bob")
        self.assertEqual(directory.model.find_user("bob").name, "Bob")


if __name__ == "__main__":
    unittest.main()
