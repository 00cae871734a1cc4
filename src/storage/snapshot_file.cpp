// Snapshot files: a fixed, checked header and a Boost.Serialization binary
// payload (include/sorights/storage/snapshot_file.hpp): format 2 (columns over one
// string table) is written; format 1 (the model field by field) is still read.
#include "sorights/storage/snapshot_file.hpp"
#include "sorights/model_describe.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/archive/archive_exception.hpp>
#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/array_wrapper.hpp>
#include <boost/serialization/level.hpp>
#include <boost/serialization/tracking.hpp>
#include <boost/serialization/version.hpp>
#include <bit>
#include <cerrno>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <streambuf>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

SORIGHTS_BEGIN_NAMESPACE
namespace detail::snapshot_io {

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

// An enum stored as one byte, checked against its `Count` values.
template <unsigned Count, class E>
struct EnumByte {
  E& e;
};
template <unsigned Count, class E>
EnumByte<Count, E> as_byte(E& e) {
  return {e};
}
template <class Ar, unsigned Count, class E>
void io(Ar& ar, EnumByte<Count, E> f) {
  auto x = static_cast<std::uint8_t>(f.e);
  ar & x;
  if constexpr (Ar::is_loading::value) {
    if (x >= Count) throw BadPayload("an enumerator is out of range");
    f.e = static_cast<E>(x);
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
template <class Ar, class T, std::size_t kChunk>
void io(Ar& ar, ChunkedVector<T, kChunk>& v);

// The fields in the order given: that order is the format.
template <class Ar, class... F>
void io_fields(Ar& ar, F&&... f) {
  (io(ar, f), ...);
}

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
  io_fields(ar, c.id, c.name, c.database_owner);
}
template <class Ar>
void io(Ar& ar, Group& g) {
  io_fields(ar, g.id, g.name);
}
template <class Ar>
void io(Ar& ar, Licence& l) {
  io_fields(ar, l.id, l.name, as_byte<2>(l.kind), l.count, l.unrestricted, l.requires_licences, l.cal_for);
}
template <class Ar>
void io(Ar& ar, Plan& p) {
  io_fields(ar, p.id, p.name, p.licences);
}
template <class Ar>
void io(Ar& ar, FunctionalRightDef& f) {
  io_fields(ar, f.id, f.name, f.requires_licence);
}
template <class Ar>
void io(Ar& ar, DataObjectDef& o) {
  io_fields(ar, o.id, o.name, o.empty_owner_is_user, o.has_visibility, o.completed_is_locked);
}
template <class Ar>
void io(Ar& ar, Role& r) {
  io_fields(ar, r.id, r.name, r.description, as_byte<4>(r.type));
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
  io_fields(ar, f.role, f.object, f.field, as_byte<kRelationCount>(f.relation));
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
  io_fields(ar, as_byte<3>(o.level), o.target, o.object, as_byte<4>(o.scope), o.record, o.field, o.remove);
}
template <class Ar>
void io(Ar& ar, User& u) {
  io_fields(ar, u.id, as_byte<5>(u.type), u.name, u.person, u.company, u.role, u.group, u.other_groups, u.plan,
            u.licences, u.projects, u.can_log_in, u.former_employee, u.retired);
}

// A collection: a std::vector, or the users' ChunkedVector. Boost hands a
// saved model over without its const: saving reads through a const view, so
// that a model whose user chunks readers share is never written (a non-const
// iteration would make every chunk its own).
template <class Ar, class Seq>
void io_sequence(Ar& ar, Seq& v) {
  using T = typename Seq::value_type;
  const std::uint64_t n = io_count(ar, v.size());
  if constexpr (Ar::is_saving::value) {
    for (const T& item : std::as_const(v)) io(ar, const_cast<T&>(item));
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

template <class Ar, class T>
void io(Ar& ar, std::vector<T>& v) {
  io_sequence(ar, v);
}

template <class Ar, class T, std::size_t kChunk>
void io(Ar& ar, ChunkedVector<T, kChunk>& v) {
  io_sequence(ar, v);
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
  /// The next unread byte.
  [[nodiscard]] const char* position() const { return gptr(); }
  /// Passes over `n` bytes (at most `remaining()`).
  void skip(std::size_t n) { setg(eback(), gptr() + n, egptr()); }
};

}  // namespace detail::snapshot_io
SORIGHTS_END_NAMESPACE

namespace boost::serialization {
// Boost.Serialization entry point for the model (class version 1).
template <class Ar>
void serialize(Ar& ar, sorights::Model& m, const unsigned int /*version*/) {
  using namespace sorights::detail::snapshot_io;
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

SORIGHTS_BEGIN_NAMESPACE
namespace detail::snapshot_io {

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

}  // namespace detail::snapshot_io
SORIGHTS_END_NAMESPACE

// -----------------------------------------------------------------------------
// Format 2: the model in columns over one string table.
// -----------------------------------------------------------------------------
//
// Every string of the model is stored once, in a table; each entity kind is a
// collection of columns, one per field, each a bulk array
// (`boost::serialization::make_array`): a string field is an array of 32-bit
// table indexes, a flag or enumerator an array of bytes, a list of strings an
// array of counts and one of indexes. The fields of each kind come from the
// field list (`fields()`), and that list drives the writer, the reader and the column
// layout alike. The reader takes the scalars through Boost's binary_iarchive
// and each bulk array in place from the payload in memory; it checks every
// count against the bytes left before using it, and every index, enumerator,
// flag and bit set against its range (and the text the model will hold
// against a bound) before building anything, naming the entity and field in
// the error.
SORIGHTS_BEGIN_NAMESPACE
namespace detail::snapshot_v2 {

using snapshot_io::MemoryBuffer;

struct Corrupt : std::exception {
  explicit Corrupt(std::string w) : what_(std::move(w)) {}
  const char* what() const noexcept override { return what_.c_str(); }
  std::string what_;
};

enum class Kind : std::uint8_t {
  kString,  // u32 string index per item
  kWord,    // u32 per item
  kByte,    // u8 per item
  kList,    // u32 count per item; u64 total; u32 string index per element
  kRows,    // as kList (the row's object), plus kRelationCount cell bytes per row
};
enum class Check : std::uint8_t { kNone, kBelow, kMask };

// A bulk array read in place from the payload (which may not be aligned).
template <class T>
struct ArrayView {
  const char* data = nullptr;
  std::size_t size = 0;
  T operator[](std::size_t i) const {
    T v;
    std::memcpy(&v, data + i * sizeof(T), sizeof(T));
    return v;
  }
};

struct Column {
  Kind kind = Kind::kWord;
  const char* name = "";
  Check check = Check::kNone;
  unsigned limit = 0;
  // Writing.
  std::vector<std::uint32_t> words;  // kString, kWord: the value; kList, kRows: the count
  std::vector<std::uint32_t> flat;   // kList, kRows: the string indexes of all items, in order
  std::vector<std::uint8_t> bytes;   // kByte: the value; kRows: the cells of all rows, in order
  // Reading: the same arrays, in the payload.
  ArrayView<std::uint32_t> in_words;
  ArrayView<std::uint32_t> in_flat;
  ArrayView<std::uint8_t> in_bytes;
  std::size_t cursor = 0;  // the next element of `in_flat`
};

// The fields of each entity kind, in file order: the field list
// (sorights/model_describe.hpp), each member from the format that added it,
// under its C++ name. `V` is one of the visitors below; writing passes the
// model's own entities and only reads them.
template <class V, class T>
void fields(V& v, T& e) {
  for_each_field<T>([&](const FieldInfo& f, auto member) {
    if (v.format < static_cast<std::uint32_t>(f.snapshot_since)) return;
    auto& m = e.*member;
    using M = std::decay_t<decltype(m)>;
    const char* name = f.member.data();  // a string literal
    if constexpr (std::is_same_v<M, std::string>) v.str(name, m);
    else if constexpr (std::is_same_v<M, bool>) v.flag(name, m);
    else if constexpr (std::is_same_v<M, std::uint32_t>) v.word(name, m);
    else if constexpr (std::is_same_v<M, std::uint8_t>) v.byte(name, m);
    else if constexpr (std::is_enum_v<M>) v.enumeration(name, m, enum_count<M>);
    else if constexpr (std::is_same_v<M, FieldRights>) v.field_rights(name, m);
    else if constexpr (std::is_same_v<M, std::vector<std::string>>) v.list(name, m);
    else if constexpr (std::is_same_v<M, NameMap>) v.names(name, m);
    else v.rows(name, m);
  });
}

// The collections, in file order.
template <class F>
void each_collection(Model& m, F&& f) {
  f("our_companies", m.our_companies);
  f("groups", m.groups);
  f("licences", m.licences);
  f("plans", m.plans);
  f("functional_rights", m.functional_rights);
  f("objects", m.objects);
  f("roles", m.roles);
  f("field_rights", m.field_rights);
  f("overrides", m.overrides);
  f("users", m.users);
}

// The columns of an entity kind (kinds and checks, no data). Every visitor
// carries the format it reads or writes (2 to 4): `fields` adds the columns
// a later format introduced only from that format on.
struct Schema {
  std::uint32_t format;
  std::vector<Column> cols;
  void add(Kind kind, const char* name, Check check = Check::kNone, unsigned limit = 0) {
    Column c;
    c.kind = kind;
    c.name = name;
    c.check = check;
    c.limit = limit;
    cols.push_back(std::move(c));
  }
  void str(const char* n, std::string&) { add(Kind::kString, n); }
  void word(const char* n, std::uint32_t&) { add(Kind::kWord, n); }
  void byte(const char* n, std::uint8_t&) { add(Kind::kByte, n); }
  void flag(const char* n, bool&) { add(Kind::kByte, n, Check::kBelow, 2); }
  template <class E>
  void enumeration(const char* n, E&, unsigned count) { add(Kind::kByte, n, Check::kBelow, count); }
  void field_rights(const char* n, FieldRights&) { add(Kind::kByte, n, Check::kMask, 3); }
  void list(const char* n, std::vector<std::string>&) { add(Kind::kList, n); }
  // A NameMap: its keys, then its values, as two lists.
  void names(const char* n, NameMap&) {
    add(Kind::kList, n);
    add(Kind::kList, n);
  }
  void rows(const char* n, std::map<std::string, RelationCells>&) {
    add(Kind::kRows, n, Check::kMask, TableRights::kCrudBits);
  }
};

template <class T>
std::vector<Column> schema_of(std::uint32_t format) {
  Schema s{format, {}};
  T dummy{};
  fields(s, dummy);
  return std::move(s.cols);
}

// The most text (the sum of the lengths of every string the model holds) a
// format 2 payload of `payload` bytes may stand for; the writer falls back to
// format 1 beyond it, so that whatever it writes reads back.
inline std::uint64_t text_limit_for(std::size_t payload) {
  return 64 * std::uint64_t{payload} + (std::uint64_t{16} << 20);
}

// -- Writing ------------------------------------------------------------------

// The string table being built: each distinct string once, in first-use order.
struct Interner {
  std::unordered_map<std::string_view, std::uint32_t> ids;
  std::vector<std::string_view> strings;
  std::uint64_t bytes = 0;
  std::uint64_t text = 0;  // the lengths of every string referred to
  bool overflow = false;   // more than 32-bit offsets or counts can hold
  std::uint32_t id(const std::string& s) {
    text += s.size();
    auto [it, added] = ids.try_emplace(s, static_cast<std::uint32_t>(strings.size()));
    if (added) {
      strings.emplace_back(s);
      bytes += s.size();
      if (bytes > UINT32_MAX || strings.size() > UINT32_MAX) overflow = true;
    }
    return it->second;
  }
};

struct Encoder {
  Interner& strings;
  std::vector<Column>& cols;
  std::uint32_t format;
  std::size_t k = 0;
  std::uint32_t count(std::size_t n) {
    if (n > UINT32_MAX) strings.overflow = true;
    return static_cast<std::uint32_t>(n);
  }
  void str(const char*, std::string& s) { cols[k++].words.push_back(strings.id(s)); }
  void word(const char*, std::uint32_t& w) { cols[k++].words.push_back(w); }
  void byte(const char*, std::uint8_t& b) { cols[k++].bytes.push_back(b); }
  void flag(const char*, bool& b) { cols[k++].bytes.push_back(b ? 1 : 0); }
  template <class E>
  void enumeration(const char*, E& e, unsigned) { cols[k++].bytes.push_back(static_cast<std::uint8_t>(e)); }
  void field_rights(const char*, FieldRights& r) { cols[k++].bytes.push_back(r.bits()); }
  void list(const char*, std::vector<std::string>& l) {
    Column& c = cols[k++];
    c.words.push_back(count(l.size()));
    for (const std::string& s : l) c.flat.push_back(strings.id(s));
  }
  void names(const char*, NameMap& m) {
    Column& keys = cols[k++];
    Column& values = cols[k++];
    keys.words.push_back(count(m.size()));
    values.words.push_back(count(m.size()));
    for (const auto& [key, value] : m) {
      keys.flat.push_back(strings.id(key));
      values.flat.push_back(strings.id(value));
    }
  }
  void rows(const char*, std::map<std::string, RelationCells>& m) {
    Column& c = cols[k++];
    c.words.push_back(count(m.size()));
    for (const auto& [object, cells] : m) {
      c.flat.push_back(strings.id(object));
      for (TableRights t : cells) c.bytes.push_back(t.bits());
    }
  }
};

struct Collection {
  std::uint64_t items = 0;
  std::vector<Column> cols;
};

// What the archive writes: the string table, then each collection's item
// count and columns.
struct PayloadOut {
  const Interner* strings = nullptr;
  const std::vector<Collection>* collections = nullptr;

  template <class Ar, class T>
  static void array(Ar& ar, const std::vector<T>& v) {
    if (!v.empty()) ar << boost::serialization::make_array(v.data(), v.size());
  }
  template <class Ar>
  void serialize(Ar& ar, const unsigned int /*version*/) {
    std::uint64_t n = strings->strings.size();
    std::uint64_t total = strings->bytes;
    ar << n << total;
    std::vector<std::uint32_t> ends;
    ends.reserve(strings->strings.size());
    std::string blob;
    blob.reserve(static_cast<std::size_t>(total));
    for (std::string_view s : strings->strings) {
      blob += s;
      ends.push_back(static_cast<std::uint32_t>(blob.size()));
    }
    array(ar, ends);
    if (!blob.empty()) ar.save_binary(blob.data(), blob.size());
    for (const Collection& c : *collections) {
      std::uint64_t items = c.items;
      ar << items;
      for (const Column& col : c.cols) {
        switch (col.kind) {
          case Kind::kString:
          case Kind::kWord: array(ar, col.words); break;
          case Kind::kByte: array(ar, col.bytes); break;
          case Kind::kList:
          case Kind::kRows: {
            array(ar, col.words);
            std::uint64_t flat = col.flat.size();
            ar << flat;
            array(ar, col.flat);
            if (col.kind == Kind::kRows) array(ar, col.bytes);
            break;
          }
        }
      }
    }
  }
};

// -- Reading ------------------------------------------------------------------

// Fills one entity from its columns, already checked.
struct Filler {
  const std::vector<std::string_view>& table;
  std::vector<Column>& cols;
  const char* collection;
  std::uint32_t format;
  std::size_t item = 0;
  std::size_t k = 0;
  void str(const char*, std::string& s) {
    const std::string_view v = table[cols[k++].in_words[item]];
    if (!v.empty()) s.assign(v);  // `s` is new, hence empty
  }
  void word(const char*, std::uint32_t& w) { w = cols[k++].in_words[item]; }
  void byte(const char*, std::uint8_t& b) { b = cols[k++].in_bytes[item]; }
  void flag(const char*, bool& b) { b = cols[k++].in_bytes[item] != 0; }
  template <class E>
  void enumeration(const char*, E& e, unsigned) { e = static_cast<E>(cols[k++].in_bytes[item]); }
  void field_rights(const char*, FieldRights& r) { r = FieldRights::from_bits(cols[k++].in_bytes[item]); }
  void list(const char*, std::vector<std::string>& l) {
    Column& c = cols[k++];
    const std::uint32_t n = c.in_words[item];
    l.clear();
    l.reserve(n);
    for (std::uint32_t j = 0; j < n; ++j) l.emplace_back(table[c.in_flat[c.cursor++]]);
  }
  void names(const char* name, NameMap& m) {
    Column& keys = cols[k++];
    Column& values = cols[k++];
    const std::uint32_t n = keys.in_words[item];
    const std::string at = std::string(collection) + "[" + std::to_string(item) + "]." + name;
    if (values.in_words[item] != n)
      throw Corrupt(at + " has " + std::to_string(n) + " languages but " + std::to_string(values.in_words[item]) +
                    " names");
    m.clear();
    for (std::uint32_t j = 0; j < n; ++j) {
      const std::string_view key = table[keys.in_flat[keys.cursor++]];
      const std::string_view value = table[values.in_flat[values.cursor++]];
      if (key == "nb" || name_map_key(key).empty())
        throw Corrupt(at + " has the key \"" + std::string(key.substr(0, 64)) + "\", not a language (en, no, nl, da)");
      if (!m.emplace(std::string(key), std::string(value)).second)
        throw Corrupt(at + " has the language \"" + std::string(key) + "\" twice");
    }
  }
  void rows(const char* name, std::map<std::string, RelationCells>& m) {
    Column& c = cols[k++];
    const std::uint32_t n = c.in_words[item];
    m.clear();
    for (std::uint32_t j = 0; j < n; ++j, ++c.cursor) {
      RelationCells cells{};
      for (std::size_t r = 0; r < cells.size(); ++r)
        cells[r] = TableRights::from_bits(c.in_bytes[c.cursor * cells.size() + r]);
      const std::size_t before = m.size();
      auto it = m.emplace_hint(m.end(), std::string(table[c.in_flat[c.cursor]]), cells);
      if (m.size() == before)
        throw Corrupt(std::string(collection) + "[" + std::to_string(item) + "]." + name + " has the row \"" +
                      it->first + "\" twice");
    }
  }
};

// What the archive reads. The scalars go through the archive; each bulk
// array is taken in place from the payload in memory (the archive's bytes are
// the array's bytes), once it is known to be there.
struct PayloadIn {
  MemoryBuffer* buffer = nullptr;
  Model* model = nullptr;
  std::uint32_t format = 2;
  const std::vector<std::string_view>* table = nullptr;
  // The text the model's strings will hold: a string stored once may be
  // referred to many times, so this is bounded too (a crafted file could
  // otherwise ask for its square). Real models stay far below the bound.
  std::uint64_t text = 0;
  std::uint64_t text_limit = 0;

  template <class Ar>
  std::uint64_t count(Ar& ar) {
    std::uint64_t n = 0;
    ar >> n;
    return n;
  }
  template <class T>
  ArrayView<T> array(std::uint64_t n, const std::string& what) {
    if (n > buffer->remaining() / sizeof(T))
      throw Corrupt(what + " claims " + std::to_string(n) + " values, more than the payload holds");
    ArrayView<T> v{buffer->position(), static_cast<std::size_t>(n)};
    buffer->skip(v.size * sizeof(T));
    return v;
  }

  static std::string at(const char* collection, std::size_t item, const char* field) {
    return std::string(collection) + "[" + std::to_string(item) + "]." + field;
  }
  void check_index(std::uint32_t index, const char* collection, std::size_t item, const char* field) {
    if (index >= table->size())
      throw Corrupt(at(collection, item, field) + " refers to string " + std::to_string(index) +
                    ", the string table holds " + std::to_string(table->size()));
    text += (*table)[index].size();
  }
  void check_text(const std::string& what) const {
    if (text > text_limit)
      throw Corrupt(what + " makes the model's text larger than " + std::to_string(text_limit) +
                    " bytes (64 times the payload, plus 16 MiB)");
  }

  template <class Ar>
  void read_column(Ar& ar, Column& c, std::uint64_t items, const char* collection) {
    const std::string what = std::string(collection) + "." + c.name;
    switch (c.kind) {
      case Kind::kString:
        c.in_words = array<std::uint32_t>(items, what);
        for (std::size_t i = 0; i < c.in_words.size; ++i) check_index(c.in_words[i], collection, i, c.name);
        check_text(what);
        return;
      case Kind::kWord: c.in_words = array<std::uint32_t>(items, what); return;
      case Kind::kByte:
        c.in_bytes = array<std::uint8_t>(items, what);
        for (std::size_t i = 0; i < c.in_bytes.size; ++i) {
          const unsigned b = c.in_bytes[i];
          if (c.check == Check::kBelow && b >= c.limit)
            throw Corrupt(at(collection, i, c.name) + " is " + std::to_string(b) + ", out of range (0 to " +
                          std::to_string(c.limit - 1) + ")");
          if (c.check == Check::kMask && (b & ~c.limit) != 0)
            throw Corrupt(at(collection, i, c.name) + " holds unknown bits (" + std::to_string(b) + ")");
        }
        return;
      case Kind::kList:
      case Kind::kRows: {
        c.in_words = array<std::uint32_t>(items, what);
        const std::uint64_t flat = count(ar);
        std::uint64_t sum = 0;
        for (std::size_t i = 0; i < c.in_words.size; ++i) sum += c.in_words[i];  // < 2^32 x 2^62: no overflow
        if (sum != flat)
          throw Corrupt(what + " counts " + std::to_string(sum) + " elements but holds " + std::to_string(flat));
        c.in_flat = array<std::uint32_t>(flat, what);
        std::size_t pos = 0;
        for (std::size_t i = 0; i < c.in_words.size; ++i)
          for (std::uint32_t j = c.in_words[i]; j > 0; --j, ++pos) check_index(c.in_flat[pos], collection, i, c.name);
        check_text(what);
        if (c.kind == Kind::kRows) {
          if (flat > buffer->remaining() / kRelationCount)
            throw Corrupt(what + " claims " + std::to_string(flat) + " rows, more than the payload holds");
          c.in_bytes = array<std::uint8_t>(flat * kRelationCount, what);
          pos = 0;
          for (std::size_t i = 0; i < c.in_words.size; ++i)
            for (std::uint64_t j = std::uint64_t{c.in_words[i]} * kRelationCount; j > 0; --j, ++pos)
              if ((c.in_bytes[pos] & ~c.limit) != 0)
                throw Corrupt(at(collection, i, c.name) + " holds a cell with bits other than C, R, U, D");
        }
        return;
      }
    }
  }

  template <class Ar>
  void serialize(Ar& ar, const unsigned int /*version*/) {
    // The string table.
    const std::uint64_t n = count(ar);
    const std::uint64_t total = count(ar);
    const ArrayView<std::uint32_t> ends = array<std::uint32_t>(n, "the string table");
    const ArrayView<char> blob = array<char>(total, "the string table's text");
    std::vector<std::string_view> strings;
    table = &strings;
    strings.reserve(ends.size);
    std::uint32_t begin = 0;
    for (std::size_t i = 0; i < ends.size; ++i) {
      const std::uint32_t end = ends[i];
      if (end < begin || end > total) throw Corrupt("the string table's offsets are out of order");
      strings.emplace_back(blob.data + begin, end - begin);
      begin = end;
    }
    if (begin != total) throw Corrupt("the string table's offsets do not cover its text");

    // The collections: every column read and checked, then the entities.
    each_collection(*model, [&](const char* name, auto& items) {
      using T = typename std::remove_reference_t<decltype(items)>::value_type;
      std::vector<Column> cols = schema_of<T>(format);
      const std::uint64_t count_items = count(ar);
      for (Column& c : cols) read_column(ar, c, count_items, name);
      // Every column holds `count_items` values in the payload, so the count
      // is backed by the file's bytes.
      items.clear();
      items.reserve(static_cast<std::size_t>(count_items));
      Filler f{strings, cols, name, format};
      for (std::size_t i = 0; i < count_items; ++i) {
        f.item = i;
        f.k = 0;
        fields(f, items.emplace_back());
      }
    });
  }
};

}  // namespace detail::snapshot_v2
SORIGHTS_END_NAMESPACE

// Written and read as plain data: no class information, no object tracking.
BOOST_CLASS_IMPLEMENTATION(sorights::detail::snapshot_v2::PayloadOut, boost::serialization::object_serializable)
BOOST_CLASS_TRACKING(sorights::detail::snapshot_v2::PayloadOut, boost::serialization::track_never)
BOOST_CLASS_IMPLEMENTATION(sorights::detail::snapshot_v2::PayloadIn, boost::serialization::object_serializable)
BOOST_CLASS_TRACKING(sorights::detail::snapshot_v2::PayloadIn, boost::serialization::track_never)


SORIGHTS_BEGIN_NAMESPACE
namespace detail::snapshot_v2 {

// The payload of `model` in format `format` (2 to 4); nothing if it does not
// fit format 2's 32-bit offsets and counts or its text bound (the caller
// writes format 1 then).
std::optional<std::string> encode_payload(const Model& model, std::uint32_t format) {
  Model& m = const_cast<Model&>(model);  // only read: the visitors are shared with reading
  Interner strings;
  std::vector<Collection> collections;
  collections.reserve(10);
  each_collection(m, [&](const char*, auto& items) {
    using T = typename std::remove_reference_t<decltype(items)>::value_type;
    Collection c{items.size(), schema_of<T>(format)};
    Encoder e{strings, c.cols, format};
    for (Column& col : c.cols) {
      if (col.kind == Kind::kByte) col.bytes.reserve(items.size());
      else col.words.reserve(items.size());
    }
    for (T& item : items) {
      e.k = 0;
      fields(e, item);
    }
    collections.push_back(std::move(c));
  });
  if (strings.overflow) return std::nullopt;
  std::stringbuf buffer;
  {
    boost::archive::binary_oarchive ar(buffer, boost::archive::no_header);
    const PayloadOut out{&strings, &collections};
    ar << out;
  }
  std::string payload = buffer.str();
  if (strings.text > text_limit_for(payload.size())) return std::nullopt;
  return payload;
}

Model decode_payload(std::string_view payload, std::uint32_t format) {
  MemoryBuffer buffer(payload.data(), payload.size());
  boost::archive::binary_iarchive ar(buffer, boost::archive::no_header);
  Model model;
  PayloadIn in{&buffer, &model, format};
  in.text_limit = text_limit_for(payload.size());
  ar >> in;
  if (buffer.remaining() != 0) throw Corrupt("the payload has unread bytes");
  return model;
}

}  // namespace detail::snapshot_v2
SORIGHTS_END_NAMESPACE

SORIGHTS_BEGIN_NAMESPACE

namespace {

constexpr char kMagic[8] = {'S', 'O', 'R', 'I', 'G', 'H', 'T', 'S'};
constexpr std::uint64_t kFnvOffset = 14695981039346656037ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;

// Format 1's checksum: FNV-1a 64 over the payload's bytes.
std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t h = kFnvOffset;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnvPrime;
  }
  return h;
}

// Format 2's checksum: FNV-1a 64 over the payload's 64-bit little-endian
// words (the last one zero-padded), then over its length. One multiply per
// eight bytes instead of per byte; a change within one word is still always
// caught (each step is a bijection of the running value).
std::uint64_t fnv1a_words(std::string_view bytes) {
  std::uint64_t h = kFnvOffset;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w = 0;
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(&w, p, 8);
    } else {
      for (int i = 0; i < 8; ++i) w |= static_cast<std::uint64_t>(p[i]) << (8 * i);
    }
    h = (h ^ w) * kFnvPrime;
  }
  if (n != 0) {
    std::uint64_t w = 0;
    for (std::size_t i = 0; i < n; ++i) w |= static_cast<std::uint64_t>(p[i]) << (8 * i);
    h = (h ^ w) * kFnvPrime;
  }
  return (h ^ static_cast<std::uint64_t>(bytes.size())) * kFnvPrime;
}

std::uint64_t checksum(std::uint32_t format, std::string_view payload) {
  return format == 1 ? fnv1a(payload) : fnv1a_words(payload);
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

std::string frame(std::uint32_t format, std::uint64_t version, const std::string& payload) {
  std::string out;
  out.reserve(kSnapshotFileHeaderSize + payload.size());
  out.append(kMagic, sizeof kMagic);
  put(out, format, 4);
  put(out, 0, 4);
  put(out, version, 8);
  put(out, payload.size(), 8);
  put(out, checksum(format, payload), 8);
  out += payload;
  return out;
}

// Format 1's payload reader (files written before format 2).
Result<void> decode_v1(std::string_view payload, Model& model) {
  using namespace ::sorights::detail::snapshot_io;
  g_limit = payload.size();
  const std::string& preamble = model_preamble();
  if (!preamble.empty() && payload.substr(0, preamble.size()) == preamble) {
    RawIArchive ar{payload.data() + preamble.size(), payload.data() + payload.size()};
    boost::serialization::serialize(ar, model, 1u);
    if (ar.p != ar.end) return bad("corrupt snapshot file: the payload has unread bytes");
  } else {
    MemoryBuffer buffer(payload.data(), payload.size());
    boost::archive::binary_iarchive ar(buffer, boost::archive::no_header);
    ar >> model;
    if (buffer.remaining() != 0) return bad("corrupt snapshot file: the payload has unread bytes");
  }
  return {};
}

}  // namespace

std::string encode_snapshot(const Model& model, std::uint64_t version) {
  if (std::optional<std::string> payload =
          ::sorights::detail::snapshot_v2::encode_payload(model, kSnapshotFileFormat))
    return frame(kSnapshotFileFormat, version, *payload);
  // Beyond format 2's 32-bit string offsets and counts (over 4 GiB of
  // distinct text) or its text bound (one long string referred to very many
  // times): format 1 has neither limit.
  return frame(1, version, ::sorights::detail::snapshot_io::boost_payload(model));
}

namespace snapshot_file_testing {
// Format 1's writer, for the tests that check format 1 files still load; not
// in a public header (the tests declare it).
std::string encode_v1(const Model& model, std::uint64_t version) {
  return frame(1, version, ::sorights::detail::snapshot_io::boost_payload(model));
}
// Format 2's writer (before declared rights could be restrictive), for the
// tests that check format 2 files still load.
std::string encode_v2(const Model& model, std::uint64_t version) {
  return frame(2, version, *::sorights::detail::snapshot_v2::encode_payload(model, 2));
}
// Format 3's writer (before `names`), for the tests that check format 3
// files still load.
std::string encode_v3(const Model& model, std::uint64_t version) {
  return frame(3, version, *::sorights::detail::snapshot_v2::encode_payload(model, 3));
}
}  // namespace snapshot_file_testing

Result<StoredModel> decode_snapshot(std::string_view bytes) {
  const std::size_t magic_seen = std::min(bytes.size(), sizeof kMagic);
  if (std::memcmp(bytes.data(), kMagic, magic_seen) != 0 || bytes.empty())
    return bad("not a sorights snapshot file (the magic \"SORIGHTS\" is missing)");
  if (bytes.size() < kSnapshotFileHeaderSize)
    return bad("truncated snapshot file: " + std::to_string(bytes.size()) + " bytes, the header alone is " +
               std::to_string(kSnapshotFileHeaderSize));
  const auto format = static_cast<std::uint32_t>(get(bytes, 8, 4));
  if (format < 1 || format > kSnapshotFileFormat)
    return bad("unsupported snapshot file format version " + std::to_string(format) + " (this build reads 1 to " +
               std::to_string(kSnapshotFileFormat) + ")");
  if (get(bytes, 12, 4) != 0) return bad("corrupt snapshot file header (reserved bytes are not zero)");
  const std::uint64_t version = get(bytes, 16, 8);
  const std::uint64_t length = get(bytes, 24, 8);
  const std::uint64_t sum = get(bytes, 32, 8);
  const std::uint64_t held = bytes.size() - kSnapshotFileHeaderSize;
  if (length > held)
    return bad("truncated snapshot file: the header promises " + std::to_string(length) +
               " bytes of payload, the file holds " + std::to_string(held));
  if (length < held)
    return bad("corrupt snapshot file: " + std::to_string(held - length) + " unexpected bytes after the payload");
  const std::string_view payload = bytes.substr(kSnapshotFileHeaderSize);
  if (checksum(format, payload) != sum) return bad("corrupt snapshot file: the payload checksum does not match");
  StoredModel out;
  out.version = version;
  try {
    if (format == 1) {
      SORIGHTS_TRY(decode_v1(payload, out.model));
    } else {
      out.model = ::sorights::detail::snapshot_v2::decode_payload(payload, format);
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
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error(ErrorCode::kUnavailable, path + ": cannot open the snapshot file");
  // The file's bytes, read into a buffer that is not zeroed first; a file
  // that is not regular (a pipe) or grows while read is read to its end.
  struct stat st {};
  std::size_t capacity = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? static_cast<std::size_t>(st.st_size) + 1 : 0;
  if (capacity < 4096) capacity = 4096;
  auto buffer = std::make_unique_for_overwrite<char[]>(capacity);
  std::size_t size = 0;
  for (;;) {
    if (size == capacity) {
      auto bigger = std::make_unique_for_overwrite<char[]>(capacity * 2);
      std::memcpy(bigger.get(), buffer.get(), size);
      buffer = std::move(bigger);
      capacity *= 2;
    }
    const ssize_t n = ::read(fd, buffer.get() + size, capacity - size);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return Error(ErrorCode::kUnavailable, path + ": cannot read the snapshot file");
    }
    size += static_cast<std::size_t>(n);
  }
  ::close(fd);
  auto out = decode_snapshot(std::string_view(buffer.get(), size));
  if (!out) return Error(out.error().code, path + ": " + out.error().message);
  return out;
}

SORIGHTS_END_NAMESPACE

