// -----------------------------------------------------------------------------
// File: detail/filter_kernels.hpp
// -----------------------------------------------------------------------------
// The batch filter's kernels (filter.hpp): `make_filter_plan` decides
// everything that depends only on (user, object, action) once (the check
// plan, detail/check_plan.hpp); the scalar, AVX2 and AVX-512 kernels apply it
// to 1, 8 or 16 records a step.
// Inline: the kernels are the hot path of `filter`. No API promise.
#ifndef SORIGHTS_DETAIL_FILTER_KERNELS_HPP_
#define SORIGHTS_DETAIL_FILTER_KERNELS_HPP_

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "sorights/config.hpp"
#include "sorights/detail/check_plan.hpp"
#include "sorights/detail/snapshot_access.hpp"
#include "sorights/record.hpp"
#include "sorights/record_columns.hpp"
#include "sorights/rights.hpp"
#include "sorights/snapshot.hpp"
#include "sorights/types.hpp"

#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__))
#  define SORIGHTS_FILTER_X86 1
#  include <immintrin.h>
#else
#  define SORIGHTS_FILTER_X86 0
#endif

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

// Layout facts the vector kernels gather by: an owner index scaled by 8
// addresses its OwnerRec.
static_assert(sizeof(OwnerRec) == 8 && offsetof(OwnerRec, primary_group) == 0 && offsetof(OwnerRec, word) == 4,
              "the kernels gather OwnerRec as two 32-bit words with scale 8");

// The plan for a batch of `c`: record-scoped overrides only when the columns
// carry record ids, "now" resolved only when they carry publish windows.
inline CheckPlan make_filter_plan(const Snapshot& s, UserIndex user, ObjectIndex object, Action action,
                                  const RecordColumns& c) noexcept {
  return make_check_plan(s, user, object, action, c.at,
                         CheckPlanInputs{!c.id.empty(), !c.publish_from.empty() || !c.publish_to.empty()});
}

inline constexpr std::uint32_t kNoIndex = 0xFFFFFFFFu;  // kNoUser, kNoGroup, kNoProject, kNoCompany
static_assert(static_cast<std::uint32_t>(kNoUser) == kNoIndex && static_cast<std::uint32_t>(kNoGroup) == kNoIndex &&
              static_cast<std::uint32_t>(kNoProject) == kNoIndex && static_cast<std::uint32_t>(kNoCompany) == kNoIndex);

// Where a lane reads record i from: a column set (filter) ...
struct ColumnLanes {
  const RecordColumns& c;
  std::uint32_t owner(std::size_t i) const noexcept { return c.owner.empty() ? kNoIndex : c.owner[i]; }
  std::uint32_t group(std::size_t i) const noexcept { return c.group.empty() ? kNoIndex : c.group[i]; }
  std::uint8_t flags(std::size_t i) const noexcept { return c.flags.empty() ? std::uint8_t{0} : c.flags[i]; }
  std::uint32_t visibility_id(std::size_t i) const noexcept {
    return c.visibility_id.empty() ? 0u : c.visibility_id[i];
  }
  std::uint32_t project(std::size_t i) const noexcept { return c.project.empty() ? kNoIndex : c.project[i]; }
  std::uint32_t company(std::size_t i) const noexcept { return c.company.empty() ? kNoIndex : c.company[i]; }
  Time publish_from(std::size_t i) const noexcept { return c.publish_from.empty() ? kTimeMin : c.publish_from[i]; }
  Time publish_to(std::size_t i) const noexcept { return c.publish_to.empty() ? kTimeMax : c.publish_to[i]; }
  Time at(const CheckPlan& p, std::size_t) const noexcept { return p.at; }
};

// ... or an array of Records (can_batch), each with its own evaluation time.
struct RecordLanes {
  const Record* r;
  std::uint32_t owner(std::size_t i) const noexcept { return static_cast<std::uint32_t>(r[i].owner); }
  std::uint32_t group(std::size_t i) const noexcept { return static_cast<std::uint32_t>(r[i].group); }
  std::uint8_t flags(std::size_t i) const noexcept { return record_flags(r[i]); }
  std::uint32_t visibility_id(std::size_t i) const noexcept { return r[i].visibility.id; }
  std::uint32_t project(std::size_t i) const noexcept { return static_cast<std::uint32_t>(r[i].project); }
  std::uint32_t company(std::size_t i) const noexcept { return static_cast<std::uint32_t>(r[i].company); }
  Time publish_from(std::size_t i) const noexcept { return r[i].publish_from; }
  Time publish_to(std::size_t i) const noexcept { return r[i].publish_to; }
  Time at(const CheckPlan& p, std::size_t i) const noexcept { return r[i].at == kTimeMin ? p.at : r[i].at; }
};

// One record, scalar: the lane logic of the vector kernels, written with
// boolean arithmetic so that a stream of unlike records costs few mispredicted
// branches (the branches left depend on the user and the columns present).
template <class Lanes>
SORIGHTS_ALWAYS_INLINE bool check_lane(const CheckPlan& p, const Lanes& c, std::size_t i) noexcept {
  constexpr std::uint32_t kNone = kNoIndex;
  std::uint32_t ow = c.owner(i);
  const bool empty_tested = static_cast<bool>(ow == kNone) & p.empty_owner_tested;
  ow = (static_cast<bool>(ow == kNone) & p.empty_owner_is_user) ? p.ui : ow;
  const bool own = ow == p.ui;
  const bool valid = ow < p.n_users;
  const bool other = valid & !own;
  // Without owner_facts any OwnerRec gives the same answer (see CheckPlan).
  OwnerRec o{kNone, 0};
  if (p.owner_facts) o = p.owners[valid ? ow : p.ui];
  const std::uint32_t otype = owner_type(o.word);
  const std::uint8_t f = c.flags(i);
  const bool anon = other & (otype == static_cast<std::uint32_t>(UserType::kAnonymous));
  const bool ext = other & (otype == static_cast<std::uint32_t>(UserType::kExternal));
  const std::uint32_t vid = c.visibility_id(i);
  std::uint32_t g = c.group(i);
  g = g == kNone ? o.primary_group : g;
  bool g_in = false, vid_in = false;
  for (std::uint32_t k = 0; k < p.groups_count; ++k) {
    g_in |= p.groups[k] == g;
    vid_in |= p.groups[k] == vid;
  }
  unsigned rel;  // Relation value; the cases below are mutually exclusive
  if (SORIGHTS_LIKELY(p.kind != CheckUserKind::kExternal)) {
    const bool emp = (p.kind == CheckUserKind::kEmployee) & other & !anon & !ext & (g != kNone);
    const bool prim = emp & (g == p.primary);
    const bool oth = emp & !prim & g_in;
    rel = 2u - 2u * own + 3u * anon + 2u * ext - 1u * prim + 1u * oth;
  } else {
    // `tested`: another known user's record, or an empty-owner one (§15).
    const bool tested = other | empty_tested;
    const std::uint32_t rc = c.company(i);
    const bool mc = p.my_company & ((other & (owner_company(o.word) == p.ucompany)) | (tested & (rc == p.ucompany)));
    bool sp = false;
    if (p.same_project) {
      const std::uint32_t pj = c.project(i);
      for (std::uint32_t k = 0; k < p.projects_count; ++k) sp |= p.projects[k] == pj;
    }
    sp &= tested & !mc;
    const bool rest = other & !mc & !sp;
    rel = 2u - 2u * own + 4u * mc + 5u * sp + 3u * (rest & anon) + 2u * (rest & ext);
  }
  bool allowed = (p.relbits >> rel) & 1u;
  if (p.other_company)
    allowed &= !(valid & ((o.word & kOwnerInOurCompanies) != 0) & (owner_company(o.word) != p.ucompany));
  if (p.visibility) {
    const unsigned kind = f & kRecordVisibilityKindMask;
    const bool by_associate = kind == static_cast<unsigned>(VisibilityKind::kAssociate);
    const bool visible = (by_associate & (vid == p.ui)) | (!by_associate & (vid != kNone) & ((vid == p.primary) | vid_in));
    allowed &= own | (kind == 0) | visible;
  }
  if (p.publishing) {
    const Time from = c.publish_from(i), to = c.publish_to(i), at = c.at(p, i);
    allowed &= own | (((f & kRecordPublished) != 0) & (from <= at) & (at <= to));
  }
  const bool is_new = (f & kRecordIsNew) != 0;
  allowed &= !((is_new & p.deny_new) | (!is_new & p.deny_existing));
  allowed &= !(p.deny_completed & ((f & kRecordCompleted) != 0));
  allowed &= !(p.deny_user_person & ((f & kRecordUserPerson) != 0));
  if (p.deny_company_protected) {
    const std::uint32_t rc = c.company(i);
    allowed &= !(((f & (kRecordOurCompany | kRecordDatabaseOwner)) != 0) | (rc < p.our_count));
  }
  allowed &= !(p.deny_selection_not_own & !own);
  return allowed;
}

SORIGHTS_ALWAYS_INLINE bool filter_one(const CheckPlan& p, const RecordColumns& c, std::size_t i) noexcept {
  return check_lane(p, ColumnLanes{c}, i);
}

// Records [begin, end) with the scalar loop; begin is a multiple of 64.
inline void filter_scalar(const CheckPlan& p, const RecordColumns& c, std::size_t begin, std::size_t end,
                          std::uint64_t* out) noexcept {
  for (std::size_t w = begin; w < end; w += 64) {
    std::uint64_t word = 0;
    const std::size_t stop = end - w < 64 ? end - w : 64;
    for (std::size_t j = 0; j < stop; ++j) word |= static_cast<std::uint64_t>(filter_one(p, c, w + j)) << j;
    out[w / 64] = word;
  }
}

#if SORIGHTS_FILTER_X86

#  define SORIGHTS_TARGET_AVX512 __attribute__((target("avx512f")))
#  define SORIGHTS_TARGET_AVX2 __attribute__((target("avx2")))

// The layers after the relation for 16 records starting at i: visibility,
// publishing, overrides and record state narrow `allowed`.
SORIGHTS_TARGET_AVX512 SORIGHTS_ALWAYS_INLINE __mmask16 narrow16_avx512(const CheckPlan& p, const RecordColumns& c,
                                                                     std::size_t i, __m512i flags, __mmask16 own,
                                                                     __mmask16 allowed) noexcept {
  const __m512i zero = _mm512_setzero_si512();
  const __m512i no_user = _mm512_set1_epi32(-1);
  const __m512i vui = _mm512_set1_epi32(static_cast<int>(p.ui));
  if (p.visibility) {
    const __m512i kind = _mm512_and_si512(flags, _mm512_set1_epi32(kRecordVisibilityKindMask));
    const __mmask16 restricted = static_cast<__mmask16>(_mm512_test_epi32_mask(kind, kind) & ~own);
    if (restricted) {
      const __m512i vid = c.visibility_id.empty() ? zero : _mm512_loadu_si512(c.visibility_id.data() + i);
      const __mmask16 assoc = _mm512_cmpeq_epi32_mask(kind, _mm512_set1_epi32(static_cast<int>(VisibilityKind::kAssociate)));
      __mmask16 ing = _mm512_cmpeq_epi32_mask(vid, _mm512_set1_epi32(static_cast<int>(p.primary)));
      for (std::uint32_t k = 0; k < p.groups_count; ++k)
        ing |= _mm512_cmpeq_epi32_mask(vid, _mm512_set1_epi32(static_cast<int>(p.groups[k])));
      ing &= _mm512_cmpneq_epi32_mask(vid, no_user);
      const __mmask16 visible = static_cast<__mmask16>((assoc & _mm512_cmpeq_epi32_mask(vid, vui)) | (~assoc & ing));
      allowed &= static_cast<__mmask16>(~(restricted & ~visible));
    }
  }
  if (p.publishing) {
    __mmask16 ok = _mm512_test_epi32_mask(flags, _mm512_set1_epi32(kRecordPublished));
    const __m512i at = _mm512_set1_epi64(p.at);
    if (!c.publish_from.empty()) {
      const __mmask8 lo = _mm512_cmple_epi64_mask(_mm512_loadu_si512(c.publish_from.data() + i), at);
      const __mmask8 hi = _mm512_cmple_epi64_mask(_mm512_loadu_si512(c.publish_from.data() + i + 8), at);
      ok &= static_cast<__mmask16>(lo | (hi << 8));
    }
    if (!c.publish_to.empty()) {
      const __mmask8 lo = _mm512_cmpge_epi64_mask(_mm512_loadu_si512(c.publish_to.data() + i), at);
      const __mmask8 hi = _mm512_cmpge_epi64_mask(_mm512_loadu_si512(c.publish_to.data() + i + 8), at);
      ok &= static_cast<__mmask16>(lo | (hi << 8));
    }
    allowed &= static_cast<__mmask16>(own | ok);
  }
  if (p.deny_new || p.deny_existing) {
    const __mmask16 isnew = _mm512_test_epi32_mask(flags, _mm512_set1_epi32(kRecordIsNew));
    if (p.deny_new) allowed &= static_cast<__mmask16>(~isnew);
    if (p.deny_existing) allowed &= isnew;
  }
  if (p.deny_completed) allowed &= static_cast<__mmask16>(~_mm512_test_epi32_mask(flags, _mm512_set1_epi32(kRecordCompleted)));
  if (p.deny_user_person) allowed &= static_cast<__mmask16>(~_mm512_test_epi32_mask(flags, _mm512_set1_epi32(kRecordUserPerson)));
  if (p.deny_company_protected) {
    __mmask16 prot = _mm512_test_epi32_mask(flags, _mm512_set1_epi32(kRecordOurCompany | kRecordDatabaseOwner));
    if (!c.company.empty())
      prot |= _mm512_cmplt_epu32_mask(_mm512_loadu_si512(c.company.data() + i), _mm512_set1_epi32(static_cast<int>(p.our_count)));
    allowed &= static_cast<__mmask16>(~prot);
  }
  if (p.deny_selection_not_own) allowed &= own;
  return allowed;
}

// 16 records starting at i; returns their bits.
SORIGHTS_TARGET_AVX512 SORIGHTS_ALWAYS_INLINE std::uint32_t filter16_avx512(const CheckPlan& p, const RecordColumns& c,
                                                            std::size_t i) noexcept {
  const __m512i zero = _mm512_setzero_si512();
  const __m512i no_user = _mm512_set1_epi32(-1);  // kNoUser == kNoGroup == 0xFFFFFFFF
  const __m512i vui = _mm512_set1_epi32(static_cast<int>(p.ui));
  const char* base = reinterpret_cast<const char*>(p.owners);
  constexpr int kWord = static_cast<int>(offsetof(OwnerRec, word));
  __m512i ow = c.owner.empty() ? no_user : _mm512_loadu_si512(c.owner.data() + i);
  const __mmask16 empty_tested = p.empty_owner_tested ? _mm512_cmpeq_epi32_mask(ow, no_user) : __mmask16{0};
  if (p.empty_owner_is_user) ow = _mm512_mask_mov_epi32(ow, _mm512_cmpeq_epi32_mask(ow, no_user), vui);
  const __mmask16 own = _mm512_cmpeq_epi32_mask(ow, vui);
  const __mmask16 valid = _mm512_cmplt_epu32_mask(ow, _mm512_set1_epi32(static_cast<int>(p.n_users)));
  const __mmask16 other = static_cast<__mmask16>(valid & ~own);
  const __mmask16 tested = static_cast<__mmask16>(other | empty_tested);  // external users' company/project tests
  const __m512i flags =
      c.flags.empty() ? zero
                      : _mm512_maskz_cvtepu8_epi32(0xFFFF, _mm_loadu_si128(reinterpret_cast<const __m128i*>(c.flags.data() + i)));
  __m512i rel = _mm512_mask_mov_epi32(_mm512_set1_epi32(static_cast<int>(Relation::kOtherAssociates)), own, zero);
  __m512i tword = zero;
  __m512i ocomp = zero;
  bool have_ocomp = false;
  __m512i pgroup = no_user;  // the owners' primary groups (group_facts only)
  if (p.owner_facts && tested) {
    if (p.group_facts) {
      // Both words of each OwnerRec (primary group at offset 0) with two
      // 8-lane gathers of 64 bits, instead of a type gather followed by a
      // group gather of the same lines; then split into 16-lane vectors.
      const __m512i lo = _mm512_mask_i32gather_epi64(zero, static_cast<__mmask8>(other), _mm512_maskz_extracti64x4_epi64(0xF, ow, 0), base, 8);
      const __m512i hi = _mm512_mask_i32gather_epi64(zero, static_cast<__mmask8>(other >> 8), _mm512_maskz_extracti64x4_epi64(0xF, ow, 1), base, 8);
      pgroup = _mm512_permutex2var_epi32(lo, _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), hi);
      tword = _mm512_permutex2var_epi32(lo, _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), hi);
    } else {
      tword = _mm512_mask_i32gather_epi32(zero, other, ow, base + kWord, 8);
    }
    const __m512i otype = _mm512_and_si512(_mm512_maskz_srli_epi32(0xFFFF, tword, kOwnerTypeShift), _mm512_set1_epi32(static_cast<int>(kOwnerTypeMask)));
    const __mmask16 anon = other & _mm512_cmpeq_epi32_mask(otype, _mm512_set1_epi32(static_cast<int>(UserType::kAnonymous)));
    const __mmask16 ext = other & _mm512_cmpeq_epi32_mask(otype, _mm512_set1_epi32(static_cast<int>(UserType::kExternal)));
    __mmask16 rest = other;
    if (p.kind == CheckUserKind::kExternal) {
      __mmask16 mc = 0;
      if (p.my_company) {
        ocomp = _mm512_and_si512(tword, _mm512_set1_epi32(static_cast<int>(kOwnerCompanyMask)));
        have_ocomp = true;
        const __m512i vc = _mm512_set1_epi32(static_cast<int>(p.ucompany));
        const __m512i rc = c.company.empty() ? no_user : _mm512_loadu_si512(c.company.data() + i);
        mc = static_cast<__mmask16>((other & _mm512_cmpeq_epi32_mask(ocomp, vc)) | (tested & _mm512_cmpeq_epi32_mask(rc, vc)));
      }
      __mmask16 sp = 0;
      if (p.same_project) {
        const __m512i pj = c.project.empty() ? no_user : _mm512_loadu_si512(c.project.data() + i);
        for (std::uint32_t k = 0; k < p.projects_count; ++k)
          sp |= _mm512_cmpeq_epi32_mask(pj, _mm512_set1_epi32(static_cast<int>(p.projects[k])));
        sp &= static_cast<__mmask16>(tested & ~mc);
      }
      rel = _mm512_mask_mov_epi32(rel, mc, _mm512_set1_epi32(static_cast<int>(Relation::kMyCompany)));
      rel = _mm512_mask_mov_epi32(rel, sp, _mm512_set1_epi32(static_cast<int>(Relation::kSameProject)));
      rest = static_cast<__mmask16>(other & ~mc & ~sp);
    }
    rel = _mm512_mask_mov_epi32(rel, rest & anon, _mm512_set1_epi32(static_cast<int>(Relation::kAnonymous)));
    rel = _mm512_mask_mov_epi32(rel, rest & ext, _mm512_set1_epi32(static_cast<int>(Relation::kExternal)));
    if (p.group_facts) {
      const __mmask16 emp = static_cast<__mmask16>(other & ~anon & ~ext);
      __m512i g = c.group.empty() ? no_user : _mm512_loadu_si512(c.group.data() + i);
      const __mmask16 nog = emp & _mm512_cmpeq_epi32_mask(g, no_user);
      g = _mm512_mask_mov_epi32(g, nog, pgroup);
      const __mmask16 hasg = emp & _mm512_cmpneq_epi32_mask(g, no_user);
      const __mmask16 prim = hasg & _mm512_cmpeq_epi32_mask(g, _mm512_set1_epi32(static_cast<int>(p.primary)));
      __mmask16 oth = 0;
      for (std::uint32_t k = 0; k < p.groups_count; ++k)
        oth |= _mm512_cmpeq_epi32_mask(g, _mm512_set1_epi32(static_cast<int>(p.groups[k])));
      oth &= static_cast<__mmask16>(hasg & ~prim);
      rel = _mm512_mask_mov_epi32(rel, prim, _mm512_set1_epi32(static_cast<int>(Relation::kPrimaryGroup)));
      rel = _mm512_mask_mov_epi32(rel, oth, _mm512_set1_epi32(static_cast<int>(Relation::kOtherGroups)));
    }
  }
  __mmask16 allowed = _mm512_test_epi32_mask(_mm512_maskz_srlv_epi32(0xFFFF, _mm512_set1_epi32(static_cast<int>(p.relbits)), rel),
                                             _mm512_set1_epi32(1));
  if (p.other_company && other) {
    if (!have_ocomp) ocomp = _mm512_and_si512(tword, _mm512_set1_epi32(static_cast<int>(kOwnerCompanyMask)));
    const __mmask16 inour = other & _mm512_test_epi32_mask(tword, _mm512_set1_epi32(static_cast<int>(kOwnerInOurCompanies)));
    allowed &= static_cast<__mmask16>(~(inour & _mm512_cmpneq_epi32_mask(ocomp, _mm512_set1_epi32(static_cast<int>(p.ucompany)))));
  }
  return narrow16_avx512(p, c, i, flags, own, allowed);
}

SORIGHTS_TARGET_AVX512 inline void filter_avx512(const CheckPlan& p, const RecordColumns& c, std::size_t begin,
                                                 std::size_t end, std::uint64_t* out) noexcept {
  std::size_t w = begin;
  for (; w + 64 <= end; w += 64) {
    const std::uint64_t a = filter16_avx512(p, c, w);
    const std::uint64_t b = filter16_avx512(p, c, w + 16);
    const std::uint64_t d = filter16_avx512(p, c, w + 32);
    const std::uint64_t e = filter16_avx512(p, c, w + 48);
    out[w / 64] = a | (b << 16) | (d << 32) | (e << 48);
  }
  if (w < end) filter_scalar(p, c, w, end, out);
}

// AVX2: 8 records starting at i; lane masks are all-ones / all-zeros.
struct Avx2Ops {
  template <class Column>  // IndexColumn<...> or std::span<const std::uint32_t>
  SORIGHTS_TARGET_AVX2 static __m256i load(const Column& s, std::size_t i, __m256i dflt) noexcept {
    return s.empty() ? dflt : _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s.data() + i));
  }
  SORIGHTS_TARGET_AVX2 static __m256i eq(__m256i a, __m256i b) noexcept { return _mm256_cmpeq_epi32(a, b); }
  SORIGHTS_TARGET_AVX2 static __m256i ltu(__m256i a, __m256i b) noexcept {
    const __m256i sign = _mm256_set1_epi32(static_cast<int>(0x80000000u));
    return _mm256_cmpgt_epi32(_mm256_xor_si256(b, sign), _mm256_xor_si256(a, sign));
  }
  SORIGHTS_TARGET_AVX2 static __m256i andn(__m256i a, __m256i b) noexcept { return _mm256_andnot_si256(b, a); }  // a & ~b
  SORIGHTS_TARGET_AVX2 static bool any(__m256i m) noexcept { return !_mm256_testz_si256(m, m); }
  SORIGHTS_TARGET_AVX2 static __m256i has(__m256i flags, std::uint32_t f) noexcept {
    return _mm256_xor_si256(_mm256_cmpeq_epi32(_mm256_and_si256(flags, set(f)), _mm256_setzero_si256()),
                            _mm256_set1_epi32(-1));
  }
  SORIGHTS_TARGET_AVX2 static __m256i set(std::uint32_t v) noexcept { return _mm256_set1_epi32(static_cast<int>(v)); }
  SORIGHTS_TARGET_AVX2 static __m256i sel(__m256i a, __m256i b, __m256i m) noexcept { return _mm256_blendv_epi8(a, b, m); }
  SORIGHTS_TARGET_AVX2 static std::uint32_t bits(__m256i m) noexcept {
    return static_cast<std::uint32_t>(_mm256_movemask_ps(_mm256_castsi256_ps(m)));
  }
  // 4 × int64 compare results (a <= b) as 4 bits.
  SORIGHTS_TARGET_AVX2 static std::uint32_t le64(const Time* a, __m256i b) noexcept {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a));
    return 0xFu & ~static_cast<std::uint32_t>(_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(v, b))));
  }
  SORIGHTS_TARGET_AVX2 static std::uint32_t ge64(const Time* a, __m256i b) noexcept {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a));
    return 0xFu & ~static_cast<std::uint32_t>(_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(b, v))));
  }
};

// The layers after the relation for 8 records starting at i: visibility,
// overrides, record state and publishing narrow `allowed`; returns its bits.
SORIGHTS_TARGET_AVX2 SORIGHTS_ALWAYS_INLINE std::uint32_t narrow8_avx2(const CheckPlan& p, const RecordColumns& c,
                                                                    std::size_t i, __m256i flags, __m256i own,
                                                                    __m256i allowed) noexcept {
  using V = Avx2Ops;
  const __m256i zero = _mm256_setzero_si256();
  const __m256i ones = _mm256_set1_epi32(-1);
  const __m256i no_user = ones;
  const __m256i vui = V::set(p.ui);
  if (p.visibility) {
    const __m256i kind = _mm256_and_si256(flags, V::set(kRecordVisibilityKindMask));
    const __m256i restricted = V::andn(V::andn(ones, V::eq(kind, zero)), own);
    if (V::any(restricted)) {
      const __m256i vid = V::load(c.visibility_id, i, zero);
      const __m256i assoc = V::eq(kind, V::set(static_cast<std::uint32_t>(VisibilityKind::kAssociate)));
      __m256i ing = V::eq(vid, V::set(p.primary));
      for (std::uint32_t k = 0; k < p.groups_count; ++k) ing = _mm256_or_si256(ing, V::eq(vid, V::set(p.groups[k])));
      ing = V::andn(ing, V::eq(vid, no_user));
      const __m256i visible = V::sel(ing, V::eq(vid, vui), assoc);
      allowed = V::andn(allowed, V::andn(restricted, visible));
    }
  }
  if (p.deny_new || p.deny_existing) {
    const __m256i isnew = V::andn(ones, V::eq(_mm256_and_si256(flags, V::set(kRecordIsNew)), zero));
    if (p.deny_new) allowed = V::andn(allowed, isnew);
    if (p.deny_existing) allowed = _mm256_and_si256(allowed, isnew);
  }
  if (p.deny_completed) allowed = V::andn(allowed, V::has(flags, kRecordCompleted));
  if (p.deny_user_person) allowed = V::andn(allowed, V::has(flags, kRecordUserPerson));
  if (p.deny_company_protected) {
    __m256i prot = V::has(flags, kRecordOurCompany | kRecordDatabaseOwner);
    if (!c.company.empty()) prot = _mm256_or_si256(prot, V::ltu(V::load(c.company, i, zero), V::set(p.our_count)));
    allowed = V::andn(allowed, prot);
  }
  if (p.deny_selection_not_own) allowed = _mm256_and_si256(allowed, own);
  std::uint32_t out = V::bits(allowed);
  if (p.publishing) {
    std::uint32_t ok = V::bits(V::has(flags, kRecordPublished));
    const __m256i at = _mm256_set1_epi64x(p.at);
    if (!c.publish_from.empty())
      ok &= V::le64(c.publish_from.data() + i, at) | (V::le64(c.publish_from.data() + i + 4, at) << 4);
    if (!c.publish_to.empty())
      ok &= V::ge64(c.publish_to.data() + i, at) | (V::ge64(c.publish_to.data() + i + 4, at) << 4);
    out &= V::bits(own) | ok;
  }
  return out;
}

SORIGHTS_TARGET_AVX2 SORIGHTS_ALWAYS_INLINE std::uint32_t filter8_avx2(const CheckPlan& p, const RecordColumns& c,
                                                       std::size_t i) noexcept {
  using V = Avx2Ops;
  const __m256i zero = _mm256_setzero_si256();
  const __m256i ones = _mm256_set1_epi32(-1);
  const __m256i no_user = ones;
  const __m256i vui = V::set(p.ui);
  const int* base = reinterpret_cast<const int*>(p.owners);
  constexpr int kWord = static_cast<int>(offsetof(OwnerRec, word) / 4);
  constexpr int kGroup = static_cast<int>(offsetof(OwnerRec, primary_group) / 4);
  __m256i ow = V::load(c.owner, i, no_user);
  const __m256i empty_tested = p.empty_owner_tested ? V::eq(ow, no_user) : zero;
  if (p.empty_owner_is_user) ow = V::sel(ow, vui, V::eq(ow, no_user));
  const __m256i own = V::eq(ow, vui);
  const __m256i valid = V::ltu(ow, V::set(p.n_users));
  const __m256i other = V::andn(valid, own);
  const __m256i tested = _mm256_or_si256(other, empty_tested);  // external users' company/project tests
  const __m256i flags =
      c.flags.empty() ? zero
                      : _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(c.flags.data() + i)));
  __m256i rel = V::sel(V::set(static_cast<std::uint32_t>(Relation::kOtherAssociates)), zero, own);
  __m256i tword = zero, ocomp = zero;
  bool have_ocomp = false;
  const bool any_tested = p.owner_facts && V::any(tested);
  if (any_tested) {
    tword = _mm256_mask_i32gather_epi32(zero, base + kWord, ow, other, 8);
    const __m256i otype = _mm256_and_si256(_mm256_srli_epi32(tword, kOwnerTypeShift), V::set(kOwnerTypeMask));
    const __m256i anon = _mm256_and_si256(other, V::eq(otype, V::set(static_cast<std::uint32_t>(UserType::kAnonymous))));
    const __m256i ext = _mm256_and_si256(other, V::eq(otype, V::set(static_cast<std::uint32_t>(UserType::kExternal))));
    __m256i rest = other;
    if (p.kind == CheckUserKind::kExternal) {
      __m256i mc = zero;
      if (p.my_company) {
        ocomp = _mm256_and_si256(tword, V::set(kOwnerCompanyMask));
        have_ocomp = true;
        const __m256i vc = V::set(p.ucompany);
        const __m256i rc = V::load(c.company, i, no_user);
        mc = _mm256_or_si256(_mm256_and_si256(other, V::eq(ocomp, vc)), _mm256_and_si256(tested, V::eq(rc, vc)));
      }
      __m256i sp = zero;
      if (p.same_project) {
        const __m256i pj = V::load(c.project, i, no_user);
        for (std::uint32_t k = 0; k < p.projects_count; ++k) sp = _mm256_or_si256(sp, V::eq(pj, V::set(p.projects[k])));
        sp = V::andn(_mm256_and_si256(sp, tested), mc);
      }
      rel = V::sel(rel, V::set(static_cast<std::uint32_t>(Relation::kMyCompany)), mc);
      rel = V::sel(rel, V::set(static_cast<std::uint32_t>(Relation::kSameProject)), sp);
      rest = V::andn(V::andn(other, mc), sp);
    }
    rel = V::sel(rel, V::set(static_cast<std::uint32_t>(Relation::kAnonymous)), _mm256_and_si256(rest, anon));
    rel = V::sel(rel, V::set(static_cast<std::uint32_t>(Relation::kExternal)), _mm256_and_si256(rest, ext));
    if (p.group_facts) {
      const __m256i emp = V::andn(V::andn(other, anon), ext);
      __m256i g = V::load(c.group, i, no_user);
      const __m256i nog = _mm256_and_si256(emp, V::eq(g, no_user));
      if (V::any(nog)) g = _mm256_mask_i32gather_epi32(g, base + kGroup, ow, nog, 8);
      const __m256i hasg = V::andn(emp, V::eq(g, no_user));
      const __m256i prim = _mm256_and_si256(hasg, V::eq(g, V::set(p.primary)));
      __m256i oth = zero;
      for (std::uint32_t k = 0; k < p.groups_count; ++k) oth = _mm256_or_si256(oth, V::eq(g, V::set(p.groups[k])));
      oth = V::andn(_mm256_and_si256(oth, hasg), prim);
      rel = V::sel(rel, V::set(static_cast<std::uint32_t>(Relation::kPrimaryGroup)), prim);
      rel = V::sel(rel, V::set(static_cast<std::uint32_t>(Relation::kOtherGroups)), oth);
    }
  }
  __m256i allowed = V::eq(_mm256_and_si256(_mm256_srlv_epi32(V::set(p.relbits), rel), V::set(1)), V::set(1));
  if (p.other_company && any_tested) {
    if (!have_ocomp) ocomp = _mm256_and_si256(tword, V::set(kOwnerCompanyMask));
    const __m256i inour = V::andn(other, V::eq(_mm256_and_si256(tword, V::set(kOwnerInOurCompanies)), zero));
    allowed = V::andn(allowed, V::andn(inour, V::eq(ocomp, V::set(p.ucompany))));
  }
  return narrow8_avx2(p, c, i, flags, own, allowed);
}

SORIGHTS_TARGET_AVX2 inline void filter_avx2(const CheckPlan& p, const RecordColumns& c, std::size_t begin,
                                             std::size_t end, std::uint64_t* out) noexcept {
  std::size_t w = begin;
  for (; w + 64 <= end; w += 64) {
    std::uint64_t word = 0;
    for (int k = 0; k < 8; ++k) word |= static_cast<std::uint64_t>(filter8_avx2(p, c, w + 8 * static_cast<std::size_t>(k))) << (8 * k);
    out[w / 64] = word;
  }
  if (w < end) filter_scalar(p, c, w, end, out);
}

#endif  // SORIGHTS_FILTER_X86

}  // namespace detail

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_DETAIL_FILTER_KERNELS_HPP_
