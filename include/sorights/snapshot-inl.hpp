// -----------------------------------------------------------------------------
// File: snapshot-inl.hpp
// -----------------------------------------------------------------------------
// Out-of-line definitions for snapshot.hpp: model validation, compilation,
// field rights and explanations. Included by snapshot.hpp in header-only
// builds and compiled once into the library otherwise.
#ifndef SORIGHTS_SNAPSHOT_INL_HPP_
#define SORIGHTS_SNAPSHOT_INL_HPP_

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sorights/snapshot.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

inline std::string quote_id(std::string_view s) {
  std::string out = "\"";
  out.append(s);
  out += '"';
  return out;
}

// Collects diagnostics while validating.
class Validator {
 public:
  explicit Validator(const Model& m) : m_(m) {}

  std::vector<Diagnostic> run() {
    index();
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

 private:
  void add(std::string_view collection, std::string_view item, std::string_view field,
           std::string_view rule, std::string message) {
    out_.push_back(Diagnostic{std::string(collection), std::string(item), std::string(field),
                              std::string(rule), std::move(message)});
  }

  template <class Vec>
  std::set<std::string, std::less<>> ids(const Vec& items, std::string_view collection) {
    std::set<std::string, std::less<>> seen;
    for (const auto& item : items) {
      if (item.id.empty()) {
        add(collection, "", "id", "empty-id", "an id may not be empty");
      } else if (!seen.insert(item.id).second) {
        add(collection, item.id, "id", "duplicate-id", "duplicate id " + quote_id(item.id));
      }
    }
    return seen;
  }

  void index() {
    companies_ = ids(m_.our_companies, "our_companies");
    groups_ = ids(m_.groups, "groups");
    licences_ = ids(m_.licences, "licences");
    plans_ = ids(m_.plans, "plans");
    rights_ = ids(m_.functional_rights, "functional_rights");
    objects_ = ids(m_.objects, "objects");
    roles_ = ids(m_.roles, "roles");
    users_ = ids(m_.users, "users");
    for (std::string_view o : kBuiltinObjectNames) objects_.insert(std::string(o));
    for (std::size_t i = 0; i < kBuiltinRightCount; ++i) rights_.insert(std::string(builtin_right_id(i)));
    for (const Role& r : m_.roles) role_type_.emplace(r.id, r.type);
    for (const Licence& l : m_.licences) licence_kind_.emplace(l.id, l.kind);
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
      for (const std::string& l : p.licences) {
        auto it = licence_kind_.find(l);
        if (it == licence_kind_.end())
          add("plans", p.id, "licences", "unknown-licence", "unknown licence " + quote_id(l));
        else if (it->second == LicenceKind::kSite)
          add("plans", p.id, "licences", "site-licence-assigned",
              "site licence " + quote_id(l) + " cannot be part of a user plan");
      }
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
      if (o.field.empty() ? (o.remove & ~TableRights::kCrudBits) != 0 : (o.remove & ~3u) != 0)
        add("overrides", item, "remove", "invalid-rights",
            o.field.empty() ? "a table override removes only C, R, U and D"
                            : "a field override removes only R and W");
    }
  }

  void check_users() {
    std::map<std::string, std::string, std::less<>> persons;
    std::map<std::string, std::uint32_t, std::less<>> in_use;
    for (const User& u : m_.users) {
      check_user_links(u);
      if (!u.person.empty()) {
        auto [it, fresh] = persons.emplace(u.person, u.id);
        if (!fresh)
          add("users", u.id, "person", "duplicate-person",
              "person " + quote_id(u.person) + " is already user " + quote_id(it->second));
      }
      // Licences held: direct + plan. Site licences cannot be assigned.
      std::set<std::string, std::less<>> held;
      for (const std::string& l : u.licences) {
        auto it = licence_kind_.find(l);
        if (it == licence_kind_.end())
          add("users", u.id, "licences", "unknown-licence", "unknown licence " + quote_id(l));
        else if (it->second == LicenceKind::kSite)
          add("users", u.id, "licences", "site-licence-assigned",
              "site licence " + quote_id(l) + " is held by everyone and cannot be assigned");
        else
          held.insert(l);
      }
      if (!u.plan.empty()) {
        if (const Plan* p = m_.find_plan(u.plan)) {
          for (const std::string& l : p->licences)
            if (licence_kind_.contains(l)) held.insert(l);
        } else {
          add("users", u.id, "plan", "unknown-plan", "unknown plan " + quote_id(u.plan));
        }
      }
      for (const std::string& l : held) {
        const Licence* lic = m_.find_licence(l);
        for (const std::string& req : lic->requires_licences) {
          auto kind = licence_kind_.find(req);
          if (kind == licence_kind_.end() || kind->second == LicenceKind::kSite) continue;
          if (!held.contains(req))
            add("users", u.id, "licences", "missing-prerequisite",
                "licence " + quote_id(l) + " requires licence " + quote_id(req));
        }
      }
      if (!u.retired && !u.former_employee)
        for (const std::string& l : held) ++in_use[l];
    }
    for (const Licence& l : m_.licences) {
      if (l.kind != LicenceKind::kUser || l.unrestricted) continue;
      auto it = in_use.find(l.id);
      const std::uint32_t n = it == in_use.end() ? 0 : it->second;
      if (n > l.count)
        add("licences", l.id, "count", "licence-over-count",
            "licence " + quote_id(l.id) + " is assigned to " + std::to_string(n) +
                " users but only " + std::to_string(l.count) + " are purchased");
    }
  }

  void check_user_links(const User& u) {
    const std::string_view type = user_type_name(u.type);
    // Role and role type.
    std::string role = u.role;
    if (role.empty() && u.type == UserType::kSystem) role = "system";
    if (role.empty() && u.type == UserType::kAnonymous)
      for (const Role& r : m_.roles)
        if (r.type == RoleType::kAnonymous) role = r.id;
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
    const bool ours = companies_.contains(u.company);
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
  std::vector<Diagnostic> out_;
  std::set<std::string, std::less<>> companies_, groups_, licences_, plans_, rights_, objects_,
      roles_, users_;
  std::map<std::string, RoleType, std::less<>> role_type_;
  std::map<std::string, LicenceKind, std::less<>> licence_kind_;
};

inline std::uint8_t builtin_traits(std::size_t object) {
  switch (static_cast<BuiltinObject>(object)) {
    case BuiltinObject::kCompany: return kTraitEmptyOwnerIsUser | kTraitCompany;
    case BuiltinObject::kPerson: return kTraitEmptyOwnerIsUser | kTraitPerson;
    case BuiltinObject::kProject: return kTraitEmptyOwnerIsUser;
    case BuiltinObject::kRelation: return kTraitEmptyOwnerIsUser;
    case BuiltinObject::kFollowUp: return kTraitVisibility | kTraitVisibilityFiltering;
    case BuiltinObject::kDocument: return kTraitVisibility;
    case BuiltinObject::kSale: return kTraitVisibility | kTraitCompletedLocked;
    case BuiltinObject::kSelection: return kTraitVisibility | kTraitSelection;
    case BuiltinObject::kDashboard: return kTraitVisibility;
    default: return 0;
  }
}

// The publish right that gates each object for external users.
inline std::size_t publish_right(std::size_t object) {
  switch (static_cast<BuiltinObject>(object)) {
    case BuiltinObject::kProject: return builtin_right::kExtPublishProject;
    case BuiltinObject::kFollowUp: return builtin_right::kExtPublishAppointment;
    case BuiltinObject::kDocument: return builtin_right::kExtPublishDocument;
    case BuiltinObject::kSale: return builtin_right::kExtPublishSale;
    default: return static_cast<std::size_t>(-1);
  }
}

template <class T>
void append_bytes(std::string& key, const T& value) {
  key.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

}  // namespace detail

SORIGHTS_INLINE std::vector<Diagnostic> validate(const Model& model) {
  return detail::Validator(model).run();
}

SORIGHTS_INLINE Result<Snapshot> compile(const Model& model, std::uint64_t version) {
  using namespace detail;
  std::vector<Diagnostic> problems = validate(model);
  if (!problems.empty()) {
    std::string message = "the model breaks " + std::to_string(problems.size()) +
                          (problems.size() == 1 ? " rule: " : " rules; first: ") +
                          problems.front().to_string();
    return Error(ErrorCode::kFailedPrecondition, std::move(message), std::move(problems));
  }

  Snapshot s;
  s.version_ = version;

  // Objects and their traits.
  for (std::size_t i = 0; i < kBuiltinObjectNames.size(); ++i) {
    s.object_names_.add(kBuiltinObjectNames[i]);
    s.object_traits_.push_back(builtin_traits(i));
  }
  for (const DataObjectDef& o : model.objects) {
    s.object_names_.add(o.id);
    s.object_traits_.push_back(static_cast<std::uint8_t>(
        (o.empty_owner_is_user ? kTraitEmptyOwnerIsUser : 0) | (o.has_visibility ? kTraitVisibility : 0) |
        (o.completed_is_locked ? kTraitCompletedLocked : 0)));
  }
  if (s.object_names_.size() >= static_cast<std::size_t>(kUnknownObject))
    return Error(ErrorCode::kInvalidArgument, "too many data objects");
  s.object_names_.seal();
  s.object_count_ = static_cast<std::uint32_t>(s.object_names_.size());
  const std::size_t n_objects = s.object_count_;

  // Functional rights.
  for (std::size_t i = 0; i < kBuiltinRightCount; ++i) s.right_names_.add(builtin_right_id(i));
  std::vector<std::string_view> right_licence(kBuiltinRightCount);
  for (const FunctionalRightDef& r : model.functional_rights) {
    s.right_names_.add(r.id);
    right_licence.push_back(r.requires_licence);
  }
  s.right_names_.seal();
  s.right_count_ = static_cast<std::uint32_t>(s.right_names_.size());
  const std::uint32_t words = (s.right_count_ + 63) / 64;
  s.right_words_per_profile_ = words;

  // Companies: ours first, then every other company a user names.
  for (const OurCompany& c : model.our_companies) {
    if (c.database_owner) s.database_owner_ = static_cast<std::uint32_t>(s.company_names_.size());
    s.company_names_.add(c.id);
  }
  s.our_company_count_ = static_cast<std::uint32_t>(s.company_names_.size());
  std::unordered_map<std::string_view, std::uint32_t> company_index;
  for (std::uint32_t i = 0; i < model.our_companies.size(); ++i)
    company_index.emplace(model.our_companies[i].id, i);
  for (const User& u : model.users)
    if (!u.company.empty() && !company_index.contains(u.company))
      company_index.emplace(u.company, s.company_names_.add(u.company));
  s.company_names_.seal();

  // Groups, roles, projects, fields.
  std::unordered_map<std::string_view, std::uint32_t> group_index, role_index, project_index,
      field_index, object_index_map, right_index_map;
  for (const Group& g : model.groups) group_index.emplace(g.id, s.group_names_.add(g.id));
  s.group_names_.seal();
  for (std::uint32_t i = 0; i < n_objects; ++i) object_index_map.emplace(s.object_names_.name(i), i);
  for (std::uint32_t i = 0; i < s.right_count_; ++i) right_index_map.emplace(s.right_names_.name(i), i);

  s.role_cells_.assign(model.roles.size() * n_objects * kRelationCount, 0);
  for (const Role& r : model.roles) {
    const std::uint32_t ri = s.role_names_.add(r.id);
    role_index.emplace(r.id, ri);
    for (const auto& [object, cells] : r.data_rights) {
      const std::uint32_t oi = object_index_map.at(object);
      for (int rel = 0; rel < kRelationCount; ++rel)
        s.role_cells_[(ri * n_objects + oi) * kRelationCount + static_cast<std::size_t>(rel)] =
            static_cast<std::uint8_t>(cells[static_cast<std::size_t>(rel)].bits() & TableRights::kCrudBits);
    }
  }
  s.role_names_.seal();
  for (const User& u : model.users)
    for (const std::string& p : u.projects)
      if (!project_index.contains(p)) project_index.emplace(p, s.project_names_.add(p));
  s.project_names_.seal();
  field_index.emplace("name", s.field_names_.add("name"));
  for (const FieldRightRule& f : model.field_rights)
    if (!field_index.contains(f.field)) field_index.emplace(f.field, s.field_names_.add(f.field));
  for (const Override& o : model.overrides)
    if (!o.field.empty() && !field_index.contains(o.field))
      field_index.emplace(o.field, s.field_names_.add(o.field));
  s.field_names_.seal();
  s.name_field_ = field_index.at("name");

  for (const FieldRightRule& f : model.field_rights) {
    std::uint8_t bits = static_cast<std::uint8_t>(f.rights.access().bits() |
                                                  (f.ui_mandatory ? 64u : 0u) | (f.ui_read_only ? 128u : 0u));
    s.field_rules_.push_back(FieldRule{role_index.at(f.role),
                                       static_cast<std::uint16_t>(object_index_map.at(f.object)),
                                       field_index.at(f.field), static_cast<std::uint8_t>(f.relation), bits});
  }
  std::sort(s.field_rules_.begin(), s.field_rules_.end(), [](const FieldRule& a, const FieldRule& b) {
    return std::tie(a.role, a.object, a.field, a.relation) < std::tie(b.role, b.object, b.field, b.relation);
  });

  // Licences. Every user holds the site licences.
  std::set<std::string_view> site_licences;
  for (const Licence& l : model.licences)
    if (l.kind == LicenceKind::kSite) site_licences.insert(l.id);
  std::unordered_map<std::string_view, const Plan*> plan_by_id;
  for (const Plan& p : model.plans) plan_by_id.emplace(p.id, &p);
  std::vector<std::pair<const Licence*, std::vector<std::uint32_t>>> cal_licences;
  for (const Licence& l : model.licences) {
    if (l.kind != LicenceKind::kUser || l.cal_for.empty()) continue;
    std::vector<std::uint32_t> objs;
    for (const std::string& o : l.cal_for) objs.push_back(object_index_map.at(o));
    cal_licences.emplace_back(&l, std::move(objs));
  }

  // Overrides indexed by level target.
  std::vector<const Override*> system_ovr;
  std::unordered_map<std::string_view, std::vector<const Override*>> group_ovr, user_ovr;
  for (const Override& o : model.overrides) {
    if (o.level == OverrideLevel::kSystem) system_ovr.push_back(&o);
    else if (o.level == OverrideLevel::kGroup) group_ovr[o.target].push_back(&o);
    else user_ovr[o.target].push_back(&o);
  }

  // Users and their profiles.
  std::size_t name_chars = 0;
  for (const User& u : model.users) name_chars += u.id.size();
  s.user_names_.reserve(model.users.size(), name_chars);
  s.users_.reserve(model.users.size());
  std::unordered_map<std::string, std::uint32_t> profile_index;
  std::string key;
  std::vector<std::uint64_t> bits(words);
  std::vector<ObjectInfo> infos(n_objects);
  std::vector<RecordOverride> rec_ovr;
  std::vector<FieldOverride> fld_ovr;
  const std::uint32_t system_role =
      role_index.contains("system") ? role_index.at("system") : 0;

  for (const User& u : model.users) {
    UserRec rec{};
    rec.type = static_cast<std::uint8_t>(u.type);
    rec.primary_group = u.group.empty() ? static_cast<std::uint32_t>(kNoGroup) : group_index.at(u.group);
    rec.company = u.company.empty() ? static_cast<std::uint32_t>(kNoCompany) : company_index.at(u.company);
    rec.in_our_companies = u.type == UserType::kAssociate && rec.company < s.our_company_count_;
    rec.inactive = static_cast<std::uint8_t>(
        u.retired ? InactiveReason::kRetired
        : u.former_employee ? InactiveReason::kFormerEmployee
        : u.type == UserType::kResource ? InactiveReason::kResource
        : !u.can_log_in ? InactiveReason::kLoginOff
                        : InactiveReason::kNone);
    std::vector<std::uint32_t> other;
    for (const std::string& g : u.other_groups) {
      const std::uint32_t gi = group_index.at(g);
      if (gi != rec.primary_group) other.push_back(gi);
    }
    std::sort(other.begin(), other.end());
    other.erase(std::unique(other.begin(), other.end()), other.end());
    rec.groups_begin = static_cast<std::uint32_t>(s.group_pool_.size());
    rec.groups_count = static_cast<std::uint16_t>(std::min<std::size_t>(other.size(), 0xFFFF));
    s.group_pool_.insert(s.group_pool_.end(), other.begin(), other.begin() + rec.groups_count);
    std::vector<std::uint32_t> projects;
    for (const std::string& p : u.projects) projects.push_back(project_index.at(p));
    std::sort(projects.begin(), projects.end());
    projects.erase(std::unique(projects.begin(), projects.end()), projects.end());
    rec.projects_begin = static_cast<std::uint32_t>(s.project_pool_.size());
    rec.projects_count = static_cast<std::uint16_t>(std::min<std::size_t>(projects.size(), 0xFFFF));
    s.project_pool_.insert(s.project_pool_.end(), projects.begin(), projects.begin() + rec.projects_count);

    // Profile content.
    const bool active = rec.inactive == static_cast<std::uint8_t>(InactiveReason::kNone);
    const bool system = u.type == UserType::kSystem;
    std::string role_id = u.role;
    if (role_id.empty() && u.type == UserType::kAnonymous)
      for (const Role& r : model.roles)
        if (r.type == RoleType::kAnonymous) role_id = r.id;
    const std::uint32_t role = role_id.empty() || !role_index.contains(role_id) ? system_role
                                                                               : role_index.at(role_id);
    std::set<std::string_view> held = site_licences;
    for (const std::string& l : u.licences) held.insert(l);
    if (!u.plan.empty())
      for (const std::string& l : plan_by_id.at(u.plan)->licences) held.insert(l);

    std::fill(bits.begin(), bits.end(), 0);
    std::uint8_t flags = 0;
    if (active) {
      flags |= kProfileActive;
      if (system) {
        flags |= kProfileSystem;
        for (std::uint32_t i = 0; i < s.right_count_; ++i) bits[i >> 6] |= 1ull << (i & 63u);
      } else if (!model.roles.empty()) {
        for (const std::string& r : model.roles[role].functional_rights) {
          const std::uint32_t ri = right_index_map.at(r);
          if (!right_licence[ri].empty() && !held.contains(right_licence[ri])) continue;
          bits[ri >> 6] |= 1ull << (ri & 63u);
        }
      }
    }
    auto holds = [&](std::size_t right) { return (bits[right >> 6] >> (right & 63u)) & 1u; };
    if (holds(builtin_right::kSeeOtherCompanies)) flags |= kProfileSeeOtherCompanies;
    if (holds(builtin_right::kExtMyCompany)) flags |= kProfileExtMyCompany;
    if (holds(builtin_right::kExtSameProject)) flags |= kProfileExtSameProject;
    if (holds(builtin_right::kAdminAll) || holds(builtin_right::kAdminUsers)) flags |= kProfileSelectionAdmin;

    std::fill(infos.begin(), infos.end(), ObjectInfo{0, 0, 0, 0});
    for (const auto& [lic, objs] : cal_licences)
      if (!held.contains(lic->id))
        for (std::uint32_t o : objs) infos[o].flags |= kObjCalLimited;
    if (u.type == UserType::kExternal)
      for (std::size_t o = 0; o < kBuiltinObjectCount; ++o)
        if (std::size_t pr = publish_right(o); pr != static_cast<std::size_t>(-1) && holds(pr))
          infos[o].flags |= kObjNeedPublish;

    // Overrides: per (object, scope, record, field) the most specific level wins.
    rec_ovr.clear();
    fld_ovr.clear();
    {
      using OvrKey = std::tuple<std::string_view, int, std::string_view, std::string_view>;
      std::map<OvrKey, std::pair<int, std::uint8_t>> resolved;  // level, removal
      auto consider = [&](const Override* o) {
        // Both arms are views: a `std::string` arm would make the key view a
        // temporary that dies at the end of this statement.
        OvrKey k{o->object, static_cast<int>(o->scope),
                 o->scope == OverrideScope::kRecord ? std::string_view(o->record) : std::string_view(),
                 o->field};
        const int level = static_cast<int>(o->level);
        auto it = resolved.find(k);
        if (it == resolved.end() || it->second.first < level) resolved[k] = {level, o->remove};
        else if (it->second.first == level) it->second.second |= o->remove;
      };
      for (const Override* o : system_ovr) consider(o);
      if (!group_ovr.empty()) {
        std::set<std::string_view> groups;
        if (!u.group.empty()) groups.insert(u.group);
        for (const std::string& g : u.other_groups) groups.insert(g);
        for (std::string_view g : groups)
          if (auto it = group_ovr.find(g); it != group_ovr.end())
            for (const Override* o : it->second) consider(o);
      }
      if (auto it = user_ovr.find(u.id); it != user_ovr.end())
        for (const Override* o : it->second) consider(o);
      for (const auto& [k, v] : resolved) {
        const auto& [object, scope, record, field] = k;
        const std::uint32_t oi = object_index_map.at(object);
        const std::uint8_t remove = v.second;
        const auto sc = static_cast<OverrideScope>(scope);
        if (field.empty()) {
          if (sc == OverrideScope::kAll || sc == OverrideScope::kNew) infos[oi].remove_new |= remove;
          if (sc == OverrideScope::kAll || sc == OverrideScope::kExisting) infos[oi].remove_existing |= remove;
          if (sc == OverrideScope::kRecord && remove != 0)
            rec_ovr.push_back(RecordOverride{static_cast<std::uint16_t>(oi), record_key(record), remove});
        } else if (remove != 0) {
          fld_ovr.push_back(FieldOverride{static_cast<std::uint16_t>(oi), field_index.at(field),
                                          static_cast<std::uint8_t>(scope),
                                          sc == OverrideScope::kRecord ? record_key(record) : 0, remove});
        }
      }
      std::sort(rec_ovr.begin(), rec_ovr.end(), [](const RecordOverride& a, const RecordOverride& b) {
        return a.object != b.object ? a.object < b.object : a.key < b.key;
      });
      // Two record ids that map to one key: merge their removals.
      std::vector<RecordOverride> merged;
      for (const RecordOverride& r : rec_ovr) {
        if (!merged.empty() && merged.back().object == r.object && merged.back().key == r.key)
          merged.back().remove |= r.remove;
        else
          merged.push_back(r);
      }
      rec_ovr.swap(merged);
    }

    key.clear();
    append_bytes(key, role);
    append_bytes(key, flags);
    for (std::uint64_t w : bits) append_bytes(key, w);
    for (const ObjectInfo& i : infos) append_bytes(key, i);
    for (const RecordOverride& r : rec_ovr) {
      append_bytes(key, r.object);
      append_bytes(key, r.key);
      append_bytes(key, r.remove);
    }
    key += '|';
    for (const FieldOverride& f : fld_ovr) {
      append_bytes(key, f.object);
      append_bytes(key, f.field);
      append_bytes(key, f.scope);
      append_bytes(key, f.key);
      append_bytes(key, f.remove);
    }
    auto [it, fresh] = profile_index.emplace(key, static_cast<std::uint32_t>(s.profiles_.size()));
    if (fresh) {
      Profile p{};
      p.role = role;
      p.flags = flags;
      p.rights_offset = static_cast<std::uint32_t>(s.right_words_.size());
      s.right_words_.insert(s.right_words_.end(), bits.begin(), bits.end());
      p.objects_offset = static_cast<std::uint32_t>(s.object_info_.size());
      s.object_info_.insert(s.object_info_.end(), infos.begin(), infos.end());
      p.record_ovr_begin = static_cast<std::uint32_t>(s.record_overrides_.size());
      p.record_ovr_count = static_cast<std::uint32_t>(rec_ovr.size());
      s.record_overrides_.insert(s.record_overrides_.end(), rec_ovr.begin(), rec_ovr.end());
      p.field_ovr_begin = static_cast<std::uint32_t>(s.field_overrides_.size());
      p.field_ovr_count = static_cast<std::uint32_t>(fld_ovr.size());
      s.field_overrides_.insert(s.field_overrides_.end(), fld_ovr.begin(), fld_ovr.end());
      s.profiles_.push_back(p);
    }
    rec.profile = it->second;
    s.users_.push_back(rec);
    s.user_names_.add(u.id);
  }
  s.user_names_.seal();
  s.users_.shrink_to_fit();
  s.user_rights_.reserve(s.users_.size());
  for (const UserRec& rec : s.users_) s.user_rights_.push_back(s.profiles_[rec.profile].rights_offset);
  s.group_pool_.shrink_to_fit();
  s.project_pool_.shrink_to_fit();
  return s;
}

SORIGHTS_INLINE FieldRights Snapshot::field_rights(UserIndex user, const Record& record,
                                                   FieldIndex field) const noexcept {
  using namespace detail;
  NoTrace trace;
  const Evaluation ev = evaluate(user, record, trace);
  if (ev.system) return FieldRight::kRead | FieldRights(FieldRight::kWrite);
  if (!ev.evaluated) return {};
  const TableRights t = ev.rights;
  std::uint8_t bits = 0;
  if (t.contains_all(TableRight::kSelect)) bits |= 1u;
  if (t.contains_all(record.is_new ? TableRight::kInsert : TableRight::kUpdate)) bits |= 2u;
  const auto ui = static_cast<std::uint32_t>(user);
  const Profile& p = profiles_[users_[ui].profile];
  const auto obj = static_cast<std::uint16_t>(record.object);
  const auto fi = static_cast<std::uint32_t>(field);
  const FieldRule probe{p.role, obj, fi, static_cast<std::uint8_t>(ev.relation), 0};
  auto it = std::lower_bound(field_rules_.begin(), field_rules_.end(), probe,
                             [](const FieldRule& a, const FieldRule& b) {
                               return std::tie(a.role, a.object, a.field, a.relation) <
                                      std::tie(b.role, b.object, b.field, b.relation);
                             });
  if (it != field_rules_.end() && it->role == probe.role && it->object == obj && it->field == fi &&
      it->relation == probe.relation)
    bits = static_cast<std::uint8_t>((bits & it->rights & 3u) | (it->rights & 0xC0u));
  if (fi == name_field_ && (object_traits_[obj] & kTraitCompany) && is_database_owner(record))
    bits = static_cast<std::uint8_t>(bits & ~2u);
  for (std::uint32_t i = 0; i < p.field_ovr_count; ++i) {
    const FieldOverride& f = field_overrides_[p.field_ovr_begin + i];
    if (f.object != obj || f.field != fi) continue;
    const auto scope = static_cast<OverrideScope>(f.scope);
    const bool hit = scope == OverrideScope::kAll || (scope == OverrideScope::kNew && record.is_new) ||
                     (scope == OverrideScope::kExisting && !record.is_new) ||
                     (scope == OverrideScope::kRecord && record.id != 0 && record.id == f.key);
    if (hit) bits = static_cast<std::uint8_t>(bits & ~(f.remove & 3u));
  }
  return FieldRights::from_bits(bits);
}

SORIGHTS_INLINE Explanation Snapshot::explain(UserIndex user, Action action,
                                              const Record& record) const noexcept {
  Explanation e;
  e.action = action;
  e.user = user;
  e.object = record.object;
  for (int i = 0; i < kLayerCount; ++i) e.layers[static_cast<std::size_t>(i)].layer = static_cast<Layer>(i);
  detail::ExplainTrace trace{&e};
  const detail::Evaluation ev = evaluate(user, record, trace);
  e.rights = ev.rights;
  e.allowed = ev.rights.allows(action);
  TableRights current = e.cell;
  for (LayerEffect& fx : e.layers) {
    if (fx.applied) current = fx.after;
    else fx.after = current;
  }
  return e;
}

namespace detail {
inline std::string_view inactive_text(InactiveReason r) {
  switch (r) {
    case InactiveReason::kRetired: return "retired";
    case InactiveReason::kFormerEmployee: return "a former employee";
    case InactiveReason::kLoginOff: return "not allowed to log in";
    case InactiveReason::kResource: return "a resource";
    case InactiveReason::kNone: break;
  }
  return "inactive";
}
inline std::string needed_right(Action a) {
  return TableRights::from_bits(TableRights::action_bit(a)).to_string();
}
}  // namespace detail

SORIGHTS_INLINE std::string Snapshot::explain_reason(const Explanation& e) const {
  using detail::quote_id;
  const std::string need = detail::needed_right(e.action);
  switch (e.outcome) {
    case Outcome::kNoSuchUser: return "unknown user";
    case Outcome::kNoSuchObject: return "unknown data object";
    case Outcome::kInactiveUser:
      return "user " + quote_id(user_id(e.user)) + " is " + std::string(detail::inactive_text(e.inactive)) +
             " and holds no rights";
    case Outcome::kSystemUser: return "the system user bypasses every check";
    case Outcome::kEvaluated: break;
  }
  const std::string cell = "role " + quote_id(role_id(e.role)) + " cell " + std::string(object_id(e.object)) +
                           "/" + std::string(relation_name(e.relation));
  const std::uint8_t bit = TableRights::action_bit(e.action);
  if (e.allowed) return cell + " grants " + need;
  if (!(e.cell.bits() & bit))
    return cell + " (" + (e.cell.empty() ? std::string("none") : e.cell.to_crud()) + ") lacks " + need;
  for (const LayerEffect& fx : e.layers)
    if (fx.applied && (fx.removed.bits() & bit))
      return std::string(kLayerNames[static_cast<std::size_t>(fx.layer)]) + " removed " + need;
  return "no right to " + std::string(action_name(e.action));
}

SORIGHTS_INLINE std::string Snapshot::explain_text(const Explanation& e) const {
  using detail::quote_id;
  std::string out;
  out += "user: " + (e.outcome == Outcome::kNoSuchUser ? std::string("(unknown)") : quote_id(user_id(e.user))) + "\n";
  switch (e.outcome) {
    case Outcome::kNoSuchUser:
    case Outcome::kNoSuchObject:
    case Outcome::kInactiveUser:
    case Outcome::kSystemUser:
      out += "outcome: " + explain_reason(e) + "\n";
      break;
    case Outcome::kEvaluated: {
      out += "relation: " + std::string(relation_name(e.relation)) + "\n";
      out += "role cell: role " + quote_id(role_id(e.role)) + " " + std::string(object_id(e.object)) + "/" +
             std::string(relation_name(e.relation)) + " = \"" + e.cell.to_crud() + "\" grants " +
             e.cell.to_string() + "\n";
      for (const LayerEffect& fx : e.layers) {
        out += "layer " + std::string(kLayerNames[static_cast<std::size_t>(fx.layer)]) + ": ";
        if (!fx.applied || (fx.removed.empty() && fx.added.empty())) {
          out += "removed nothing";
        } else {
          out += "removed " + (fx.removed.empty() ? std::string("nothing") : fx.removed.to_string());
          if (!fx.added.empty()) out += ", added " + fx.added.to_string();
        }
        out += "\n";
      }
      break;
    }
  }
  out += "rights: " + e.rights.to_string() + "\n";
  out += std::string("decision: ") + (e.allowed ? "allow" : "deny") + " " +
         std::string(action_name(e.action)) + " (" + explain_reason(e) + ")\n";
  return out;
}

SORIGHTS_INLINE std::size_t Snapshot::memory_bytes() const noexcept {
  return users_.capacity() * sizeof(detail::UserRec) + user_rights_.capacity() * 4 +
         profiles_.capacity() * sizeof(detail::Profile) +
         role_cells_.capacity() + right_words_.capacity() * 8 +
         object_info_.capacity() * sizeof(detail::ObjectInfo) + object_traits_.capacity() +
         group_pool_.capacity() * 4 + project_pool_.capacity() * 4 +
         record_overrides_.capacity() * sizeof(detail::RecordOverride) +
         field_overrides_.capacity() * sizeof(detail::FieldOverride) +
         field_rules_.capacity() * sizeof(detail::FieldRule) + user_names_.memory_bytes() +
         group_names_.memory_bytes() + role_names_.memory_bytes() + object_names_.memory_bytes() +
         right_names_.memory_bytes() + company_names_.memory_bytes() + project_names_.memory_bytes() +
         field_names_.memory_bytes();
}

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_SNAPSHOT_INL_HPP_
