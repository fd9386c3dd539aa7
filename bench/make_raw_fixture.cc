// Fills a warehouse's raw tables with synthetic data at benchmark scale,
// without the network: the simulator's own generators produce the list and
// detail items and the projects pages, and the collectors' parsers and
// loaders load them, so the rows are exactly what a collection would load.
//
//   make_raw_fixture --warehouse W.db --postings 1000000 --projects-per-year 20000
//   make_raw_fixture --warehouse W.db --append-days 1 ...   (one more day, newer load time)
//   make_raw_fixture --engine postgres --warehouse postgresql://u@127.0.0.1:5432/db
//                    --password-file F ...                 (the same rows on PostgreSQL)
//   make_raw_fixture ... --loaded-daily    (each posting loaded on its start day, as a daily
//                                           collection would; projects at --loaded-at)
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

#include "common/date.h"
#include "common/log.h"
#include "ingest/raw_tables.h"
#include "simulator/envelopes.h"
#include "simulator/postings.h"
#include "simulator/projects.h"
#include "simulator/simulator.h"
#include "sources/envelope.h"
#include "warehouse/warehouse.h"

namespace silverwork {
namespace {

std::string PageXml(const std::string& items) {
  return "<response><header><resultCode>00</resultCode><resultMsg>NORMAL SERVICE.</resultMsg>"
         "</header><body><items>" +
         items + "</items></body></response>";
}

int Main(int argc, char** argv) {
  CLI::App app{"fill raw_postings and raw_projects with synthetic data"};
  std::string warehouse_path;
  std::string engine = "sqlite";
  std::string password_file;
  int64_t postings = 1'000'000;
  int64_t projects_per_year = 20'000;
  int append_days = 0;
  std::string today_text = "2026-11-24";
  app.add_option("--warehouse", warehouse_path,
                 "SQLite: the database file; PostgreSQL: a connection URL without a password")
      ->required();
  app.add_option("--engine", engine, "warehouse engine")->check(CLI::IsMember({"sqlite", "postgres"}));
  app.add_option("--password-file", password_file, "PostgreSQL: a file holding the password");
  app.add_option("--postings", postings, "postings from 2018-01-01 to --today");
  app.add_option("--projects-per-year", projects_per_year, "rows per projects file (5 files)");
  app.add_option("--today", today_text);
  std::string loaded_at;
  app.add_option("--loaded-at", loaded_at,
                 "load time stamped on the rows (default: now), e.g. 2026-11-20T01:00:00Z");
  app.add_option("--append-days", append_days,
                 "only load the postings of N days after --today, as a newer load");
  bool loaded_daily = false;
  app.add_flag("--loaded-daily", loaded_daily,
               "stamp each posting as loaded at 01:00 UTC on its start day, so incremental "
               "models' look-back windows cover days, not the whole history");
  CLI11_PARSE(app, argc, argv);
  InitLogging({.level = LogLevel::kWarn});

  auto today = Date::Parse(today_text);
  if (!today.ok()) return std::fprintf(stderr, "%s\n", today.status().ToUserMessage().c_str()), 2;
  const Date first_day = Date::FromYmd(2018, 1, 1);
  const double per_day = static_cast<double>(postings) / (first_day.DaysUntil(*today) + 1);
  auto opened = OpenWarehouse(
      {.engine = engine, .location = warehouse_path, .password_file = password_file});
  if (!opened.ok()) return std::fprintf(stderr, "%s\n", opened.status().ToUserMessage().c_str()), 1;
  Warehouse& warehouse = **opened;
  if (Status ensured = EnsureRawTables(warehouse); !ensured.ok()) {
    std::fprintf(stderr, "%s\n", ensured.ToUserMessage().c_str());
    return 1;
  }

  simulator::PostingsModel model(20181, per_day, first_day);
  const Date last_day = today->AddDays(append_days);
  auto calendar = model.CalendarFor(last_day);
  auto before = model.CalendarFor(*today);
  const int64_t begin = append_days > 0 ? before->total() : 0;
  const int64_t end = append_days > 0 ? calendar->total() : before->total();
  const LoadStamp stamp{
      append_days > 0 ? "fixture-append" : "fixture",
      loaded_at.empty() ? FormatUtcTimestamp(std::chrono::system_clock::now()) : loaded_at};

  PostingsLoader loader(warehouse);
  auto started = std::chrono::steady_clock::now();
  constexpr int64_t kChunk = 2000;
  // One load per chunk; with --loaded-daily a chunk also ends where the
  // start day changes, and carries that day's stamp.
  auto load_chunk = [&](const std::vector<simulator::Posting>& chunk) -> Status {
    std::string list_items;
    std::vector<DetailResult> details;
    for (const simulator::Posting& posting : chunk) {
      simulator::AppendListItem(posting, last_day, list_items);  // <item>...</item>
      std::string detail;
      simulator::AppendDetailItem(posting, detail);
      auto page = ParseSenuriXml(PageXml(detail), 200, "fixture");
      if (!page.ok()) return page.status();
      details.push_back({posting.job_id, std::move(page).value()});
    }
    auto list = ParseSenuriXml(PageXml(list_items), 200, "fixture");
    if (!list.ok()) return list.status();
    LoadStamp chunk_stamp = stamp;
    if (loaded_daily && append_days == 0)
      chunk_stamp.loaded_at = chunk.front().start_day.Iso() + "T01:00:00Z";
    Transaction transaction(warehouse);
    Status status = transaction.Begin();
    if (status.ok()) status = loader.LoadListPage(*list, chunk_stamp).status();
    if (status.ok()) status = loader.LoadDetails(details, chunk_stamp).status();
    if (status.ok()) status = transaction.Commit();
    return status;
  };
  std::vector<simulator::Posting> chunk;
  for (int64_t index = begin; index < end; ++index) {
    simulator::Posting posting = model.MakePosting(*calendar, index);
    bool new_day = loaded_daily && !chunk.empty() && chunk.front().start_day != posting.start_day;
    if (static_cast<int64_t>(chunk.size()) == kChunk || new_day) {
      if (Status status = load_chunk(chunk); !status.ok())
        return std::fprintf(stderr, "%s\n", status.ToString().c_str()), 1;
      chunk.clear();
    }
    chunk.push_back(std::move(posting));
  }
  if (!chunk.empty()) {
    if (Status status = load_chunk(chunk); !status.ok())
      return std::fprintf(stderr, "%s\n", status.ToString().c_str()), 1;
  }
  double posting_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  int64_t project_rows = 0;
  if (append_days == 0) {
    simulator::ProjectsCatalog catalog(20181, projects_per_year, KnownProjectFiles());
    ProjectColumnMap columns;
    ProjectsLoader projects(warehouse, columns);
    for (const auto& [year, file_id] : KnownProjectFiles()) {
      const simulator::ProjectsFile* file = catalog.FindFile(file_id);
      for (int64_t page_no = 1; (page_no - 1) * 1000 < file->rows; ++page_no) {
        auto page = ParseOdcloudJson(catalog.PageJson(*file, page_no, 1000), 200, "fixture");
        if (!page.ok()) return std::fprintf(stderr, "%s\n", page.status().ToString().c_str()), 1;
        Transaction transaction(warehouse);
        Status status = transaction.Begin();
        if (status.ok()) {
          auto loaded = projects.LoadPage(*page, year, file_id, stamp);
          status = loaded.status();
          if (loaded.ok()) project_rows += *loaded;
        }
        if (status.ok()) status = transaction.Commit();
        if (!status.ok()) return std::fprintf(stderr, "%s\n", status.ToString().c_str()), 1;
      }
    }
  }
  std::printf("loaded %lld postings (%.1f s) and %lld project rows into %s\n",
              static_cast<long long>(end - begin), posting_seconds,
              static_cast<long long>(project_rows), warehouse_path.c_str());
  return 0;
}

}  // namespace
}  // namespace silverwork

int main(int argc, char** argv) { return silverwork::Main(argc, argv); }
