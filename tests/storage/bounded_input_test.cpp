// Model files as untrusted input (docs/design/0008-bounded-input.md): the size
// limit before reading, special files refused by type, the first bad byte
// stopping the read, nesting and duplicate keys, ids and names at the
// entrance, and the role passes of copy_of in O(n log n).
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <streambuf>
#include <string>
#include <thread>
#include <vector>

#include "bounded_json.hpp"
#include "sorights/storage/model_file.hpp"
#include "support.hpp"
#include "support/catch.hpp"

using namespace sorights;
using storage_test::TempDir;
using storage_test::write_all;

namespace {

std::vector<std::string> problems(const Error& e) {
  std::vector<std::string> out;
  for (const Diagnostic& d : e.diagnostics) out.push_back(d.to_string());
  return out;
}

template <class T>
std::vector<std::string> problems(const Result<T>& r) {
  return r ? std::vector<std::string>{} : problems(r.error());
}

template <class T>
bool has_problem(const Result<T>& r, const std::string& text) {
  for (const std::string& p : problems(r))
    if (p == text) return true;
  UNSCOPED_INFO("looked for: " << text);
  if (r) UNSCOPED_INFO("but it succeeded");
  else UNSCOPED_INFO("error: " << r.error().to_string());
  return false;
}

template <class T>
bool has_rule(const Result<T>& r, const std::string& rule) {
  if (r) return false;
  for (const Diagnostic& d : r.error().diagnostics)
    if (d.rule == rule) return true;
  UNSCOPED_INFO("error: " << r.error().to_string());
  return false;
}

Result<Model> parse(const std::string& text, const ModelFileOptions& options = {}) {
  return parse_model_file(text, Model::with_defaults(), options);
}

// Runs `body` in a child process and gives its exit status, or -1 if it did
// not finish within `seconds` (the child is then killed): a regression that
// blocks (a FIFO opened for reading) fails the test instead of hanging it.
int run_guarded(const std::function<int()>& body, int seconds = 10) {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(body());
  if (pid < 0) return -2;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -3;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

// An endless stream of `fill` bytes, with `bad` at offset `bad_at`; it
// counts the bytes it hands out, one at a time.
class EndlessBuf : public std::streambuf {
 public:
  EndlessBuf(char fill, std::size_t bad_at = static_cast<std::size_t>(-1), char bad = '\0')
      : fill_(fill), bad_at_(bad_at), bad_(bad) {}
  std::size_t served = 0;

 protected:
  int_type underflow() override {
    c_ = served == bad_at_ ? bad_ : fill_;
    ++served;
    setg(&c_, &c_, &c_ + 1);
    return traits_type::to_int_type(c_);
  }

 private:
  char fill_;
  std::size_t bad_at_;
  char bad_;
  char c_ = 0;
};

long max_rss_kb() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

}  // namespace

// -- Size ------------------------------------------------------------------------

TEST_CASE("bounded input: a file over 64 MiB is refused by its size, unread", "[storage][bounded-input]") {
  TempDir dir;
  const std::string path = dir.file("big.json");
  // A sparse file of zeros: were it read, the error would be the NUL byte at
  // offset 0, not the size.
  { std::ofstream(path, std::ios::binary); }
  REQUIRE(::truncate(path.c_str(), std::int64_t{65} << 20) == 0);
  auto text = read_model_text(path);
  REQUIRE(!text);
  CHECK(text.error().code == ErrorCode::kInvalidArgument);
  CHECK(has_rule(text, "too-large"));
  CHECK(text.error().to_string().find("68157440 bytes, over the limit of 67108864") != std::string::npos);
  auto model = read_model_file(path, Model::with_defaults());
  CHECK(has_rule(model, "too-large"));

  // Raised past the size, the file is read, and stops at its first byte.
  auto raised = read_model_file(path, Model::with_defaults(), ModelFileOptions{.max_bytes = std::uint64_t{66} << 20});
  CHECK(has_problem(raised, "a NUL byte at byte 0 (a model file is UTF-8 text)"));
}

TEST_CASE("bounded input: parse_model_file refuses text over max_bytes", "[storage][bounded-input]") {
  const std::string text = R"({"groups": [{"id": "g"}]})";
  CHECK(parse(text, ModelFileOptions{.max_bytes = text.size()}));
  CHECK(has_rule(parse(text, ModelFileOptions{.max_bytes = text.size() - 1}), "too-large"));
}

TEST_CASE("bounded input: a stream is read to the limit plus one byte, no further", "[storage][bounded-input]") {
  EndlessBuf spaces(' ');
  std::istream in(&spaces);
  auto text = read_model_text(in, "stdin", 1000);
  CHECK(has_rule(text, "too-large"));
  CHECK(spaces.served <= 1001);
  // Within the limit, a stream is read to its end; so with no limit at all.
  for (std::uint64_t limit : {std::uint64_t{1000}, std::uint64_t{14}, UINT64_MAX}) {
    std::istringstream small(R"({"groups": []})");
    auto ok = read_model_text(small, "stdin", limit);
    REQUIRE(ok);
    CHECK(*ok == R"({"groups": []})");
  }
  TempDir dir;
  write_all(dir.file("m.json"), R"({"groups": []})");
  auto no_limit = read_model_text(dir.file("m.json"), UINT64_MAX);
  REQUIRE(no_limit);
  CHECK(*no_limit == R"({"groups": []})");
}

// -- The first bad byte ----------------------------------------------------------

TEST_CASE("bounded input: /dev/zero and /dev/urandom are refused quickly, in bounded memory",
          "[storage][bounded-input]") {
  // By path: character devices, refused by type before they are opened.
  for (const char* dev : {"/dev/zero", "/dev/urandom", "/dev/null"}) {
    auto text = read_model_text(dev);
    REQUIRE(!text);
    CHECK(text.error().message == std::string(dev) + ": cannot read the model file: it is a device, not a regular file");
  }
  // As a stream (what `sorights import < /dev/zero` would give): the first
  // bad byte stops the read.
  const long before = max_rss_kb();
  {
    std::ifstream zero("/dev/zero", std::ios::binary);
    auto text = read_model_text(zero, "stdin");
    CHECK(has_problem(text, "a NUL byte at byte 0 (a model file is UTF-8 text)"));
    CHECK(zero.tellg() <= 64 * 1024);
  }
  {
    std::ifstream random("/dev/urandom", std::ios::binary);
    auto text = read_model_text(random, "stdin");
    CHECK(has_rule(text, "encoding"));
    CHECK(random.tellg() <= 64 * 1024);
  }
  CHECK(max_rss_kb() - before < 32 * 1024);  // KiB: nowhere near the 64 MiB limit
}

TEST_CASE("bounded input: invalid UTF-8 and NUL bytes are refused at their byte offset",
          "[storage][bounded-input]") {
  const std::string head = R"({"groups": [{"id": "g", "name": ")";  // 33 bytes
  REQUIRE(head.size() == 33);
  auto bad = [&](std::string bytes) { return parse(head + bytes + R"("}]})"); };
  CHECK(has_problem(bad("\xff"), "invalid UTF-8 at byte 33 (a model file is UTF-8 text)"));
  CHECK(has_problem(bad("ab\xc0\x80"), "invalid UTF-8 at byte 35 (a model file is UTF-8 text)"));      // overlong
  CHECK(has_problem(bad("\xed\xa0\x80"), "invalid UTF-8 at byte 33 (a model file is UTF-8 text)"));    // surrogate
  CHECK(has_problem(bad("\xf4\x90\x80\x80"), "invalid UTF-8 at byte 33 (a model file is UTF-8 text)"));  // > U+10FFFF
  CHECK(has_problem(bad("\xe2\x82"), "invalid UTF-8 at byte 33 (a model file is UTF-8 text)"));        // cut short
  CHECK(has_problem(bad(std::string("a\0b", 3)), "a NUL byte at byte 34 (a model file is UTF-8 text)"));
  CHECK(has_problem(parse(head + "\xe2\x82"), "invalid UTF-8 at byte 33 (a model file is UTF-8 text)"));  // at the end
  CHECK(bad("Ærlig \xe2\x82\xac \xf0\x9f\x98\x80"));  // valid UTF-8 is fine

  // A stream stops at the bad byte: not one chunk (64 KiB) more is taken.
  EndlessBuf text(' ', 100000, '\xff');
  std::istream in(&text);
  auto read = read_model_text(in, "stdin");
  CHECK(has_problem(read, "invalid UTF-8 at byte 100000 (a model file is UTF-8 text)"));
  CHECK(text.served <= 100000 + 64 * 1024);

  // So does a file.
  TempDir dir;
  write_all(dir.file("bad.json"), std::string(5000, ' ') + "\xc3(");
  CHECK(has_problem(read_model_file(dir.file("bad.json"), Model::with_defaults()),
                    "invalid UTF-8 at byte 5000 (a model file is UTF-8 text)"));
}

// -- Special files -----------------------------------------------------------------

TEST_CASE("bounded input: a directory, FIFO, socket or device is refused by type, without blocking",
          "[storage][bounded-input]") {
  TempDir dir;
  const std::string fifo = dir.file("model.fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string sock = dir.file("model.sock");
  const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(s >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  REQUIRE(sock.size() < sizeof(addr.sun_path));
  std::memcpy(addr.sun_path, sock.c_str(), sock.size() + 1);
  REQUIRE(::bind(s, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0);

  const std::string folder = dir.file("");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {folder, "a directory"}, {fifo, "a FIFO"}, {sock, "a socket"}, {"/dev/null", "a device"}};
  for (const auto& [path, type] : cases) {
    INFO(path);
    // In a child process: an open() of the FIFO would wait for a writer for
    // ever; the guard turns that into a failure.
    const int status = run_guarded([&, path = path, type = type] {
      auto text = read_model_text(path);
      if (text) return 1;
      if (text.error().message != path + ": cannot read the model file: it is " + type + ", not a regular file")
        return 2;
      auto model = read_model_file(path, Model::with_defaults());
      return !model && model.error().code == ErrorCode::kInvalidArgument ? 0 : 3;
    });
    CHECK(status == 0);
  }
  ::close(s);
  // A missing file is unavailable, as before.
  auto missing = read_model_text(dir.file("missing.json"));
  REQUIRE(!missing);
  CHECK(missing.error().code == ErrorCode::kUnavailable);
}

TEST_CASE("bounded input: a top-level value that is not an object is reported once", "[storage][bounded-input]") {
  for (const char* text : {"[1, 2]", "42", "\"model\"", "null", "true"}) {
    INFO(text);
    auto r = parse(text);
    REQUIRE(!r);
    REQUIRE(r.error().diagnostics.size() == 1);
    CHECK(r.error().diagnostics[0].rule == "wrong-type");
    const std::string all = r.error().to_string();
    CHECK(all.find("a model file is a JSON object") == all.rfind("a model file is a JSON object"));
  }
  CHECK(problems(parse("[1, 2]")) == std::vector<std::string>{"a model file is a JSON object, found an array"});
}

// -- Nesting and duplicate keys ----------------------------------------------------

TEST_CASE("bounded input: nesting of 64 levels parses, 65 is refused with the path", "[storage][bounded-input]") {
  auto nested = [](std::size_t levels) {  // the top-level object, then arrays
    return "{\"x\": " + std::string(levels - 1, '[') + std::string(levels - 1, ']') + "}";
  };
  auto ok = parse(nested(kMaxModelFileDepth));
  CHECK(!has_rule(ok, "nesting"));
  CHECK(!has_rule(ok, "syntax"));
  CHECK(has_problem(ok, "x: unknown key \"x\""));  // parsed, then read

  std::string path = "x";
  for (int i = 0; i < 63; ++i) path += "[0]";
  CHECK(has_problem(parse(nested(kMaxModelFileDepth + 1)), path + ": nested deeper than 64 levels"));
  // Deep enough to overflow a recursive parser's stack: stopped at level 65.
  auto deep = parse(std::string(1'000'000, '['));
  CHECK(has_rule(deep, "nesting"));
}

TEST_CASE("bounded input: a duplicate key anywhere is an error naming its JSON path", "[storage][bounded-input]") {
  CHECK(has_problem(parse(R"({"groups": [], "users": [], "groups": []})"), "duplicate key \"groups\""));
  CHECK(has_problem(parse(R"({"users": [{"id": "a"}, {"id": "b"}, {"id": "c"},
                                        {"id": "d", "role": "level-3", "group": "g", "role": "level-0"}]})"),
                    "users[3]: duplicate key \"role\""));
  CHECK(has_problem(parse(R"({"roles": [{"id": "r", "data_rights": {"sale": {"own": "CRUD", "own": ""}}}]})"),
                    "roles[0].data_rights.sale: duplicate key \"own\""));
  CHECK(has_problem(parse(R"({"format": "sorights-model/1", "format": "sorights-model/1"})"),
                    "duplicate key \"format\""));
  // A large object: its keys go to a hash set; still found.
  std::string many = R"({"roles": [{"id": "r", "data_rights": {)";
  for (int i = 0; i < 1000; ++i) many += "\"o" + std::to_string(i) + "\": {}, ";
  many += R"("o500": {}}}]})";
  CHECK(has_problem(parse(many), "roles[0].data_rights: duplicate key \"o500\""));
  // The same key in two objects is fine.
  CHECK(parse(R"({"groups": [{"id": "a"}, {"id": "b"}]})"));
}

// -- Streaming ----------------------------------------------------------------------

namespace {

// Records what reaches it, and what the document holds of the array meanwhile.
struct RecordingSink final : detail::ElementSink {
  const detail::Json* document = nullptr;
  std::vector<std::string> taken;         // "users[1] {...}"
  std::size_t most_held_in_document = 0;  // elements of "users" in the document at any take

  [[nodiscard]] bool streams(std::string_view key) const override { return key == "users"; }
  void take(std::string_view key, std::size_t index, detail::Json&& element) override {
    taken.push_back(std::string(key) + "[" + std::to_string(index) + "] " + element.dump());
    most_held_in_document = std::max(most_held_in_document, document->at("users").size());
  }
};

}  // namespace

TEST_CASE("bounded input: a streamed array's elements reach the sink one by one, in file order, outside the document",
          "[storage][bounded-input]") {
  detail::Json doc;
  RecordingSink sink;
  sink.document = &doc;
  const char* text = R"({"format": "f", "users": [{"id": "a"}, 7, [1, [2]], {"id": "b", "o": {"k": null}}],
                         "groups": [{"id": "g"}]})";
  REQUIRE_FALSE(detail::parse_bounded_json(text, kMaxModelFileDepth, doc, &sink));
  CHECK(sink.taken == std::vector<std::string>{R"(users[0] {"id":"a"})", "users[1] 7", "users[2] [1,[2]]",
                                               R"(users[3] {"id":"b","o":{"k":null}})"});
  CHECK(sink.most_held_in_document == 0);
  CHECK(doc.at("users").empty());
  CHECK(doc.at("groups").size() == 1);  // not streamed: kept
  CHECK(doc.at("format") == "f");

  // A problem inside a streamed element names the element's index in the
  // file, and stops the read there.
  RecordingSink broken;
  detail::Json partial;
  broken.document = &partial;
  auto problem = detail::parse_bounded_json(R"({"users": [{}, 1, {"id": "x", "id": "y"}, {}]})", kMaxModelFileDepth,
                                            partial, &broken);
  REQUIRE(problem);
  CHECK(problem->path == "users[2]");
  CHECK(problem->rule == "duplicate-key");
  CHECK(broken.taken == std::vector<std::string>{"users[0] {}", "users[1] 1"});
  // Nested too deep inside a streamed element: the path counts the elements handed over.
  std::string deep = R"({"users": [0, 1, )" + std::string(kMaxModelFileDepth, '[') +
                     std::string(kMaxModelFileDepth, ']') + "]}";
  RecordingSink nested;
  detail::Json nested_doc;
  nested.document = &nested_doc;
  problem = detail::parse_bounded_json(deep, kMaxModelFileDepth, nested_doc, &nested);
  REQUIRE(problem);
  CHECK(problem->rule == "nesting");
  CHECK(problem->path.starts_with("users[2][0]"));
}

TEST_CASE("bounded input: a model file read entry by entry reports the same problems at the same paths",
          "[storage][bounded-input]") {
  // Entry problems are found while the text is parsed, validation problems
  // after it (located in the document read again): both in file order.
  auto r = parse(R"({"users": [{"id": "u1", "role": "level-3", "group": "nope", "company": "c"},
                               {"id": "u1"}, {"id": "a\tb"}, {"id": "u3", "group": "nope"}],
                     "groups": {"id": "g"},
                     "our_companies": [{"id": "c", "name": "C", "ours": true}]})");
  REQUIRE(!r);
  CHECK(problems(r.error()) == std::vector<std::string>{
                                   "users[0].group: unknown group \"nope\"",
                                   "users[1].id: duplicate entry \"u1\" (also users[0])",
                                   "users[2].id: invalid id \"a\\tb\": it holds a control character",
                                   "users[3].role: a user of type associate needs a role",
                                   "users[3].company: an associate needs one of our companies",
                                   "users[3].group: unknown group \"nope\"",
                                   "groups: expected an array",
                                   "our_companies[0].ours: unknown key \"ours\""});
}

// -- Ids and names -------------------------------------------------------------------

TEST_CASE("bounded input: ids and names are checked at the entrance, with the JSON path",
          "[storage][bounded-input]") {
  auto with_group_id = [](const std::string& json_id) {
    return parse(R"({"groups": [{"id": "ok"}, {"id": )" + json_id + "}]}");
  };
  CHECK(has_problem(with_group_id(R"("a\nb")"), R"(groups[1].id: invalid id "a\nb": it holds a control character)"));
  CHECK(has_problem(with_group_id(R"("a\tb")"), R"(groups[1].id: invalid id "a\tb": it holds a control character)"));
  CHECK(has_problem(with_group_id(R"("\u001b[31m")"),
                    R"(groups[1].id: invalid id "\x1b[31m": it holds a control character)"));
  CHECK(has_problem(with_group_id(R"("a\u0000b")"), R"(groups[1].id: invalid id "a\x00b": it holds a control character)"));
  CHECK(has_problem(with_group_id(R"("   ")"), R"(groups[1].id: invalid id "   ": it starts or ends with white space)"));
  CHECK(has_problem(with_group_id(R"(" g")"), R"(groups[1].id: invalid id " g": it starts or ends with white space)"));
  CHECK(has_problem(with_group_id(R"x("(system)")x"),
                    R"x(groups[1].id: invalid id "(system)": it starts with "(" (reserved for built-in actors such as (system)))x"));
  CHECK(has_problem(with_group_id("\"" + std::string(201, 'x') + "\""),
                    "groups[1].id: invalid id \"" + std::string(64, 'x') + "...\": it is longer than 200 bytes"));
  // An entry with an invalid id is not applied: no other noise about it.
  CHECK(problems(with_group_id(R"("a\nb")")).size() == 1);

  const std::string base = R"("our_companies": [{"id": "acme", "database_owner": true}], "groups": [{"id": "g"}])";
  auto users = parse("{" + base + R"(, "users": [{"id": "alice", "company": "acme", "role": "level-3",
                                      "group": "g\r", "other_groups": ["g", "x\ty"], "name": "Alice\u0007"}]})");
  CHECK(has_problem(users, R"(users[0].group: invalid id "g\r": it holds a control character)"));
  CHECK(has_problem(users, R"(users[0].other_groups[1]: invalid id "x\ty": it holds a control character)"));
  CHECK(has_problem(users, R"(users[0].name: invalid name "Alice\x07": it holds a control character)"));
  // The model's own rule (unknown group) is not reported on top.
  CHECK(problems(users).size() == 3);

  auto roles = parse(R"x({"roles": [{"id": "r", "copy_of": "level\n3", "data_rights": {"sa\nle": {"own": "R"}},
                                    "functional_rights": ["(x)"]}]})x");
  CHECK(has_problem(roles, R"(roles[0].copy_of: invalid id "level\n3": it holds a control character)"));
  CHECK(has_problem(roles, R"(roles[0].data_rights.sa\nle: invalid id "sa\nle": it holds a control character)"));
  CHECK(has_problem(roles, R"x(roles[0].functional_rights[0]: invalid id "(x)": it starts with "(" (reserved for built-in actors such as (system)))x"));

  auto other = parse(R"({"licences": [{"id": "l", "requires": ["a b "]}], "plans": [{"id": "p", "licences": ["\u0085"]}],
                         "objects": [{"id": "o\u009b"}], "functional_rights": [{"id": "f", "requires_licence": " l"}],
                         "overrides": [{"level": "user:\u001b", "object": "sale", "remove": "D"}],
                         "field_rights": [{"role": "level-3", "object": "sale", "field": "\t", "relation": "own", "rights": "R"}]})");
  CHECK(has_problem(other, R"(licences[0].requires[0]: invalid id "a b ": it starts or ends with white space)"));
  CHECK(has_problem(other, R"(plans[0].licences[0]: invalid id "\xc2\x85": it holds a control character)"));
  CHECK(has_problem(other, R"(objects[0].id: invalid id "o\xc2\x9b": it holds a control character)"));
  CHECK(has_problem(other, R"(functional_rights[0].requires_licence: invalid id " l": it starts or ends with white space)"));
  CHECK(has_problem(other, R"(overrides[0].level: invalid id "\x1b": it holds a control character)"));
  CHECK(has_problem(other, R"(field_rights[0].field: invalid id "\t": it holds a control character)"));
}

TEST_CASE("bounded input: messages escape the text they quote", "[storage][bounded-input]") {
  // An unknown key holding a terminal escape cannot reach a terminal raw.
  auto r = parse("{\"\\u001b]0;owned\\u0007\": 1}");
  REQUIRE(!r);
  CHECK(r.error().to_string().find('\x1b') == std::string::npos);
}

// -- Roles in O(n log n) ---------------------------------------------------------------

TEST_CASE("bounded input: a long copy_of chain in reverse file order applies in passes", "[storage][bounded-input]") {
  // role i copies role i+1, so the old pass-by-pass loop took n passes over n
  // entries; the chain resolves, every role a copy of level-2 with its cell.
  const int n = 3000;
  std::string text = R"({"roles": [)";
  for (int i = 0; i < n; ++i) {
    text += R"({"id": "r)" + std::to_string(i) + R"(", "copy_of": ")" +
            (i + 1 < n ? "r" + std::to_string(i + 1) : std::string("level-2")) + "\"";
    if (i == n - 1) text += R"(, "data_rights": {"sale": {"own": "R"}})";
    text += i + 1 < n ? "}, " : "}";
  }
  text += "]}";
  const auto start = std::chrono::steady_clock::now();
  auto r = parse(text);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
  REQUIRE(r);
  const Role* first = r->find_role("r0");
  REQUIRE(first != nullptr);
  CHECK(first->cell("sale", Relation::kOwn) == *TableRights::parse_crud("R"));
  // New roles are added in pass order: r2999 (pass 1) first, r0 last.
  CHECK(r->roles.back().id == "r0");

  // A cycle, and a role that follows it, are reported; the rest applies.
  auto cycle = parse(R"({"roles": [{"id": "a", "copy_of": "b"}, {"id": "b", "copy_of": "a"},
                                   {"id": "c", "copy_of": "a"}, {"id": "d", "copy_of": "level-1"}]})");
  CHECK(has_problem(cycle, R"(roles[0].copy_of: copy_of "b" forms a cycle)"));
  CHECK(has_problem(cycle, R"(roles[1].copy_of: copy_of "a" forms a cycle)"));
  CHECK(has_problem(cycle, R"(roles[2].copy_of: copy_of "a" forms a cycle)"));
  CHECK(problems(cycle).size() == 3);
}
