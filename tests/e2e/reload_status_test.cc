// `silverwork reload` and `silverwork status` as commands, through the
// binary. Reload, with the simulator gone, must rebuild raw tables equal row
// for row to the collected ones; status must print what the warehouse holds
// and the runs it recorded, checked against SQL over the same warehouse.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <vector>

#include "binary_harness.h"

namespace silverwork::testing {
namespace {

// Every row of `table` but the columns saying when and by which run it was
// loaded, ordered by all columns: equal for equal contents.
std::vector<std::string> RowsWithoutLoadStamps(Warehouse& warehouse, const std::string& table) {
  auto columns = warehouse.DescribeTable(table);
  EXPECT_TRUE(columns.ok()) << columns.status().ToString();
  if (!columns.ok()) return {};
  std::string select;
  for (const ColumnSpec& column : *columns) {
    if (column.name.ends_with("run_id") || column.name.ends_with("loaded_at")) continue;
    select += (select.empty() ? "" : ", ") + warehouse.dialect().QuoteIdentifier(column.name);
  }
  std::vector<std::string> rows;
  Status status = warehouse.Query("SELECT " + select + " FROM " + table, {}, [&](const Row& row) {
    std::string text;
    for (const Value& value : row) text += (IsNull(value) ? "NULL" : ValueToString(value)) + "|";
    rows.push_back(std::move(text));
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  std::sort(rows.begin(), rows.end());
  return rows;
}

// Fails, showing the first row where they differ, unless `reloaded` holds
// the same rows as `collected`.
void ExpectSameRows(const std::string& table, const std::vector<std::string>& collected,
                    const std::vector<std::string>& reloaded) {
  EXPECT_EQ(reloaded.size(), collected.size()) << table;
  auto [left, right] =
      std::mismatch(collected.begin(), collected.end(), reloaded.begin(), reloaded.end());
  if (left == collected.end() && right == reloaded.end()) return;
  ADD_FAILURE() << table << " differs after the reload\ncollected: "
                << (left == collected.end() ? "(no more rows)" : *left)
                << "\nreloaded:  " << (right == reloaded.end() ? "(no more rows)" : *right);
}

class ReloadAndStatus : public ::testing::Test {
 protected:
  void SetUp() override {
    // Two postings windows on different simulated days (some postings
    // close in between, so their rows change) and every projects file.
    const Date from = kToday.AddDays(-4);
    ASSERT_EQ(harness_.Run({"collect", "postings", "--from", from.Iso(), "--to", kToday.Iso()}), 0)
        << harness_.Stderr();
    harness_.simulator->SetToday(kToday.AddDays(5));
    ASSERT_EQ(harness_.Run({"collect", "postings", "--from", kToday.AddDays(1).Iso(), "--to",
                            kToday.AddDays(5).Iso()}),
              0)
        << harness_.Stderr();
    ASSERT_EQ(harness_.Run({"collect", "projects"}), 0) << harness_.Stderr();
  }

  BinaryHarness harness_;
};

TEST_F(ReloadAndStatus, ReloadRebuildsTheCollectedTablesRowForRowWithoutTheNetwork) {
  auto collected = harness_.OpenWarehouse();
  const auto postings = RowsWithoutLoadStamps(*collected, "raw_postings");
  const auto projects = RowsWithoutLoadStamps(*collected, "raw_projects");
  ASSERT_GT(postings.size(), 300u);
  ASSERT_GT(projects.size(), 500u);

  harness_.simulator->Stop();  // reload must not need it
  const std::string fresh = harness_.dir.path() + "/reloaded.db";
  ASSERT_EQ(harness_.RunWith(harness_.WriteConfig("reload.toml", fresh), {"reload"}), 0)
      << harness_.Stderr();
  EXPECT_NE(harness_.Stdout().find("reloaded "), std::string::npos) << harness_.Stdout();
  auto reloaded = harness_.OpenWarehouse(fresh);
  ExpectSameRows("raw_postings", postings, RowsWithoutLoadStamps(*reloaded, "raw_postings"));
  ExpectSameRows("raw_projects", projects, RowsWithoutLoadStamps(*reloaded, "raw_projects"));

  // Reloading over the collected warehouse itself changes nothing either.
  ASSERT_EQ(harness_.Run({"reload"}), 0) << harness_.Stderr();
  auto again = harness_.OpenWarehouse();
  ExpectSameRows("raw_postings", postings, RowsWithoutLoadStamps(*again, "raw_postings"));
  ExpectSameRows("raw_projects", projects, RowsWithoutLoadStamps(*again, "raw_projects"));
}

TEST_F(ReloadAndStatus, StatusPrintsWhatTheWarehouseHoldsAndItsRuns) {
  // A failed run belongs in the ledger too.
  ASSERT_EQ(harness_.Run({"collect", "postings", "--days", "1"}, "wrong-key"), 1);
  ASSERT_EQ(harness_.Run({"status"}), 0) << harness_.Stderr();
  const std::string out = harness_.Stdout();
  auto warehouse = harness_.OpenWarehouse();

  auto postings = warehouse->QueryAll(
      "SELECT COUNT(*), SUM(_detail_status IS NOT NULL), SUM(deadline = '접수중'), MIN(frDd), "
      "MAX(frDd) FROM raw_postings");
  ASSERT_TRUE(postings.ok()) << postings.status().ToString();
  const Row& totals = postings->rows.at(0);
  ASSERT_GT(std::get<int64_t>(totals[0]), 0);
  EXPECT_NE(out.find("raw_postings: " + ValueToString(totals[0]) + " postings (" +
                     ValueToString(totals[1]) + " with details, " + ValueToString(totals[2]) +
                     " open), start dates " + ValueToString(totals[3]) + " .. " +
                     ValueToString(totals[4]) + "\n"),
            std::string::npos)
      << out;

  auto years = warehouse->QueryAll(
      "SELECT _file_year, COUNT(*), SUM(delYn = 'Y') FROM raw_projects GROUP BY 1 ORDER BY 1");
  ASSERT_TRUE(years.ok()) << years.status().ToString();
  ASSERT_GE(years->rows.size(), 5u);
  std::string projects_line = "raw_projects:";
  for (const Row& year : years->rows) {
    projects_line += " " + ValueToString(year[0]) + ": " + ValueToString(year[1]) + " rows (" +
                     ValueToString(year[2]) + " deleted);";
  }
  EXPECT_NE(out.find(projects_line + "\n"), std::string::npos) << out;

  // The runs, newest first, each with its command and outcome.
  auto runs = warehouse->QueryAll("SELECT run_id, command, status FROM _sw_runs ORDER BY run_id DESC");
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  ASSERT_EQ(runs->rows.size(), 4u);
  EXPECT_EQ(ValueToString(runs->rows[0][2]), "failed");
  size_t previous = 0;
  for (const Row& run : runs->rows) {
    const std::regex line("run " + ValueToString(run[0]) + " +" + ValueToString(run[1]) + " +" +
                          ValueToString(run[2]) + " ");
    std::smatch found;
    ASSERT_TRUE(std::regex_search(out, found, line)) << ValueToString(run[0]) << "\n" << out;
    EXPECT_GT(static_cast<size_t>(found.position(0)), previous) << "runs are newest first";
    previous = static_cast<size_t>(found.position(0));
  }
}

}  // namespace
}  // namespace silverwork::testing
