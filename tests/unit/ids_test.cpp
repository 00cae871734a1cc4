// Ids and names (include/sorights/ids.hpp, decision record 0006 §4): what
// they may hold, how stored text is printed, and compile() naming the item.
#include <string>

#include "sorights/ids.hpp"
#include "sorights/snapshot.hpp"
#include "support/catch.hpp"
#include "unit/fixture.hpp"

using namespace sorights;

TEST_CASE("ids: plain ids, non-ASCII letters and inner spaces are valid", "[ids]") {
  for (const char* id : {"alice", "a", "level-0", "Bjørn Ødegård", "用户", "a b", "x(1)", "café-😀"})
    CHECK(is_valid_id(id));
  CHECK(is_valid_id(std::string(200, 'a')));
}

TEST_CASE("ids: empty, too long, control characters, white space at the ends and a leading ( are refused",
          "[ids]") {
  CHECK(id_problem("") == "is empty");
  CHECK(id_problem(std::string(201, 'a')) == "is longer than 200 bytes");
  for (std::string id : {std::string("a\nb"), std::string("tab\t"), std::string("esc\x1b[31m"),
                         std::string("nul\0x", 5), std::string("del\x7f"), std::string("c1\xc2\x85x")})
    CHECK(id_problem(id) == "holds a control character");
  for (const char* id : {" a", "a ", "\xc2\xa0" "a", "a\xe3\x80\x80", "\xe2\x80\xa8x"})
    CHECK(id_problem(id) == "starts or ends with white space");
  CHECK(id_problem("   ") == "starts or ends with white space");
  CHECK(id_problem("(system)").starts_with("starts with \"(\""));
}

TEST_CASE("ids: invalid UTF-8 is refused: stray bytes, overlongs, surrogates, truncated sequences", "[ids]") {
  for (std::string id : {std::string("\xff"), std::string("a\x80"), std::string("\xc0\xaf"),
                         std::string("\xed\xa0\x80"), std::string("\xe2\x82"), std::string("\xf4\x90\x80\x80")})
    CHECK(id_problem(id) == "is not valid UTF-8");
}

TEST_CASE("ids: names may be empty and hold spaces, never control characters or over 500 bytes", "[ids]") {
  CHECK(is_valid_name(""));
  CHECK(is_valid_name(" Alice  Andersen "));
  CHECK(name_problem("two\nlines") == "holds a control character");
  CHECK(name_problem(std::string(501, 'n')) == "is longer than 500 bytes");
  CHECK(name_problem("\xfe") == "is not valid UTF-8");
}

TEST_CASE("ids: escape_text prints any stored text on one line and leaves clean text alone", "[ids]") {
  CHECK(escape_text("Bjørn") == "Bjørn");
  CHECK(escape_text("a\nb\tc\rd") == "a\\nb\\tc\\rd");
  CHECK(escape_text("\x1b[31m") == "\\x1b[31m");
  CHECK(escape_text("back\\slash") == "back\\\\slash");
  CHECK(escape_text("bad\xff") == "bad\\xff");
  CHECK(escape_text("c1\xc2\x85") == "c1\\xc2\\x85");
  CHECK(escape_text(std::string(300, 'x'), 10) == std::string(10, 'x') + "...");
  CHECK(is_printable_text(escape_text("any\n\x01\xff text")));
}

TEST_CASE("ids: check_id names what was wrong, escaped", "[ids]") {
  const Result<void> r = check_id("user id", "evil\nline");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalidArgument);
  CHECK(r.error().message == "invalid user id \"evil\\nline\": it holds a control character");
  CHECK(check_id("user id", "alice"));
  CHECK_FALSE(check_name("role name", "a\x7f"));
}

TEST_CASE("ids: compile() refuses invalid ids and names, naming the item escaped", "[ids]") {
  Model m = Model::with_defaults();
  m.our_companies.push_back({"acme", "Acme", true});
  m.groups.push_back({"sales", "Sales"});
  m.users.push_back(fx::associate("evil\nline", "acme", "level-3", "sales"));
  m.groups.push_back({"(system)", "Looks built in"});
  m.groups.push_back({"ok", "two\nlines"});
  const Result<Snapshot> s = compile(m);
  REQUIRE_FALSE(s);
  int ids = 0, names = 0;
  bool user_named = false;
  for (const Diagnostic& d : s.error().diagnostics) {
    CHECK(d.to_string().find('\n') == std::string::npos);
    user_named = user_named || d.to_string().starts_with("users[\"evil\\nline\"].id: invalid id");
    if (d.rule == "invalid-id") ++ids;
    if (d.rule == "invalid-name") ++names;
  }
  CHECK(ids == 2);
  CHECK(names == 1);
  CHECK(user_named);
}
