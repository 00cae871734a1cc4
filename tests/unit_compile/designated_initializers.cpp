// Every public aggregate of sorights can be built with designated initializers
// naming only some of its members, warning-free under
// -Wall -Wextra -Werror -Wmissing-field-initializers: each member has a default
// member initializer. The test compiles this file with those flags
// (tests/CMakeLists.txt, test designated_initializers_compile_warning_free).
// Each line names one member and leaves the rest to their defaults.
#include "sorights/sorights.hpp"
#include "sorights/filter.hpp"
#include "sorights/predicate.hpp"
#include "sorights/report.hpp"
#include "sorights/storage.hpp"
#include "sorights/storage/model_file.hpp"
#include "sorights/storage/sqlite_store.hpp"

using namespace sorights;

int main() {
  // The header's own example (record.hpp), which broke -Werror hosts.
  Record sale{.object = ObjectIndex{1}, .owner = UserIndex{2}};
  Visibility visibility{.kind = VisibilityKind::kGroup};
  OurCompany our_company{.id = "acme"};
  Group group{.id = "sales"};
  Licence licence{.id = "crm"};
  Plan plan{.id = "basic"};
  FunctionalRightDef right{.id = "x"};
  DataObjectDef object{.id = "sale"};
  Role role{.id = "r"};
  FieldRightRule field_rule{.role = "r"};
  Override override_{.level = OverrideLevel::kSystem};
  User user{.id = "alice", .company = "acme"};
  Model model{.our_companies = {}};
  Diagnostic diagnostic{.collection = "users"};
  Error error{ErrorCode::kNotFound, "x"};  // not an aggregate: constructors
  LayerEffect effect{.layer = Layer::kLicence};
  Explanation explanation{.outcome = Outcome::kNoSuchUser};
  BuiltinRight builtin{.id = "x"};
  RelationRule relation_rule{.me = "alice"};
  Predicate::Node node{.op = PredicateOp::kTrue};
  Predicate predicate{.nodes = {}};
  ColumnMapping mapping{.owner = "owner_id"};
  SqlFragment fragment{.text = "1=1"};
  OwnerFacts facts{.type = 0};
  RecordColumns columns{.size = 0};
  FilterResult result{.allowed = 0};
  LicenceUsage usage{.licence = "crm"};
  Change change{.kind = EntityKind::kUser};
  ChangeSet change_set{.time = 0};
  AuditEntry audit_entry{.time = 0};
  AuditQuery audit_query{.user = "alice"};
  StoredModel stored{.model = {}};
  UserMove move{.user = "alice"};
  CommitInfo commit_info{.time = 0};
  DirectoryOptions directory_options{.clock = {}};
  ModelFileOptions model_file_options{.mode = ImportMode::kMerge};
  SqliteStoreOptions sqlite_options{.create = true};
  (void)sale, (void)visibility, (void)our_company, (void)group, (void)licence, (void)plan, (void)right;
  (void)object, (void)role, (void)field_rule, (void)override_, (void)user, (void)model, (void)diagnostic;
  (void)error, (void)effect, (void)explanation, (void)builtin, (void)relation_rule, (void)node;
  (void)predicate, (void)mapping, (void)fragment, (void)facts, (void)columns, (void)result, (void)usage;
  (void)change, (void)change_set, (void)audit_entry, (void)audit_query, (void)stored, (void)move;
  (void)commit_info, (void)directory_options;
  (void)model_file_options, (void)sqlite_options;
  return 0;
}
