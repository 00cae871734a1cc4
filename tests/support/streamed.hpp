// streamed(value): the text operator<< writes for `value`, for the tests that
// compare it with to_string() or fmt::format.
#ifndef SORIGHTS_TESTS_SUPPORT_STREAMED_HPP_
#define SORIGHTS_TESTS_SUPPORT_STREAMED_HPP_

#include <sstream>
#include <string>

template <class T>
std::string streamed(const T& value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

#endif  // SORIGHTS_TESTS_SUPPORT_STREAMED_HPP_
