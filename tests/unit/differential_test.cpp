// Differential test: the compiled Snapshot against the naive reference
// evaluator (tests/reference/naive_evaluator.hpp) on random valid models and
// random records. Fixed seeds, plus SORIGHTS_DIFF_SEED from the environment
// when set. A failure prints the seed and the first disagreeing case.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "reference/naive_evaluator.hpp"
#include "reference/random_model.hpp"
#include "sorights/model.hpp"
#include "sorights/snapshot.hpp"
#include "support/catch.hpp"

namespace {

using namespace sorights;

using namespace sorights_random;
using Gen = SeededGen;

std::string describe_user(const Model& m, const std::string& id) {
  const User* u = m.find_user(id);
  if (u == nullptr) return "user " + id + " (not in the model)";
  std::ostringstream out;
  out << "user " << u->id << " type=" << user_type_name(u->type) << " role=" << u->role << " company=" << u->company
      << " group=" << u->group << " other_groups=[";
  for (const std::string& g : u->other_groups) out << g << ' ';
  out << "] projects=[";
  for (const std::string& p : u->projects) out << p << ' ';
  out << "] licences=[";
  for (const std::string& l : u->licences) out << l << ' ';
  out << "] plan=" << u->plan << (u->retired ? " retired" : "") << (u->former_employee ? " former" : "")
      << (u->can_log_in ? "" : " login-off");
  return out.str();
}

std::string describe_record(const naive::Record& r) {
  std::ostringstream out;
  out << "record object=" << r.object << " owner=" << r.owner << " group=" << r.group << " visible_for=" << r.visible_for
      << ":" << r.visible_id << " project=" << r.project << " company=" << r.company << " id=" << r.id
      << " published=" << r.published << " window=[" << r.publish_from << "," << r.publish_to << "] at=" << r.at
      << " completed=" << r.completed << " new=" << r.is_new << " user_person=" << r.user_person
      << " our_company=" << r.our_company << " database_owner=" << r.database_owner;
  return out.str();
}

struct Stats {
  std::uint64_t checks = 0;  // (model, user, record) triples
  std::uint64_t mismatches = 0;
  std::string first;
  // Coverage of the generator: how often each relation, and each outcome that
  // only one layer produces, was seen.
  std::map<std::string, std::uint64_t> relations;
  std::uint64_t granted = 0, filtering = 0, restricted = 0, hints = 0;
};

void run_seed(std::uint64_t seed, int models, int records_per_model, Stats& st) {
  Gen g(seed);
  for (int mi = 0; mi < models; ++mi) {
    const World w = random_world(g);
    const Model& m = w.model;
    const std::vector<Diagnostic> problems = validate(m);
    if (!problems.empty()) {
      std::string text = "seed " + std::to_string(seed) + " model " + std::to_string(mi) +
                         ": the generator built an invalid model:";
      for (const Diagnostic& d : problems) text += "\n  " + d.to_string();
      FAIL(text);
    }
    const Snapshot s = std::move(compile(m)).value();
    const naive::Evaluator ref(m);
    std::vector<std::string> users;
    for (const User& u : m.users) users.push_back(u.id);
    users.push_back("nobody");

    auto mismatch = [&](const std::string& what) {
      ++st.mismatches;
      if (st.first.empty()) st.first = "seed " + std::to_string(seed) + " model " + std::to_string(mi) + ": " + what;
    };
    // Functional rights: per user.
    for (const std::string& u : users)
      for (const std::string& right : w.rights) {
        const bool want = ref.has(u, right);
        const bool got = s.has(s.find_user(u), s.find_right(right));
        if (want != got)
          mismatch("has(" + right + ") expected " + (want ? "true" : "false") + " got " + (got ? "true" : "false") +
                   "\n  " + describe_user(m, u));
      }
    for (int ri = 0; ri < records_per_model; ++ri) {
      const naive::Record nr = random_record(g, w);
      const Record rec = to_record(s, nr);
      for (const std::string& u : users) {
        ++st.checks;
        const UserIndex ui = s.find_user(u);
        const naive::Bits want = ref.rights(u, nr);
        const TableRights got = s.rights(ui, rec);
        const std::string rel = ref.relation(u, nr);
        ++st.relations[rel.empty() ? "(not evaluated)" : rel];
        st.granted += (want & 15) != 0;
        st.filtering += (want & naive::kFiltering) != 0;
        st.restricted += (want & naive::kRestrictedUpdate) != 0;
        bool ok = got.bits() == want && s.explain(ui, Action::kRead, rec).rights == got;
        for (Action a : {Action::kRead, Action::kCreate, Action::kUpdate, Action::kDelete})
          ok = ok && s.can(ui, a, rec) == ((want & TableRights::action_bit(a)) != 0);
        if (!ok)
          mismatch("rights expected " + TableRights::from_bits(want).to_string() + " got " + got.to_string() +
                   " (naive relation " + rel + ", snapshot relation " +
                   std::string(relation_name(s.explain(ui, Action::kRead, rec).relation)) + ")\n  " +
                   describe_user(m, u) + "\n  " + describe_record(nr));
        for (const std::string& f : kFields) {
          const naive::Bits fw = ref.field_rights(u, nr, f);
          const FieldRights fg = s.field_rights(ui, rec, s.find_field(f));
          st.hints += (fw & (naive::kMandatory | naive::kReadOnlyHint)) != 0;
          if (fg.bits() != fw)
            mismatch("field_rights(" + f + ") expected " + FieldRights::from_bits(fw).to_string() + " got " +
                     fg.to_string() + " (table rights " + got.to_string() + ", naive relation " +
                     rel + ")\n  " + describe_user(m, u) + "\n  " + describe_record(nr));
        }
      }
    }
  }
}

}  // namespace

TEST_CASE("differential: rights, can, has and field_rights agree with the naive reference evaluator", "[differential]") {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::uint64_t> seeds = {1, 2, 3, 4, 5, 6, 7, 8};
  if (const char* env = std::getenv("SORIGHTS_DIFF_SEED"); env != nullptr && *env != '\0')
    seeds.push_back(std::strtoull(env, nullptr, 0));
  Stats total;
  for (std::uint64_t seed : seeds) {
    Stats st;
    run_seed(seed, 60, 40, st);
    INFO("seed " << seed << ": " << st.mismatches << " disagreements; first:\n" << st.first);
    CHECK(st.mismatches == 0);
    total.checks += st.checks;
    for (const auto& [rel, n] : st.relations) total.relations[rel] += n;
    total.granted += st.granted;
    total.filtering += st.filtering;
    total.restricted += st.restricted;
    total.hints += st.hints;
  }
  // The generator reaches every relation and every layer-specific outcome.
  for (std::string_view rel : kRelationNames) {
    INFO("relation " << rel);
    CHECK(total.relations[std::string(rel)] >= 100);
  }
  CHECK(total.relations["(not evaluated)"] >= 100);
  CHECK(total.granted >= 10000);
  CHECK(total.filtering >= 100);
  CHECK(total.restricted >= 100);
  CHECK(total.hints >= 100);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::ostringstream coverage;
  for (const auto& [rel, n] : total.relations) coverage << ' ' << rel << '=' << n;
  WARN("differential: " << total.checks << " (model, user, record) checks, each with rights(), can() x4, explain() and "
                        << kFields.size() << " field_rights(), in " << seconds << " s; relations:" << coverage.str()
                        << "; granted=" << total.granted << " filtering=" << total.filtering
                        << " restricted_update=" << total.restricted << " ui_hints=" << total.hints);
  REQUIRE(total.checks >= 200000);
}

// docs/rules.md §2–§8 and docs/design/0000-architecture.md: the role matrix grants, every later layer
// only narrows. The only bits a layer may add are Filtering (a follow-up
// hidden by visibility) and RestrictedUpdate (the database-owner company,
// only where Update survives). Checked on random models through explain().
TEST_CASE("Property: narrowing layers never add a right beyond the role cell", "[differential][property]") {
  long checked = 0;
  long violations = 0;
  std::string first;
  for (std::uint64_t seed : {11u, 12u, 13u, 14u}) {
    Gen g(seed);
    for (int mi = 0; mi < 30; ++mi) {
      const World w = random_world(g);
      const Snapshot s = std::move(compile(w.model)).value();
      for (int ri = 0; ri < 40; ++ri) {
        const naive::Record nr = random_record(g, w);
        const Record rec = to_record(s, nr);
        for (const User& u : w.model.users) {
          const Explanation e = s.explain(s.find_user(u.id), Action::kUpdate, rec);
          if (e.outcome != Outcome::kEvaluated) continue;
          ++checked;
          bool ok = (e.rights.bits() & TableRights::kCrudBits & ~e.cell.bits()) == 0;
          const auto& vis = e.layers[static_cast<std::size_t>(Layer::kVisibility)];
          const auto& state = e.layers[static_cast<std::size_t>(Layer::kRecordState)];
          if (e.rights.contains_any(TableRight::kFiltering)) ok = ok && vis.applied && !e.cell.empty();
          if (e.rights.contains_any(TableRight::kRestrictedUpdate))
            ok = ok && state.applied && e.rights.contains_all(TableRight::kUpdate);
          for (const LayerEffect& fx : e.layers)
            ok = ok && (fx.added.bits() & ~(16u | 32u)) == 0;
          if (!ok && ++violations == 1)
            first = "seed " + std::to_string(seed) + " model " + std::to_string(mi) + ": cell " +
                    e.cell.to_string() + " gave " + e.rights.to_string() + "\n  " + describe_user(w.model, u.id) +
                    "\n  " + describe_record(nr);
        }
      }
    }
  }
  INFO(first);
  CHECK(violations == 0);
  CHECK(checked > 20000);
}
