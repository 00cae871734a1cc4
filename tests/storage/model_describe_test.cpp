// The field lists of sorights/model_describe.hpp: the stored names they give
// enumerators and members are the ones every format has always used.
#include "sorights/model_describe.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "support/catch.hpp"

using namespace sorights;

TEST_CASE("model describe: enumerators are stored under the names the core gives them", "[storage][describe]") {
  for (std::size_t i = 0; i < kRoleTypeNames.size(); ++i)
    CHECK(enum_text(static_cast<RoleType>(i)) == kRoleTypeNames[i]);
  for (std::size_t i = 0; i < kUserTypeNames.size(); ++i)
    CHECK(enum_text(static_cast<UserType>(i)) == kUserTypeNames[i]);
  for (std::size_t i = 0; i < kRelationNames.size(); ++i)
    CHECK(enum_text(static_cast<Relation>(i)) == kRelationNames[i]);
  CHECK(enum_text(LicenceKind::kSite) == "site");
  CHECK(enum_text(LicenceKind::kUser) == "user");
  CHECK(enum_texts_listed<LicenceKind>() == std::vector<std::string>{"user", "site"});  // as schemas list them
  CHECK(enum_text(OverrideLevel::kGroup) == "group");
  CHECK(enum_text(OverrideScope::kExisting) == "existing");
  CHECK(enum_text(static_cast<RoleType>(9)).empty());
  CHECK(parse_enum_text<Relation>("primary_group") == Relation::kPrimaryGroup);
  CHECK_FALSE(parse_enum_text<Relation>("PrimaryGroup"));
  CHECK(enum_count<UserType> == kUserTypeNames.size());
  CHECK(enum_count<Relation> == static_cast<unsigned>(kRelationCount));
}

namespace {
template <class T>
void check_list() {
  std::set<std::string_view> columns;
  bool has_id = false;
  for (const FieldInfo& f : EntityFields<T>::fields) {
    INFO(EntityFields<T>::table << "." << f.member);
    CHECK_FALSE(f.json.empty());
    CHECK(columns.insert(f.column).second);  // one column or child table per member
    if (f.kind == FieldKind::kList) CHECK_FALSE(f.value_column.empty());
    else CHECK(f.value_column.empty());
    has_id = has_id || f.kind == FieldKind::kId;
  }
  // Entities with ids own their child tables through `owner`; the lists of
  // rules have neither.
  CHECK(EntityFields<T>::owner.empty() ==
        (!has_id || std::none_of(std::begin(EntityFields<T>::fields), std::end(EntityFields<T>::fields),
                                 [](const FieldInfo& f) { return f.kind == FieldKind::kList; })));
}
}  // namespace

TEST_CASE("model describe: each member has one column, and lists name their child table's value column",
          "[storage][describe]") {
  check_list<OurCompany>();
  check_list<Group>();
  check_list<Licence>();
  check_list<Plan>();
  check_list<FunctionalRightDef>();
  check_list<DataObjectDef>();
  check_list<Role>();
  check_list<FieldRightRule>();
  check_list<Override>();
  check_list<User>();
}

TEST_CASE("model describe: for_each_field visits members in declaration order", "[storage][describe]") {
  User u;
  u.id = "u1";
  u.name = "Una";
  std::string seen;
  for_each_field<User>([&](const FieldInfo& f, auto member) {
    if constexpr (std::is_same_v<std::decay_t<decltype(u.*member)>, std::string>)
      if (!(u.*member).empty()) seen += std::string(f.json) + "=" + (u.*member) + ";";
  });
  CHECK(seen == "id=u1;name=Una;");
}
