"""The value types: construction, equality, repr, in-place editing."""
import copy
import unittest

import sorights
from support import make_model


class ValueTypesTest(unittest.TestCase):
    def test_keyword_and_positional_construction(self):
        g = sorights.Group("sales", "Sales")
        self.assertEqual(g.id, "sales")
        self.assertEqual(g, sorights.Group(id="sales", name="Sales"))
        u = sorights.User(id="alice", company="acme", role="level-3", group="sales",
                          other_groups=["support"], type="associate")
        self.assertEqual(u.type, sorights.UserType.ASSOCIATE)
        self.assertEqual(u.other_groups, ["support"])
        self.assertTrue(u.can_log_in)

    def test_unknown_keyword_raises(self):
        with self.assertRaises(TypeError):
            sorights.User(id="x", colour="blue")
        with self.assertRaises(TypeError):
            sorights.Group("a", "b", "c")

    def test_repr_shows_non_default_fields(self):
        self.assertEqual(repr(sorights.Group("sales")), "sorights.Group(id='sales')")
        r = repr(sorights.User(id="alice", retired=True))
        self.assertIn("id='alice'", r)
        self.assertIn("retired=True", r)
        self.assertNotIn("company", r)

    def test_every_model_file_field_is_an_attribute(self):
        # The bindings take their fields from the one field list per entity
        # (model_describe.hpp): each field of the model file is an attribute
        # that the keyword constructor sets and == compares.
        fields = {
            sorights.OurCompany: {"id": "acme", "name": "Acme", "database_owner": True},
            sorights.Group: {"id": "g", "name": "G"},
            sorights.Licence: {"id": "l", "name": "L", "count": 3, "unrestricted": True,
                               "requires_licences": ["m"], "cal_for": ["sale"]},
            sorights.Plan: {"id": "p", "name": "P", "licences": ["l"]},
            sorights.FunctionalRightDef: {"id": "f", "name": "F", "requires_licence": "l", "restrictive": True},
            sorights.DataObjectDef: {"id": "o", "name": "O", "empty_owner_is_user": True, "has_visibility": True,
                                     "completed_is_locked": True},
            sorights.Role: {"id": "r", "name": "R", "description": "D", "functional_rights": ["f"]},
            sorights.Override: {"target": "t", "object": "sale", "record": "7", "field": "amount", "remove": 2},
            sorights.User: {"id": "u", "name": "U", "person": "p1", "company": "acme", "role": "level-3",
                            "group": "g", "other_groups": ["h"], "plan": "p", "licences": ["l"],
                            "projects": ["x"], "can_log_in": False, "former_employee": True, "retired": True},
        }
        for cls, values in fields.items():
            with self.subTest(cls=cls.__name__):
                v = cls(**values)
                for name, value in values.items():
                    self.assertEqual(getattr(v, name), value, name)
                    changed = v.copy()
                    setattr(changed, name, cls().__getattribute__(name))
                    self.assertNotEqual(changed, v, name)

    def test_copy_is_deep(self):
        u = sorights.User(id="alice", other_groups=["a"])
        c = copy.deepcopy(u)
        c.other_groups = ["b"]
        self.assertEqual(u.other_groups, ["a"])
        self.assertNotEqual(u, c)
        self.assertEqual(u.copy(), u)

    def test_enums_from_strings(self):
        self.assertEqual(sorights.Relation("primary_group"), sorights.Relation.PRIMARY_GROUP)
        self.assertEqual(sorights.Action("delete"), sorights.Action.DELETE)
        with self.assertRaises(ValueError):
            sorights.Action("destroy")


class ModelTest(unittest.TestCase):
    def test_with_defaults_has_predefined_roles(self):
        model = sorights.Model.with_defaults()
        self.assertEqual([r.id for r in model.roles], sorights.PREDEFINED_ROLE_IDS)
        self.assertEqual(len(model.users), 0)
        self.assertIn("sale", sorights.BUILTIN_OBJECTS)
        self.assertIn("admin-all", sorights.BUILTIN_RIGHTS)

    def test_lists_are_edited_in_place(self):
        model = make_model()
        model.users[0].group = "support"
        self.assertEqual(model.find_user("alice").group, "support")
        model.find_user("alice").retired = True
        self.assertTrue(model.users[0].retired)
        del model.users[2]
        self.assertIsNone(model.find_user("bob"))
        model.groups = [sorights.Group("only")]
        self.assertEqual(len(model.groups), 1)
        self.assertIn("3 users" if False else "2 users", repr(model))

    def test_role_matrix(self):
        role = sorights.Role(id="rep", name="Rep", type="employee")
        self.assertEqual(role.cell("sale", "own"), sorights.TableRights.NONE)
        role.set_cell("sale", "own", "CRUD")
        role.set_cell("sale", sorights.Relation.PRIMARY_GROUP, sorights.TableRights.SELECT | "U")
        self.assertEqual(role.cell("sale", "own"), sorights.TableRights.FULL)
        self.assertEqual(role.data_rights["sale"][sorights.Relation.PRIMARY_GROUP].crud, "RU")
        role.data_rights = {"company": {"own": "R", sorights.Relation.OTHER_GROUPS: "Filtering|Select"}}
        self.assertEqual(role.cell("company", "other_groups"), sorights.TableRights("R"))  # C/R/U/D only
        self.assertEqual(role.cell("sale", "own"), sorights.TableRights.NONE)
        role.functional_rights = ["allow-bulk-export"]
        self.assertTrue(role.has_right("allow-bulk-export"))

    def test_predefined_role(self):
        r = sorights.predefined_role("level-3")
        self.assertEqual(r.cell("sale", "own"), "CRUD")
        self.assertIsNone(sorights.predefined_role("level-9"))

    def test_validate_lists_every_problem(self):
        model = make_model()
        self.assertEqual(model.validate(), [])
        model.users[0].group = "salse"
        model.users[1].role = "nope"
        problems = sorights.validate(model)
        self.assertGreaterEqual(len(problems), 2)
        self.assertTrue(any(p.item == "alice" and p.field == "group" for p in problems))
        self.assertIn("salse", str(problems[0]) + str(problems[1]))


class RightsTest(unittest.TestCase):
    def test_table_rights(self):
        tr = sorights.TableRights
        self.assertEqual(tr("CRUD"), tr.FULL)
        self.assertEqual(tr("Select|Update").bits, 3)
        self.assertEqual(tr(3), tr("RU"))
        self.assertEqual(str(tr(0)), "None")
        self.assertEqual(repr(tr("R")), "sorights.TableRights('Select')")
        self.assertIn(tr.SELECT, tr("RU"))
        self.assertNotIn(tr.DELETE, tr("RU"))
        self.assertEqual(tr.FULL - "D", tr("CRU"))
        self.assertTrue(tr("R").allows("read"))
        self.assertFalse(tr("R").allows(sorights.Action.UPDATE))
        self.assertFalse(tr.NONE)
        self.assertEqual(int(tr.FULL), 15)
        self.assertEqual(len({tr("R"), tr(1)}), 1)
        with self.assertRaises(ValueError):
            tr("Sellect")
        with self.assertRaises(ValueError):
            tr(64)

    def test_field_rights(self):
        fr = sorights.FieldRights
        self.assertEqual(fr("RW"), fr.READ_WRITE)
        self.assertTrue(fr("R").can_read)
        self.assertFalse(fr("R").can_write)
        self.assertEqual(str(fr(3)), "Read|Write")
        self.assertEqual(fr(64 | 1).mandatory, True)


if __name__ == "__main__":
    unittest.main()
