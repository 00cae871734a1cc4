# Type stubs for sorights._core (the C++ extension). The public names are
# re-exported by the `sorights` package.
import datetime
from typing import Callable, ClassVar, Final, Generic, Iterable, Iterator, SupportsIndex, TypeVar, overload

_T = TypeVar("_T")

__version__: str
HAS_STORAGE: bool
PREDEFINED_ROLE_IDS: list[str]
BUILTIN_OBJECTS: list[str]
BUILTIN_RIGHTS: list[str]

class _Enum:
    name: str
    value: int
    __members__: ClassVar[dict[str, object]]
    def __init__(self, value: int | str) -> None: ...
    def __int__(self) -> int: ...
    def __index__(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class ErrorCode(_Enum):
    OK: ClassVar[ErrorCode]
    INVALID_ARGUMENT: ClassVar[ErrorCode]
    NOT_FOUND: ClassVar[ErrorCode]
    ALREADY_EXISTS: ClassVar[ErrorCode]
    FAILED_PRECONDITION: ClassVar[ErrorCode]
    PERMISSION_DENIED: ClassVar[ErrorCode]
    CONFLICT: ClassVar[ErrorCode]
    UNAVAILABLE: ClassVar[ErrorCode]
    DATA_LOSS: ClassVar[ErrorCode]
    INTERNAL: ClassVar[ErrorCode]

class UserType(_Enum):
    ASSOCIATE: ClassVar[UserType]
    RESOURCE: ClassVar[UserType]
    EXTERNAL: ClassVar[UserType]
    ANONYMOUS: ClassVar[UserType]
    SYSTEM: ClassVar[UserType]

class RoleType(_Enum):
    EMPLOYEE: ClassVar[RoleType]
    EXTERNAL: ClassVar[RoleType]
    ANONYMOUS: ClassVar[RoleType]
    SYSTEM: ClassVar[RoleType]

class Relation(_Enum):
    OWN: ClassVar[Relation]
    PRIMARY_GROUP: ClassVar[Relation]
    OTHER_ASSOCIATES: ClassVar[Relation]
    OTHER_GROUPS: ClassVar[Relation]
    EXTERNAL: ClassVar[Relation]
    ANONYMOUS: ClassVar[Relation]
    MY_COMPANY: ClassVar[Relation]
    SAME_PROJECT: ClassVar[Relation]

class Action(_Enum):
    READ: ClassVar[Action]
    CREATE: ClassVar[Action]
    UPDATE: ClassVar[Action]
    DELETE: ClassVar[Action]

class LicenceKind(_Enum):
    SITE: ClassVar[LicenceKind]
    USER: ClassVar[LicenceKind]

class OverrideLevel(_Enum):
    SYSTEM: ClassVar[OverrideLevel]
    GROUP: ClassVar[OverrideLevel]
    USER: ClassVar[OverrideLevel]

class OverrideScope(_Enum):
    ALL: ClassVar[OverrideScope]
    NEW: ClassVar[OverrideScope]
    EXISTING: ClassVar[OverrideScope]
    RECORD: ClassVar[OverrideScope]

class Outcome(_Enum):
    EVALUATED: ClassVar[Outcome]
    NO_SUCH_USER: ClassVar[Outcome]
    NO_SUCH_OBJECT: ClassVar[Outcome]
    INACTIVE_USER: ClassVar[Outcome]
    SYSTEM_USER: ClassVar[Outcome]

class Layer(_Enum):
    LICENCE: ClassVar[Layer]
    OTHER_COMPANY: ClassVar[Layer]
    VISIBILITY: ClassVar[Layer]
    PUBLISHING: ClassVar[Layer]
    OVERRIDE: ClassVar[Layer]
    RECORD_STATE: ClassVar[Layer]

class InactiveReason(_Enum):
    NONE: ClassVar[InactiveReason]
    RETIRED: ClassVar[InactiveReason]
    FORMER_EMPLOYEE: ClassVar[InactiveReason]
    LOGIN_OFF: ClassVar[InactiveReason]
    RESOURCE: ClassVar[InactiveReason]

class EntityKind(_Enum):
    OUR_COMPANY: ClassVar[EntityKind]
    GROUP: ClassVar[EntityKind]
    LICENCE: ClassVar[EntityKind]
    PLAN: ClassVar[EntityKind]
    FUNCTIONAL_RIGHT: ClassVar[EntityKind]
    OBJECT: ClassVar[EntityKind]
    ROLE: ClassVar[EntityKind]
    USER: ClassVar[EntityKind]
    FIELD_RIGHTS: ClassVar[EntityKind]
    OVERRIDES: ClassVar[EntityKind]

class ImportMode(_Enum):
    MERGE: ClassVar[ImportMode]
    REPLACE: ClassVar[ImportMode]

class MoveRecords(_Enum):
    LEAVE: ClassVar[MoveRecords]
    MOVE_ALL: ClassVar[MoveRecords]
    MOVE_FROM: ClassVar[MoveRecords]

_ActionLike = Action | str
_RelationLike = Relation | str
_UserTypeLike = UserType | str
_RoleTypeLike = RoleType | str

# -- Errors --------------------------------------------------------------------

class Diagnostic:
    collection: Final[str]
    item: Final[str]
    field: Final[str]
    rule: Final[str]
    message: Final[str]

class Error(Exception):
    code: ErrorCode
    message: str
    diagnostics: list[Diagnostic]

class InvalidArgumentError(Error, ValueError): ...
class NotFoundError(Error, LookupError): ...
class AlreadyExistsError(Error): ...
class ValidationError(Error): ...
FailedPreconditionError = ValidationError
class PermissionDeniedError(Error, PermissionError): ...
class ConflictError(Error): ...
class UnavailableError(Error, OSError): ...
class DataLossError(Error): ...
class InternalError(Error): ...

# -- Rights --------------------------------------------------------------------

_TableRightsLike = TableRights | str | int
_FieldRightsLike = FieldRights | str | int

class _Bits:
    # What TableRights and FieldRights share: built from nothing, bits or text.
    @overload
    def __init__(self) -> None: ...
    @overload
    def __init__(self, bits: int) -> None: ...
    @overload
    def __init__(self, text: str) -> None: ...
    bits: Final[int]
    def __bool__(self) -> bool: ...
    def __int__(self) -> int: ...
    def __hash__(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    def __ne__(self, other: object) -> bool: ...

class TableRights(_Bits):
    NONE: ClassVar[TableRights]
    SELECT: ClassVar[TableRights]
    UPDATE: ClassVar[TableRights]
    INSERT: ClassVar[TableRights]
    DELETE: ClassVar[TableRights]
    FILTERING: ClassVar[TableRights]
    RESTRICTED_UPDATE: ClassVar[TableRights]
    FULL: ClassVar[TableRights]
    crud: Final[str]
    def allows(self, action: _ActionLike) -> bool: ...
    def contains_all(self, wanted: _TableRightsLike) -> bool: ...
    def contains_any(self, wanted: _TableRightsLike) -> bool: ...
    def __contains__(self, wanted: _TableRightsLike) -> bool: ...
    def __index__(self) -> int: ...
    def __or__(self, other: _TableRightsLike) -> TableRights: ...
    __ror__ = __or__
    def __and__(self, other: _TableRightsLike) -> TableRights: ...
    __rand__ = __and__
    def __sub__(self, other: _TableRightsLike) -> TableRights: ...

class FieldRights(_Bits):
    NONE: ClassVar[FieldRights]
    READ: ClassVar[FieldRights]
    WRITE: ClassVar[FieldRights]
    READ_WRITE: ClassVar[FieldRights]
    can_read: Final[bool]
    can_write: Final[bool]
    mandatory: Final[bool]
    ui_read_only: Final[bool]
    letters: Final[str]

# -- Model value types ------------------------------------------------------------

class _Value:
    def __eq__(self, other: object) -> bool: ...
    def __ne__(self, other: object) -> bool: ...
    def copy(self): ...
    def __copy__(self): ...
    def __deepcopy__(self, memo: dict) -> object: ...

class OurCompany(_Value):
    id: str
    name: str
    database_owner: bool
    names: dict[str, str]
    def __init__(self, id: str = ..., name: str = ..., database_owner: bool = ...,
                 names: dict[str, str] = ...) -> None: ...

class Group(_Value):
    id: str
    name: str
    names: dict[str, str]
    def __init__(self, id: str = ..., name: str = ..., names: dict[str, str] = ...) -> None: ...

class Licence(_Value):
    id: str
    name: str
    kind: LicenceKind
    count: int
    unrestricted: bool
    requires_licences: list[str]
    cal_for: list[str]
    def __init__(self, id: str = ..., name: str = ..., kind: LicenceKind = ..., count: int = ...,
                 unrestricted: bool = ..., requires_licences: list[str] = ..., cal_for: list[str] = ...) -> None: ...

class Plan(_Value):
    id: str
    name: str
    licences: list[str]
    def __init__(self, id: str = ..., name: str = ..., licences: list[str] = ...) -> None: ...

class FunctionalRightDef(_Value):
    id: str
    name: str
    requires_licence: str
    restrictive: bool
    names: dict[str, str]
    def __init__(self, id: str = ..., name: str = ..., requires_licence: str = ...,
                 restrictive: bool = ..., names: dict[str, str] = ...) -> None: ...

class DataObjectDef(_Value):
    id: str
    name: str
    empty_owner_is_user: bool
    has_visibility: bool
    completed_is_locked: bool
    def __init__(self, id: str = ..., name: str = ..., empty_owner_is_user: bool = ...,
                 has_visibility: bool = ..., completed_is_locked: bool = ...) -> None: ...

class Role(_Value):
    id: str
    name: str
    description: str
    type: RoleType
    functional_rights: list[str]
    data_rights: dict[str, dict[Relation, TableRights]]
    names: dict[str, str]
    def __init__(self, id: str = ..., name: str = ..., description: str = ..., type: _RoleTypeLike = ...,
                 functional_rights: list[str] = ..., names: dict[str, str] = ...) -> None: ...
    def cell(self, object: str, relation: _RelationLike) -> TableRights: ...
    def set_cell(self, object: str, relation: _RelationLike, rights: _TableRightsLike) -> None: ...
    def has_right(self, right: str) -> bool: ...

class FieldRightRule(_Value):
    role: str
    object: str
    field: str
    relation: Relation
    rights: FieldRights
    ui_mandatory: bool
    ui_read_only: bool
    def __init__(self, role: str = ..., object: str = ..., field: str = ..., relation: _RelationLike = ...,
                 rights: _FieldRightsLike = ..., ui_mandatory: bool = ..., ui_read_only: bool = ...) -> None: ...

class Override(_Value):
    level: OverrideLevel
    target: str
    object: str
    scope: OverrideScope
    record: str
    field: str
    remove: int
    def __init__(self, level: OverrideLevel = ..., target: str = ..., object: str = ...,
                 scope: OverrideScope = ..., record: str = ..., field: str = ..., remove: int = ...) -> None: ...

class User(_Value):
    id: str
    type: UserType
    name: str
    person: str
    company: str
    role: str
    group: str
    other_groups: list[str]
    plan: str
    licences: list[str]
    projects: list[str]
    can_log_in: bool
    former_employee: bool
    retired: bool
    def __init__(self, id: str = ..., type: _UserTypeLike = ..., name: str = ..., person: str = ...,
                 company: str = ..., role: str = ..., group: str = ..., other_groups: list[str] = ...,
                 plan: str = ..., licences: list[str] = ..., projects: list[str] = ...,
                 can_log_in: bool = ..., former_employee: bool = ..., retired: bool = ...) -> None: ...

class _List(Generic[_T]):
    # The mutable, in-place lists of a Model. An item read from one (indexing,
    # iteration, Model.find_*) is a live item: at runtime a `_<Type>Item` that
    # passes isinstance(item, <Type>), keeps the model alive, finds its element
    # again by key (the id; the identifying fields for FieldRightRule and
    # Override) on every use, and raises ReferenceError once the element is
    # gone. Writes through it edit the model. copy.copy(item), pop() and slices
    # give plain, detached values.
    def __init__(self, items: Iterable[_T] = ...) -> None: ...
    def __len__(self) -> int: ...
    def __bool__(self) -> bool: ...
    def __iter__(self) -> Iterator[_T]: ...
    @overload
    def __getitem__(self, i: SupportsIndex) -> _T: ...
    @overload
    def __getitem__(self, s: slice) -> _List[_T]: ...
    def __setitem__(self, i: SupportsIndex, value: _T) -> None: ...
    def __delitem__(self, i: SupportsIndex | slice) -> None: ...
    def __contains__(self, value: object) -> bool: ...
    def append(self, value: _T) -> None: ...
    def extend(self, values: Iterable[_T]) -> None: ...
    def insert(self, i: int, value: _T) -> None: ...
    def pop(self, i: int = ...) -> _T: ...
    def remove(self, value: _T) -> None: ...
    def clear(self) -> None: ...
    def index(self, value: _T) -> int: ...
    def count(self, value: _T) -> int: ...

class OurCompanyList(_List[OurCompany]): ...
class GroupList(_List[Group]): ...
class LicenceList(_List[Licence]): ...
class PlanList(_List[Plan]): ...
class FunctionalRightDefList(_List[FunctionalRightDef]): ...
class DataObjectDefList(_List[DataObjectDef]): ...
class RoleList(_List[Role]): ...
class FieldRightRuleList(_List[FieldRightRule]): ...
class OverrideList(_List[Override]): ...
class UserList(_List[User]): ...

class Model(_Value):
    our_companies: OurCompanyList
    groups: GroupList
    licences: LicenceList
    plans: PlanList
    functional_rights: FunctionalRightDefList
    objects: DataObjectDefList
    roles: RoleList
    field_rights: FieldRightRuleList
    overrides: OverrideList
    users: UserList
    def __init__(self, **fields: object) -> None: ...
    @staticmethod
    def with_defaults() -> Model: ...
    # find_*: a live item of the list (see _List), or None.
    def find_role(self, id: str) -> Role | None: ...
    def find_user(self, id: str) -> User | None: ...
    def find_group(self, id: str) -> Group | None: ...
    def find_our_company(self, id: str) -> OurCompany | None: ...
    def find_licence(self, id: str) -> Licence | None: ...
    def find_plan(self, id: str) -> Plan | None: ...
    def validate(self) -> list[Diagnostic]: ...
    def compile(self, version: int = 0) -> Snapshot: ...

def compile(model: Model, version: int = 0) -> Snapshot: ...
def validate(model: Model) -> list[Diagnostic]: ...
def predefined_role(id: str) -> Role | None: ...
def record_key(id: str) -> int: ...

# -- Records, snapshots, explanations -------------------------------------------------

_TimeLike = int | datetime.datetime | datetime.date | None

class Record(_Value):
    object: str
    owner: str | None
    group: str | None
    visible_for: str
    project: str | None
    company: str | None
    id: str | None
    publish_from: int | None
    publish_to: int | None
    at: int | None
    published: bool
    completed: bool
    is_new: bool
    user_person: bool
    our_company: bool
    database_owner: bool
    def __init__(self, object: str = ..., owner: str | None = ..., group: str | None = ...,
                 visible_for: str = ..., project: str | None = ..., company: str | None = ...,
                 id: str | None = ..., publish_from: _TimeLike = ..., publish_to: _TimeLike = ...,
                 at: _TimeLike = ..., published: bool = ..., completed: bool = ..., is_new: bool = ...,
                 user_person: bool = ..., our_company: bool = ..., database_owner: bool = ...) -> None: ...

class LayerEffect:
    layer: Final[Layer]
    removed: Final[TableRights]
    added: Final[TableRights]
    after: Final[TableRights]

class Explanation:
    outcome: Final[Outcome]
    inactive_reason: Final[InactiveReason]
    action: Final[Action]
    user: Final[str]
    object: Final[str]
    relation: Final[Relation]
    role: Final[str | None]
    cell: Final[TableRights]
    layers: Final[list[LayerEffect]]
    rights: Final[TableRights]
    allowed: Final[bool]
    reason: Final[str]
    text: Final[str]

class Snapshot:
    version: Final[int]
    user_count: Final[int]
    role_count: Final[int]
    profile_count: Final[int]
    memory_bytes: Final[int]
    users: Final[list[str]]
    roles: Final[list[str]]
    def rights(self, user: str, record: Record) -> TableRights: ...
    def can(self, user: str, action: _ActionLike, record: Record) -> bool: ...
    def has(self, user: str, right: str) -> bool: ...
    def field_rights(self, user: str, record: Record, field: str) -> FieldRights: ...
    def explain(self, user: str, action: _ActionLike, record: Record) -> Explanation: ...
    def user_role(self, user: str) -> str | None: ...
    def user_type(self, user: str) -> UserType: ...
    def role_cell(self, role: str, object: str, relation: _RelationLike) -> TableRights: ...
    def __contains__(self, user: str) -> bool: ...

# -- Storage, directory, transactions ----------------------------------------------------

_Entity = OurCompany | Group | Licence | Plan | FunctionalRightDef | DataObjectDef | Role | User | FieldRightRuleList | OverrideList

class Change:
    kind: Final[EntityKind]
    id: Final[str]
    before: Final[_Entity | None]
    after: Final[_Entity | None]

class AuditEntry:
    version: Final[int]
    time: Final[int]
    actor: Final[str]
    refused: Final[bool]
    reason: Final[str]
    changes: Final[list[Change]]

class ChangeSet:
    base_version: Final[int]
    version: Final[int]
    time: Final[int]
    actor: Final[str]
    changes: Final[list[Change]]
    def audit_entry(self) -> AuditEntry: ...

class AuditQuery:
    user: Final[str]
    role: Final[str]
    include_refused: Final[bool]
    def matches(self, entry: AuditEntry) -> bool: ...

def apply_changes(model: Model, changes: list[Change]) -> None: ...

class StorageAdapter:
    """Subclass to keep the model elsewhere: implement load, apply, stored_version,
    append_audit and audit (docs/python.md)."""
    def __init__(self) -> None: ...
    version: Final[int]
    def load(self) -> tuple[Model, int]: ...
    def audit(self, user: str = "", role: str = "", include_refused: bool = True) -> list[AuditEntry]: ...
    # Implemented by a Python subclass (called by the Directory):
    def apply(self, change_set: ChangeSet) -> None: ...
    def stored_version(self) -> int: ...
    def append_audit(self, entry: AuditEntry) -> None: ...

class InMemoryStorage(StorageAdapter):
    def __init__(self, model: Model | None = None, version: int = 0, max_audit_entries: int = 0) -> None: ...

class SqliteStore(StorageAdapter):
    @staticmethod
    def open(path: str, create: bool = True) -> SqliteStore: ...
    path: Final[str]
    schema_version: Final[int]

def parse_model_file(json: str, base: Model | None = None, mode: ImportMode = ..., file_name: str = "") -> Model: ...
def read_model_file(path: str, base: Model | None = None, mode: ImportMode = ...) -> Model: ...
def export_model_file(model: Model) -> str: ...
def save_snapshot_file(path: str, model: Model, version: int = 0) -> None: ...
def load_snapshot_file(path: str) -> tuple[Model, int]: ...

class UserMove:
    user: Final[str]
    from_company: Final[str]
    to_company: Final[str]
    records: Final[MoveRecords]
    from_time: Final[int]

class CommitInfo:
    version: Final[int]
    time: Final[int]
    changes: Final[list[Change]]
    moves: Final[list[UserMove]]

class Transaction:
    actor: Final[str]
    base_version: Final[int]
    staged: Final[Model]
    has_changes: Final[bool]
    def changes(self) -> list[Change]: ...
    def preview(self) -> Snapshot: ...
    def commit(self) -> CommitInfo: ...
    def rollback(self) -> None: ...
    def __enter__(self) -> Transaction: ...
    def __exit__(self, type: object, value: object, traceback: object) -> bool: ...
    def add_user(self, user: User) -> None: ...
    def put_user(self, user: User) -> None: ...
    def edit_user(self, id: str, edit: Callable[[User], object]) -> None: ...
    def set_user_role(self, user: str, role: str) -> None: ...
    def set_user_groups(self, user: str, primary: str, others: list[str] = ...) -> None: ...
    def set_user_plan(self, user: str, plan: str) -> None: ...
    def set_user_licences(self, user: str, licences: list[str]) -> None: ...
    def set_can_log_in(self, user: str, can_log_in: bool) -> None: ...
    def move_user(self, user: str, company: str, records: MoveRecords = ..., from_time: int = 0) -> None: ...
    def mark_former_employee(self, user: str) -> None: ...
    def retire_user(self, user: str) -> None: ...
    def delete_user(self, user: str) -> None: ...
    def create_role(self, role: Role) -> None: ...
    def copy_role(self, from_role: str, id: str, name: str = "") -> None: ...
    def rename_role(self, id: str, name: str, description: str = "") -> None: ...
    def put_role(self, role: Role) -> None: ...
    def delete_role(self, id: str, replacement: str) -> None: ...
    def set_data_right(self, role: str, object: str, relation: _RelationLike, rights: _TableRightsLike) -> None: ...
    def set_functional_rights(self, role: str, rights: list[str]) -> None: ...
    def grant_right(self, role: str, right: str) -> None: ...
    def revoke_right(self, role: str, right: str) -> None: ...
    def put_our_company(self, company: OurCompany) -> None: ...
    def remove_our_company(self, id: str) -> None: ...
    def put_group(self, group: Group) -> None: ...
    def remove_group(self, id: str) -> None: ...
    def put_licence(self, licence: Licence) -> None: ...
    def remove_licence(self, id: str) -> None: ...
    def put_plan(self, plan: Plan) -> None: ...
    def remove_plan(self, id: str) -> None: ...
    def put_functional_right(self, right: FunctionalRightDef) -> None: ...
    def remove_functional_right(self, id: str) -> None: ...
    def put_object(self, object: DataObjectDef) -> None: ...
    def remove_object(self, id: str) -> None: ...
    def set_field_rights(self, rules: FieldRightRuleList | list[FieldRightRule]) -> None: ...
    def set_overrides(self, overrides: OverrideList | list[Override]) -> None: ...
    def stage_model(self, model: Model) -> None: ...

class Directory:
    @staticmethod
    def open(storage: StorageAdapter | None = None) -> Directory: ...
    @staticmethod
    def in_memory(model: Model | None = None) -> Directory: ...
    snapshot: Final[Snapshot]
    model: Final[Model]
    version: Final[int]
    storage: Final[StorageAdapter]
    def begin(self, actor: str = "") -> Transaction: ...
    def transaction(self, actor: str = "") -> Transaction: ...
    def audit(self, user: str = "", role: str = "", include_refused: bool = True) -> list[AuditEntry]: ...
    def deleted_roles(self) -> list[Role]: ...
    def refresh(self) -> None: ...

class QueryIndex:
    def __init__(self, snapshot: Snapshot, model: Model | None = None) -> None: ...
    def who_can(self, action: _ActionLike, record: Record) -> list[str]: ...
    def users(self, *, type: str | None = None, role: str | None = None, group: str | None = None,
              company: str | None = None, plan: str | None = None, licence: str | None = None,
              search: str | None = None, active: bool | None = None, offset: int = 0,
              limit: int | None = None) -> list[str]: ...
    def group_members(self, group: str) -> list[str]: ...
    def users_holding(self, right: str) -> list[str]: ...
    def roles_granting(self, right: str, include_hidden: bool = False) -> list[str]: ...
    def role_user_count(self, role: str) -> int: ...
    def role_hidden(self, role: str) -> bool: ...
    def effective_role(self, user: str) -> str | None: ...

def run_policy_tests(snapshot: Snapshot, model: Model, tests_json: str) -> tuple[int, list[tuple[str, str, str]]]: ...

class LicenceUsage:
    licence: Final[str]
    kind: Final[LicenceKind]
    unlimited: Final[bool]
    purchased: Final[int]
    in_use: Final[int]
    users: Final[list[str]]
    available: Final[int]

def licence_usage(model: Model) -> list[LicenceUsage]: ...
@overload
def render_html_report(model: Model, title: str = "sorights model") -> str: ...
@overload
def render_html_report(model: Model, title: str = "sorights model", *, lang: Language | str) -> str: ...

class Language(_Enum):
    EN: ClassVar[Language]
    NO: ClassVar[Language]
    NL: ClassVar[Language]
    DA: ClassVar[Language]

def parse_language(code: str) -> Language | None: ...
def display_name(kind: str, id: str, lang: Language | str = "en") -> str: ...
def builtin_names(kind: str, lang: Language | str = "en") -> list[tuple[str, str]]: ...
def role_display_name(model: Model, id: str, lang: Language | str = "en") -> str: ...

def filter(snapshot: Snapshot, user: str, action: _ActionLike, object: str, records: list[Record]) -> list[bool]: ...
def can_batch(snapshot: Snapshot, user: str, action: _ActionLike, records: list[Record]) -> list[bool]: ...
def rights_batch(snapshot: Snapshot, user: str, records: list[Record]) -> list[TableRights]: ...
def predicate_sql(snapshot: Snapshot, user: str, object: str, action: _ActionLike, at: int | None = None,
                  numbered: bool = False, record_prefix: str | None = None,
                  owner_prefix: str | None = None) -> tuple[str, list[int | str], bool]: ...
