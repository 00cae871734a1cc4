// PostgresListener, DirectoryFollower and the freshness waits
// (sorights/postgres_store.hpp).
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "pg.hpp"
#include "sorights/postgres_store.hpp"

SORIGHTS_BEGIN_NAMESPACE

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// -----------------------------------------------------------------------------
// PostgresListener
// -----------------------------------------------------------------------------

struct PostgresListener::Impl {
  std::string conninfo;
  std::string server;
  PostgresListenerOptions options;
  std::function<void(std::uint64_t)> on_change;

  mutable std::mutex mu;
  mutable std::condition_variable cv;
  bool stopping = false;
  std::string last_error;
  std::atomic<bool> connected{false};
  std::atomic<int> pid{0};
  std::atomic<std::uint64_t> reconnects{0};
  std::atomic<std::uint64_t> last_version{0};
  std::thread thread;

  bool stop_requested() {
    std::lock_guard<std::mutex> lock(mu);
    return stopping;
  }
  // Sleeps `d` unless stopped first; returns false if stopped.
  bool pause(milliseconds d) {
    std::unique_lock<std::mutex> lock(mu);
    return !cv.wait_for(lock, d, [&] { return stopping; });
  }
  void set_error(std::string e) {
    std::lock_guard<std::mutex> lock(mu);
    last_error = std::move(e);
  }
  void report(std::uint64_t v) {
    std::uint64_t cur = last_version.load();
    while (v > cur && !last_version.compare_exchange_weak(cur, v)) {
    }
    if (on_change) on_change(v);
  }

  // Waits for the socket to be readable (or writable); false on timeout,
  // stop or error.
  bool wait_socket(PGconn* c, bool write, Clock::time_point deadline) {
    while (true) {
      if (stop_requested()) return false;
      auto now = Clock::now();
      if (now >= deadline) return false;
      int sock = PQsocket(c);
      if (sock < 0) return false;
      pollfd p{sock, static_cast<short>(write ? POLLOUT : POLLIN), 0};
      auto left = std::chrono::duration_cast<milliseconds>(deadline - now);
      int ms = static_cast<int>(std::min(left, options.poll_interval).count());
      int rc = ::poll(&p, 1, std::max(ms, 1));
      if (rc > 0) return (p.revents & (POLLERR | POLLNVAL)) == 0 || (p.revents & (POLLIN | POLLOUT)) != 0;
      if (rc < 0 && errno != EINTR) return false;
    }
  }

  // Connects without blocking past the timeout (so stop() stays quick).
  detail::Conn connect() {
    detail::Conn c(PQconnectStart(conninfo.c_str()));
    detail::quiet(c.get());
    if (!c || PQstatus(c.get()) == CONNECTION_BAD) {
      set_error(c ? detail::trim(PQerrorMessage(c.get())) : "out of memory");
      return nullptr;
    }
    const auto deadline = Clock::now() + options.ping_timeout;
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    while (st != PGRES_POLLING_OK) {
      if (st == PGRES_POLLING_FAILED) {
        set_error(detail::trim(PQerrorMessage(c.get())));
        return nullptr;
      }
      if (!wait_socket(c.get(), st == PGRES_POLLING_WRITING, deadline)) {
        set_error("connection attempt timed out");
        return nullptr;
      }
      st = PQconnectPoll(c.get());
    }
    if (PQsetnonblocking(c.get(), 1) != 0) {
      set_error("cannot make the connection non-blocking");
      return nullptr;
    }
    return c;
  }

  // Sends `sql` and collects its last result within the ping timeout.
  // Notifications that arrive meanwhile are reported.
  detail::Res query(PGconn* c, const std::string& sql, std::string& error) {
    if (PQsendQuery(c, sql.c_str()) == 0) {
      error = detail::trim(PQerrorMessage(c));
      return nullptr;
    }
    const auto deadline = Clock::now() + options.ping_timeout;
    while (PQflush(c) == 1)
      if (!wait_socket(c, true, deadline)) {
        error = "timed out sending a query";
        return nullptr;
      }
    detail::Res last;
    while (true) {
      while (PQisBusy(c)) {
        if (!wait_socket(c, false, deadline)) {
          error = "timed out waiting for the server";
          return nullptr;
        }
        if (PQconsumeInput(c) == 0) {
          error = detail::trim(PQerrorMessage(c));
          return nullptr;
        }
      }
      PGresult* r = PQgetResult(c);
      if (r == nullptr) break;
      last.reset(r);
    }
    if (!last || (PQresultStatus(last.get()) != PGRES_COMMAND_OK && PQresultStatus(last.get()) != PGRES_TUPLES_OK)) {
      error = last ? detail::trim(PQresultErrorMessage(last.get())) : "no result";
      return nullptr;
    }
    return last;
  }

  void drain_notifies(PGconn* c) {
    while (PGnotify* n = PQnotifies(c)) {
      std::uint64_t v = 0;
      if (auto parsed = detail::to_int(n->extra ? std::string_view(n->extra) : std::string_view()); parsed && *parsed >= 0)
        v = static_cast<std::uint64_t>(*parsed);
      PQfreemem(n);
      if (v > 0) report(v);
    }
  }

  void run() {
    milliseconds backoff = options.reconnect_min;
    bool ever_connected = false;
    while (!stop_requested()) {
      detail::Conn c = connect();
      std::string err;
      // LISTEN first, then read the stored version: a commit between the two
      // is reported twice at worst, never missed.
      if (c && !query(c.get(), "LISTEN " + detail::quote_ident(options.channel), err)) c.reset();
      bool have_stored = false;
      std::uint64_t stored = 0;
      if (c && !options.schema.empty()) {
        detail::Res r = query(
            c.get(), "SELECT version FROM " + detail::quote_ident(options.schema) + ".meta WHERE id = 1", err);
        if (r && PQntuples(r.get()) == 1) {
          if (auto v = detail::to_int(detail::text(r.get(), 0, 0)); v && *v >= 0) {
            have_stored = true;
            stored = static_cast<std::uint64_t>(*v);
          }
        } else if (PQstatus(c.get()) != CONNECTION_OK) {
          c.reset();
        } else {
          err.clear();  // the store may not exist yet; listening still works
        }
      }
      if (!c) {
        if (!err.empty()) set_error(err);
        if (!pause(backoff)) break;
        backoff = std::min(backoff * 2, options.reconnect_max);
        continue;
      }
      backoff = options.reconnect_min;
      if (ever_connected) reconnects.fetch_add(1);
      ever_connected = true;
      pid.store(PQbackendPID(c.get()));
      {
        std::lock_guard<std::mutex> lock(mu);
        last_error.clear();
        connected.store(true);
      }
      cv.notify_all();
      drain_notifies(c.get());
      if (have_stored) report(stored);
      listen_loop(c.get());
      {
        std::lock_guard<std::mutex> lock(mu);
        connected.store(false);
      }
      pid.store(0);
      c.reset();
      if (!pause(options.reconnect_min)) break;
    }
    connected.store(false);
    pid.store(0);
  }

  // Returns when the connection is lost or stop() is called.
  void listen_loop(PGconn* c) {
    auto last_activity = Clock::now();
    bool ping_in_flight = false;
    Clock::time_point ping_sent{};
    while (!stop_requested()) {
      int sock = PQsocket(c);
      if (sock < 0) {
        set_error("the connection has no socket");
        return;
      }
      pollfd p{sock, POLLIN, 0};
      int rc = ::poll(&p, 1, static_cast<int>(options.poll_interval.count()));
      if (rc < 0 && errno != EINTR) {
        set_error(std::string("poll: ") + std::strerror(errno));
        return;
      }
      const auto now = Clock::now();
      if (rc > 0) {
        if (p.revents & (POLLERR | POLLNVAL)) {
          set_error("the socket reported an error");
          return;
        }
        if (PQconsumeInput(c) == 0) {
          set_error(detail::trim(PQerrorMessage(c)));
          return;
        }
        last_activity = now;
        drain_notifies(c);
        if (ping_in_flight) {
          while (!PQisBusy(c)) {
            PGresult* r = PQgetResult(c);
            if (r == nullptr) {
              ping_in_flight = false;
              break;
            }
            const bool bad = PQresultStatus(r) == PGRES_FATAL_ERROR;
            if (bad) set_error(detail::trim(PQresultErrorMessage(r)));
            PQclear(r);
            if (bad && PQstatus(c) != CONNECTION_OK) return;
          }
        }
        if ((p.revents & POLLHUP) || PQstatus(c) != CONNECTION_OK) {
          set_error("the server closed the connection");
          return;
        }
      }
      if (PQstatus(c) != CONNECTION_OK) {
        set_error(detail::trim(PQerrorMessage(c)));
        return;
      }
      if (ping_in_flight && now - ping_sent > options.ping_timeout) {
        set_error("the server did not answer a ping within " + std::to_string(options.ping_timeout.count()) + " ms");
        return;
      }
      if (!ping_in_flight && now - last_activity > options.ping_interval) {
        if (PQsendQuery(c, "SELECT 1") == 0) {
          set_error(detail::trim(PQerrorMessage(c)));
          return;
        }
        PQflush(c);
        ping_in_flight = true;
        ping_sent = now;
        last_activity = now;
      }
    }
  }
};

PostgresListener::PostgresListener(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

PostgresListener::~PostgresListener() { stop(); }

Result<std::unique_ptr<PostgresListener>> PostgresListener::start(const std::string& conninfo,
                                                                  PostgresListenerOptions options,
                                                                  std::function<void(std::uint64_t)> on_change) {
  if (options.channel.empty()) return Error(ErrorCode::kInvalidArgument, "PostgresListener: the channel is empty");
  if (options.poll_interval.count() <= 0) options.poll_interval = milliseconds(100);
  if (options.ping_timeout.count() <= 0) options.ping_timeout = milliseconds(2000);
  if (options.reconnect_min.count() <= 0) options.reconnect_min = milliseconds(1);
  if (options.reconnect_max < options.reconnect_min) options.reconnect_max = options.reconnect_min;
  auto impl = std::make_shared<Impl>();
  impl->conninfo = conninfo;
  impl->server = detail::describe_server(conninfo);
  impl->options = std::move(options);
  impl->on_change = std::move(on_change);
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<PostgresListener>(new PostgresListener(std::move(impl)));
}

void PostgresListener::stop() {
  if (!impl_) return;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->thread.joinable() && impl_->thread.get_id() != std::this_thread::get_id()) impl_->thread.join();
}

bool PostgresListener::connected() const noexcept { return impl_->connected.load(); }
int PostgresListener::backend_pid() const noexcept { return impl_->pid.load(); }
std::uint64_t PostgresListener::reconnects() const noexcept { return impl_->reconnects.load(); }
std::uint64_t PostgresListener::last_version() const noexcept { return impl_->last_version.load(); }

bool PostgresListener::wait_connected(milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mu);
  impl_->cv.wait_for(lock, timeout, [&] { return impl_->connected.load() || impl_->stopping; });
  return impl_->connected.load();
}

std::string PostgresListener::last_error() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->server + (impl_->last_error.empty() ? std::string() : ": " + impl_->last_error);
}

// -----------------------------------------------------------------------------
// DirectoryFollower
// -----------------------------------------------------------------------------

struct DirectoryFollower::Impl {
  std::shared_ptr<Directory> dir;
  PostgresStore* store = nullptr;  // owned by dir
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

  void run() {
    std::unique_lock<std::mutex> lock(mu);
    milliseconds backoff = options.retry_min;
    auto next_check = Clock::now() + options.check_interval;
    while (!stopping) {
      const bool periodic = options.check_interval.count() > 0;
      auto behind = [&] { return wanted > dir->version(); };
      if (!behind() && !check_now) {
        if (periodic)
          work_cv.wait_until(lock, next_check, [&] { return stopping || check_now || behind(); });
        else
          work_cv.wait(lock, [&] { return stopping || check_now || behind(); });
      }
      if (stopping) break;
      const bool do_check = check_now || (periodic && Clock::now() >= next_check);
      check_now = false;
      if (periodic && Clock::now() >= next_check) next_check = Clock::now() + options.check_interval;
      std::uint64_t want = wanted;
      lock.unlock();
      if (do_check && want <= dir->version()) {
        // Safety net: ask the store even without a notification.
        Result<std::uint64_t> v = store->version();
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
      if (ok) {
        if (dir->version() > before) republished.fetch_add(1);
        last_error.clear();
        backoff = options.retry_min;
        published_cv.notify_all();
      } else {
        last_error = err;
        published_cv.notify_all();
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
      store->unwatch(watch_id);
      watch_id = 0;
    }
  }
};

DirectoryFollower::DirectoryFollower(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
DirectoryFollower::~DirectoryFollower() { stop(); }

void DirectoryFollower::stop() { impl_->stop(); }

bool DirectoryFollower::wait_for(std::uint64_t version, milliseconds timeout) {
  Result<std::shared_ptr<const Snapshot>> s = snapshot_at_least(version, timeout);
  return s.has_value();
}

Result<std::shared_ptr<const Snapshot>> DirectoryFollower::snapshot_at_least(std::uint64_t token,
                                                                             milliseconds timeout) {
  Impl& im = *impl_;
  const auto deadline = Clock::now() + timeout;
  // Without a notification for this long, ask the store directly (a
  // notification can be late while the listener reconnects).
  const milliseconds nudge{50};
  std::unique_lock<std::mutex> lock(im.mu);
  while (true) {
    std::shared_ptr<const Snapshot> snap = im.dir->snapshot();
    if (snap->version() >= token) return snap;
    const auto now = Clock::now();
    if (now >= deadline || im.stopping) break;
    if (im.wanted < token) {
      // Not announced yet: wait a little for the notification, then nudge.
      if (im.published_cv.wait_until(lock, std::min(deadline, now + nudge)) == std::cv_status::timeout &&
          im.wanted < token && im.dir->version() < token) {
        im.check_now = true;
        im.work_cv.notify_one();
      }
    } else {
      im.published_cv.wait_until(lock, std::min(deadline, now + milliseconds(200)));
    }
  }
  std::string msg = "no snapshot at version " + std::to_string(token) + " or later within " +
                    std::to_string(timeout.count()) + " ms (directory at version " +
                    std::to_string(im.dir->version()) + ", highest announced " + std::to_string(im.announced.load()) + ")";
  if (!im.last_error.empty()) msg += "; last refresh error: " + im.last_error;
  if (im.stopping) msg += "; the follower is stopped";
  return Error(ErrorCode::kUnavailable, std::move(msg));
}

std::uint64_t DirectoryFollower::announced() const noexcept { return impl_->announced.load(); }
std::uint64_t DirectoryFollower::republished() const noexcept { return impl_->republished.load(); }
std::string DirectoryFollower::last_error() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->last_error;
}
PostgresListener* DirectoryFollower::listener() const noexcept { return impl_->store->listener(); }

Result<std::unique_ptr<DirectoryFollower>> attach_listener(Directory& directory, FollowerOptions options) {
  auto* store = dynamic_cast<PostgresStore*>(directory.storage().get());
  if (store == nullptr)
    return Error(ErrorCode::kInvalidArgument, "attach_listener: the directory's storage is not a PostgresStore");
  if (options.retry_min.count() <= 0) options.retry_min = milliseconds(1);
  if (options.retry_max < options.retry_min) options.retry_max = options.retry_min;
  auto impl = std::make_shared<DirectoryFollower::Impl>();
  impl->dir = directory.shared_from_this();
  impl->store = store;
  impl->options = options;
  impl->wanted = directory.version();
  impl->announced.store(directory.version());
  DirectoryFollower::Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->run(); });
  impl->watch_id = store->watch([raw](std::uint64_t v) { raw->on_change(v); });
  return std::unique_ptr<DirectoryFollower>(new DirectoryFollower(std::move(impl)));
}

// -----------------------------------------------------------------------------
// snapshot_at_least
// -----------------------------------------------------------------------------

Result<std::shared_ptr<const Snapshot>> snapshot_at_least(Directory& directory, std::uint64_t token,
                                                          milliseconds timeout) {
  std::shared_ptr<const Snapshot> snap = directory.snapshot();
  if (snap->version() >= token) return snap;
  const auto deadline = Clock::now() + timeout;
  std::string last_error;
  auto give_up = [&]() -> Error {
    std::string msg = "no snapshot at version " + std::to_string(token) + " or later within " +
                      std::to_string(timeout.count()) + " ms (directory at version " +
                      std::to_string(directory.version()) + ")";
    if (!last_error.empty()) msg += "; last error: " + last_error;
    return Error(ErrorCode::kUnavailable, std::move(msg));
  };

  auto* store = dynamic_cast<PostgresStore*>(directory.storage().get());
  if (store == nullptr) {
    milliseconds pause{1};
    while (true) {
      Result<void> r = directory.refresh();
      if (!r) last_error = r.error().message;
      snap = directory.snapshot();
      if (snap->version() >= token) return snap;
      if (Clock::now() + pause >= deadline) return give_up();
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, milliseconds(50));
    }
  }

  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    std::uint64_t seen = 0;
  };
  auto w = std::make_shared<Waiter>();
  const std::uint64_t id = store->watch([w](std::uint64_t v) {
    {
      std::lock_guard<std::mutex> lock(w->mu);
      w->seen = std::max(w->seen, v);
    }
    w->cv.notify_all();
  });
  struct Unwatch {
    PostgresStore* s;
    std::uint64_t id;
    ~Unwatch() { s->unwatch(id); }
  } unwatch{store, id};

  while (true) {
    // The commit may have been announced before we started to watch: ask.
    Result<std::uint64_t> stored = store->version();
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
    snap = directory.snapshot();
    if (snap->version() >= token) return snap;
    std::unique_lock<std::mutex> lock(w->mu);
    if (Clock::now() >= deadline) return give_up();
    w->cv.wait_until(lock, std::min(deadline, Clock::now() + milliseconds(250)),
                     [&] { return w->seen >= token; });
  }
}

SORIGHTS_END_NAMESPACE
