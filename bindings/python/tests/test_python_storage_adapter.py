"""A storage adapter written in Python (a subclass of sorights.StorageAdapter)
drives a Directory: open, begin, commit, audit, reload; what the adapter
raises becomes a sorights error and the directory stays usable."""
import gc
import unittest

import sorights


class DictStore(sorights.StorageAdapter):
    """Keeps the model, its version and the audit trail in Python objects."""

    def __init__(self):
        super().__init__()
        self.model = sorights.Model.with_defaults()
        self.stored = 0
        self.trail = []
        self.fail_next_apply = None  # an exception to raise once

    def load(self):
        return (self.model.copy(), self.stored)

    def apply(self, change_set):
        if self.fail_next_apply is not None:
            error, self.fail_next_apply = self.fail_next_apply, None
            raise error
        if change_set.base_version != self.stored:
            raise sorights.ConflictError(f"stored version is {self.stored}")
        sorights.apply_changes(self.model, change_set.changes)
        self.stored = change_set.version
        self.trail.append(change_set.audit_entry())

    def stored_version(self):
        return self.stored

    def append_audit(self, entry):
        self.trail.append(entry)

    def audit(self, query):
        return [e for e in self.trail if query.matches(e)]


def bootstrap(directory):
    tx = directory.begin("")  # the system actor creates the first administrator
    tx.put_our_company(sorights.OurCompany("acme", "Acme", database_owner=True))
    tx.put_group(sorights.Group("it", "IT"))
    tx.add_user(sorights.User(id="root", company="acme", role="level-0", group="it"))
    return tx.commit()


class PythonStorageAdapterTest(unittest.TestCase):
    def test_a_python_adapter_drives_open_begin_commit_audit_and_reload(self):
        store = DictStore()
        directory = sorights.Directory.open(store)
        self.assertEqual(directory.version, 0)
        self.assertEqual(len(directory.model.roles), 12)
        self.assertEqual(bootstrap(directory).version, 1)
        self.assertEqual(store.stored, 1)
        self.assertEqual([u.id for u in store.model.users], ["root"])
        self.assertEqual(store.version, 1)  # the property reads stored_version()

        tx = directory.begin("root")
        tx.put_group(sorights.Group("sales", "Sales"))
        tx.commit()
        self.assertEqual([(e.version, e.actor) for e in directory.audit()], [(1, ""), (2, "root")])
        self.assertEqual([e.version for e in directory.audit(user="root")], [1, 2])  # added root; by root

        reloaded = sorights.Directory.open(store)  # a second directory over the same store
        self.assertEqual(reloaded.version, 2)
        self.assertIn("root", reloaded.snapshot)
        self.assertIsNotNone(reloaded.model.find_group("sales"))

    def test_a_refused_begin_is_audited_through_the_adapter(self):
        store = DictStore()
        directory = sorights.Directory.open(store)
        with self.assertRaises(sorights.NotFoundError):
            directory.begin("root")
        self.assertEqual(len(store.trail), 1)
        self.assertTrue(store.trail[0].refused)

    def test_a_python_exception_becomes_an_internal_error_and_the_directory_stays_usable(self):
        store = DictStore()
        directory = sorights.Directory.open(store)
        store.fail_next_apply = RuntimeError("disk full")
        with self.assertRaises(sorights.InternalError) as caught:
            bootstrap(directory)
        self.assertIn("RuntimeError: disk full", str(caught.exception))
        self.assertEqual(caught.exception.code, sorights.ErrorCode.INTERNAL)
        self.assertEqual(directory.version, 0)
        self.assertEqual(store.stored, 0)
        self.assertEqual(bootstrap(directory).version, 1)  # still usable

    def test_a_sorights_error_raised_by_the_adapter_keeps_its_code(self):
        store = DictStore()
        directory = sorights.Directory.open(store)
        store.fail_next_apply = sorights.UnavailableError("database is down")
        with self.assertRaises(sorights.UnavailableError) as caught:
            bootstrap(directory)
        self.assertIn("database is down", str(caught.exception))
        self.assertEqual(bootstrap(directory).version, 1)

    def test_a_missing_method_is_an_internal_error_naming_it(self):
        class NoAudit(sorights.StorageAdapter):  # everything but audit()
            def __init__(self):
                super().__init__()

            def load(self):
                return (sorights.Model.with_defaults(), 0)

            def stored_version(self):
                return 0

            def append_audit(self, entry):
                pass

        directory = sorights.Directory.open(NoAudit())
        with self.assertRaises(sorights.InternalError) as caught:
            directory.audit()
        self.assertIn("audit() is not implemented", str(caught.exception))

    def test_the_directory_keeps_its_python_adapter_alive(self):
        directory = sorights.Directory.open(DictStore())  # no other reference to the store
        gc.collect()
        self.assertEqual(bootstrap(directory).version, 1)
        self.assertEqual(directory.storage.stored, 1)

    def test_the_base_class_cannot_be_used_unimplemented(self):
        with self.assertRaises(sorights.InternalError):
            sorights.Directory.open(sorights.StorageAdapter())


if __name__ == "__main__":
    unittest.main()
