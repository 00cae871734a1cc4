// -----------------------------------------------------------------------------
// File: detail/batch_kernels.hpp
// -----------------------------------------------------------------------------
// The AVX-512 kernel of `can_batch` (filter.hpp): 16 `Record`s a step, in
// place, any mix of data objects, each lane's per-object rules picked from a
// table of 32-bit plan words. No API promise.
#ifndef SORIGHTS_DETAIL_BATCH_KERNELS_HPP_
#define SORIGHTS_DETAIL_BATCH_KERNELS_HPP_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <tuple>

#include "sorights/config.hpp"
#include "sorights/detail/check_plan.hpp"
#include "sorights/detail/filter_kernels.hpp"
#include "sorights/record.hpp"

SORIGHTS_BEGIN_NAMESPACE

namespace detail {

// A plan's per-object part as one 32-bit word per lane (the user-level part
// is the same for every object, `BatchPlans::user()`): the kernel picks each
// lane's word from a 64-entry table by the record's object index.
enum BatchWord : std::uint32_t {
  kWordRelBits = 0xFFu,  // CheckPlan::relbits
  kWordAllowAll = 1u << 8,
  kWordEmptyIsUser = 1u << 9,
  kWordEmptyTested = 1u << 10,
  kWordOwnerFacts = 1u << 11,
  kWordVisibility = 1u << 12,
  kWordPublishing = 1u << 13,
  kWordOverrides = 1u << 14,  // record-scoped overrides: allowed lanes checked after the kernel
  kWordDenySelectionNotOwn = 1u << 15,
  // Bits 16-22: the record facts that deny, at their place in the kernel's
  // facts vector (see kHeadPublished): one test for all of them.
  kWordDenyCompleted = 1u << 17,
  kWordDenyNew = 1u << 18,
  kWordDenyUserPerson = 1u << 19,
  kWordDenyOurCompany = 1u << 20,
  kWordDenyDatabaseOwner = 1u << 21,
  kWordDenyExisting = 1u << 22,
  kWordDenyOurCompanyIndex = 1u << 23,  // a record whose company is one of ours
  kWordScalar = 1u << 30,     // an object past the table: the scalar lane decides
  kWordUnmade = 1u << 31,     // the table entry is not made yet
};
inline constexpr std::uint32_t kBatchTableSize = 64;

inline std::uint32_t batch_word(const CheckPlan& p) noexcept {
  if (p.constant >= 0) return p.constant == 1 ? kWordAllowAll : 0u;
  auto b = [](bool on, std::uint32_t bit) { return on ? bit : 0u; };
  return p.relbits | b(p.empty_owner_is_user, kWordEmptyIsUser) | b(p.empty_owner_tested, kWordEmptyTested) |
         b(p.owner_facts, kWordOwnerFacts) | b(p.visibility, kWordVisibility) | b(p.publishing, kWordPublishing) |
         b(p.deny_new, kWordDenyNew) | b(p.deny_existing, kWordDenyExisting) |
         b(p.deny_completed, kWordDenyCompleted) | b(p.deny_user_person, kWordDenyUserPerson) |
         b(p.deny_company_protected, kWordDenyOurCompany | kWordDenyDatabaseOwner | kWordDenyOurCompanyIndex) |
         b(p.deny_selection_not_own, kWordDenySelectionNotOwn) | b(p.ovr_begin != p.ovr_end, kWordOverrides);
}

// The mask form's per-object word (`rights_batch`): the removals and locks of
// `evaluate`'s steps 4-7. The owner-fact, visibility, publishing, override,
// selection, scalar and unmade bits are BatchWord's; the two locks sit where
// the record's head holds the fact they lock.
enum MaskWord : std::uint32_t {
  kMaskRemoveNew = 0xFu,               // overrides' removals (C/R/U/D) for a new record
  kMaskRemoveExisting = 0xF0u,         // ... and for an existing one
  kMaskVisibilityFiltering = 1u << 8,  // a hidden record keeps Filtering
  kMaskCompany = 1u << 16,             // company records: ours locked for Delete, the owner's RestrictedUpdate
  kMaskLockCompleted = 1u << 17,       // Update and Delete gone from a completed record
  kMaskLockUserPerson = 1u << 19,      // Delete gone from a person who is a user
};

// One object's entry of the mask form's tables: its word and its role cells
// (after the licence cap) by relation. Zero (nothing) for an unknown object.
struct MaskRow {
  std::uint32_t word = 0;
  std::array<std::uint8_t, kRelationCount> cells{};
  const RecordOverride* ovr_begin = nullptr;  // the object's record-scoped overrides, by key
  const RecordOverride* ovr_end = nullptr;
};

static_assert(kRelationCount == 8, "the mask kernel holds an object's cells in two 32-bit words");

// The entry for `object` of the user of `user`, a user plan (`constant` -1).
inline MaskRow mask_row(const Snapshot& s, const CheckPlan& user, ObjectIndex object) noexcept {
  using A = SnapshotAccess;
  MaskRow row;
  const auto obj = static_cast<std::uint32_t>(object);
  if (obj >= A::object_count(s)) return row;
  const Profile& p = A::profiles(s)[A::users(s)[user.ui].profile];
  const CheckRow& check = A::check_rows(s)[p.rows_offset + obj];
  std::copy(std::begin(check.cells), std::end(check.cells), row.cells.begin());
  const std::uint8_t traits = A::object_traits(s)[obj];
  const ObjectInfo info = A::object_info(s)[p.objects_offset + obj];
  std::tie(row.ovr_begin, row.ovr_end) = object_record_overrides(s, p, obj);
  const bool overrides = std::any_of(row.ovr_begin, row.ovr_end,
                                     [](const RecordOverride& o) { return (o.remove & TableRights::kCrudBits) != 0; });
  // As CheckPlan::owner_facts: the owner is read only where the relations a
  // record owned by another user can have differ in their cells.
  const std::uint32_t reach = other_owner_relations(user.kind);
  bool differ = false;
  for (int r = 0; r < kRelationCount; ++r)
    differ = differ || (((reach >> r) & 1u) && check.cells[r] != check.cells[static_cast<int>(Relation::kOtherAssociates)]);
  auto b = [](bool on, std::uint32_t bit) { return on ? bit : 0u; };
  const bool empty_owner = (traits & kTraitEmptyOwnerIsUser) != 0;
  row.word = static_cast<std::uint32_t>(info.remove_new & TableRights::kCrudBits) |
             static_cast<std::uint32_t>(info.remove_existing & TableRights::kCrudBits) << 4 |
             b(empty_owner && user.kind == CheckUserKind::kEmployee, kWordEmptyIsUser) |
             b(empty_owner && user.kind == CheckUserKind::kExternal, kWordEmptyTested) |
             b(differ || user.other_company, kWordOwnerFacts) | b(traits & kTraitVisibility, kWordVisibility) |
             b(traits & kTraitVisibilityFiltering, kMaskVisibilityFiltering) |
             b(info.flags & kObjNeedPublish, kWordPublishing) | b(overrides, kWordOverrides) |
             b((traits & kTraitSelection) && !(p.flags & kProfileSelectionAdmin), kWordDenySelectionNotOwn) |
             b(traits & kTraitCompany, kMaskCompany) | b(traits & kTraitCompletedLocked, kMaskLockCompleted) |
             b(traits & kTraitPerson, kMaskLockUserPerson);
  return row;
}

// The kernel reads a Record's first 32 bytes as eight 32-bit fields, and its
// publish window and evaluation time as 64-bit ones.
static_assert(offsetof(Record, object) == 0 && sizeof(ObjectIndex) == 2 && offsetof(Record, owner) == 4 &&
                  offsetof(Record, group) == 8 && offsetof(Record, visibility) == 12 &&
                  offsetof(Visibility, kind) == 0 && sizeof(VisibilityKind) == 1 && offsetof(Visibility, id) == 4 &&
                  offsetof(Record, project) == 20 && offsetof(Record, company) == 24 &&
                  offsetof(Record, publish_from) == 40 && offsetof(Record, publish_to) == 48 &&
                  offsetof(Record, at) == 56,
              "the batch kernel's Record layout");
// The facts' bits in a Record's first 32-bit field (byte 2, first declared
// lowest, as the x86-64 ABIs lay out bit-fields; the tests check it).
inline constexpr std::uint32_t kHeadPublished = 1u << 16, kHeadCompleted = 1u << 17, kHeadIsNew = 1u << 18,
                               kHeadUserPerson = 1u << 19, kHeadOurCompany = 1u << 20, kHeadDatabaseOwner = 1u << 21;
static_assert(kMaskLockCompleted == kHeadCompleted && kMaskLockUserPerson == kHeadUserPerson);
static_assert(kWordDenyCompleted == kHeadCompleted && kWordDenyNew == kHeadIsNew &&
              kWordDenyUserPerson == kHeadUserPerson && kWordDenyOurCompany == kHeadOurCompany &&
              kWordDenyDatabaseOwner == kHeadDatabaseOwner && kWordDenyExisting == kHeadIsNew << 4);

// What one step of 16 records decided.
struct Batch16 {
  std::uint32_t allowed = 0;    // lanes allowed (past the overrides still to check)
  std::uint32_t scalar = 0;     // lanes the kernel did not decide (objects past the table)
  std::uint32_t overrides = 0;  // allowed lanes whose object has record-scoped overrides
  std::uint32_t unmade = 0;     // lanes whose table entry is missing: nothing else was decided
};

#if SORIGHTS_FILTER_X86

SORIGHTS_TARGET_AVX512 SORIGHTS_ALWAYS_INLINE __m512i load2_avx512(const Record* r, int a, int b) noexcept {
  return _mm512_maskz_inserti64x4(0xFF, _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(r + a))),
                            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(r + b)), 1);
}
SORIGHTS_TARGET_AVX512 SORIGHTS_ALWAYS_INLINE __mmask16 has_avx512(__m512i word, std::uint32_t bit) noexcept {
  return _mm512_test_epi32_mask(word, _mm512_set1_epi32(static_cast<int>(bit)));
}

// The first 32 bytes of records r[0..15], transposed into one vector per
// field, in record order (16 loads, 31 shuffles).
struct RecordFields16 {
  __m512i head, owner, group, vkind, vid, project, company;  // head: object | facts << 16
};
SORIGHTS_TARGET_AVX512 SORIGHTS_ALWAYS_INLINE RecordFields16 transpose16_avx512(const Record* r) noexcept {
  // Rows: t0..t3 hold records k and k+4, t4..t7 records k+8 and k+12, so that
  // the 8x8 transposes of both halves come out in record order.
  const __m512i t0 = load2_avx512(r, 0, 4), t1 = load2_avx512(r, 1, 5), t2 = load2_avx512(r, 2, 6),
                t3 = load2_avx512(r, 3, 7), t4 = load2_avx512(r, 8, 12), t5 = load2_avx512(r, 9, 13),
                t6 = load2_avx512(r, 10, 14), t7 = load2_avx512(r, 11, 15);
  const __m512i a0 = _mm512_maskz_unpacklo_epi32(0xFFFF, t0, t1), a1 = _mm512_maskz_unpackhi_epi32(0xFFFF, t0, t1);
  const __m512i a2 = _mm512_maskz_unpacklo_epi32(0xFFFF, t2, t3), a3 = _mm512_maskz_unpackhi_epi32(0xFFFF, t2, t3);
  const __m512i a4 = _mm512_maskz_unpacklo_epi32(0xFFFF, t4, t5), a5 = _mm512_maskz_unpackhi_epi32(0xFFFF, t4, t5);
  const __m512i a6 = _mm512_maskz_unpacklo_epi32(0xFFFF, t6, t7), a7 = _mm512_maskz_unpackhi_epi32(0xFFFF, t6, t7);
  const __m512i b0 = _mm512_maskz_unpacklo_epi64(0xFF, a0, a2), b1 = _mm512_maskz_unpackhi_epi64(0xFF, a0, a2);
  const __m512i b2 = _mm512_maskz_unpacklo_epi64(0xFF, a1, a3), b3 = _mm512_maskz_unpackhi_epi64(0xFF, a1, a3);
  const __m512i b4 = _mm512_maskz_unpacklo_epi64(0xFF, a4, a6), b5 = _mm512_maskz_unpackhi_epi64(0xFF, a4, a6);
  const __m512i b6 = _mm512_maskz_unpacklo_epi64(0xFF, a5, a7), b7 = _mm512_maskz_unpackhi_epi64(0xFF, a5, a7);
  RecordFields16 f;
  f.head = _mm512_maskz_shuffle_i32x4(0xFFFF, b0, b4, 0x88);  // object | facts << 16
  f.owner = _mm512_maskz_shuffle_i32x4(0xFFFF, b1, b5, 0x88);
  f.group = _mm512_maskz_shuffle_i32x4(0xFFFF, b2, b6, 0x88);
  f.vkind = _mm512_and_si512(_mm512_maskz_shuffle_i32x4(0xFFFF, b3, b7, 0x88), _mm512_set1_epi32(0xFF));
  f.vid = _mm512_maskz_shuffle_i32x4(0xFFFF, b0, b4, 0xDD);
  f.project = _mm512_maskz_shuffle_i32x4(0xFFFF, b1, b5, 0xDD);
  f.company = _mm512_maskz_shuffle_i32x4(0xFFFF, b2, b6, 0xDD);
  return f;
}

// Of the lanes `pub` of records r[0..15], those whose publish window does
// not hold their evaluation time (kTimeMin: `now`) or that are not published:
// the windows and times gathered for those lanes only.
SORIGHTS_TARGET_AVX512 SORIGHTS_ALWAYS_INLINE __mmask16 unpublished16_avx512(const Record* r, __mmask16 pub, __m512i head,
                                                                            Time now) noexcept {
  const __m512i zero = _mm512_setzero_si512();
  const char* base = reinterpret_cast<const char*>(r);
  const __m256i idx_lo = _mm256_setr_epi32(0, 64, 128, 192, 256, 320, 384, 448);
  const __m256i idx_hi = _mm256_add_epi32(idx_lo, _mm256_set1_epi32(512));
  const __mmask8 plo = static_cast<__mmask8>(pub), phi = static_cast<__mmask8>(pub >> 8);
  const __m512i vnow = _mm512_set1_epi64(now), tmin = _mm512_set1_epi64(kTimeMin);
  __m512i at_lo = _mm512_mask_i32gather_epi64(zero, plo, idx_lo, base + offsetof(Record, at), 1);
  __m512i at_hi = _mm512_mask_i32gather_epi64(zero, phi, idx_hi, base + offsetof(Record, at), 1);
  at_lo = _mm512_mask_mov_epi64(at_lo, _mm512_cmpeq_epi64_mask(at_lo, tmin), vnow);
  at_hi = _mm512_mask_mov_epi64(at_hi, _mm512_cmpeq_epi64_mask(at_hi, tmin), vnow);
  const __m512i from_lo = _mm512_mask_i32gather_epi64(zero, plo, idx_lo, base + offsetof(Record, publish_from), 1);
  const __m512i from_hi = _mm512_mask_i32gather_epi64(zero, phi, idx_hi, base + offsetof(Record, publish_from), 1);
  const __m512i to_lo = _mm512_mask_i32gather_epi64(zero, plo, idx_lo, base + offsetof(Record, publish_to), 1);
  const __m512i to_hi = _mm512_mask_i32gather_epi64(zero, phi, idx_hi, base + offsetof(Record, publish_to), 1);
  const __mmask8 ok_lo = _mm512_cmple_epi64_mask(from_lo, at_lo) & _mm512_cmpge_epi64_mask(to_lo, at_lo);
  const __mmask8 ok_hi = _mm512_cmple_epi64_mask(from_hi, at_hi) & _mm512_cmpge_epi64_mask(to_hi, at_hi);
  const __mmask16 ok = static_cast<__mmask16>(has_avx512(head, kHeadPublished) & (ok_lo | (ok_hi << 8)));
  return static_cast<__mmask16>(pub & ~ok);
}

// Each lane's entry of a 64-entry `table` by its object index (a lane of an
// object past 63 reads some entry: the caller masks it).
SORIGHTS_TARGET_AVX512 SORIGHTS_ALWAYS_INLINE __m512i table16_avx512(const std::uint32_t* table, __m512i obj) noexcept {
  const __m512i lo = _mm512_permutex2var_epi32(_mm512_load_si512(table), obj, _mm512_load_si512(table + 16));
  const __m512i hi = _mm512_permutex2var_epi32(_mm512_load_si512(table + 32), obj, _mm512_load_si512(table + 48));
  return _mm512_mask_mov_epi32(lo, has_avx512(obj, 32), hi);
}
// Each lane's per-object word; objects past the table read kWordScalar.
SORIGHTS_TARGET_AVX512 SORIGHTS_ALWAYS_INLINE __m512i lane_words16_avx512(const std::uint32_t* table, __m512i obj) noexcept {
  return _mm512_mask_mov_epi32(table16_avx512(table, obj),
                               _mm512_cmpge_epu32_mask(obj, _mm512_set1_epi32(static_cast<int>(kBatchTableSize))),
                               _mm512_set1_epi32(static_cast<int>(kWordScalar)));
}

// The relation of each lane's record to the user of plan `p` (its
// user-level fields), as `find_relation` decides it, for lanes whose word
// has kWordOwnerFacts (the others read "own" or "other associates").
struct Relation16 {
  __m512i rel;    // Relation per lane
  __m512i tword;  // the owner's type-and-company word, for lanes `other`
  __mmask16 own;    // the record is the user's (after the empty-owner rule)
  __mmask16 other;  // owned by another user of the snapshot, owner facts read
};
SORIGHTS_TARGET_AVX512 SORIGHTS_ALWAYS_INLINE Relation16 relation16_avx512(const CheckPlan& p, __m512i word,
                                                                          const RecordFields16& f) noexcept {
  const __m512i zero = _mm512_setzero_si512();
  const __m512i no_user = _mm512_set1_epi32(-1);
  const __m512i vui = _mm512_set1_epi32(static_cast<int>(p.ui));
  __m512i ow = f.owner;
  const __mmask16 noow = _mm512_cmpeq_epi32_mask(ow, no_user);
  const __mmask16 facts = has_avx512(word, kWordOwnerFacts);
  const __mmask16 empty_tested = noow & has_avx512(word, kWordEmptyTested);
  ow = _mm512_mask_mov_epi32(ow, noow & has_avx512(word, kWordEmptyIsUser), vui);
  Relation16 out;
  out.own = _mm512_cmpeq_epi32_mask(ow, vui);
  const __mmask16 valid = _mm512_cmplt_epu32_mask(ow, _mm512_set1_epi32(static_cast<int>(p.n_users)));
  // Lanes whose relation among other users' records matters (see CheckPlan::owner_facts).
  const __mmask16 other = static_cast<__mmask16>(valid & ~out.own & facts);
  out.other = other;
  const __mmask16 tested = static_cast<__mmask16>((other | empty_tested) & facts);
  __m512i rel = _mm512_mask_mov_epi32(_mm512_set1_epi32(static_cast<int>(Relation::kOtherAssociates)), out.own, zero);
  __m512i tword = zero;
  if (tested) {
    __m512i pgroup = no_user;
    if (other) {
      const char* base = reinterpret_cast<const char*>(p.owners);
      const __m512i glo = _mm512_mask_i32gather_epi64(zero, static_cast<__mmask8>(other), _mm512_maskz_extracti64x4_epi64(0xF, ow, 0), base, 8);
      const __m512i ghi = _mm512_mask_i32gather_epi64(zero, static_cast<__mmask8>(other >> 8), _mm512_maskz_extracti64x4_epi64(0xF, ow, 1), base, 8);
      pgroup = _mm512_permutex2var_epi32(glo, _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), ghi);
      tword = _mm512_permutex2var_epi32(glo, _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), ghi);
    }
    const __m512i otype = _mm512_and_si512(_mm512_maskz_srli_epi32(0xFFFF, tword, kOwnerTypeShift), _mm512_set1_epi32(static_cast<int>(kOwnerTypeMask)));
    const __mmask16 anon = other & _mm512_cmpeq_epi32_mask(otype, _mm512_set1_epi32(static_cast<int>(UserType::kAnonymous)));
    const __mmask16 ext = other & _mm512_cmpeq_epi32_mask(otype, _mm512_set1_epi32(static_cast<int>(UserType::kExternal)));
    __mmask16 rest = other;
    if (p.kind == CheckUserKind::kExternal) {
      __mmask16 mc = 0;
      if (p.my_company) {
        const __m512i ocomp = _mm512_and_si512(tword, _mm512_set1_epi32(static_cast<int>(kOwnerCompanyMask)));
        const __m512i vc = _mm512_set1_epi32(static_cast<int>(p.ucompany));
        mc = static_cast<__mmask16>((other & _mm512_cmpeq_epi32_mask(ocomp, vc)) | (tested & _mm512_cmpeq_epi32_mask(f.company, vc)));
      }
      __mmask16 sp = 0;
      if (p.same_project) {
        for (std::uint32_t k = 0; k < p.projects_count; ++k)
          sp |= _mm512_cmpeq_epi32_mask(f.project, _mm512_set1_epi32(static_cast<int>(p.projects[k])));
        sp &= static_cast<__mmask16>(tested & ~mc);
      }
      rel = _mm512_mask_mov_epi32(rel, mc, _mm512_set1_epi32(static_cast<int>(Relation::kMyCompany)));
      rel = _mm512_mask_mov_epi32(rel, sp, _mm512_set1_epi32(static_cast<int>(Relation::kSameProject)));
      rest = static_cast<__mmask16>(other & ~mc & ~sp);
    }
    rel = _mm512_mask_mov_epi32(rel, rest & anon, _mm512_set1_epi32(static_cast<int>(Relation::kAnonymous)));
    rel = _mm512_mask_mov_epi32(rel, rest & ext, _mm512_set1_epi32(static_cast<int>(Relation::kExternal)));
    if (p.kind == CheckUserKind::kEmployee) {
      const __mmask16 emp = static_cast<__mmask16>(other & ~anon & ~ext);
      const __m512i g = _mm512_mask_mov_epi32(f.group, emp & _mm512_cmpeq_epi32_mask(f.group, no_user), pgroup);
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
  out.rel = rel;
  out.tword = tword;
  return out;
}

// Of the lanes `other`, those an other-companies rule hides (`p.other_company`).
SORIGHTS_TARGET_AVX512 SORIGHTS_ALWAYS_INLINE __mmask16 other_company16_avx512(const CheckPlan& p,
                                                                              const Relation16& r) noexcept {
  const __m512i ocomp = _mm512_and_si512(r.tword, _mm512_set1_epi32(static_cast<int>(kOwnerCompanyMask)));
  const __mmask16 inour = r.other & _mm512_test_epi32_mask(r.tword, _mm512_set1_epi32(static_cast<int>(kOwnerInOurCompanies)));
  return static_cast<__mmask16>(inour & _mm512_cmpneq_epi32_mask(ocomp, _mm512_set1_epi32(static_cast<int>(p.ucompany))));
}

// Of the lanes `restricted` (a visibility that is not "all", on an object
// with the rule, not the user's own), those the user may not see: a kind out
// of range reads as a group.
SORIGHTS_TARGET_AVX512 SORIGHTS_ALWAYS_INLINE __mmask16 hidden16_avx512(const CheckPlan& p, __mmask16 restricted,
                                                                       const RecordFields16& f) noexcept {
  const __m512i no_user = _mm512_set1_epi32(-1);
  const __mmask16 assoc = _mm512_cmpeq_epi32_mask(f.vkind, _mm512_set1_epi32(static_cast<int>(VisibilityKind::kAssociate)));
  __mmask16 ing = _mm512_cmpeq_epi32_mask(f.vid, _mm512_set1_epi32(static_cast<int>(p.primary)));
  for (std::uint32_t k = 0; k < p.groups_count; ++k)
    ing |= _mm512_cmpeq_epi32_mask(f.vid, _mm512_set1_epi32(static_cast<int>(p.groups[k])));
  ing &= _mm512_cmpneq_epi32_mask(f.vid, no_user);
  const __mmask16 visible =
      static_cast<__mmask16>((assoc & _mm512_cmpeq_epi32_mask(f.vid, _mm512_set1_epi32(static_cast<int>(p.ui)))) | (~assoc & ing));
  return static_cast<__mmask16>(restricted & ~visible);
}

// Records r[0..15] (lanes past `live` are ignored), each of any object, for
// the user of plan `p` (its user-level fields) with per-object words `table`;
// `now` stands for an evaluation time of kTimeMin. The record's fields are
// transposed from the Record array in registers (the first 32 bytes of each);
// the publish windows are gathered only for lanes that need them.
SORIGHTS_TARGET_AVX512 SORIGHTS_ALWAYS_INLINE Batch16 can16_avx512(const CheckPlan& p, const std::uint32_t* table,
                                                                  const Record* r, __mmask16 live, Time now) noexcept {
  const RecordFields16 f = transpose16_avx512(r);
  const __m512i obj = _mm512_and_si512(f.head, _mm512_set1_epi32(0xFFFF));
  const __m512i word = lane_words16_avx512(table, obj);
  Batch16 out;
  out.unmade = live & has_avx512(word, kWordUnmade);
  if (SORIGHTS_UNLIKELY(out.unmade)) return out;
  out.scalar = live & has_avx512(word, kWordScalar);

  const Relation16 rl = relation16_avx512(p, word, f);
  const __mmask16 own = rl.own;
  // Bit `rel` of each lane's word is its relbits' bit.
  __mmask16 allowed = _mm512_test_epi32_mask(_mm512_maskz_srlv_epi32(0xFFFF, word, rl.rel), _mm512_set1_epi32(1));
  if (p.other_company && rl.other) allowed &= static_cast<__mmask16>(~other_company16_avx512(p, rl));
  // Visibility, of the lanes still allowed.
  const __mmask16 restricted = allowed & has_avx512(word, kWordVisibility) & _mm512_test_epi32_mask(f.vkind, f.vkind) & ~own;
  if (restricted) allowed &= static_cast<__mmask16>(~hidden16_avx512(p, restricted, f));
  // Record state: the facts (and "not new" at bit 22) against the word's denying facts.
  const __m512i is_new = _mm512_and_si512(f.head, _mm512_set1_epi32(static_cast<int>(kHeadIsNew)));
  const __m512i state = _mm512_or_si512(_mm512_and_si512(f.head, _mm512_set1_epi32(0x3F0000)),
                                        _mm512_maskz_slli_epi32(0xFFFF, _mm512_xor_si512(is_new, _mm512_set1_epi32(static_cast<int>(kHeadIsNew))), 4));
  __mmask16 deny = static_cast<__mmask16>(_mm512_test_epi32_mask(state, word) | (has_avx512(word, kWordDenySelectionNotOwn) & ~own));
  const __mmask16 protect = allowed & has_avx512(word, kWordDenyOurCompanyIndex);
  if (protect)
    deny |= static_cast<__mmask16>(protect & _mm512_cmplt_epu32_mask(f.company, _mm512_set1_epi32(static_cast<int>(p.our_count))));
  allowed &= static_cast<__mmask16>(~deny & live);
  // Publishing: the windows and times of the lanes it can still deny, gathered.
  const __mmask16 pub = allowed & has_avx512(word, kWordPublishing) & ~own;
  if (pub) allowed &= static_cast<__mmask16>(~unpublished16_avx512(r, pub, f.head, now));
  out.overrides = allowed & has_avx512(word, kWordOverrides);
  out.allowed = (allowed | (live & has_avx512(word, kWordAllowAll))) & ~out.scalar;
  return out;
}

// What one step of 16 records of the mask form decided.
struct Mask16 {
  __m512i rights;          // each lane's TableRights bits (lanes not live, scalar or unmade: 0)
  std::uint32_t scalar = 0;     // lanes the kernel did not decide (objects past the table)
  std::uint32_t overrides = 0;  // lanes with rights whose object has record-scoped overrides
  std::uint32_t unmade = 0;     // lanes whose table entry is missing: nothing else was decided
};

// The mask form of can16_avx512 (`rights_batch`): each lane's role cell for
// its relation, narrowed as `evaluate` narrows it, by the per-object words
// `table` (MaskWord bits; the owner-fact bits as BatchWord's). `cells` holds
// an object's cells as two 64-entry tables of four bytes (relations 0-3,
// then 4-7), picked by object while the relation is still being found.
SORIGHTS_TARGET_AVX512 SORIGHTS_ALWAYS_INLINE Mask16 rights16_avx512(const CheckPlan& p, const std::uint32_t* table,
                                                                    const std::uint32_t* cells, std::uint32_t database_owner,
                                                                    const Record* r, __mmask16 live, Time now) noexcept {
  const RecordFields16 f = transpose16_avx512(r);
  const __m512i zero = _mm512_setzero_si512();
  const __m512i obj = _mm512_and_si512(f.head, _mm512_set1_epi32(0xFFFF));
  const __m512i word = lane_words16_avx512(table, obj);
  Mask16 out;
  out.rights = zero;
  out.unmade = live & has_avx512(word, kWordUnmade);
  if (SORIGHTS_UNLIKELY(out.unmade)) return out;
  out.scalar = live & has_avx512(word, kWordScalar);
  const __mmask16 decide = static_cast<__mmask16>(live & ~out.scalar);

  const __m512i cells_lo = table16_avx512(cells, obj), cells_hi = table16_avx512(cells + kBatchTableSize, obj);
  const Relation16 rl = relation16_avx512(p, word, f);
  const __mmask16 own = rl.own;
  const __m512i four = _mm512_set1_epi32(4);
  const __m512i four_cells = _mm512_mask_mov_epi32(cells_lo, _mm512_cmpge_epu32_mask(rl.rel, four), cells_hi);
  const __m512i shift = _mm512_maskz_slli_epi32(0xFFFF, _mm512_and_si512(rl.rel, _mm512_set1_epi32(3)), 3);
  __m512i m = _mm512_maskz_and_epi32(decide, _mm512_maskz_srlv_epi32(0xFFFF, four_cells, shift), _mm512_set1_epi32(0xFF));
  if (p.other_company && rl.other) m = _mm512_maskz_mov_epi32(static_cast<__mmask16>(~other_company16_avx512(p, rl)), m);
  // Visibility: a hidden record keeps Filtering where the object says so.
  const __mmask16 restricted = has_avx512(word, kWordVisibility) & _mm512_test_epi32_mask(f.vkind, f.vkind) & ~own &
                               _mm512_test_epi32_mask(m, m);
  {  // without a branch: most steps of a mixed stream have such a lane, at random
    const __mmask16 hidden = hidden16_avx512(p, restricted, f);
    m = _mm512_mask_mov_epi32(m, hidden, zero);
    m = _mm512_mask_mov_epi32(m, hidden & has_avx512(word, kMaskVisibilityFiltering),
                              _mm512_set1_epi32(static_cast<int>(TableRight::kFiltering)));
  }
  // Overrides by state: the word's removals for new records (bits 0-3) or existing ones (4-7).
  const __mmask16 is_new = has_avx512(f.head, kHeadIsNew);
  const __m512i remove = _mm512_mask_mov_epi32(_mm512_maskz_srli_epi32(0xFFFF, word, 4), is_new, word);
  m = _mm512_maskz_andnot_epi32(0xFFFF, _mm512_and_si512(remove, _mm512_set1_epi32(TableRights::kCrudBits)), m);
  // Record state.
  constexpr int kUD = static_cast<int>(TableRight::kUpdate) | static_cast<int>(TableRight::kDelete);
  constexpr int kD = static_cast<int>(TableRight::kDelete);
  const __m512i locked = _mm512_and_si512(f.head, word);  // the facts whose lock the object has
  const __mmask16 ud = static_cast<__mmask16>(has_avx512(locked, kHeadCompleted) | (has_avx512(word, kWordDenySelectionNotOwn) & ~own));
  __mmask16 d = has_avx512(locked, kHeadUserPerson);
  const __mmask16 company = has_avx512(word, kMaskCompany);
  // Without a branch on the lanes, as visibility (the test of `database_owner`
  // is the same for every step).
  const __mmask16 is_owner = database_owner != static_cast<std::uint32_t>(kNoCompany)
                                 ? _mm512_cmpeq_epi32_mask(f.company, _mm512_set1_epi32(static_cast<int>(database_owner)))
                                 : __mmask16{0};
  const __mmask16 owner_co = static_cast<__mmask16>(company & (has_avx512(f.head, kHeadDatabaseOwner) | is_owner));
  d |= static_cast<__mmask16>(company & (owner_co | has_avx512(f.head, kHeadOurCompany) |
                                         _mm512_cmplt_epu32_mask(f.company, _mm512_set1_epi32(static_cast<int>(p.our_count)))));
  m = _mm512_mask_andnot_epi32(m, ud, _mm512_set1_epi32(kUD), m);
  m = _mm512_mask_andnot_epi32(m, d, _mm512_set1_epi32(kD), m);
  m = _mm512_mask_or_epi32(m, owner_co & has_avx512(m, static_cast<std::uint32_t>(TableRight::kUpdate)), m,
                           _mm512_set1_epi32(static_cast<int>(TableRight::kRestrictedUpdate)));
  // Publishing: the windows and times of the lanes it can still empty, gathered.
  const __mmask16 pub = static_cast<__mmask16>(decide & has_avx512(word, kWordPublishing) & ~own & _mm512_test_epi32_mask(m, m));
  if (pub) m = _mm512_mask_mov_epi32(m, unpublished16_avx512(r, pub, f.head, now), zero);
  out.overrides = decide & has_avx512(word, kWordOverrides) & _mm512_test_epi32_mask(m, m);
  out.rights = m;
  return out;
}

#endif  // SORIGHTS_FILTER_X86

}  // namespace detail

SORIGHTS_END_NAMESPACE

#endif  // SORIGHTS_DETAIL_BATCH_KERNELS_HPP_
