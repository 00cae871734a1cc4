"""sorights: authorization and user model for business applications.

A Pythonic front over the C++ library (the extension module ``sorights._core``)::

    import sorights

    model = sorights.Model.with_defaults()            # the twelve predefined roles
    model.our_companies.append(sorights.OurCompany("acme", "Acme", database_owner=True))
    model.groups.append(sorights.Group("sales", "Sales"))
    model.users.append(sorights.User(id="alice", company="acme", role="level-3", group="sales"))
    snapshot = model.compile()                        # raises sorights.ValidationError

    sale = sorights.Record(object="sale", owner="alice")
    snapshot.can("alice", "update", sale)             # True
    print(snapshot.explain("alice", "update", sale))

Errors raise subclasses of :class:`sorights.Error` chosen by the error code
(``NotFoundError``, ``ValidationError``, ``PermissionDeniedError``, ...); each
carries ``code``, ``message`` and ``diagnostics``. Checks never raise: unknown
ids are a deny, as in C++.
"""

from . import _core
from ._core import *  # noqa: F401,F403  (the public API is defined by _core)
from ._core import __version__  # noqa: F401

__all__ = [name for name in dir(_core) if not name.startswith("_")]


def error_class(code):
    """The exception class raised for an :class:`ErrorCode`."""
    return {
        ErrorCode.INVALID_ARGUMENT: InvalidArgumentError,  # noqa: F405
        ErrorCode.NOT_FOUND: NotFoundError,  # noqa: F405
        ErrorCode.ALREADY_EXISTS: AlreadyExistsError,  # noqa: F405
        ErrorCode.FAILED_PRECONDITION: ValidationError,  # noqa: F405
        ErrorCode.PERMISSION_DENIED: PermissionDeniedError,  # noqa: F405
        ErrorCode.CONFLICT: ConflictError,  # noqa: F405
        ErrorCode.UNAVAILABLE: UnavailableError,  # noqa: F405
        ErrorCode.DATA_LOSS: DataLossError,  # noqa: F405
        ErrorCode.INTERNAL: InternalError,  # noqa: F405
    }.get(code, Error)  # noqa: F405


__all__.append("error_class")
