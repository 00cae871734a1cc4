// A `StorageAdapter` wrapper that injects faults: the Nth write of a change
// set fails (an `Error`, or an exception), or the adapter hands back garbage.
// Reusable with any inner adapter; see tests/reliability/fault_injection_test.cpp.
//
// A "write" is one change of a change set. An inner adapter that reports its
// own writes (`SqliteStoreOptions::on_change_written = plan->write_hook()`)
// is failed from inside its transaction, after the rows of the Nth change are
// written, so the store itself must roll back. For any other inner adapter the
// wrapper walks the change set before forwarding it and fails at the Nth
// change without forwarding anything: an atomic adapter that failed half-way.
//
//     auto plan = std::make_shared<sorights_test::FaultPlan>();
//     auto sqlite = sorights::SqliteStore::open(path, {.on_change_written = plan->write_hook()});
//     auto store = std::make_shared<sorights_test::FaultyStorage>(std::move(*sqlite), plan);
//     plan->fail_write(17, sorights_test::WriteFault::kError);
#ifndef SORIGHTS_TESTS_SUPPORT_FAULTY_STORAGE_HPP_
#define SORIGHTS_TESTS_SUPPORT_FAULTY_STORAGE_HPP_

#if !defined(__cpp_exceptions) && !defined(__EXCEPTIONS)
#  error "faulty_storage.hpp needs exceptions: its write hook fails a write by throwing"
#endif

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sorights/storage.hpp"

namespace sorights_test {

/// How the armed write fails.
enum class WriteFault : std::uint8_t {
  kError,    ///< `apply()` returns `kUnavailable` naming the write
  kThrow,    ///< `InjectedFault` escapes `apply()` (header-only directories catch it)
  kGarbage,  ///< the change reaches the inner adapter carrying a value of another kind
};

/// Garbage the adapter hands back instead of what it stores.
enum class Garbage : std::uint8_t {
  kNone,
  kBrokenModel,     ///< `load()`: the stored model plus a duplicate user and one with an unknown role
  kStaleVersion,    ///< `load()`: a version one behind the stored one
  kLostWrite,       ///< `apply()`: reports success, writes nothing
  kSkippedVersion,  ///< `apply()`: stores the changes at a version 5 ahead of the one asked for
};

/// What the wrapper throws for `WriteFault::kThrow` (and, internally, from the
/// write hook).
struct InjectedFault : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The armed fault and the counters, shared by a `FaultyStorage` and the write
/// hook installed in its inner adapter.
class FaultPlan {
 public:
  /// Arms a fault at write `n` (1-based) of every later `apply()`.
  void fail_write(std::size_t n, WriteFault how) {
    fail_at_ = n;
    how_ = how;
  }
  void garbage(Garbage g) { garbage_ = g; }
  /// Disarms every fault.
  void heal() {
    fail_at_ = 0;
    garbage_ = Garbage::kNone;
  }

  /// For an inner adapter's per-change callback (e.g.
  /// `SqliteStoreOptions::on_change_written`): counts the write and fails it
  /// when armed. Install it before wrapping; the wrapper then counts nothing.
  /// The plan must outlive the inner adapter.
  [[nodiscard]] std::function<void(std::size_t)> write_hook() {
    inner_counts_ = true;
    return [this](std::size_t) { on_write(); };
  }

  [[nodiscard]] std::size_t fail_at() const noexcept { return fail_at_; }
  [[nodiscard]] WriteFault how() const noexcept { return how_; }
  [[nodiscard]] Garbage garbage() const noexcept { return garbage_; }
  [[nodiscard]] bool inner_counts() const noexcept { return inner_counts_; }
  /// Writes seen by the last `apply()`, the failed one included.
  [[nodiscard]] std::size_t writes() const noexcept { return writes_; }
  /// True if the last `apply()` hit the armed fault.
  [[nodiscard]] bool fired() const noexcept { return fired_; }

  void start_apply() {
    writes_ = 0;
    fired_ = false;
  }
  /// One write. Throws `InjectedFault` at the armed write (kError and kThrow).
  void on_write() {
    ++writes_;
    if (fail_at_ == 0 || writes_ != fail_at_ || how_ == WriteFault::kGarbage) return;
    fired_ = true;
    throw InjectedFault("injected fault: write " + std::to_string(writes_) + " failed");
  }
  /// Marks the armed garbage write as reached.
  void garbage_written() { fired_ = true; }

 private:
  std::size_t fail_at_ = 0;
  WriteFault how_ = WriteFault::kError;
  Garbage garbage_ = Garbage::kNone;
  bool inner_counts_ = false;
  std::size_t writes_ = 0;
  bool fired_ = false;
};

/// Wraps `inner`, injecting the faults `plan` arms. Not thread-safe beyond
/// what the directory's commit lock gives (one adapter call at a time).
class FaultyStorage final : public sorights::StorageAdapter {
 public:
  FaultyStorage(std::shared_ptr<sorights::StorageAdapter> inner, std::shared_ptr<FaultPlan> plan)
      : inner_(std::move(inner)), plan_(std::move(plan)) {}

  [[nodiscard]] sorights::Result<sorights::StoredModel> load() override {
    sorights::Result<sorights::StoredModel> stored = inner_->load();
    if (!stored) return stored;
    switch (plan_->garbage()) {
      case Garbage::kBrokenModel: {
        sorights::Model& m = stored->model;
        if (!m.users.empty()) m.users.push_back(m.users.front());
        sorights::User orphan;
        orphan.id = "garbage-user";
        orphan.role = "garbage-role";
        orphan.company = m.our_companies.empty() ? std::string() : m.our_companies.front().id;
        orphan.group = m.groups.empty() ? std::string() : m.groups.front().id;
        m.users.push_back(std::move(orphan));
        break;
      }
      case Garbage::kStaleVersion:
        if (stored->version > 0) --stored->version;
        break;
      default: break;
    }
    return stored;
  }

  [[nodiscard]] sorights::Result<void> apply(const sorights::ChangeSet& changes) override {
    ++apply_calls;
    plan_->start_apply();
    if (plan_->garbage() == Garbage::kLostWrite) return {};
    sorights::ChangeSet set = changes;
    if (plan_->garbage() == Garbage::kSkippedVersion) set.version += 5;
    if (plan_->fail_at() != 0 && plan_->how() == WriteFault::kGarbage && plan_->fail_at() <= set.changes.size()) {
      corrupt(set.changes[plan_->fail_at() - 1]);
      plan_->garbage_written();
    }
    try {
      if (!plan_->inner_counts() && plan_->how() != WriteFault::kGarbage)
        for (std::size_t i = 0; i < set.changes.size(); ++i) plan_->on_write();
      return inner_->apply(set);
    } catch (const InjectedFault& e) {
      if (plan_->how() == WriteFault::kThrow) throw;
      return sorights::Error(sorights::ErrorCode::kUnavailable, e.what());
    }
  }

  [[nodiscard]] sorights::Result<std::uint64_t> version() override { return inner_->version(); }
  [[nodiscard]] sorights::Result<void> append_audit(const sorights::AuditEntry& entry) override {
    return inner_->append_audit(entry);
  }
  [[nodiscard]] sorights::Result<std::vector<sorights::AuditEntry>> audit(
      const sorights::AuditQuery& query) override {
    return inner_->audit(query);
  }
  void subscribe(std::function<void(std::uint64_t)> on_change) override { inner_->subscribe(std::move(on_change)); }

  [[nodiscard]] const std::shared_ptr<sorights::StorageAdapter>& inner() const noexcept { return inner_; }
  [[nodiscard]] FaultPlan& plan() const noexcept { return *plan_; }

  std::size_t apply_calls = 0;

 private:
  // A value of another kind under the same id: a group for every kind but
  // groups, an our-company for groups.
  static void corrupt(sorights::Change& c) {
    if (c.kind == sorights::EntityKind::kGroup)
      c.after = sorights::Entity(sorights::OurCompany{c.id, "garbage", false});
    else
      c.after = sorights::Entity(sorights::Group{c.id, "garbage"});
  }

  std::shared_ptr<sorights::StorageAdapter> inner_;
  std::shared_ptr<FaultPlan> plan_;
};

}  // namespace sorights_test

#endif  // SORIGHTS_TESTS_SUPPORT_FAULTY_STORAGE_HPP_
