// A host that links the compiled library (SORIGHTS_COMPILED_LIB) and includes
// every public header gets none of <sys/mman.h>'s macros: a host enum or
// constant named PROT_READ, MAP_SHARED or MADV_NORMAL still compiles.
#include "every_public_header.hpp"  // made by CMakeLists.txt from include/sorights

#if defined(PROT_READ) || defined(MAP_SHARED) || defined(MADV_NORMAL) || defined(MADV_HUGEPAGE)
#  error "a public sorights header brought in <sys/mman.h>"
#endif

enum class HostProtection { PROT_READ, PROT_WRITE };  // the names a host may use
int main() { return static_cast<int>(HostProtection::PROT_WRITE) - 1; }
