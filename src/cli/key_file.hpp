// Internal: the integrity key of the `sorights` command line, read from
// `--key-file FILE` or `SORIGHTS_KEY_FILE` (docs/cli.md, "The integrity
// key"; docs/design/0009-tamper-evidence.md). Not installed.
#ifndef SORIGHTS_SRC_CLI_KEY_FILE_HPP_
#define SORIGHTS_SRC_CLI_KEY_FILE_HPP_

#include <cstddef>
#include <string>

namespace sorights::cli {

// The most bytes a key file may hold: a key is 16 to a few dozen bytes, so
// a bigger file is the wrong file.
inline constexpr std::size_t kMaxKeyFileBytes = 4096;

// Bytes of a secret key; zeroed when destroyed.
class KeyBytes {
 public:
  KeyBytes() = default;
  KeyBytes(const KeyBytes&) = delete;
  KeyBytes& operator=(const KeyBytes&) = delete;
  KeyBytes(KeyBytes&& o) noexcept : bytes_(std::move(o.bytes_)) { o.wipe(); }
  KeyBytes& operator=(KeyBytes&& o) noexcept {
    wipe();
    bytes_ = std::move(o.bytes_);
    o.wipe();
    return *this;
  }
  ~KeyBytes() { wipe(); }
  [[nodiscard]] const std::string& bytes() const noexcept { return bytes_; }
  [[nodiscard]] bool empty() const noexcept { return bytes_.empty(); }
  std::string& mutable_bytes() noexcept { return bytes_; }
  void wipe() noexcept;

 private:
  std::string bytes_;
};

// Reads the key in `path`: the file's bytes, one trailing line end (`\n` or
// `\r\n`) removed; at least 16 bytes (the library's minimum), at most
// kMaxKeyFileBytes. The file must be a regular file that neither group nor
// others may read or write (mode 0600 or 0400). Throws CliError naming the
// file and the problem (missing, unreadable, not a file, too open, too
// short, too long).
KeyBytes read_key_file(const std::string& path);

}  // namespace sorights::cli

#endif  // SORIGHTS_SRC_CLI_KEY_FILE_HPP_
