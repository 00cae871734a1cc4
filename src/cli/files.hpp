// Files the `sorights` command line creates: every one is built in a
// temporary file beside its target, fsynced and renamed into place, so a
// failing or interrupted command leaves the old file or none, never half of
// one (docs/design/0007-data-safety-files.md). Not installed.
#ifndef SORIGHTS_SRC_CLI_FILES_HPP_
#define SORIGHTS_SRC_CLI_FILES_HPP_

#include <string>
#include <string_view>

namespace sorights::cli {

// A temporary file in the directory of `target`, named
// `.NAME.sorights-tmp-XXXXXX`, created empty with the mode a new file gets
// (0666 less the umask). The destructor removes it (and any `-wal`, `-shm`,
// `-journal` SQLite left beside it) unless `install` succeeded. Throws
// CliError when the directory cannot take it.
class TempFile {
 public:
  explicit TempFile(const std::string& target);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  // Writes all of `data` to the file (throws CliError naming the target).
  void write(std::string_view data);
  // fsyncs the file, renames it to the target and fsyncs the directory.
  // With `replace` false, an existing target is an error (the target is
  // never overwritten, even when it appears meanwhile).
  void install(bool replace);

 private:
  std::string target_;
  std::string path_;
  int fd_ = -1;
  bool installed_ = false;
};

// Installs handlers for SIGINT, SIGTERM and SIGHUP that remove the temporary
// file being written (if any) and then end the process as the signal would
// have. main() calls it; the in-process fuzz target does not. (Nothing can
// clean up after SIGKILL: a `.NAME.sorights-tmp-*` file may then remain, but
// never a half-written target.)
void remove_temp_files_on_signals();

// Whether `path` starts with the 16-byte SQLite header "SQLite format 3\0".
bool is_sqlite_file(const std::string& path);

// Whether this process may write `path` and create files beside it (SQLite
// needs its `-wal` and `-shm` files in the same directory).
bool store_writable(const std::string& path);

// Where an output file of a command goes: the target with symbolic links
// resolved. Throws CliError (exit 2), naming the file and the reason, when
// the target is the store `db` or one of its `-wal`, `-shm`, `-journal`
// files (by any alias: symbolic link, hard link, `..`), any SQLite database,
// a directory or anything but a regular file.
std::string output_target(const std::string& file, const std::string& db);

}  // namespace sorights::cli

#endif  // SORIGHTS_SRC_CLI_FILES_HPP_
