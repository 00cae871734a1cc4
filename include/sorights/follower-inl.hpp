// -----------------------------------------------------------------------------
// File: follower-inl.hpp
// -----------------------------------------------------------------------------
// Out-of-line definitions for follower.hpp.
#ifndef SORIGHTS_FOLLOWER_INL_HPP_
#define SORIGHTS_FOLLOWER_INL_HPP_

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "sorights/follower.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

using FollowClock = std::chrono::steady_clock;

// The observers of a feed; `announce` runs them under the lock, so `remove`
// returns only once an observer is not running.
struct Observers {
  std::mutex mu;
  std::map<std::uint64_t, ChangeFeed::Observer> map;
  std::uint64_t next = 1;

  std::uint64_t add(ChangeFeed::Observer fn) {
    std::lock_guard<std::mutex> lock(mu);
    map.emplace(next, std::move(fn));
    return next++;
  }
  void remove(std::uint64_t id) {
    std::lock_guard<std::mutex> lock(mu);
    map.erase(id);
  }
  void announce(std::uint64_t version) {
    std::lock_guard<std::mutex> lock(mu);
    for (auto& [id, fn] : map) fn(version);
  }
};

inline std::string no_snapshot_message(std::uint64_t token, std::chrono::milliseconds timeout,
                                       std::uint64_t reached) {
  std::string msg = "no snapshot at version ";
  msg += std::to_string(token);
  msg += " or later within ";
  msg += std::to_string(timeout.count());
  msg += " ms (directory at version ";
  msg += std::to_string(reached);
  return msg;
}

}  // namespace detail

// -----------------------------------------------------------------------------
// VersionPoller
// -----------------------------------------------------------------------------

struct VersionPoller::Impl {
  std::shared_ptr<StorageAdapter> storage;
  std::chrono::milliseconds interval{10};
  detail::Observers observers;
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::uint64_t last = 0;
  std::thread thread;

  void run() {
    std::unique_lock<std::mutex> lock(mu);
    while (!stopping) {
      lock.unlock();
      Result<std::uint64_t> v = storage->version();
      if (v && *v > last) {
        last = *v;
        observers.announce(*v);
      }
      lock.lock();
      cv.wait_for(lock, interval, [&] { return stopping; });
    }
  }
};

SORIGHTS_INLINE VersionPoller::VersionPoller(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

SORIGHTS_INLINE std::shared_ptr<VersionPoller> VersionPoller::start(std::shared_ptr<StorageAdapter> storage,
                                                                    std::chrono::milliseconds interval) {
  auto impl = std::make_shared<Impl>();
  impl->storage = std::move(storage);
  if (interval.count() > 0) impl->interval = interval;
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->run(); });
  return std::shared_ptr<VersionPoller>(new VersionPoller(std::move(impl)));
}

SORIGHTS_INLINE VersionPoller::~VersionPoller() { stop(); }

SORIGHTS_INLINE void VersionPoller::stop() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

SORIGHTS_INLINE std::uint64_t VersionPoller::watch(Observer on_change) {
  return impl_->observers.add(std::move(on_change));
}

SORIGHTS_INLINE void VersionPoller::unwatch(std::uint64_t id) { impl_->observers.remove(id); }

// -----------------------------------------------------------------------------
// DirectoryFollower
// -----------------------------------------------------------------------------

struct DirectoryFollower::Impl {
  std::shared_ptr<Directory> dir;
  std::shared_ptr<ChangeFeed> feed;
  FollowerOptions options;
  std::uint64_t watch_id = 0;

  mutable std::mutex mu;
  std::condition_variable work_cv;       // the worker waits here
  std::condition_variable published_cv;  // snapshot_at_least waits here
  std::uint64_t wanted = 0;
  bool stopping = false;
  bool check_now = false;
  std::string last_error;
  std::atomic<std::uint64_t> announced{0};
  std::atomic<std::uint64_t> republished{0};
  std::thread thread;

  void on_change(std::uint64_t v) {
    std::uint64_t cur = announced.load();
    while (v > cur && !announced.compare_exchange_weak(cur, v)) {
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      wanted = std::max(wanted, v);
    }
    work_cv.notify_one();
  }

  // Waits (lock held) until there is something to do; returns whether to ask
  // the store for its version as well.
  bool wait_for_work(std::unique_lock<std::mutex>& lock, detail::FollowClock::time_point& next_check) {
    const bool periodic = options.check_interval.count() > 0;
    auto behind = [&] { return wanted > dir->version(); };
    if (!behind() && !check_now) {
      if (periodic)
        work_cv.wait_until(lock, next_check, [&] { return stopping || check_now || behind(); });
      else
        work_cv.wait(lock, [&] { return stopping || check_now || behind(); });
    }
    const auto now = detail::FollowClock::now();
    const bool do_check = check_now || (periodic && now >= next_check);
    check_now = false;
    if (periodic && now >= next_check) next_check = now + options.check_interval;
    return do_check;
  }

  void run() {
    std::unique_lock<std::mutex> lock(mu);
    std::chrono::milliseconds backoff = options.retry_min;
    auto next_check = detail::FollowClock::now() + options.check_interval;
    while (!stopping) {
      const bool do_check = wait_for_work(lock, next_check);
      if (stopping) break;
      std::uint64_t want = wanted;
      lock.unlock();
      if (do_check && want <= dir->version()) {
        // Safety net: ask the store even without an announcement.
        Result<std::uint64_t> v = dir->storage()->version();
        if (v) {
          on_change(*v);
          want = std::max(want, *v);
        }
      }
      bool ok = true;
      std::string err;
      const std::uint64_t before = dir->version();
      if (want > before) {
        Result<void> r = dir->refresh();
        ok = r.has_value();
        if (!ok) err = r.error().message;
      }
      lock.lock();
      published_cv.notify_all();
      if (ok) {
        if (dir->version() > before) republished.fetch_add(1);
        last_error.clear();
        backoff = options.retry_min;
      } else {
        last_error = err;
        work_cv.wait_for(lock, backoff, [&] { return stopping; });
        backoff = std::min(backoff * 2, options.retry_max);
      }
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (stopping && !thread.joinable()) return;
      stopping = true;
    }
    work_cv.notify_all();
    published_cv.notify_all();
    if (thread.joinable()) thread.join();
    if (watch_id != 0) {
      feed->unwatch(watch_id);
      watch_id = 0;
    }
  }
};

SORIGHTS_INLINE DirectoryFollower::DirectoryFollower(Directory& directory, std::shared_ptr<ChangeFeed> feed,
                                                     FollowerOptions options)
    : impl_(std::make_shared<Impl>()) {
  if (options.retry_min.count() <= 0) options.retry_min = std::chrono::milliseconds(1);
  if (options.retry_max < options.retry_min) options.retry_max = options.retry_min;
  impl_->dir = directory.shared_from_this();
  impl_->feed = std::move(feed);
  impl_->options = options;
  impl_->wanted = directory.version();
  impl_->announced.store(directory.version());
  Impl* raw = impl_.get();
  impl_->thread = std::thread([raw] { raw->run(); });
  impl_->watch_id = impl_->feed->watch([raw](std::uint64_t v) { raw->on_change(v); });
}

SORIGHTS_INLINE Result<std::unique_ptr<DirectoryFollower>> DirectoryFollower::start(Directory& directory,
                                                                                   std::shared_ptr<ChangeFeed> feed,
                                                                                   FollowerOptions options) {
  if (!feed) return Error(ErrorCode::kInvalidArgument, "DirectoryFollower::start: no feed");
  return std::unique_ptr<DirectoryFollower>(new DirectoryFollower(directory, std::move(feed), options));
}

SORIGHTS_INLINE DirectoryFollower::~DirectoryFollower() { stop(); }

SORIGHTS_INLINE void DirectoryFollower::stop() { impl_->stop(); }

SORIGHTS_INLINE bool DirectoryFollower::wait_for(std::uint64_t version, std::chrono::milliseconds timeout) {
  return snapshot_at_least(version, timeout).has_value();
}

SORIGHTS_INLINE Result<std::shared_ptr<const Snapshot>> DirectoryFollower::snapshot_at_least(
    std::uint64_t token, std::chrono::milliseconds timeout) {
  Impl& im = *impl_;
  const auto deadline = detail::FollowClock::now() + timeout;
  // Without an announcement for this long, ask the store directly (an
  // announcement can be late while a listener reconnects).
  const std::chrono::milliseconds nudge{50};
  std::unique_lock<std::mutex> lock(im.mu);
  while (true) {
    std::shared_ptr<const Snapshot> snap = im.dir->snapshot();
    if (snap->version() >= token) return snap;
    const auto now = detail::FollowClock::now();
    if (now >= deadline || im.stopping) break;
    if (im.wanted < token) {
      // Not announced yet: wait a little for the announcement, then nudge.
      if (im.published_cv.wait_until(lock, std::min(deadline, now + nudge)) == std::cv_status::timeout &&
          im.wanted < token && im.dir->version() < token) {
        im.check_now = true;
        im.work_cv.notify_one();
      }
    } else {
      im.published_cv.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(200)));
    }
  }
  std::string msg = detail::no_snapshot_message(token, timeout, im.dir->version());
  msg += ", highest announced ";
  msg += std::to_string(im.announced.load());
  msg += ")";
  if (!im.last_error.empty()) msg += "; last refresh error: " + im.last_error;
  if (im.stopping) msg += "; the follower is stopped";
  return Error(ErrorCode::kUnavailable, std::move(msg));
}

SORIGHTS_INLINE std::uint64_t DirectoryFollower::announced() const noexcept { return impl_->announced.load(); }
SORIGHTS_INLINE std::uint64_t DirectoryFollower::republished() const noexcept { return impl_->republished.load(); }
SORIGHTS_INLINE std::string DirectoryFollower::last_error() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->last_error;
}
SORIGHTS_INLINE ChangeFeed& DirectoryFollower::feed() const noexcept { return *impl_->feed; }

// -----------------------------------------------------------------------------
// snapshot_at_least
// -----------------------------------------------------------------------------

namespace detail {

// snapshot_at_least on an adapter that announces nothing: refresh with a
// growing pause.
inline Result<std::shared_ptr<const Snapshot>> poll_until(Directory& directory, std::uint64_t token,
                                                          FollowClock::time_point deadline, std::string& last_error) {
  std::chrono::milliseconds pause{1};
  while (true) {
    Result<void> r = directory.refresh();
    if (!r) last_error = r.error().message;
    std::shared_ptr<const Snapshot> snap = directory.snapshot();
    if (snap->version() >= token) return snap;
    if (FollowClock::now() + pause >= deadline) return Error(ErrorCode::kUnavailable, "");
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

// snapshot_at_least on a ChangeFeed adapter: wait for its announcements.
inline Result<std::shared_ptr<const Snapshot>> wait_for_feed(Directory& directory, ChangeFeed& feed,
                                                             std::uint64_t token, FollowClock::time_point deadline,
                                                             std::string& last_error) {
  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    std::uint64_t seen = 0;
  };
  auto w = std::make_shared<Waiter>();
  const std::uint64_t id = feed.watch([w](std::uint64_t v) {
    {
      std::lock_guard<std::mutex> lock(w->mu);
      w->seen = std::max(w->seen, v);
    }
    w->cv.notify_all();
  });
  struct Unwatch {
    ChangeFeed* f;
    std::uint64_t id;
    ~Unwatch() { f->unwatch(id); }
  } unwatch{&feed, id};

  while (true) {
    // The commit may have been announced before we started to watch: ask.
    Result<std::uint64_t> stored = directory.storage()->version();
    if (!stored) last_error = stored.error().message;
    std::uint64_t seen = 0;
    {
      std::lock_guard<std::mutex> lock(w->mu);
      seen = w->seen;
    }
    if ((stored && *stored >= token) || seen >= token) {
      Result<void> r = directory.refresh();
      if (!r) last_error = r.error().message;
    }
    std::shared_ptr<const Snapshot> snap = directory.snapshot();
    if (snap->version() >= token) return snap;
    std::unique_lock<std::mutex> lock(w->mu);
    if (FollowClock::now() >= deadline) return Error(ErrorCode::kUnavailable, "");
    w->cv.wait_until(lock, std::min(deadline, FollowClock::now() + std::chrono::milliseconds(250)),
                     [&] { return w->seen >= token; });
  }
}

}  // namespace detail

SORIGHTS_INLINE Result<std::shared_ptr<const Snapshot>> snapshot_at_least(Directory& directory, std::uint64_t token,
                                                                          std::chrono::milliseconds timeout) {
  std::shared_ptr<const Snapshot> snap = directory.snapshot();
  if (snap->version() >= token) return snap;
  const auto deadline = detail::FollowClock::now() + timeout;
  std::string last_error;
  auto* feed = dynamic_cast<ChangeFeed*>(directory.storage().get());
  Result<std::shared_ptr<const Snapshot>> got =
      feed != nullptr ? detail::wait_for_feed(directory, *feed, token, deadline, last_error)
                      : detail::poll_until(directory, token, deadline, last_error);
  if (got) return got;
  std::string msg = detail::no_snapshot_message(token, timeout, directory.version());
  msg += ")";
  if (!last_error.empty()) msg += "; last error: " + last_error;
  return Error(ErrorCode::kUnavailable, std::move(msg));
}

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_FOLLOWER_INL_HPP_
