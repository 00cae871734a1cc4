// -----------------------------------------------------------------------------
// File: rights.hpp
// -----------------------------------------------------------------------------
// `TableRights` and `FieldRights`: the bitmasks a check returns, with the
// reference model's flag values (table: Select 1, Update 2, Insert 4,
// Delete 8, Filtering 16, RestrictedUpdate 32; field: Read 1, Write 2,
// UIHintMandatory 64, UIHintReadOnly 128), so hosts that speak that dialect
// map one to one. Every operation is `constexpr` and `noexcept`; a set is one
// byte and copying it is free.
#ifndef SORIGHTS_RIGHTS_HPP_
#define SORIGHTS_RIGHTS_HPP_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sorights/config.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// One table right. The enumerator's value is its flag.
enum class TableRight : std::uint8_t {
  kSelect = 1,
  kUpdate = 2,
  kInsert = 4,
  kDelete = 8,
  kFiltering = 16,
  kRestrictedUpdate = 32,
};

namespace detail {

/// A one-byte set of the flags of enum `Flag`, holding only the bits of
/// `kMask` (`from_bits` drops the others): the storage and the set algebra
/// that `TableRights` and `FieldRights` share. `|`, `&`, `-` (the members of
/// `a` not in `b`), `==` and the compound forms; all `constexpr`, `noexcept`
/// and free of branches.
template <class Set, class Flag, std::uint8_t kMask>
class FlagSet {
 public:
  constexpr FlagSet() noexcept = default;
  constexpr FlagSet(Flag f) noexcept  // NOLINT: one flag is a set of one
      : bits_(static_cast<std::uint8_t>(f)) {}
  /// Builds a set from raw flag bits; bits outside `kMask` are dropped.
  static constexpr Set from_bits(std::uint32_t bits) noexcept {
    Set s;
    s.bits_ = static_cast<std::uint8_t>(bits & kMask);
    return s;
  }
  [[nodiscard]] constexpr std::uint8_t bits() const noexcept { return bits_; }
  [[nodiscard]] constexpr bool empty() const noexcept { return bits_ == 0; }

  friend constexpr Set operator|(Set a, Set b) noexcept { return from_bits(a.bits_ | b.bits_); }
  friend constexpr Set operator&(Set a, Set b) noexcept { return from_bits(a.bits_ & b.bits_); }
  friend constexpr Set operator-(Set a, Set b) noexcept { return from_bits(a.bits_ & ~b.bits_); }
  friend constexpr bool operator==(Set a, Set b) noexcept { return a.bits_ == b.bits_; }
  friend constexpr Set& operator|=(Set& a, Set b) noexcept { return a = a | b; }
  friend constexpr Set& operator&=(Set& a, Set b) noexcept { return a = a & b; }
  friend constexpr Set& operator-=(Set& a, Set b) noexcept { return a = a - b; }

 protected:
  std::uint8_t bits_ = 0;  // INVARIANT: no bit outside kMask.
};

}  // namespace detail

/// What a user asks to do with a record. `kCreate` needs Insert, `kRead`
/// Select, `kUpdate` Update, `kDelete` Delete.
enum class Action : std::uint8_t { kRead = 0, kCreate = 1, kUpdate = 2, kDelete = 3 };

/// A set of `TableRight`s, one byte.
///
/// **Example**:
///
///     constexpr TableRights ru = TableRight::kSelect | TableRight::kUpdate;
///     static_assert(ru.contains_all(TableRight::kSelect));
///     assert(ru.to_string() == "Select|Update");   // a string: not constexpr
class TableRights : public detail::FlagSet<TableRights, TableRight, 63> {
 public:
  using FlagSet::FlagSet;

  /// Select, Update, Insert and Delete: the reference model's FULL (15).
  static constexpr std::uint8_t kFullBits = 15;
  /// The bits a role cell may hold (C, R, U, D).
  static constexpr std::uint8_t kCrudBits = 15;

  static constexpr TableRights none() noexcept { return {}; }
  static constexpr TableRights full() noexcept { return from_bits(kFullBits); }

  /// True if every right in `wanted` is in this set.
  [[nodiscard]] constexpr bool contains_all(TableRights wanted) const noexcept {
    return (bits_ & wanted.bits_) == wanted.bits_;
  }
  /// True if any right in `wanted` is in this set (the reference's CanDo).
  [[nodiscard]] constexpr bool contains_any(TableRights wanted) const noexcept {
    return (bits_ & wanted.bits_) != 0;
  }
  /// True if `action`'s right is in this set.
  [[nodiscard]] constexpr bool allows(Action action) const noexcept {
    return (bits_ & action_bit(action)) != 0;
  }
  /// The flag an action needs: read → Select, create → Insert, update → Update,
  /// delete → Delete; 0 (nothing allows it) for a value that is no `Action`.
  static constexpr std::uint8_t action_bit(Action action) noexcept {
    constexpr std::uint8_t kBits[4] = {1, 4, 2, 8};
    const auto a = static_cast<std::uint8_t>(action);
    return a < 4 ? kBits[a] : std::uint8_t{0};
  }

  // `|`, `&`, `-` (`a - b`: the rights of `a` not in `b`, the reference's
  // Subtract), `==`, `bits()`, `empty()` and `from_bits()` (bits 6 and 7
  // dropped): detail::FlagSet.

  /// Flag names joined by `|` in the order Select, Update, Insert, Delete,
  /// Filtering, RestrictedUpdate; `None` for the empty set. Allocates.
  [[nodiscard]] std::string to_string() const {
    static constexpr const char* kNames[6] = {"Select",    "Update",          "Insert",
                                              "Delete",    "Filtering", "RestrictedUpdate"};
    std::string out;
    for (int i = 0; i < 6; ++i) {
      if (bits_ & (1u << i)) {
        if (!out.empty()) out += '|';
        out += kNames[i];
      }
    }
    return out.empty() ? std::string("None") : out;
  }

  /// The C/R/U/D letters of this set in the order C, R, U, D (`""` for none).
  [[nodiscard]] std::string to_crud() const {
    std::string out;
    if (bits_ & 4u) out += 'C';
    if (bits_ & 1u) out += 'R';
    if (bits_ & 2u) out += 'U';
    if (bits_ & 8u) out += 'D';
    return out;
  }

  /// Parses any subset of the letters C, R, U, D in any order (`""` is none).
  /// Returns nothing for another letter or a repeated one.
  static constexpr std::optional<TableRights> parse_crud(std::string_view s) noexcept {
    std::uint8_t bits = 0;
    for (char c : s) {
      std::uint8_t bit = 0;
      switch (c) {
        case 'C': bit = 4; break;
        case 'R': bit = 1; break;
        case 'U': bit = 2; break;
        case 'D': bit = 8; break;
        default: return std::nullopt;
      }
      if (bits & bit) return std::nullopt;
      bits = static_cast<std::uint8_t>(bits | bit);
    }
    return from_bits(bits);
  }
};

static_assert(sizeof(TableRights) == 1, "a set of table rights is one byte");

constexpr TableRights operator|(TableRight a, TableRight b) noexcept {
  return TableRights(a) | TableRights(b);
}

/// One field right. The enumerator's value is its flag.
enum class FieldRight : std::uint8_t {
  kRead = 1,
  kWrite = 2,
  kUiHintMandatory = 64,
  kUiHintReadOnly = 128,
};

/// A set of `FieldRight`s, one byte. UI hints are deny hints for a user
/// interface; they never grant.
class FieldRights : public detail::FlagSet<FieldRights, FieldRight, 0xC3> {
 public:
  using FlagSet::FlagSet;
  [[nodiscard]] constexpr bool can_read() const noexcept { return (bits_ & 1u) != 0; }
  [[nodiscard]] constexpr bool can_write() const noexcept { return (bits_ & 2u) != 0; }
  [[nodiscard]] constexpr bool mandatory() const noexcept { return (bits_ & 64u) != 0; }
  [[nodiscard]] constexpr bool ui_read_only() const noexcept { return (bits_ & 128u) != 0; }
  /// The read/write part, without UI hints.
  [[nodiscard]] constexpr FieldRights access() const noexcept { return from_bits(bits_ & 3u); }
  /// The UI-hint part.
  [[nodiscard]] constexpr FieldRights hints() const noexcept { return from_bits(bits_ & 0xC0u); }

  // `|`, `&`, `-`, `==`, `bits()`, `empty()` and `from_bits()` (bits 2 to 5
  // dropped): detail::FlagSet.

  /// `Read|Write`, `Read`, `Write` or `None`, then ` UIHintMandatory` and
  /// ` UIHintReadOnly` where set. Allocates.
  [[nodiscard]] std::string to_string() const {
    std::string out = can_read() && can_write() ? "Read|Write"
                      : can_read()              ? "Read"
                      : can_write()             ? "Write"
                                                : "None";
    if (mandatory()) out += " UIHintMandatory";
    if (ui_read_only()) out += " UIHintReadOnly";
    return out;
  }
  /// `"RW"`, `"R"`, `"W"` or `""`.
  [[nodiscard]] std::string to_letters() const {
    std::string out;
    if (can_read()) out += 'R';
    if (can_write()) out += 'W';
    return out;
  }
  /// Parses any subset of the letters R, W (`""` is none).
  static constexpr std::optional<FieldRights> parse_rw(std::string_view s) noexcept {
    std::uint8_t bits = 0;
    for (char c : s) {
      std::uint8_t bit = c == 'R' ? 1 : c == 'W' ? 2 : 0;
      if (bit == 0 || (bits & bit)) return std::nullopt;
      bits = static_cast<std::uint8_t>(bits | bit);
    }
    return from_bits(bits);
  }
};

/// The lower-case name of an action (`read`, `create`, `update`, `delete`;
/// `unknown` for a value that is no `Action`).
[[nodiscard]] constexpr std::string_view action_name(Action a) noexcept {
  constexpr std::string_view kNames[4] = {"read", "create", "update", "delete"};
  const auto i = static_cast<std::uint8_t>(a);
  return i < 4 ? kNames[i] : std::string_view("unknown");
}

/// Parses an action name; nothing for anything else.
[[nodiscard]] constexpr std::optional<Action> parse_action(std::string_view s) noexcept {
  if (s == "read") return Action::kRead;
  if (s == "create") return Action::kCreate;
  if (s == "update") return Action::kUpdate;
  if (s == "delete") return Action::kDelete;
  return std::nullopt;
}

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_RIGHTS_HPP_
