// -----------------------------------------------------------------------------
// File: config.hpp
// -----------------------------------------------------------------------------
// Build-mode switches, the version, and the namespace macros every sorights
// header uses.
//
// sorights is header-first: by default every function is defined in the
// headers (`SORIGHTS_HEADER_ONLY`). Linking `sorights::sorights` defines
// `SORIGHTS_COMPILED_LIB`, which moves the cold code (model validation,
// compilation, explanations) into the library; the hot checks stay inline in
// both modes. Do not mix the two modes in one binary.
#ifndef SORIGHTS_CONFIG_HPP_
#define SORIGHTS_CONFIG_HPP_

#define SORIGHTS_VERSION_MAJOR 0
#define SORIGHTS_VERSION_MINOR 1
#define SORIGHTS_VERSION_PATCH 0
/// The version as one integer: major * 10000 + minor * 100 + patch.
#define SORIGHTS_VERSION 100

#if defined(SORIGHTS_COMPILED_LIB)
#  undef SORIGHTS_HEADER_ONLY
#  define SORIGHTS_INLINE
#  if defined(SORIGHTS_SHARED) || defined(SORIGHTS_EXPORTS)
#    define SORIGHTS_API __attribute__((visibility("default")))
#  else
#    define SORIGHTS_API
#  endif
#else
#  ifndef SORIGHTS_HEADER_ONLY
#    define SORIGHTS_HEADER_ONLY
#  endif
#  define SORIGHTS_INLINE inline
#  define SORIGHTS_API
#endif

/// Opens `namespace sorights` and its inline ABI namespace. The inline
/// namespace changes whenever the SOVERSION does.
#define SORIGHTS_BEGIN_NAMESPACE \
  namespace sorights {           \
  inline namespace v0_1 {
#define SORIGHTS_END_NAMESPACE \
  }                            \
  }

#if defined(__GNUC__) || defined(__clang__)
#  define SORIGHTS_LIKELY(x) __builtin_expect(!!(x), 1)
#  define SORIGHTS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#  define SORIGHTS_ALWAYS_INLINE inline __attribute__((always_inline))
#  define SORIGHTS_NOINLINE __attribute__((noinline))
#else
#  define SORIGHTS_LIKELY(x) (x)
#  define SORIGHTS_UNLIKELY(x) (x)
#  define SORIGHTS_ALWAYS_INLINE inline
#  define SORIGHTS_NOINLINE
#endif

#endif  // SORIGHTS_CONFIG_HPP_
