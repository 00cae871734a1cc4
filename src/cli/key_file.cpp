// The `sorights` command line's key file (key_file.hpp).
#include "key_file.hpp"

#include <fcntl.h>
#include <string.h>  // explicit_bzero
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli_support.hpp"

namespace sorights::cli {

void KeyBytes::wipe() noexcept {
  if (!bytes_.empty()) explicit_bzero(bytes_.data(), bytes_.size());
  bytes_.clear();
}

namespace {

// Closes a file descriptor on every way out.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

KeyBytes read_key_file(const std::string& path) {
  const std::string what = "key file " + quote_id(path);
  if (path.empty()) throw CliError("--key-file: a file name may not be empty");
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (f.fd < 0) {
    const int e = errno;
    if (e == ENOENT) throw CliError(what + ": no such file");
    throw CliError(what + ": cannot be read (" + std::strerror(e) + ")");
  }
  // Checked on the open file, so the checks are about the file that is read.
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) throw CliError(what + ": cannot be read (" + std::strerror(errno) + ")");
  if (!S_ISREG(st.st_mode)) throw CliError(what + ": is not a regular file");
  if ((st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw CliError(what + ": group or others may read or write it (mode " + mode +
                   "); a key must be private to its owner (chmod 600)");
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxKeyFileBytes)
    throw CliError(what + ": holds " + std::to_string(st.st_size) + " bytes; a key file holds at most " +
                   std::to_string(kMaxKeyFileBytes));
  KeyBytes key;
  std::string& k = key.mutable_bytes();
  k.resize(kMaxKeyFileBytes + 1);
  std::size_t n = 0;
  while (n < k.size()) {
    const ssize_t got = ::read(f.fd, k.data() + n, k.size() - n);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw CliError(what + ": cannot be read (" + std::strerror(errno) + ")");
    if (got == 0) break;
    n += static_cast<std::size_t>(got);
  }
  if (n > kMaxKeyFileBytes)
    throw CliError(what + ": holds more than " + std::to_string(kMaxKeyFileBytes) + " bytes; a key file holds at most " +
                   std::to_string(kMaxKeyFileBytes));
  // Shrink in place (no reallocation leaves a copy behind): zero the tail first.
  explicit_bzero(k.data() + n, k.size() - n);
  k.resize(n);
  if (!k.empty() && k.back() == '\n') {
    k.pop_back();
    if (!k.empty() && k.back() == '\r') k.pop_back();
  }
  if (k.size() < 16)
    throw CliError(what + ": the key has " + std::to_string(k.size()) +
                   " bytes; it needs at least 16 (32 random bytes recommended: head -c 32 /dev/urandom > FILE)");
  return key;
}

}  // namespace sorights::cli
