// Fuzz target: the command line, in-process (sorights::cli::run from
// sorights_cli_lib). The input is an argument vector, NUL-separated (at most
// 24 arguments of at most 200 bytes). It runs in a scratch directory holding
// a store with the demo model (sorights.db, the default store) and a few
// model files; every '/' in an argument becomes '_', so whatever the command
// reads or writes stays in that directory, which is restored before each run.
// Checked (docs/cli.md):
//   * the exit status is 0, 1 or 2; 1 only with `deny ...` printed;
//   * no "internal error" (an exception the command line did not expect);
//   * exit 2 says something, and changes nothing: the demo store keeps its
//     version and no file is left behind.
// SORIGHTS_FUZZ_VERBOSE=1 prints each command, its exit status and output.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cli.hpp"
#include "sorights/storage/sqlite_store.hpp"

#ifndef SORIGHTS_FUZZ_DEMO_MODEL
#error "SORIGHTS_FUZZ_DEMO_MODEL (the path of examples/demo-model.json) is set by tests/fuzz/CMakeLists.txt"
#endif

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxArgs = 24;
constexpr std::size_t kMaxArgBytes = 200;

// Model files next to the store, for `import`.
constexpr const char* kSmallModel = R"({"format": "sorights-model/1",
  "groups": [{"id": "hr", "name": "Human resources"}],
  "users": [{"id": "zoe", "company": "acme-no", "role": "level-2", "group": "hr"}]})";
constexpr const char* kBadModel = R"({"format": "sorights-model/1",
  "users": [{"id": "x", "role": "no-such-role", "group": "salse"}], "extra": 1})";

struct Scratch {
  fs::path root, pristine, work;
  std::set<std::string> files;  // the names in `pristine`
  std::uint64_t version = 0;    // of the demo store
  int home = -1;                // the directory to return to after a run
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "fuzz_cli: %s\n", what.c_str());
  std::abort();
}

void spit(const fs::path& p, std::string_view text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) die("cannot write " + p.string());
}

int run_cli(const std::vector<std::string>& args, std::string& out, std::string& err) {
  std::vector<std::string_view> views(args.begin(), args.end());
  std::ostringstream o, e;
  const int rc = sorights::cli::run(views, o, e);
  out = o.str();
  err = e.str();
  return rc;
}

std::uint64_t store_version(const fs::path& db) {
  auto store = sorights::SqliteStore::open(db.string());
  if (!store) die("the demo store cannot be opened: " + store.error().message);
  auto v = (*store)->version();
  if (!v) die("the demo store has no version: " + v.error().message);
  return *v;
}

void remove_scratch(const Scratch& s) {
  std::error_code ec;
  fs::remove_all(s.root, ec);
}

// Made on first use and never destroyed, so the exit handler may use it.
Scratch& scratch() {
  static Scratch& s = *new Scratch([] {
    Scratch t;
    std::error_code ec;
    fs::path base = fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0 ? fs::path("/dev/shm")
                                                                                         : fs::temp_directory_path();
    std::string tmpl = (base / "sorights-fuzz-cli-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) die("mkdtemp failed in " + base.string());
    t.root = tmpl;
    t.pristine = t.root / "pristine";
    t.work = t.root / "work";
    fs::create_directories(t.pristine);
    fs::create_directories(t.work);
    fs::copy_file(SORIGHTS_FUZZ_DEMO_MODEL, t.pristine / "demo.json");
    spit(t.pristine / "small.json", kSmallModel);
    spit(t.pristine / "bad.json", kBadModel);
    spit(t.pristine / "notes.txt", "not a model\n");
    std::string out, err;
    const fs::path db = t.pristine / "sorights.db";
    if (run_cli({"--db", db.string(), "import", (t.pristine / "demo.json").string()}, out, err) != 0)
      die("cannot import the demo model: " + err);
    // A refused change, so the audit trail has both kinds of line.
    run_cli({"--db", db.string(), "--as", "bob", "group", "add", "hr"}, out, err);
    for (const char* suffix : {"-wal", "-shm", "-journal"}) fs::remove(db.string() + suffix, ec);
    t.version = store_version(db);
    for (const fs::directory_entry& e : fs::directory_iterator(t.pristine))
      t.files.insert(e.path().filename().string());
    t.home = ::open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (t.home < 0) die("cannot open the current directory");
    return t;
  }());
  static const int cleanup = std::atexit([] { remove_scratch(scratch()); });
  (void)cleanup;
  return s;
}

// Makes `work` a copy of `pristine`. A copy that a signal interrupts (EINTR:
// libFuzzer's -timeout alarm fires every second) is made again; any other
// failure stops the run with its reason, never an uncaught exception.
void restore(const Scratch& s) {
  for (const fs::directory_entry& e : fs::directory_iterator(s.work)) fs::remove_all(e.path());
  for (const std::string& f : s.files) {
    std::error_code ec;
    for (int attempt = 1;; ++attempt) {
      ec.clear();
      fs::remove(s.work / f, ec);  // what an interrupted copy left
      ec.clear();
      fs::copy_file(s.pristine / f, s.work / f, ec);
      if (!ec) break;
      if (ec != std::errc::interrupted || attempt == 100) die("cannot restore " + f + ": " + ec.message());
    }
  }
}

std::string show(const std::vector<std::string>& args) {
  std::string text = "sorights";
  for (const std::string& a : args) text += " '" + a + "'";
  return text;
}

}  // namespace

// libFuzzer writes crash files to the current directory, which is the
// scratch directory while a command runs: pin them to where we started.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  for (int i = 1; i < *argc; ++i)
    if (std::strncmp((*argv)[i], "-artifact_prefix=", 17) == 0) return 0;
  static std::vector<char*> args(*argv, *argv + *argc);
  static std::string prefix = "-artifact_prefix=" + fs::current_path().string() + "/";
  args.insert(args.begin() + 1, prefix.data());
  args.push_back(nullptr);
  *argc = static_cast<int>(args.size() - 1);
  *argv = args.data();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Scratch& s = scratch();
  std::vector<std::string> args;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (std::size_t start = 0; start <= text.size() && args.size() < kMaxArgs;) {
    std::size_t end = text.find('\0', start);
    if (end == std::string_view::npos) end = text.size();
    std::string a(text.substr(start, std::min(end - start, kMaxArgBytes)));
    for (char& c : a)
      if (c == '/') c = '_';
    args.push_back(std::move(a));
    start = end + 1;
  }
  if (args.size() == 1 && args[0].empty()) args.clear();  // the empty input: no arguments
  // `serve` runs until a signal (docs/console.md): no input naming it can finish.
  if (std::find(args.begin(), args.end(), "serve") != args.end()) return 0;

  restore(s);
  if (::chdir(s.work.c_str()) != 0) die("cannot enter " + s.work.string());
  std::string out, err;
  const int rc = run_cli(args, out, err);
  if (::fchdir(s.home) != 0) die("cannot return from " + s.work.string());

  static const bool verbose = std::getenv("SORIGHTS_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "%s\n-> exit %d\n%s%s\n", show(args).c_str(), rc, out.c_str(), err.c_str());
  if (rc < 0 || rc > 2) die(show(args) + ": exit status " + std::to_string(rc));
  if (err.find("internal error") != std::string::npos) die(show(args) + ": " + err);
  if (rc == 1 && !out.starts_with("deny ")) die(show(args) + ": exit 1 without `deny`: " + out);
  if (rc == 2) {
    if (out.empty() && err.empty()) die(show(args) + ": exit 2 without a message");
    for (const fs::directory_entry& e : fs::directory_iterator(s.work))
      if (!s.files.contains(e.path().filename().string()))
        die(show(args) + ": exit 2 left " + e.path().filename().string() + " behind\n" + err);
    if (store_version(s.work / "sorights.db") != s.version) die(show(args) + ": exit 2 changed the store\n" + err);
  }
  return 0;
}
