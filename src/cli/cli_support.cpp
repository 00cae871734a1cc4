// Argument parsing and dates for the `sorights` command line.
#include "cli_support.hpp"

#include "sorights/ids.hpp"

#include <cctype>
#include <cstdio>
#include <charconv>

namespace sorights::cli {

Args parse_args(const std::vector<std::string>& argv, const std::set<std::string, std::less<>>& with_value,
                const std::set<std::string, std::less<>>& flags) {
  Args out;
  bool only_positional = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (only_positional || a.size() < 2 || a[0] != '-') {
      out.positional.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positional = true;
      continue;
    }
    if (a == "-h" || a == "--help") {
      out.help = true;
      continue;
    }
    std::string name = a;
    std::optional<std::string> value;
    if (auto eq = a.find('='); eq != std::string::npos && a.starts_with("--")) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
    }
    if (with_value.contains(name)) {
      if (!value) {
        if (i + 1 >= argv.size()) throw CliError("option " + name + " needs a value");
        value = argv[++i];
      }
      if (out.options.contains(name)) throw CliError("option " + name + " given twice");
      out.options[name] = *value;
    } else if (flags.contains(name)) {
      if (value) throw CliError("option " + name + " takes no value");
      out.options[name] = "";
    } else {
      throw CliError("unknown option " + name + " (see --help)");
    }
  }
  return out;
}

namespace {

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? static_cast<unsigned>(-3) : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool read_int(std::string_view s, std::size_t at, std::size_t len, int& out) {
  if (at + len > s.size()) return false;
  for (std::size_t i = at; i < at + len; ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  std::from_chars(s.data() + at, s.data() + at + len, out);
  return true;
}

}  // namespace

Time parse_time(std::string_view s, std::string_view option, bool end_of_day) {
  auto bad = [&]() {
    return CliError(std::string(option) + ": invalid date " + quote_id(s) +
                    " (use an ISO date such as 2026-03-01 or a date-time such as 2026-03-01T12:30:00Z)");
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!read_int(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !read_int(s, 5, 2, mo) || s[7] != '-' ||
      !read_int(s, 8, 2, d))
    throw bad();
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || (mo == 2 && d == 29 && !leap)) throw bad();
  const std::int64_t day = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  if (s.size() == 10) return day * 86400 + (end_of_day ? 86399 : 0);
  if (s[10] != 'T' && s[10] != ' ') throw bad();
  std::size_t at = 11;
  if (!read_int(s, at, 2, h) || at + 2 >= s.size() + 1 || s.size() < 16 || s[13] != ':' || !read_int(s, 14, 2, mi))
    throw bad();
  at = 16;
  if (at < s.size() && s[at] == ':') {
    if (!read_int(s, 17, 2, sec)) throw bad();
    at = 19;
    if (at < s.size() && s[at] == '.') {  // fractional seconds: ignored
      ++at;
      while (at < s.size() && std::isdigit(static_cast<unsigned char>(s[at]))) ++at;
    }
  }
  if (h > 23 || mi > 59 || sec > 60) throw bad();
  std::int64_t offset = 0;
  if (at < s.size()) {
    if (s[at] == 'Z' && at + 1 == s.size()) {
      // UTC
    } else if ((s[at] == '+' || s[at] == '-') && s.size() == at + 6 && s[at + 3] == ':') {
      int oh = 0, om = 0;
      if (!read_int(s, at + 1, 2, oh) || !read_int(s, at + 4, 2, om) || oh > 23 || om > 59) throw bad();
      offset = (oh * 3600 + om * 60) * (s[at] == '+' ? 1 : -1);
    } else {
      throw bad();
    }
  }
  return day * 86400 + h * 3600 + mi * 60 + sec - offset;
}

std::string format_time(Time t) {
  std::int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  std::int64_t rem = t - days * 86400;
  // civil_from_days
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(y + (m <= 2)), m, d,
                static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                static_cast<long long>(rem % 60));
  return buf;
}

std::string inactive_reason(const User& u) {
  if (u.retired) return "retired";
  if (u.former_employee) return "a former employee";
  if (u.type == UserType::kResource) return "a resource";
  if (!u.can_log_in) return "not allowed to log in";
  return {};
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string_view part = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace sorights::cli
