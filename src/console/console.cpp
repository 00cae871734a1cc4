// The admin web console (console.hpp): sessions, CSRF, the routes and the
// server-rendered pages. Every page is built from escaped values only; every
// change goes through the session's Transaction and is judged at Save.
#include "sorights/console/console.hpp"

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>

#include "html.hpp"
#include "sorights/functional_right.hpp"
#include "sorights/names.hpp"
#include "sorights/queries.hpp"
#include "sorights/report.hpp"
#include "sorights/snapshot.hpp"
#include "text.hpp"

SORIGHTS_BEGIN_NAMESPACE
namespace console {

std::string random_hex(std::size_t n) {
  std::string bytes(n, '\0');
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::getrandom(bytes.data() + got, n - got, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    got += static_cast<std::size_t>(r);
  }
  if (got < n) {
    std::ifstream urandom("/dev/urandom", std::ios::binary);
    if (!urandom.read(bytes.data(), static_cast<std::streamsize>(n)))
      throw std::runtime_error("no random source (getrandom and /dev/urandom failed)");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    out += kHex[u >> 4];
    out += kHex[u & 15];
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff = static_cast<unsigned char>(diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
  return diff == 0;
}

namespace {

using detail::escape_html;
using detail::Fields;
using detail::url_encode;

constexpr std::string_view kCookie = "sorights_session";

// A request the console refuses: status, heading, message.
struct HttpError {
  int status;
  std::string message;
};

struct Session {
  std::string csrf;
  std::optional<Transaction> tx;  // the staged edits; empty: nothing staged
  std::int64_t last_used = 0;
  std::string notice;             // shown once on the next page
  std::optional<Error> error;     // the last refusal, shown once
};

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string format_time(Time t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  if (::gmtime_r(&tt, &tm) == nullptr) return std::to_string(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::optional<TableRights> level_rights(std::string_view level) {
  if (level == "none") return TableRights::from_bits(0);
  if (level == "read") return TableRights::from_bits(1);
  if (level == "create") return TableRights::from_bits(5);
  if (level == "update") return TableRights::from_bits(7);
  if (level == "delete") return TableRights::from_bits(15);
  return std::nullopt;
}
constexpr std::array<std::string_view, 5> kLevels = {"none", "read", "create", "update", "delete"};

using sorights::detail::grid_relations;  // the relations the grid shows, as the report does

std::vector<std::string> object_ids(const Model& m) {
  std::vector<std::string> out(kBuiltinObjectNames.begin(), kBuiltinObjectNames.end());
  for (const DataObjectDef& o : m.objects) out.push_back(o.id);
  return out;
}

// The role a user counts for: system and anonymous users hold the system and
// anonymous roles whatever their `role` says.
std::string implied_role(const User& u) {
  if (u.type == UserType::kSystem) return "system";
  if (u.type == UserType::kAnonymous && u.role.empty()) return "anonymous";
  return u.role;
}

std::string user_state(const User& u) {
  if (u.retired) return "retired";
  if (u.former_employee) return "former employee";
  if (u.type == UserType::kResource) return "resource";
  if (!u.can_log_in) return "login off";
  return "active";
}

bool is_hidden_role(const Role& r) { return r.type == RoleType::kSystem || r.id == "system"; }

std::string_view change_op(const Change& c) { return !c.before ? "added" : !c.after ? "removed" : "changed"; }

// What changed inside a role or a user, for the Save list and the audit.
std::string change_details(const Change& c) {
  if (!c.before || !c.after) return {};
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : "; ") + s; };
  if (const Role* a = std::get_if<Role>(&*c.before); a != nullptr) {
    const Role& b = std::get<Role>(*c.after);
    if (a->name != b.name) add("name " + a->name + " \u2192 " + b.name);
    std::set<std::string> objects;
    for (const auto& [o, row] : a->data_rights) objects.insert(o);
    for (const auto& [o, row] : b.data_rights) objects.insert(o);
    for (const std::string& o : objects)
      for (Relation rel : kRelationDisplayOrder) {
        const TableRights x = a->cell(o, rel), y = b.cell(o, rel);
        if (x != y)
          add(o + " \u00d7 " + std::string(relation_name(rel)) + ": " + std::string(cell_level_id(x)) + " \u2192 " +
              std::string(cell_level_id(y)));
      }
    for (const std::string& f : b.functional_rights)
      if (!a->has_right(f)) add("+" + f);
    for (const std::string& f : a->functional_rights)
      if (!b.has_right(f)) add("\u2212" + f);
  } else if (const User* u = std::get_if<User>(&*c.before); u != nullptr) {
    const User& v = std::get<User>(*c.after);
    auto field = [&](std::string_view name, const std::string& x, const std::string& y) {
      if (x != y) add(std::string(name) + " " + (x.empty() ? "-" : x) + " \u2192 " + (y.empty() ? "-" : y));
    };
    field("name", u->name, v.name);
    field("role", u->role, v.role);
    field("group", u->group, v.group);
    field("company", u->company, v.company);
    field("plan", u->plan, v.plan);
    field("state", user_state(*u), user_state(v));
  }
  return out;
}

// -- Page building -----------------------------------------------------------------

constexpr std::string_view kStyle = R"(
body{font-family:system-ui,"DejaVu Sans",sans-serif;margin:0;color:#1c2430;background:#f6f7f9;font-size:15px}
header{background:#20354f;color:#fff;padding:.6em 1.2em;display:flex;align-items:center;gap:2em}
header h1{font-size:1.15em;margin:0;font-weight:600}
header nav a{color:#dfe8f3;margin-right:1.2em;text-decoration:none}
header nav a[aria-current=page]{color:#fff;border-bottom:2px solid #ffb03a}
main{padding:1em 1.5em 3em}
.tabs a{display:inline-block;padding:.35em .9em;border:1px solid #c5ccd6;border-bottom:none;background:#e8ebf0;color:#20354f;text-decoration:none;border-radius:4px 4px 0 0}
.tabs a[aria-current=page]{background:#fff;font-weight:600}
.pending{background:#fff4d6;border-bottom:1px solid #e8c66a;padding:.5em 1.5em;display:flex;gap:1em;align-items:center}
.pending.none{background:#eef5ee;border-color:#bcd8bc}
.notice{background:#e3f3e6;border:1px solid #8cc79a;padding:.5em 1em;margin:.8em 0}
.error{background:#fde8e8;border:1px solid #e08a8a;padding:.5em 1em;margin:.8em 0}
table{border-collapse:collapse;background:#fff;margin:.4em 0 1.2em}
caption{text-align:left;font-weight:600;padding:.3em 0}
th,td{border:1px solid #d4d9e0;padding:.25em .55em;text-align:left;vertical-align:top}
thead th{background:#eef1f5}
th[scope=row]{background:#f8f9fb;font-weight:500}
td.none{background:#f2f2f2}td.read{background:#dbeafe}td.create{background:#d1fae5}
td.update{background:#fef3c7}td.delete{background:#fde2e2}td.custom{background:#ede9fe}
form.inline{display:inline}
fieldset{border:1px solid #c5ccd6;background:#fff;margin:.6em 0;padding:.6em 1em}
label{margin:0 .3em 0 .6em}
.sr{position:absolute;left:-9999px}
button{background:#20354f;color:#fff;border:0;border-radius:3px;padding:.3em .8em;cursor:pointer}
button.secondary{background:#6b7785}button.danger{background:#a33}
.allow{color:#17662a;font-weight:700}.deny{color:#a32020;font-weight:700}
.columns{display:flex;gap:2em;flex-wrap:wrap}
)";

class Page {
 public:
  Page& raw(std::string_view s) {
    out_ += s;
    return *this;
  }
  Page& text(std::string_view s) {
    out_ += escape_html(s);
    return *this;
  }
  [[nodiscard]] std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

// -- The console ------------------------------------------------------------------

struct Console::Impl {
  std::shared_ptr<Directory> dir;
  ConsoleOptions options;
  std::mutex mu;
  std::vector<std::string> tokens;  // one-time access tokens not yet used
  std::map<std::string, Session, std::less<>> sessions;

  std::string_view t(std::string_view key) const { return detail::text(key, options.language); }
  std::string h(std::string_view s) const { return escape_html(s); }
  std::string ht(std::string_view key) const { return escape_html(t(key)); }

  Response route(const Request& req);
  Response login(const Fields& query);
  Response unauthorized(std::string_view why);
  Response page(Session& s, std::string_view nav, std::string_view title, const std::string& content,
                int status = 200);
  static Response redirect(std::string location);
  static void security_headers(Response& r);
  std::string csrf_input(const Session& s) const {
    return "<input type=\"hidden\" name=\"csrf\" value=\"" + h(s.csrf) + "\">";
  }
  std::string error_box(const Error& e) const;
  Transaction& tx(Session& s);
  void staged(Session& s, const Result<void>& r, std::string what);

  // Pages (GET) and actions (POST).
  Response users_page(Session& s, const Fields& q);
  std::string users_tab_html(const Model& m, const std::string& tab, const Fields& q, const std::string& csrf) const;
  std::string groups_tab_html(const Model& m, const std::string& csrf) const;
  std::string companies_tab_html(const Model& m, const std::string& csrf) const;
  std::string licences_tab_html(const Model& m) const;
  Response user_edit_page(Session& s, const Fields& q);
  Response roles_page(Session& s);
  Response role_page(Session& s, const Fields& q);
  Response save_page(Session& s);
  Response audit_page(Session& s);
  Response check_page(Session& s, const Fields& q);
  std::string check_form_html(const Model& m, const Fields& q) const;
  Record check_record(const Snapshot& snap, const Fields& q) const;
  std::string decision_html(const Snapshot& snap, const Model& m, UserIndex u, Action action, const Record& r) const;
  Response post(Session& s, std::string_view path, const Fields& f);
  // The actions of post(), by screen; nullopt: not one of theirs.
  std::optional<Response> post_session(Session& s, std::string_view path);
  std::optional<Response> post_users(Session& s, std::string_view path, const Fields& f);
  std::optional<Response> post_roles(Session& s, std::string_view path, const Fields& f);
  Response post_role_cells(Session& s, const Fields& f);
};

Console::Console(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Console::~Console() = default;

Result<std::unique_ptr<Console>> Console::create(std::shared_ptr<Directory> directory, ConsoleOptions options) {
  if (!directory) return Error(ErrorCode::kInvalidArgument, "console: the directory is null");
  if (options.max_body_bytes == 0) return Error(ErrorCode::kInvalidArgument, "console: max_body_bytes is 0");
  auto impl = std::make_unique<Impl>();
  impl->dir = std::move(directory);
  impl->options = std::move(options);
  return std::unique_ptr<Console>(new Console(std::move(impl)));
}

const ConsoleOptions& Console::options() const noexcept { return impl_->options; }

std::string Console::issue_access_token() {
  std::string token = random_hex(16);
  std::lock_guard lock(impl_->mu);
  impl_->tokens.push_back(token);
  return token;
}

Response Console::handle(const Request& request) noexcept {
  try {
    std::lock_guard lock(impl_->mu);
    try {
      Response r = impl_->route(request);
      Impl::security_headers(r);
      return r;
    } catch (const HttpError& e) {
      Response r;
      r.status = e.status;
      r.body = "<!DOCTYPE html><html lang=\"" + escape_html(impl_->options.language) +
               "\"><head><meta charset=\"utf-8\"><title>" + std::to_string(e.status) +
               "</title></head><body><main><h1>" + std::to_string(e.status) + "</h1><p>" + escape_html(e.message) +
               "</p><p><a href=\"/users\">" + escape_html(impl_->t("users")) + "</a></p></main></body></html>";
      Impl::security_headers(r);
      return r;
    }
  } catch (...) {
    Response r;
    r.status = 500;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "500 internal error\n";
    return r;
  }
}

void Console::Impl::security_headers(Response& r) {
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
                         "frame-ancestors 'none'; base-uri 'none'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Cache-Control", "no-store");
}

Response Console::Impl::redirect(std::string location) {
  Response r;
  r.status = 303;
  r.headers.emplace_back("Location", std::move(location));
  r.body = "";
  return r;
}

Response Console::Impl::unauthorized(std::string_view why) {
  Response r;
  r.status = 401;
  r.body = "<!DOCTYPE html><html lang=\"" + h(options.language) + "\"><head><meta charset=\"utf-8\"><title>" +
           ht("login-title") + "</title><style>" + std::string(kStyle) + "</style></head><body><main><h1>" +
           ht("login-title") + "</h1><p>" + h(why) + "</p><p>" + ht("login-help") + "</p></main></body></html>";
  return r;
}

Response Console::Impl::login(const Fields& query) {
  const std::string* token = detail::field(query, "token");
  bool ok = false;
  if (token != nullptr) {
    for (auto it = tokens.begin(); it != tokens.end(); ++it) {
      if (constant_time_equal(*it, *token)) {
        tokens.erase(it);
        ok = true;
        break;
      }
    }
  }
  if (!ok) return unauthorized("This access token is not valid or was used already.");
  const std::string id = random_hex(16);
  Session s;
  s.csrf = random_hex(16);
  s.last_used = now_seconds();
  sessions.emplace(id, std::move(s));
  Response r = redirect("/users");
  r.headers.emplace_back("Set-Cookie",
                         std::string(kCookie) + "=" + id + "; Path=/; HttpOnly; SameSite=Strict");
  return r;
}

Response Console::Impl::route(const Request& req) {
  if (req.method != "GET" && req.method != "POST") throw HttpError{405, "Only GET and POST are served."};
  if (req.path.empty() || req.path.front() != '/' || req.path.size() > 200)
    throw HttpError{400, "Malformed request path."};
  if (req.body.size() > options.max_body_bytes) throw HttpError{413, "The request body is too large."};
  if (req.query.size() > options.max_body_bytes) throw HttpError{414, "The query is too long."};
  const std::optional<Fields> query = detail::parse_urlencoded(req.query);
  if (!query) throw HttpError{400, "Malformed query string."};

  // Idle sessions go, with their staged edits.
  const std::int64_t now = now_seconds();
  for (auto it = sessions.begin(); it != sessions.end();)
    it = now - it->second.last_used > options.session_idle_seconds ? sessions.erase(it) : std::next(it);

  if (req.method == "GET" && req.path == "/" && detail::field(*query, "token") != nullptr) return login(*query);

  std::string cookie;
  for (const auto& [name, value] : req.headers)
    if (detail::iequals(name, "cookie")) {
      cookie = detail::cookie_value(value, kCookie);
      if (!cookie.empty()) break;
    }
  auto it = cookie.empty() ? sessions.end() : sessions.find(cookie);
  if (it == sessions.end()) return unauthorized("You have no session with this console.");
  Session& s = it->second;
  s.last_used = now;

  if (req.method == "POST") {
    std::string content_type;
    for (const auto& [name, value] : req.headers)
      if (detail::iequals(name, "content-type")) content_type = value;
    if (!content_type.starts_with("application/x-www-form-urlencoded"))
      throw HttpError{400, "A change must be a form (application/x-www-form-urlencoded)."};
    const std::optional<Fields> form = detail::parse_urlencoded(req.body);
    if (!form) throw HttpError{400, "Malformed form body."};
    const std::string* csrf = detail::field(*form, "csrf");
    if (csrf == nullptr || !constant_time_equal(*csrf, s.csrf))
      throw HttpError{403, "The form's security token is missing or wrong; reload the page and try again."};
    return post(s, req.path, *form);
  }
  const std::string_view p = req.path;
  if (p == "/" ) return redirect("/users");
  if (p == "/users") return users_page(s, *query);
  if (p == "/users/edit") return user_edit_page(s, *query);
  if (p == "/roles") return roles_page(s);
  if (p == "/roles/show") return role_page(s, *query);
  if (p == "/save") return save_page(s);
  if (p == "/audit") return audit_page(s);
  if (p == "/check") return check_page(s, *query);
  throw HttpError{404, "No such page."};
}

std::string Console::Impl::error_box(const Error& e) const {
  std::string out = "<div class=\"error\" role=\"alert\"><p><strong>" + ht("refused") + ":</strong> " +
                    h(error_code_name(e.code)) + " \u2014 " + h(e.message) + "</p>";
  if (e.code == ErrorCode::kConflict) out += "<p>" + ht("conflict-help") + "</p>";
  if (!e.diagnostics.empty()) {
    out += "<table><caption>" + ht("reason") + "</caption><thead><tr><th scope=\"col\">" + ht("rule") +
           "</th><th scope=\"col\">" + ht("item") + "</th><th scope=\"col\">" + ht("message") +
           "</th></tr></thead><tbody>";
    for (const Diagnostic& d : e.diagnostics) {
      std::string item = d.collection;
      if (!d.item.empty()) item += (item.empty() ? "" : " ") + d.item;
      if (!d.field.empty()) item += (item.empty() ? "" : ".") + d.field;
      out += "<tr><td>" + h(d.rule) + "</td><td>" + h(item) + "</td><td>" + h(d.message) + "</td></tr>";
    }
    out += "</tbody></table>";
  }
  return out + "</div>";
}

Response Console::Impl::page(Session& s, std::string_view nav, std::string_view title, const std::string& content,
                             int status) {
  Page p;
  p.raw("<!DOCTYPE html><html lang=\"").text(options.language).raw("\"><head><meta charset=\"utf-8\">")
      .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>")
      .text(title).raw(" \u00b7 ").text(options.title).raw("</title><style>").raw(kStyle).raw("</style></head><body>");
  p.raw("<header><h1>").text(options.title).raw("</h1><nav aria-label=\"Sections\">");
  for (std::string_view key : {"users", "roles", "audit", "check"}) {
    p.raw("<a href=\"/").raw(key).raw("\"").raw(key == nav ? " aria-current=\"page\"" : "").raw(">")
        .text(t(key)).raw("</a>");
  }
  p.raw("</nav><span>").text(t("actor")).raw(": ").text(options.actor.empty() ? "(system)" : options.actor)
      .raw("</span></header>");
  const std::size_t n = s.tx ? s.tx->changes().size() : 0;
  p.raw("<div class=\"pending").raw(n == 0 ? " none" : "").raw("\" role=\"status\" id=\"pending\"><span>")
      .raw("<strong id=\"pending-count\">").text(std::to_string(n)).raw("</strong> ")
      .text(t(n == 1 ? "pending-one" : "pending")).raw("</span>");
  if (n > 0) {
    p.raw("<a href=\"/save\" id=\"review-save\">").text(t("review-save")).raw("</a>")
        .raw("<form class=\"inline\" method=\"post\" action=\"/cancel\">").raw(csrf_input(s))
        .raw("<button class=\"secondary\" id=\"cancel\">").text(t("cancel")).raw("</button></form>");
  }
  p.raw("</div><main>");
  if (!s.notice.empty()) p.raw("<div class=\"notice\" role=\"status\">").text(s.notice).raw("</div>");
  s.notice.clear();
  if (s.error && nav != "save") {
    p.raw(error_box(*s.error));
    s.error.reset();
  }
  p.raw("<h2>").text(title).raw("</h2>").raw(content).raw("</main></body></html>");
  Response r;
  r.status = status;
  r.body = p.take();
  return r;
}

Transaction& Console::Impl::tx(Session& s) {
  if (!s.tx) {
    auto t = dir->begin(options.actor);
    if (!t) {
      s.error = t.error();
      throw t.error();
    }
    s.tx.emplace(std::move(*t));
  }
  return *s.tx;
}

// Records the outcome of one staged edit for the next page.
void Console::Impl::staged(Session& s, const Result<void>& r, std::string what) {
  if (r) s.notice = std::string(t("staged")) + ": " + what;
  else s.error = r.error();
}

// -- Users ------------------------------------------------------------------------

namespace {

std::string options_html(const std::vector<std::pair<std::string, std::string>>& choices, std::string_view selected) {
  std::string out;
  for (const auto& [value, label] : choices) {
    out += "<option value=\"" + escape_html(value) + "\"" + (value == selected ? " selected" : "") + ">" +
           escape_html(label) + "</option>";
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> role_choices(const Model& m, bool with_empty,
                                                              std::optional<RoleType> type = std::nullopt) {
  std::vector<std::pair<std::string, std::string>> out;
  if (with_empty) out.emplace_back("", "");
  for (const Role& r : m.roles)
    if (!is_hidden_role(r) && (!type || r.type == *type))
      out.emplace_back(r.id, r.name.empty() ? r.id : r.id + " \u2014 " + r.name);
  return out;
}
std::vector<std::pair<std::string, std::string>> group_choices(const Model& m, bool with_empty) {
  std::vector<std::pair<std::string, std::string>> out;
  if (with_empty) out.emplace_back("", "");
  for (const Group& g : m.groups) out.emplace_back(g.id, g.name.empty() ? g.id : g.id + " \u2014 " + g.name);
  return out;
}
std::vector<std::pair<std::string, std::string>> company_choices(const Model& m, bool with_empty) {
  std::vector<std::pair<std::string, std::string>> out;
  if (with_empty) out.emplace_back("", "");
  for (const OurCompany& c : m.our_companies) out.emplace_back(c.id, c.name.empty() ? c.id : c.id + " \u2014 " + c.name);
  return out;
}
std::vector<std::pair<std::string, std::string>> plan_choices(const Model& m) {
  std::vector<std::pair<std::string, std::string>> out{{"", ""}};
  for (const Plan& p : m.plans) out.emplace_back(p.id, p.name.empty() ? p.id : p.id + " \u2014 " + p.name);
  return out;
}

bool contains_ci(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    std::size_t j = 0;
    while (j < needle.size() && lower(hay[i + j]) == lower(needle[j])) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

std::string value_of(const Fields& f, std::string_view name) {
  const std::string* v = detail::field(f, name);
  return v == nullptr ? std::string() : *v;
}

}  // namespace

Response Console::Impl::users_page(Session& s, const Fields& q) {
  const std::shared_ptr<const Model> base = dir->model();
  const Model& m = s.tx ? s.tx->staged() : *base;
  std::string tab = value_of(q, "tab");
  if (tab.empty()) tab = "associates";
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kTabs = {{
      {"associates", "tab-associates"}, {"other", "tab-other"}, {"groups", "tab-groups"},
      {"companies", "tab-companies"}, {"licences", "tab-licences"}}};
  if (std::none_of(kTabs.begin(), kTabs.end(), [&](const auto& k) { return k.first == tab; }))
    throw HttpError{404, "No such tab."};
  std::string c = "<nav class=\"tabs\" aria-label=\"" + ht("users") + "\">";
  for (const auto& [id, key] : kTabs)
    c += "<a href=\"/users?tab=" + std::string(id) + "\"" + (id == tab ? " aria-current=\"page\"" : "") + ">" +
         ht(key) + "</a>";
  c += "</nav>";
  const std::string csrf = csrf_input(s);
  if (tab == "associates" || tab == "other") c += users_tab_html(m, tab, q, csrf);
  else if (tab == "groups") c += groups_tab_html(m, csrf);
  else if (tab == "companies") c += companies_tab_html(m, csrf);
  else c += licences_tab_html(m);
  return page(s, "users", t("users"), c);
}

// The associates tab, or the other users tab (anonymous and system users):
// the filter, the list and the form that adds one.
std::string Console::Impl::users_tab_html(const Model& m, const std::string& tab, const Fields& q,
                                          const std::string& csrf) const {
  const bool other = tab == "other";
  std::string c;
  const std::string search = value_of(q, "q"), role = value_of(q, "role");
  const bool show_retired = value_of(q, "retired") == "1";
  c += "<form method=\"get\" action=\"/users\"><fieldset><legend>" + ht("filter") +
       "</legend><input type=\"hidden\" name=\"tab\" value=\"" + h(tab) + "\">"
       "<label for=\"q\">" + ht("search") + "</label><input id=\"q\" name=\"q\" value=\"" + h(search) + "\"> "
       "<label for=\"role-filter\">" + ht("role") + "</label><select id=\"role-filter\" name=\"role\">" +
       options_html(role_choices(m, true), role) + "</select> "
       "<label><input type=\"checkbox\" name=\"retired\" value=\"1\"" + (show_retired ? " checked" : "") + "> " +
       ht("show-retired") + "</label> <button>" + ht("filter") + "</button></fieldset></form>";
  c += "<table id=\"users\"><caption>" + ht(other ? "tab-other" : "tab-associates") + "</caption><thead><tr>";
  for (std::string_view k : {"id", "name", "type", "role", "primary-group", "company", "plan", "state"})
    c += "<th scope=\"col\">" + ht(k) + "</th>";
  c += "</tr></thead><tbody>";
  std::size_t shown = 0;
  for (const User& u : m.users) {
    const bool is_other = u.type == UserType::kAnonymous || u.type == UserType::kSystem;
    if (is_other != other) continue;
    if (u.retired && !show_retired) continue;
    if (!contains_ci(u.id, search) && !contains_ci(u.name, search)) continue;
    if (!role.empty() && implied_role(u) != role) continue;
    ++shown;
    c += "<tr data-user=\"" + h(u.id) + "\"><th scope=\"row\"><a href=\"/users/edit?id=" + h(url_encode(u.id)) +
         "\">" + h(u.id) + "</a></th><td>" + h(u.name) + "</td><td>" + h(user_type_name(u.type)) + "</td><td>" +
         h(implied_role(u)) + "</td><td>" + h(u.group) + "</td><td>" + h(u.company) + "</td><td>" + h(u.plan) +
         "</td><td>" + h(user_state(u)) + "</td></tr>";
  }
  if (shown == 0) c += "<tr><td colspan=\"8\">" + ht("no-users") + "</td></tr>";
  c += "</tbody></table>";
  // Add.
  std::vector<std::pair<std::string, std::string>> types;
  if (other) types = {{"anonymous", "anonymous"}, {"system", "system"}};
  else types = {{"associate", "associate"}, {"resource", "resource"}, {"external", "external"}};
  c += "<form method=\"post\" action=\"/users/add\" id=\"add-user\"><fieldset><legend>" + ht("add-user") +
       "</legend>" + csrf + "<input type=\"hidden\" name=\"tab\" value=\"" + h(tab) + "\">"
       "<label for=\"new-id\">" + ht("id") + "</label><input id=\"new-id\" name=\"id\" required> "
       "<label for=\"new-name\">" + ht("name") + "</label><input id=\"new-name\" name=\"name\"> "
       "<label for=\"new-type\">" + ht("type") + "</label><select id=\"new-type\" name=\"type\">" +
       options_html(types, "") + "</select> ";
  if (!other) {
    c += "<label for=\"new-company\">" + ht("company") + "</label><select id=\"new-company\" name=\"company\">" +
         options_html(company_choices(m, true), m.our_companies.size() == 1 ? m.our_companies[0].id : "") +
         "</select> <label for=\"new-group\">" + ht("primary-group") +
         "</label><select id=\"new-group\" name=\"group\">" + options_html(group_choices(m, true), "") + "</select> ";
  }
  c += "<label for=\"new-role\">" + ht("role") + "</label><select id=\"new-role\" name=\"role\">" +
       options_html(role_choices(m, true), "") + "</select> <button id=\"add-user-button\">" + ht("add") +
       "</button></fieldset></form>";
  return c;
}

std::string Console::Impl::groups_tab_html(const Model& m, const std::string& csrf) const {
  std::string c;
  c += "<table id=\"groups\"><caption>" + ht("groups-caption") + "</caption><thead><tr><th scope=\"col\">" +
       ht("id") + "</th><th scope=\"col\">" + ht("name") + "</th><th scope=\"col\">" + ht("members") +
       "</th></tr></thead><tbody>";
  for (const Group& g : m.groups) {
    std::size_t members = 0;
    for (const User& u : m.users)
      members += u.group == g.id ||
                 std::find(u.other_groups.begin(), u.other_groups.end(), g.id) != u.other_groups.end();
    c += "<tr><th scope=\"row\">" + h(g.id) + "</th><td>" + h(g.name) + "</td><td>" + std::to_string(members) +
         "</td></tr>";
  }
  c += "</tbody></table><form method=\"post\" action=\"/groups/add\"><fieldset><legend>" + ht("add-group") +
       "</legend>" + csrf + "<label for=\"group-id\">" + ht("id") +
       "</label><input id=\"group-id\" name=\"id\" required> <label for=\"group-name\">" + ht("name") +
       "</label><input id=\"group-name\" name=\"name\"> <button>" + ht("add") + "</button></fieldset></form>";
  return c;
}

std::string Console::Impl::companies_tab_html(const Model& m, const std::string& csrf) const {
  std::string c;
  c += "<table id=\"companies\"><caption>" + ht("companies-caption") + "</caption><thead><tr><th scope=\"col\">" +
       ht("id") + "</th><th scope=\"col\">" + ht("name") + "</th><th scope=\"col\">" + ht("database-owner") +
       "</th><th scope=\"col\">" + ht("users-count") + "</th></tr></thead><tbody>";
  for (const OurCompany& oc : m.our_companies) {
    std::size_t users = 0;
    for (const User& u : m.users) users += u.company == oc.id && u.type != UserType::kExternal;
    c += "<tr><th scope=\"row\">" + h(oc.id) + "</th><td>" + h(oc.name) + "</td><td>" +
         ht(oc.database_owner ? "yes" : "no") + "</td><td>" + std::to_string(users) + "</td></tr>";
  }
  c += "</tbody></table><form method=\"post\" action=\"/companies/add\"><fieldset><legend>" + ht("add-company") +
       "</legend>" + csrf + "<label for=\"company-id\">" + ht("id") +
       "</label><input id=\"company-id\" name=\"id\" required> <label for=\"company-name\">" + ht("name") +
       "</label><input id=\"company-name\" name=\"name\"> <button>" + ht("add") + "</button></fieldset></form>";
  return c;
}

std::string Console::Impl::licences_tab_html(const Model& m) const {
  std::string c;
  c += "<table id=\"licences\"><caption>" + ht("licences-caption") + "</caption><thead><tr><th scope=\"col\">" +
       ht("licence") + "</th><th scope=\"col\">" + ht("kind") + "</th><th scope=\"col\">" + ht("in-use") +
       "</th><th scope=\"col\">" + ht("available") + "</th><th scope=\"col\">" + ht("users") +
       "</th></tr></thead><tbody>";
  for (const LicenceUsage& u : licence_usage(m)) {
    std::string users;
    for (const std::string& id : u.users) users += (users.empty() ? "" : ", ") + id;
    const bool site = u.kind == LicenceKind::kSite;
    c += "<tr data-licence=\"" + h(u.licence) + "\"><th scope=\"row\">" + h(u.licence) + "</th><td>" +
         h(site ? "site" : "user") + "</td><td>" + (site ? "-" : std::to_string(u.in_use)) + "</td><td>" +
         (u.unlimited ? ht("unlimited") : h(std::to_string(u.available()) + " / " +
                                                       std::to_string(u.purchased))) +
         "</td><td>" + h(users) + "</td></tr>";
  }
  c += "</tbody></table>";
  return c;
}

Response Console::Impl::user_edit_page(Session& s, const Fields& q) {
  const std::shared_ptr<const Model> base = dir->model();
  const Model& m = s.tx ? s.tx->staged() : *base;
  const std::string id = value_of(q, "id");
  const User* u = m.find_user(id);
  if (u == nullptr) throw HttpError{404, "No user with this id."};
  const std::string csrf = csrf_input(s);
  const std::string hid = "<input type=\"hidden\" name=\"id\" value=\"" + h(u->id) + "\">";
  std::string c = "<p>" + ht("id") + ": <strong>" + h(u->id) + "</strong> (" + h(user_type_name(u->type)) + ", " +
                  h(user_state(*u)) + ")</p>";
  const bool other = u->type == UserType::kAnonymous || u->type == UserType::kSystem;
  c += "<form method=\"post\" action=\"/users/edit\" id=\"edit-user\"><fieldset><legend>" + ht("edit-user") +
       "</legend>" + csrf + hid + "<p><label for=\"name\">" + ht("name") + "</label><input id=\"name\" name=\"name\" value=\"" +
       h(u->name) + "\"></p>";
  if (u->type != UserType::kSystem) {
    const std::optional<RoleType> rt = role_type_for(u->type);
    c += "<p><label for=\"role\">" + ht("role") + "</label><select id=\"role\" name=\"role\">" +
         options_html(role_choices(m, true, rt), u->role) + "</select></p>";
  }
  if (!other) {
    if (u->type != UserType::kExternal)
      c += "<p><label for=\"company\">" + ht("company") + "</label><select id=\"company\" name=\"company\">" +
           options_html(company_choices(m, true), u->company) + "</select></p>";
    c += "<p><label for=\"group\">" + ht("primary-group") + "</label><select id=\"group\" name=\"group\">" +
         options_html(group_choices(m, true), u->group) + "</select></p><p><label for=\"plan\">" + ht("plan") +
         "</label><select id=\"plan\" name=\"plan\">" + options_html(plan_choices(m), u->plan) + "</select></p>";
    auto multi = [&](std::string_view name, std::string_view label, const std::vector<std::string>& all,
                     const std::vector<std::string>& held) {
      std::string out = "<p><label for=\"" + std::string(name) + "\">" + ht(label) + "</label><input type=\"hidden\" name=\"" +
                        std::string(name) + "_shown\" value=\"1\"><select multiple size=\"4\" id=\"" +
                        std::string(name) + "\" name=\"" + std::string(name) + "\">";
      for (const std::string& item : all)
        out += "<option value=\"" + h(item) + "\"" +
               (std::find(held.begin(), held.end(), item) != held.end() ? " selected" : "") + ">" + h(item) + "</option>";
      return out + "</select></p>";
    };
    std::vector<std::string> group_ids, licence_ids;
    for (const Group& g : m.groups) group_ids.push_back(g.id);
    for (const Licence& l : m.licences)
      if (l.kind == LicenceKind::kUser) licence_ids.push_back(l.id);
    c += multi("other_groups", "other-groups", group_ids, u->other_groups) +
         multi("licences", "licences", licence_ids, u->licences);
  }
  c += "<p><label><input type=\"checkbox\" name=\"can_log_in\" value=\"1\"" + std::string(u->can_log_in ? " checked" : "") +
       "> " + ht("can-log-in") + "</label></p><button id=\"edit-user-button\">" + ht("apply") + "</button></fieldset></form>";
  c += "<fieldset><legend>" + ht("retire-delete") + "</legend>";
  if (u->type == UserType::kAssociate)
    c += "<form class=\"inline\" method=\"post\" action=\"/users/former\">" + csrf + hid + "<button class=\"secondary\">" +
         ht("former") + "</button></form> ";
  c += "<form class=\"inline\" method=\"post\" action=\"/users/retire\">" + csrf + hid + "<button class=\"secondary\">" +
       ht("retire") + "</button></form> <form class=\"inline\" method=\"post\" action=\"/users/delete\">" + csrf + hid +
       "<button class=\"danger\">" + ht("delete") + "</button></form></fieldset>";
  return page(s, "users", t("edit-user"), c);
}

// -- Roles ----------------------------------------------------------------------------

Response Console::Impl::roles_page(Session& s) {
  const std::shared_ptr<const Model> base = dir->model();
  const Model& m = s.tx ? s.tx->staged() : *base;
  std::string c = "<table id=\"roles\"><caption>" + ht("roles-caption") + "</caption><thead><tr>";
  for (std::string_view k : {"id", "name", "type", "users-count", "functional-rights"})
    c += "<th scope=\"col\">" + ht(k) + "</th>";
  c += "</tr></thead><tbody>";
  for (const Role& r : m.roles) {
    if (is_hidden_role(r)) continue;
    std::size_t users = 0;
    for (const User& u : m.users) users += implied_role(u) == r.id;
    c += "<tr data-role=\"" + h(r.id) + "\"><th scope=\"row\"><a href=\"/roles/show?id=" + h(url_encode(r.id)) + "\">" +
         h(r.id) + "</a></th><td>" + h(r.name) + "</td><td>" + h(role_type_name(r.type)) + "</td><td>" +
         std::to_string(users) + "</td><td>" + std::to_string(r.functional_rights.size()) + "</td></tr>";
  }
  c += "</tbody></table>";
  std::vector<std::pair<std::string, std::string>> from{{"", std::string(t("blank-rights"))}};
  for (const auto& choice : role_choices(m, false)) from.push_back(choice);
  c += "<form method=\"post\" action=\"/roles/add\" id=\"add-role\"><fieldset><legend>" + ht("add-role") + "</legend>" +
       csrf_input(s) + "<label for=\"role-id\">" + ht("id") + "</label><input id=\"role-id\" name=\"id\" required> "
       "<label for=\"role-name\">" + ht("name") + "</label><input id=\"role-name\" name=\"name\"> "
       "<label for=\"role-description\">" + ht("description") +
       "</label><input id=\"role-description\" name=\"description\"> <label for=\"role-type\">" + ht("type") +
       "</label><select id=\"role-type\" name=\"type\">" +
       options_html({{"employee", "employee"}, {"external", "external"}}, "employee") +
       "</select> <label for=\"role-from\">" + ht("copy-from") + "</label><select id=\"role-from\" name=\"from\">" +
       options_html(from, "") + "</select> <button>" + ht("add") + "</button></fieldset></form>";
  return page(s, "roles", t("roles"), c);
}

Response Console::Impl::role_page(Session& s, const Fields& q) {
  const std::shared_ptr<const Model> base = dir->model();
  const Model& m = s.tx ? s.tx->staged() : *base;
  const Role* role = m.find_role(value_of(q, "id"));
  if (role == nullptr || is_hidden_role(*role)) throw HttpError{404, "No role with this id."};
  const std::string csrf = csrf_input(s);
  const std::string rid = "<input type=\"hidden\" name=\"role\" value=\"" + h(role->id) + "\">";
  std::string c = "<p>" + h(role->id) + (role->name.empty() ? "" : " \u2014 " + h(role->name)) + " (" +
                  h(role_type_name(role->type)) + ")</p>";
  if (!role->description.empty()) c += "<p>" + h(role->description) + "</p>";
  c += "<form method=\"post\" action=\"/roles/rename\"><fieldset><legend>" + ht("rename-role") + "</legend>" + csrf +
       rid + "<label for=\"rename-name\">" + ht("name") + "</label><input id=\"rename-name\" name=\"name\" value=\"" +
       h(role->name) + "\"> <label for=\"rename-description\">" + ht("description") +
       "</label><input id=\"rename-description\" name=\"description\" size=\"50\" value=\"" + h(role->description) +
       "\"> <button>" + ht("apply") + "</button></fieldset></form>";
  // The grid.
  const std::vector<Relation> rels = grid_relations(role->type);
  c += "<h3>" + ht("data-rights") + "</h3><form method=\"post\" action=\"/roles/cells\" id=\"grid\">" + csrf + rid +
       "<table class=\"grid\"><caption>" + ht("data-rights-caption") + "</caption><thead><tr><th scope=\"col\">" +
       ht("object") + "</th>";
  for (Relation rel : rels) c += "<th scope=\"col\">" + h(relation_name(rel)) + "</th>";
  c += "</tr></thead><tbody>";
  for (const std::string& obj : object_ids(m)) {
    c += "<tr><th scope=\"row\">" + h(obj) + "</th>";
    for (Relation rel : rels) {
      const TableRights cell = role->cell(obj, rel);
      const std::string_view level = cell_level_id(cell);
      const std::string name = "c:" + obj + ":" + std::string(relation_name(rel));
      c += "<td class=\"" + std::string(level) + "\"><label><span class=\"sr\">" + h(obj) + " \u00d7 " +
           h(relation_name(rel)) + "</span><select name=\"" + h(name) + "\">";
      if (level == "custom")
        c += "<option value=\"custom\" selected>" + h(cell.to_crud()) + "</option>";
      for (std::string_view l : kLevels)
        c += "<option value=\"" + std::string(l) + "\"" + (l == level ? " selected" : "") + ">" + std::string(l) +
             "</option>";
      c += "</select></label></td>";
    }
    c += "</tr>";
  }
  c += "</tbody></table><button id=\"apply-grid\">" + ht("apply-cells") + "</button></form>";
  // Functional rights.
  if (role->type != RoleType::kAnonymous) {
    std::vector<std::pair<std::string, std::string>> catalog;
    for (const BuiltinRight& b : kBuiltinRights) catalog.emplace_back(std::string(b.id), std::string(b.name));
    for (const FunctionalRightDef& f : m.functional_rights) catalog.emplace_back(f.id, f.name);
    auto right_table = [&](bool held) {
      std::string out = "<table id=\"" + std::string(held ? "held-rights" : "available-rights") + "\"><caption>" +
                        ht(held ? "role-can" : "available-rights") + "</caption><thead><tr><th scope=\"col\">" +
                        ht("right") + "</th><th scope=\"col\">" + ht("name") + "</th><th scope=\"col\">" +
                        ht("change") + "</th></tr></thead><tbody>";
      for (const auto& [id, name] : catalog) {
        if (role->has_right(id) != held) continue;
        out += "<tr><th scope=\"row\">" + h(id) + "</th><td>" + h(name) + "</td><td><form class=\"inline\" method=\"post\" action=\"/roles/" +
               std::string(held ? "revoke" : "grant") + "\">" + csrf + rid + "<input type=\"hidden\" name=\"right\" value=\"" +
               h(id) + "\"><button class=\"secondary\" aria-label=\"" + h((held ? "Remove " : "Add ") + id) + "\">" +
               std::string(held ? "\u2190" : "\u2192") + "</button></form></td></tr>";
      }
      return out + "</tbody></table>";
    };
    c += "<h3>" + ht("functional-rights") + "</h3><div class=\"columns\">" + right_table(true) + right_table(false) +
         "</div>";
  }
  // Copy and delete.
  c += "<form method=\"post\" action=\"/roles/copy\"><fieldset><legend>" + ht("copy-role") + "</legend>" + csrf +
       "<input type=\"hidden\" name=\"from\" value=\"" + h(role->id) + "\"><label for=\"copy-id\">" + ht("new-id") +
       "</label><input id=\"copy-id\" name=\"id\" required> <label for=\"copy-name\">" + ht("name") +
       "</label><input id=\"copy-name\" name=\"name\"> <button>" + ht("copy") + "</button></fieldset></form>";
  c += "<form method=\"post\" action=\"/roles/delete\"><fieldset><legend>" + ht("delete-role") + "</legend>" + csrf +
       "<input type=\"hidden\" name=\"id\" value=\"" + h(role->id) + "\"><label for=\"replacement\">" +
       ht("replacement") + "</label><select id=\"replacement\" name=\"replacement\">";
  for (const auto& [id, label] : role_choices(m, false, role->type))
    if (id != role->id) c += "<option value=\"" + h(id) + "\">" + h(label) + "</option>";
  c += "</select> <button class=\"danger\">" + ht("delete") + "</button></fieldset></form>";
  return page(s, "roles", std::string(t("role")) + " " + role->id, c);
}

// -- Save, Audit, Check ----------------------------------------------------------------

Response Console::Impl::save_page(Session& s) {
  std::string c;
  if (s.error) {
    c += error_box(*s.error);
    s.error.reset();
  }
  const std::vector<Change> changes = s.tx ? s.tx->changes() : std::vector<Change>{};
  if (changes.empty()) {
    c += "<p>" + ht("no-changes") + "</p>";
    return page(s, "save", t("save"), c);
  }
  c += "<p>" + ht("save-help") + "</p><table id=\"changes\"><caption>" + ht("save-caption") +
       "</caption><thead><tr><th scope=\"col\">" + ht("change") + "</th><th scope=\"col\">" + ht("kind") +
       "</th><th scope=\"col\">" + ht("id") + "</th><th scope=\"col\">" + ht("changes") + "</th></tr></thead><tbody>";
  for (const Change& ch : changes)
    c += "<tr><td>" + h(change_op(ch)) + "</td><td>" + h(entity_kind_word(ch.kind)) + "</td><th scope=\"row\">" + h(ch.id) +
         "</th><td>" + h(change_details(ch)) + "</td></tr>";
  c += "</tbody></table>";
  if (auto preview = s.tx->preview(); !preview) c += error_box(preview.error());
  c += "<form class=\"inline\" method=\"post\" action=\"/save\">" + csrf_input(s) + "<button id=\"confirm-save\">" +
       ht("confirm-save") + "</button></form> <form class=\"inline\" method=\"post\" action=\"/cancel\">" +
       csrf_input(s) + "<button class=\"secondary\">" + ht("cancel") + "</button></form><p>" + ht("cancel-help") + "</p>";
  return page(s, "save", t("save"), c);
}

Response Console::Impl::audit_page(Session& s) {
  auto entries = dir->audit();
  if (!entries) throw entries.error();
  std::string c = "<table id=\"audit\"><caption>" + ht("audit-caption") + "</caption><thead><tr>";
  for (std::string_view k : {"version", "time", "actor", "outcome", "changes"})
    c += "<th scope=\"col\">" + ht(k) + "</th>";
  c += "</tr></thead><tbody>";
  std::size_t shown = 0;
  for (auto it = entries->rbegin(); it != entries->rend() && shown < 500; ++it, ++shown) {
    const AuditEntry& e = *it;
    std::string changes;
    for (const Change& ch : e.changes) {
      std::string line = std::string(change_op(ch)) + " " + std::string(entity_kind_word(ch.kind)) + " " + ch.id;
      const std::string d = change_details(ch);
      if (!d.empty()) line += " (" + d + ")";
      changes += "<li>" + h(line) + "</li>";
    }
    c += "<tr><th scope=\"row\">" + std::to_string(e.version) + "</th><td>" + h(format_time(e.time)) + "</td><td>" +
         h(e.actor.empty() ? "(system)" : e.actor) + "</td><td>" +
         (e.refused ? ht("refused") + ": " + h(e.reason) : ht("committed")) + "</td><td><ul>" + changes +
         "</ul></td></tr>";
  }
  if (shown == 0) c += "<tr><td colspan=\"5\">" + ht("no-entries") + "</td></tr>";
  c += "</tbody></table>";
  return page(s, "audit", t("audit"), c);
}

Response Console::Impl::check_page(Session& s, const Fields& q) {
  const std::shared_ptr<const DirectoryState> state = dir->state();
  const Model& m = state->model;
  const Snapshot& snap = state->snapshot;
  std::string c = check_form_html(m, q);
  const std::string user = value_of(q, "user");
  if (!user.empty()) {
    const UserIndex u = snap.find_user(user);
    if (u == kUnknownUser) throw HttpError{404, "No user with this id."};
    const std::optional<Action> act = parse_action(value_of(q, "action"));
    if (!act) throw HttpError{400, "The action must be read, create, update or delete."};
    c += decision_html(snap, m, u, *act, check_record(snap, q));
  }
  return page(s, "check", t("check"), c);
}

// The check form, filled in with the query's values.
std::string Console::Impl::check_form_html(const Model& m, const Fields& q) const {
  const std::string user = value_of(q, "user"), action_s = value_of(q, "action"), object = value_of(q, "object"),
                    owner = value_of(q, "owner"), group = value_of(q, "group"), vis = value_of(q, "visibility");
  const bool published = value_of(q, "published") == "1", completed = value_of(q, "completed") == "1",
             is_new = value_of(q, "new") == "1";
  std::vector<std::pair<std::string, std::string>> users, owners{{"", "(none)"}}, objects, groups{{"", std::string(t("default-group"))}},
      visibility{{"all", std::string(t("all"))}};
  for (const User& u : m.users) {
    users.emplace_back(u.id, u.name.empty() ? u.id : u.id + " \u2014 " + u.name);
    owners.emplace_back(u.id, u.id);
    if (u.type == UserType::kAssociate) visibility.emplace_back("associate:" + u.id, "associate " + u.id);
  }
  for (const std::string& o : object_ids(m)) objects.emplace_back(o, o);
  for (const Group& g : m.groups) {
    groups.emplace_back(g.id, g.id);
    visibility.emplace_back("group:" + g.id, "group " + g.id);
  }
  const std::vector<std::pair<std::string, std::string>> actions = {
      {"read", "read"}, {"create", "create"}, {"update", "update"}, {"delete", "delete"}};
  std::string c = "<p>" + ht("check-help") + "</p><form method=\"get\" action=\"/check\" id=\"check\"><fieldset><legend>" +
                  ht("check") + "</legend>"
                  "<label for=\"check-user\">" + ht("user") + "</label><select id=\"check-user\" name=\"user\">" +
                  options_html(users, user) + "</select> <label for=\"check-action\">" + ht("action") +
                  "</label><select id=\"check-action\" name=\"action\">" + options_html(actions, action_s) +
                  "</select> <label for=\"check-object\">" + ht("object") +
                  "</label><select id=\"check-object\" name=\"object\">" + options_html(objects, object) +
                  "</select></fieldset><fieldset><legend>" + ht("options") + "</legend><label for=\"check-owner\">" +
                  ht("owner") + "</label><select id=\"check-owner\" name=\"owner\">" + options_html(owners, owner) +
                  "</select> <label for=\"check-group\">" + ht("group") +
                  "</label><select id=\"check-group\" name=\"group\">" + options_html(groups, group) +
                  "</select> <label for=\"check-visibility\">" + ht("visibility") +
                  "</label><select id=\"check-visibility\" name=\"visibility\">" + options_html(visibility, vis) +
                  "</select> ";
  for (const auto& [name, on] : {std::pair<std::string_view, bool>{"published", published}, {"completed", completed},
                                 {"new", is_new}})
    c += "<label><input type=\"checkbox\" name=\"" + std::string(name) + "\" value=\"1\"" + (on ? " checked" : "") + "> " +
         ht(name) + "</label> ";
  c += "<button id=\"check-run\">" + ht("check-run") + "</button></fieldset></form>";
  return c;
}

// The record the check form describes; an unknown id is 404, a malformed
// visibility 400.
Record Console::Impl::check_record(const Snapshot& snap, const Fields& q) const {
  const std::string object = value_of(q, "object"), owner = value_of(q, "owner"), group = value_of(q, "group"),
                    vis = value_of(q, "visibility");
  Record r;
  r.object = snap.find_object(object);
  if (r.object == kUnknownObject) throw HttpError{404, "No data object with this id."};
  if (!owner.empty()) {
    r.owner = snap.find_user(owner);
    if (r.owner == kUnknownUser) throw HttpError{404, "No owner with this id."};
  }
  if (!group.empty()) {
    r.group = snap.find_group(group);
    if (r.group == kUnknownGroup) throw HttpError{404, "No group with this id."};
  }
  if (vis.starts_with("group:")) {
    const GroupIndex g = snap.find_group(std::string_view(vis).substr(6));
    if (g == kUnknownGroup) throw HttpError{404, "No group with this id."};
    r.visibility = Visibility::group(g);
  } else if (vis.starts_with("associate:")) {
    const UserIndex a = snap.find_user(std::string_view(vis).substr(10));
    if (a == kUnknownUser) throw HttpError{404, "No user with this id."};
    r.visibility = Visibility::associate(a);
  } else if (!vis.empty() && vis != "all") {
    throw HttpError{400, "Visibility must be all, group:ID or associate:ID."};
  }
  r.published = value_of(q, "published") == "1";
  r.completed = value_of(q, "completed") == "1";
  r.is_new = value_of(q, "new") == "1";
  return r;
}

// The decision with its layers, and who else the same check allows.
std::string Console::Impl::decision_html(const Snapshot& snap, const Model& m, UserIndex u, Action action,
                                         const Record& r) const {
  const Explanation e = snap.explain(u, action, r);
  std::string c = "<section id=\"decision\" aria-live=\"polite\"><p>" + ht("decision") + ": <span class=\"" +
                  std::string(e.allowed ? "allow" : "deny") + "\" id=\"decision-value\">" +
                  (e.allowed ? "allow" : "deny") + "</span> \u2014 " + h(snap.explain_reason(e)) + "</p>";
  c += "<table id=\"layers\"><caption>" + ht("check-caption") + "</caption><thead><tr><th scope=\"col\">" +
       ht("layer") + "</th><th scope=\"col\">" + ht("applied") + "</th><th scope=\"col\">" + ht("removed") +
       "</th><th scope=\"col\">" + ht("after") + "</th></tr></thead><tbody>";
  if (e.outcome == Outcome::kEvaluated) {
    c += "<tr><th scope=\"row\">" + ht("relation") + " / " + ht("cell") + "</th><td>" + h(relation_name(e.relation)) +
         ", " + ht("role") + " " + h(snap.role_id(e.role)) + "</td><td></td><td>" + h(e.cell.to_string()) + "</td></tr>";
    for (const LayerEffect& l : e.layers)
      c += "<tr><th scope=\"row\">" + h(kLayerNames[static_cast<std::size_t>(l.layer)]) + "</th><td>" +
           ht(l.applied ? "yes" : "no") + "</td><td>" + h(l.removed.bits() == 0 ? "" : l.removed.to_string()) +
           "</td><td>" + h(l.after.to_string()) + "</td></tr>";
  }
  c += "<tr><th scope=\"row\">" + ht("rights") + "</th><td></td><td></td><td>" + h(e.rights.to_string()) +
       "</td></tr></tbody></table><pre>" + h(snap.explain_text(e)) + "</pre></section>";
  // Who else can: every user for whom the same check allows (who_can, set
  // algebra over the snapshot), in id order; the first 200 listed.
  if (Result<QueryIndex> index = QueryIndex::build(snap, m)) {
    UserSet who = index->make_set();
    const std::size_t n = index->who_can(action, r, who);
    c += "<section id=\"who-can\"><h2>" + ht("who-can") + " (" + std::to_string(n) + ")</h2><ul>";
    std::size_t listed = 0;
    for (const UserIndex w : who) {
      if (++listed > 200) break;
      c += "<li>" + h(snap.user_id(w)) + "</li>";
    }
    c += "</ul>";
    if (n > 200) c += "<p>" + ht("who-can-more") + "</p>";
    c += "</section>";
  }
  return c;
}

// -- Changes (POST) --------------------------------------------------------------------

namespace {

// A form field the action cannot do without (400 when missing).
std::string need(const Fields& f, std::string_view name) {
  const std::string* v = detail::field(f, name);
  if (v == nullptr) throw HttpError{400, "The form lacks the field " + std::string(name) + "."};
  return *v;
}

}  // namespace

Response Console::Impl::post(Session& s, std::string_view path, const Fields& f) {
  try {
    if (std::optional<Response> r = post_session(s, path)) return std::move(*r);
    if (std::optional<Response> r = post_users(s, path, f)) return std::move(*r);
    if (std::optional<Response> r = post_roles(s, path, f)) return std::move(*r);
  } catch (const Error& e) {
    s.error = e;
    return redirect("/save");
  }
  throw HttpError{404, "No such action."};
}

std::optional<Response> Console::Impl::post_session(Session& s, std::string_view path) {
  if (path == "/cancel") {
    const std::size_t n = s.tx ? s.tx->changes().size() : 0;
    if (s.tx) s.tx->rollback();
    s.tx.reset();
    s.error.reset();
    s.notice = std::string(t("cancelled")) + " (" + std::to_string(n) + ")";
    return redirect("/users");
  }
  if (path == "/save") {
    if (!s.tx || !s.tx->has_changes()) {
      s.notice = std::string(t("no-changes"));
      return redirect("/save");
    }
    auto done = s.tx->commit();
    if (!done) {
      s.error = done.error();  // the staged edits stay
      return redirect("/save");
    }
    s.tx.reset();
    s.notice = std::string(t("saved")) + ": version " + std::to_string(done->version) + ", " +
               std::to_string(done->changes.size()) + " " + std::string(t("changes"));
    return redirect("/audit");
  }
  return std::nullopt;
}

std::optional<Response> Console::Impl::post_users(Session& s, std::string_view path, const Fields& f) {
  if (path == "/users/add") {
    const std::string tab = value_of(f, "tab") == "other" ? "other" : "associates";
    User u;
    u.id = need(f, "id");
    u.name = value_of(f, "name");
    const auto type = parse_user_type(value_of(f, "type"));
    if (!type) throw HttpError{400, "Unknown user type."};
    u.type = *type;
    u.company = value_of(f, "company");
    u.group = value_of(f, "group");
    u.role = value_of(f, "role");
    staged(s, tx(s).add_user(std::move(u)), "add user " + need(f, "id"));
    return redirect("/users?tab=" + tab);
  }
  if (path == "/users/edit") {
    const std::string id = need(f, "id");
    const User* old = tx(s).staged().find_user(id);
    if (old == nullptr) throw HttpError{404, "No user with this id."};
    User u = *old;
    if (const std::string* v = detail::field(f, "name")) u.name = *v;
    if (const std::string* v = detail::field(f, "role")) u.role = *v;
    if (const std::string* v = detail::field(f, "company")) u.company = *v;
    if (const std::string* v = detail::field(f, "group")) u.group = *v;
    if (const std::string* v = detail::field(f, "plan")) u.plan = *v;
    if (detail::field(f, "other_groups_shown") != nullptr) u.other_groups = detail::fields(f, "other_groups");
    if (detail::field(f, "licences_shown") != nullptr) u.licences = detail::fields(f, "licences");
    u.can_log_in = value_of(f, "can_log_in") == "1";
    staged(s, tx(s).put_user(std::move(u)), "edit user " + id);
    return redirect("/users/edit?id=" + url_encode(id));
  }
  if (path == "/users/retire" || path == "/users/former" || path == "/users/delete") {
    const std::string id = need(f, "id");
    if (tx(s).staged().find_user(id) == nullptr) throw HttpError{404, "No user with this id."};
    if (path == "/users/retire") staged(s, tx(s).retire_user(id), "retire user " + id);
    else if (path == "/users/former") staged(s, tx(s).mark_former_employee(id), "former employee " + id);
    else staged(s, tx(s).delete_user(id), "delete user " + id);
    return redirect(path == "/users/delete" ? "/users" : "/users/edit?id=" + url_encode(id));
  }
  if (path == "/groups/add") {
    const std::string id = need(f, "id");
    if (tx(s).staged().find_group(id) != nullptr) s.error = Error(ErrorCode::kAlreadyExists, "group " + id + " exists");
    else staged(s, tx(s).put_group(Group{id, value_of(f, "name")}), "add group " + id);
    return redirect("/users?tab=groups");
  }
  if (path == "/companies/add") {
    const std::string id = need(f, "id");
    if (tx(s).staged().find_our_company(id) != nullptr)
      s.error = Error(ErrorCode::kAlreadyExists, "company " + id + " exists");
    else staged(s, tx(s).put_our_company(OurCompany{id, value_of(f, "name"), false}), "add company " + id);
    return redirect("/users?tab=companies");
  }
  return std::nullopt;
}

std::optional<Response> Console::Impl::post_roles(Session& s, std::string_view path, const Fields& f) {
  if (path == "/roles/cells") return post_role_cells(s, f);
  if (path == "/roles/grant" || path == "/roles/revoke") {
    const std::string id = need(f, "role"), right = need(f, "right");
    if (tx(s).staged().find_role(id) == nullptr) throw HttpError{404, "No role with this id."};
    const bool grant = path == "/roles/grant";
    staged(s, grant ? tx(s).grant_right(id, right) : tx(s).revoke_right(id, right),
           std::string(grant ? "grant " : "revoke ") + right + " (" + id + ")");
    return redirect("/roles/show?id=" + url_encode(id));
  }
  if (path == "/roles/copy") {
    const std::string from = need(f, "from"), id = need(f, "id");
    if (tx(s).staged().find_role(from) == nullptr) throw HttpError{404, "No role with this id."};
    staged(s, tx(s).copy_role(from, id, value_of(f, "name")), "copy role " + from + " to " + id);
    return redirect(s.error ? "/roles/show?id=" + url_encode(from) : "/roles/show?id=" + url_encode(id));
  }
  if (path == "/roles/add") {
    const std::string id = need(f, "id"), from = value_of(f, "from"), name = value_of(f, "name"),
                      description = value_of(f, "description");
    if (from.empty()) {
      Role role;
      role.id = id;
      role.name = name;
      role.description = description;
      const auto type = parse_role_type(value_of(f, "type"));
      if (!type || *type == RoleType::kSystem || *type == RoleType::kAnonymous)
        throw HttpError{400, "A new role is an employee or an external role."};
      role.type = *type;
      staged(s, tx(s).create_role(std::move(role)), "add role " + id);
    } else {
      if (tx(s).staged().find_role(from) == nullptr) throw HttpError{404, "No role with this id."};
      Result<void> r = tx(s).copy_role(from, id, name);
      if (r && !description.empty()) r = tx(s).rename_role(id, name, description);
      staged(s, r, "add role " + id + " (copy of " + from + ")");
    }
    return redirect(s.error ? "/roles" : "/roles/show?id=" + url_encode(id));
  }
  if (path == "/roles/rename") {
    const std::string id = need(f, "role");
    if (tx(s).staged().find_role(id) == nullptr) throw HttpError{404, "No role with this id."};
    staged(s, tx(s).rename_role(id, value_of(f, "name"), value_of(f, "description")), "rename role " + id);
    return redirect("/roles/show?id=" + url_encode(id));
  }
  if (path == "/roles/delete") {
    const std::string id = need(f, "id"), replacement = need(f, "replacement");
    if (tx(s).staged().find_role(id) == nullptr) throw HttpError{404, "No role with this id."};
    staged(s, tx(s).delete_role(id, replacement), "delete role " + id);
    return redirect(s.error ? "/roles/show?id=" + url_encode(id) : "/roles");
  }
  return std::nullopt;
}

Response Console::Impl::post_role_cells(Session& s, const Fields& f) {
  const std::string id = need(f, "role");
  const Role* role = tx(s).staged().find_role(id);
  if (role == nullptr || is_hidden_role(*role)) throw HttpError{404, "No role with this id."};
  const Role before = *role;
  std::size_t n = 0;
  for (const auto& [name, value] : f) {
    if (!name.starts_with("c:")) continue;
    const std::size_t colon = name.rfind(':');
    if (colon <= 2) throw HttpError{400, "Malformed grid cell name."};
    const std::string object = name.substr(2, colon - 2);
    const auto rel = parse_relation(std::string_view(name).substr(colon + 1));
    if (!rel) throw HttpError{400, "Unknown relation in the grid."};
    if (value == "custom") continue;
    const auto rights = level_rights(value);
    if (!rights) throw HttpError{400, "Unknown level in the grid."};
    if (before.cell(object, *rel) == *rights) continue;
    const Result<void> r = tx(s).set_data_right(id, object, *rel, *rights);
    if (!r) {
      s.error = r.error();
      return redirect("/roles/show?id=" + url_encode(id));
    }
    ++n;
  }
  s.notice = std::string(t("staged")) + ": " + std::to_string(n) + " " + std::string(t("cells-changed")) + " (" + id + ")";
  return redirect("/roles/show?id=" + url_encode(id));
}

}  // namespace console
SORIGHTS_END_NAMESPACE
