// The console's HTTP behaviour through Console::handle, without a server
// (label `console`): access by one-time token, sessions, CSRF, the status
// codes of bad requests, HTML escaping, and Save / Cancel / refusals /
// conflicts as the Users screen has them.
#include <catch2/catch.hpp>

#include <memory>
#include <regex>
#include <string>

#include "sorights/console/console.hpp"
#include "sorights/sorights.hpp"

using namespace sorights;
using console::Console;
using console::Request;
using console::Response;

namespace {

Model small_model() {
  Model m = Model::with_defaults();
  m.our_companies.push_back({"acme", "Acme", true});
  m.groups.push_back({"sales", "Sales"});
  m.users.push_back({.id = "ada", .name = "Ada Admin", .company = "acme", .role = "level-0", .group = "sales"});
  m.users.push_back({.id = "lars", .name = "Lars Level3", .company = "acme", .role = "level-3", .group = "sales"});
  return m;
}

std::shared_ptr<Directory> open_directory() {
  auto dir = Directory::open(std::make_shared<InMemoryStorage>(StoredModel{small_model(), 1}));
  REQUIRE(dir);
  return *dir;
}

std::string header(const Response& r, std::string_view name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return {};
}

// A client with a cookie jar of one cookie.
struct Client {
  Console& console;
  std::string cookie;

  Response get(std::string path, std::string query = {}) {
    Request r{.method = "GET", .path = std::move(path), .query = std::move(query)};
    if (!cookie.empty()) r.headers.emplace_back("Cookie", "sorights_session=" + cookie);
    return console.handle(r);
  }
  Response post(std::string path, std::string body) {
    Request r{.method = "POST", .path = std::move(path), .body = std::move(body)};
    r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    if (!cookie.empty()) r.headers.emplace_back("Cookie", "sorights_session=" + cookie);
    return console.handle(r);
  }
  void login() {
    const Response r = get("/", "token=" + console.issue_access_token());
    REQUIRE(r.status == 303);
    const std::string set = header(r, "Set-Cookie");
    REQUIRE(set.find("HttpOnly") != std::string::npos);
    REQUIRE(set.find("SameSite=Strict") != std::string::npos);
    cookie = set.substr(set.find('=') + 1, 32);
  }
  std::string csrf() {
    const Response r = get("/users");
    std::smatch m;
    REQUIRE(std::regex_search(r.body, m, std::regex(R"re(name="csrf" value="([0-9a-f]{32})")re")));
    return m[1];
  }
  std::size_t pending() {
    const Response r = get("/users");
    std::smatch m;
    REQUIRE(std::regex_search(r.body, m, std::regex(R"re(<strong id="pending-count">(\d+)</strong>)re")));
    return std::stoul(m[1]);
  }
};

std::unique_ptr<Console> make_console(std::shared_ptr<Directory> dir, std::string actor = {}) {
  auto c = Console::create(std::move(dir), {.actor = std::move(actor), .max_body_bytes = 4096});
  REQUIRE(c);
  return std::move(*c);
}

/// A console on the demo directory and a client logged in to it, with its session's CSRF token.
struct Session {
  Session() {
    client.login();
    csrf = client.csrf();
  }
  std::shared_ptr<Directory> dir = open_directory();
  std::unique_ptr<Console> console = make_console(dir);
  Client client{*console, {}};
  std::string csrf;
};

}  // namespace

TEST_CASE("console: without a session every page is 401 with a page saying how to get in", "[console]") {
  auto c = make_console(open_directory());
  Client client{*c, {}};
  for (const char* path : {"/", "/users", "/roles", "/audit", "/check", "/save"}) {
    const Response r = client.get(path);
    CHECK(r.status == 401);
    CHECK(r.body.find("sorights serve") != std::string::npos);
  }
  client.cookie = std::string(32, 'a');  // a made-up session id
  CHECK(client.get("/users").status == 401);
  CHECK(client.post("/users/add", "id=x").status == 401);
}

TEST_CASE("console: the access token works once and sets an HttpOnly SameSite=Strict cookie", "[console]") {
  auto c = make_console(open_directory());
  const std::string token = c->issue_access_token();
  CHECK(token.size() == 32);
  Client first{*c, {}};
  const Response r = first.get("/", "token=" + token);
  CHECK(r.status == 303);
  CHECK(header(r, "Location") == "/users");
  CHECK(header(r, "Set-Cookie").find("; Path=/; HttpOnly; SameSite=Strict") != std::string::npos);
  Client second{*c, {}};
  CHECK(second.get("/", "token=" + token).status == 401);
  CHECK(second.get("/", "token=").status == 401);
  CHECK(second.get("/", "token=" + std::string(32, '0')).status == 401);
}

TEST_CASE("console: a change without the CSRF token is 403 and changes nothing", "[console]") {
  auto c = make_console(open_directory());
  Client client{*c, {}};
  client.login();
  CHECK(client.post("/users/add", "id=mallory&type=associate").status == 403);
  CHECK(client.post("/users/add", "id=mallory&type=associate&csrf=" + std::string(32, '0')).status == 403);
  CHECK(client.post("/save", "").status == 403);
  CHECK(client.pending() == 0);
  // Another session's token is no good either.
  Client other{*c, {}};
  other.login();
  CHECK(client.post("/users/add", "id=mallory&type=associate&csrf=" + other.csrf()).status == 403);
  CHECK(client.pending() == 0);
}

TEST_CASE_METHOD(Session, "console: malformed requests are 400, unknown ids 404, oversized bodies 413", "[console]") {
  CHECK(client.get("/users", "q=%zz").status == 400);
  CHECK(client.get("/users", "q=%4").status == 400);
  CHECK(client.get("users").status == 400);
  CHECK(client.post("/users/add", "csrf=" + csrf + "&id=%G1").status == 400);
  CHECK(client.post("/users/add", "csrf=" + csrf).status == 400);  // no id
  CHECK(client.post("/users/add", "csrf=" + csrf + "&id=x&type=robot").status == 400);
  CHECK(client.post("/roles/cells", "csrf=" + csrf + "&role=level-3&c:sale:nowhere=read").status == 400);
  CHECK(client.post("/roles/cells", "csrf=" + csrf + "&role=level-3&c:sale:own=everything").status == 400);
  CHECK(client.get("/check", "user=ada&action=fly&object=sale").status == 400);
  Request put{.method = "PUT", .path = "/users"};
  CHECK(console->handle(put).status == 405);

  CHECK(client.get("/users/edit", "id=nobody").status == 404);
  CHECK(client.get("/roles/show", "id=nope").status == 404);
  CHECK(client.get("/roles/show", "id=system").status == 404);  // the system role is not shown
  CHECK(client.get("/check", "user=nobody&action=read&object=sale").status == 404);
  CHECK(client.get("/check", "user=ada&action=read&object=spaceship").status == 404);
  CHECK(client.get("/users", "tab=nope").status == 404);
  CHECK(client.get("/no/such/page").status == 404);
  CHECK(client.post("/users/retire", "csrf=" + csrf + "&id=nobody").status == 404);

  CHECK(client.post("/users/add", "csrf=" + csrf + "&id=" + std::string(5000, 'x')).status == 413);
  CHECK(client.pending() == 0);
}

TEST_CASE_METHOD(Session, "console: hostile ids and names are HTML-escaped on every page", "[console]") {
  // id <i>&"x'  name "><script>alert(1)</script>
  REQUIRE(client.post("/users/add", "csrf=" + csrf +
                                        "&id=%3Ci%3E%26%22x%27&type=associate&company=acme&group=sales&role=level-3"
                                        "&name=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E")
              .status == 303);
  for (const auto& [path, query] : std::initializer_list<std::pair<const char*, const char*>>{
           {"/users", ""}, {"/save", ""}, {"/users/edit", "id=%3Ci%3E%26%22x%27"}}) {
    const Response r = client.get(path, query);
    INFO(path);
    CHECK(r.status == 200);
    CHECK(r.body.find("<script>") == std::string::npos);
    CHECK(r.body.find("<i>") == std::string::npos);
    CHECK(r.body.find("&lt;i&gt;&amp;&quot;x&#39;") != std::string::npos);
  }
  CHECK(client.get("/users").body.find("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
}

TEST_CASE_METHOD(Session, "console: edits accumulate until Save, which commits them and shows them in the audit",
                 "[console]") {
  const std::uint64_t v0 = dir->version();
  CHECK(client.post("/users/add", "csrf=" + csrf + "&id=nina&type=associate&company=acme&group=sales&role=level-3")
            .status == 303);
  CHECK(client.post("/roles/cells", "csrf=" + csrf + "&role=level-3&c:sale:own=none").status == 303);
  CHECK(client.pending() == 2);
  CHECK(dir->version() == v0);  // nothing visible before Save
  CHECK(dir->model()->find_user("nina") == nullptr);
  const Response confirm = client.get("/save");
  CHECK(confirm.body.find("nina") != std::string::npos);
  CHECK(confirm.body.find("sale \u00d7 own") != std::string::npos);
  CHECK(confirm.body.find("id=\"confirm-save\"") != std::string::npos);
  const Response saved = client.post("/save", "csrf=" + csrf);
  CHECK(saved.status == 303);
  CHECK(header(saved, "Location") == "/audit");
  CHECK(dir->version() == v0 + 1);
  CHECK(dir->model()->find_user("nina") != nullptr);
  CHECK(dir->model()->find_role("level-3")->cell("sale", Relation::kOwn) == TableRights::from_bits(0));
  CHECK(client.pending() == 0);
  const Response audit = client.get("/audit");
  CHECK(audit.body.find("added user nina") != std::string::npos);
  CHECK(audit.body.find("changed role level-3") != std::string::npos);
}

TEST_CASE_METHOD(Session, "console: Cancel drops every pending change", "[console]") {
  CHECK(client.post("/groups/add", "csrf=" + csrf + "&id=support&name=Support").status == 303);
  CHECK(client.post("/users/retire", "csrf=" + csrf + "&id=lars").status == 303);
  CHECK(client.pending() == 2);
  CHECK(client.post("/cancel", "csrf=" + csrf).status == 303);
  CHECK(client.pending() == 0);
  CHECK(dir->model()->find_group("support") == nullptr);
  CHECK_FALSE(dir->model()->find_user("lars")->retired);
}

TEST_CASE("console: a refused Save shows the rule and item and keeps the staged edits", "[console]") {
  auto dir = open_directory();
  auto c = make_console(dir, "lars");  // level-3: no admin-users
  Client client{*c, {}};
  client.login();
  const std::string csrf = client.csrf();
  CHECK(client.post("/users/add", "csrf=" + csrf + "&id=nina&type=associate&company=acme&group=sales&role=level-3")
            .status == 303);
  const Response refused = client.post("/save", "csrf=" + csrf);
  CHECK(refused.status == 303);
  CHECK(header(refused, "Location") == "/save");
  const Response page = client.get("/save");
  CHECK(page.body.find("permission-denied") != std::string::npos);
  CHECK(page.body.find("nina") != std::string::npos);
  CHECK(client.pending() == 1);  // still staged
  CHECK(dir->model()->find_user("nina") == nullptr);
  auto audit = dir->audit();
  REQUIRE(audit);
  CHECK(audit->back().refused);
}

TEST_CASE_METHOD(Session, "console: a conflict with another administrator is shown and the edits stay", "[console]") {
  CHECK(client.post("/users/edit", "csrf=" + csrf + "&id=lars&name=Lars+One&can_log_in=1").status == 303);
  {  // another administrator saves an edit of the same user first
    auto other = dir->begin();
    REQUIRE(other);
    REQUIRE(other->edit_user("lars", [](User& u) { u.name = "Lars Two"; }));
    REQUIRE(other->commit());
  }
  CHECK(client.post("/save", "csrf=" + csrf).status == 303);
  const Response page = client.get("/save");
  CHECK(page.body.find("conflict") != std::string::npos);
  CHECK(client.pending() == 1);
  CHECK(dir->model()->find_user("lars")->name == "Lars Two");
}

TEST_CASE("console: the Check page shows the decision and explain()'s layers", "[console]") {
  auto c = make_console(open_directory());
  Client client{*c, {}};
  client.login();
  const Response r = client.get("/check", "user=lars&action=update&object=sale&owner=ada&published=1");
  CHECK(r.status == 200);
  CHECK(r.body.find("id=\"decision-value\"") != std::string::npos);
  for (std::string_view layer : kLayerNames) CHECK(r.body.find(std::string(layer)) != std::string::npos);
  CHECK(r.body.find("primary_group") != std::string::npos);  // ada is in lars's primary group
  // Who else can: ada (the owner, level-0) may update her sale; lars (read
  // only in his group) may not.
  const std::size_t who = r.body.find("id=\"who-can\"");
  REQUIRE(who != std::string::npos);
  const std::string list = r.body.substr(who);
  CHECK(list.find("<li>ada</li>") != std::string::npos);
  CHECK(list.find("<li>lars</li>") == std::string::npos);
}

TEST_CASE("console: pages carry lang, captions, scoped headers and labelled inputs", "[console]") {
  auto c = make_console(open_directory());
  Client client{*c, {}};
  client.login();
  for (const auto& [path, query] : std::initializer_list<std::pair<const char*, const char*>>{
           {"/users", ""}, {"/users", "tab=other"}, {"/users", "tab=groups"}, {"/users", "tab=companies"},
           {"/users", "tab=licences"}, {"/roles", ""}, {"/roles/show", "id=level-3"}, {"/audit", ""},
           {"/check", "user=ada&action=read&object=sale"}}) {
    const Response r = client.get(path, query);
    INFO(path << "?" << query);
    CHECK(r.status == 200);
    CHECK(r.body.find("<html lang=\"en\">") != std::string::npos);
    CHECK(r.body.find("<caption>") != std::string::npos);
    CHECK(r.body.find("<th scope=\"col\">") != std::string::npos);
    CHECK(r.body.find("<script") == std::string::npos);
    // Every <select> and visible <input> sits in a <label> or has one (id + for).
    std::regex control(R"(<(select|input)([^>]*)>)");
    for (auto it = std::sregex_iterator(r.body.begin(), r.body.end(), control); it != std::sregex_iterator(); ++it) {
      const std::string attrs = (*it)[2];
      if (attrs.find("type=\"hidden\"") != std::string::npos) continue;
      std::smatch id;
      const bool wrapped = r.body.rfind("<label", static_cast<std::size_t>(it->position())) >
                           r.body.rfind("</label>", static_cast<std::size_t>(it->position())) ||
                           (r.body.rfind("</label>", static_cast<std::size_t>(it->position())) == std::string::npos &&
                            r.body.rfind("<label", static_cast<std::size_t>(it->position())) != std::string::npos);
      const bool labelled = std::regex_search(attrs, id, std::regex(R"re(id="([^"]+)")re")) &&
                            r.body.find("for=\"" + id[1].str() + "\"") != std::string::npos;
      INFO(it->str());
      CHECK((wrapped || labelled));
    }
  }
}

TEST_CASE_METHOD(Session, "console: roles are added blank or as a copy, renamed, and user groups and licences edited",
                 "[console]") {
  CHECK(client.post("/roles/add", "csrf=" + csrf + "&id=blank&name=Blank&type=employee&from=").status == 303);
  CHECK(client.post("/roles/add", "csrf=" + csrf + "&id=copy&name=Copy&description=D&type=employee&from=level-3")
            .status == 303);
  CHECK(client.post("/roles/add", "csrf=" + csrf + "&id=sys2&type=system&from=").status == 400);
  CHECK(client.post("/roles/rename", "csrf=" + csrf + "&role=level-3&name=Level+three&description=Renamed").status ==
        303);
  REQUIRE(client.post("/groups/add", "csrf=" + csrf + "&id=support").status == 303);
  CHECK(client.post("/users/edit", "csrf=" + csrf +
                                       "&id=lars&can_log_in=1&other_groups_shown=1&other_groups=support&licences_shown=1")
            .status == 303);
  CHECK(client.post("/save", "csrf=" + csrf).status == 303);
  const auto m = dir->model();
  REQUIRE(m->find_role("blank") != nullptr);
  CHECK(m->find_role("blank")->data_rights.empty());
  REQUIRE(m->find_role("copy") != nullptr);
  CHECK(m->find_role("copy")->data_rights == m->find_role("level-3")->data_rights);
  CHECK(m->find_role("copy")->description == "D");
  CHECK(m->find_role("level-3")->name == "Level three");
  CHECK(m->find_user("lars")->other_groups == std::vector<std::string>{"support"});
}

TEST_CASE_METHOD(Session, "console: hostile requests never crash it and never change anything", "[console]") {
  const std::uint64_t version = dir->version();
  std::uint64_t seed = 42;
  auto next = [&] {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<unsigned>(seed >> 33);
  };
  const char* paths[] = {"/", "/users", "/users/edit", "/roles/show", "/check", "/users/add", "/roles/cells",
                         "/roles/grant", "/save", "/cancel", "/audit", "/%00", "//", "/users/../roles"};
  for (int i = 0; i < 3000; ++i) {
    std::string junk;
    const unsigned n = next() % 40;
    for (unsigned k = 0; k < n; ++k) junk += static_cast<char>(next() % 256);
    const std::string path = paths[next() % std::size(paths)];
    Response r;
    if (next() % 2 == 0) {
      r = client.get(path, next() % 2 ? junk : "id=" + junk + "&user=" + junk + "&action=read&object=" + junk);
    } else {
      // Hostile values for a valid session, but never the Save action with a valid token.
      const std::string body = (path == "/save" ? "" : "csrf=" + csrf + "&") + "id=" + junk + "&role=" + junk +
                               "&right=" + junk + "&c:" + junk + ":own=read&" + junk;
      r = client.post(path, body);
    }
    CHECK(r.status >= 200);
    CHECK(r.status < 500);
  }
  CHECK(dir->version() == version);
}
