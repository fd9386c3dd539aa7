// Collection state (GetState/PutState/DeleteState) and its transaction
// semantics: state commits and rolls back together with the data, on every
// engine. The build generation kept with it.
#include <gtest/gtest.h>

#include <thread>

#include "warehouse_under_test.h"

namespace silverwork {
namespace {

class StateTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    warehouse_ = place_.Open();
    ASSERT_NE(warehouse_, nullptr);
  }

  std::optional<std::string> Get(std::string_view key) {
    auto value = warehouse_->GetState(key);
    EXPECT_TRUE(value.ok()) << value.status().ToString();
    return value.ok() ? *value : std::nullopt;
  }

  WarehouseUnderTest place_{GetParam()};
  std::unique_ptr<Warehouse> warehouse_;
};

INSTANTIATE_TEST_SUITE_P(Engines, StateTest, ::testing::ValuesIn(EnginesUnderTest()),
                         EngineTestName);

TEST_P(StateTest, MissingKeyIsEmptyAndCreatesNothing) {
  EXPECT_EQ(Get("checkpoint"), std::nullopt);
  EXPECT_TRUE(warehouse_->DeleteState("checkpoint").ok());
  EXPECT_FALSE(*warehouse_->TableExists("_sw_state"));
}

TEST_P(StateTest, PutGetOverwriteDelete) {
  ASSERT_TRUE(warehouse_->PutState("postings.page", "17").ok());
  ASSERT_TRUE(warehouse_->PutState("projects.day", "2026-11-25").ok());
  EXPECT_EQ(Get("postings.page"), "17");
  ASSERT_TRUE(warehouse_->PutState("postings.page", "18").ok());
  EXPECT_EQ(Get("postings.page"), "18");
  EXPECT_EQ(Get("projects.day"), "2026-11-25");

  ASSERT_TRUE(warehouse_->DeleteState("postings.page").ok());
  EXPECT_EQ(Get("postings.page"), std::nullopt);
  EXPECT_EQ(Get("projects.day"), "2026-11-25");

  auto stamp = warehouse_->QueryAll("SELECT updated_at FROM _sw_state");
  ASSERT_TRUE(stamp.ok());
  ASSERT_EQ(stamp->rows.size(), 1u);
  EXPECT_EQ(std::get<std::string>(stamp->rows[0][0]).back(), 'Z');
}

TEST_P(StateTest, StateRollsBackWithTheData) {
  ASSERT_TRUE(
      warehouse_
          ->EnsureTable(
              {.name = "raw", .columns = {{.name = "id"}, {.name = "body"}}, .primary_key = {"id"}})
          .ok());
  const std::vector<std::string> columns = {"id", "body"};
  const std::vector<std::string> key = {"id"};
  ASSERT_TRUE(warehouse_->PutState("cursor", "1").ok());

  {
    Transaction transaction(*warehouse_);
    ASSERT_TRUE(transaction.Begin().ok());
    ASSERT_TRUE(warehouse_->Upsert("raw", columns, key, std::vector<Row>{{"a", "x"}}).ok());
    ASSERT_TRUE(warehouse_->PutState("cursor", "2").ok());
    EXPECT_EQ(Get("cursor"), "2");  // visible inside the transaction
  }                                 // rolled back
  EXPECT_EQ(Get("cursor"), "1");
  EXPECT_EQ(warehouse_->QueryAll("SELECT count(*) FROM raw")->rows[0][0], Value(int64_t{0}));

  {
    Transaction transaction(*warehouse_);
    ASSERT_TRUE(transaction.Begin().ok());
    ASSERT_TRUE(warehouse_->Upsert("raw", columns, key, std::vector<Row>{{"a", "x"}}).ok());
    ASSERT_TRUE(warehouse_->PutState("cursor", "2").ok());
    ASSERT_TRUE(transaction.Commit().ok());
  }
  EXPECT_EQ(Get("cursor"), "2");
  EXPECT_EQ(warehouse_->QueryAll("SELECT count(*) FROM raw")->rows[0][0], Value(int64_t{1}));
}

TEST_P(StateTest, StateTableCreatedInsideARolledBackTransactionIsRecreated) {
  ASSERT_TRUE(warehouse_->Begin().ok());
  ASSERT_TRUE(warehouse_->PutState("k", "v").ok());
  ASSERT_TRUE(warehouse_->Rollback().ok());
  EXPECT_FALSE(*warehouse_->TableExists("_sw_state"));
  ASSERT_TRUE(warehouse_->PutState("k", "w").ok());
  EXPECT_EQ(Get("k"), "w");
}

TEST_P(StateTest, ReadOnlyWarehouseReadsState) {
  ASSERT_TRUE(warehouse_->PutState("k", "v").ok());
  std::unique_ptr<Warehouse> reader = place_.Open(/*read_only=*/true);
  ASSERT_NE(reader, nullptr);
  auto value = reader->GetState("k");
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(*value, "v");
  EXPECT_FALSE(reader->PutState("k", "w").ok());
}

// ---- the build generation ---------------------------------------------------

std::string Generation(Warehouse& warehouse) {
  auto token = warehouse.BuildGeneration();
  EXPECT_TRUE(token.ok()) << token.status().ToString();
  return token.ok() ? *token : "<unreadable>";
}

// The number the token opens with.
std::string GenerationCount(Warehouse& warehouse) {
  const std::string token = Generation(warehouse);
  return token.substr(0, token.find(' '));
}

TEST_P(StateTest, TheBuildGenerationChangesOnlyWhenABuildAdvancesIt) {
  EXPECT_EQ(Generation(*warehouse_), "none");
  ASSERT_TRUE(warehouse_->PutState("scheduler.cursor", "1").ok());
  EXPECT_EQ(Generation(*warehouse_), "none");

  ASSERT_TRUE(warehouse_->AdvanceBuildGeneration().ok());
  const std::string first = Generation(*warehouse_);
  EXPECT_EQ(GenerationCount(*warehouse_), "1");
  ASSERT_TRUE(warehouse_->PutState("scheduler.cursor", "2").ok());
  ASSERT_TRUE(warehouse_->Execute("CREATE TABLE other_writes (id INTEGER)").ok());
  EXPECT_EQ(Generation(*warehouse_), first);

  ASSERT_TRUE(warehouse_->AdvanceBuildGeneration().ok());
  EXPECT_NE(Generation(*warehouse_), first);
  EXPECT_EQ(GenerationCount(*warehouse_), "2");

  std::unique_ptr<Warehouse> reader = place_.Open(/*read_only=*/true);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(Generation(*reader), Generation(*warehouse_));
  EXPECT_FALSE(reader->AdvanceBuildGeneration().ok());
}

TEST_P(StateTest, TheBuildGenerationRollsBackWithTheBuild) {
  ASSERT_TRUE(warehouse_->AdvanceBuildGeneration().ok());
  const std::string before = Generation(*warehouse_);
  ASSERT_TRUE(warehouse_->Begin().ok());
  ASSERT_TRUE(warehouse_->AdvanceBuildGeneration().ok());
  ASSERT_TRUE(warehouse_->Rollback().ok());
  EXPECT_EQ(Generation(*warehouse_), before);
}

TEST_P(StateTest, BuildsFinishingTogetherEachAdvanceTheGeneration) {
  constexpr int kBuildsEach = 25;
  auto peer = warehouse_->OpenPeer();
  ASSERT_TRUE(peer.ok()) << peer.status().ToString();
  ASSERT_TRUE(warehouse_->AdvanceBuildGeneration().ok());  // the table exists for both
  auto advance = [](Warehouse* warehouse, Status* failed) {
    for (int build = 0; build < kBuildsEach; ++build) {
      Status status = warehouse->AdvanceBuildGeneration();
      if (!status.ok()) *failed = status;
    }
  };
  Status first_failed, second_failed;
  std::thread first(advance, warehouse_.get(), &first_failed);
  std::thread second(advance, peer->get(), &second_failed);
  first.join();
  second.join();
  EXPECT_TRUE(first_failed.ok()) << first_failed.ToString();
  EXPECT_TRUE(second_failed.ok()) << second_failed.ToString();
  EXPECT_EQ(GenerationCount(*warehouse_), std::to_string(1 + 2 * kBuildsEach));
}

}  // namespace
}  // namespace silverwork
