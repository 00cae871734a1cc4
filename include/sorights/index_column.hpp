// -----------------------------------------------------------------------------
// File: index_column.hpp
// -----------------------------------------------------------------------------
// `sorights::IndexColumn<T>`: a read-only column of snapshot indexes of one
// strong index type (`UserIndex`, `GroupIndex`, `CompanyIndex`,
// `ProjectIndex`), as `RecordColumns` (filter.hpp) takes them. It views a
// contiguous range of `T` — `std::vector<sorights::UserIndex>`,
// `std::span<const sorights::GroupIndex>` — so a host keeps the strong types
// end to end. It also accepts a range of the raw `std::uint32_t` values, the
// column type of sorights 0.1, so code written for that still compiles.
//
// **Example**:
//
//     std::vector<sorights::UserIndex> owner = ...;         // one entry per row
//     sorights::RecordColumns cols{.size = owner.size(), .owner = owner};
#ifndef SORIGHTS_INDEX_COLUMN_HPP_
#define SORIGHTS_INDEX_COLUMN_HPP_

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ranges>
#include <span>
#include <type_traits>

#include "sorights/config.hpp"
#include "sorights/types.hpp"

SORIGHTS_BEGIN_NAMESPACE

/// A view of `size()` index values of type `T` (a 32-bit strong index type).
/// Empty: "the default for every record" (see `RecordColumns`).
template <class T>
class IndexColumn {
  static_assert(std::is_enum_v<T> && sizeof(T) == sizeof(std::uint32_t),
                "IndexColumn is for the 32-bit strong index types");

 public:
  constexpr IndexColumn() noexcept = default;
  constexpr IndexColumn(const T* data, std::size_t size) noexcept : data_(data), size_(size) {}
  /// The raw values (sorights 0.1 columns): `static_cast<std::uint32_t>(T)`.
  constexpr IndexColumn(const std::uint32_t* data, std::size_t size) noexcept : data_(data), size_(size) {}
  constexpr IndexColumn(std::span<const T> s) noexcept : IndexColumn(s.data(), s.size()) {}
  constexpr IndexColumn(std::span<const std::uint32_t> s) noexcept : IndexColumn(s.data(), s.size()) {}
  /// Any contiguous range of `T` or of `std::uint32_t` (a vector, an array, a span).
  template <class R>
    requires std::ranges::contiguous_range<R> && std::ranges::sized_range<R> &&
             (std::same_as<std::remove_cv_t<std::ranges::range_value_t<R>>, T> ||
              std::same_as<std::remove_cv_t<std::ranges::range_value_t<R>>, std::uint32_t>)
  constexpr IndexColumn(R&& r) noexcept  // NOLINT(google-explicit-constructor): a view, like std::span
      : IndexColumn(std::ranges::data(r), std::ranges::size(r)) {}

  [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
  [[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }
  /// Entry `i` as its raw value (`static_cast<std::uint32_t>` of the index).
  [[nodiscard]] std::uint32_t operator[](std::size_t i) const noexcept {
    std::uint32_t v;
    std::memcpy(&v, static_cast<const unsigned char*>(data_) + i * sizeof(std::uint32_t), sizeof v);
    return v;
  }
  /// Entry `i` as an index.
  [[nodiscard]] T at(std::size_t i) const noexcept { return T{(*this)[i]}; }
  /// The first value's address, for the vector kernels' unaligned loads
  /// (which may read any object type). Do not dereference it as `uint32_t`.
  [[nodiscard]] const std::uint32_t* data() const noexcept { return static_cast<const std::uint32_t*>(data_); }

 private:
  const void* data_ = nullptr;
  std::size_t size_ = 0;
};

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_INDEX_COLUMN_HPP_
