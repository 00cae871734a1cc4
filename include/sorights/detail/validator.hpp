// -----------------------------------------------------------------------------
// File: detail/validator.hpp
// -----------------------------------------------------------------------------
// `detail::Validator`: checks every rule of a model (docs/rules.md) and
// lists every violation, for `validate`, `compile` and the directory's
// commits. Defined in its class (implicitly inline), so tests may include it
// in both build modes. No API promise.
#ifndef SORIGHTS_DETAIL_VALIDATOR_HPP_
#define SORIGHTS_DETAIL_VALIDATOR_HPP_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sorights/config.hpp"
#include "sorights/detail/flat_index.hpp"
#include "sorights/detail/model_edit.hpp"
#include "sorights/error.hpp"
#include "sorights/functional_right.hpp"
#include "sorights/ids.hpp"
#include "sorights/model.hpp"
#include "sorights/rights.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

// Collects diagnostics while validating. Ids are indexed in hash sets of
// views into the model (no string copies); every check visits each item once.
// The diagnostics and their order are those of the rules as listed in run().
class Validator {
 public:
  using IdSet = FlatIndex;

  // `check_texts`: judge every id and name (ids.hpp). Off for models read
  // back from a store, which may predate the rule; their changes are judged
  // at commit instead (CommitChecker).
  explicit Validator(const Model& m, bool check_texts = true) : m_(m), check_texts_(check_texts) {}

  std::vector<Diagnostic> run() {
    index(true);
    check_companies();
    check_licences();
    check_plans();
    check_rights();
    check_objects();
    check_roles();
    check_field_rights();
    check_overrides();
    check_users();
    return std::move(out_);
  }

  // True if the model, which differs from a valid model as `edit` says, is
  // certainly valid. False means "run validate()": a rule failed or the change
  // needs the whole model to judge (a user licence with seats newly in use).
  // The answer is never "valid" when validate() would report something. The
  // catalogs' own rules (ids of groups, the roles' rules) are checked whole:
  // they are small; users only where edited or added.
  bool edit_valid(const ModelEdit& edit) {
    index(false);
    if (!edit.roles.empty()) check_roles();
    if (!out_.empty()) return false;
    const std::size_t first_added = m_.users.size() - edit.added_users;
    auto judge = [&](std::size_t at, const User* was) {
      const User& u = m_.users[at];
      if (u.id.empty() || (was != nullptr && u.id != was->id)) return false;
      check_user_links(u);
      if (!u.person.empty() && (was == nullptr || u.person != was->person)) {
        for (std::size_t i = 0; i < m_.users.size(); ++i)
          if (i != at && m_.users[i].person == u.person) return false;
      }
      std::vector<std::string_view> held_after, held_before;
      check_user_licences(u, held_after);
      if (was != nullptr) {
        Validator quiet(m_);
        quiet.licence_kind_ = licence_kind_;
        quiet.check_user_licences(*was, held_before);
      }
      if (!out_.empty()) return false;
      // Seats: a restricted user licence newly in use needs the whole count.
      const bool active_after = !u.retired && !u.former_employee;
      const bool active_before = was != nullptr && !was->retired && !was->former_employee;
      if (active_after)
        for (std::string_view l : held_after) {
          const Licence* lic = m_.find_licence(l);
          if (lic == nullptr || !lic->capped()) continue;
          if (!active_before || !std::binary_search(held_before.begin(), held_before.end(), l)) return false;
        }
      return true;
    };
    for (std::size_t k = 0; k < edit.users.size(); ++k)
      if (!judge(edit.users[k], edit.users_before[k])) return false;
    for (std::size_t at = first_added; at < m_.users.size(); ++at)
      if (!judge(at, nullptr)) return false;
    // Two edited users at one position, or two users that now name the same
    // person (the scans above compare with every other user, edited or not).
    for (std::size_t a = 0; a < edit.users.size(); ++a)
      for (std::size_t b = a + 1; b < edit.users.size(); ++b)
        if (edit.users[a] == edit.users[b]) return false;
    return out_.empty();
  }

 private:
  void add(std::string_view collection, std::string_view item, std::string_view field,
           std::string_view rule, std::string message) {
    out_.push_back(Diagnostic{std::string(collection), escape_text(item, 200), std::string(field),
                              std::string(rule), std::move(message)});
  }

  // Ids and names (docs/design/0006-administration-chain.md, "ids and
  // names"): `value` in `field` of the item `item` of `collection`.
  void check_id_text(std::string_view collection, std::string_view item, std::string_view field,
                     std::string_view value) {
    check_text(collection, item, field, value, &id_problem, "id");
  }
  void check_name_text(std::string_view collection, std::string_view item, std::string_view field,
                       std::string_view value) {
    check_text(collection, item, field, value, &name_problem, "name");
  }
  void check_text(std::string_view collection, std::string_view item, std::string_view field, std::string_view value,
                  std::string_view (*problem_of)(std::string_view) noexcept, std::string_view what) {
    if (!check_texts_) return;
    const std::string_view problem = problem_of(value);
    if (problem.empty()) return;
    add(collection, item, field, "invalid-" + std::string(what),
        "invalid " + std::string(what) + " " + quote_id(value) + ": it " + std::string(problem));
  }
  // The texts of a user besides its id, which `ids` checks.
  void check_user_texts(const User& u) {
    if (!check_texts_) return;
    check_name_text("users", u.id, "name", u.name);
    if (!u.person.empty()) check_id_text("users", u.id, "person", u.person);
    if (u.type == UserType::kExternal && !u.company.empty()) check_id_text("users", u.id, "company", u.company);
    for (const std::string& p : u.projects) check_id_text("users", u.id, "projects", p);
  }

  template <class Vec>
  IdSet ids(const Vec& items, std::string_view collection) {
    IdSet seen;
    seen.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      const auto& item = items[i];
      if (i + kAhead < items.size()) seen.prefetch(items[i + kAhead].id);
      if (item.id.empty()) {
        add(collection, "", "id", "empty-id", "an id may not be empty");
      } else if (!seen.emplace(item.id, 0).second) {
        add(collection, item.id, "id", "duplicate-id", "duplicate id " + quote_id(item.id));
      } else {
        check_id_text(collection, item.id, "id", item.id);
      }
      if constexpr (requires { item.name; }) check_name_text(collection, item.id, "name", item.name);
      if constexpr (requires { item.names; })
        for (const auto& [code, text] : item.names) {
          if (code == "nb" || name_map_key(code).empty())
            add(collection, item.id, "names", "unknown-language",
                "unknown language " + quote_id(code) + " (names are keyed en, no, nl or da)");
          else
            check_name_text(collection, item.id, "names", text);
        }
    }
    return seen;
  }

  void index(bool with_users) {
    companies_ = ids(m_.our_companies, "our_companies");
    groups_ = ids(m_.groups, "groups");
    licences_ = ids(m_.licences, "licences");
    plans_ = ids(m_.plans, "plans");
    rights_ = ids(m_.functional_rights, "functional_rights");
    objects_ = ids(m_.objects, "objects");
    roles_ = ids(m_.roles, "roles");
    if (with_users) users_ = ids(m_.users, "users");
    for (std::string_view o : kBuiltinObjectNames) objects_.emplace(o, 0);
    for (std::size_t i = 0; i < kBuiltinRightCount; ++i) rights_.emplace(builtin_right_id(i), 0);
    for (const Role& r : m_.roles) role_type_.emplace(r.id, r.type);
    for (const Licence& l : m_.licences) licence_kind_.emplace(l.id, l.kind);
    for (const Role& r : m_.roles)
      if (r.type == RoleType::kAnonymous) anonymous_role_ = r.id;
  }

  void check_companies() {
    int owners = 0;
    for (const OurCompany& c : m_.our_companies)
      if (c.database_owner && ++owners == 2)
        add("our_companies", c.id, "database_owner", "two-database-owners",
            "only one of our companies can be the database owner");
  }

  void check_licences() {
    for (const Licence& l : m_.licences) {
      for (const std::string& r : l.requires_licences) {
        if (!licences_.contains(r))
          add("licences", l.id, "requires", "unknown-licence", "unknown licence " + quote_id(r));
        else if (r == l.id)
          add("licences", l.id, "requires", "licence-requires-itself", "a licence cannot require itself");
      }
      for (const std::string& o : l.cal_for)
        if (!objects_.contains(o))
          add("licences", l.id, "cal_for", "unknown-object", "unknown data object " + quote_id(o));
      if (l.kind == LicenceKind::kSite && !l.cal_for.empty())
        add("licences", l.id, "cal_for", "site-licence-cal",
            "cal_for belongs on a user licence; a site licence is held by everyone");
    }
  }

  void check_plans() {
    for (const Plan& p : m_.plans)
      for (const std::string& l : p.licences)
        assignable_licence("plans", p.id, l, "cannot be part of a user plan");
  }

  // A licence a plan or a user names: known, and a user licence (a site
  // licence is held by everyone). Reports the rule it breaks.
  bool assignable_licence(std::string_view collection, std::string_view item, const std::string& l,
                          std::string_view why_not_site) {
    auto it = licence_kind_.find(l);
    if (it == licence_kind_.end()) {
      add(collection, item, "licences", "unknown-licence", "unknown licence " + quote_id(l));
      return false;
    }
    if (it->second == LicenceKind::kSite) {
      add(collection, item, "licences", "site-licence-assigned",
          "site licence " + quote_id(l) + " " + std::string(why_not_site));
      return false;
    }
    return true;
  }

  void check_rights() {
    for (const FunctionalRightDef& r : m_.functional_rights) {
      if (find_builtin_right(r.id))
        add("functional_rights", r.id, "id", "duplicate-id",
            quote_id(r.id) + " is a built-in functional right");
      if (!r.requires_licence.empty() && !licences_.contains(r.requires_licence))
        add("functional_rights", r.id, "requires_licence", "unknown-licence",
            "unknown licence " + quote_id(r.requires_licence));
    }
  }

  void check_objects() {
    for (const DataObjectDef& o : m_.objects)
      if (is_builtin_object(o.id))
        add("objects", o.id, "id", "duplicate-id", quote_id(o.id) + " is a built-in data object");
  }

  void check_roles() {
    int anonymous = 0;
    for (const Role& r : m_.roles) {
      for (const auto& [object, cells] : r.data_rights) {
        if (!objects_.contains(object))
          add("roles", r.id, "data_rights", "unknown-object", "unknown data object " + quote_id(object));
        for (TableRights c : cells)
          if (c.bits() & ~TableRights::kCrudBits)
            add("roles", r.id, "data_rights." + object, "invalid-rights",
                "a role cell holds only C, R, U and D");
      }
      std::set<std::string_view> seen;
      for (const std::string& f : r.functional_rights) {
        if (!rights_.contains(f))
          add("roles", r.id, "functional_rights", "unknown-functional-right",
              "unknown functional right " + quote_id(f));
        else if (!seen.insert(f).second)
          add("roles", r.id, "functional_rights", "duplicate-functional-right",
              "functional right " + quote_id(f) + " listed twice");
      }
      if (r.type == RoleType::kAnonymous) {
        if (++anonymous == 2)
          add("roles", r.id, "type", "one-anonymous-role", "there is exactly one anonymous role");
        if (!r.functional_rights.empty())
          add("roles", r.id, "functional_rights", "anonymous-role-data-only",
              "the anonymous role holds data rights only");
      }
      if (r.type == RoleType::kSystem && r.id != "system")
        add("roles", r.id, "type", "one-system-role", "only the predefined system role has type system");
      if (is_predefined_role(r.id)) {
        std::optional<Role> def = predefined_role(r.id);
        if (def->type != r.type)
          add("roles", r.id, "type", "role-type-fixed",
              "predefined role " + quote_id(r.id) + " has type " +
                  std::string(role_type_name(def->type)));
        if (r.id == "system" && r != *def)
          add("roles", r.id, "", "system-role-edited", "the system role is never edited");
      }
    }
  }

  void check_field_rights() {
    std::set<std::tuple<std::string, std::string, std::string, int>> seen;
    for (std::size_t i = 0; i < m_.field_rights.size(); ++i) {
      const FieldRightRule& f = m_.field_rights[i];
      const std::string item = f.role + "/" + f.object + "." + f.field;
      if (!roles_.contains(f.role))
        add("field_rights", item, "role", "unknown-role", "unknown role " + quote_id(f.role));
      if (!objects_.contains(f.object))
        add("field_rights", item, "object", "unknown-object", "unknown data object " + quote_id(f.object));
      if (f.field.empty()) add("field_rights", item, "field", "empty-field", "a field name may not be empty");
      else check_id_text("field_rights", item, "field", f.field);
      if (!seen.emplace(f.role, f.object, f.field, static_cast<int>(f.relation)).second)
        add("field_rights", item, "relation", "duplicate-field-right",
            "a second field right for relation " + std::string(relation_name(f.relation)));
    }
  }

  void check_overrides() {
    for (const Override& o : m_.overrides) {
      std::string item = o.level == OverrideLevel::kSystem ? "system"
                         : (o.level == OverrideLevel::kGroup ? "group:" : "user:") + o.target;
      item += "/" + o.object;
      if (o.level == OverrideLevel::kGroup && !groups_.contains(o.target))
        add("overrides", item, "level", "unknown-group", "unknown group " + quote_id(o.target));
      if (o.level == OverrideLevel::kUser && !users_.contains(o.target))
        add("overrides", item, "level", "unknown-user", "unknown user " + quote_id(o.target));
      if (!objects_.contains(o.object))
        add("overrides", item, "object", "unknown-object", "unknown data object " + quote_id(o.object));
      if (o.scope == OverrideScope::kRecord && o.record.empty())
        add("overrides", item, "scope", "missing-record", "scope record needs a record id");
      else if (o.scope == OverrideScope::kRecord)
        check_id_text("overrides", item, "scope", o.record);
      if (!o.field.empty()) check_id_text("overrides", item, "field", o.field);
      if (o.field.empty() ? (o.remove & ~TableRights::kCrudBits) != 0 : (o.remove & ~3u) != 0)
        add("overrides", item, "remove", "invalid-rights",
            o.field.empty() ? "a table override removes only C, R, U and D"
                            : "a field override removes only R and W");
    }
  }

  // The licence rules of one user; `held` gets the licences it holds
  // (direct + plan, known ones, sorted and unique).
  void check_user_licences(const User& u, std::vector<std::string_view>& held) {
    held.clear();
    for (const std::string& l : u.licences)
      if (assignable_licence("users", u.id, l, "is held by everyone and cannot be assigned")) held.push_back(l);
    if (!u.plan.empty()) {
      if (const Plan* p = m_.find_plan(u.plan)) {
        for (const std::string& l : p->licences)
          if (licence_kind_.contains(l)) held.push_back(l);
      } else {
        add("users", u.id, "plan", "unknown-plan", "unknown plan " + quote_id(u.plan));
      }
    }
    if (held.size() > 1) {
      std::sort(held.begin(), held.end());
      held.erase(std::unique(held.begin(), held.end()), held.end());
    }
    for (std::string_view l : held) {
      const Licence* lic = m_.find_licence(l);
      for (const std::string& req : lic->requires_licences) {
        auto kind = licence_kind_.find(req);
        if (kind == licence_kind_.end() || kind->second == LicenceKind::kSite) continue;
        if (!std::binary_search(held.begin(), held.end(), std::string_view(req)))
          add("users", u.id, "licences", "missing-prerequisite",
              "licence " + quote_id(l) + " requires licence " + quote_id(req));
      }
    }
  }

  void check_users() {
    std::unordered_map<std::string_view, std::string_view> persons;
    std::unordered_map<std::string_view, std::uint32_t> in_use;
    std::vector<std::string_view> held;
    for (std::size_t i = 0; i < m_.users.size(); ++i) {
      const User& u = m_.users[i];
      if (i + kAhead < m_.users.size()) prefetch_links(m_.users[i + kAhead]);
      check_user_links(u);
      if (!u.person.empty()) {
        auto [it, fresh] = persons.emplace(u.person, u.id);
        if (!fresh)
          add("users", u.id, "person", "duplicate-person",
              "person " + quote_id(u.person) + " is already user " + quote_id(it->second));
      }
      check_user_licences(u, held);
      if (!u.retired && !u.former_employee)
        for (std::string_view l : held) ++in_use[l];
    }
    for (const Licence& l : m_.licences) {
      if (!l.capped()) continue;
      auto it = in_use.find(l.id);
      const std::uint32_t n = it == in_use.end() ? 0 : it->second;
      if (n > l.count)
        add("licences", l.id, "count", "licence-over-count",
            "licence " + quote_id(l.id) + " is assigned to " + std::to_string(n) +
                " users but only " + std::to_string(l.count) + " are purchased");
    }
  }

  // How many entities ahead a bulk loop prefetches its index probes.
  static constexpr std::size_t kAhead = 8;
  void prefetch_links(const User& u) const noexcept {
    groups_.prefetch(u.group);
    if (!u.other_groups.empty()) groups_.prefetch(u.other_groups.front());
  }

  void check_user_links(const User& u) {
    check_user_texts(u);
    const std::string_view type = user_type_name(u.type);
    // Role and role type.
    std::string_view role = u.role;
    if (role.empty() && u.type == UserType::kSystem) role = "system";
    if (role.empty() && u.type == UserType::kAnonymous) role = anonymous_role_;
    if (role.empty()) {
      if (u.type == UserType::kAssociate || u.type == UserType::kExternal ||
          u.type == UserType::kAnonymous)
        add("users", u.id, "role", "missing-role", "a user of type " + std::string(type) + " needs a role");
    } else if (auto it = role_type_.find(role); it == role_type_.end()) {
      if (!(u.type == UserType::kSystem && u.role.empty()))
        add("users", u.id, "role", "unknown-role", "unknown role " + quote_id(role));
    } else if (std::optional<RoleType> want = role_type_for(u.type); want && *want != it->second) {
      add("users", u.id, "role", "role-type",
          "role " + quote_id(role) + " has type " + std::string(role_type_name(it->second)) +
              " but a user of type " + std::string(type) + " needs a role of type " +
              std::string(role_type_name(*want)));
    }
    // Company.
    const bool ours = !u.company.empty() && companies_.contains(u.company);
    if (u.type == UserType::kAssociate) {
      if (u.company.empty())
        add("users", u.id, "company", "missing-company", "an associate needs one of our companies");
      else if (!ours)
        add("users", u.id, "company", "company-not-ours",
            "company " + quote_id(u.company) + " is not one of our companies");
    } else if (u.type == UserType::kExternal) {
      if (u.company.empty())
        add("users", u.id, "company", "missing-company", "an external user needs a company");
      else if (ours)
        add("users", u.id, "company", "external-company-ours",
            "an external user's company cannot be one of our companies (" + quote_id(u.company) + ")");
    }
    // Groups.
    const bool groupless = u.type == UserType::kExternal || u.type == UserType::kAnonymous ||
                           u.type == UserType::kSystem;
    if (groupless && (!u.group.empty() || !u.other_groups.empty())) {
      add("users", u.id, "group", "no-groups",
          "a user of type " + std::string(type) + " has no user groups");
    } else {
      if (u.type == UserType::kAssociate && u.group.empty())
        add("users", u.id, "group", "missing-group", "an associate needs a primary group");
      if (!u.group.empty() && !groups_.contains(u.group))
        add("users", u.id, "group", "unknown-group", "unknown group " + quote_id(u.group));
      for (const std::string& g : u.other_groups)
        if (!groups_.contains(g))
          add("users", u.id, "other_groups", "unknown-group", "unknown group " + quote_id(g));
    }
  }

  const Model& m_;
  bool check_texts_ = true;
  std::vector<Diagnostic> out_;
  IdSet companies_, groups_, licences_, plans_, rights_, objects_, roles_, users_;
  std::unordered_map<std::string_view, RoleType> role_type_;
  std::unordered_map<std::string_view, LicenceKind> licence_kind_;
  std::string_view anonymous_role_;
};

}  // namespace detail

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_DETAIL_VALIDATOR_HPP_
