# Type stubs for the sorights package: everything comes from sorights._core.
from ._core import *  # noqa: F401,F403
from ._core import ErrorCode, Error, __version__ as __version__

def error_class(code: ErrorCode) -> type[Error]: ...
