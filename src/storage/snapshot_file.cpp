// Snapshot files: a fixed, checked header and a Boost.Serialization binary
// payload (include/sorights/snapshot_file.hpp).
#include "sorights/snapshot_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/archive/archive_exception.hpp>
#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/version.hpp>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <sstream>
#include <streambuf>
#include <type_traits>

namespace sorights::storage_detail::snapshot_io {

// While loading: the largest count or length accepted (the payload size), so
// that a corrupt length can never cause an allocation larger than the file.
thread_local std::uint64_t g_limit = 0;

struct BadPayload : std::exception {
  explicit BadPayload(const char* w) : what_(w) {}
  const char* what() const noexcept override { return what_; }
  const char* what_;
};

template <class Ar>
void io(Ar& ar, std::uint64_t& v) { ar & v; }
template <class Ar>
void io(Ar& ar, std::uint32_t& v) { ar & v; }
template <class Ar>
void io(Ar& ar, std::uint8_t& v) { ar & v; }

template <class Ar>
void io(Ar& ar, bool& v) {
  std::uint8_t x = v ? 1 : 0;
  ar & x;
  if constexpr (Ar::is_loading::value) {
    if (x > 1) throw BadPayload("a flag is neither 0 nor 1");
    v = x == 1;
  }
}

// An enum stored as one byte, checked against its number of values.
template <class Ar, class E>
void io_enum(Ar& ar, E& e, unsigned count) {
  auto x = static_cast<std::uint8_t>(e);
  ar & x;
  if constexpr (Ar::is_loading::value) {
    if (x >= count) throw BadPayload("an enumerator is out of range");
    e = static_cast<E>(x);
  }
}

template <class Ar>
std::uint64_t io_count(Ar& ar, std::size_t n) {
  std::uint64_t count = n;
  ar & count;
  if constexpr (Ar::is_loading::value)
    if (count > g_limit) throw BadPayload("a length is larger than the file");
  return count;
}

template <class Ar>
void io(Ar& ar, std::string& s) {
  const std::uint64_t n = io_count(ar, s.size());
  if constexpr (Ar::is_saving::value) {
    if (n != 0) ar.save_binary(s.data(), s.size());
  } else {
    s.assign(static_cast<std::size_t>(n), '\0');
    if (n != 0) ar.load_binary(s.data(), static_cast<std::size_t>(n));
  }
}

template <class Ar, class T>
void io(Ar& ar, std::vector<T>& v);

template <class Ar>
void io(Ar& ar, TableRights& t) {
  std::uint8_t bits = t.bits();
  ar & bits;
  if constexpr (Ar::is_loading::value) {
    if (bits & ~TableRights::kCrudBits) throw BadPayload("a role cell holds bits other than C, R, U, D");
    t = TableRights::from_bits(bits);
  }
}

template <class Ar>
void io(Ar& ar, OurCompany& c) {
  io(ar, c.id);
  io(ar, c.name);
  io(ar, c.database_owner);
}
template <class Ar>
void io(Ar& ar, Group& g) {
  io(ar, g.id);
  io(ar, g.name);
}
template <class Ar>
void io(Ar& ar, Licence& l) {
  io(ar, l.id);
  io(ar, l.name);
  io_enum(ar, l.kind, 2);
  io(ar, l.count);
  io(ar, l.unrestricted);
  io(ar, l.requires_licences);
  io(ar, l.cal_for);
}
template <class Ar>
void io(Ar& ar, Plan& p) {
  io(ar, p.id);
  io(ar, p.name);
  io(ar, p.licences);
}
template <class Ar>
void io(Ar& ar, FunctionalRightDef& f) {
  io(ar, f.id);
  io(ar, f.name);
  io(ar, f.requires_licence);
}
template <class Ar>
void io(Ar& ar, DataObjectDef& o) {
  io(ar, o.id);
  io(ar, o.name);
  io(ar, o.empty_owner_is_user);
  io(ar, o.has_visibility);
  io(ar, o.completed_is_locked);
}
template <class Ar>
void io(Ar& ar, Role& r) {
  io(ar, r.id);
  io(ar, r.name);
  io(ar, r.description);
  io_enum(ar, r.type, 4);
  const std::uint64_t rows = io_count(ar, r.data_rights.size());
  if constexpr (Ar::is_saving::value) {
    for (auto& [object, cells] : r.data_rights) {
      std::string key = object;
      io(ar, key);
      for (TableRights& c : cells) io(ar, c);
    }
  } else {
    r.data_rights.clear();
    for (std::uint64_t i = 0; i < rows; ++i) {
      std::string key;
      io(ar, key);
      RelationCells cells{};
      for (TableRights& c : cells) io(ar, c);
      if (!r.data_rights.emplace(std::move(key), cells).second) throw BadPayload("a role row appears twice");
    }
  }
  io(ar, r.functional_rights);
}
template <class Ar>
void io(Ar& ar, FieldRightRule& f) {
  io(ar, f.role);
  io(ar, f.object);
  io(ar, f.field);
  io_enum(ar, f.relation, kRelationCount);
  std::uint8_t bits = f.rights.bits();
  ar & bits;
  if constexpr (Ar::is_loading::value) {
    if (bits & ~3u) throw BadPayload("a field right holds bits other than R, W");
    f.rights = FieldRights::from_bits(bits);
  }
  io(ar, f.ui_mandatory);
  io(ar, f.ui_read_only);
}
template <class Ar>
void io(Ar& ar, Override& o) {
  io_enum(ar, o.level, 3);
  io(ar, o.target);
  io(ar, o.object);
  io_enum(ar, o.scope, 4);
  io(ar, o.record);
  io(ar, o.field);
  io(ar, o.remove);
}
template <class Ar>
void io(Ar& ar, User& u) {
  io(ar, u.id);
  io_enum(ar, u.type, 5);
  io(ar, u.name);
  io(ar, u.person);
  io(ar, u.company);
  io(ar, u.role);
  io(ar, u.group);
  io(ar, u.other_groups);
  io(ar, u.plan);
  io(ar, u.licences);
  io(ar, u.projects);
  io(ar, u.can_log_in);
  io(ar, u.former_employee);
  io(ar, u.retired);
}

template <class Ar, class T>
void io(Ar& ar, std::vector<T>& v) {
  const std::uint64_t n = io_count(ar, v.size());
  if constexpr (Ar::is_saving::value) {
    for (T& item : v) io(ar, item);
  } else {
    // No reserve(): the count is not trusted beyond `g_limit`; the vector
    // grows only as elements are actually read.
    v.clear();
    for (std::uint64_t i = 0; i < n; ++i) {
      T item{};
      io(ar, item);
      v.push_back(std::move(item));
    }
  }
}

// The loading side of Boost's binary archive, for the payload's body: every
// value the `io` functions read is a fixed-size native integer or a run of
// bytes, so reading them straight from memory gives what binary_iarchive gives
// without its per-value stream calls (about 4x faster on a 100k-user model).
// Running out of bytes throws, as the stream does.
struct RawIArchive {
  using is_loading = std::true_type;
  using is_saving = std::false_type;
  const char* p;
  const char* end;

  template <class T>
  RawIArchive& operator&(T& v) {
    static_assert(std::is_arithmetic_v<T>);
    need(sizeof(T));
    std::memcpy(&v, p, sizeof(T));
    p += sizeof(T);
    return *this;
  }
  void load_binary(void* dst, std::size_t n) {
    need(n);
    std::memcpy(dst, p, n);
    p += n;
  }
  void need(std::size_t n) const {
    if (static_cast<std::size_t>(end - p) < n) throw BadPayload("input stream error");
  }
};

// A read-only stream buffer over bytes in memory.
class MemoryBuffer : public std::streambuf {
 public:
  MemoryBuffer(const char* data, std::size_t size) {
    char* p = const_cast<char*>(data);
    setg(p, p, p + size);
  }
  [[nodiscard]] std::size_t remaining() const { return static_cast<std::size_t>(egptr() - gptr()); }
};

}  // namespace sorights::storage_detail::snapshot_io

namespace boost::serialization {
// Boost.Serialization entry point for the model (class version 1).
template <class Ar>
void serialize(Ar& ar, sorights::Model& m, const unsigned int /*version*/) {
  using namespace sorights::storage_detail::snapshot_io;
  io(ar, m.our_companies);
  io(ar, m.groups);
  io(ar, m.licences);
  io(ar, m.plans);
  io(ar, m.functional_rights);
  io(ar, m.objects);
  io(ar, m.roles);
  io(ar, m.field_rights);
  io(ar, m.overrides);
  io(ar, m.users);
}
}  // namespace boost::serialization

BOOST_CLASS_VERSION(sorights::Model, 1)

namespace sorights::storage_detail::snapshot_io {

std::string boost_payload(const Model& model) {
  std::stringbuf buffer;
  {
    boost::archive::binary_oarchive ar(buffer, boost::archive::no_header);
    const Model& m = model;
    ar << m;
  }
  return buffer.str();
}

// What binary_oarchive writes before the Model's body (its class information:
// the same for every model). Empty if the archive's layout is not the one
// RawIArchive expects; the Boost reader is used then.
const std::string& model_preamble() {
  static const std::string preamble = [] {
    std::string empty = boost_payload(Model{});
    constexpr std::size_t kBody = 10 * sizeof(std::uint64_t);  // ten empty collections
    if (empty.size() < kBody || empty.find_first_not_of('\0', empty.size() - kBody) != std::string::npos)
      return std::string();
    empty.resize(empty.size() - kBody);
    return empty;
  }();
  return preamble;
}

}  // namespace sorights::storage_detail::snapshot_io

SORIGHTS_BEGIN_NAMESPACE

namespace {

constexpr char kMagic[8] = {'S', 'O', 'R', 'I', 'G', 'H', 'T', 'S'};

std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

void put(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}
std::uint64_t get(std::string_view in, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)])) << (8 * i);
  return v;
}

Error bad(const std::string& what) { return Error(ErrorCode::kDataLoss, what); }

}  // namespace

std::string encode_snapshot(const Model& model, std::uint64_t version) {
  const std::string payload = storage_detail::snapshot_io::boost_payload(model);
  std::string out(kMagic, sizeof kMagic);
  put(out, kSnapshotFileFormat, 4);
  put(out, 0, 4);
  put(out, version, 8);
  put(out, payload.size(), 8);
  put(out, fnv1a(payload), 8);
  out += payload;
  return out;
}

Result<StoredModel> decode_snapshot(std::string_view bytes) {
  const std::size_t magic_seen = std::min(bytes.size(), sizeof kMagic);
  if (std::memcmp(bytes.data(), kMagic, magic_seen) != 0 || bytes.empty())
    return bad("not a sorights snapshot file (the magic \"SORIGHTS\" is missing)");
  if (bytes.size() < kSnapshotFileHeaderSize)
    return bad("truncated snapshot file: " + std::to_string(bytes.size()) + " bytes, the header alone is " +
               std::to_string(kSnapshotFileHeaderSize));
  const auto format = static_cast<std::uint32_t>(get(bytes, 8, 4));
  if (format != kSnapshotFileFormat)
    return bad("unsupported snapshot file format version " + std::to_string(format) + " (this build reads " +
               std::to_string(kSnapshotFileFormat) + ")");
  if (get(bytes, 12, 4) != 0) return bad("corrupt snapshot file header (reserved bytes are not zero)");
  const std::uint64_t version = get(bytes, 16, 8);
  const std::uint64_t length = get(bytes, 24, 8);
  const std::uint64_t checksum = get(bytes, 32, 8);
  const std::uint64_t held = bytes.size() - kSnapshotFileHeaderSize;
  if (length > held)
    return bad("truncated snapshot file: the header promises " + std::to_string(length) +
               " bytes of payload, the file holds " + std::to_string(held));
  if (length < held)
    return bad("corrupt snapshot file: " + std::to_string(held - length) + " unexpected bytes after the payload");
  const std::string_view payload = bytes.substr(kSnapshotFileHeaderSize);
  if (fnv1a(payload) != checksum) return bad("corrupt snapshot file: the payload checksum does not match");
  StoredModel out;
  out.version = version;
  try {
    using namespace storage_detail::snapshot_io;
    g_limit = payload.size();
    const std::string& preamble = model_preamble();
    if (!preamble.empty() && payload.substr(0, preamble.size()) == preamble) {
      RawIArchive ar{payload.data() + preamble.size(), payload.data() + payload.size()};
      boost::serialization::serialize(ar, out.model, 1u);
      if (ar.p != ar.end) return bad("corrupt snapshot file: the payload has unread bytes");
    } else {
      MemoryBuffer buffer(payload.data(), payload.size());
      boost::archive::binary_iarchive ar(buffer, boost::archive::no_header);
      ar >> out.model;
      if (buffer.remaining() != 0) return bad("corrupt snapshot file: the payload has unread bytes");
    }
  } catch (const std::exception& e) {
    return bad(std::string("corrupt snapshot file: the payload cannot be read (") + e.what() + ")");
  }
  return out;
}

Result<void> save_snapshot_file(const std::string& path, const Model& model, std::uint64_t version) {
  const std::string bytes = encode_snapshot(model, version);
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error(ErrorCode::kUnavailable, tmp + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return Error(ErrorCode::kUnavailable, tmp + ": " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return Error(ErrorCode::kUnavailable, tmp + ": " + why);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return Error(ErrorCode::kUnavailable, path + ": " + why);
  }
  return {};
}

Result<StoredModel> load_snapshot_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kUnavailable, path + ": cannot open the snapshot file");
  std::string bytes;
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size > 0) {
    bytes.resize(static_cast<std::size_t>(size));
    in.read(bytes.data(), size);
    if (in.gcount() != size) return Error(ErrorCode::kUnavailable, path + ": cannot read the snapshot file");
  } else {
    std::ostringstream rest;  // not seekable: read what there is
    in.clear();
    rest << in.rdbuf();
    bytes = rest.str();
  }
  if (in.bad()) return Error(ErrorCode::kUnavailable, path + ": cannot read the snapshot file");
  auto out = decode_snapshot(bytes);
  if (!out) return Error(out.error().code, path + ": " + out.error().message);
  return out;
}

SORIGHTS_END_NAMESPACE
