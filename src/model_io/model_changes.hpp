// Internal: what both stores do with a change set before and after writing
// it, driven by the field lists (sorights/model_describe.hpp). Not installed.
#ifndef SORIGHTS_SRC_MODEL_IO_MODEL_CHANGES_HPP_
#define SORIGHTS_SRC_MODEL_IO_MODEL_CHANGES_HPP_

#include <string_view>
#include <vector>

#include "sorights/error.hpp"
#include "sorights/model.hpp"
#include "sorights/storage.hpp"

namespace sorights::detail {

// Checks `c` before anything is written: its value is of its kind and has its
// id. With `storable`, every text of the change (the id, each string member,
// list item and matrix row) must pass it; `why` says in the message what a
// refused text holds ("a NUL byte, which PostgreSQL text cannot store").
Result<void> check_change(const Change& c, bool (*storable)(std::string_view) = nullptr,
                          std::string_view why = {});

// Applies `changes` to `m` in place: `apply_changes` (storage.hpp) without
// its copy of the whole model. False if a change does not fit (a value of
// another kind or id); `m` is then part way and must be discarded.
bool apply_in_place(Model& m, const std::vector<Change>& changes);

}  // namespace sorights::detail

#endif  // SORIGHTS_SRC_MODEL_IO_MODEL_CHANGES_HPP_
