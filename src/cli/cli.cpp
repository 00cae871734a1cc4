// The `sorights` command line (docs/cli.md, which states its contract), as
// the library sorights_cli_lib: main.cpp and the CLI fuzz target call run().
//
// Exit status: 0 success (and `allow`), 1 `deny` (check, has), 2 any error
// (message on stderr; nothing changed).
#include "cli.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "files.hpp"
#include "key_file.hpp"
#include "query_commands.hpp"
#include "serve.hpp"
#include "sorights/directory.hpp"
#include "sorights/ids.hpp"
#include "sorights/names.hpp"
#include "sorights/storage/model_file.hpp"
#include "sorights/report.hpp"
#include "sorights/snapshot.hpp"
#include "sorights/storage/sqlite_store.hpp"

namespace sorights::cli {
namespace {

// -- Usage texts -------------------------------------------------------------------

constexpr const char* kUsage = R"(usage: sorights [--db FILE] [--key-file FILE] [--as USER] COMMAND [ARGS] [OPTIONS]

Global options (before or after the command name):
  --db FILE        the store (SQLite); default ./sorights.db
  --key-file FILE  the store's integrity key (tamper evidence); default
                   $SORIGHTS_KEY_FILE. With a key, a new store is signed
                   and a signed store is checked whole before it is used
  --as USER        the actor of commands that change the store; default the
                   store's built-in system user
  --lang CODE      the language of display names: en, no (or nb), nl, da;
                   default $SORIGHTS_LANG, else en. Ids stay as they are
  --max-model-bytes N
                   the largest model file `import` reads; default 67108864 (64 MiB)
  -h, --help       this text; `sorights COMMAND --help` for one command

Commands:
  init                                  create a store with the predefined roles
  import MODEL.json [--replace]         validate and apply a model file
  export                                print the stored model as a model file
  names [KIND]                          built-in display names (id<TAB>name)
  check USER ACTION OBJECT [record]     allow or deny, with the reason (exit 0/1)
  rights USER OBJECT [record]           the table-right mask
  explain USER ACTION OBJECT [record]   how the decision was reached
  has USER FUNCTIONAL_RIGHT             allow or deny, with the reason (exit 0/1)
  field USER OBJECT FIELD [record]      the field right
  who-can ACTION OBJECT [record]        every user the check would allow, by id
  who-has FUNCTIONAL_RIGHT              every user holding the right, by id
  test FILE                             run the policy tests of a model or test file
  audit                                 the audit trail, oldest first
  user add|edit|retire|former|delete|list
  role add|copy|rename|delete|set-right|grant|revoke|list|show
  group add|delete|list
  company add|delete|list
  licence usage
  report --html FILE                    one self-contained HTML page of the model
  verify                                check the store's integrity; prints ok
  serve [--port N] [--bind ADDR]        the admin web console (docs/console.md)

ACTION is read, create, update or delete. Exit status: 0 success or allow,
1 deny, 2 any error (the message is on standard error; nothing is changed).
)";

constexpr const char* kRecordHelp = R"(
Record options (describe the host's record):
  --owner USER            the record's owner (default: none)
  --group GROUP           the record's group (default: the owner's primary group)
  --visible-for all|group:GROUP|associate:USER
  --published             the record is published (external users)
  --publish-from DATE     start of the publish window (ISO date or date-time)
  --publish-to DATE       end of the publish window; a date alone covers the whole day
  --completed             a completed sale or request
  --project P             the record belongs to project P
  --company C             the record is about company C
  --at DATE               evaluation time (default: now)
  --new                   a record not yet stored (Insert is what matters)
  --record-id ID          the record's id (for record-scoped overrides)
  --user-person           a person record that is a user
  --our-company           a company among our companies
  --database-owner        the database-owner company
Dates without an offset are UTC. Project and company ids need not be known to
the store (records name any company or project); every other id must be.
)";

const std::map<std::string, std::string, std::less<>>& command_help() {
  static const std::map<std::string, std::string, std::less<>> kHelp = {
      {"init", "usage: sorights [--db FILE] init\n\nCreates a store holding the predefined roles and the built-in\n"
               "catalog at version 0. Fails if FILE exists already.\n"},
      {"import",
       "usage: sorights [--db FILE] [--as USER] import MODEL.json [--replace]\n\n"
       "Validates the model file and applies it in one transaction. Each entity the\n"
       "file names is created or replaced (a role entry edits the role: each named\n"
       "data_rights cell replaces the stored one, a functional_rights list replaces\n"
       "the stored list); the rest is kept. With --replace the store becomes equal to\n"
       "the file: entities missing from it are removed and predefined roles missing\n"
       "from it return to their defaults. A store that does not exist yet is\n"
       "initialized first. Every problem is reported as FILE: PATH: MESSAGE.\n"},
      {"export", "usage: sorights [--db FILE] export\n\nPrints the stored model as a model file (sorights-model/1).\n"},
      {"check", std::string("usage: sorights [--db FILE] check USER ACTION OBJECT [record options]\n\n"
                            "Prints `allow REASON` (exit 0) or `deny REASON` (exit 1).\n") +
                    kRecordHelp},
      {"rights", std::string("usage: sorights [--db FILE] rights USER OBJECT [record options]\n\n"
                             "Prints the table-right mask: Select|Update|Insert|Delete|Filtering|\n"
                             "RestrictedUpdate (those held, in that order) or None.\n") +
                     kRecordHelp},
      {"explain", std::string("usage: sorights [--db FILE] explain USER ACTION OBJECT [record options]\n\n"
                              "Prints one fact per line: the user, the relation found, the role cell and\n"
                              "what it grants, each narrowing layer and what it removed, the decision,\n"
                              "and last the final mask. Exit 0.\n") +
                      kRecordHelp},
      {"has", "usage: sorights [--db FILE] has USER FUNCTIONAL_RIGHT\n\n"
              "Prints `allow REASON` (exit 0) or `deny REASON` (exit 1).\n"},
      {"field", std::string("usage: sorights [--db FILE] field USER OBJECT FIELD [record options]\n\n"
                            "Prints Read|Write, Read, Write or None, then UIHintMandatory and\n"
                            "UIHintReadOnly where they apply. A field without rules follows the table\n"
                            "right, so any field name is accepted.\n") +
                    kRecordHelp},
      {"audit", "usage: sorights [--db FILE] audit [--user USER] [--role ROLE]\n\n"
                "Prints the audit trail, oldest first, one change set a line:\n"
                "VERSION TIME ACTOR WHAT. A refused change says `refused: WHY`. The built-in\n"
                "system actor shows as (system).\n"},
      {"user",
       "usage: sorights [--db FILE] [--as USER] user SUBCOMMAND ...\n\n"
       "  user add ID [user options]     add a user\n"
       "  user edit ID [user options]    change the options given, keep the rest\n"
       "  user retire ID                 retire (no rights; licences freed)\n"
       "  user former ID                 mark a former employee (plan and login removed)\n"
       "  user delete ID                 remove the user\n"
       "  user list [--type TYPE|other] [--role R] [--group G] [--company C] [--plan P]\n"
       "            [--licence L] [--search TEXT] [--active|--inactive]   (user list --help)\n\n"
       "User options: --type associate|resource|external|anonymous|system, --name N,\n"
       "  --company C, --role R, --group G, --other-groups G1,G2, --plan P (\"\" for none),\n"
       "  --licences L1,L2, --projects P1,P2, --person P, --can-log-in yes|no\n"},
      {"role",
       "usage: sorights [--db FILE] [--as USER] role SUBCOMMAND ...\n\n"
       "  role add ID [--name N] [--type employee|external|anonymous] [--description D]\n"
       "  role copy FROM ID [--name N]                  a new role with FROM's rights\n"
       "  role rename ID NAME [--description D]      with --lang CODE: the name in that language\n"
       "  role delete ID --replacement ROLE             its users get ROLE\n"
       "  role set-right ROLE OBJECT RELATION LETTERS   one data-rights cell (e.g. CRUD, R, \"\")\n"
       "  role grant ROLE FUNCTIONAL_RIGHT\n"
       "  role revoke ROLE FUNCTIONAL_RIGHT\n"
       "  role list [--all]\n"
       "  role show ID                                  the data-rights grid and functional rights\n"},
      {"group", "usage: sorights [--db FILE] [--as USER] group add ID [--name N] | delete ID | list\n"},
      {"company",
       "usage: sorights [--db FILE] [--as USER] company add ID [--name N] [--database-owner] | delete ID | list\n\n"
       "Our companies: the companies that may own users.\n"},
      {"names",
       "usage: sorights [--lang CODE] names [KIND]\n\n"
       "The built-in display names in the language of --lang, one id<TAB>name a\n"
       "line. KIND: roles, functional-rights, objects, relations, user-types,\n"
       "levels, tabs; without KIND every kind, each under a `# KIND` line.\n"},
      {"report",
       "usage: sorights [--db FILE] [--lang CODE] report --html FILE\n\n"
       "Writes one self-contained HTML page (no scripts, no external files) showing\n"
       "each role's data-rights grid coloured by level, the functional rights per\n"
       "role, the users by role, group and company, and licence usage.\n"},
      {"verify",
       "usage: sorights [--db FILE] [--key-file FILE] verify\n\n"
       "Checks the store's integrity: that its schema holds only what sorights\n"
       "creates (no trigger, view or other table or index), and with the key every\n"
       "row's MAC, the audit chain and the seal; then that every row and audit\n"
       "entry can be read. Prints ok (exit 0), or names the first bad item on\n"
       "standard error (exit 2). A signed store needs its key.\n"},
      {"serve",
       "usage: sorights [--db FILE] [--as USER] serve [--port N] [--bind ADDR]\n\n"
       "The admin web console on the store (default 127.0.0.1, port 8080; port 0\n"
       "picks a free one). Prints its URL with a one-time access token on standard\n"
       "output; changes act as --as USER (default the built-in system user) and are\n"
       "judged and audited like the other commands. Stops on SIGINT or SIGTERM.\n"},
      {"licence", "usage: sorights [--db FILE] licence usage\n\n"
                  "Per licence: in use and available, and the users who hold it.\n"},
  };
  return kHelp;
}

// -- Global state ------------------------------------------------------------------

struct Globals {
  std::string db = "sorights.db";
  KeyBytes key;  // the integrity key; empty: none
  std::optional<std::string> actor;
  std::uint64_t max_model_bytes = kDefaultMaxModelFileBytes;  // --max-model-bytes N
  Language lang = Language::kEn;   // --lang, else $SORIGHTS_LANG, else en
  bool lang_given = false;         // --lang was on the command line (role rename sets names[lang])
  std::ostream* out = &std::cout;  // what the command prints
  std::ostream* err = &std::cerr;  // errors, warnings, progress
};

// What `group list` and `company list` show as the name: the display name in
// `lang` (names.hpp), or nothing for an entity with no name at all.
template <class E>
std::string_view listed_name(const E& e, Language lang) {
  const std::string_view shown = display_name(e, lang, &e.names);
  return e.name.empty() && shown == e.id ? std::string_view() : shown;
}

// `s` left-aligned in `width` columns (printf's %-16s).
std::string pad(std::string_view s, std::size_t width = 16) {
  std::string p(s);
  if (p.size() < width) p.append(width - p.size(), ' ');
  return p;
}

// Progress of a long import (stderr, only when it is a terminal).
struct Progress {
  std::size_t total = 0;
  std::size_t done = 0;
  bool active = false;
  int last_percent = -1;
  std::ostream* err = &std::cerr;
  void tick() {
    if (!active || total == 0) return;
    ++done;
    const int percent = static_cast<int>(done * 100 / total);
    if (percent == last_percent) return;
    last_percent = percent;
    const int width = 30;
    const int filled = percent * width / 100;
    const std::string p = std::to_string(percent);
    *err << "\rwriting " << total << " changes [" << std::string(static_cast<std::size_t>(filled), '#')
         << std::string(static_cast<std::size_t>(width - filled), ' ') << "] "
         << std::string(p.size() < 3 ? 3 - p.size() : 0, ' ') << p << "%";
    if (done == total) *err << "\n";
    err->flush();
  }
};
Progress g_progress;

[[noreturn]] void fail(const Error& e, const std::string& context = {}) {
  std::vector<std::string> details;
  for (const Diagnostic& d : e.diagnostics) details.push_back(d.rule.empty() ? d.to_string() : "[" + d.rule + "] " + d.to_string());
  throw CliError((context.empty() ? "" : context + ": ") + e.message, std::move(details));
}

// How a command uses the store.
enum class Access {
  kRead,    // never writes: a store this process may not write is opened read-only
  kWrite,   // changes an existing store
  kCreate,  // builds a new store (only ever a temporary file, see TempFile)
};

std::shared_ptr<SqliteStore> open_store_at(const Globals& g, const std::string& path, Access access) {
  SqliteStoreOptions options;
  options.create = access == Access::kCreate;
  options.integrity_key = g.key.bytes();  // the store wipes its copy
  options.on_change_written = [](std::size_t) { g_progress.tick(); };
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (access == Access::kWrite && exists && !store_writable(path))
    throw CliError(path + ": the store is read-only for this user (it or its directory is not writable); "
                          "nothing changed");
  // A reader opens the store read-only unless it could write it: SQLite then
  // removes its -wal/-shm files at close, which a read-only connection
  // cannot. Either way nothing in the store is written.
  if (access == Access::kRead && exists && !store_writable(path)) options.read_only = true;
  auto store = SqliteStore::open(path, std::move(options));
  if (!store) fail(store.error());
  return std::shared_ptr<SqliteStore>(std::move(*store).release());
}

std::shared_ptr<SqliteStore> open_store(const Globals& g, Access access) { return open_store_at(g, g.db, access); }

std::shared_ptr<Directory> open_directory(const std::shared_ptr<SqliteStore>& store) {
  auto dir = Directory::open(store);
  if (!dir) fail(dir.error(), store->path() + ": the stored model cannot be opened");
  return *dir;
}

void need(const Args& a, std::size_t n, std::string_view command, std::string_view what) {
  if (a.positional.size() < n)
    throw CliError(std::string(command) + ": missing " + std::string(what) + " (see sorights " +
                   std::string(command.substr(0, command.find(' '))) + " --help)");
  if (a.positional.size() > n)
    throw CliError(std::string(command) + ": unexpected argument " + quote_id(a.positional[n]));
}

// -- Committing ------------------------------------------------------------------

std::string plural(std::size_t n, std::string_view word) {
  std::string w(word);
  if (n != 1) w += (w.ends_with("y") && !w.ends_with("ay")) ? "" : "s";
  if (n != 1 && w.ends_with("y")) w = w.substr(0, w.size() - 1) + "ies";
  return std::to_string(n) + " " + w;
}

std::string kind_word(EntityKind k) { return std::string(entity_kind_word(k)); }

// "added user alice, changed role sales-rep" (or counts when long).
std::string describe_changes(const std::vector<Change>& changes) {
  if (changes.empty()) return "no changes";
  auto op = [](const Change& c) { return !c.before ? "added" : !c.after ? "removed" : "changed"; };
  if (changes.size() <= 8) {
    std::string out;
    for (const Change& c : changes) {
      if (!out.empty()) out += ", ";
      out += std::string(op(c)) + " " + kind_word(c.kind);
      if (!c.id.empty()) out += " " + escape_text(c.id, 200);
    }
    return out;
  }
  std::vector<std::pair<std::string, std::size_t>> counts;
  for (const Change& c : changes) {
    const std::string key = std::string(op(c)) + "|" + kind_word(c.kind);
    auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& p) { return p.first == key; });
    if (it == counts.end()) counts.emplace_back(key, 1);
    else ++it->second;
  }
  std::string out;
  for (const auto& [key, n] : counts) {
    if (!out.empty()) out += ", ";
    const std::string o = key.substr(0, key.find('|')), k = key.substr(key.find('|') + 1);
    out += o + " " + (k == "field rights" || k == "overrides" ? k : plural(n, k));
  }
  return out;
}

Transaction begin(const std::shared_ptr<Directory>& dir, const Globals& g) {
  auto tx = dir->begin(g.actor.value_or(""));
  if (!tx) fail(tx.error());
  return std::move(*tx);
}

void check_edit(const Result<void>& r) {
  if (!r) fail(r.error());
}

// Prints `committed version N: ...` on `out` (default: g.out).
int commit(const Globals& g, Transaction& tx, std::ostream* out = nullptr) {
  if (out == nullptr) out = g.out;
  const std::vector<Change> changes = tx.changes();
  g_progress.total = changes.size();
  g_progress.done = 0;
  g_progress.err = g.err;
  g_progress.active = changes.size() >= 200 && g.err == &std::cerr && ::isatty(STDERR_FILENO);
  auto done = tx.commit();
  if (g_progress.active && g_progress.done != g_progress.total) *g.err << "\n";
  g_progress.active = false;
  if (!done) fail(done.error());
  if (done->changes.empty()) {
    *out << "no changes (version " << done->version << ")\n";
  } else {
    *out << "committed version " << done->version << ": " << describe_changes(done->changes) << "\n";
  }
  return 0;
}

// -- Evaluation commands ----------------------------------------------------------------

struct Evaluator {
  std::shared_ptr<const DirectoryState> state;
  std::ostream* err = &std::cerr;  // warnings
  const Snapshot& snap() const { return state->snapshot; }
  const Model& model() const { return state->model; }

  UserIndex user(std::string_view id, std::string_view what = "user") const {
    UserIndex u = snap().find_user(id);
    if (u == kUnknownUser) throw CliError("unknown " + std::string(what) + " " + quote_id(id));
    return u;
  }
  GroupIndex group(std::string_view id, std::string_view what = "group") const {
    GroupIndex g = snap().find_group(id);
    if (g == kUnknownGroup) throw CliError("unknown " + std::string(what) + " " + quote_id(id));
    return g;
  }
  ObjectIndex object(std::string_view id) const {
    ObjectIndex o = snap().find_object(id);
    if (o == kUnknownObject) throw CliError("unknown data object " + quote_id(id));
    return o;
  }
  bool has_visibility(std::string_view object) const {
    static constexpr std::string_view kVisible[] = {"follow_up", "document", "sale", "selection", "dashboard"};
    for (std::string_view o : kVisible)
      if (o == object) return true;
    for (const DataObjectDef& o : model().objects)
      if (o.id == object) return o.has_visibility;
    return false;
  }

  Record record(const Args& a, std::string_view object_id) const {
    Record r;
    r.object = object(object_id);
    if (auto v = a.get("--owner")) r.owner = v->empty() ? kNoUser : user(*v, "owner");
    if (auto v = a.get("--group")) r.group = group(*v);
    if (auto v = a.get("--visible-for")) {
      const auto text = parse_visibility_text(*v);
      if (!text) throw CliError("--visible-for: expected all, group:GROUP or associate:USER, not " + quote_id(*v));
      if (text->kind == VisibilityKind::kGroup) r.visibility = Visibility::group(group(text->id, "group"));
      if (text->kind == VisibilityKind::kAssociate) r.visibility = Visibility::associate(user(text->id, "user"));
      if (r.visibility.kind != VisibilityKind::kAll && !has_visibility(object_id))
        *err << "sorights: warning: visibility does not apply to " << object_id << " records; ignored\n";
    }
    if (a.has("--published")) r.published = true;
    if (auto v = a.get("--publish-from")) {
      r.publish_from = parse_time(*v, "--publish-from", false);
      r.published = true;
    }
    if (auto v = a.get("--publish-to")) {
      r.publish_to = parse_time(*v, "--publish-to", true);
      r.published = true;
    }
    if (r.publish_from != kTimeMin && r.publish_to != kTimeMax && r.publish_from > r.publish_to)
      throw CliError("--publish-from is after --publish-to");
    if (a.has("--completed")) r.completed = true;
    if (auto v = a.get("--project")) r.project = snap().find_project(*v);
    if (auto v = a.get("--company")) r.company = snap().find_company(*v);
    if (auto v = a.get("--at")) r.at = parse_time(*v, "--at", false);
    if (a.has("--new")) r.is_new = true;
    if (auto v = a.get("--record-id")) {
      if (v->empty()) throw CliError("--record-id: an id may not be empty");
      r.id = record_key(*v);
    }
    if (a.has("--user-person")) r.user_person = true;
    if (a.has("--our-company")) r.our_company = true;
    if (a.has("--database-owner")) r.database_owner = true;
    return r;
  }
};

const std::set<std::string, std::less<>> kRecordValueOptions = {
    "--owner", "--group", "--visible-for", "--publish-from", "--publish-to", "--project", "--company", "--at",
    "--record-id"};
const std::set<std::string, std::less<>> kRecordFlags = {"--published", "--completed", "--new", "--user-person",
                                                         "--our-company", "--database-owner"};

Action action(std::string_view s) {
  auto a = parse_action(s);
  if (!a) throw CliError("unknown action " + quote_id(s) + " (read, create, update or delete)");
  return *a;
}

Evaluator evaluator(const Globals& g) {
  auto store = open_store(g, Access::kRead);
  auto dir = open_directory(store);
  return Evaluator{dir->state(), g.err};
}

int cmd_check(const Globals& g, const Args& a, bool explain) {
  need(a, 3, explain ? "explain" : "check", "USER ACTION OBJECT");
  Evaluator ev = evaluator(g);
  const UserIndex u = ev.user(a.positional[0]);
  const Action act = action(a.positional[1]);
  const Record r = ev.record(a, a.positional[2]);
  const Explanation e = ev.snap().explain(u, act, r);
  if (!explain) {
    *g.out << (e.allowed ? "allow " : "deny ") << ev.snap().explain_reason(e) << "\n";
    return e.allowed ? 0 : 1;
  }
  // explain_text ends with "rights:" and "decision:"; the final mask goes last.
  std::istringstream text(ev.snap().explain_text(e));
  std::string line, rights, decision;
  while (std::getline(text, line)) {
    if (line.starts_with("rights: ")) rights = line;
    else if (line.starts_with("decision: ")) decision = line;
    else *g.out << line << "\n";
  }
  if (!decision.empty()) *g.out << decision << "\n";
  *g.out << (rights.empty() ? "rights: " + e.rights.to_string() : rights) << "\n";
  return 0;
}

// `rights USER OBJECT`, or with `field` `field USER OBJECT FIELD`: the mask.
int cmd_rights(const Globals& g, const Args& a, bool field) {
  if (field) need(a, 3, "field", "USER OBJECT FIELD");
  else need(a, 2, "rights", "USER OBJECT");
  Evaluator ev = evaluator(g);
  const UserIndex u = ev.user(a.positional[0]);
  const Record r = ev.record(a, a.positional[1]);
  if (!field) {
    *g.out << ev.snap().rights(u, r).to_string() << "\n";
    return 0;
  }
  if (a.positional[2].empty()) throw CliError("a field name may not be empty");
  *g.out << ev.snap().field_rights(u, r, ev.snap().find_field(a.positional[2])).to_string() << "\n";
  return 0;
}

int cmd_has(const Globals& g, const Args& a) {
  need(a, 2, "has", "USER FUNCTIONAL_RIGHT");
  Evaluator ev = evaluator(g);
  const std::string& uid = a.positional[0];
  const std::string& right = a.positional[1];
  const UserIndex u = ev.user(uid);
  const RightIndex r = ev.snap().find_right(right);
  if (r == kUnknownRight) throw CliError("unknown functional right " + quote_id(right));
  const bool allowed = ev.snap().has(u, r);
  const User& user = *ev.model().find_user(uid);
  std::string reason;
  const std::string inactive = inactive_reason(user);
  const std::string role_id(ev.snap().role_id(ev.snap().user_role(u)));
  const Role* role = ev.model().find_role(role_id);
  if (!inactive.empty()) {
    reason = "user " + quote_id(uid) + " is " + inactive + " and holds no rights";
  } else if (user.type == UserType::kSystem) {
    reason = allowed ? "the system user holds every functional right that is not restrictive"
                     : "the system user holds no restrictive right (" + right +
                           " takes something away; the system user bypasses restrictions)";
  } else if (role != nullptr && role->has_right(right)) {
    std::string licence;
    for (const FunctionalRightDef& f : ev.model().functional_rights)
      if (f.id == right) licence = f.requires_licence;
    if (allowed) reason = "role " + quote_id(role_id) + " grants " + right;
    else
      reason = "role " + quote_id(role_id) + " grants " + right + " but it requires licence " + quote_id(licence) +
               ", which user " + quote_id(uid) + " does not hold";
  } else {
    reason = "role " + quote_id(role_id) + " does not grant " + right;
  }
  *g.out << (allowed ? "allow " : "deny ") << reason << "\n";
  return allowed ? 0 : 1;
}

// -- Store commands -----------------------------------------------------------------

bool is_missing_or_empty(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return true;
  return std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) == 0;
}

// A store is created only whole: `init` and `import` into a new path build it
// in a temporary file beside the target (TempFile), close it (SQLite folds
// its -wal into the file), fsync it and rename it into place, so a failing or
// interrupted command leaves no store behind.
class NewStore {
 public:
  // The target must not exist, or be an empty file (as mktemp makes). A
  // leftover -wal or -journal at the target's name would be read into the
  // new store when it is next opened: refused.
  explicit NewStore(const Globals& g) : g_(g), db_(g.db), replace_(exists(db_)), tmp_(db_) {
    for (const char* suffix : {"-wal", "-journal"}) {
      if (exists(db_ + suffix))
        throw CliError(db_ + suffix + ": a leftover SQLite file of an earlier store is in the way; remove it "
                                     "first (nothing changed)");
    }
  }
  std::shared_ptr<SqliteStore> open() { return open_store_at(g_, tmp_.path(), Access::kCreate); }
  // Runs `build` (which opens the store and must close it before it
  // returns), reporting errors under the target's name, then puts the store
  // in place.
  template <class F>
  auto build(F&& build) {
    try {
      auto result = build();
      std::error_code ec;
      if (std::filesystem::file_size(tmp_.path() + "-wal", ec) > 0 && !ec)
        throw CliError(db_ + ": the new store was not closed cleanly; nothing changed");
      tmp_.install(replace_);
      return result;
    } catch (const CliError& e) {
      std::vector<std::string> details;
      for (const std::string& d : e.details) details.push_back(named(d));
      throw CliError(named(e.what()), std::move(details));
    }
  }

 private:
  static bool exists(const std::string& path) {
    std::error_code ec;
    return std::filesystem::exists(path, ec);
  }
  // A message about the temporary file, about the target instead.
  std::string named(std::string text) const {
    for (std::size_t at = 0; (at = text.find(tmp_.path(), at)) != std::string::npos; at += db_.size())
      text.replace(at, tmp_.path().size(), db_);
    return text;
  }
  const Globals& g_;
  std::string db_;
  bool replace_;
  TempFile tmp_;
};

int cmd_init(const Globals& g, const Args& a) {
  need(a, 0, "init", "");
  // An empty file (e.g. made by mktemp) is no store yet: it is replaced.
  if (!is_missing_or_empty(g.db)) throw CliError(g.db + ": a store (or file) exists already; nothing changed");
  NewStore fresh(g);
  const std::uint64_t version = fresh.build([&] {
    auto store = fresh.open();
    auto v = store->version();
    if (!v) fail(v.error());
    return *v;
  });
  *g.out << "created " << g.db << " (version " << version << ")\n";
  return 0;
}

// Parses the model file against the store's model and commits it, printing
// the outcome on `out`.
int import_into(const Globals& g, std::ostream& out, const std::shared_ptr<SqliteStore>& store,
                const std::string& text, const std::string& file, bool replace) {
  auto dir = open_directory(store);
  Transaction tx = begin(dir, g);
  auto model =
      parse_model_file(text, tx.base(),
                       ModelFileOptions{replace ? ImportMode::kReplace : ImportMode::kMerge, file, g.max_model_bytes});
  if (!model) {
    std::vector<std::string> lines;
    for (const Diagnostic& d : model.error().diagnostics) lines.push_back(file + ": " + d.to_string());
    throw CliError(model.error().message, std::move(lines));
  }
  check_edit(tx.stage_model(std::move(*model)));
  return commit(g, tx, &out);
}

int cmd_import(const Globals& g, const Args& a) {
  need(a, 1, "import", "MODEL.json");
  const std::string& file = a.positional[0];
  auto text = read_model_text(file, g.max_model_bytes);  // bounded: size, type, UTF-8
  if (!text) {
    std::vector<std::string> lines;
    for (const Diagnostic& d : text.error().diagnostics) lines.push_back(file + ": " + d.to_string());
    throw CliError(text.error().message, std::move(lines));
  }
  const bool replace = a.has("--replace");
  if (!is_missing_or_empty(g.db))
    return import_into(g, *g.out, open_store(g, Access::kWrite), *text, file, replace);
  // A new store: what the import prints waits until the store is in place.
  NewStore fresh(g);
  std::ostringstream printed;
  const int rc = fresh.build([&] { return import_into(g, printed, fresh.open(), *text, file, replace); });
  *g.out << printed.str();
  return rc;
}

int cmd_export(const Globals& g, const Args& a) {
  need(a, 0, "export", "");
  auto store = open_store(g, Access::kRead);
  auto loaded = store->load();
  if (!loaded) fail(loaded.error());
  *g.out << export_model_file(loaded->model);
  return 0;
}

int cmd_verify(const Globals& g, const Args& a) {
  need(a, 0, "verify", "");
  auto store = open_store(g, Access::kRead);
  if (auto r = store->verify(); !r) fail(r.error());
  *g.out << "ok\n";
  return 0;
}

int cmd_audit(const Globals& g, const Args& a) {
  need(a, 0, "audit", "");
  auto store = open_store(g, Access::kRead);
  AuditQuery q;
  if (auto v = a.get("--user")) q.user = *v;
  if (auto v = a.get("--role")) q.role = *v;
  auto entries = store->audit(q);
  if (!entries) fail(entries.error());
  for (const AuditEntry& e : *entries) {
    // Stored text never forges a line: ids are escaped (stores from before
    // the id rules may hold control characters), and only the built-in
    // actor prints as "(system)", which no valid id can spell.
    *g.out << e.version << " " << format_time(e.time) << " " << (e.actor.empty() ? "(system)" : escape_text(e.actor, 200));
    if (e.refused) {
      std::string why = e.reason.empty()                ? std::string("no reason recorded")
                        : is_printable_text(e.reason) ? e.reason
                                                      : escape_text(e.reason, e.reason.size());
      if (why.starts_with("refused ")) why = why.substr(8);  // "refused: 1 rule: ..."
      *g.out << " refused: " << why;
      if (!e.changes.empty()) *g.out << " (tried: " << describe_changes(e.changes) << ")";
    } else {
      *g.out << " " << describe_changes(e.changes);
    }
    *g.out << "\n";
  }
  return 0;
}

// -- Administration ------------------------------------------------------------------

const std::set<std::string, std::less<>> kUserOptions = {
    "--type", "--name", "--company", "--role", "--group", "--other-groups", "--plan", "--licences", "--projects",
    "--person", "--can-log-in"};

void apply_user_options(const Args& a, User& u) {
  if (auto v = a.get("--type")) {
    auto t = parse_user_type(*v);
    if (!t) throw CliError("--type: expected associate, resource, external, anonymous or system, not " + quote_id(*v));
    u.type = *t;
  }
  if (auto v = a.get("--name")) u.name = *v;
  if (auto v = a.get("--company")) u.company = *v;
  if (auto v = a.get("--role")) u.role = *v;
  if (auto v = a.get("--group")) u.group = *v;
  if (auto v = a.get("--other-groups")) u.other_groups = split_list(*v);
  if (auto v = a.get("--plan")) u.plan = *v;
  if (auto v = a.get("--licences")) u.licences = split_list(*v);
  if (auto v = a.get("--projects")) u.projects = split_list(*v);
  if (auto v = a.get("--person")) u.person = *v;
  if (auto v = a.get("--can-log-in")) {
    if (*v == "yes" || *v == "true") u.can_log_in = true;
    else if (*v == "no" || *v == "false") u.can_log_in = false;
    else throw CliError("--can-log-in: expected yes or no, not " + quote_id(*v));
  }
}

// Unknown ids named in user options are errors before anything is staged.
void check_user_refs(const Model& m, const User& u) {
  if (!u.role.empty() && m.find_role(u.role) == nullptr) throw CliError("unknown role " + quote_id(u.role));
  if (!u.group.empty() && m.find_group(u.group) == nullptr) throw CliError("unknown group " + quote_id(u.group));
  for (const std::string& gr : u.other_groups)
    if (m.find_group(gr) == nullptr) throw CliError("unknown group " + quote_id(gr));
  if (!u.plan.empty() && m.find_plan(u.plan) == nullptr) throw CliError("unknown plan " + quote_id(u.plan));
  for (const std::string& l : u.licences)
    if (m.find_licence(l) == nullptr) throw CliError("unknown licence " + quote_id(l));
}

std::string sub_of(const Args& a, std::string_view command) {
  if (a.positional.empty()) throw CliError(std::string(command) + ": missing subcommand (see sorights " +
                                           std::string(command) + " --help)");
  return a.positional[0];
}

Args rest(Args a) {
  a.positional.erase(a.positional.begin());
  return a;
}

int cmd_user(const Globals& g, const std::vector<std::string>& argv) {
  Args a = parse_args(argv, kUserOptions, {});
  if (a.help || a.positional.empty()) {
    if (!a.help) *g.err << "sorights: user: missing subcommand\n";
    *(a.help ? g.out : g.err) << command_help().at("user");
    return a.help ? 0 : 2;
  }
  const std::string sub = sub_of(a, "user");
  Args r = rest(a);
  // Before the store is opened: an unknown subcommand is the error to report,
  // not a missing or read-only store.
  if (!std::set<std::string, std::less<>>{"add", "edit", "retire", "former", "delete", "list"}.contains(sub))
    throw CliError("user: unknown subcommand " + quote_id(sub) + " (add, edit, retire, former, delete, list)");
  auto store = open_store(g, sub == "list" ? Access::kRead : Access::kWrite);
  auto dir = open_directory(store);
  // `user list`: query_commands.cpp.
  Transaction tx = begin(dir, g);
  if (sub == "add") {
    need(r, 1, "user add", "ID");
    User u;
    u.id = r.positional[0];
    apply_user_options(r, u);
    if (u.type == UserType::kAssociate && u.company.empty() && tx.base().our_companies.size() == 1)
      u.company = tx.base().our_companies.front().id;
    check_user_refs(tx.base(), u);
    check_edit(tx.add_user(std::move(u)));
  } else if (sub == "edit") {
    need(r, 1, "user edit", "ID");
    const User* old = tx.base().find_user(r.positional[0]);
    if (old == nullptr) throw CliError("unknown user " + quote_id(r.positional[0]));
    User u = *old;
    apply_user_options(r, u);
    check_user_refs(tx.base(), u);
    check_edit(tx.put_user(std::move(u)));
  } else if (sub == "retire" || sub == "former" || sub == "delete") {
    need(r, 1, "user " + sub, "ID");
    if (!r.options.empty()) throw CliError("user " + sub + ": takes no options");
    const std::string& id = r.positional[0];
    if (tx.base().find_user(id) == nullptr) throw CliError("unknown user " + quote_id(id));
    if (sub == "retire") check_edit(tx.retire_user(id));
    else if (sub == "former") check_edit(tx.mark_former_employee(id));
    else check_edit(tx.delete_user(id));
  } else {
    throw CliError("user: unknown subcommand " + quote_id(sub) + " (add, edit, retire, former, delete, list)");
  }
  return commit(g, tx);
}

int cmd_role(const Globals& g, const std::vector<std::string>& argv) {
  Args a = parse_args(argv, {"--name", "--type", "--description", "--replacement"}, {});
  if (a.help || a.positional.empty()) {
    if (!a.help) *g.err << "sorights: role: missing subcommand\n";
    *(a.help ? g.out : g.err) << command_help().at("role");
    return a.help ? 0 : 2;
  }
  const std::string sub = sub_of(a, "role");
  Args r = rest(a);
  if (!std::set<std::string, std::less<>>{"add", "copy", "rename", "delete", "set-right", "grant", "revoke", "list",
                                          "show"}
           .contains(sub))
    throw CliError("role: unknown subcommand " + quote_id(sub) +
                   " (add, copy, rename, delete, set-right, grant, revoke, list, show)");
  auto store = open_store(g, sub == "list" || sub == "show" ? Access::kRead : Access::kWrite);
  auto dir = open_directory(store);
  const Model& m = *dir->model();
  auto known_role = [&](const std::string& id) -> const Role& {
    const Role* role = m.find_role(id);
    if (role == nullptr) throw CliError("unknown role " + quote_id(id));
    return *role;
  };
  // `role list`: query_commands.cpp.
  if (sub == "show") {
    need(r, 1, "role show", "ID");
    const Role& role = known_role(r.positional[0]);
    const std::string_view shown = display_name(role, g.lang, &role.names);
    *g.out << "role " << role.id << " (" << role_type_name(role.type) << ")"
           << (role.name.empty() && shown == role.id ? "" : ": " + std::string(shown)) << "\n";
    if (!role.description.empty()) *g.out << role.description << "\n";
    *g.out << pad("object");
    for (Relation rel : kRelationDisplayOrder) *g.out << " " << pad(relation_name(rel));
    *g.out << "\n";
    for (const auto& [object, row] : role.data_rights) {
      *g.out << pad(object);
      for (Relation rel : kRelationDisplayOrder) {
        const std::string c = row[static_cast<std::size_t>(rel)].to_crud();
        *g.out << " " << pad(c.empty() ? "-" : c);
      }
      *g.out << "\n";
    }
    *g.out << "functional rights:";
    if (role.functional_rights.empty()) *g.out << " (none)";
    for (const std::string& f : role.functional_rights) *g.out << " " << f;
    *g.out << "\n";
    return 0;
  }
  Transaction tx = begin(dir, g);
  if (sub == "add") {
    need(r, 1, "role add", "ID");
    Role role;
    role.id = r.positional[0];
    role.name = r.get("--name").value_or("");
    role.description = r.get("--description").value_or("");
    if (auto t = r.get("--type")) {
      auto rt = parse_role_type(*t);
      if (!rt) throw CliError("--type: expected employee, external or anonymous, not " + quote_id(*t));
      role.type = *rt;
    }
    check_edit(tx.create_role(std::move(role)));
  } else if (sub == "copy") {
    need(r, 2, "role copy", "FROM ID");
    known_role(r.positional[0]);
    check_edit(tx.copy_role(r.positional[0], r.positional[1], r.get("--name").value_or("")));
  } else if (sub == "rename") {
    need(r, 2, "role rename", "ID NAME");
    const Role& role = known_role(r.positional[0]);
    if (g.lang_given) {
      // --lang CODE: the role's name in that language (names[CODE]); its
      // `name` stays. An empty NAME removes the entry.
      Role renamed = role;
      const std::string code(language_code(g.lang));
      if (r.positional[1].empty()) renamed.names.erase(code);
      else renamed.names[code] = r.positional[1];
      if (auto d = r.get("--description")) renamed.description = *d;
      check_edit(tx.put_role(std::move(renamed)));
    } else {
      check_edit(tx.rename_role(role.id, r.positional[1], r.get("--description").value_or(role.description)));
    }
  } else if (sub == "delete") {
    need(r, 1, "role delete", "ID");
    known_role(r.positional[0]);
    auto replacement = r.get("--replacement");
    if (!replacement) throw CliError("role delete: --replacement ROLE is required (the role's users get it)");
    known_role(*replacement);
    check_edit(tx.delete_role(r.positional[0], *replacement));
  } else if (sub == "set-right") {
    need(r, 4, "role set-right", "ROLE OBJECT RELATION LETTERS");
    known_role(r.positional[0]);
    if (!is_builtin_object(r.positional[1]) &&
        std::none_of(m.objects.begin(), m.objects.end(), [&](const DataObjectDef& o) { return o.id == r.positional[1]; }))
      throw CliError("unknown data object " + quote_id(r.positional[1]));
    auto rel = parse_relation(r.positional[2]);
    if (!rel) throw CliError("unknown relation " + quote_id(r.positional[2]));
    auto rights = TableRights::parse_crud(r.positional[3]);
    if (!rights) throw CliError("invalid rights " + quote_id(r.positional[3]) + " (any of C, R, U, D, each at most once)");
    check_edit(tx.set_data_right(r.positional[0], r.positional[1], *rel, *rights));
  } else if (sub == "grant" || sub == "revoke") {
    need(r, 2, "role " + sub, "ROLE FUNCTIONAL_RIGHT");
    known_role(r.positional[0]);
    const std::string& right = r.positional[1];
    if (!find_builtin_right(right) && std::none_of(m.functional_rights.begin(), m.functional_rights.end(),
                                                   [&](const FunctionalRightDef& f) { return f.id == right; }))
      throw CliError("unknown functional right " + quote_id(right));
    check_edit(sub == "grant" ? tx.grant_right(r.positional[0], right) : tx.revoke_right(r.positional[0], right));
  } else {
    throw CliError("role: unknown subcommand " + quote_id(sub) +
                   " (add, copy, rename, delete, set-right, grant, revoke, list, show)");
  }
  return commit(g, tx);
}

int cmd_group_or_company(const Globals& g, const std::vector<std::string>& argv, bool company) {
  const char* name = company ? "company" : "group";
  Args a = company ? parse_args(argv, {"--name"}, {"--database-owner"}) : parse_args(argv, {"--name"}, {});
  if (a.help || a.positional.empty()) {
    if (!a.help) *g.err << "sorights: " << name << ": missing subcommand\n";
    *(a.help ? g.out : g.err) << command_help().at(name);
    return a.help ? 0 : 2;
  }
  const std::string sub = sub_of(a, name);
  Args r = rest(a);
  if (sub != "add" && sub != "delete" && sub != "list")
    throw CliError(std::string(name) + ": unknown subcommand " + quote_id(sub) + " (add, delete, list)");
  auto store = open_store(g, sub == "list" ? Access::kRead : Access::kWrite);
  auto dir = open_directory(store);
  const Model& m = *dir->model();
  if (sub == "list") {
    need(r, 0, std::string(name) + " list", "");
    if (company) {
      for (const OurCompany& c : m.our_companies)
        *g.out << c.id << "\t" << listed_name(c, g.lang) << (c.database_owner ? "\t(database owner)" : "")
               << "\n";
    } else {
      for (const Group& gr : m.groups) {
        std::size_t members = 0;
        for (const User& u : m.users)
          members += u.group == gr.id ||
                     std::find(u.other_groups.begin(), u.other_groups.end(), gr.id) != u.other_groups.end();
        *g.out << gr.id << "\t" << listed_name(gr, g.lang) << "\t" << plural(members, "member") << "\n";
      }
    }
    return 0;
  }
  Transaction tx = begin(dir, g);
  if (sub == "add") {
    need(r, 1, std::string(name) + " add", "ID");
    const std::string& id = r.positional[0];
    if (company ? m.find_our_company(id) != nullptr : m.find_group(id) != nullptr)
      throw CliError(std::string(name) + " " + quote_id(id) + " exists already");
    if (company) check_edit(tx.put_our_company(OurCompany{id, r.get("--name").value_or(""), r.has("--database-owner")}));
    else check_edit(tx.put_group(Group{id, r.get("--name").value_or("")}));
  } else if (sub == "delete") {
    need(r, 1, std::string(name) + " delete", "ID");
    const std::string& id = r.positional[0];
    if (company ? m.find_our_company(id) == nullptr : m.find_group(id) == nullptr)
      throw CliError(std::string("unknown ") + name + " " + quote_id(id));
    check_edit(company ? tx.remove_our_company(id) : tx.remove_group(id));
  } else {
    throw CliError(std::string(name) + ": unknown subcommand " + quote_id(sub) + " (add, delete, list)");
  }
  return commit(g, tx);
}

int cmd_report(const Globals& g, const Args& a) {
  need(a, 0, "report", "--html FILE");
  const std::optional<std::string> path = a.get("--html");
  if (!path || path->empty()) throw CliError("report: --html FILE is required");
  // Never over the store (by any alias) nor any SQLite database; written
  // whole to a temporary file and renamed into place.
  const std::string target = output_target(*path, g.db);
  auto store = open_store(g, Access::kRead);
  auto loaded = store->load();
  if (!loaded) fail(loaded.error());
  const std::string html = render_html_report(loaded->model, "sorights model: " + g.db + " (version " +
                                                                 std::to_string(loaded->version) + ")", g.lang);
  store.reset();
  TempFile out(target);
  out.write(html);
  out.install(true);
  *g.err << "wrote " << *path << " (" << html.size() << " bytes)\n";
  return 0;
}

// The language of --lang (given) or else $SORIGHTS_LANG (set and not empty),
// else English; an unknown code is an error naming it (exit 2).
Language cli_language(bool given, const std::string& code) {
  std::string from = "--lang";
  std::string value = code;
  if (!given) {
    const char* env = std::getenv("SORIGHTS_LANG");
    if (env == nullptr || *env == '\0') return Language::kEn;
    from = "SORIGHTS_LANG";
    value = env;
  }
  if (auto lang = parse_language(value)) return *lang;
  throw CliError(from + ": unknown language " + quote_id(value) + " (en, no, nb, nl, da)");
}

int cmd_names(const Globals& g, const Args& a) {
  if (a.positional.size() > 1) throw CliError("names: unexpected argument " + quote_id(a.positional[1]));
  auto print = [&](NameKind kind) {
    for (const BuiltinName& e : builtin_names(kind)) *g.out << e.id << "\t" << name_in(e, g.lang) << "\n";
  };
  if (a.positional.empty()) {
    for (std::size_t k = 0; k < kNameKindCount; ++k) {
      *g.out << "# " << kNameKindIds[k] << "\n";
      print(static_cast<NameKind>(k));
    }
    return 0;
  }
  const auto kind = parse_name_kind(a.positional[0]);
  if (!kind)
    throw CliError("names: unknown kind " + quote_id(a.positional[0]) +
                   " (roles, functional-rights, objects, relations, user-types, levels, tabs)");
  print(*kind);
  return 0;
}

int cmd_licence(const Globals& g, const std::vector<std::string>& argv) {
  Args a = parse_args(argv, {}, {});
  if (a.help || a.positional.empty()) {
    if (!a.help) *g.err << "sorights: licence: missing subcommand\n";
    *(a.help ? g.out : g.err) << command_help().at("licence");
    return a.help ? 0 : 2;
  }
  if (a.positional[0] != "usage") throw CliError("licence: unknown subcommand " + quote_id(a.positional[0]) + " (usage)");
  need(rest(a), 0, "licence usage", "");
  auto store = open_store(g, Access::kRead);
  auto dir = open_directory(store);
  for (const LicenceUsage& u : licence_usage(*dir->model())) {
    *g.out << u.licence << "\t";
    if (u.kind == LicenceKind::kSite) {
      *g.out << "site licence (everyone)\n";
      continue;
    }
    *g.out << "in use " << u.in_use << "\t";
    if (u.unlimited) *g.out << "available unlimited";
    else *g.out << "available " << u.available() << " of " << u.purchased;
    *g.out << "\t";
    for (std::size_t i = 0; i < u.users.size(); ++i) *g.out << (i ? "," : "") << u.users[i];
    if (u.users.empty()) *g.out << "-";
    *g.out << "\n";
  }
  return 0;
}

int cmd_serve(const Globals& g, const Args& a) {
  need(a, 0, "serve", "");
  console::ServeOptions options;
  if (auto v = a.get("--bind")) {
    if (v->empty()) throw CliError("serve: --bind: an address may not be empty");
    options.bind = *v;
  }
  if (auto v = a.get("--port")) {
    if (v->empty() || v->size() > 5 || v->find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(*v) > 65535)
      throw CliError("serve: --port: expected 0 to 65535, not " + quote_id(*v));
    options.port = std::stoi(*v);
  }
  auto store = open_store(g, Access::kWrite);
  auto dir = open_directory(store);
  if (g.actor && dir->model()->find_user(*g.actor) == nullptr) throw CliError("--as: unknown user " + quote_id(*g.actor));
  const std::string title = "sorights \u00b7 " + std::filesystem::path(g.db).filename().string();
  auto console = console::Console::create(dir, {.actor = g.actor.value_or(""), .title = title});
  if (!console) fail(console.error());
  return console::serve(**console, options, *g.out, *g.err);
}

// -- Dispatch --------------------------------------------------------------------------

// The arguments left when the global options (anywhere on the line) are
// taken into `g`, and the key file named (given: by --key-file).
struct CommandLine {
  std::vector<std::string> args;
  std::string key_file;
  bool key_file_given = false;
};

CommandLine take_global_options(const std::vector<std::string>& argv, Globals& g) {
  // Global options anywhere: --db FILE, --key-file FILE, --as USER, --max-model-bytes N.
  CommandLine line;
  std::vector<std::string>& args = line.args;
  bool db_given = false;
  bool& key_file_given = line.key_file_given;
  std::string& key_file = line.key_file;
  bool max_given = false;
  std::string max_model_bytes;
  bool lang_given = false;
  std::string lang;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& s = argv[i];
    auto take = [&](std::string_view name, auto& out, bool& seen) {
      if (s == name) {
        if (i + 1 >= argv.size()) throw CliError("option " + std::string(name) + " needs a value");
        if (seen) throw CliError("option " + std::string(name) + " given twice");
        out = argv[++i];
        seen = true;
        return true;
      }
      if (s.starts_with(std::string(name) + "=")) {
        if (seen) throw CliError("option " + std::string(name) + " given twice");
        out = s.substr(name.size() + 1);
        seen = true;
        return true;
      }
      return false;
    };
    bool as_given = g.actor.has_value();
    std::string actor;
    if (take("--db", g.db, db_given)) continue;
    if (take("--max-model-bytes", max_model_bytes, max_given)) {
      const char* end = nullptr;
      std::uint64_t n = 0;
      for (end = max_model_bytes.c_str(); *end >= '0' && *end <= '9' && n <= (UINT64_MAX - 9) / 10; ++end)
        n = n * 10 + static_cast<std::uint64_t>(*end - '0');
      if (max_model_bytes.empty() || *end != '\0')
        throw CliError("--max-model-bytes: expected a number of bytes, found \"" + escape_text(max_model_bytes, 64) + "\"");
      g.max_model_bytes = n;
      continue;
    }
    if (take("--lang", lang, lang_given)) continue;
    if (take("--key-file", key_file, key_file_given)) {
      if (key_file.empty()) throw CliError("--key-file: a file name may not be empty");
      continue;
    }
    if (take("--as", actor, as_given)) {
      if (actor.empty()) throw CliError("--as: a user id may not be empty");
      g.actor = actor;
      continue;
    }
    args.push_back(s);
  }
  if (g.db.empty()) throw CliError("--db: a file name may not be empty");
  g.lang = cli_language(lang_given, lang);
  g.lang_given = lang_given;
  return line;
}

int dispatch(const std::vector<std::string>& argv, std::ostream& output, std::ostream& errors) {
  Globals g;
  g.out = &output;
  g.err = &errors;
  g_progress = Progress{};
  CommandLine line = take_global_options(argv, g);
  const std::vector<std::string>& args = line.args;
  if (args.empty()) {
    *g.err << kUsage;
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    if (args.size() > 1 && command_help().contains(args[1])) *g.out << command_help().at(args[1]);
    else *g.out << kUsage;
    return 0;
  }
  const std::string command = args[0];
  std::vector<std::string> tail(args.begin() + 1, args.end());
  const bool help = std::find(tail.begin(), tail.end(), "--help") != tail.end() ||
                    std::find(tail.begin(), tail.end(), "-h") != tail.end();
  if (help && command_help().contains(command) && command != "user" && command != "role" && command != "group" &&
      command != "company" && command != "licence") {
    *g.out << command_help().at(command);
    return 0;
  }
  // The key: --key-file wins over SORIGHTS_KEY_FILE (empty: unset).
  if (!line.key_file_given)
    if (const char* env = std::getenv("SORIGHTS_KEY_FILE"); env != nullptr && *env != '\0') line.key_file = env;
  if (!line.key_file.empty()) g.key = read_key_file(line.key_file);
  auto record_args = [&]() { return parse_args(tail, kRecordValueOptions, kRecordFlags); };
  const QueryHooks hooks{g.out, g.err, [&] { return open_directory(open_store(g, Access::kRead))->state(); },
                         [&](const std::shared_ptr<const DirectoryState>& st, const Args& a, std::string_view object) {
                           return Evaluator{st, g.err}.record(a, object);
                         },
                         &kRecordValueOptions, &kRecordFlags, g.lang};
  if (auto rc = run_query_command(command, tail, hooks)) return *rc;
  if (command == "init") return cmd_init(g, parse_args(tail, {}, {}));
  if (command == "import") return cmd_import(g, parse_args(tail, {}, {"--replace"}));
  if (command == "export") return cmd_export(g, parse_args(tail, {}, {}));
  if (command == "check") return cmd_check(g, record_args(), false);
  if (command == "explain") return cmd_check(g, record_args(), true);
  if (command == "rights") return cmd_rights(g, record_args(), false);
  if (command == "field") return cmd_rights(g, record_args(), true);
  if (command == "has") return cmd_has(g, parse_args(tail, {}, {}));
  if (command == "audit") return cmd_audit(g, parse_args(tail, {"--user", "--role"}, {}));
  if (command == "user") return cmd_user(g, tail);
  if (command == "role") return cmd_role(g, tail);
  if (command == "group") return cmd_group_or_company(g, tail, false);
  if (command == "company") return cmd_group_or_company(g, tail, true);
  if (command == "licence" || command == "license") return cmd_licence(g, tail);
  if (command == "names") return cmd_names(g, parse_args(tail, {}, {}));
  if (command == "report") return cmd_report(g, parse_args(tail, {"--html"}, {}));
  if (command == "verify") return cmd_verify(g, parse_args(tail, {}, {}));
  if (command == "serve") return cmd_serve(g, parse_args(tail, {"--port", "--bind"}, {}));
  throw CliError("unknown command " + quote_id(command) + " (see sorights --help)");
}

}  // namespace

int run(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  const std::vector<std::string> argv(args.begin(), args.end());
  try {
    const int rc = dispatch(argv, out, err);
    out.flush();
    return rc;
  } catch (const CliError& e) {
    out.flush();
    err << "sorights: " << e.what() << "\n";
    for (const std::string& d : e.details) err << "  " << d << "\n";
    return 2;
  } catch (const std::exception& e) {
    out.flush();
    err << "sorights: internal error: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace sorights::cli
