// The C API's directory and transactions.
#include "c_api.hpp"

#if SORIGHTS_C_WITH_STORAGE
#  include "sorights/sqlite_store.hpp"
#endif

using namespace sorights::c_api;

namespace {
sorights_status open_directory(std::shared_ptr<so::StorageAdapter> storage, sorights_directory** out) {
  so::Result<std::shared_ptr<so::Directory>> dir = so::Directory::open(std::move(storage));
  if (!dir) return fail(dir.error());
  *out = new sorights_directory{std::move(dir).value()};
  return SORIGHTS_OK;
}
sorights_status directory_gone() noexcept {
  return fail(SORIGHTS_E_FAILED_PRECONDITION,
              "transaction: its directory handle was freed (sorights_directory_free); "
              "nothing was staged or committed: free the transaction");
}
}  // namespace

// The common part of the transaction entry points: the handle checks, then `body` under guard().
#define SORIGHTS_C_TX(body)                                   \
  if (tx == nullptr) return null_arg("transaction");          \
  if (tx->directory_alive.expired()) return directory_gone(); \
  return guard([&]() -> sorights_status { body })

extern "C" {

sorights_status sorights_directory_open_memory(const sorights_model* initial, sorights_directory** out) {
  SORIGHTS_C_TRY(out_arg(out));
  return guard([&]() -> sorights_status {
    auto storage = initial == nullptr
                       ? std::make_shared<so::InMemoryStorage>()
                       : std::make_shared<so::InMemoryStorage>(so::StoredModel{initial->model, 0});
    return open_directory(std::move(storage), out);
  });
}
sorights_status sorights_directory_open_sqlite(const char* path, sorights_directory** out) {
  SORIGHTS_C_TRY(out_arg(out, path, "path"));
#if SORIGHTS_C_WITH_STORAGE
  return guard([&]() -> sorights_status {
    so::SqliteStoreOptions options;
    options.create = true;
    so::Result<std::unique_ptr<so::SqliteStore>> store = so::SqliteStore::open(path, options);
    if (!store) return fail(store.error());
    return open_directory(std::shared_ptr<so::StorageAdapter>(std::move(store).value()), out);
  });
#else
  return fail(SORIGHTS_E_INTERNAL, "the C API was built without the SQLite store (sorights::storage)");
#endif
}
void sorights_directory_free(sorights_directory* directory) { delete directory; }
uint64_t sorights_directory_version(const sorights_directory* directory) {
  return directory ? directory->directory->version() : 0;
}
sorights_status sorights_directory_snapshot(const sorights_directory* directory, sorights_snapshot** out) {
  SORIGHTS_C_TRY(out_arg(out, directory, "directory"));
  return set_out(out, [&] { return new sorights_snapshot{directory->directory->snapshot()}; });
}
sorights_status sorights_directory_model(const sorights_directory* directory, sorights_model** out) {
  SORIGHTS_C_TRY(out_arg(out, directory, "directory"));
  return set_out(out, [&] { return new sorights_model{*directory->directory->model()}; });
}

sorights_status sorights_transaction_begin(sorights_directory* directory, const char* actor,
                                           sorights_transaction** out) {
  SORIGHTS_C_TRY(out_arg(out, directory, "directory"));
  return guard([&]() -> sorights_status {
    SORIGHTS_C_TRY(optional_id_arg("actor", actor));
    so::Result<so::Transaction> tx = directory->directory->begin(actor == nullptr ? "" : actor);
    if (!tx) return fail(tx.error());
    *out = new sorights_transaction{std::move(tx).value(), directory->alive};
    return SORIGHTS_OK;
  });
}
void sorights_transaction_free(sorights_transaction* tx) { delete tx; }


sorights_status sorights_transaction_put_user(sorights_transaction* tx, const sorights_user_desc* user) {
  SORIGHTS_C_TX(SORIGHTS_C_TRY(check_user_desc(user)); return fail_check(tx->tx.put_user(to_user(*user)));) ;
}
sorights_status sorights_transaction_put_group(sorights_transaction* tx, const char* id, const char* name) {
  SORIGHTS_C_TX(SORIGHTS_C_TRY(id_arg("group id", id)); SORIGHTS_C_TRY(name_arg("group name", name));
                return fail_check(tx->tx.put_group(so::Group{id, str(name)}));) ;
}
sorights_status sorights_transaction_put_company(sorights_transaction* tx, const char* id, const char* name,
                                                 int database_owner) {
  SORIGHTS_C_TX(SORIGHTS_C_TRY(id_arg("company id", id)); SORIGHTS_C_TRY(name_arg("company name", name));
                return fail_check(tx->tx.put_our_company(so::OurCompany{id, str(name), database_owner != 0}));) ;
}
sorights_status sorights_transaction_set_user_role(sorights_transaction* tx, const char* user, const char* role) {
  SORIGHTS_C_TX(SORIGHTS_C_TRY(id_arg("user", user)); SORIGHTS_C_TRY(id_arg("role", role));
                return fail_check(tx->tx.set_user_role(user, role));) ;
}
sorights_status sorights_transaction_delete_user(sorights_transaction* tx, const char* user) {
  SORIGHTS_C_TX(SORIGHTS_C_TRY(id_arg("user", user)); return fail_check(tx->tx.delete_user(user));) ;
}
sorights_status sorights_transaction_copy_role(sorights_transaction* tx, const char* from, const char* id,
                                               const char* name) {
  SORIGHTS_C_TX(SORIGHTS_C_TRY(id_arg("from", from)); SORIGHTS_C_TRY(id_arg("role id", id));
                SORIGHTS_C_TRY(name_arg("role name", name));
                return fail_check(tx->tx.copy_role(from, id, str(name)));) ;
}
sorights_status sorights_transaction_set_data_right(sorights_transaction* tx, const char* role,
                                                    const char* object, int relation, uint8_t rights) {
  SORIGHTS_C_TRY(relation_arg(relation));
  SORIGHTS_C_TX(SORIGHTS_C_TRY(id_arg("role", role)); SORIGHTS_C_TRY(id_arg("object", object));
                return fail_check(tx->tx.set_data_right(role, object, static_cast<so::Relation>(relation),
                                                        so::TableRights::from_bits(rights)));) ;
}
sorights_status sorights_transaction_set_functional_rights(sorights_transaction* tx, const char* role,
                                                           const char* const* rights, size_t count) {
  SORIGHTS_C_TX(SORIGHTS_C_TRY(id_arg("role", role)); SORIGHTS_C_TRY(id_array_arg("rights", rights, count));
                return fail_check(tx->tx.set_functional_rights(role, strs(rights, count)));) ;
}
sorights_status sorights_transaction_stage_model(sorights_transaction* tx, const sorights_model* model) {
  if (model == nullptr) return null_arg("model");
  SORIGHTS_C_TX(return fail_check(tx->tx.stage_model(model->model));) ;
}
size_t sorights_transaction_change_count(const sorights_transaction* tx) {
  if (tx == nullptr) return 0;
  try {
    return tx->tx.changes().size();
  } catch (...) {
    return 0;
  }
}
sorights_status sorights_transaction_commit(sorights_transaction* tx, uint64_t* version_out) {
  if (version_out != nullptr) *version_out = 0;
  SORIGHTS_C_TX(
      so::Result<so::CommitInfo> info = tx->tx.commit();
      if (!info) return fail(info.error());
      if (version_out != nullptr) *version_out = info->version;
      return SORIGHTS_OK;);
}
void sorights_transaction_rollback(sorights_transaction* tx) {
  if (tx != nullptr) tx->tx.rollback();
}

}  // extern "C"
