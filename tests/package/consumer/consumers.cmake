# The consumers the packaging tests build. The C++ and C ones are the Conan
# recipe's test_package sources (one copy, shipped with the recipe);
# consumer_storage.cpp is here.
set(SORIGHTS_CONSUMER_DIR ${CMAKE_CURRENT_LIST_DIR})
set(SORIGHTS_CONSUMER_CXX ${CMAKE_CURRENT_LIST_DIR}/../../../bindings/conan/test_package/test_package.cpp)
set(SORIGHTS_CONSUMER_C ${CMAKE_CURRENT_LIST_DIR}/../../../bindings/conan/test_package/test_package_c.c)

# The C++ consumer against sorights::sorights (test `compiled`) and
# sorights::header_only (test `header_only`); with `with_c`, the C one against
# sorights::c (test `c`). Call after enable_testing().
function(sorights_add_consumers with_c)
  add_executable(consumer_compiled ${SORIGHTS_CONSUMER_CXX})
  target_link_libraries(consumer_compiled PRIVATE sorights::sorights)
  add_test(NAME compiled COMMAND consumer_compiled)
  add_executable(consumer_header_only ${SORIGHTS_CONSUMER_CXX})
  target_link_libraries(consumer_header_only PRIVATE sorights::header_only)
  add_test(NAME header_only COMMAND consumer_header_only)
  if(with_c)
    add_executable(consumer_c ${SORIGHTS_CONSUMER_C})
    target_link_libraries(consumer_c PRIVATE sorights::c)
    set_target_properties(consumer_c PROPERTIES C_STANDARD 11)
    add_test(NAME c COMMAND consumer_c)
  endif()
endfunction()
