#include "transform/materializations/seed.h"

#include <gtest/gtest.h>

#include "transform/transform_project.h"
#include "transform_test_util.h"

namespace silverwork::transform {
namespace {

using testing::Rows;
using testing::TempDir;
using testing::WriteProject;

CsvTable Parse(std::string_view text) {
  auto table = ParseCsv(text, "seeds/x.csv");
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  return table.ok() ? *table : CsvTable{};
}

TEST(SeedCsvTest, QuotesEscapesCrlfBomAndEmptyFields) {
  CsvTable table = Parse(
      "\xEF\xBB\xBF"
      "id,name,note\r\n1,\"Kim, Minji\",\"said \"\"hi\"\"\"\r\n"
      "2,,\"line\nbreak\"\r\n\r\n3,\"\",x");
  EXPECT_EQ(table.header, (std::vector<std::string>{"id", "name", "note"}));
  ASSERT_EQ(table.rows.size(), 3u);
  EXPECT_EQ(*table.rows[0][1], "Kim, Minji");
  EXPECT_EQ(*table.rows[0][2], "said \"hi\"");
  EXPECT_FALSE(table.rows[1][1].has_value());  // empty field: NULL
  EXPECT_EQ(*table.rows[1][2], "line\nbreak");
  EXPECT_EQ(*table.rows[2][1], "");  // "" is an empty string, not NULL
}

TEST(SeedCsvTest, RaggedRowsAndBadQuotesNameTheLine) {
  auto ragged = ParseCsv("a,b\n1,2\n3\n", "seeds/x.csv");
  ASSERT_FALSE(ragged.ok());
  EXPECT_EQ(ragged.status().message(), "seeds/x.csv:3: 1 fields where the header has 2");
  auto open = ParseCsv("a\n\"never closed\n", "seeds/x.csv");
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.status().message(), "seeds/x.csv:2: quoted field is never closed");
  auto empty = ParseCsv("", "seeds/x.csv");
  ASSERT_FALSE(empty.ok());
}

TEST(SeedCsvTest, TypesAreInferredFromEveryValue) {
  CsvTable table = Parse(
      "count,ratio,code,word,blank,negative,zero,mixed\n"
      "1,0.5,007,a,,-3,0,1\n"
      "20,2,012,b,,-4,0,x\n"
      "300,1e3,100,c,,5,0,2\n");
  EXPECT_EQ(InferColumnType(table, 0), ColumnType::kInteger);
  EXPECT_EQ(InferColumnType(table, 1), ColumnType::kReal);
  EXPECT_EQ(InferColumnType(table, 2), ColumnType::kText);  // leading zeros keep codes as text
  EXPECT_EQ(InferColumnType(table, 3), ColumnType::kText);
  EXPECT_EQ(InferColumnType(table, 4), ColumnType::kText);  // no values at all
  EXPECT_EQ(InferColumnType(table, 5), ColumnType::kInteger);
  EXPECT_EQ(InferColumnType(table, 6), ColumnType::kInteger);
  EXPECT_EQ(InferColumnType(table, 7), ColumnType::kText);
}

TEST(SeedCsvTest, DeclaredTypesOverrideInference) {
  CsvTable table = Parse("code,amount\n11,007\n26,12\n");
  const std::pair<std::string, ColumnType> overrides[] = {{"code", ColumnType::kText},
                                                          {"amount", ColumnType::kInteger}};
  auto seed = TypeSeed(table, overrides, "seeds/x.csv");
  ASSERT_TRUE(seed.ok()) << seed.status().ToString();
  EXPECT_EQ(seed->columns[0].type, ColumnType::kText);
  EXPECT_EQ(std::get<std::string>(seed->rows[0][0]), "11");
  EXPECT_EQ(std::get<int64_t>(seed->rows[0][1]), 7);

  const std::pair<std::string, ColumnType> wrong[] = {{"cod", ColumnType::kText}};
  auto missing = TypeSeed(table, wrong, "seeds/x.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "seeds/x.csv: column_types names 'cod', which is not a column of the seed");
}

TEST(SeedLoadTest, SeedCommandLoadsTypedTablesAndReplacesThem) {
  TempDir dir;
  WriteProject(dir.path(),
               {{"silverwork_project.yml", "name: demo\n"},
                {"seeds/codes.csv", "code,label,amount,ratio\n007,seven,7,0.5\n010,ten,10,1\n"}});
  auto warehouse = testing::OpenTestWarehouse(dir.path() / "wh.db");
  auto project = TransformProject::Load(dir.path());
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  auto results = project->Seed({.warehouse = warehouse.get()});
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  ASSERT_EQ(results->nodes.size(), 1u);
  EXPECT_EQ(results->nodes[0].status, NodeStatus::kSuccess) << results->nodes[0].message;
  EXPECT_EQ(results->nodes[0].rows_affected, 2);
  EXPECT_EQ(Rows(*warehouse, "SELECT code, amount FROM codes ORDER BY code"),
            (std::vector<std::string>{"007|7", "010|10"}));
  EXPECT_EQ(testing::ColumnTypeName(*warehouse, "codes", "code"), "text");
  EXPECT_EQ(testing::ColumnTypeName(*warehouse, "codes", "amount"), "integer");
  EXPECT_EQ(testing::ColumnTypeName(*warehouse, "codes", "ratio"), "real");

  testing::WriteFile(dir.path(), "seeds/codes.csv", "code,label\n001,one\n");
  auto reloaded = TransformProject::Load(dir.path());
  ASSERT_TRUE(reloaded.ok());
  ASSERT_TRUE(reloaded->Seed({.warehouse = warehouse.get()}).ok());
  EXPECT_EQ(Rows(*warehouse, "SELECT * FROM codes"), std::vector<std::string>{"001|one"});
  // No working table stays.
  EXPECT_EQ(testing::Relations(*warehouse, "%\\_\\_sw\\_%"), std::vector<std::string>{});
}

}  // namespace
}  // namespace silverwork::transform
