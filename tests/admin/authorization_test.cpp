// docs/rules.md §11 and §12 at commit: each rule allowed and refused.
#include "fixture.hpp"

using namespace admin_test;

namespace {

/// `m` without the role `id`, as a staged model deletes it: naming no replacement.
Model without_role(Model m, std::string_view id) {
  std::erase_if(m.roles, [&](const Role& r) { return r.id == id; });
  return m;
}

}  // namespace

TEST_CASE("transaction authorization: unknown and inactive actors are refused", "[admin][transaction]") {
  Fixture f;
  auto unknown = f.dir->begin("nobody");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::kNotFound);
  CHECK(has_rule(unknown.error(), "unknown-actor", "nobody"));
  for (const char* who : {"old", "off"}) {
    auto r = f.dir->begin(who);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kPermissionDenied);
    CHECK(has_rule(r.error(), "inactive-actor", who));
  }
  auto trail = f.dir->audit();
  REQUIRE(trail);
  REQUIRE(trail->size() == 3);
  CHECK((*trail)[0].refused);
  CHECK((*trail)[0].actor == "nobody");
  CHECK((*trail)[1].reason.find("inactive-actor") != std::string::npos);

  // An actor retired after begin() is refused at commit.
  Transaction tx = f.begin("ua");
  Transaction root = f.begin("root");
  REQUIRE(root.retire_user("ua"));
  REQUIRE_COMMITS(root);
  REQUIRE(tx.set_user_groups("bob", "support", {}));
  REQUIRE_REFUSED(tx, ErrorCode::kPermissionDenied, "inactive-actor");
}

TEST_CASE("transaction authorization: the system actor and system users may do all", "[admin][transaction]") {
  Fixture f;
  for (std::string_view actor : {std::string_view(), std::string_view("sys")}) {
    Transaction tx = f.begin(actor);
    REQUIRE(tx.grant_right("level-5", "admin-all"));
    REQUIRE(tx.set_user_role("bob", actor.empty() ? "level-0" : "level-1"));
    REQUIRE(tx.put_group({std::string("g-") + std::string(actor), "G"}));
    REQUIRE(tx.set_overrides({Override{OverrideLevel::kSystem, "", "sale", OverrideScope::kExisting, "", "", 8}}));
    REQUIRE_COMMITS(tx);
    tx.rollback();
    REQUIRE(tx.revoke_right("level-5", "admin-all"));
    REQUIRE_COMMITS(tx);
  }
}

TEST_CASE("transaction authorization: users need admin-all or admin-users", "[admin][transaction]") {
  Fixture f;
  for (const char* ok : {"ua", "root"}) {
    Transaction tx = f.begin(ok);
    REQUIRE(tx.edit_user("bob", [&](User& u) { u.name = std::string("by ") + ok; }));
    REQUIRE_COMMITS(tx);
  }
  for (const char* no : {"rep", "la", "ra", "pa"}) {
    Transaction tx = f.begin(no);
    REQUIRE(tx.edit_user("bob", [](User& u) { u.name = "nope"; }));
    REQUIRE_REFUSED(tx, ErrorCode::kPermissionDenied, "needs-admin-users");
  }
}

TEST_CASE("transaction authorization: roles, field rights and declared rights need admin-role",
          "[admin][transaction]") {
  Fixture f;
  {
    Transaction tx = f.begin("ra");
    REQUIRE(tx.copy_role("level-3", "clerk", "Clerk"));
    REQUIRE(tx.set_data_right("clerk", "sale", Relation::kOwn, TableRights::full()));
    REQUIRE(tx.rename_role("level-4", "Level four", "renamed"));
    REQUIRE(tx.set_field_rights({FieldRightRule{"clerk", "sale", "amount", Relation::kOwn, FieldRights{}}}));
    REQUIRE(tx.put_functional_right({"acme-export", "Export", ""}));
    REQUIRE_COMMITS(tx);
  }
  for (const char* no : {"ua", "la", "pa", "rep"}) {
    Transaction tx = f.begin(no);
    REQUIRE(tx.rename_role("level-4", "x", ""));
    REQUIRE_REFUSED(tx, ErrorCode::kPermissionDenied, "needs-admin-role");
    tx.rollback();
    REQUIRE(tx.set_field_rights({}));
    REQUIRE_REFUSED(tx, ErrorCode::kPermissionDenied, "needs-admin-role");
    tx.rollback();
    REQUIRE(tx.put_functional_right({"other", "Other", ""}));
    REQUIRE_REFUSED(tx, ErrorCode::kPermissionDenied, "needs-admin-role");
  }
}

TEST_CASE("transaction authorization: lists need admin-all or admin-lists", "[admin][transaction]") {
  Fixture f;
  {
    Transaction tx = f.begin("la");
    REQUIRE(tx.put_group({"ops", "Operations"}));
    REQUIRE(tx.put_our_company({"acme-dk", "Acme Danmark", false}));
    REQUIRE(tx.put_licence(Licence{"extra", "Extra", LicenceKind::kUser, 3, false, {}, {}}));
    REQUIRE(tx.put_plan(Plan{"pro", "Pro", {"user", "web"}}));
    REQUIRE(tx.put_object({"ticket", "Ticket", false, false, true}));
    REQUIRE(tx.remove_our_company("empty-co"));
    REQUIRE_COMMITS(tx);
  }
  for (const char* no : {"ua", "ra", "pa", "rep"}) {
    Transaction tx = f.begin(no);
    REQUIRE(tx.put_group({"ops", "Ops renamed"}));
    REQUIRE_REFUSED(tx, ErrorCode::kPermissionDenied, "needs-admin-lists");
    tx.rollback();
    REQUIRE(tx.remove_plan("pro"));
    REQUIRE_REFUSED(tx, ErrorCode::kPermissionDenied, "needs-admin-lists");
    tx.rollback();
    REQUIRE(tx.remove_object("ticket"));
    REQUIRE_REFUSED(tx, ErrorCode::kPermissionDenied, "needs-admin-lists");
  }
}

TEST_CASE("transaction authorization: overrides need admin-all or admin-preferences", "[admin][transaction]") {
  Fixture f;
  const std::vector<Override> ovr = {
      Override{OverrideLevel::kSystem, "", "sale", OverrideScope::kExisting, "", "", 8},
      Override{OverrideLevel::kUser, "bob", "sale", OverrideScope::kExisting, "", "", 0}};
  {
    Transaction tx = f.begin("pa");
    REQUIRE(tx.set_overrides(ovr));
    REQUIRE_COMMITS(tx);
  }
  for (const char* no : {"ua", "la", "ra", "rep"}) {
    Transaction tx = f.begin(no);
    REQUIRE(tx.set_overrides({}));
    REQUIRE_REFUSED(tx, ErrorCode::kPermissionDenied, "needs-admin-preferences");
  }
}

TEST_CASE("transaction authorization: no one changes their own role assignment", "[admin][transaction]") {
  Fixture f;
  for (const char* who : {"ua", "root"}) {
    Transaction tx = f.begin(who);
    REQUIRE(tx.set_user_role(who, "level-3"));
    REQUIRE_REFUSED(tx, ErrorCode::kPermissionDenied, "own-role-assignment");
  }
  // Other edits of oneself are fine.
  Transaction tx = f.begin("ua");
  REQUIRE(tx.set_user_groups("ua", "support", {}));
  REQUIRE_COMMITS(tx);
  // ...and so is another user's role.
  REQUIRE(tx.set_user_role("bob", "level-4"));
  REQUIRE_COMMITS(tx);
}

TEST_CASE("transaction authorization: editing the role one holds needs admin-all", "[admin][transaction]") {
  Fixture f;
  {
    Transaction tx = f.begin("ra");
    REQUIRE(tx.set_data_right("role-admin", "sale", Relation::kOtherAssociates, TableRights::full()));
    REQUIRE_REFUSED(tx, ErrorCode::kPermissionDenied, "own-role-edit");
  }
  {
    Transaction tx = f.begin("ra");
    REQUIRE(tx.set_data_right("level-2", "sale", Relation::kOwn, TableRights{}));
    REQUIRE_COMMITS(tx);
  }
  {
    Transaction tx = f.begin("root");
    REQUIRE(tx.rename_role("level-0", "Level zero", "edited by an admin-all holder"));
    REQUIRE_COMMITS(tx);
  }
}

TEST_CASE("escalation: a role gains only rights the actor holds", "[admin][transaction][escalation]") {
  Fixture f;
  {
    Transaction tx = f.begin("ra");
    REQUIRE(tx.grant_right("level-4", "admin-role"));  // ra holds admin-role
    REQUIRE_COMMITS(tx);
  }
  for (const char* right : {"admin-all", "admin-users", "allow-bulk-export"}) {
    Transaction tx = f.begin("ra");
    REQUIRE(tx.grant_right("level-4", right));
    REQUIRE_REFUSED(tx, ErrorCode::kPermissionDenied, "privilege-escalation");
  }
  {
    // A new role is a grant of all its rights.
    Transaction tx = f.begin("ra");
    REQUIRE(tx.copy_role("level-0", "super", "Super"));
    REQUIRE_REFUSED(tx, ErrorCode::kPermissionDenied, "privilege-escalation");
  }
  {
    Transaction tx = f.begin("root");
    REQUIRE(tx.copy_role("level-0", "super", "Super"));
    REQUIRE(tx.grant_right("level-4", "admin-all"));
    REQUIRE_COMMITS(tx);
  }
}

TEST_CASE("escalation: re-stating what is stored is not a grant", "[admin][transaction][escalation]") {
  Fixture f;
  // ra renames level-0 (holding admin-all): only the name changes.
  Transaction tx = f.begin("ra");
  REQUIRE(tx.rename_role("level-0", "Administrators", "all rights"));
  REQUIRE(tx.set_functional_rights("level-0", f.dir->model()->find_role("level-0")->functional_rights));
  REQUIRE_COMMITS(tx);
  // Removing a right is never a grant.
  REQUIRE(tx.revoke_right("level-0", "allow-bulk-export"));
  REQUIRE_COMMITS(tx);
  // A user put back exactly as stored (holding level-0) is no change.
  Transaction ua = f.begin("ua");
  REQUIRE(ua.put_user(*f.dir->model()->find_user("root")));
  auto done = ua.commit();
  REQUIRE(done);
  CHECK(done->changes.empty());
}

TEST_CASE("escalation: assigning a role needs every right it holds", "[admin][transaction][escalation]") {
  Fixture f;
  {
    Transaction tx = f.begin("ua");
    REQUIRE(tx.set_user_role("bob", "user-admin"));  // admin-users + see-other: held by ua
    REQUIRE_COMMITS(tx);
  }
  for (const char* role : {"list-admin", "level-0"}) {
    Transaction tx = f.begin("ua");
    REQUIRE(tx.set_user_role("carl", role));
    REQUIRE_REFUSED(tx, ErrorCode::kPermissionDenied, "privilege-escalation");
  }
  for (const char* role : {"level-1", "level-5", "local"}) {
    // The predefined user administrator holds every grant of levels 1-5,
    // Local user and External user.
    Transaction tx = f.begin("ua");
    REQUIRE(tx.set_user_role("carl", role));
    REQUIRE_COMMITS(tx);
  }
  {
    // A new user is an assignment too.
    Transaction tx = f.begin("ua");
    REQUIRE(tx.add_user(associate("eve", "level-0")));
    REQUIRE_REFUSED(tx, ErrorCode::kPermissionDenied, "privilege-escalation");
  }
  {
    Transaction tx = f.begin("root");
    REQUIRE(tx.set_user_role("carl", "level-0"));  // only admin-all assigns admin-all
    REQUIRE_COMMITS(tx);
  }
}

TEST_CASE("escalation: rights are judged licence-aware on the base snapshot", "[admin][transaction][escalation]") {
  Fixture f;
  // ra's role holds "approve", but ra lacks the quote-cal licence it needs.
  {
    Transaction tx = f.begin("ra");
    REQUIRE(tx.grant_right("level-4", "approve"));
    REQUIRE_REFUSED(tx, ErrorCode::kPermissionDenied, "privilege-escalation");
  }
  {
    Transaction tx = f.begin("root");  // ra outranks ua (admin-role): only admin-all may change ra
    REQUIRE(tx.set_user_licences("ra", {"quote-cal"}));
    REQUIRE_COMMITS(tx);
  }
  {
    Transaction tx = f.begin("ra");
    REQUIRE(tx.grant_right("level-4", "approve"));
    REQUIRE_COMMITS(tx);
  }
  {
    // A right the transaction itself declares is held by no one yet.
    Transaction tx = f.begin("ra");
    REQUIRE(tx.put_functional_right({"acme-x", "X", ""}));
    REQUIRE(tx.grant_right("level-3", "acme-x"));
    REQUIRE_REFUSED(tx, ErrorCode::kPermissionDenied, "privilege-escalation");
    tx.rollback();
    REQUIRE(tx.put_functional_right({"acme-x", "X", ""}));  // declaring alone is fine
    REQUIRE_COMMITS(tx);
  }
}

TEST_CASE("transaction role rules: the type is fixed", "[admin][transaction]") {
  Fixture f;
  Transaction tx = f.begin("root");
  Role r = *f.dir->model()->find_role("role-admin");
  r.type = RoleType::kExternal;
  r.functional_rights.clear();
  REQUIRE(tx.put_role(r));
  REQUIRE_REFUSED(tx, ErrorCode::kFailedPrecondition, "role-type-fixed");
  tx.rollback();
  Role l = *f.dir->model()->find_role("level-5");
  l.type = RoleType::kExternal;
  REQUIRE(tx.put_role(l));
  REQUIRE_REFUSED(tx, ErrorCode::kFailedPrecondition, "role-type-fixed");
  tx.rollback();
  r.type = RoleType::kEmployee;
  r.name = "Role admins";
  REQUIRE(tx.put_role(r));
  REQUIRE_COMMITS(tx);
}

TEST_CASE("transaction role rules: the anonymous role", "[admin][transaction]") {
  Fixture f;
  {
    Transaction tx = f.begin("");
    REQUIRE(tx.set_data_right("anonymous", "company", Relation::kOtherAssociates, TableRight::kSelect));
    REQUIRE_COMMITS(tx);  // data rights: allowed
  }
  {
    Transaction tx = f.begin("");
    REQUIRE(tx.grant_right("anonymous", "allow-bulk-edit"));
    REQUIRE_REFUSED(tx, ErrorCode::kFailedPrecondition, "anonymous-role-data-only");
  }
  {
    Transaction tx = f.begin("");
    Role second = *predefined_role("anonymous");
    second.id = "anon-2";
    REQUIRE(tx.create_role(second));
    REQUIRE_REFUSED(tx, ErrorCode::kFailedPrecondition, "one-anonymous-role");
  }
  {
    Transaction tx = f.begin("");
    REQUIRE(tx.stage_model(without_role(*f.dir->model(), "anonymous")));
    REQUIRE_REFUSED(tx, ErrorCode::kFailedPrecondition, "anonymous-role-not-deleted");
  }
}

TEST_CASE("transaction role rules: the system role is never edited or deleted", "[admin][transaction]") {
  Fixture f;
  Transaction tx = f.begin("");
  REQUIRE(tx.rename_role("system", "Integration", ""));
  REQUIRE_REFUSED(tx, ErrorCode::kFailedPrecondition, "system-role-edited");
  tx.rollback();
  Model m = without_role(*f.dir->model(), "system");
  erase_if(m.users, [](const User& u) { return u.id == "sys"; });
  REQUIRE(tx.stage_model(m));
  REQUIRE_REFUSED(tx, ErrorCode::kFailedPrecondition, "system-role-not-deleted");
}

TEST_CASE("transaction role rules: deleting a role", "[admin][transaction]") {
  Fixture f;
  {
    // With a replacement: users move, the delete is soft (audited, listed).
    Transaction tx = f.begin("root");
    REQUIRE(tx.delete_role("level-3", "level-2"));
    auto done = tx.commit();
    REQUIRE(done);
    CHECK(f.dir->model()->find_role("level-3") == nullptr);
    CHECK(f.dir->model()->find_user("bob")->role == "level-2");
    auto deleted = f.dir->deleted_roles();
    REQUIRE(deleted);
    REQUIRE(deleted->size() == 1);
    CHECK((*deleted)[0].id == "level-3");
    CHECK((*deleted)[0] == *predefined_role("level-3"));
    // Re-creating it takes it off the list.
    REQUIRE(tx.create_role((*deleted)[0]));
    REQUIRE_COMMITS(tx);
    CHECK(f.dir->deleted_roles()->empty());
  }
  {
    // Without a replacement the users would be left without a role.
    Transaction tx = f.begin("root");
    REQUIRE(tx.stage_model(without_role(*f.dir->model(), "level-2")));
    REQUIRE_REFUSED(tx, ErrorCode::kFailedPrecondition, "delete-needs-replacement");
  }
  {
    Transaction tx = f.begin("");
    REQUIRE(tx.delete_role("level-0", "level-1"));
    REQUIRE_REFUSED(tx, ErrorCode::kFailedPrecondition, "level-0-not-deleted");
  }
  {
    // The actor's own role (ra holds role-admin, ua would lack the rights anyway).
    Transaction tx = f.begin("ra");
    REQUIRE(tx.delete_role("role-admin", "level-4"));
    REQUIRE_REFUSED(tx, ErrorCode::kPermissionDenied, "own-role-delete");
  }
  {
    // The last role of its type.
    Transaction tx = f.begin("root");
    REQUIRE(tx.stage_model(without_role(*f.dir->model(), "external")));
    REQUIRE_REFUSED(tx, ErrorCode::kFailedPrecondition, "last-role");
  }
  {
    // Deleting a role whose users move needs admin-users too.
    Transaction tx = f.begin("ra");
    REQUIRE(tx.delete_role("level-4", "level-5"));  // carl holds level-4
    REQUIRE_REFUSED(tx, ErrorCode::kPermissionDenied, "needs-admin-users");
    tx.rollback();
    REQUIRE(tx.delete_role("level-1", "level-5"));  // no users
    REQUIRE_COMMITS(tx);
  }
}

TEST_CASE("transaction list rules: deleting one of our companies", "[admin][transaction]") {
  Fixture f;
  Transaction tx = f.begin("la");
  REQUIRE(tx.remove_our_company("acme-se"));  // carl works there
  REQUIRE_REFUSED(tx, ErrorCode::kFailedPrecondition, "company-has-users");
  tx.rollback();
  REQUIRE(tx.remove_our_company("acme"));
  REQUIRE_REFUSED(tx, ErrorCode::kFailedPrecondition, "database-owner-not-deleted");
  tx.rollback();
  REQUIRE(tx.put_our_company({"acme", "Acme Renamed", true}));
  REQUIRE_REFUSED(tx, ErrorCode::kFailedPrecondition, "database-owner-name-read-only");
  tx.rollback();
  REQUIRE(tx.put_our_company({"acme-se", "Acme Sweden", false}));
  REQUIRE(tx.remove_our_company("empty-co"));
  REQUIRE_COMMITS(tx);
}
