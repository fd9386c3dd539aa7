// Moving a SQLite installation to PostgreSQL (docs/postgres.md), through the
// binary: postings and projects collected from the simulator into SQLite and
// the lake, then `silverwork reload` into a PostgreSQL schema and
// `silverwork build` on both. Every relation the SQL project builds (seeds,
// staging, facts, marts, snapshots) must hold the same rows on both engines,
// reals equal to 1e-9 relative, load stamps aside. This is also the cross-engine check on a
// simulator dataset (the golden test holds both engines to hand-computed
// values on a small one). A second test then serves both warehouses with
// `silverwork serve` and holds every dashboard answer (charts, the postings
// table and its search, the CSV, the status tab) to be the same.
#ifdef SILVERWORK_HAVE_POSTGRES

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "binary_harness.h"
#include "http/http_client.h"
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
    postgres_config_ = harness_.WritePostgresConfig("postgres.toml", schema_.Options(), project);
  }

  // Collects into SQLite and builds there, then moves the lake to
  // PostgreSQL with `reload` and builds there as docs/postgres.md says.
  void CollectOnSqliteAndMove() {
    Run(sqlite_config_,
        {"collect", "postings", "--from", kToday.AddDays(-4).Iso(), "--to", kToday.Iso()});
    Run(sqlite_config_, {"collect", "projects"});
    Run(sqlite_config_, {"build"});
    harness_.simulator->Stop();  // the move needs only the lake
    Run(postgres_config_, {"reload"});
    EXPECT_NE(harness_.Stdout().find("reloaded "), std::string::npos) << harness_.Stdout();
    Run(postgres_config_, {"build"});
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
  CollectOnSqliteAndMove();
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

// `silverwork serve` on one configuration, on a free port, stopped (and
// required to exit 0) when destroyed.
class ServeProcess {
 public:
  ServeProcess(const BinaryHarness& harness, const std::string& config, const std::string& name)
      : out_(harness.dir.path() + "/" + name + "-serve.out"),
        err_(harness.dir.path() + "/" + name + "-serve.err"),
        process_({SILVERWORK_BINARY, "--config", config, "serve", "--port", "0",
                  "--reload-interval", "0"},
                 {{"DATA_GO_KR_SERVICE_KEY", ""}}, out_, err_) {
    const bool listening = process_.WaitWhileRunning([&] {
      const std::string text = ReadFile(out_);
      const size_t at = text.find("serving on http://");
      if (at == std::string::npos || text.find('\n', at) == std::string::npos) return false;
      url_ = text.substr(at + 11, text.find('\n', at) - at - 11);
      return true;
    });
    EXPECT_TRUE(listening) << name << ": serve ended before listening: " << ReadFile(err_);
  }
  ~ServeProcess() {
    process_.Kill(SIGTERM);
    EXPECT_EQ(process_.Wait(), 0) << ReadFile(err_);
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // The body of GET `path` (without the leading slash); a test failure and
  // "" unless it answers 200.
  std::string Get(const std::string& path) {
    // Patient: the answer's arrival is the event, not a time limit.
    auto response = http_->Get(url_ + path, path, std::chrono::milliseconds(60'000));
    EXPECT_TRUE(response.ok()) << path << ": " << response.status().ToString();
    if (!response.ok()) return "";
    EXPECT_EQ(response->status, 200) << path << ": " << response->body;
    return response->status == 200 ? response->body : "";
  }

 private:
  std::string out_, err_;
  ChildProcess process_;
  std::string url_;
  std::unique_ptr<HttpClient> http_ = CreateHttpClient();
};

// Fields that say when or by which run something was loaded, built or
// tested (`reload` and the second build ran later), or how long the
// server took, and the run log (the move ran no collection, so PostgreSQL
// has no _sw_runs): removed wherever they appear before answers are compared.
void DropStamps(nlohmann::json& value) {
  if (value.is_array()) {
    for (auto& item : value) DropStamps(item);
    return;
  }
  if (!value.is_object()) return;
  for (const char* stamp : {"loaded_at", "newest_loaded_at", "load_seconds", "executed_at",
                            "run_id", "runs", "runs_table_present", "last_successes",
                            "age_seconds", "as_of"}) {
    value.erase(stamp);
  }
  for (auto& [key, item] : value.items()) DropStamps(item);
}

TEST_F(PostgresMigration, TheDashboardAnswersTheSameFromBothEngines) {
  CollectOnSqliteAndMove();
  auto sqlite_warehouse = harness_.OpenWarehouse();
  // A word of a title and an employer, and a whole job id, to search for.
  auto sample = sqlite_warehouse->QueryAll(
      "SELECT title, employer, job_id FROM fct_job_postings "
      "WHERE title IS NOT NULL AND employer IS NOT NULL ORDER BY job_id LIMIT 1");
  ASSERT_TRUE(sample.ok() && sample->rows.size() == 1) << sample.status().ToString();
  const auto first_word = [](const Value& text) {
    const std::string words = ValueToString(text);
    return words.substr(0, words.find(' '));
  };
  const std::string title_word = first_word(sample->rows[0][0]);
  const std::string employer_word = first_word(sample->rows[0][1]);
  const std::string job_id = ValueToString(sample->rows[0][2]);
  const auto query = [](const std::string& text) { return PercentEncode(text); };

  ServeProcess sqlite(harness_, sqlite_config_, "sqlite");
  ServeProcess postgres(harness_, postgres_config_, "postgres");
  const std::vector<std::string> paths = {
      "api/v1/filters",
      "api/v1/kpis",
      "api/v1/postings/map",
      "api/v1/postings/map?metric=headcount",
      "api/v1/postings/monthly",
      "api/v1/postings/by-shape",
      "api/v1/postings/by-job-class",
      "api/v1/jobs-vs-postings",
      "api/v1/preferences",
      "api/v1/projects/continuity",
      "api/v1/projects/by-region-year",
      "api/v1/projects/types",
      "api/v1/projects/monthly-share",
      "api/v1/status/freshness",
      "api/v1/status/rows-per-day",
      "api/v1/status/tests",
      "api/v1/status/data-quality",
      "api/v1/postings",
      "api/v1/postings?page=2&page_size=50",
      "api/v1/postings?page_size=200&q=" + query(title_word),
      "api/v1/postings?q=" + query(employer_word),
      "api/v1/postings?q=" + query(job_id),
  };
  for (const std::string& path : paths) {
    SCOPED_TRACE(path);
    auto from_sqlite = nlohmann::json::parse(sqlite.Get(path), nullptr, false);
    auto from_postgres = nlohmann::json::parse(postgres.Get(path), nullptr, false);
    ASSERT_FALSE(from_sqlite.is_discarded());
    DropStamps(from_sqlite);
    DropStamps(from_postgres);
    EXPECT_EQ(from_postgres.dump(1), from_sqlite.dump(1));
  }
  // The searches found something, so their equality says something.
  const auto total = [&](const std::string& text) {
    return nlohmann::json::parse(sqlite.Get("api/v1/postings?q=" + query(text)))["data"]["total"]
        .get<int>();
  };
  EXPECT_EQ(total(job_id), 1);
  EXPECT_GE(total(employer_word), 1);
  EXPECT_GT(total(title_word), 1);
  for (const std::string& path :
       {std::string("api/v1/postings.csv"), "api/v1/postings.csv?q=" + query(title_word)}) {
    SCOPED_TRACE(path);
    const std::string csv = sqlite.Get(path);
    EXPECT_GT(std::count(csv.begin(), csv.end(), '\n'), 2);
    EXPECT_EQ(postgres.Get(path), csv);
  }
}

}  // namespace
}  // namespace silverwork::testing

#endif  // SILVERWORK_HAVE_POSTGRES
