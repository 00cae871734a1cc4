// Temporary files renamed into place, and the checks on output targets
// (files.hpp; docs/design/0007-data-safety-files.md).
#include "files.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "cli_support.hpp"

namespace sorights::cli {
namespace fs = std::filesystem;

namespace {

std::string parent_dir(const std::string& path) {
  std::error_code ec;
  fs::path dir = fs::absolute(path, ec).parent_path();
  if (ec || dir.empty()) return ".";
  return dir.string();
}

std::string why(int error) { return std::strerror(error); }

// The temporary file being written, for the signal handler: its path and
// those of SQLite's companion files, fixed at registration (a handler may
// not allocate). One at a time: the CLI writes one file per command.
struct PendingTemp {
  char paths[4][4096];
  volatile std::sig_atomic_t active;
};
PendingTemp g_pending{};

void register_pending(const std::string& path) {
  static constexpr const char* kSuffix[] = {"", "-wal", "-shm", "-journal"};
  g_pending.active = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const std::string p = path + kSuffix[i];
    if (p.size() >= sizeof g_pending.paths[i]) return;  // too long to register: no cleanup on a signal
    std::memcpy(g_pending.paths[i], p.c_str(), p.size() + 1);
  }
  g_pending.active = 1;
}

extern "C" void remove_pending_and_reraise(int sig) {
  if (g_pending.active != 0)
    for (const char* p : g_pending.paths) ::unlink(p);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void fsync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: the rename itself has happened
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

TempFile::TempFile(const std::string& target) : target_(target) {
  const fs::path t(target);
  const std::string name = t.filename().string();
  std::vector<char> templ;
  const std::string pattern = (fs::path(parent_dir(target)) / ("." + name + ".sorights-tmp-XXXXXX")).string();
  templ.assign(pattern.begin(), pattern.end());
  templ.push_back('\0');
  // Signals wait while the file is made and registered, so a signal
  // handler always knows the file it must remove.
  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_BLOCK, &all, &old);
  fd_ = ::mkostemp(templ.data(), O_CLOEXEC);
  const int e = errno;
  if (fd_ >= 0) register_pending(templ.data());
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (fd_ < 0) throw CliError(target + ": cannot create a temporary file beside it (" + why(e) + "); nothing changed");
  path_ = templ.data();
  // mkstemp makes the file 0600; give it the mode a new file gets.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  (void)::fchmod(fd_, static_cast<mode_t>(0666) & ~mask);
  // Closed at once: SQLite may open the file, and closing another descriptor
  // of it later would drop SQLite's locks (POSIX advisory locks are per
  // process and file).
  ::close(fd_);
  fd_ = -1;
}

TempFile::~TempFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!installed_ && !path_.empty()) {
    ::unlink(path_.c_str());
    for (const char* suffix : {"-wal", "-shm", "-journal"}) ::unlink((path_ + suffix).c_str());
  }
  g_pending.active = 0;  // after the unlinks: a signal meanwhile removes nothing that is still needed
}

void TempFile::write(std::string_view data) {
  if (fd_ < 0) fd_ = ::open(path_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd_ < 0) {
    const int e = errno;
    throw CliError(target_ + ": cannot write (" + why(e) + "); nothing changed");
  }
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int e = n < 0 ? errno : EIO;
      throw CliError(target_ + ": cannot write (" + why(e) + "); nothing changed");
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void TempFile::install(bool replace) {
  if (fd_ < 0) fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0 || ::fsync(fd_) != 0) {
    const int e = errno;
    throw CliError(target_ + ": cannot write (" + why(e) + "); nothing changed");
  }
  // A file that is replaced keeps its permissions.
  struct stat old {};
  if (replace && ::stat(target_.c_str(), &old) == 0 && S_ISREG(old.st_mode))
    (void)::fchmod(fd_, old.st_mode & 07777);
  ::close(fd_);
  fd_ = -1;
  int rc = 0;
  if (replace) {
    rc = ::rename(path_.c_str(), target_.c_str());
  } else {
    rc = ::renameat2(AT_FDCWD, path_.c_str(), AT_FDCWD, target_.c_str(), RENAME_NOREPLACE);
    if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {  // a file system without RENAME_NOREPLACE
      rc = ::link(path_.c_str(), target_.c_str());
      if (rc == 0) ::unlink(path_.c_str());
    }
  }
  if (rc != 0) {
    const int e = errno;
    if (e == EEXIST) throw CliError(target_ + ": a file appeared there meanwhile; nothing changed");
    throw CliError(target_ + ": cannot put the file in place (" + why(e) + "); nothing changed");
  }
  g_pending.active = 0;  // the name is the target's now (a signal just before this finds nothing to remove)
  installed_ = true;
  fsync_dir(parent_dir(target_));
}

void remove_temp_files_on_signals() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, remove_pending_and_reraise);
}

bool is_sqlite_file(const std::string& path) {
  static constexpr char kHeader[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f',
                                       'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  char head[16] = {};
  std::size_t got = 0;
  while (got < sizeof head) {
    const ssize_t n = ::read(fd, head + got, sizeof head - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return got == sizeof head && std::memcmp(head, kHeader, sizeof head) == 0;
}

bool store_writable(const std::string& path) {
  return ::access(path.c_str(), W_OK) == 0 && ::access(parent_dir(path).c_str(), W_OK) == 0;
}

std::string output_target(const std::string& file, const std::string& db) {
  if (file.empty()) throw CliError("an output file name may not be empty");
  std::error_code ec;
  const fs::path resolved = fs::weakly_canonical(fs::absolute(file, ec), ec);
  if (ec) throw CliError(file + ": cannot resolve the path (" + ec.message() + "); nothing written");
  // The store and its companion files, by name (resolved and as given) ...
  std::vector<std::string> store_files;
  const std::string db_abs = fs::absolute(db, ec).lexically_normal().string();
  const std::string db_real = fs::weakly_canonical(fs::absolute(db, ec), ec).string();
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    store_files.push_back(db_abs + suffix);
    store_files.push_back(db_real + suffix);
  }
  auto what = [&](std::size_t i) {
    static constexpr const char* kWhat[] = {"the store", "the -wal file of the store", "the -shm file of the store",
                                            "the -journal file of the store"};
    return std::string(kWhat[i / 2]) + " " + db;
  };
  for (std::size_t i = 0; i < store_files.size(); ++i)
    if (resolved == fs::path(store_files[i]))
      throw CliError(file + ": is " + what(i) + "; refusing to write over it (nothing written)");
  struct stat target {};
  if (::stat(resolved.c_str(), &target) != 0) return resolved.string();  // a new file
  // ... and by identity (a hard link).
  for (std::size_t i = 0; i < store_files.size(); i += 2) {
    struct stat s {};
    if (::stat(store_files[i].c_str(), &s) == 0 && s.st_dev == target.st_dev && s.st_ino == target.st_ino)
      throw CliError(file + ": is " + what(i) + "; refusing to write over it (nothing written)");
  }
  if (S_ISDIR(target.st_mode)) throw CliError(file + ": is a directory; nothing written");
  if (!S_ISREG(target.st_mode))
    throw CliError(file + ": is not a regular file; output goes only to a regular file (nothing written)");
  if (is_sqlite_file(resolved.string()))
    throw CliError(file + ": is an SQLite database; refusing to write over it (nothing written)");
  return resolved.string();
}

}  // namespace sorights::cli
