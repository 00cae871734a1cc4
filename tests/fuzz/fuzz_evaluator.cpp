// Fuzz target: the evaluator, differentially. The fuzzer's bytes drive the
// unit differential test's generator (tests/reference/random_model.hpp): a random valid
// model, sometimes bent by a few edits that may break a rule, then random
// records. Checked:
//   * validate() is empty exactly when compile() succeeds;
//   * on a valid model, rights(), can() for each action, has(), explain()
//     (its mask, decision and relation) and field_rights() agree with the
//     naive reference evaluator (tests/reference/naive_evaluator.hpp) for
//     every user, an unknown user and every record; explain_text() and
//     explain_reason() say something.
// A disagreement prints the case and aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "reference/random_model.hpp"
#include "reference/naive_evaluator.hpp"
#include "sorights/snapshot.hpp"

namespace {

using namespace sorights;
using sorights_random::ByteGen;

[[noreturn]] void mismatch(const Model& m, const std::string& what) {
  std::fprintf(stderr, "fuzz_evaluator: %s\n  (%zu users, %zu roles, %zu overrides, %zu field rules)\n",
               what.c_str(), m.users.size(), m.roles.size(), m.overrides.size(), m.field_rights.size());
  std::abort();
}

std::string describe(const naive::Record& r) {
  return "record object=" + r.object + " owner=" + r.owner + " group=" + r.group + " visible_for=" + r.visible_for +
         ":" + r.visible_id + " project=" + r.project + " company=" + r.company + " id=" + r.id +
         " published=" + std::to_string(r.published) + " window=[" + std::to_string(r.publish_from) + "," +
         std::to_string(r.publish_to) + "] at=" + std::to_string(r.at) + " completed=" + std::to_string(r.completed) +
         " new=" + std::to_string(r.is_new) + " user_person=" + std::to_string(r.user_person) +
         " our_company=" + std::to_string(r.our_company) + " database_owner=" + std::to_string(r.database_owner);
}

// A few edits of the kind a hand-written model gets wrong. Some leave the
// model valid (the differential check then runs on an unusual model), most
// break a rule (validate and compile must then agree).
void bend(ByteGen& g, Model& m) {
  for (int i = 0, n = g.below(4); i < n; ++i) {
    const int u = m.users.empty() ? -1 : g.below(static_cast<int>(m.users.size()));
    User* user = u < 0 ? nullptr : &m.users[static_cast<std::size_t>(u)];
    switch (g.below(16)) {
      case 0: if (user) user->role = g.chance(50) ? "ghost-role" : ""; break;
      case 1: if (user) user->group = g.chance(50) ? "ghost-group" : ""; break;
      case 2: if (!m.groups.empty()) m.groups.push_back(m.groups.front()); break;
      case 3: m.overrides.push_back({OverrideLevel::kGroup, "ghost-group", "sale", OverrideScope::kAll, "", "", 1});
        break;
      case 4: m.field_rights.push_back({"ghost-role", "sale", "name", Relation::kOwn, FieldRights{}, false, false});
        break;
      case 5: if (user) user->type = static_cast<UserType>(g.below(5)); break;
      case 6: if (!m.roles.empty()) m.roles[static_cast<std::size_t>(g.below(static_cast<int>(m.roles.size())))]
                  .set_cell(g.chance(50) ? "ghost-object" : "sale", Relation::kOwn, g.crud());
        break;
      case 7: if (user) user->licences.push_back(g.chance(50) ? "ghost-licence" : "ls-0"); break;
      case 8: if (user) user->plan = "ghost-plan"; break;
      case 9: if (!m.licences.empty()) m.licences.back().requires_licences.push_back(m.licences.back().id); break;
      case 10: if (user) user->id = g.chance(50) ? "" : m.users.front().id; break;
      case 11: if (user) user->company = g.chance(50) ? "ghost-company" : ""; break;
      case 12: if (!m.groups.empty()) m.groups.pop_back(); break;
      case 13: m.objects.push_back({g.chance(50) ? "sale" : "", "Custom", false, false, false}); break;
      case 14: if (user && m.users.size() > 1) { user->person = "pers-1"; m.users.front().person = "pers-1"; } break;
      case 15: if (user) { user->other_groups.push_back(user->group); user->projects.push_back(""); } break;
    }
  }
}

void run(const std::uint8_t* data, std::size_t size) {
  ByteGen g(data, size);
  sorights_random::World w = sorights_random::random_world(g);
  Model& m = w.model;
  if (g.chance(25)) bend(g, m);
  const std::vector<Diagnostic> problems = validate(m);
  Result<Snapshot> compiled = compile(m);
  if (problems.empty() != compiled.has_value())
    mismatch(m, problems.empty() ? "validate() found nothing but compile() failed: " + compiled.error().message
                                 : "validate() found " + problems.front().to_string() + " but compile() succeeded");
  if (!compiled) {
    if (compiled.error().message.empty()) mismatch(m, "compile() failed without a message");
    return;
  }
  const Snapshot& s = *compiled;
  const naive::Evaluator ref(m);
  std::vector<std::string> users;
  for (const User& u : m.users) users.push_back(u.id);
  users.push_back("nobody");

  for (const std::string& u : users)
    for (const std::string& right : w.rights) {
      const bool want = ref.has(u, right);
      if (s.has(s.find_user(u), s.find_right(right)) != want)
        mismatch(m, "has(" + u + ", " + right + ") expected " + (want ? "true" : "false"));
    }

  for (int ri = 0, n = 1 + g.below(6); ri < n; ++ri) {
    const naive::Record nr = sorights_random::random_record(g, w);
    const Record rec = sorights_random::to_record(s, nr);
    const Action text_for = static_cast<Action>(g.below(4));  // explain_text() is slow: one action per record
    for (const std::string& u : users) {
      const UserIndex ui = s.find_user(u);
      const naive::Bits want = ref.rights(u, nr);
      const TableRights got = s.rights(ui, rec);
      const std::string rel = ref.relation(u, nr);
      auto where = [&] { return " for user " + u + ", " + describe(nr); };
      if (got.bits() != want)
        mismatch(m, "rights expected " + TableRights::from_bits(want).to_string() + " got " + got.to_string() +
                        " (naive relation " + rel + ")" + where());
      for (Action a : {Action::kRead, Action::kCreate, Action::kUpdate, Action::kDelete}) {
        const bool allowed = (want & TableRights::action_bit(a)) != 0;
        if (s.can(ui, a, rec) != allowed) mismatch(m, "can() disagrees with rights()" + where());
        const Explanation e = s.explain(ui, a, rec);
        if (e.rights != got || e.allowed != allowed)
          mismatch(m, "explain() says " + e.rights.to_string() + (e.allowed ? " allowed" : " denied") +
                          ", rights() " + got.to_string() + where());
        if (!rel.empty() && (e.outcome != Outcome::kEvaluated || relation_name(e.relation) != rel))
          mismatch(m, "explain() relation " + std::string(relation_name(e.relation)) + ", naive relation " + rel +
                          where());
        if (a == text_for && (s.explain_text(e).empty() || s.explain_reason(e).empty()))
          mismatch(m, "explain says nothing" + where());
      }
      for (const std::string& f : sorights_random::kFields) {
        const naive::Bits fw = ref.field_rights(u, nr, f);
        const FieldRights fg = s.field_rights(ui, rec, s.find_field(f));
        if (fg.bits() != fw)
          mismatch(m, "field_rights(" + f + ") expected " + FieldRights::from_bits(fw).to_string() + " got " +
                          fg.to_string() + where());
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  run(data, size);
  return 0;
}
