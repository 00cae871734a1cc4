// Snapshot files: round trip, and every kind of damage gives a clear error;
// format 3 is written, formats 1 and 2 are still read.
#include <cstring>
#include <random>

#include "sorights/snapshot.hpp"
#include "sorights/storage/snapshot_file.hpp"
#include "support.hpp"
#include "support/catch.hpp"

#include "sorights/storage/model_file.hpp"

using namespace sorights;
using storage_test::sample_model;
using storage_test::TempDir;

SORIGHTS_BEGIN_NAMESPACE
namespace snapshot_file_testing {
// Format 1's and 2's writers (src/storage/snapshot_file.cpp; not in a public header).
std::string encode_v1(const Model& model, std::uint64_t version);
std::string encode_v2(const Model& model, std::uint64_t version);
std::string encode_v3(const Model& model, std::uint64_t version);
}  // namespace snapshot_file_testing
SORIGHTS_END_NAMESPACE

namespace {

using snapshot_file_testing::encode_v1;
using snapshot_file_testing::encode_v2;

std::uint64_t fnv1a_bytes(std::string_view b) {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : b) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

// Format 2's checksum, as docs/storage-adapters.md states it: FNV-1a 64 over
// the payload's 64-bit little-endian words (the last zero-padded), then over
// its length.
std::uint64_t fnv1a_words(std::string_view b) {
  std::uint64_t h = 14695981039346656037ull;
  for (std::size_t at = 0; at < b.size(); at += 8) {
    std::uint64_t w = 0;
    for (std::size_t i = 0; i < 8 && at + i < b.size(); ++i)
      w |= static_cast<std::uint64_t>(static_cast<unsigned char>(b[at + i])) << (8 * i);
    h = (h ^ w) * 1099511628211ull;
  }
  return (h ^ b.size()) * 1099511628211ull;
}

void put_le(std::string& b, std::size_t at, std::uint64_t v, int bytes) {
  for (int k = 0; k < bytes; ++k) b[at + static_cast<std::size_t>(k)] = static_cast<char>((v >> (8 * k)) & 0xFF);
}

// The file with its payload length and checksum made to match its payload
// again, so that damage reaches the payload reader.
std::string resign(std::string b) {
  const std::string_view payload = std::string_view(b).substr(kSnapshotFileHeaderSize);
  put_le(b, 24, payload.size(), 8);
  put_le(b, 32, b[8] == 1 ? fnv1a_bytes(payload) : fnv1a_words(payload), 8);
  return b;
}

// A large model with every field of every kind set at random, valid or not
// (a snapshot file does not validate): odd bytes, empty and long strings.
Model random_model(std::uint64_t seed, std::size_t users) {
  std::mt19937_64 rng(seed);
  auto below = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  auto text = [&]() {
    switch (below(6)) {
      case 0: return std::string();
      case 1: return std::string(1 + below(300), static_cast<char>(below(256)));
      case 2: return std::string("\0x\xff\n", 4);
      default: return "s" + std::to_string(below(5000));
    }
  };
  auto texts = [&]() {
    std::vector<std::string> v(below(4));
    for (std::string& t : v) t = text();
    return v;
  };
  auto byte = [&]() { return static_cast<std::uint8_t>(rng()); };
  Model m = Model::with_defaults();
  for (int i = 0; i < 50; ++i) {
    m.our_companies.push_back({text(), text(), below(2) == 0});
    m.groups.push_back({text(), text()});
    m.licences.push_back({text(), text(), static_cast<LicenceKind>(below(2)), static_cast<std::uint32_t>(rng()),
                          below(2) == 0, texts(), texts()});
    m.plans.push_back({text(), text(), texts()});
    m.functional_rights.push_back({text(), text(), text()});
    m.objects.push_back({text(), text(), below(2) == 0, below(2) == 0, below(2) == 0});
    Role r{.id = "role-" + std::to_string(i), .name = text(), .description = text(),
           .type = static_cast<RoleType>(below(4)), .data_rights = {}, .functional_rights = texts()};
    for (std::size_t k = below(20); k > 0; --k)
      r.set_cell(text(), static_cast<Relation>(below(kRelationCount)), TableRights::from_bits(byte() & 15u));
    m.roles.push_back(std::move(r));
    m.field_rights.push_back({text(), text(), text(), static_cast<Relation>(below(kRelationCount)),
                              FieldRights::from_bits(byte() & 3u), below(2) == 0, below(2) == 0});
    m.overrides.push_back({static_cast<OverrideLevel>(below(3)), text(), text(), static_cast<OverrideScope>(below(4)),
                           text(), text(), byte()});
  }
  for (std::size_t i = 0; i < users; ++i)
    m.users.push_back({.id = "u" + std::to_string(i), .type = static_cast<UserType>(below(5)), .name = text(),
                       .person = text(), .company = text(), .role = text(), .group = text(),
                       .other_groups = texts(), .plan = text(), .licences = texts(), .projects = texts(),
                       .can_log_in = below(2) == 0, .former_employee = below(2) == 0, .retired = below(2) == 0});
  return m;
}

// A model of one user and nothing else: its payload ends with the user's
// columns, 68 bytes at known places (docs/storage-adapters.md).
Model one_user() {
  Model m;
  m.users.push_back({.id = "u", .company = "c", .role = "r", .group = "g"});
  return m;
}
constexpr std::size_t kUserColumns = 68;
std::size_t user_field(const std::string& file, std::size_t offset) { return file.size() - kUserColumns + offset; }

std::string decode_error(const std::string& file) {
  auto r = decode_snapshot(file);
  if (r) return "(decoded)";
  CHECK(r.error().code == ErrorCode::kDataLoss);
  return r.error().message;
}

// Requires `file` to be of snapshot file format `format` and to decode to `model` at `version`.
void check_decodes(const std::string& file, int format, std::uint64_t version, const Model& model) {
  REQUIRE(file[8] == format);
  auto back = decode_snapshot(file);
  REQUIRE(back);
  CHECK(back->version == version);
  CHECK(back->model == model);
}

}  // namespace

TEST_CASE("snapshot file: round trip", "[storage][snapshot-file]") {
  TempDir dir;
  const std::string path = dir.file("m.snap");
  const Model m = sample_model();
  REQUIRE(save_snapshot_file(path, m, 42));
  auto loaded = load_snapshot_file(path);
  REQUIRE(loaded);
  CHECK(loaded->version == 42);
  CHECK(loaded->model == m);
  auto snap = compile(loaded->model, loaded->version);
  REQUIRE(snap);
  CHECK(snap->version() == 42);
  // The defaults and an empty model too.
  REQUIRE(save_snapshot_file(path, Model{}, 0));
  CHECK(load_snapshot_file(path)->model == Model{});
  const std::string bytes = storage_test::read_all(path);
  CHECK(bytes.substr(0, 8) == "SORIGHTS");
  CHECK(!std::filesystem::exists(path + ".tmp"));
}

TEST_CASE("snapshot file: truncated at every length", "[storage][snapshot-file]") {
  const int format = GENERATE(1, 2);
  INFO("format " << format);
  const std::string bytes = format == 1 ? encode_v1(sample_model(), 7) : encode_snapshot(sample_model(), 7);
  REQUIRE(decode_snapshot(bytes));
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto r = decode_snapshot(std::string_view(bytes).substr(0, n));
    INFO("length " << n);
    REQUIRE(!r);
    CHECK(r.error().code == ErrorCode::kDataLoss);
    if (n >= 8) CHECK(r.error().message.find("truncated") != std::string::npos);
  }
}

TEST_CASE("snapshot file: any flipped byte is caught", "[storage][snapshot-file]") {
  const int format = GENERATE(1, 2);
  INFO("format " << format);
  const std::string bytes = format == 1 ? encode_v1(sample_model(), 7) : encode_snapshot(sample_model(), 7);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i >= 16 && i < 24) continue;  // the model version: any value is valid
    for (int mask : {0x01, 0x80, 0xFF}) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ mask);
      auto r = decode_snapshot(damaged);
      INFO("byte " << i << " mask " << int(mask));
      REQUIRE(!r);
      CHECK(r.error().code == ErrorCode::kDataLoss);
    }
  }
}

TEST_CASE("snapshot file: a corrupt payload with a matching checksum never crashes", "[storage][snapshot-file]") {
  // Re-sign damaged payloads so they pass the header checks and reach the
  // deserializer: it must fail cleanly, without a huge allocation, or give a
  // model (a changed name is still a model).
  const int format = GENERATE(1, 2);
  INFO("format " << format);
  const std::string bytes = format == 1 ? encode_v1(sample_model(), 7) : encode_snapshot(sample_model(), 7);
  int failures = 0;
  for (std::size_t i = kSnapshotFileHeaderSize; i < bytes.size(); ++i) {
    for (int value : {0xFF, 0x7F, 0x00, static_cast<unsigned char>(bytes[i]) + 1}) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(value);
      auto r = decode_snapshot(resign(damaged));
      if (!r) {
        ++failures;
        INFO("byte " << i << " value " << value);
        CHECK(r.error().code == ErrorCode::kDataLoss);
        CHECK(r.error().message.find("corrupt snapshot file") != std::string::npos);
      }
    }
  }
  CHECK(failures > 0);
  // Cut or lengthened payloads, re-signed.
  for (std::size_t n = kSnapshotFileHeaderSize; n < bytes.size(); ++n) {
    auto r = decode_snapshot(resign(bytes.substr(0, n)));
    INFO("payload cut to " << n - kSnapshotFileHeaderSize);
    REQUIRE(!r);
    CHECK(r.error().code == ErrorCode::kDataLoss);
  }
  auto longer = decode_snapshot(resign(bytes + std::string(8, '\0')));
  REQUIRE(!longer);
  CHECK(longer.error().message.find("unread bytes") != std::string::npos);
}

TEST_CASE("snapshot file: foreign, wrong version, extra bytes, unreadable", "[storage][snapshot-file]") {
  TempDir dir;
  const std::string bytes = encode_snapshot(sample_model(), 7);
  SECTION("foreign") {
    auto r = decode_snapshot("{\"format\": \"sorights-model/1\"}");
    REQUIRE(!r);
    CHECK(r.error().message.find("not a sorights snapshot file") != std::string::npos);
    CHECK(!decode_snapshot(""));
  }
  SECTION("wrong format version") {
    for (char v : {'\0', '\5', '\x7f'}) {
      std::string b = bytes;
      b[8] = v;
      auto r = decode_snapshot(b);
      REQUIRE(!r);
      CHECK(r.error().message.find("format version " + std::to_string(int(v))) != std::string::npos);
      CHECK(r.error().message.find("reads 1 to 4") != std::string::npos);
    }
  }
  SECTION("bytes after the payload") {
    auto r = decode_snapshot(bytes + "x");
    REQUIRE(!r);
    CHECK(r.error().message.find("after the payload") != std::string::npos);
  }
  SECTION("a payload length larger than the file") {
    std::string b = bytes;
    b[31] = 0x7F;
    auto r = decode_snapshot(b);
    REQUIRE(!r);
    CHECK(r.error().message.find("truncated") != std::string::npos);
  }
  SECTION("missing file") {
    auto r = load_snapshot_file(dir.file("none.snap"));
    REQUIRE(!r);
    CHECK(r.error().code == ErrorCode::kUnavailable);
  }
  SECTION("the path names the file") {
    storage_test::write_all(dir.file("bad.snap"), bytes.substr(0, 100));
    auto r = load_snapshot_file(dir.file("bad.snap"));
    REQUIRE(!r);
    CHECK(r.error().message.find("bad.snap") != std::string::npos);
  }
}

TEST_CASE("snapshot file: format 4 is written, and round-trips a large random model", "[storage][snapshot-file]") {
  Model m = random_model(20240917, 20000);
  for (std::size_t i = 0; i < m.groups.size(); i += 3) m.groups[i].names = {{"da", "G" + std::to_string(i)}, {"no", "N"}};
  for (std::size_t i = 0; i < m.roles.size(); i += 2) m.roles[i].names = {{"nl", "R" + std::to_string(i)}};
  const std::string bytes = encode_snapshot(m, 99);
  CHECK(bytes[8] == 4);
  CHECK(kSnapshotFileFormat == 4);
  auto back = decode_snapshot(bytes);
  REQUIRE(back);
  CHECK(back->version == 99);
  CHECK(back->model == m);
  // Smaller than format 1: each distinct string is stored once.
  CHECK(bytes.size() < encode_v1(m, 99).size());
  // The encoding is deterministic.
  CHECK(encode_snapshot(back->model, 99) == bytes);
}

TEST_CASE("snapshot file: the demo model round-trips and compiles", "[storage][snapshot-file]") {
  auto demo = read_model_file(SORIGHTS_DEMO_MODEL, Model::with_defaults(), ImportMode::kReplace);
  REQUIRE(demo);
  TempDir dir;
  const std::string path = dir.file("demo.snap");
  REQUIRE(save_snapshot_file(path, *demo, 3));
  auto loaded = load_snapshot_file(path);
  REQUIRE(loaded);
  CHECK(loaded->version == 3);
  CHECK(loaded->model == *demo);
  auto snap = compile(loaded->model, loaded->version);
  REQUIRE(snap);
  CHECK(snap->user_count() == demo->users.size());
}

TEST_CASE("snapshot file: format 1 files still load", "[storage][snapshot-file]") {
  SECTION("a file written by the format 1 encoder before format 2 existed") {
    auto loaded = load_snapshot_file(std::string(SORIGHTS_STORAGE_FIXTURES) + "/snapshot_v1_sample.snap");
    REQUIRE(loaded);
    CHECK(loaded->version == 7);
    // The same model as a model file, exported at the same time.
    auto expected = read_model_file(std::string(SORIGHTS_STORAGE_FIXTURES) + "/snapshot_v1_sample.json",
                                    Model::with_defaults(), ImportMode::kReplace);
    REQUIRE(expected);
    // The file was written when the predefined User administrator held only
    // admin-users and see-other-companies-associates (the model file, which
    // does not list the role, takes today's defaults).
    expected->find_role("user-admin")->functional_rights = {"admin-users", "see-other-companies-associates"};
    CHECK(loaded->model == *expected);
    REQUIRE(compile(loaded->model, loaded->version));
    // Saving it again writes the current format.
    CHECK(encode_snapshot(loaded->model, 7)[8] == kSnapshotFileFormat);
  }
  SECTION("a large random model in format 1") {
    const Model m = random_model(7, 3000);
    check_decodes(encode_v1(m, 5), 1, 5, m);
  }
}

TEST_CASE("snapshot file: a bad index or value in format 2 is named", "[storage][snapshot-file]") {
  // Each case damages one known place of a one-user file and re-signs it, as
  // a crafted file would be: the checksum holds, the content does not.
  const std::string good = encode_snapshot(one_user(), 1);
  REQUIRE(decode_snapshot(good)->model == one_user());
  auto with = [&](std::size_t at, std::uint64_t value, int bytes) {
    std::string b = good;
    put_le(b, at, value, bytes);
    return decode_error(resign(b));
  };
  const std::size_t p = kSnapshotFileHeaderSize;  // the payload: u64 strings, u64 text bytes, u32 ends[5], "ucrg"
  CHECK(with(user_field(good, 17), 5, 4) == "corrupt snapshot file: the payload cannot be read (users[0].role "
                                            "refers to string 5, the string table holds 5)");
  CHECK(with(user_field(good, 0), 0xFFFFFFFF, 4).find("users[0].id refers to string 4294967295") !=
        std::string::npos);
  CHECK(with(user_field(good, 4), 9, 1).find("users[0].type is 9, out of range (0 to 4)") != std::string::npos);
  CHECK(with(user_field(good, 65), 2, 1).find("users[0].can_log_in is 2, out of range (0 to 1)") !=
        std::string::npos);
  // A list whose counts and total disagree; one that claims more than the file.
  CHECK(with(user_field(good, 41), 1, 4).find("users.licences counts 1 elements but holds 0") != std::string::npos);
  {
    std::string b = good;
    put_le(b, user_field(good, 25), 0xFFFFFFFF, 4);
    put_le(b, user_field(good, 29), 0xFFFFFFFF, 8);
    CHECK(decode_error(resign(b)).find("users.other_groups claims 4294967295 values, more than the payload holds") !=
          std::string::npos);
  }
  // An item count, a string count and a text length larger than the file.
  CHECK(with(user_field(good, 0) - 8, std::uint64_t{1} << 60, 8).find("users.id claims 1152921504606846976 values") !=
        std::string::npos);
  CHECK(with(p, std::uint64_t{1} << 62, 8).find("the string table claims") != std::string::npos);
  CHECK(with(p + 8, 1u << 30, 8).find("the string table's text claims") != std::string::npos);
  // String offsets out of order, or short of the text.
  CHECK(with(p + 16 + 4, 0, 4).find("offsets are out of order") != std::string::npos);
  CHECK(with(p + 16 + 16, 3, 4).find("offsets do not cover its text") != std::string::npos);
}

TEST_CASE("snapshot file: a bad role row in format 2 is named", "[storage][snapshot-file]") {
  Model m;
  Role r{.id = "x"};
  r.set_cell("a", Relation::kOwn, TableRight::kSelect);
  r.set_cell("b", Relation::kOwn, TableRight::kSelect);
  m.roles.push_back(r);
  const std::string good = encode_snapshot(m, 1);
  REQUIRE(decode_snapshot(good)->model == m);
  // Strings: "x" 0, "" 1, "a" 2, "b" 3; the rows' objects are [2, 3], then
  // their cells.
  const std::string rows("\2\0\0\0\3\0\0\0", 8);
  const std::size_t at = good.rfind(rows);  // the last: the string offsets 1, 1, 2, 3 hold it too
  REQUIRE(at != std::string::npos);
  std::string twice = good;
  twice[at + 4] = 2;
  CHECK(decode_error(resign(twice)).find("roles[0].data_rights has the row \"a\" twice") != std::string::npos);
  std::string bits = good;
  bits[at + 8] = 0x10;
  CHECK(decode_error(resign(bits)).find("roles[0].data_rights holds a cell with bits other than C, R, U, D") !=
        std::string::npos);
  std::string index = good;
  index[at + 4] = 9;
  CHECK(decode_error(resign(index)).find("roles[0].data_rights refers to string 9, the string table holds 4") !=
        std::string::npos);
}

TEST_CASE("snapshot file: a string referred to too often in format 2 is refused", "[storage][snapshot-file]") {
  // One long string stored once can be referred to many times; a crafted
  // file must not turn that into an allocation far beyond its size.
  Model m;
  m.users.push_back({.id = "u", .company = std::string(4096, 'x'), .other_groups = std::vector<std::string>(5000, "g")});
  const std::string good = encode_snapshot(m, 1);
  REQUIRE(good[8] == static_cast<char>(kSnapshotFileFormat));
  REQUIRE(decode_snapshot(good)->model == m);
  // Strings: "u" 0, "" 1, the long one 2, "g" 3. Point every group at the
  // long one: 20 MB of text from a 20 kB payload.
  std::string b = good;
  std::size_t at = b.find(std::string("\3\0\0\0\3\0\0\0", 8), kSnapshotFileHeaderSize);
  REQUIRE(at != std::string::npos);
  for (int k = 0; k < 5000; ++k) b[at + 4 * static_cast<std::size_t>(k)] = 2;
  CHECK(decode_error(resign(b)).find("users.other_groups makes the model's text larger than") != std::string::npos);
  // The same model, built for real, is written in format 1, which reads back.
  m.users[0].other_groups.assign(5000, m.users[0].company);
  const std::string v1 = encode_snapshot(m, 1);
  CHECK(v1[8] == 1);
  auto back = decode_snapshot(v1);
  REQUIRE(back);
  CHECK(back->model == m);
}

TEST_CASE("snapshot file: a directory opens on an in-memory store without copying, and the store still serves",
          "[storage][snapshot-file]") {
  // BM_LoadSnapshotFile's path: the store lends its model to the directory and
  // then shares the published one until its next apply.
  const Model m = sample_model();
  auto stored = decode_snapshot(encode_snapshot(m, 7));
  REQUIRE(stored);
  auto storage = std::make_shared<InMemoryStorage>(std::move(*stored));
  auto dir = Directory::open(storage);
  REQUIRE(dir);
  CHECK((*dir)->snapshot()->version() == 7);
  CHECK((*dir)->snapshot()->user_count() == m.users.size());
  auto again = storage->load();
  REQUIRE(again);
  CHECK(again->version == 7);
  CHECK(again->model == m);
  // A second directory over the same store.
  auto second = Directory::open(storage);
  REQUIRE(second);
  CHECK((*second)->snapshot()->version() == 7);
  // A commit goes through the store, which then holds its own model again.
  auto tx = (*dir)->begin();
  REQUIRE(tx);
  REQUIRE(tx->set_can_log_in("alice", false));
  auto done = tx->commit();
  REQUIRE(done);
  CHECK(done->version == 8);
  auto after = storage->load();
  REQUIRE(after);
  CHECK(after->version == 8);
  REQUIRE(after->model.find_user("alice"));
  CHECK(!after->model.find_user("alice")->can_log_in);
  CHECK(storage->load()->model.find_user("bob")->former_employee);
  REQUIRE((*second)->refresh());
  CHECK((*second)->snapshot()->version() == 8);
  // A model that does not compile: the open fails and the store keeps it.
  Model broken = m;
  broken.users.push_back(broken.users.front());  // a duplicate id
  auto bad = std::make_shared<InMemoryStorage>(StoredModel{broken, 3});
  CHECK(!Directory::open(bad));
  auto kept = bad->load();
  REQUIRE(kept);
  CHECK(kept->version == 3);
  CHECK(kept->model == broken);
}

// docs/rules.md §16 (issue 13): format 3 adds the restrictive flag of
// declared rights; format 2 files (no flag) still load, every right not
// restrictive.
TEST_CASE("snapshot file: a declared right's restrictive flag round-trips in format 3", "[storage][snapshot-file]") {
  Model m = sample_model();
  FunctionalRightDef hide{"acme-hide-planner", "Hide planner", ""};
  hide.restrictive = true;
  m.functional_rights.push_back(hide);
  const std::string bytes = encode_snapshot(m, 5);
  REQUIRE(bytes[8] == kSnapshotFileFormat);
  auto back = decode_snapshot(bytes);
  REQUIRE(back);
  CHECK(back->model == m);
  CHECK(back->model.functional_rights.back().restrictive);
  CHECK_FALSE(back->model.functional_rights.front().restrictive);
  // Through a file as well.
  TempDir dir;
  const std::string path = dir.file("r.snap");
  REQUIRE(save_snapshot_file(path, m, 6));
  auto loaded = load_snapshot_file(path);
  REQUIRE(loaded);
  CHECK(loaded->model.functional_rights.back().restrictive);
}

TEST_CASE("snapshot file: format 2 files still load, with no restrictive rights", "[storage][snapshot-file]") {
  const Model m = sample_model();
  const std::string v2 = encode_v2(m, 8);
  check_decodes(v2, 2, 8, m);
  // A restrictive flag cannot be written in format 2: it reads back false.
  Model flagged = m;
  flagged.functional_rights.front().restrictive = true;
  auto lost = decode_snapshot(encode_v2(flagged, 8));
  REQUIRE(lost);
  CHECK_FALSE(lost->model.functional_rights.front().restrictive);
  // Format 3 is format 2 plus one byte per declared right.
  CHECK(snapshot_file_testing::encode_v3(m, 8).size() == v2.size() + m.functional_rights.size());
}
