// The compiled part of sorights: every -inl.hpp, built once.
#ifndef SORIGHTS_COMPILED_LIB
#  error "src/sorights.cpp is built only with SORIGHTS_COMPILED_LIB (the sorights::sorights target)"
#endif

#include "sorights/detail/huge_pages-inl.hpp"
#include "sorights/model-inl.hpp"
#include "sorights/snapshot-inl.hpp"
#include "sorights/storage-inl.hpp"
#include "sorights/directory-inl.hpp"
#include "sorights/follower-inl.hpp"
#include "sorights/queries-inl.hpp"
#include "sorights/predicate-inl.hpp"
