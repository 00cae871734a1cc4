// -----------------------------------------------------------------------------
// File: chunked_vector.hpp
// -----------------------------------------------------------------------------
// `sorights::ChunkedVector<T>`: a sequence with the interface of
// `std::vector<T>` (less `data()`: it is not contiguous) whose elements live
// in fixed-size chunks that copies share until one of them writes. It holds
// `Model::users`, so that the states a directory publishes share their users:
// a commit that edits one user of a million copies one chunk (256 users), not
// the model (docs/design/0017-shared-users.md).
//
// Copying is O(size / kChunkSize) pointer copies. A write through a non-const
// accessor (`operator[]`, `front`, `back`, `push_back`, ...) first copies the
// chunk it lands in when another copy shares it (O(kChunkSize)). Non-const
// `begin()`/`end()` cannot know what the iterator will write, so they make
// every chunk the vector's own (O(size) once, when shared; a check per chunk
// after that): iterate a shared vector through `std::as_const` or `cbegin()`
// to read it. Iterators and references are invalidated as `std::vector`'s
// are, and also by a write that copies their chunk: a reference taken through
// a const view keeps showing the shared chunk, not what the vector wrote.
//
// Thread safety as for `std::vector`: a const `ChunkedVector` may be read from
// any number of threads, and a copy may be written by one thread while other
// threads read the vectors it shares chunks with (a shared chunk is copied
// before it is written; one held by the writer alone is written in place).
#ifndef SORIGHTS_CHUNKED_VECTOR_HPP_
#define SORIGHTS_CHUNKED_VECTOR_HPP_

#include <algorithm>
#include <atomic>
#include <cassert>
#include <compare>
#include <functional>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <type_traits>
#include <utility>
#include <vector>

#include "sorights/config.hpp"

SORIGHTS_BEGIN_NAMESPACE

template <class T, std::size_t kChunk = 256>
class ChunkedVector {
  static_assert(kChunk > 0 && (kChunk & (kChunk - 1)) == 0, "the chunk size is a power of two");
  using Chunk = std::vector<T>;

  // An owning, counted pointer to a chunk. Not std::shared_ptr: whether a
  // chunk may be written in place is decided by its count, and that read
  // must be an acquire load (shared_ptr::use_count() is relaxed), so that the
  // write is ordered after the reads of the vector that let go of it last.
  class ChunkPtr {
    struct Node {
      template <class... Args>
      explicit Node(Args&&... args) : items(std::forward<Args>(args)...) {}
      std::atomic<std::size_t> refs{1};
      Chunk items;
    };

   public:
    ChunkPtr() = default;
    template <class... Args>
    static ChunkPtr make(Args&&... args) {
      ChunkPtr p;
      p.node_ = new Node(std::forward<Args>(args)...);
      return p;
    }
    ChunkPtr(const ChunkPtr& other) noexcept : node_(other.node_) {
      if (node_ != nullptr) node_->refs.fetch_add(1, std::memory_order_relaxed);
    }
    ChunkPtr(ChunkPtr&& other) noexcept : node_(std::exchange(other.node_, nullptr)) {}
    ChunkPtr& operator=(ChunkPtr other) noexcept {
      std::swap(node_, other.node_);
      return *this;
    }
    ~ChunkPtr() {
      if (node_ != nullptr && node_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete node_;
    }
    Chunk& operator*() const noexcept { return node_->items; }
    Chunk* operator->() const noexcept { return &node_->items; }
    // True if no other pointer holds the chunk. A count of one cannot rise
    // meanwhile: only this pointer could hand the chunk out.
    [[nodiscard]] bool unique() const noexcept { return node_->refs.load(std::memory_order_acquire) == 1; }
    friend bool operator==(const ChunkPtr& a, const ChunkPtr& b) noexcept { return a.node_ == b.node_; }

   private:
    Node* node_ = nullptr;
  };

  template <bool kConst>
  class Iter {
   public:
    using iterator_concept = std::random_access_iterator_tag;
    using iterator_category = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = std::conditional_t<kConst, const T*, T*>;
    using reference = std::conditional_t<kConst, const T&, T&>;

    Iter() = default;
    template <bool kOther>
      requires(kConst && !kOther)
    Iter(const Iter<kOther>& other) noexcept : chunks_(other.chunks_), i_(other.i_) {}  // NOLINT: as std::vector's

    reference operator*() const noexcept { return (*chunks_[i_ / kChunk])[i_ % kChunk]; }
    pointer operator->() const noexcept { return &**this; }
    reference operator[](difference_type n) const noexcept { return *(*this + n); }

    Iter& operator++() noexcept { ++i_; return *this; }
    Iter operator++(int) noexcept { Iter t = *this; ++i_; return t; }
    Iter& operator--() noexcept { --i_; return *this; }
    Iter operator--(int) noexcept { Iter t = *this; --i_; return t; }
    Iter& operator+=(difference_type n) noexcept { i_ = static_cast<std::size_t>(static_cast<difference_type>(i_) + n); return *this; }
    Iter& operator-=(difference_type n) noexcept { return *this += -n; }
    friend Iter operator+(Iter it, difference_type n) noexcept { return it += n; }
    friend Iter operator+(difference_type n, Iter it) noexcept { return it += n; }
    friend Iter operator-(Iter it, difference_type n) noexcept { return it -= n; }
    friend difference_type operator-(const Iter& a, const Iter& b) noexcept {
      return static_cast<difference_type>(a.i_) - static_cast<difference_type>(b.i_);
    }
    friend bool operator==(const Iter& a, const Iter& b) noexcept { return a.i_ == b.i_; }
    friend std::strong_ordering operator<=>(const Iter& a, const Iter& b) noexcept { return a.i_ <=> b.i_; }

    /// The element's position in its vector.
    [[nodiscard]] std::size_t index() const noexcept { return i_; }

   private:
    friend class ChunkedVector;
    friend class Iter<!kConst>;
    Iter(const ChunkPtr* chunks, std::size_t i) noexcept : chunks_(chunks), i_(i) {}
    const ChunkPtr* chunks_ = nullptr;
    std::size_t i_ = 0;
  };

 public:
  using value_type = T;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using reference = T&;
  using const_reference = const T&;
  using iterator = Iter<false>;
  using const_iterator = Iter<true>;
  /// Elements per chunk: the unit a write copies.
  static constexpr std::size_t kChunkSize = kChunk;

  ChunkedVector() = default;
  ChunkedVector(std::initializer_list<T> items) { append(items.begin(), items.end()); }
  template <std::input_iterator It>
  ChunkedVector(It first, It last) {
    append(first, last);
  }
  /// Shares `other`'s chunks: O(size / kChunkSize).
  ChunkedVector(const ChunkedVector&) = default;
  ChunkedVector(ChunkedVector&& other) noexcept
      : chunks_(std::move(other.chunks_)), size_(std::exchange(other.size_, 0)) {
    other.chunks_.clear();
  }
  ChunkedVector& operator=(const ChunkedVector&) = default;
  ChunkedVector& operator=(ChunkedVector&& other) noexcept {
    if (this != &other) {
      chunks_ = std::move(other.chunks_);
      size_ = std::exchange(other.size_, 0);
      other.chunks_.clear();
    }
    return *this;
  }
  ~ChunkedVector() = default;

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] std::size_t max_size() const noexcept { return std::vector<T>().max_size(); }
  /// Reserves room for the chunk table of `n` elements (chunks are allocated
  /// as they fill).
  void reserve(std::size_t n) { chunks_.reserve((n + kChunk - 1) / kChunk); }

  const T& operator[](std::size_t i) const noexcept {
    assert(i < size_);
    return (*chunks_[i / kChunk])[i % kChunk];
  }
  /// Copies the element's chunk first if another vector shares it.
  T& operator[](std::size_t i) {
    assert(i < size_);
    return own(i / kChunk)[i % kChunk];
  }
  const T& front() const noexcept { return (*this)[0]; }
  T& front() { return (*this)[0]; }
  const T& back() const noexcept { return (*this)[size_ - 1]; }
  T& back() { return (*this)[size_ - 1]; }

  const_iterator begin() const noexcept { return {chunks_.data(), 0}; }
  const_iterator end() const noexcept { return {chunks_.data(), size_}; }
  const_iterator cbegin() const noexcept { return begin(); }
  const_iterator cend() const noexcept { return end(); }
  /// Makes every chunk this vector's own first (see the banner).
  iterator begin() { return owned_from(0); }
  iterator end() { return owned_from(0) + static_cast<difference_type>(size_); }

  void push_back(const T& value) { emplace_back(value); }
  void push_back(T&& value) { emplace_back(std::move(value)); }
  template <class... Args>
  T& emplace_back(Args&&... args) {
    if (size_ % kChunk == 0) {
      // A new chunk holds its element before it joins: a throw leaves no empty chunk.
      ChunkPtr chunk = ChunkPtr::make();
      chunk->emplace_back(std::forward<Args>(args)...);
      chunks_.push_back(std::move(chunk));
      ++size_;
      return chunks_.back()->back();
    }
    Chunk& last = own(chunks_.size() - 1);
    last.emplace_back(std::forward<Args>(args)...);
    ++size_;
    return last.back();
  }
  void pop_back() {
    assert(size_ > 0);
    truncate(size_ - 1);
  }

  iterator insert(const_iterator pos, const T& value) { return insert(pos, &value, &value + 1); }
  iterator insert(const_iterator pos, T&& value) {
    const std::size_t at = pos.index(), old = size_;
    emplace_back(std::move(value));
    return rotate_in(at, old);
  }
  template <std::input_iterator It>
  iterator insert(const_iterator pos, It first, It last) {
    const std::size_t at = pos.index(), old = size_;
    append(first, last);
    return rotate_in(at, old);
  }

  iterator erase(const_iterator pos) { return erase(pos, pos + 1); }
  iterator erase(const_iterator first, const_iterator last) {
    const std::size_t from = first.index(), to = last.index();
    if (from != to) {
      const iterator b = owned_from(from);
      std::move(b + static_cast<difference_type>(to), b + static_cast<difference_type>(size_),
                b + static_cast<difference_type>(from));
      truncate(size_ - (to - from));
    }
    return {chunks_.data(), from};
  }

  void resize(std::size_t n) {
    if (n < size_) truncate(n);
    while (size_ < n) emplace_back();
  }
  void resize(std::size_t n, const T& value) {
    if (n < size_) truncate(n);
    while (size_ < n) emplace_back(value);
  }
  void clear() noexcept {
    chunks_.clear();
    size_ = 0;
  }
  void swap(ChunkedVector& other) noexcept {
    chunks_.swap(other.chunks_);
    std::swap(size_, other.size_);
  }
  friend void swap(ChunkedVector& a, ChunkedVector& b) noexcept { a.swap(b); }

  /// Erases the elements `pred` holds for, as `std::erase_if` does for a
  /// vector; copies only the chunks from the first element erased on.
  /// Returns how many were erased.
  template <class Pred>
  friend std::size_t erase_if(ChunkedVector& v, Pred pred) {
    return v.erase_matching(pred);
  }

  /// Element-wise; chunks the two share compare equal without a look.
  friend bool operator==(const ChunkedVector& a, const ChunkedVector& b) {
    if (a.size_ != b.size_) return false;
    for (std::size_t c = 0; c < a.chunks_.size(); ++c)
      if (a.chunks_[c] != b.chunks_[c] && !(*a.chunks_[c] == *b.chunks_[c])) return false;
    return true;
  }

 private:
  // Chunk `c`, copied first unless this vector holds it alone.
  Chunk& own(std::size_t c) {
    ChunkPtr& chunk = chunks_[c];
    if (!chunk.unique()) chunk = ChunkPtr::make(*chunk);
    return *chunk;
  }
  template <class Pred>
  std::size_t erase_matching(Pred& pred) {
    const ChunkedVector& ro = *this;
    const auto first = std::find_if(ro.begin(), ro.end(), std::ref(pred));
    if (first == ro.end()) return 0;
    const std::size_t from = first.index();
    const iterator b = owned_from(from);
    const iterator kept = std::remove_if(b + static_cast<difference_type>(from),
                                         b + static_cast<difference_type>(size_), std::ref(pred));
    const std::size_t erased = size_ - kept.index();
    truncate(kept.index());
    return erased;
  }
  // A mutable iterator to the first element, once the chunks from element
  // `i`'s on are this vector's own (the elements an in-place shift writes).
  iterator owned_from(std::size_t i) {
    for (std::size_t c = i / kChunk; c < chunks_.size(); ++c) (void)own(c);
    return {chunks_.data(), 0};
  }
  template <class It>
  void append(It first, It last) {
    for (; first != last; ++first) emplace_back(*first);
  }
  // Moves the elements appended at [old, size) to `at`.
  iterator rotate_in(std::size_t at, std::size_t old) {
    if (at != old) {
      const iterator b = owned_from(at);
      std::rotate(b + static_cast<difference_type>(at), b + static_cast<difference_type>(old),
                  b + static_cast<difference_type>(size_));
    }
    return {chunks_.data(), at};
  }
  void truncate(std::size_t n) {
    if (n >= size_) return;
    const std::size_t keep = (n + kChunk - 1) / kChunk;
    chunks_.resize(keep);
    if (keep > 0 && n % kChunk != 0) {
      Chunk& last = own(keep - 1);
      last.erase(last.begin() + static_cast<difference_type>(n % kChunk), last.end());
    }
    size_ = n;
  }

  std::vector<ChunkPtr> chunks_;
  std::size_t size_ = 0;
};

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_CHUNKED_VECTOR_HPP_
