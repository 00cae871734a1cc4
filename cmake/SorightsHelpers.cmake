# Warning flags every sorights target is built with (clean under g++ 12 and clang 14).
function(sorights_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion)
  if(SORIGHTS_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
