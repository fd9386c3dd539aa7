#include <gtest/gtest.h>

#include "common/config.h"
#include "common/date.h"
#include "common/status.h"

namespace silverwork {
namespace {

TEST(Date, ParsesBothApiFormsAndRejectsImpossibleDays) {
  auto compact = Date::Parse("20221125");
  auto iso = Date::Parse("2022-11-25");
  ASSERT_TRUE(compact.ok());
  ASSERT_TRUE(iso.ok());
  EXPECT_EQ(*compact, *iso);
  EXPECT_EQ(compact->Iso(), "2022-11-25");
  EXPECT_EQ(iso->Compact(), "20221125");
  for (const char* bad : {"2023-02-30", "20231301", "2023/01/01", "", "2023-1-1", "abcdefgh"}) {
    auto parsed = Date::Parse(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidInput);
  }
}

TEST(Date, KoreaDayIsUtcPlusNine) {
  // 2022-11-24T15:30Z is 2022-11-25 00:30 in Korea.
  auto instant = Date::FromYmd(2022, 11, 24).sys_days() + std::chrono::hours(15) +
                 std::chrono::minutes(30);
  EXPECT_EQ(Date::KoreaDay(instant).Iso(), "2022-11-25");
  EXPECT_EQ(FormatKoreaTimestamp(instant), "2022-11-25T00:30:00+09:00");
  EXPECT_EQ(FormatUtcTimestamp(instant), "2022-11-24T15:30:00Z");
}

TEST(Date, Arithmetic) {
  Date day = Date::FromYmd(2024, 2, 28);
  EXPECT_EQ(day.AddDays(1).Iso(), "2024-02-29");
  EXPECT_EQ(day.AddDays(2).Iso(), "2024-03-01");
  EXPECT_EQ(day.DaysUntil(Date::FromYmd(2024, 3, 1)), 2);
}

TEST(Status, UserMessageSaysWhatWhyAndWhatToDo) {
  Status status(ErrorCode::kAuth, "getJobList failed with code 30", "set the key");
  EXPECT_EQ(status.ToUserMessage(), "error: getJobList failed with code 30\n  to fix: set the key");
  EXPECT_EQ(status.WithContext("collect").message(), "collect: getJobList failed with code 30");
  EXPECT_TRUE(Status::Ok().ok());
}

TEST(Config, DefaultsDiscoverTheProjectFilesFromTheirDocument) {
  Config config = DefaultConfig();
  EXPECT_TRUE(config.projects.files.empty()) << "no pins: the document lists the files";
  EXPECT_EQ(config.projects.openapi_url,
            "https://infuser.odcloud.kr/oas/docs?namespace=15050148/v1");
  EXPECT_EQ(config.warehouse_engine, "sqlite");
}

TEST(Config, ReadsEverySection) {
  auto config = ParseConfigText(R"(
project_dir = "proj"
[warehouse]
path = "/tmp/x.db"
[lake]
path = "/tmp/lake"
fsync = false
[postings]
base_url = "http://127.0.0.1:8089"
rows_per_page = 500
concurrency = 4
calls_per_second = 2.5
max_reach_back_days = 60
reserved_calls_per_day = 500
[projects]
per_page = 100
openapi_url = "http://127.0.0.1:8089/oas/docs?namespace=15050148/v1"
[projects.files]
2025 = "new-file-id"
[projects.column_aliases]
admProvNm = ["관할 시도"]
)",
                                "test.toml", DefaultConfig());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->warehouse_path, "/tmp/x.db");
  EXPECT_FALSE(config->lake_fsync);
  EXPECT_EQ(config->postings.rows_per_page, 500);
  EXPECT_DOUBLE_EQ(config->postings.calls_per_second, 2.5);
  EXPECT_EQ(config->postings.max_reach_back_days, 60);
  EXPECT_EQ(config->postings.reserved_calls_per_day, 500);
  EXPECT_EQ(config->projects.files.size(), 1u);
  EXPECT_EQ(config->projects.files.at(2025), "new-file-id");
  EXPECT_EQ(config->projects.openapi_url, "http://127.0.0.1:8089/oas/docs?namespace=15050148/v1");
  EXPECT_EQ(config->projects.column_aliases.at("admProvNm").at(0), "관할 시도");
}

TEST(Config, RejectsUnknownKeysWithTheirPath) {
  auto config = ParseConfigText("[postings]\nrows_per_pag = 5\n", "test.toml", DefaultConfig());
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("postings.rows_per_pag"), std::string::npos);
  auto top = ParseConfigText("warehous = 1\n", "test.toml", DefaultConfig());
  EXPECT_NE(top.status().message().find("'warehous'"), std::string::npos);
}

TEST(Config, RejectsWrongTypesAndBadValues) {
  EXPECT_FALSE(ParseConfigText("[postings]\nconcurrency = \"ten\"\n", "t", DefaultConfig()).ok());
  EXPECT_FALSE(ParseConfigText("[postings]\nconcurrency = 0\n", "t", DefaultConfig()).ok());
  EXPECT_FALSE(ParseConfigText("[projects.files]\nabc = 1\n", "t", DefaultConfig()).ok());
  EXPECT_FALSE(
      ParseConfigText("[postings]\nmax_reach_back_days = -1\n", "t", DefaultConfig()).ok());
  auto reserve = ParseConfigText(
      "[postings]\ncalls_per_day = 1000\nreserved_calls_per_day = 1000\n", "t", DefaultConfig());
  ASSERT_FALSE(reserve.ok());
  EXPECT_NE(reserve.status().message().find("below calls_per_day"), std::string::npos);
  auto syntax = ParseConfigText("[postings\n", "t", DefaultConfig());
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.status().message().find("t:"), std::string::npos);
}

TEST(Config, TheSchedulerSection) {
  auto config = ParseConfigText(
      "[scheduler]\npipelines_file = \"ops/pipelines.yml\"\nlogs_dir = \"/srv/logs\"\n"
      "log_retention_days = 7\npoll_interval_ms = 500\nlease_ttl_ms = 9000\n"
      "shutdown_grace_ms = 0\nkill_grace_ms = 2000\nmax_parallel_tasks = 3\n",
      "t", DefaultConfig());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->scheduler.pipelines_file, "ops/pipelines.yml");
  EXPECT_EQ(config->scheduler.logs_dir, "/srv/logs");
  EXPECT_EQ(config->scheduler.log_retention_days, 7);
  EXPECT_EQ(config->scheduler.poll_interval_ms, 500);
  EXPECT_EQ(config->scheduler.lease_ttl_ms, 9000);
  EXPECT_EQ(config->scheduler.shutdown_grace_ms, 0);
  EXPECT_EQ(config->scheduler.kill_grace_ms, 2000);
  EXPECT_EQ(config->scheduler.max_parallel_tasks, 3);
  EXPECT_EQ(DefaultConfig().scheduler.logs_dir, "var/logs");

  auto unknown = ParseConfigText("[scheduler]\npoll_interval = 5\n", "t", DefaultConfig());
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("'scheduler.poll_interval'"), std::string::npos);
  auto lease = ParseConfigText("[scheduler]\npoll_interval_ms = 2000\nlease_ttl_ms = 5000\n",
                               "t", DefaultConfig());
  ASSERT_FALSE(lease.ok());
  EXPECT_NE(lease.status().message().find("three times poll_interval_ms"), std::string::npos);
  for (const char* bad : {"max_parallel_tasks = 0", "log_retention_days = 0", "logs_dir = \"\""}) {
    const std::string text = std::string("[scheduler]\n") + bad + "\n";
    EXPECT_FALSE(ParseConfigText(text, "t", DefaultConfig()).ok()) << bad;
  }
}

TEST(Config, RefusesAnInlineServiceKey) {
  auto config = ParseConfigText("service_key = \"secret\"\n", "t", DefaultConfig());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message().find("secret\""), std::string::npos);
  EXPECT_NE(config.status().hint().find("DATA_GO_KR_SERVICE_KEY"), std::string::npos);
}

TEST(Config, ReadsThePostgresWarehouseAndRefusesAnInlinePassword) {
  auto config = ParseConfigText(R"(
[warehouse]
engine = "postgres"
url = "postgresql://silverwork@db.internal:5432/silverwork"
password_file = "/etc/silverwork/pgpassword"
statement_timeout_ms = 60000
)",
                                "t", DefaultConfig());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->warehouse_engine, "postgres");
  EXPECT_EQ(config->warehouse_url, "postgresql://silverwork@db.internal:5432/silverwork");
  EXPECT_EQ(config->warehouse_password_file, "/etc/silverwork/pgpassword");
  EXPECT_EQ(config->warehouse_statement_timeout_ms, 60000);

  auto inline_password =
      ParseConfigText("[warehouse]\npassword = \"hunter2-secret\"\n", "t", DefaultConfig());
  ASSERT_FALSE(inline_password.ok());
  EXPECT_EQ(inline_password.status().ToString().find("hunter2-secret"), std::string::npos);
  EXPECT_NE(inline_password.status().hint().find("password_file"), std::string::npos);
  EXPECT_FALSE(
      ParseConfigText("[warehouse]\nstatement_timeout_ms = -1\n", "t", DefaultConfig()).ok());
}

}  // namespace
}  // namespace silverwork
