// Moving a SQLite installation to PostgreSQL (docs/postgres.md), through the
// binary: postings and projects collected from the simulator into SQLite and
// the lake, then `silverwork reload` into a PostgreSQL schema and
// `silverwork build` on both. Every relation the SQL project builds (seeds,
// staging, facts, marts, snapshots) must hold the same rows on both engines,
// reals equal to 1e-9 relative, load stamps aside. This is also the cross-engine check on a
// simulator dataset (the golden test holds both engines to hand-computed
// values on a small one).
#ifdef SILVERWORK_HAVE_POSTGRES

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <vector>

#include "binary_harness.h"
#include "warehouse_under_test.h"

namespace silverwork::testing {
namespace {

// A row's cells, and its text with numbers printed alike (an integral
// numeric reads as an integer on PostgreSQL and as a real on SQLite): the
// order the rows are compared in, whatever order each engine sorts NULLs.
struct ComparedRow {
  Row cells;
  std::string key;
};

std::string SortKey(const Row& row) {
  std::string key;
  for (const Value& value : row) {
    if (const auto* integer = std::get_if<int64_t>(&value)) {
      key += fmt::format("{:.9g}", static_cast<double>(*integer));
    } else if (const auto* real = std::get_if<double>(&value)) {
      key += fmt::format("{:.9g}", *real);
    } else {
      key += IsNull(value) ? std::string("\x01NULL") : ValueToString(value);
    }
    key += '\x1f';
  }
  return key;
}

std::vector<ComparedRow> SortedRows(Warehouse& warehouse, const std::string& sql) {
  std::vector<ComparedRow> rows;
  Status status = warehouse.Query(sql, {}, [&](const Row& row) {
    rows.push_back({row, SortKey(row)});
    return Status::Ok();
  });
  EXPECT_TRUE(status.ok()) << warehouse.engine() << ": " << status.ToString();
  std::sort(rows.begin(), rows.end(),
            [](const ComparedRow& a, const ComparedRow& b) { return a.key < b.key; });
  return rows;
}

bool SameCell(const Value& a, const Value& b) {
  const bool a_number = std::holds_alternative<int64_t>(a) || std::holds_alternative<double>(a);
  const bool b_number = std::holds_alternative<int64_t>(b) || std::holds_alternative<double>(b);
  if (a_number && b_number) {
    auto as_double = [](const Value& value) {
      const auto* integer = std::get_if<int64_t>(&value);
      return integer != nullptr ? static_cast<double>(*integer) : std::get<double>(value);
    };
    const double x = as_double(a);
    const double y = as_double(b);
    return std::fabs(x - y) <= 1e-9 * std::max({1.0, std::fabs(x), std::fabs(y)});
  }
  return a == b;
}

std::string Rendered(const Row& row) {
  std::string text;
  for (const Value& value : row) text += (IsNull(value) ? "NULL" : ValueToString(value)) + "|";
  return text;
}

// Columns saying when a row was loaded or versioned, and by which run:
// `reload` stamps the time it loads, so these tell when, not what.
bool IsLoadStamp(const std::string& column) {
  return column.ends_with("loaded_at") || column.ends_with("run_id") || column.starts_with("dbt_");
}

// Fails at the first row where `relation` differs between the engines.
void ExpectSameRelation(const std::string& relation, Warehouse& sqlite, Warehouse& postgres) {
  auto columns = sqlite.DescribeTable(relation);
  ASSERT_TRUE(columns.ok()) << columns.status().ToString();
  std::string select;
  for (const ColumnSpec& column : *columns) {
    if (IsLoadStamp(column.name)) continue;
    select += (select.empty() ? "" : ", ") + column.name;  // bare: the same on both engines
  }
  const std::string sql = "SELECT " + select + " FROM " + relation;
  const auto expected = SortedRows(sqlite, sql);
  const auto got = SortedRows(postgres, sql);
  EXPECT_EQ(got.size(), expected.size()) << relation;
  for (size_t index = 0; index < std::min(got.size(), expected.size()); ++index) {
    const Row& want = expected[index].cells;
    const Row& have = got[index].cells;
    bool same = want.size() == have.size();
    for (size_t cell = 0; same && cell < want.size(); ++cell)
      same = SameCell(want[cell], have[cell]);
    if (!same) {
      ADD_FAILURE() << relation << " differs at row " << index << " of " << expected.size()
                    << "\nsqlite:   " << Rendered(want) << "\npostgres: " << Rendered(have);
      return;
    }
  }
}

class PostgresMigration : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string project = "project_dir = \"" + std::string(SILVERWORK_SOURCE_DIR) +
                                "\"\nartifacts_dir = \"" + harness_.dir.path() + "/artifacts\"\n";
    sqlite_config_ = harness_.WriteConfig("sqlite.toml", harness_.WarehousePath(), project);
    // The same configuration but the warehouse section.
    const WarehouseOptions server = schema_.Options();
    postgres_config_ = harness_.WriteConfig("postgres.toml", "unused", project);
    std::string text = ReadFile(postgres_config_);
    const std::string sqlite_section = "[warehouse]\npath = \"unused\"\n";
    ASSERT_NE(text.find(sqlite_section), std::string::npos) << text;
    text.replace(text.find(sqlite_section), sqlite_section.size(),
                 "[warehouse]\nengine = \"postgres\"\nurl = \"" + server.location +
                     "\"\npassword_file = \"" + server.password_file + "\"\n");
    std::ofstream(postgres_config_, std::ios::trunc) << text;
  }

  // Runs the binary with `config`; the test fails unless it exits 0.
  void Run(const std::string& config, const std::vector<std::string>& args) {
    ASSERT_EQ(harness_.RunWith(config, args), 0) << args.front() << "\n"
                                                 << harness_.Stdout() << harness_.Stderr();
  }

  BinaryHarness harness_;
  ScopedPostgresSchema schema_;
  std::string sqlite_config_;
  std::string postgres_config_;
};

TEST_F(PostgresMigration, ALakeCollectedOnSqliteReloadsIntoPostgresAndBuildsTheSameMarts) {
  Run(sqlite_config_,
      {"collect", "postings", "--from", kToday.AddDays(-4).Iso(), "--to", kToday.Iso()});
  Run(sqlite_config_, {"collect", "projects"});
  Run(sqlite_config_, {"build"});

  harness_.simulator->Stop();  // the move needs only the lake
  Run(postgres_config_, {"reload"});
  EXPECT_NE(harness_.Stdout().find("reloaded "), std::string::npos) << harness_.Stdout();
  Run(postgres_config_, {"build"});
  // The next day's build rebuilds tables that views read.
  Run(postgres_config_, {"build", "--full-refresh"});
  Run(postgres_config_, {"status"});
  EXPECT_NE(harness_.Stdout().find("raw_projects: 2018:"), std::string::npos) << harness_.Stdout();

  auto sqlite = harness_.OpenWarehouse();
  auto postgres = OpenWarehouse(schema_.Options());
  ASSERT_TRUE(postgres.ok()) << postgres.status().ToString();
  auto relations = sqlite->QueryAll(
      "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'raw\\_%' "
      "ESCAPE '\\' AND name NOT LIKE '\\_sw\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' "
      "ESCAPE '\\' ORDER BY name");
  ASSERT_TRUE(relations.ok()) << relations.status().ToString();
  std::vector<std::string> names;
  for (const Row& row : relations->rows) names.push_back(ValueToString(row.at(0)));
  // The facts, every mart, the seeds and the snapshot are among them.
  for (const char* needed : {"fct_job_postings", "mart_postings_monthly_region", "mart_per_capita",
                             "provinces", "snap_postings"})
    EXPECT_NE(std::find(names.begin(), names.end(), needed), names.end()) << needed;
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(*(*postgres)->TableExists(name)) << name << " is missing on PostgreSQL";
    ExpectSameRelation(name, *sqlite, **postgres);
  }
  EXPECT_GT(CountRows(**postgres, "fct_job_postings"), 300);
}

}  // namespace
}  // namespace silverwork::testing

#endif  // SILVERWORK_HAVE_POSTGRES
