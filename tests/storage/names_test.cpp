// `names` (display names per language) of roles, groups, our companies and
// declared functional rights through every stored format: model files, the
// SQLite store (and its audit log), snapshot files; the errors a model file's
// `names` can hold; the migration of a schema 2 store.
#include "sorights/directory.hpp"
#include "sorights/names.hpp"
#include "sorights/snapshot.hpp"
#include "sorights/storage/model_file.hpp"
#include "sorights/storage/snapshot_file.hpp"
#include "sorights/storage/sqlite_store.hpp"
#include "sqlite_support.hpp"
#include "support.hpp"
#include "support/catch.hpp"

using namespace sorights;
using storage_test::sample_model;
using storage_test::TempDir;

SORIGHTS_BEGIN_NAMESPACE
namespace snapshot_file_testing {
// Format 3's writer (src/storage/snapshot_file.cpp; not in a public header).
std::string encode_v3(const Model& model, std::uint64_t version);
}  // namespace snapshot_file_testing
SORIGHTS_END_NAMESPACE

namespace {

// sample_model() with names on an entity of every kind that has them, a
// predefined role among them.
Model named_model() {
  Model m = sample_model();
  m.our_companies.front().names = {{"da", "Acme A/S"}, {"no", "Acme Norge"}};
  m.groups.front().names = {{"da", "Salg"}, {"nl", "Verkoop"}, {"en", "Sales team"}};
  m.functional_rights.front().names = {{"no", "Godkjenn"}};
  m.find_role("rep")->names = {{"da", "Sælger"}};
  m.find_role("level-2")->names = {{"nl", "Niveau twee"}};
  return m;
}

const std::string kHead = R"({"format": "sorights-model/1", )";

Result<Model> parse(const std::string& body) { return parse_model_file(kHead + body + "}", Model::with_defaults()); }

std::string all_messages(const Error& e) { return e.to_string(); }

}  // namespace

TEST_CASE("names: a model file round trip keeps them; none are written when there are none", "[storage][names]") {
  const Model m = named_model();
  const std::string text = export_model_file(m);
  CHECK(text.find(R"("names": {"da": "Salg", "en": "Sales team", "nl": "Verkoop"})") != std::string::npos);
  CHECK(text.find(R"("names": {"da": "Sælger"})") != std::string::npos);
  auto back = parse_model_file(text, Model{}, {.mode = ImportMode::kReplace});
  INFO((back ? std::string() : back.error().to_string()));
  REQUIRE(back);
  CHECK(*back == m);
  CHECK(export_model_file(sample_model()).find("\"names\"") == std::string::npos);
}

TEST_CASE("names: nb is read as no; a predefined role takes names on import", "[storage][names]") {
  auto m = parse(R"("groups": [{"id": "g", "name": "G", "names": {"nb": "Gruppe", "da": "Gruppe DK"}}],
                    "roles": [{"id": "level-1", "names": {"da": "Niveau en"}}])");
  INFO((m ? std::string() : m.error().to_string()));
  REQUIRE(m);
  CHECK(m->find_group("g")->names == NameMap{{"da", "Gruppe DK"}, {"no", "Gruppe"}});
  const Role* l1 = m->find_role("level-1");
  REQUIRE(l1 != nullptr);
  CHECK(l1->names == NameMap{{"da", "Niveau en"}});
  CHECK(l1->name == Model::with_defaults().find_role("level-1")->name);  // the rest of the role stays
  CHECK(display_name(*l1, Language::kDa, &l1->names) == "Niveau en");
  CHECK(role_display_name(*m, "level-1", Language::kNl) == "Gebruikersniveau 1");
}

TEST_CASE("names: unknown and duplicate languages are errors naming the JSON path", "[storage][names]") {
  auto unknown = parse(R"("groups": [{"id": "g", "names": {"fr": "Groupe"}}])");
  REQUIRE_FALSE(unknown);
  CHECK(all_messages(unknown.error()).find("groups[0].names.fr") != std::string::npos);
  CHECK(all_messages(unknown.error()).find("unknown language") != std::string::npos);
  auto upper = parse(R"("our_companies": [{"id": "c", "names": {"DA": "X"}}])");
  REQUIRE_FALSE(upper);
  CHECK(all_messages(upper.error()).find("our_companies[0].names.DA") != std::string::npos);
  auto both = parse(R"("roles": [{"id": "r", "names": {"no": "A", "nb": "B"}}])");
  REQUIRE_FALSE(both);
  CHECK(all_messages(both.error()).find("roles[0].names.nb") != std::string::npos);
  CHECK(all_messages(both.error()).find("duplicate") != std::string::npos);
  auto twice = parse(R"("functional_rights": [{"id": "x-r", "names": {"da": "A", "da": "B"}}])");
  REQUIRE_FALSE(twice);
  CHECK(all_messages(twice.error()).find("functional_rights[0].names") != std::string::npos);
  CHECK(all_messages(twice.error()).find("duplicate key") != std::string::npos);
  auto not_text = parse(R"("groups": [{"id": "g", "names": {"da": 3}}])");
  REQUIRE_FALSE(not_text);
  CHECK(all_messages(not_text.error()).find("groups[0].names.da") != std::string::npos);
  auto not_object = parse(R"("groups": [{"id": "g", "names": ["da"]}])");
  REQUIRE_FALSE(not_object);
  CHECK(all_messages(not_object.error()).find("groups[0].names") != std::string::npos);
}

TEST_CASE("names: a key other than en, no, nl, da is refused by validation", "[storage][names]") {
  Model m = sample_model();
  m.groups.front().names = {{"fr", "Ventes"}};
  auto s = compile(m);
  REQUIRE_FALSE(s);
  CHECK(s.error().to_string().find("unknown language") != std::string::npos);
  m.groups.front().names = {{"nb", "Salg"}};  // stored maps say "no"
  CHECK_FALSE(compile(m));
}

TEST_CASE("names: the SQLite store keeps them through a Directory commit and the audit log", "[storage][names][sqlite]") {
  TempDir dir;
  std::shared_ptr<SqliteStore> store = storage_test::open_new_store(dir.file("n.db"));
  auto d = Directory::open(store);
  REQUIRE(d);
  {
    auto tx = (*d)->begin();
    REQUIRE(tx);
    REQUIRE(tx->stage_model(named_model()));
    REQUIRE(tx->commit());
  }
  // Edited like any other member.
  {
    auto tx = (*d)->begin();
    REQUIRE(tx);
    Role rep = *tx->base().find_role("rep");
    rep.names["nl"] = "Verkoper";
    REQUIRE(tx->put_role(std::move(rep)));
    Group g = *tx->base().find_group("support");
    g.names = {{"da", "Support DK"}};
    REQUIRE(tx->put_group(std::move(g)));
    REQUIRE(tx->commit());
  }
  Model expected = named_model();
  expected.find_role("rep")->names["nl"] = "Verkoper";
  expected.groups[1].names = {{"da", "Support DK"}};
  auto reopened = SqliteStore::open(dir.file("n.db"));
  REQUIRE(reopened);
  auto loaded = (*reopened)->load();
  REQUIRE(loaded);
  CHECK(loaded->model == expected);
  auto trail = (*reopened)->audit({});
  REQUIRE(trail);
  REQUIRE_FALSE(trail->empty());
  bool seen = false;
  for (const AuditEntry& e : *trail)
    for (const Change& c : e.changes)
      if (c.kind == EntityKind::kRole && c.id == "rep" && c.after)
        seen = seen || std::get<Role>(*c.after).names == expected.find_role("rep")->names;
  CHECK(seen);
  // A names column that is not a JSON object of languages is a clear error.
  storage_test::execute_sql(dir.file("n.db"), "UPDATE groups SET names = '{\"xx\":\"y\"}' WHERE id = 'sales'");
  auto bad = (*SqliteStore::open(dir.file("n.db")))->load();
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("table groups, row id \"sales\"") != std::string::npos);
  CHECK(bad.error().message.find("xx") != std::string::npos);
}

TEST_CASE("names: a version 2 store is migrated, its entities without names", "[storage][names][sqlite][migration]") {
  TempDir dir;
  const std::string path = dir.file("v2.db");
  auto s = storage_test::open_migrated_fixture(path, {"schema_v1.sql", "seller_role.sql", "schema_v1_to_v2.sql"});
  CHECK(kSqliteSchemaVersion == 3);
  auto loaded = s->load();
  INFO((loaded ? std::string() : loaded.error().to_string()));
  REQUIRE(loaded);
  CHECK(loaded->version == 4);
  REQUIRE(loaded->model.functional_rights.size() == 2);
  CHECK(loaded->model.functional_rights[1].restrictive);
  for (const FunctionalRightDef& f : loaded->model.functional_rights) CHECK(f.names.empty());
  for (const Group& g : loaded->model.groups) CHECK(g.names.empty());
  for (const OurCompany& c : loaded->model.our_companies) CHECK(c.names.empty());
  for (const Role& r : loaded->model.roles) CHECK(r.names.empty());
  CHECK(loaded->model.find_role("seller")->functional_rights == std::vector<std::string>{"acme-approve"});
  // The migrated store takes names.
  Model next = loaded->model;
  next.find_role("seller")->names = {{"da", "Sælger"}};
  REQUIRE(s->apply(storage_test::change_set(loaded->model, next, 4)));
  auto reopened = SqliteStore::open(path);
  REQUIRE(reopened);
  CHECK((*reopened)->load()->model.find_role("seller")->names == NameMap{{"da", "Sælger"}});
}

TEST_CASE("names: snapshot files keep them from format 4; format 3 reads them empty", "[storage][names][snapshot]") {
  const Model m = named_model();
  auto back = decode_snapshot(encode_snapshot(m, 7));
  REQUIRE(back);
  CHECK(back->model == m);
  CHECK(back->version == 7);
  auto v3 = decode_snapshot(snapshot_file_testing::encode_v3(m, 7));
  REQUIRE(v3);
  CHECK(v3->model == sample_model());  // everything but the names
  TempDir dir;
  REQUIRE(save_snapshot_file(dir.file("n.snap"), m, 3));
  auto loaded = load_snapshot_file(dir.file("n.snap"));
  REQUIRE(loaded);
  CHECK(loaded->model == m);
}
