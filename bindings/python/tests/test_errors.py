"""Errors map to the sorights.Error hierarchy, by code."""
import unittest

import sorights
from support import make_model


class ErrorsTest(unittest.TestCase):
    def test_hierarchy(self):
        self.assertTrue(issubclass(sorights.ValidationError, sorights.Error))
        self.assertTrue(issubclass(sorights.NotFoundError, LookupError))
        self.assertTrue(issubclass(sorights.InvalidArgumentError, ValueError))
        self.assertTrue(issubclass(sorights.PermissionDeniedError, PermissionError))
        self.assertTrue(issubclass(sorights.UnavailableError, OSError))
        self.assertIs(sorights.FailedPreconditionError, sorights.ValidationError)
        self.assertEqual(sorights.Error.__module__, "sorights")
        for code in sorights.ErrorCode.__members__.values():
            self.assertTrue(issubclass(sorights.error_class(code), sorights.Error))

    def test_validation_error_carries_diagnostics(self):
        model = make_model()
        model.users[0].group = "salse"
        with self.assertRaises(sorights.ValidationError) as ctx:
            model.compile()
        err = ctx.exception
        self.assertEqual(err.code, sorights.ErrorCode.FAILED_PRECONDITION)
        self.assertIn("salse", str(err))
        self.assertTrue(err.message)
        self.assertEqual(len(err.diagnostics), 1)
        d = err.diagnostics[0]
        self.assertEqual((d.collection, d.item, d.field), ("users", "alice", "group"))
        self.assertTrue(d.rule)

    def test_catch_by_base_class(self):
        model = make_model()
        model.users[0].role = "nope"
        try:
            sorights.compile(model)
        except sorights.Error as err:
            self.assertIsInstance(err.code, sorights.ErrorCode)
        else:
            self.fail("no error raised")


if __name__ == "__main__":
    unittest.main()
