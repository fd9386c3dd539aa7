// Warehouse::OpenAppender, one test body per engine (SQLite's default
// appender and PostgreSQL's COPY kept open): rows kept only by Finish,
// other statements refused while the stream is open, a duplicate key in
// the middle of a stream failing it with the row named, Rollback ending it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "people_table.h"
#include "warehouse/engine_contract.h"
#include "warehouse/warehouse.h"
#include "warehouse_under_test.h"

namespace silverwork {
namespace {

using ::testing::HasSubstr;

// Enough rows that both engines write some before Finish (the default
// appender's batches, PostgreSQL's pieces of COPY data).
constexpr int64_t kStreamRows = 5000;

Row Person(int64_t id) {
  return {id, "name\t" + std::to_string(id), static_cast<double>(id) / 4, std::monostate{}};
}

class AppenderTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    warehouse_ = place_.Open();
    ASSERT_NE(warehouse_, nullptr);
    ASSERT_TRUE(warehouse_->EnsureTable(kPeople).ok());
  }

  std::unique_ptr<Appender> Open() {
    auto opened = warehouse_->OpenAppender("people", kPeopleColumns);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(*opened) : nullptr;
  }

  // Adds ids [first, end); the first failure, or OK.
  static Status AddPeople(Appender& appender, int64_t first, int64_t end) {
    for (int64_t id = first; id < end; ++id) {
      const Row row = Person(id);
      SW_RETURN_IF_ERROR(appender.Add(row));
    }
    return Status::Ok();
  }

  int64_t Count() { return CountRows(*warehouse_, "people"); }

  WarehouseUnderTest place_{GetParam()};
  std::unique_ptr<Warehouse> warehouse_;
};

INSTANTIATE_TEST_SUITE_P(Engines, AppenderTest, ::testing::ValuesIn(EnginesUnderTest()),
                         EngineTestName);

TEST_P(AppenderTest, KeepsTheRowsOnlyWhenFinished) {
  auto appender = Open();
  ASSERT_NE(appender, nullptr);
  ASSERT_TRUE(AddPeople(*appender, 0, kStreamRows).ok());
  EXPECT_EQ(appender->rows(), kStreamRows);
  ASSERT_TRUE(appender->Finish().ok());
  EXPECT_EQ(Count(), kStreamRows);
  EXPECT_EQ(AllRows(*warehouse_, "SELECT id, name, score, note FROM people WHERE id = 7"),
            (std::vector<Row>{Person(7)}));

  // Destroyed unfinished, inside a transaction: the stream leaves nothing,
  // the transaction's earlier work stays.
  ASSERT_TRUE(warehouse_->Begin().ok());
  ASSERT_TRUE(warehouse_->Append("people", kPeopleColumns, std::vector<Row>{Person(-1)}).ok());
  {
    auto dropped = Open();
    ASSERT_NE(dropped, nullptr);
    ASSERT_TRUE(AddPeople(*dropped, kStreamRows, 2 * kStreamRows).ok());
  }
  ASSERT_TRUE(warehouse_->Commit().ok());
  EXPECT_EQ(Count(), kStreamRows + 1);
}

TEST_P(AppenderTest, RefusesOtherStatementsWhileOpen) {
  ASSERT_TRUE(warehouse_->Begin().ok());
  auto appender = Open();
  ASSERT_NE(appender, nullptr);
  ASSERT_TRUE(AddPeople(*appender, 0, 10).ok());
  for (const Status& status :
       {warehouse_->Upsert("people", kPeopleColumns, kId, std::vector<Row>{Person(100)}),
        warehouse_->Execute("DELETE FROM people"), warehouse_->Commit(),
        warehouse_->OpenAppender("people", kPeopleColumns).status()}) {
    EXPECT_EQ(status.code(), ErrorCode::kInternal) << status.ToString();
    EXPECT_THAT(status.message(), HasSubstr("stream of rows into \"people\" is open"));
    EXPECT_THAT(status.hint(), HasSubstr("Finish"));
  }
  // The stream is unharmed by the refusals and ends; then statements run.
  ASSERT_TRUE(AddPeople(*appender, 10, 20).ok());
  ASSERT_TRUE(appender->Finish().ok());
  ASSERT_TRUE(warehouse_->Upsert("people", kPeopleColumns, kId, std::vector<Row>{Person(100)})
                  .ok());
  ASSERT_TRUE(warehouse_->Commit().ok());
  EXPECT_EQ(Count(), 21);
}

TEST_P(AppenderTest, ADuplicateKeyMidStreamFailsNamingTheRowAndKeepsNothingOfIt) {
  ASSERT_TRUE(warehouse_->Append("people", kPeopleColumns, std::vector<Row>{Person(-1)}).ok());
  ASSERT_TRUE(warehouse_->Begin().ok());
  ASSERT_TRUE(warehouse_->Append("people", kPeopleColumns, std::vector<Row>{Person(-2)}).ok());
  auto appender = Open();
  ASSERT_NE(appender, nullptr);
  // Row 3000 of the stream repeats id 10.
  Status status = AddPeople(*appender, 0, 3000);
  if (status.ok()) status = appender->Add(Person(10));
  if (status.ok()) status = AddPeople(*appender, 3000, kStreamRows);
  if (status.ok()) status = appender->Finish();
  EXPECT_EQ(status.code(), ErrorCode::kDatabase) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr("Append into \"people\" failed"));
  EXPECT_THAT(status.message(), HasSubstr(GetParam() == "postgres" ? "at row 3000" : "rows 3000"));
  EXPECT_FALSE(status.hint().empty());
  // Every later call says the same; the connection takes statements again.
  EXPECT_EQ(appender->Add(Person(kStreamRows)).code(), ErrorCode::kDatabase);
  EXPECT_EQ(appender->Finish().code(), ErrorCode::kDatabase);
  ASSERT_TRUE(warehouse_->InTransaction());
  ASSERT_TRUE(warehouse_->Commit().ok());
  EXPECT_EQ(AllRows(*warehouse_, "SELECT id FROM people ORDER BY id"),
            (std::vector<Row>{{int64_t{-2}}, {int64_t{-1}}}));
}

TEST_P(AppenderTest, RollbackEndsTheStreamAndKeepsNothing) {
  ASSERT_TRUE(warehouse_->Begin().ok());
  auto appender = Open();
  ASSERT_NE(appender, nullptr);
  ASSERT_TRUE(AddPeople(*appender, 0, kStreamRows).ok());
  ASSERT_TRUE(warehouse_->Rollback().ok());
  EXPECT_FALSE(warehouse_->InTransaction());
  EXPECT_EQ(appender->Add(Person(kStreamRows)).code(), ErrorCode::kCancelled);
  EXPECT_EQ(appender->Finish().code(), ErrorCode::kCancelled);
  // A new transaction is not troubled by the old appender's end.
  ASSERT_TRUE(warehouse_->Begin().ok());
  appender.reset();
  ASSERT_TRUE(warehouse_->Append("people", kPeopleColumns, std::vector<Row>{Person(1)}).ok());
  ASSERT_TRUE(warehouse_->Commit().ok());
  EXPECT_EQ(Count(), 1);
}

TEST_P(AppenderTest, RefusesARowOfTheWrongWidthAndAnEmptyColumnList) {
  EXPECT_EQ(warehouse_->OpenAppender("people", {}).status().code(), ErrorCode::kInvalidInput);
  auto appender = Open();
  ASSERT_NE(appender, nullptr);
  const Row narrow = {int64_t{1}, "a"};
  const Status status = appender->Add(narrow);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidInput);
  EXPECT_THAT(status.message(), HasSubstr("row 0 of the stream into \"people\" has 2 value(s)"));
  EXPECT_FALSE(warehouse_->InTransaction());
  EXPECT_EQ(Count(), 0);
}

}  // namespace
}  // namespace silverwork
