#include "support/catch.hpp"

#include "sorights/rights.hpp"

using sorights::Action;
using sorights::FieldRight;
using sorights::FieldRights;
using sorights::TableRight;
using sorights::TableRights;

TEST_CASE("TableRights: flag values are the reference model's", "[rights]") {
  STATIC_REQUIRE(static_cast<int>(TableRight::kSelect) == 1);
  STATIC_REQUIRE(static_cast<int>(TableRight::kUpdate) == 2);
  STATIC_REQUIRE(static_cast<int>(TableRight::kInsert) == 4);
  STATIC_REQUIRE(static_cast<int>(TableRight::kDelete) == 8);
  STATIC_REQUIRE(static_cast<int>(TableRight::kFiltering) == 16);
  STATIC_REQUIRE(static_cast<int>(TableRight::kRestrictedUpdate) == 32);
  STATIC_REQUIRE(TableRights::full().bits() == 15);
}

TEST_CASE("TableRights: CRUD letters map C to Insert, R to Select, U to Update, D to Delete", "[rights]") {
  REQUIRE(TableRights::parse_crud("C")->bits() == 4);
  REQUIRE(TableRights::parse_crud("R")->bits() == 1);
  REQUIRE(TableRights::parse_crud("U")->bits() == 2);
  REQUIRE(TableRights::parse_crud("D")->bits() == 8);
  REQUIRE(TableRights::parse_crud("DURC")->bits() == 15);
  REQUIRE(TableRights::parse_crud("")->empty());
  REQUIRE_FALSE(TableRights::parse_crud("X"));
  REQUIRE_FALSE(TableRights::parse_crud("RR"));
  REQUIRE_FALSE(TableRights::parse_crud("r"));
}

TEST_CASE("TableRights: names print in the contract's order", "[rights]") {
  REQUIRE(TableRights::from_bits(51).to_string() == "Select|Update|Filtering|RestrictedUpdate");
  REQUIRE(TableRights().to_string() == "None");
  REQUIRE(TableRights::full().to_string() == "Select|Update|Insert|Delete");
  REQUIRE(TableRights::full().to_crud() == "CRUD");
}

TEST_CASE("TableRights: actions need their own flag", "[rights]") {
  const TableRights r = TableRight::kSelect | TableRight::kInsert;
  REQUIRE(r.allows(Action::kRead));
  REQUIRE(r.allows(Action::kCreate));
  REQUIRE_FALSE(r.allows(Action::kUpdate));
  REQUIRE_FALSE(r.allows(Action::kDelete));
  REQUIRE((TableRights::full() - TableRight::kDelete).bits() == 7);
}

TEST_CASE("FieldRights: print as Read|Write with UI hints after", "[rights]") {
  REQUIRE((FieldRights(FieldRight::kRead) | FieldRights(FieldRight::kWrite)).to_string() == "Read|Write");
  REQUIRE(FieldRights(FieldRight::kRead).to_string() == "Read");
  REQUIRE(FieldRights(FieldRight::kWrite).to_string() == "Write");
  REQUIRE(FieldRights().to_string() == "None");
  REQUIRE(FieldRights::from_bits(1 | 64 | 128).to_string() == "Read UIHintMandatory UIHintReadOnly");
  REQUIRE(FieldRights::parse_rw("WR")->bits() == 3);
  REQUIRE_FALSE(FieldRights::parse_rw("X"));
}
