/* -----------------------------------------------------------------------------
 * File: sorights/sorights.h
 * -----------------------------------------------------------------------------
 * The sorights C API: plain C11 over opaque handles. Link `sorights::c`
 * (CMake) or `pkg-config --libs sorights-c`.
 *
 *   - Handles (`sorights_model`, `sorights_snapshot`, `sorights_directory`,
 *     `sorights_transaction`) are created by `*_new` / `*_open` / `*_begin` /
 *     `sorights_compile` and released by the matching `*_free`. Passing NULL
 *     to a `*_free` does nothing.
 *   - Every fallible call returns a `sorights_status`: `SORIGHTS_OK` (0) or an
 *     error code with the same number as `sorights::ErrorCode`. The message of
 *     the last failure on the calling thread is `sorights_last_error_message()`;
 *     a validation failure also lists each problem
 *     (`sorights_last_error_diagnostic`).
 *   - Checks (`sorights_rights`, `sorights_can`, `sorights_has`, ...) are
 *     total, like the C++ ones: an unknown user, object or right is a deny.
 *   - No C++ exception or type crosses this boundary; an unexpected C++
 *     failure (including out of memory) is `SORIGHTS_E_INTERNAL`.
 *   - Strings are UTF-8, NUL-terminated, and borrowed for the call only.
 *     Strings returned through `char**` are freed with `sorights_string_free`.
 *   - Pointers: a pointer argument must not be NULL unless its function's
 *     comment says "may be NULL". A NULL one is SORIGHTS_E_INVALID_ARGUMENT
 *     naming it (fallible calls), a deny / 0 / UNKNOWN (checks, counts and
 *     find_*), or nothing (`*_free`, `_rollback`). Out-parameters (`out`) are
 *     set to NULL (or 0) before anything can fail, so freeing them is always
 *     safe.
 *   - Ids and names passed in (model builders, transactions, user
 *     descriptors) are checked: an id is 1-200 bytes of valid UTF-8 with no
 *     control character, no leading or trailing white space, and not starting
 *     with "("; a name is at most 500 bytes of valid UTF-8 with no control
 *     character. Anything else is SORIGHTS_E_INVALID_ARGUMENT with a message
 *     naming the argument ("invalid user.group ..."). Lookups (find_*) and
 *     checks stay total: an unusable id there is a miss.
 *   - Lifetimes: every handle is independent of the handle it came from. A
 *     snapshot (from sorights_compile or sorights_directory_snapshot) and a
 *     model (from sorights_directory_model) stay valid after the model or
 *     directory they came from is freed. A transaction keeps its directory's
 *     storage open until it is freed, but once its directory handle is freed
 *     every edit and the commit fail with SORIGHTS_E_FAILED_PRECONDITION;
 *     only change_count, rollback and free remain useful.
 *   - Zero is the default for every field of every struct: `{0}` is a valid
 *     user descriptor, and `sorights_record_init` gives the defaults of a record
 *     (whose "no owner" sentinels are not zero).
 *
 * Threads: a snapshot may be queried from any number of threads; a model or
 * transaction belongs to one thread at a time; a directory is thread-safe.
 *
 * Example:
 *
 *     sorights_model* m = NULL;
 *     sorights_model_new(&m);                       // the predefined roles
 *     sorights_model_add_company(m, "acme", "Acme", 1);
 *     sorights_model_add_group(m, "sales", "Sales");
 *     sorights_user_desc alice = {0};
 *     alice.id = "alice"; alice.company = "acme"; alice.role = "level-3"; alice.group = "sales";
 *     sorights_model_add_user(m, &alice);
 *     sorights_snapshot* s = NULL;
 *     if (sorights_compile(m, 0, &s) != SORIGHTS_OK) puts(sorights_last_error_message());
 *     sorights_record sale;
 *     sorights_record_init(&sale);
 *     sale.object = sorights_find_object(s, "sale");
 *     sale.owner = sorights_find_user(s, "alice");
 *     int may = sorights_can(s, sorights_find_user(s, "alice"), SORIGHTS_ACTION_UPDATE, &sale);
 *     sorights_snapshot_free(s);
 *     sorights_model_free(m);
 */
#ifndef SORIGHTS_SORIGHTS_H_
#define SORIGHTS_SORIGHTS_H_

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#  define SORIGHTS_C_API __attribute__((visibility("default")))
#else
#  define SORIGHTS_C_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Version ------------------------------------------------------------- */

/** The version of these declarations: major * 10000 + minor * 100 + patch. */
#define SORIGHTS_C_VERSION 100
/** The version of the library linked (compare with SORIGHTS_C_VERSION). */
SORIGHTS_C_API int sorights_version(void);

/* ---- Status codes: the numbers of sorights::ErrorCode --------------------- */

typedef int sorights_status;
enum {
  SORIGHTS_OK = 0,
  SORIGHTS_E_INVALID_ARGUMENT = 1,    /* bad input: a malformed value or file, a NULL handle */
  SORIGHTS_E_NOT_FOUND = 2,           /* an id that names nothing */
  SORIGHTS_E_ALREADY_EXISTS = 3,      /* a duplicate id */
  SORIGHTS_E_FAILED_PRECONDITION = 4, /* a rule of the model is violated */
  SORIGHTS_E_PERMISSION_DENIED = 5,   /* the actor lacks the right for a change */
  SORIGHTS_E_CONFLICT = 6,            /* a concurrent change won */
  SORIGHTS_E_UNAVAILABLE = 7,         /* storage could not be read or written */
  SORIGHTS_E_DATA_LOSS = 8,           /* stored data is corrupt */
  SORIGHTS_E_INTERNAL = 9             /* a bug, out of memory, or a feature not built in */
};

/** The stable lower-case name of a status, e.g. "not-found"; "unknown" otherwise. */
SORIGHTS_C_API const char* sorights_status_name(sorights_status status);
/** The code of the last failed call on this thread (SORIGHTS_OK after a success
 *  is NOT guaranteed: only failures set it). */
SORIGHTS_C_API sorights_status sorights_last_error_code(void);
/** The one-line message of the last failed call on this thread, followed by
 *  one line per diagnostic; "" if none. Valid until the next failing call on
 *  this thread. */
SORIGHTS_C_API const char* sorights_last_error_message(void);

/** One problem found while validating (see sorights::Diagnostic). */
typedef struct sorights_diagnostic {
  const char* collection; /* "users" */
  const char* item;       /* "alice" */
  const char* field;      /* "group" (may be "") */
  const char* rule;       /* "unknown-group" */
  const char* message;    /* for a person */
} sorights_diagnostic;

/** The number of diagnostics of the last failure on this thread. */
SORIGHTS_C_API size_t sorights_last_error_diagnostic_count(void);
/** Diagnostic `i` of the last failure; the strings stay valid until the next
 *  failing call on this thread. SORIGHTS_E_NOT_FOUND past the end. */
SORIGHTS_C_API sorights_status sorights_last_error_diagnostic(size_t i, sorights_diagnostic* out);

/** Frees a string returned by the API. NULL is fine. */
SORIGHTS_C_API void sorights_string_free(char* s);

/* ---- Vocabulary (same numbers as the C++ enums) --------------------------- */

enum { /* user types */
  SORIGHTS_USER_ASSOCIATE = 0, SORIGHTS_USER_RESOURCE = 1, SORIGHTS_USER_EXTERNAL = 2,
  SORIGHTS_USER_ANONYMOUS = 3, SORIGHTS_USER_SYSTEM = 4
};
enum { /* role types */
  SORIGHTS_ROLE_EMPLOYEE = 0, SORIGHTS_ROLE_EXTERNAL = 1, SORIGHTS_ROLE_ANONYMOUS = 2,
  SORIGHTS_ROLE_SYSTEM = 3
};
enum { /* relations: the columns of a role's data-rights matrix */
  SORIGHTS_REL_OWN = 0, SORIGHTS_REL_PRIMARY_GROUP = 1, SORIGHTS_REL_OTHER_ASSOCIATES = 2,
  SORIGHTS_REL_OTHER_GROUPS = 3, SORIGHTS_REL_EXTERNAL = 4, SORIGHTS_REL_ANONYMOUS = 5,
  SORIGHTS_REL_MY_COMPANY = 6, SORIGHTS_REL_SAME_PROJECT = 7
};
enum { /* actions */
  SORIGHTS_ACTION_READ = 0, SORIGHTS_ACTION_CREATE = 1, SORIGHTS_ACTION_UPDATE = 2,
  SORIGHTS_ACTION_DELETE = 3
};
enum { /* table-right flags (a uint8_t mask) */
  SORIGHTS_SELECT = 1, SORIGHTS_UPDATE = 2, SORIGHTS_INSERT = 4, SORIGHTS_DELETE = 8,
  SORIGHTS_FILTERING = 16, SORIGHTS_RESTRICTED_UPDATE = 32,
  SORIGHTS_CRUD = 15
};
enum { /* field-right flags (a uint8_t mask) */
  SORIGHTS_FIELD_READ = 1, SORIGHTS_FIELD_WRITE = 2, SORIGHTS_FIELD_UI_MANDATORY = 64,
  SORIGHTS_FIELD_UI_READ_ONLY = 128
};
enum { /* a record's "Visible for" */
  SORIGHTS_VISIBLE_ALL = 0, SORIGHTS_VISIBLE_ASSOCIATE = 1, SORIGHTS_VISIBLE_GROUP = 2
};
enum { /* explanation outcomes */
  SORIGHTS_OUTCOME_EVALUATED = 0, SORIGHTS_OUTCOME_NO_SUCH_USER = 1,
  SORIGHTS_OUTCOME_NO_SUCH_OBJECT = 2, SORIGHTS_OUTCOME_INACTIVE_USER = 3,
  SORIGHTS_OUTCOME_SYSTEM_USER = 4
};
enum { /* narrowing layers, in the order they apply */
  SORIGHTS_LAYER_LICENCE = 0, SORIGHTS_LAYER_OTHER_COMPANY = 1, SORIGHTS_LAYER_VISIBILITY = 2,
  SORIGHTS_LAYER_PUBLISHING = 3, SORIGHTS_LAYER_OVERRIDE = 4, SORIGHTS_LAYER_RECORD_STATE = 5,
  SORIGHTS_LAYER_COUNT = 6
};

/* Dense indexes into one snapshot (find_* below). */
typedef uint32_t sorights_user_index;
typedef uint32_t sorights_group_index;
typedef uint32_t sorights_role_index;
typedef uint32_t sorights_company_index;
typedef uint32_t sorights_project_index;
typedef uint32_t sorights_right_index;
typedef uint32_t sorights_field_index;
typedef uint16_t sorights_object_index;

#define SORIGHTS_NO_USER ((sorights_user_index)0xFFFFFFFFu)        /* a record without owner */
#define SORIGHTS_UNKNOWN_USER ((sorights_user_index)0xFFFFFFFEu)   /* a find miss */
#define SORIGHTS_NO_GROUP ((sorights_group_index)0xFFFFFFFFu)
#define SORIGHTS_UNKNOWN_GROUP ((sorights_group_index)0xFFFFFFFEu)
#define SORIGHTS_UNKNOWN_ROLE ((sorights_role_index)0xFFFFFFFEu)
#define SORIGHTS_NO_COMPANY ((sorights_company_index)0xFFFFFFFFu)
#define SORIGHTS_UNKNOWN_COMPANY ((sorights_company_index)0xFFFFFFFEu)
#define SORIGHTS_NO_PROJECT ((sorights_project_index)0xFFFFFFFFu)
#define SORIGHTS_UNKNOWN_PROJECT ((sorights_project_index)0xFFFFFFFEu)
#define SORIGHTS_UNKNOWN_RIGHT ((sorights_right_index)0xFFFFFFFEu)
#define SORIGHTS_UNKNOWN_FIELD ((sorights_field_index)0xFFFFFFFEu)
#define SORIGHTS_UNKNOWN_OBJECT ((sorights_object_index)0xFFFFu)
#define SORIGHTS_TIME_MIN INT64_MIN
#define SORIGHTS_TIME_MAX INT64_MAX

/* ---- Record descriptor ------------------------------------------------------ */

/** What a host knows of one of its records (see sorights::Record). Call
 *  sorights_record_init first: the "none" sentinels are not zero. */
typedef struct sorights_record {
  sorights_object_index object;     /* SORIGHTS_UNKNOWN_OBJECT by default */
  sorights_user_index owner;        /* SORIGHTS_NO_USER = empty owner */
  sorights_group_index group;       /* SORIGHTS_NO_GROUP = the owner's primary group */
  int32_t visibility;               /* SORIGHTS_VISIBLE_* */
  uint32_t visibility_id;           /* group or user index, per `visibility` */
  sorights_project_index project;   /* SORIGHTS_NO_PROJECT */
  sorights_company_index company;   /* SORIGHTS_NO_COMPANY */
  uint64_t id;                      /* sorights_record_key(host id); 0 = none */
  int64_t publish_from;             /* seconds since 1970; SORIGHTS_TIME_MIN = open */
  int64_t publish_to;               /* SORIGHTS_TIME_MAX = open */
  int64_t at;                       /* evaluation time; SORIGHTS_TIME_MIN = now */
  uint8_t published;
  uint8_t completed;
  uint8_t is_new;                   /* not stored yet: Insert matters */
  uint8_t user_person;              /* a person record that is a user */
  uint8_t our_company;              /* a company record that is one of ours */
  uint8_t database_owner;           /* the database-owner company */
} sorights_record;

/** Sets every field of `record` to its default (an existing record of an
 *  unknown object, no owner, visible for all). */
SORIGHTS_C_API void sorights_record_init(sorights_record* record);
/** The stable 64-bit key of a host record id, for record-scoped overrides.
 *  `id` may be NULL (0). */
SORIGHTS_C_API uint64_t sorights_record_key(const char* id);

/* ---- Models (the mutable value types) ----------------------------------------- */

typedef struct sorights_model sorights_model;

/** A user, as plain data. Zero means default for every field. `id` is
 *  required; every other string may be NULL (= ""); an array may be NULL only
 *  with a count of 0, and its items must not be NULL. Every string is checked
 *  as an id (`name` as a name) when passed in. */
typedef struct sorights_user_desc {
  const char* id;
  int32_t type;                      /* SORIGHTS_USER_*; 0 = associate */
  const char* name;
  const char* person;                /* NULL: a person of its own */
  const char* company;
  const char* role;
  const char* group;                 /* primary group */
  const char* const* other_groups;
  size_t other_group_count;
  const char* plan;
  const char* const* licences;
  size_t licence_count;
  const char* const* projects;       /* external users */
  size_t project_count;
  uint8_t login_disabled;            /* "can log in" switched off */
  uint8_t former_employee;
  uint8_t retired;
} sorights_user_desc;

/** A new model holding the twelve predefined roles at their defaults. */
SORIGHTS_C_API sorights_status sorights_model_new(sorights_model** out);
/** A copy of `model` (independent of it). */
SORIGHTS_C_API sorights_status sorights_model_clone(const sorights_model* model, sorights_model** out);
SORIGHTS_C_API void sorights_model_free(sorights_model* model);

/** Adds one of our companies. SORIGHTS_E_ALREADY_EXISTS for a duplicate id.
 *  `name` may be NULL (""). */
SORIGHTS_C_API sorights_status sorights_model_add_company(sorights_model* model, const char* id,
                                                          const char* name, int database_owner);
/** Adds a user group. `name` may be NULL. */
SORIGHTS_C_API sorights_status sorights_model_add_group(sorights_model* model, const char* id,
                                                        const char* name);
/** Declares a host functional right (built-in rights need no declaration).
 *  `name` may be NULL. */
SORIGHTS_C_API sorights_status sorights_model_add_functional_right(sorights_model* model,
                                                                   const char* id, const char* name);
/** Marks a declared right restrictive (non-zero) or not (0): holding it takes
 *  something away, like the built-in hide-... rights, so the system user does
 *  not hold it. SORIGHTS_E_NOT_FOUND if `id` is not declared in the model. */
SORIGHTS_C_API sorights_status sorights_model_set_functional_right_restrictive(sorights_model* model,
                                                                               const char* id, int restrictive);
/** Sets the display name in language `lang` (0 English, 1 Norwegian Bokmal,
 *  2 Dutch, 3 Danish) of entity `id` of `kind` ("roles", "groups",
 *  "our-companies", "functional-rights" (declared ones)): its `names` entry,
 *  shown instead of its name in that language (docs/languages.md). `name`
 *  NULL or "" removes the entry. SORIGHTS_E_NOT_FOUND for an unknown id,
 *  SORIGHTS_E_INVALID_ARGUMENT for another kind or language. */
SORIGHTS_C_API sorights_status sorights_model_set_display_name(sorights_model* model, const char* kind,
                                                               const char* id, int lang, const char* name);
/** The display name of entity `id` of `kind` (as above) in language `lang`:
 *  its `names` entry, else (a predefined role still at its built-in name) the
 *  built-in translation, else its name, else its id. NULL for an unknown
 *  kind, id or language. Points into the model (or static storage): valid
 *  until the model is changed or freed; never free it. */
SORIGHTS_C_API const char* sorights_model_display_name(const sorights_model* model, const char* kind,
                                                       const char* id, int lang);
/** Adds a role of `role_type` (SORIGHTS_ROLE_*). With `copy_of` (may be NULL
 *  or "") it starts with that role's cells and functional rights, else blank.
 *  `name` may be NULL. */
SORIGHTS_C_API sorights_status sorights_model_add_role(sorights_model* model, const char* id,
                                                       const char* name, int role_type,
                                                       const char* copy_of);
/** Sets one cell of a role's matrix: what the role grants on `object`
 *  records in `relation` (SORIGHTS_REL_*), as SORIGHTS_SELECT|... (only the
 *  C/R/U/D bits are kept). Works on predefined roles too. */
SORIGHTS_C_API sorights_status sorights_model_set_role_cell(sorights_model* model, const char* role,
                                                            const char* object, int relation,
                                                            uint8_t rights);
/** Reads one cell into `*out`; 0 when the row is absent. */
SORIGHTS_C_API sorights_status sorights_model_get_role_cell(const sorights_model* model,
                                                            const char* role, const char* object,
                                                            int relation, uint8_t* out);
/** Grants / revokes a functional right to / from a role. */
SORIGHTS_C_API sorights_status sorights_model_grant_right(sorights_model* model, const char* role,
                                                          const char* right);
SORIGHTS_C_API sorights_status sorights_model_revoke_right(sorights_model* model, const char* role,
                                                           const char* right);
/** Adds a user. SORIGHTS_E_ALREADY_EXISTS for a duplicate id; other rules are
 *  checked by sorights_compile. */
SORIGHTS_C_API sorights_status sorights_model_add_user(sorights_model* model,
                                                       const sorights_user_desc* user);
/** Removes a user. SORIGHTS_E_NOT_FOUND if absent. */
SORIGHTS_C_API sorights_status sorights_model_remove_user(sorights_model* model, const char* id);
/** The number of users / roles in the model; 0 for NULL. */
SORIGHTS_C_API size_t sorights_model_user_count(const sorights_model* model);
SORIGHTS_C_API size_t sorights_model_role_count(const sorights_model* model);

/** Parses a model file (docs/model-file.md, "sorights-model/1") from memory: `length`
 *  bytes at `json` (no NUL needed). Needs the storage library:
 *  SORIGHTS_E_INTERNAL if the C API was built without it. */
SORIGHTS_C_API sorights_status sorights_model_from_json(const char* json, size_t length,
                                                        sorights_model** out);
/** Reads a model file from disk. */
SORIGHTS_C_API sorights_status sorights_model_load_file(const char* path, sorights_model** out);
/** Renders `model` as a model file; free `*out` with sorights_string_free. */
SORIGHTS_C_API sorights_status sorights_model_to_json(const sorights_model* model, char** out);

/* ---- Snapshots (compiled, immutable) and checks ------------------------------------ */

typedef struct sorights_snapshot sorights_snapshot;

/** Validates and compiles `model`. On failure *out is NULL and the last error
 *  lists every problem (SORIGHTS_E_FAILED_PRECONDITION or _INVALID_ARGUMENT). */
SORIGHTS_C_API sorights_status sorights_compile(const sorights_model* model, uint64_t version,
                                                sorights_snapshot** out);
SORIGHTS_C_API void sorights_snapshot_free(sorights_snapshot* snapshot);
/** The snapshot's version and user count; 0 for NULL. */
SORIGHTS_C_API uint64_t sorights_snapshot_version(const sorights_snapshot* snapshot);
SORIGHTS_C_API size_t sorights_snapshot_user_count(const sorights_snapshot* snapshot);

/* String id -> index. A miss (or a NULL argument) gives the UNKNOWN sentinel. */
SORIGHTS_C_API sorights_user_index sorights_find_user(const sorights_snapshot* s, const char* id);
SORIGHTS_C_API sorights_group_index sorights_find_group(const sorights_snapshot* s, const char* id);
SORIGHTS_C_API sorights_role_index sorights_find_role(const sorights_snapshot* s, const char* id);
SORIGHTS_C_API sorights_object_index sorights_find_object(const sorights_snapshot* s, const char* id);
SORIGHTS_C_API sorights_right_index sorights_find_right(const sorights_snapshot* s, const char* id);
SORIGHTS_C_API sorights_company_index sorights_find_company(const sorights_snapshot* s, const char* id);
SORIGHTS_C_API sorights_project_index sorights_find_project(const sorights_snapshot* s, const char* id);
SORIGHTS_C_API sorights_field_index sorights_find_field(const sorights_snapshot* s, const char* id);

/** Copies the id of user `user` into `buf` (NUL-terminated, truncated to
 *  `size`) and returns its full length, as snprintf does; 0 if unknown.
 *  `buf` may be NULL when `size` is 0 (to learn the length); `s` may be NULL
 *  (0). */
SORIGHTS_C_API size_t sorights_user_id(const sorights_snapshot* s, sorights_user_index user,
                                       char* buf, size_t size);
/** The role of `user`, or SORIGHTS_UNKNOWN_ROLE (also for a NULL `s`). */
SORIGHTS_C_API sorights_role_index sorights_user_role(const sorights_snapshot* s,
                                                      sorights_user_index user);

/* The checks below are total: a NULL `s` or `record` is a deny (0). */

/** What `user` may do with `record`: a mask of SORIGHTS_SELECT, ... Total. */
SORIGHTS_C_API uint8_t sorights_rights(const sorights_snapshot* s, sorights_user_index user,
                                       const sorights_record* record);
/** 1 if `user` may do `action` (SORIGHTS_ACTION_*) to `record`, else 0. Total. */
SORIGHTS_C_API int sorights_can(const sorights_snapshot* s, sorights_user_index user, int action,
                                const sorights_record* record);
/** 1 if `user` holds functional right `right`, else 0. Total. */
SORIGHTS_C_API int sorights_has(const sorights_snapshot* s, sorights_user_index user,
                                sorights_right_index right);
/** The field right: a mask of SORIGHTS_FIELD_*. Total. */
SORIGHTS_C_API uint8_t sorights_field_rights(const sorights_snapshot* s, sorights_user_index user,
                                             const sorights_record* record,
                                             sorights_field_index field);

/** One narrowing layer's effect. */
typedef struct sorights_layer_effect {
  int32_t layer;    /* SORIGHTS_LAYER_* */
  uint8_t applied;  /* the layer had something to say */
  uint8_t removed;  /* bits it took away */
  uint8_t added;    /* Filtering for a hidden follow-up; RestrictedUpdate */
  uint8_t after;    /* the mask after the layer */
} sorights_layer_effect;

/** Why a check came out as it did (see sorights::Explanation). */
typedef struct sorights_explanation {
  int32_t outcome;          /* SORIGHTS_OUTCOME_* */
  int32_t inactive_reason;  /* 0 none, 1 retired, 2 former employee, 3 login off, 4 resource */
  int32_t action;
  sorights_user_index user;
  sorights_object_index object;
  int32_t relation;         /* SORIGHTS_REL_* found */
  sorights_role_index role; /* the role whose cell was read */
  uint8_t cell;             /* the role cell before any layer */
  uint8_t rights;           /* the final mask (= sorights_rights) */
  uint8_t allowed;          /* = sorights_can */
  sorights_layer_effect layers[SORIGHTS_LAYER_COUNT];
} sorights_explanation;

/** Fills `out` with the account of one check. Total (never fails): a NULL
 *  `s` or `record` gives a "no such user" account; a NULL `out` does nothing. */
SORIGHTS_C_API void sorights_explain(const sorights_snapshot* s, sorights_user_index user, int action,
                                     const sorights_record* record, sorights_explanation* out);
/** The same, rendered as text, one fact per line (`*out` freed with
 *  sorights_string_free); with `reason_only`, the one-line reason instead.
 *  Unlike sorights_explain, a NULL `s` or `record` is an error. */
SORIGHTS_C_API sorights_status sorights_explain_text(const sorights_snapshot* s,
                                                     sorights_user_index user, int action,
                                                     const sorights_record* record,
                                                     int reason_only, char** out);
/** "Select|Update", "None", ...: copies into `buf` like snprintf; returns the
 *  full length. `buf` may be NULL when `size` is 0. */
SORIGHTS_C_API size_t sorights_rights_to_string(uint8_t rights, char* buf, size_t size);

/* ---- Queries: the admin's questions (sorights/queries.hpp) ------------------------ */

typedef struct sorights_query_index sorights_query_index;

/** Builds the index that answers the queries below for snapshot `s`. `model`
 *  (may be NULL) is the model `s` was compiled from: it gives names (search),
 *  plans, licences and role types; without it those filters match nobody.
 *  SORIGHTS_E_INVALID_ARGUMENT when the model's users are not the snapshot's.
 *  The index keeps the snapshot alive; `s` and `model` may be freed
 *  afterwards. Cold (about as long as a compile). A query index may be used
 *  from any number of threads. */
SORIGHTS_C_API sorights_status sorights_query_index_build(const sorights_snapshot* s,
                                                          const sorights_model* model,
                                                          sorights_query_index** out);
SORIGHTS_C_API void sorights_query_index_free(sorights_query_index* q);

/* The calls below write user indexes in id order into `out[0..capacity)`
 * (`out` may be NULL when `capacity` is 0) and return how many users there
 * are in all; a NULL `q` (or `record`) gives 0. Each allocates one scratch
 * bitset (users / 4 bytes) per call. */

/** Every user for whom sorights_can(s, user, action, record) is 1. */
SORIGHTS_C_API size_t sorights_who_can(const sorights_query_index* q, int action,
                                       const sorights_record* record, sorights_user_index* out,
                                       size_t capacity);
/** Every user for whom sorights_has(s, user, right) is 1. */
SORIGHTS_C_API size_t sorights_users_holding(const sorights_query_index* q, sorights_right_index right,
                                             sorights_user_index* out, size_t capacity);
/** Every user whose primary or other group is `group` (inactive users too). */
SORIGHTS_C_API size_t sorights_group_members(const sorights_query_index* q, sorights_group_index group,
                                             sorights_user_index* out, size_t capacity);
/** The number of users whose effective role is `role` (the implied role of
 *  system and anonymous users included; inactive users too); 0 for NULL. */
SORIGHTS_C_API size_t sorights_role_user_count(const sorights_query_index* q, sorights_role_index role);
/** 1 for a role listings hide unless asked (type system), else 0. */
SORIGHTS_C_API int sorights_role_hidden(const sorights_query_index* q, sorights_role_index role);

#define SORIGHTS_USER_TYPE_MASK(t) ((uint8_t)(1u << (t))) /* t: 0 associate .. 4 system */
#define SORIGHTS_OTHER_USERS ((uint8_t)0x18)              /* anonymous and system users */
#define SORIGHTS_ACTIVE_ANY 0
#define SORIGHTS_ACTIVE_ONLY 1
#define SORIGHTS_INACTIVE_ONLY 2

/** Which users sorights_list_users returns; `{0}` matches everyone. String
 *  members are ids (NULL or "" for any); they combine with AND. */
typedef struct sorights_user_filter {
  uint8_t types;        /* SORIGHTS_USER_TYPE_MASK bits; 0 = all types */
  const char* role;     /* the effective role */
  const char* group;    /* primary or other group */
  const char* company;
  const char* plan;
  const char* licence;  /* assigned, through the plan, or a site licence */
  const char* search;   /* a case-insensitive part of the id or the name */
  int active;           /* SORIGHTS_ACTIVE_ANY, _ONLY, SORIGHTS_INACTIVE_ONLY */
} sorights_user_filter;

/** The users matching `filter` in id order: skips `offset` of them, writes the
 *  next ones into `out[0..capacity)` and sets `*total` (may be NULL) to the
 *  number of matches. SORIGHTS_E_NOT_FOUND naming an unknown role, group,
 *  company, plan or licence. */
SORIGHTS_C_API sorights_status sorights_list_users(const sorights_query_index* q,
                                                   const sorights_user_filter* filter, size_t offset,
                                                   sorights_user_index* out, size_t capacity,
                                                   size_t* total);

/* ---- Batch filter, reports and policy tests ---------------------------------------- */

/** The batch filter (sorights/filter.hpp): for `records[0..count)` (their
 *  `object` is ignored: all are of `object`; the `at` of the first counts for
 *  all), sets bit i of `out_bits` (`words` 64-bit words, at least
 *  (count + 63) / 64) when `user` may do `action` to record i, exactly as
 *  sorights_can. Returns the number allowed; 0 (and no bits) for a NULL
 *  argument or too small `out_bits`. Allocates column buffers per call. */
SORIGHTS_C_API size_t sorights_filter(const sorights_snapshot* s, sorights_user_index user,
                                      sorights_object_index object, int action,
                                      const sorights_record* records, size_t count,
                                      uint64_t* out_bits, size_t words);
/** The batch form of sorights_can (sorights::can_batch): for
 *  `records[0..count)`, of any objects and evaluation times, sets bit i of
 *  `out_bits` (`words` 64-bit words, at least (count + 63) / 64; bits past
 *  `count` in the last word are 0) exactly when sorights_can(s, user, action,
 *  &records[i]) is 1. Returns the number allowed; 0 and no bits for a NULL
 *  argument, an invalid action or too small `out_bits`. Allocates nothing. */
SORIGHTS_C_API size_t sorights_can_batch(const sorights_snapshot* s, sorights_user_index user, int action,
                                         const sorights_record* records, size_t count,
                                         uint64_t* out_bits, size_t words);
/** The batch form of sorights_rights (sorights::rights_batch): for
 *  `records[0..count)`, of any objects and evaluation times, writes
 *  sorights_rights(s, user, &records[i]) to out[i] (`capacity` bytes, at
 *  least `count`). Returns the number of records with any right; 0, and
 *  `capacity` zero bytes, for a NULL argument or too small `out`. Allocates
 *  nothing. */
SORIGHTS_C_API size_t sorights_rights_batch(const sorights_snapshot* s, sorights_user_index user,
                                            const sorights_record* records, size_t count, uint8_t* out,
                                            size_t capacity);
/** A rendered SQL WHERE fragment and its parameters (sorights/predicate.hpp). */
typedef struct sorights_sql sorights_sql;
/** The rule for stored records of `object` that `user` may do `action` to, at
 *  `at` (seconds since 1970; INT64_MIN = now), as a parameterized WHERE
 *  fragment: `?` placeholders, or `$1, $2, ...` with `numbered`. The prefixes
 *  (may be NULL) qualify the record columns and the owner-table columns as
 *  ColumnMapping::with_prefix does; both NULL: the default column names. */
SORIGHTS_C_API sorights_status sorights_predicate_sql(const sorights_snapshot* s, sorights_user_index user,
                                                      sorights_object_index object, int action, int64_t at,
                                                      int numbered, const char* record_prefix,
                                                      const char* owner_prefix, sorights_sql** out);
SORIGHTS_C_API void sorights_sql_free(sorights_sql* sql);
/** The fragment's text; "" for NULL. Valid until sorights_sql_free. */
SORIGHTS_C_API const char* sorights_sql_text(const sorights_sql* sql);
/** 0 when a record-scoped override on a non-decimal id could not be expressed
 *  (the SQL may then return a few rows sorights_can denies), else 1. */
SORIGHTS_C_API int sorights_sql_exact(const sorights_sql* sql);
/** The parameters, in placeholder order: each an integer or a text id. */
SORIGHTS_C_API size_t sorights_sql_param_count(const sorights_sql* sql);
SORIGHTS_C_API int sorights_sql_param_is_text(const sorights_sql* sql, size_t i);
/** The integer parameter i (0 if it is text or out of range). */
SORIGHTS_C_API int64_t sorights_sql_param_int(const sorights_sql* sql, size_t i);
/** The text parameter i (NULL if it is an integer or out of range). */
SORIGHTS_C_API const char* sorights_sql_param_text(const sorights_sql* sql, size_t i);

/** One self-contained HTML page of `model` (roles, users, licence usage);
 *  `title` may be NULL. `*out` is freed with sorights_string_free. */
SORIGHTS_C_API sorights_status sorights_render_html_report(const sorights_model* model,
                                                           const char* title, char** out);
/** The HTML page in language `lang` (0 English, 1 Norwegian Bokmal, 2 Dutch,
 *  3 Danish; see sorights_parse_language): its `lang` attribute, headings,
 *  tabs, legend and built-in names. Another `lang` is
 *  SORIGHTS_E_INVALID_ARGUMENT. */
SORIGHTS_C_API sorights_status sorights_render_html_report_in(const sorights_model* model,
                                                              const char* title, int lang,
                                                              char** out);
/** The usage of one licence (sorights_licence_usage). Every string is owned
 *  by the row and freed by sorights_licence_usage_free. */
typedef struct sorights_licence_usage_row {
  char* licence;          /* the licence id */
  int site;               /* non-zero for a site licence (held by every active user) */
  int unlimited;          /* non-zero when any number of users may hold it (a site licence, or a user licence without a cap) */
  uint32_t purchased;     /* seats bought (restricted user licences) */
  uint32_t in_use;        /* holders; retired users and former employees excluded */
  uint32_t available;     /* purchased minus in use; 0 when over-assigned */
  char** users;           /* the holders' ids, in model order */
  size_t user_count;
} sorights_licence_usage_row;
/** The licence report: one row per licence of `model`, in model order, into
 *  `*rows` (`*count` of them; NULL and 0 for a model without licences). Free
 *  with sorights_licence_usage_free. No pointer may be NULL. */
SORIGHTS_C_API sorights_status sorights_licence_usage(const sorights_model* model,
                                                      sorights_licence_usage_row** rows, size_t* count);
/** Frees what sorights_licence_usage returned; NULL is allowed. */
SORIGHTS_C_API void sorights_licence_usage_free(sorights_licence_usage_row* rows, size_t count);
/** Runs the policy tests of a test file or model file (`json[0..length)`)
 *  against `s`, compiled from `model`. `*passed` and `*failed` (either may be
 *  NULL) get the counts; `*report` (may be NULL) the failures, one
 *  "FAIL name: expected E, got A" line each (freed with
 *  sorights_string_free). A bad file or an unknown id is an error listing
 *  every problem. Needs the storage library. */
SORIGHTS_C_API sorights_status sorights_run_policy_tests(const sorights_snapshot* s,
                                                         const sorights_model* model,
                                                         const char* json, size_t length,
                                                         size_t* passed, size_t* failed,
                                                         char** report);

/* ---- Directory and transactions (the audited, mutable side) ------------------------ */

typedef struct sorights_directory sorights_directory;
typedef struct sorights_transaction sorights_transaction;

/** Opens a directory over in-memory storage holding a copy of `initial` (may
 *  be NULL: the predefined roles only) at version 0; `initial` may be freed
 *  afterwards. SORIGHTS_E_INTERNAL if the library was built without the
 *  directory. */
SORIGHTS_C_API sorights_status sorights_directory_open_memory(const sorights_model* initial,
                                                              sorights_directory** out);
/** Opens a directory over a SQLite store at `path` (created if missing). Needs
 *  the storage library (SORIGHTS_E_INTERNAL without it). `path` is passed to
 *  the file system as is (it is not checked as an id). */
SORIGHTS_C_API sorights_status sorights_directory_open_sqlite(const char* path,
                                                              sorights_directory** out);
/** Frees a directory handle. Snapshots and models obtained from it stay valid.
 *  A transaction begun on it keeps the directory's storage open until the
 *  transaction is freed, but refuses every edit and the commit from now on
 *  (SORIGHTS_E_FAILED_PRECONDITION): free it. */
SORIGHTS_C_API void sorights_directory_free(sorights_directory* directory);
/** The published version; 0 for NULL. */
SORIGHTS_C_API uint64_t sorights_directory_version(const sorights_directory* directory);
/** The current snapshot; it stays valid (and unchanged) after later commits
 *  and after the directory is freed, until it is freed itself. */
SORIGHTS_C_API sorights_status sorights_directory_snapshot(const sorights_directory* directory,
                                                           sorights_snapshot** out);
/** A copy of the current model (independent of the directory). */
SORIGHTS_C_API sorights_status sorights_directory_model(const sorights_directory* directory,
                                                        sorights_model** out);

/** Starts a transaction acting as user `actor` (may be NULL or "": the
 *  built-in system actor). SORIGHTS_E_NOT_FOUND for an unknown actor. The
 *  transaction works only while `directory` is not freed (see
 *  sorights_directory_free).
 *
 *  The edits below (put_*, set_*, delete_user, copy_role, stage_model) and
 *  the commit fail with SORIGHTS_E_INVALID_ARGUMENT for a NULL `tx` or
 *  argument (unless noted) or an invalid id or name, and with
 *  SORIGHTS_E_FAILED_PRECONDITION once the transaction's directory handle has
 *  been freed; a failed edit stages nothing. */
SORIGHTS_C_API sorights_status sorights_transaction_begin(sorights_directory* directory,
                                                          const char* actor,
                                                          sorights_transaction** out);
/** Frees a transaction; an uncommitted one is rolled back. Safe before or
 *  after its directory handle is freed. */
SORIGHTS_C_API void sorights_transaction_free(sorights_transaction* tx);
/** Adds or replaces a user. */
SORIGHTS_C_API sorights_status sorights_transaction_put_user(sorights_transaction* tx,
                                                             const sorights_user_desc* user);
/** Adds or replaces a group / one of our companies. `name` may be NULL. */
SORIGHTS_C_API sorights_status sorights_transaction_put_group(sorights_transaction* tx,
                                                              const char* id, const char* name);
SORIGHTS_C_API sorights_status sorights_transaction_put_company(sorights_transaction* tx,
                                                                const char* id, const char* name,
                                                                int database_owner);
SORIGHTS_C_API sorights_status sorights_transaction_set_user_role(sorights_transaction* tx,
                                                                  const char* user, const char* role);
SORIGHTS_C_API sorights_status sorights_transaction_delete_user(sorights_transaction* tx,
                                                                const char* user);
/** Copies role `from` into a new role `id`; `name` may be NULL. */
SORIGHTS_C_API sorights_status sorights_transaction_copy_role(sorights_transaction* tx,
                                                              const char* from, const char* id,
                                                              const char* name);
/** Sets one data-right cell of a role. */
SORIGHTS_C_API sorights_status sorights_transaction_set_data_right(sorights_transaction* tx,
                                                                   const char* role,
                                                                   const char* object, int relation,
                                                                   uint8_t rights);
/** Replaces the functional rights of a role with `rights[0..count)`.
 *  `rights` may be NULL when `count` is 0; no item may be NULL. */
SORIGHTS_C_API sorights_status sorights_transaction_set_functional_rights(
    sorights_transaction* tx, const char* role, const char* const* rights, size_t count);
/** Replaces the whole staged model with a copy of `model` (e.g. one loaded
 *  from a model file); `model` may be freed afterwards. Its ids are checked
 *  by the commit's validation, not here. */
SORIGHTS_C_API sorights_status sorights_transaction_stage_model(sorights_transaction* tx,
                                                                const sorights_model* model);
/** The number of changed entities staged so far; 0 for NULL. */
SORIGHTS_C_API size_t sorights_transaction_change_count(const sorights_transaction* tx);
/** Validates, authorizes (the actor's rights), writes and publishes the staged
 *  changes, all or nothing. `version_out` (may be NULL) receives the new
 *  version, or 0 on failure. On failure nothing changes and the transaction
 *  keeps its edits. */
SORIGHTS_C_API sorights_status sorights_transaction_commit(sorights_transaction* tx,
                                                           uint64_t* version_out);
/** Drops every staged change. NULL does nothing; works after the directory
 *  handle is freed. */
SORIGHTS_C_API void sorights_transaction_rollback(sorights_transaction* tx);

/* -- Display names (sorights/names.hpp; bindings/c/names_c.cpp) ------------
 * Languages: 0 English, 1 Norwegian Bokmal, 2 Dutch, 3 Danish. Kinds:
 * "roles", "functional-rights", "objects", "relations", "user-types",
 * "levels", "tabs". Every returned string is static and NUL-terminated: never
 * free it. No call allocates; all are thread-safe. */
/** The language of `code` ("en", "no", "nb", "nl", "da", any letter case), or
 *  -1 for anything else or NULL. */
SORIGHTS_C_API int sorights_parse_language(const char* code);
/** How many built-ins `kind` has; 0 for an unknown kind or NULL. */
SORIGHTS_C_API size_t sorights_builtin_name_count(const char* kind);
/** The id of built-in number `i` of `kind` (display order); NULL past the
 *  end or for an unknown kind. */
SORIGHTS_C_API const char* sorights_builtin_name_id(const char* kind, size_t i);
/** The display name of built-in `id` of `kind` in language `lang`; NULL when
 *  `kind` or `id` is unknown or NULL, or `lang` is not 0-3. */
SORIGHTS_C_API const char* sorights_builtin_display_name(const char* kind, const char* id, int lang);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SORIGHTS_SORIGHTS_H_ */
