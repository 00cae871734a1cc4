// sorights.h must compile as C++ too: a C++ host may use the C ABI.
#include "sorights/sorights.h"

int sorights_c_header_cxx_probe() {
  sorights_record r;
  sorights_record_init(&r);
  return r.owner == SORIGHTS_NO_USER ? 0 : 1;
}
