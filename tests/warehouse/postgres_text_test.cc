// The PostgreSQL engine's text handling without a server: `?` placeholders
// to $n, statement counting, COPY escaping and result cells.
#ifdef SILVERWORK_HAVE_POSTGRES

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "warehouse/postgres/postgres_sql_text.h"
#include "warehouse/postgres/postgres_values.h"

namespace silverwork::postgres {
namespace {

struct Translation {
  std::string sql;
  int count;
};

Translation Translate(std::string_view sql) {
  PlaceholderTranslation translated = TranslatePlaceholders(sql);
  return {translated.sql, translated.parameter_count};
}

TEST(PlaceholderTest, NumbersQuestionMarksInOrder) {
  EXPECT_EQ(Translate("SELECT ?, ? FROM t WHERE a = ?").sql, "SELECT $1, $2 FROM t WHERE a = $3");
  EXPECT_EQ(Translate("SELECT ?, ? FROM t WHERE a = ?").count, 3);
  EXPECT_EQ(Translate("SELECT 1").count, 0);
}

TEST(PlaceholderTest, NumberedPlaceholdersFollowSqlitesRule) {
  EXPECT_EQ(Translate("WHERE a = ?1 OR b = ?1").sql, "WHERE a = $1 OR b = $1");
  EXPECT_EQ(Translate("WHERE a = ?1 OR b = ?1").count, 1);
  // A bare ? is one more than the highest number so far.
  EXPECT_EQ(Translate("?2, ?, ?1").sql, "$2, $3, $1");
  // $n written directly counts, and is left alone.
  EXPECT_EQ(Translate("$1 + ?").sql, "$1 + $2");
  EXPECT_EQ(Translate("$1 + ?").count, 2);
}

TEST(PlaceholderTest, QuestionMarksInsideQuotesAndCommentsAreText) {
  const char* kept[] = {
      "SELECT '?', 'it''s ?'",
      "SELECT E'\\'?', e'\\\\'",
      "SELECT \"odd?name\", \"a\"\"?\"",
      "SELECT $$ ? $$, $fn$ it's ? $x$ $fn$",
      "SELECT 1 -- why? \n",
      "SELECT /* outer /* inner ? */ still ? */ 1",
  };
  for (const char* sql : kept) {
    EXPECT_EQ(Translate(sql).sql, sql);
    EXPECT_EQ(Translate(sql).count, 0) << sql;
  }
  EXPECT_EQ(Translate("SELECT 'a?' || ? -- ?\n, ?").sql, "SELECT 'a?' || $1 -- ?\n, $2");
  // A $ inside a word is not a dollar quote; E that ends a word does not start an E-string.
  EXPECT_EQ(Translate("SELECT a$b, ? FROM t").sql, "SELECT a$b, $1 FROM t");
  EXPECT_EQ(Translate("SELECT some'\\', ?").sql, "SELECT some'\\', $1");
}

TEST(PlaceholderTest, NoticesASecondStatement) {
  EXPECT_TRUE(TranslatePlaceholders("SELECT 1; SELECT 2").several_statements);
  EXPECT_TRUE(TranslatePlaceholders("SELECT 1;'x'").several_statements);
  EXPECT_FALSE(TranslatePlaceholders("SELECT 1;").several_statements);
  EXPECT_FALSE(TranslatePlaceholders("SELECT 1; -- done\n").several_statements);
  EXPECT_FALSE(TranslatePlaceholders("SELECT 1; /* done */ ;").several_statements);
  EXPECT_FALSE(TranslatePlaceholders("SELECT ';', $$;$$").several_statements);
}

TEST(PostgresValuesTest, CopyFieldsEscapeWhatCopyReads) {
  std::string line;
  AppendCopyField(std::monostate{}, line);
  line += '|';
  AppendCopyField(int64_t{-42}, line);
  line += '|';
  AppendCopyField(0.1, line);
  line += '|';
  AppendCopyField(std::string("a\tb\nc\rd\\e \\N 공고"), line);
  EXPECT_EQ(line, "\\N|-42|0.1|a\\tb\\nc\\rd\\\\e \\\\N 공고");
}

TEST(PostgresValuesTest, DoublesUsePostgresSpellings) {
  EXPECT_EQ(DoubleText(0.1), "0.1");
  EXPECT_EQ(DoubleText(-1.5e300), "-1.5e+300");
  EXPECT_EQ(DoubleText(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(DoubleText(-std::numeric_limits<double>::infinity()), "-Infinity");
  EXPECT_EQ(DoubleText(std::nan("")), "NaN");
}

TEST(PostgresValuesTest, CellsReadByType) {
  Value cell;
  ReadCell("42", kInt4Oid, cell);
  EXPECT_EQ(cell, Value(int64_t{42}));
  ReadCell("t", kBoolOid, cell);
  EXPECT_EQ(cell, Value(int64_t{1}));
  ReadCell("f", kBoolOid, cell);
  EXPECT_EQ(cell, Value(int64_t{0}));
  ReadCell("2.5", kFloat8Oid, cell);
  EXPECT_EQ(cell, Value(2.5));
  ReadCell("-Infinity", kFloat8Oid, cell);
  EXPECT_EQ(cell, Value(-std::numeric_limits<double>::infinity()));
  ReadCell("12345678901234", kNumericOid, cell);  // sum() of bigint
  EXPECT_EQ(cell, Value(int64_t{12345678901234}));
  ReadCell("99999999999999999999", kNumericOid, cell);  // beyond int64
  EXPECT_EQ(cell, Value(1e20));
  ReadCell("1.25", kNumericOid, cell);
  EXPECT_EQ(cell, Value(1.25));
  ReadCell("2024-01-02", 1082, cell);  // date
  EXPECT_EQ(cell, Value(std::string("2024-01-02")));
  EXPECT_EQ(ColumnTypeOf(kNumericOid), ColumnType::kReal);
  EXPECT_EQ(ColumnTypeOf(kBoolOid), ColumnType::kInteger);
  EXPECT_EQ(ColumnTypeOf(1082), ColumnType::kText);
}

TEST(PostgresValuesTest, ParametersTypeNumbersAndLeaveTextToTheServer) {
  const Value params[] = {int64_t{7}, 2.5, std::string("x"), std::monostate{}};
  ParameterArrays arrays(params);
  ASSERT_EQ(arrays.count(), 4);
  EXPECT_EQ(arrays.types()[0], kInt8Oid);
  EXPECT_EQ(arrays.types()[1], kFloat8Oid);
  EXPECT_EQ(arrays.types()[2], 0u);
  EXPECT_STREQ(arrays.values()[0], "7");
  EXPECT_STREQ(arrays.values()[1], "2.5");
  EXPECT_STREQ(arrays.values()[2], "x");
  EXPECT_EQ(arrays.values()[3], nullptr);
}

}  // namespace
}  // namespace silverwork::postgres

#endif  // SILVERWORK_HAVE_POSTGRES
