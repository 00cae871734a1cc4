// Internal: the SQLite store's keyed integrity check (tamper evidence):
// HMAC-SHA-256 over every model row, per-table digests, the audit trail as a
// chain of MACs, and a whole-store seal bound to the model version and the
// head of the audit chain; and the keyless check that the schema holds only
// the objects sorights creates. docs/design/0003-integrity.md and
// 0009-tamper-evidence.md have the design, docs/sqlite-schema.md the tables.
// OpenSSL stays in integrity.cpp. Not installed.
#ifndef SORIGHTS_SRC_STORAGE_INTEGRITY_HPP_
#define SORIGHTS_SRC_STORAGE_INTEGRITY_HPP_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "sorights/error.hpp"
#include "sorights/storage.hpp"

struct sqlite3;

SORIGHTS_BEGIN_NAMESPACE
namespace detail {

// Builds the error for SQLite result code `rc` while doing `what`.
using DbError = std::function<Error(int rc, const std::string& what)>;

// The shortest key `Integrity::open` accepts, in bytes.
inline constexpr std::size_t kMinIntegrityKeyBytes = 16;

// Whether the store holds an integrity seal (its `integrity_seal` table
// exists). Needs no key.
Result<bool> integrity_sealed(sqlite3* db, const DbError& err);

// Checks that the schema holds only objects sorights creates: the tables and
// indexes of the current schema (an older schema's are a subset), the
// integrity tables, and SQLite's own (`sqlite_sequence`, `sqlite_stat*`,
// `sqlite_autoindex_*`). Anything else — a trigger, a view, another table or
// index — is `kDataLoss`, naming the first such object (type, name, table).
// Needs no key; runs inside the caller's transaction or on its own.
Result<void> check_schema_objects(sqlite3* db, const std::string& path, const DbError& err);

// Overwrites `s`'s bytes with zeros (OPENSSL_cleanse), then clears it.
void wipe(std::string& s) noexcept;

// The integrity check of one connection, keyed. Every call runs inside a
// transaction the caller opened (a read transaction for `verify_all`, a write
// transaction for the others) and leaves it open.
class Integrity {
 public:
  // `key` must hold at least kMinIntegrityKeyBytes bytes. `db` must outlive
  // the object (destroy it before closing the connection).
  static Result<std::unique_ptr<Integrity>> open(sqlite3* db, std::string path, std::string_view key, DbError err);
  ~Integrity();
  Integrity(const Integrity&) = delete;
  Integrity& operator=(const Integrity&) = delete;

  // Seals every model row as it is now, replacing any seal the store holds,
  // for model version `version`. Creates the integrity tables if needed.
  Result<void> seal_all(std::uint64_t version);
  // Checks the whole store against its seal, for model version `version`
  // (meta.version): every model row, the table digests, the audit chain from
  // its first entry to the head the seal records, and the seal. The first
  // problem is named: table and row key, or the audit row's seq.
  Result<void> verify_all(std::uint64_t version);

  // A commit: `begin_commit` checks the seal of the stored state (version
  // `version`) and keeps the table digests; per change, `check_entity`
  // before the entity's rows are written (its stored rows must match their
  // seal) and `reseal_entity` after; `finish_commit` writes the digests and
  // the seal for the new version. The commit's audit row is chained with
  // `chain_audit` before `finish_commit`.
  Result<void> begin_commit(std::uint64_t version);
  Result<void> check_entity(EntityKind kind, const std::string& id);
  Result<void> reseal_entity(EntityKind kind, const std::string& id);
  Result<void> finish_commit(std::uint64_t version);

  // The audit row `seq`, just inserted in this transaction, joins the chain:
  // its MAC covers its columns and the MAC of the chain's head, and it
  // becomes the head. After `begin_commit` (which read the head the seal
  // vouches for), before `finish_commit` or `finish_audit`.
  Result<void> chain_audit(std::int64_t seq);
  // An audit entry appended without a model commit (a refusal): the seal
  // row alone is rewritten, for the same model version and the new head.
  Result<void> finish_audit(std::uint64_t version);

 private:
  struct Impl;
  explicit Integrity(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace detail
SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_SRC_STORAGE_INTEGRITY_HPP_
