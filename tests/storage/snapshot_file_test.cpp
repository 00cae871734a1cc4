// Snapshot files: round trip, and every kind of damage gives a clear error.
#include <cstring>

#include "sorights/snapshot.hpp"
#include "sorights/snapshot_file.hpp"
#include "support.hpp"
#include "support/catch.hpp"

using namespace sorights;
using storage_test::sample_model;
using storage_test::TempDir;

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
  const std::string bytes = encode_snapshot(sample_model(), 7);
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
  const std::string bytes = encode_snapshot(sample_model(), 7);
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
  // deserializer: it must fail cleanly, without a huge allocation.
  const std::string bytes = encode_snapshot(sample_model(), 7);
  auto resign = [](std::string b) {
    std::uint64_t h = 14695981039346656037ull;
    for (std::size_t i = kSnapshotFileHeaderSize; i < b.size(); ++i) {
      h ^= static_cast<unsigned char>(b[i]);
      h *= 1099511628211ull;
    }
    for (int k = 0; k < 8; ++k) b[32 + static_cast<std::size_t>(k)] = static_cast<char>((h >> (8 * k)) & 0xFF);
    return b;
  };
  int failures = 0;
  for (std::size_t i = kSnapshotFileHeaderSize; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(0xFF);
    auto r = decode_snapshot(resign(damaged));
    if (!r) {
      ++failures;
      CHECK(r.error().code == ErrorCode::kDataLoss);
    }
  }
  CHECK(failures > 0);
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
    std::string b = bytes;
    b[8] = 2;
    auto r = decode_snapshot(b);
    REQUIRE(!r);
    CHECK(r.error().message.find("format version 2") != std::string::npos);
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
