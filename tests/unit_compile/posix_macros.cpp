// A host that links the compiled library (SORIGHTS_COMPILED_LIB) and includes
// every public header gets none of <sys/mman.h>'s macros: a host enum or
// constant named PROT_READ, MAP_SHARED or MADV_NORMAL still compiles.
#include <sorights/sorights.hpp>
#include <sorights/config.hpp>
#include <sorights/directory.hpp>
#include <sorights/error.hpp>
#include <sorights/explain.hpp>
#include <sorights/filter.hpp>
#include <sorights/fmt.hpp>
#include <sorights/follower.hpp>
#include <sorights/functional_right.hpp>
#include <sorights/ids.hpp>
#include <sorights/index_column.hpp>
#include <sorights/model.hpp>
#include <sorights/model_describe.hpp>
#include <sorights/model_file.hpp>
#include <sorights/name_map.hpp>
#include <sorights/names.hpp>
#include <sorights/ostream.hpp>
#include <sorights/policy_tests.hpp>
#include <sorights/postgres_store.hpp>
#include <sorights/predicate.hpp>
#include <sorights/queries.hpp>
#include <sorights/record.hpp>
#include <sorights/record_columns.hpp>
#include <sorights/report.hpp>
#include <sorights/rights.hpp>
#include <sorights/snapshot.hpp>
#include <sorights/snapshot_file.hpp>
#include <sorights/sorights.hpp>
#include <sorights/sqlite_store.hpp>
#include <sorights/storage.hpp>
#include <sorights/types.hpp>

#if defined(PROT_READ) || defined(MAP_SHARED) || defined(MADV_NORMAL) || defined(MADV_HUGEPAGE)
#  error "a public sorights header brought in <sys/mman.h>"
#endif

enum class HostProtection { PROT_READ, PROT_WRITE };  // the names a host may use
int main() { return static_cast<int>(HostProtection::PROT_WRITE) - 1; }
