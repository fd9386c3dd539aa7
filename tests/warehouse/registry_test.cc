#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scoped_temp_dir.h"
#include "warehouse/warehouse.h"

namespace silverwork {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(WarehouseRegistryTest, KnowsSqliteAndPostgres) {
  EXPECT_THAT(WarehouseRegistry::Default().Engines(), ElementsAre("sqlite", "postgres"));
}

TEST(WarehouseRegistryTest, OpensSqlite) {
  ScopedTempDir dir;
  auto warehouse = OpenWarehouse({.engine = "sqlite", .location = dir.File("w.db")});
  ASSERT_TRUE(warehouse.ok()) << warehouse.status().ToString();
  EXPECT_EQ((*warehouse)->engine(), "sqlite");
}

#ifdef SILVERWORK_HAVE_POSTGRES
TEST(WarehouseRegistryTest, PostgresIsBuiltIn) {
  // The engine itself answers: a connection string it cannot read.
  auto warehouse = OpenWarehouse({.engine = "postgres", .location = "not a connection string"});
  EXPECT_EQ(warehouse.status().code(), ErrorCode::kInvalidInput);
  EXPECT_THAT(warehouse.status().message(), HasSubstr("connection string"));
}
#else
TEST(WarehouseRegistryTest, PostgresIsKnownButNotBuilt) {
  auto warehouse = OpenWarehouse({.engine = "postgres", .location = "postgresql://localhost/x"});
  EXPECT_EQ(warehouse.status().code(), ErrorCode::kUnsupported);
  EXPECT_THAT(warehouse.status().message(), HasSubstr("built without PostgreSQL support"));
  EXPECT_THAT(warehouse.status().hint(), HasSubstr("engine = \"sqlite\""));
}
#endif

TEST(WarehouseRegistryTest, UnknownEngineListsTheKnownOnes) {
  auto warehouse = OpenWarehouse({.engine = "duckdb", .location = "x"});
  EXPECT_EQ(warehouse.status().code(), ErrorCode::kInvalidInput);
  EXPECT_THAT(warehouse.status().message(), HasSubstr("\"duckdb\""));
  EXPECT_THAT(warehouse.status().message(), HasSubstr("sqlite, postgres"));
}

TEST(WarehouseRegistryTest, RegisterReplacesAnEngineOfTheSameName) {
  WarehouseRegistry registry;
  registry.Register("fake", [](const WarehouseOptions&) -> Result<std::unique_ptr<Warehouse>> {
    return Status(ErrorCode::kUnsupported, "first");
  });
  registry.Register("fake", [](const WarehouseOptions&) -> Result<std::unique_ptr<Warehouse>> {
    return Status(ErrorCode::kUnsupported, "second");
  });
  EXPECT_THAT(registry.Engines(), ElementsAre("fake"));
  EXPECT_EQ(registry.Open({.engine = "fake"}).status().message(), "second");
}

TEST(ValueToStringTest, RendersEachType) {
  EXPECT_EQ(ValueToString(std::monostate{}), "");
  EXPECT_EQ(ValueToString(int64_t{-42}), "-42");
  EXPECT_EQ(ValueToString(0.1), "0.1");
  EXPECT_EQ(ValueToString(1e21), "1e+21");
  EXPECT_EQ(ValueToString(std::string("공고")), "공고");
}

}  // namespace
}  // namespace silverwork
