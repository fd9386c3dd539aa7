// Discovering the projects files from the dataset's OpenAPI document:
// every file found, new ones collected on the next run, changed ones
// collected again with their old rows replaced, withdrawn ones kept and
// marked, pins with and without the document, and a reload that rebuilds
// all of it. Against the simulator, with a FakeClock for every date.
#include "ingest/projects_discovery.h"

#include <gtest/gtest.h>

#include "ingest/reloader.h"
#include "ingest_harness.h"

namespace silverwork::testing {
namespace {

constexpr const char* kLateFile = "0d5e8b1c-7f3a-4c2e-9b6d-51a0e4c7f2b9";
constexpr const char* kUnknownFile = "00000000-0000-0000-0000-000000000000";

std::string OldestFile() { return KnownProjectFiles().front().second; }
std::string NewestFile() { return KnownProjectFiles().back().second; }

std::chrono::system_clock::time_point Noon(Date day) {
  return std::chrono::system_clock::time_point(day.sys_days()) + std::chrono::hours(3);
}

// A simulator, a warehouse and a lake, and collection runs on a FakeClock
// that the tests move along with the simulator's day.
class DiscoveryWorld {
 public:
  explicit DiscoveryWorld(SimulatorOptions options = SmallWorldOptions())
      : harness(options), clock(Noon(kToday)) {}

  // Moves the simulated portal and the collector's clock to `day`.
  void SetDay(Date day) {
    harness.simulator->SetToday(day);
    clock.Advance(Noon(day) - clock.Now());
  }

  std::string DocumentUrl() const {
    return harness.simulator->base_url() + kSimulatorProjectsDocumentPath;
  }

  ProjectsCollectorOptions Options() const {
    ProjectsCollectorOptions options = harness.Projects();
    options.files.clear();
    options.openapi_url = DocumentUrl();
    return options;
  }

  ProjectsOutcome Collect(const ProjectsCollectorOptions& options) {
    std::string run_id = NextRunId();
    auto writer = LakeWriter::Open({.root = harness.LakePath(), .run_id = run_id, .fsync = false});
    if (!writer.ok()) throw std::runtime_error(writer.status().ToString());
    LakeSink sink(**writer);
    CollectorEnvironment environment{*harness.warehouse,
                                     **writer,
                                     sink,
                                     *harness.key,
                                     clock,
                                     [] { return CreateHttpClient(); },
                                     run_id};
    ProjectsCollector collector(options, environment);
    ProjectsOutcome outcome = collector.Run();
    EXPECT_TRUE((*writer)->Close().ok());
    return outcome;
  }
  ProjectsOutcome Collect() { return Collect(Options()); }

  Result<ProjectsDiscovery> Discover(std::map<int, std::string> pins = {}) {
    ProjectsDiscoveryOptions options;
    options.openapi_url = DocumentUrl();
    options.pins = std::move(pins);
    options.caller = harness.Caller();
    return DiscoverProjectFiles(options, *harness.warehouse, clock,
                                [] { return CreateHttpClient(); });
  }

  ProjectFileRecord Record(const std::string& file_id) {
    auto files = ReadProjectFiles(*harness.warehouse);
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    auto found = files->find(file_id);
    if (found == files->end()) {
      ADD_FAILURE() << "no registry row for " << file_id;
      return {};
    }
    return found->second;
  }

  int64_t Rows(const std::string& file_id, const std::string& where = "1 = 1") {
    return harness.Count("SELECT COUNT(*) FROM raw_projects WHERE _file_id = '" + file_id +
                         "' AND " + where);
  }

  // The file's row count as the simulator serves it today.
  int64_t Truth(const std::string& file_id) const { return harness.ProjectFileRows(file_id); }

  IngestHarness harness;
  FakeClock clock;

 private:
  std::string NextRunId() {
    // Run ids sort by start: the day, then a counter.
    std::string compact = Date::KoreaDay(clock.Now()).Compact();
    return compact + "T000000Z-" + std::to_string(1000 + ++runs_);
  }
  int runs_ = 0;
};

const ListingDiff* FindDiff(const std::vector<ListingDiff>& listing, const std::string& file_id) {
  for (const auto& diff : listing)
    if (diff.file_id == file_id) return &diff;
  return nullptr;
}

bool AnyContains(const std::vector<std::string>& lines, const std::string& text) {
  for (const auto& line : lines)
    if (line.find(text) != std::string::npos) return true;
  return false;
}

TEST(ProjectsDiscovery, CollectsEveryListedFileAndRecordsIt) {
  DiscoveryWorld world;
  ProjectsOutcome outcome = world.Collect();
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(outcome.stats.files, static_cast<int64_t>(KnownProjectFiles().size()));
  EXPECT_EQ(world.harness.simulator->Stats().document_calls, 1);
  EXPECT_EQ(world.harness.simulator->Stats().document_calls_with_key, 0) << "never send the key";
  const std::string seen_at = FormatUtcTimestamp(world.clock.Now());
  for (const auto& [year, file_id] : KnownProjectFiles()) {
    ProjectFileRecord record = world.Record(file_id);
    // The year comes from the rows' 사업년도, not from a config line.
    EXPECT_EQ(record.file_year, year) << file_id;
    EXPECT_EQ(record.row_years, std::vector<std::string>{std::to_string(year)}) << file_id;
    EXPECT_EQ(record.row_count, world.Truth(file_id)) << file_id;
    EXPECT_EQ(world.Rows(file_id), record.row_count) << file_id;
    EXPECT_EQ(world.Rows(file_id, "_file_year = '" + std::to_string(year) + "'"), record.row_count);
    EXPECT_EQ(record.content_hash.size(), 16u);
    EXPECT_TRUE(record.summary.starts_with("한국노인인력개발원_노인일자리사업 통합정보_"));
    EXPECT_TRUE(record.published_on.has_value());
    EXPECT_EQ(record.published, true);
    EXPECT_EQ(record.first_seen_at, seen_at);
    EXPECT_EQ(record.last_seen_at, seen_at);
    EXPECT_FALSE(record.collected_by.empty());
    EXPECT_TRUE(record.pass_started_by.empty()) << "no collection left in progress";
    EXPECT_EQ(outcome.stats.rows_per_year.at(year), record.row_count);
    const ListingDiff* diff = FindDiff(outcome.stats.listing, file_id);
    ASSERT_NE(diff, nullptr);
    EXPECT_EQ(diff->change, ListingChange::kNew);
  }
  EXPECT_EQ(world.Record("abd1cfb1-5ba2-491f-9729-84bba214f87d").published_on,
            Date::FromYmd(2023, 4, 17));
}

TEST(ProjectsDiscovery, ANewFileAppearsOnItsDayAndIsCollectedOnTheNextRun) {
  SimulatorOptions options = SmallWorldOptions();
  const Date published = kToday.AddDays(10);
  options.data.projects_events.published =
      ProjectsFileEvents::Published{2025, kLateFile, published};
  DiscoveryWorld world(options);
  ASSERT_TRUE(world.Collect().status.ok());
  EXPECT_EQ(world.Rows(kLateFile), 0);
  auto unchanged = world.Discover();
  ASSERT_TRUE(unchanged.ok()) << unchanged.status().ToString();
  EXPECT_FALSE(unchanged->changed());

  world.SetDay(published);
  auto discovered = world.Discover();
  ASSERT_TRUE(discovered.ok());
  EXPECT_TRUE(discovered->changed());
  ASSERT_NE(FindDiff(discovered->listing, kLateFile), nullptr);
  EXPECT_EQ(FindDiff(discovered->listing, kLateFile)->change, ListingChange::kNew);
  EXPECT_TRUE(AnyContains(discovered->Lines(), "changed since the last collection: 1 new"));
  EXPECT_EQ(world.Rows(kLateFile), 0) << "discovery collects nothing";

  ProjectsOutcome next = world.Collect();
  ASSERT_TRUE(next.status.ok()) << next.status.ToString();
  EXPECT_EQ(world.Rows(kLateFile), world.Truth(kLateFile));
  EXPECT_EQ(world.Record(kLateFile).file_year, 2025);
  EXPECT_EQ(world.Record(kLateFile).published_on, published);
  EXPECT_EQ(world.Record(OldestFile()).first_seen_at, FormatUtcTimestamp(Noon(kToday)));
  EXPECT_EQ(world.Record(OldestFile()).last_seen_at, FormatUtcTimestamp(Noon(published)));
  EXPECT_TRUE(AnyContains(next.stats.ReportLines(), std::string("new file ") + kLateFile));
  auto after = world.Discover();
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->changed());
  EXPECT_TRUE(AnyContains(after->Lines(), "no change since the last collection"));
}

TEST(ProjectsDiscovery, ARedatedFileIsCollectedAgainAndItsOldRowsReplaced) {
  SimulatorOptions options = SmallWorldOptions();
  const Date revised_on = kToday.AddDays(5);
  options.data.projects_events.revised = ProjectsFileEvents::Revised{NewestFile(), revised_on};
  DiscoveryWorld world(options);
  ASSERT_TRUE(world.Collect().status.ok());
  ProjectFileRecord before = world.Record(NewestFile());
  ProjectFileRecord other_before = world.Record(OldestFile());

  world.SetDay(revised_on);
  auto discovered = world.Discover();
  ASSERT_TRUE(discovered.ok());
  EXPECT_TRUE(discovered->changed());
  const ListingDiff* diff = FindDiff(discovered->listing, NewestFile());
  ASSERT_NE(diff, nullptr);
  EXPECT_EQ(diff->change, ListingChange::kRedated);
  EXPECT_EQ(diff->published_on, revised_on);
  EXPECT_EQ(diff->previous_published_on, before.published_on);

  ProjectsOutcome again = world.Collect();
  ASSERT_TRUE(again.status.ok()) << again.status.ToString();
  ProjectFileRecord after = world.Record(NewestFile());
  EXPECT_EQ(after.published_on, revised_on);
  EXPECT_NE(after.content_hash, before.content_hash);
  EXPECT_LT(after.row_count, before.row_count);
  // Exactly the new edition's rows: the old plan-change rows are gone.
  EXPECT_EQ(world.Rows(NewestFile()), world.Truth(NewestFile()));
  EXPECT_EQ(world.Rows(NewestFile(), "_file_pass = '" + after.collected_by + "'"), after.row_count);
  const CompletedProjectsFile* completed = nullptr;
  for (const auto& file : again.stats.completed)
    if (file.record.file_id == NewestFile()) completed = &file;
  ASSERT_NE(completed, nullptr);
  EXPECT_TRUE(completed->rows_changed);
  EXPECT_GT(completed->rows_replaced, 0);
  // The other files were read again and found as they were.
  EXPECT_EQ(world.Record(OldestFile()).content_hash, other_before.content_hash);
  EXPECT_EQ(world.Rows(OldestFile()), other_before.row_count);
}

TEST(ProjectsDiscovery, ANewEditionMidRoundIsReadInThatRound) {
  SimulatorOptions options = SmallWorldOptions();
  const Date revised_on = kToday.AddDays(1);
  options.data.projects_events.revised = ProjectsFileEvents::Revised{OldestFile(), revised_on};
  DiscoveryWorld world(options);
  // The quota ends the first run after the oldest file (read first) is done.
  SimulatorFaultOptions faults;
  faults.daily_quota = 4;
  world.harness.simulator->SetFaults(faults);
  ProjectsOutcome first = world.Collect();
  ASSERT_TRUE(first.status.IsQuotaExhausted()) << first.status.ToString();
  ASSERT_EQ(first.stats.files, 1);
  ASSERT_EQ(first.stats.completed.at(0).record.file_id, OldestFile());

  ProjectsOutcome outcome;
  for (int day = 1; day < 30; ++day) {
    world.SetDay(kToday.AddDays(day));
    world.harness.simulator->SetFaults(faults);
    outcome = world.Collect();
    if (!outcome.status.IsQuotaExhausted()) break;
  }
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(world.Record(OldestFile()).published_on, revised_on);
  EXPECT_EQ(world.Rows(OldestFile()), world.Truth(OldestFile())) << "the new edition's rows";
}

TEST(ProjectsDiscovery, ChangedRowsUnderTheSameDateAreFoundByTheContentHash) {
  SimulatorOptions options = SmallWorldOptions();
  const Date revised_on = kToday.AddDays(5);
  options.data.projects_events.revised =
      ProjectsFileEvents::Revised{NewestFile(), revised_on, /*keep_summary_date=*/true};
  DiscoveryWorld world(options);
  ASSERT_TRUE(world.Collect().status.ok());
  std::string hash_before = world.Record(NewestFile()).content_hash;
  world.SetDay(revised_on);
  auto discovered = world.Discover();
  ASSERT_TRUE(discovered.ok());
  EXPECT_FALSE(discovered->changed()) << "the document cannot tell";
  ProjectsOutcome again = world.Collect();
  ASSERT_TRUE(again.status.ok());
  EXPECT_NE(world.Record(NewestFile()).content_hash, hash_before);
  EXPECT_EQ(world.Rows(NewestFile()), world.Truth(NewestFile()));
  EXPECT_TRUE(AnyContains(again.stats.ReportLines(), "rows changed in file " + NewestFile()));
}

TEST(ProjectsDiscovery, AWithdrawnFileKeepsItsRowsMarkedAsNoLongerPublished) {
  SimulatorOptions options = SmallWorldOptions();
  const Date withdrawn_on = kToday.AddDays(3);
  options.data.projects_events.withdrawn =
      ProjectsFileEvents::Withdrawn{OldestFile(), withdrawn_on};
  DiscoveryWorld world(options);
  ASSERT_TRUE(world.Collect().status.ok());
  int64_t rows = world.Rows(OldestFile());
  ASSERT_GT(rows, 0);

  world.SetDay(withdrawn_on);
  auto discovered = world.Discover();
  ASSERT_TRUE(discovered.ok());
  EXPECT_TRUE(discovered->changed());
  EXPECT_EQ(FindDiff(discovered->listing, OldestFile())->change, ListingChange::kWithdrawn);
  EXPECT_TRUE(AnyContains(discovered->Lines(), "kept, marked as no longer published"));

  ProjectsOutcome outcome = world.Collect();
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(world.Rows(OldestFile()), rows);
  ProjectFileRecord record = world.Record(OldestFile());
  EXPECT_EQ(record.published, false);
  EXPECT_EQ(record.row_count, rows);
  EXPECT_EQ(record.last_seen_at, FormatUtcTimestamp(Noon(kToday)));
  EXPECT_TRUE(AnyContains(outcome.stats.notices, OldestFile() + " ("));
  EXPECT_EQ(outcome.stats.files, static_cast<int64_t>(KnownProjectFiles().size()) - 1);
  auto settled = world.Discover();
  ASSERT_TRUE(settled.ok());
  EXPECT_FALSE(settled->changed()) << "a file stays withdrawn without being reported again";
}

TEST(ProjectsDiscovery, PinsWithTheDocumentCollectOnlyThePinsAndReportTheOthers) {
  DiscoveryWorld world;
  ProjectsCollectorOptions options = world.Options();
  options.files = {{2022, KnownProjectFiles()[2].second}, {2023, KnownProjectFiles()[3].second}};
  ProjectsOutcome outcome = world.Collect(options);
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(outcome.stats.files, 2);
  EXPECT_EQ(world.Rows(OldestFile()), 0);
  EXPECT_TRUE(AnyContains(outcome.stats.notices,
                          "does not pin, so they are not collected: " + OldestFile()));
  EXPECT_EQ(world.Record(KnownProjectFiles()[2].second).file_year, 2022);
  auto discovered = world.Discover(options.files);
  ASSERT_TRUE(discovered.ok());
  EXPECT_FALSE(discovered->changed()) << "unpinned files are reported, not acted on";
  EXPECT_EQ(discovered->unpinned.size(), KnownProjectFiles().size() - 2);
}

TEST(ProjectsDiscovery, PinsWithoutTheDocumentGoOnWithAWarning) {
  DiscoveryWorld world;
  SimulatorFaultOptions faults;
  faults.document_fault = ProjectsDocumentFault::kUnavailable;
  world.harness.simulator->SetFaults(faults);
  ProjectsCollectorOptions options = world.Options();
  options.files = {{2018, OldestFile()}, {2024, NewestFile()}};
  ProjectsOutcome outcome = world.Collect(options);
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(outcome.stats.files, 2);
  EXPECT_TRUE(AnyContains(outcome.stats.notices, "could not be read"));
  EXPECT_TRUE(AnyContains(outcome.stats.notices, "collecting the 2 pinned files"));
  EXPECT_EQ(world.Rows(OldestFile()), world.Truth(OldestFile()));
  ProjectFileRecord record = world.Record(NewestFile());
  EXPECT_EQ(record.file_year, 2024) << "the pin names the year";
  EXPECT_EQ(record.published, std::nullopt) << "never seen in a document";
  EXPECT_TRUE(record.summary.empty());
}

TEST(ProjectsDiscovery, PinsAloneNeedNoDocument) {
  DiscoveryWorld world;
  ProjectsCollectorOptions options = world.Options();
  options.openapi_url.clear();
  options.files = {{2020, KnownProjectFiles()[1].second}};
  ProjectsOutcome outcome = world.Collect(options);
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  EXPECT_EQ(world.harness.simulator->Stats().document_calls, 0);
  EXPECT_EQ(outcome.stats.files, 1);
  options.files.clear();
  ProjectsOutcome nothing = world.Collect(options);
  EXPECT_EQ(nothing.status.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(nothing.status.hint().find("openapi_url"), std::string::npos);
}

class UnreadableDocument : public ::testing::TestWithParam<ProjectsDocumentFault> {};

TEST_P(UnreadableDocument, WithoutPinsIsAClearErrorAndCollectsNothing) {
  DiscoveryWorld world;
  SimulatorFaultOptions faults;
  faults.document_fault = GetParam();
  world.harness.simulator->SetFaults(faults);
  ProjectsOutcome outcome = world.Collect();
  ASSERT_FALSE(outcome.status.ok());
  EXPECT_NE(outcome.status.message().find("OpenAPI document could not be read"), std::string::npos)
      << outcome.status.message();
  EXPECT_NE(outcome.status.message().find(world.DocumentUrl()), std::string::npos);
  EXPECT_NE(outcome.status.hint().find("[projects.files]"), std::string::npos);
  EXPECT_EQ(world.harness.simulator->Stats().projects_calls, 0);
  EXPECT_EQ(world.harness.Count("SELECT COUNT(*) FROM raw_projects"), 0);
  auto discovered = world.Discover();
  EXPECT_FALSE(discovered.ok());
}

INSTANTIATE_TEST_SUITE_P(EveryFault, UnreadableDocument,
                         ::testing::Values(ProjectsDocumentFault::kUnavailable,
                                           ProjectsDocumentFault::kNotJson,
                                           ProjectsDocumentFault::kNoFiles));

TEST(ProjectsDiscovery, APinnedFileThePortalDoesNotKnowFailsAloneWithTheRightHint) {
  DiscoveryWorld world;
  ProjectsCollectorOptions options = world.Options();
  options.files = {{2018, OldestFile()}, {2021, kUnknownFile}, {2024, NewestFile()}};
  ProjectsOutcome outcome = world.Collect(options);
  ASSERT_EQ(outcome.status.code(), ErrorCode::kNotFound) << outcome.status.ToString();
  EXPECT_NE(outcome.status.message().find("1 of 3 projects files failed"), std::string::npos)
      << outcome.status.message();
  EXPECT_NE(outcome.status.message().find(kUnknownFile), std::string::npos);
  EXPECT_NE(outcome.status.message().find("not published (any more)"), std::string::npos);
  EXPECT_EQ(outcome.status.hint().find("DATA_GO_KR_SERVICE_KEY"), std::string::npos);
  EXPECT_NE(outcome.status.hint().find(world.DocumentUrl()), std::string::npos);
  EXPECT_NE(outcome.status.hint().find("[projects.files]"), std::string::npos);
  ASSERT_EQ(outcome.stats.failed_files.size(), 1u);
  // The others were collected, whole.
  EXPECT_EQ(outcome.stats.files, 2);
  EXPECT_EQ(world.Rows(OldestFile()), world.Truth(OldestFile()));
  EXPECT_EQ(world.Rows(NewestFile()), world.Truth(NewestFile()));
  EXPECT_EQ(world.Record(kUnknownFile).published, false);
  EXPECT_TRUE(
      AnyContains(outcome.stats.notices, "pinned files the OpenAPI document does not list"));
  // The round is over: the next run reads every file again.
  ProjectsOutcome next = world.Collect(options);
  EXPECT_EQ(next.stats.files, 2);
}

TEST(ProjectsDiscovery, TheYearComesFromTheRowsAndADisagreeingSummaryIsReported) {
  SimulatorOptions options = SmallWorldOptions();
  // Next year's plans, published in December: the summary says 2025.
  const Date published = Date::FromYmd(2025, 12, 20);
  options.data.projects_events.published =
      ProjectsFileEvents::Published{2026, kLateFile, published};
  DiscoveryWorld world(options);
  world.SetDay(published);
  ProjectsOutcome outcome = world.Collect();
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  ProjectFileRecord record = world.Record(kLateFile);
  EXPECT_EQ(record.published_on, published);
  EXPECT_EQ(record.file_year, 2026);
  EXPECT_EQ(world.Rows(kLateFile, "_file_year = '2026'"), record.row_count);
  EXPECT_TRUE(
      AnyContains(outcome.stats.notices,
                  std::string("projects file ") + kLateFile +
                      ": its summary dates it 2025-12-20 but its rows are of 사업년도 2026"));
  EXPECT_EQ(outcome.stats.rows_per_year.at(2026), record.row_count);
}

TEST(ProjectsDiscovery, AFileOfSeveralYearsIsReportedNotGuessed) {
  DiscoveryWorld world;
  Warehouse& warehouse = *world.harness.warehouse;
  ProjectColumnMap columns;
  ProjectFilesWriter writer(warehouse, columns, {});
  ASSERT_TRUE(writer.Open().ok());
  EnvelopePage page;
  page.total_count = 3;
  page.items = {{{"사업번호", "2022-00001"}, {"사업년도", "2022"}, {"사업계획변경순번", "1"}},
                {{"사업번호", "2023-00001"}, {"사업년도", "2023"}, {"사업계획변경순번", "1"}},
                {{"사업번호", "2023-00002"}, {"사업년도", "2023"}, {"사업계획변경순번", "2"}}};
  ASSERT_TRUE(writer.LoadPage("mixed", page, {"run-1", "2025-06-30T00:00:00Z"}).ok());
  auto completed = writer.CompleteFile("mixed", "run-1");
  ASSERT_TRUE(completed.ok()) << completed.status().ToString();
  EXPECT_EQ(completed->record.file_year, std::nullopt);
  EXPECT_EQ(completed->record.row_years, (std::vector<std::string>{"2022", "2023"}));
  EXPECT_EQ(world.Rows("mixed", "_file_year IS NULL"), 3);
  std::vector<std::string> notices = YearNotices(*completed);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].find("several 사업년도 (2022,2023)"), std::string::npos) << notices[0];
  EXPECT_NE(notices[0].find("[projects.files]"), std::string::npos);

  // A pin names the year; the rows' disagreement is still said.
  ProjectFilesWriter pinned(warehouse, columns, {{2023, "mixed"}});
  ASSERT_TRUE(pinned.Open().ok());
  ASSERT_TRUE(pinned.LoadPage("mixed", page, {"run-2", "2025-07-01T00:00:00Z"}).ok());
  auto named = pinned.CompleteFile("mixed", "run-2");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->record.file_year, 2023);
  EXPECT_EQ(world.Rows("mixed", "_file_year = '2023'"), 3);
  EXPECT_FALSE(named->rows_changed);
  EXPECT_NE(YearNotices(*named).at(0).find("pinned as 2023"), std::string::npos);
}

TEST(ProjectsDiscovery, TheSensorSaysChangedUntilACollectionActs) {
  SimulatorOptions options = SmallWorldOptions();
  const Date published = kToday.AddDays(2);
  options.data.projects_events.published =
      ProjectsFileEvents::Published{2025, kLateFile, published};
  DiscoveryWorld world(options);
  ProjectsDiscoveryOptions sensor;
  sensor.openapi_url = world.DocumentUrl();
  sensor.caller = world.harness.Caller();
  auto http = [] { return CreateHttpClient(); };
  Warehouse& warehouse = *world.harness.warehouse;
  EXPECT_EQ(ProjectFilesChanged(sensor, warehouse, world.clock, http).value(), true)
      << "nothing collected yet";
  ASSERT_TRUE(world.Collect().status.ok());
  EXPECT_EQ(ProjectFilesChanged(sensor, warehouse, world.clock, http).value(), false);
  world.SetDay(published);
  EXPECT_EQ(ProjectFilesChanged(sensor, warehouse, world.clock, http).value(), true);
  EXPECT_EQ(ProjectFilesChanged(sensor, warehouse, world.clock, http).value(), true)
      << "asking does not consume the change";
  ASSERT_TRUE(world.Collect().status.ok());
  EXPECT_EQ(ProjectFilesChanged(sensor, warehouse, world.clock, http).value(), false);
  sensor.openapi_url = world.harness.simulator->base_url() + "/oas/docs?namespace=1/v1";
  EXPECT_FALSE(ProjectFilesChanged(sensor, warehouse, world.clock, http).ok());
}

TEST(ProjectsDiscovery, AReloadRebuildsTheSameRowsAndRegistry) {
  SimulatorOptions options = SmallWorldOptions();
  const Date later = kToday.AddDays(7);
  options.data.projects_events.published = ProjectsFileEvents::Published{2025, kLateFile, later};
  options.data.projects_events.revised = ProjectsFileEvents::Revised{NewestFile(), later};
  options.data.projects_events.withdrawn = ProjectsFileEvents::Withdrawn{OldestFile(), later};
  DiscoveryWorld world(options);
  ASSERT_TRUE(world.Collect().status.ok());
  world.SetDay(later);
  // A small quota cuts the second collection into several runs, some of them
  // mid-file, so the reload must complete each file where the collector did.
  SimulatorFaultOptions faults;
  faults.daily_quota = 4;
  ProjectsOutcome outcome;
  for (int day = 0; day < 40; ++day) {
    world.harness.simulator->SetFaults(faults);  // a new quota
    outcome = world.Collect();
    if (!outcome.status.IsQuotaExhausted()) break;
    world.SetDay(later.AddDays(day + 1));
  }
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  world.harness.simulator->SetFaults({});
  EXPECT_EQ(world.Rows(NewestFile()), world.Truth(NewestFile()));
  EXPECT_EQ(world.Rows(kLateFile), world.Truth(kLateFile));
  std::string projects = world.harness.TableDigest("raw_projects");
  std::string registry = world.harness.TableDigest(std::string(kProjectFilesTable));
  ASSERT_NE(registry.find(kLateFile), std::string::npos);

  auto rebuilt =
      OpenWarehouse({.engine = "sqlite", .location = world.harness.dir.path() + "/rebuilt.db"});
  ASSERT_TRUE(rebuilt.ok());
  auto stats = ReloadFromLake({.lake_root = world.harness.LakePath(),
                               .project_files = {},
                               .column_aliases = {},
                               .loaded_at = "2030-01-01T00:00:00Z"},
                              **rebuilt);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_GT(stats->project_pages, 0);
  world.harness.warehouse = std::move(rebuilt).value();
  EXPECT_EQ(world.harness.TableDigest("raw_projects"), projects);
  EXPECT_EQ(world.harness.TableDigest(std::string(kProjectFilesTable)), registry);
}

}  // namespace
}  // namespace silverwork::testing
