// How the snapshot is loaded must not change what it holds: loaded with the
// postings' categories on a second connection (engines that share a read
// transaction's snapshot) it equals the snapshot loaded on one connection,
// the categories agree with the SQL, the second connection reads the first
// one's commit, and a second connection that fails fails the load clearly.
#include <algorithm>
#include <map>

#include "common/clock.h"
#include "serve/peer_refusing_warehouse.h"
#include "serve/serve_harness.h"
#include "warehouse/engine_traits.h"

namespace silverwork::serve::testing {
namespace {

// The load stamps its time and times its phases: a fake clock, never the
// wall clock, for both.
Clock& LoadClock() {
  static FakeClock clock(std::chrono::system_clock::from_time_t(1'780'000'000));
  return clock;
}

Result<ServingSnapshot> LoadFixture(SnapshotLoadOptions options) {
  SW_ASSIGN_OR_RETURN(auto warehouse, OpenWarehouse(SharedFixture::Get().options(true)));
  return LoadSnapshot(*warehouse, LoadClock(), options);
}

std::vector<std::tuple<std::string, std::string, std::string>> Values(const Dimension& dimension) {
  std::vector<std::tuple<std::string, std::string, std::string>> values;
  for (const DimensionValue& value : dimension.values())
    values.emplace_back(value.code, value.label, value.name_en);
  return values;
}

auto RecordKey(const PostingRecord& record) {
  return std::tuple(record.preferences, record.headcount, record.year, record.job_class,
                    record.month, record.province, record.shape, record.is_open);
}

auto CellKey(const PostingCell& cell) {
  return std::tuple(cell.preferences, cell.postings, cell.open_postings, cell.headcount, cell.year,
                    cell.job_class, cell.month, cell.province, cell.shape);
}

auto ProjectKey(const ProjectCell& cell) {
  return std::tuple(cell.target_jobs, cell.projects, cell.year, cell.province, cell.type_group,
                    cell.type_code, cell.continuation_years, cell.start_month);
}

template <typename T, typename Key>
auto Keys(const std::vector<T>& items, Key key) {
  std::vector<decltype(key(items.front()))> keys;
  for (const T& item : items) keys.push_back(key(item));
  return keys;
}

void ExpectSameSnapshot(const ServingSnapshot& actual, const ServingSnapshot& expected) {
  EXPECT_EQ(Values(actual.provinces), Values(expected.provinces));
  EXPECT_EQ(Values(actual.shapes), Values(expected.shapes));
  EXPECT_EQ(Values(actual.job_classes), Values(expected.job_classes));
  EXPECT_EQ(Values(actual.preferences), Values(expected.preferences));
  EXPECT_EQ(Values(actual.type_groups), Values(expected.type_groups));
  EXPECT_EQ(Values(actual.type_codes), Values(expected.type_codes));
  EXPECT_EQ(actual.type_code_categories, expected.type_code_categories);
  EXPECT_EQ(actual.min_year, expected.min_year);
  EXPECT_EQ(actual.max_year, expected.max_year);
  EXPECT_EQ(actual.postings_by_year, expected.postings_by_year);
  ASSERT_EQ(actual.postings.size(), expected.postings.size());
  EXPECT_TRUE(Keys(actual.postings, RecordKey) == Keys(expected.postings, RecordKey));
  ASSERT_EQ(actual.job_ids.size(), expected.job_ids.size());
  for (size_t index = 0; index < actual.job_ids.size(); ++index) {
    ASSERT_EQ(actual.job_ids.at(index), expected.job_ids.at(index)) << "record " << index;
  }
  ASSERT_EQ(actual.posting_cubes.size(), expected.posting_cubes.size());
  for (size_t cube = 0; cube < actual.posting_cubes.size(); ++cube) {
    EXPECT_EQ(actual.posting_cubes[cube].dims, expected.posting_cubes[cube].dims);
    EXPECT_TRUE(Keys(actual.posting_cubes[cube].cells, CellKey) ==
                Keys(expected.posting_cubes[cube].cells, CellKey))
        << "cube " << cube;
  }
  ASSERT_EQ(actual.category_cubes.size(), expected.category_cubes.size());
  for (size_t cube = 0; cube < actual.category_cubes.size(); ++cube) {
    EXPECT_EQ(actual.category_cubes[cube].starts, expected.category_cubes[cube].starts);
    EXPECT_TRUE(Keys(actual.category_cubes[cube].cells, CellKey) ==
                Keys(expected.category_cubes[cube].cells, CellKey))
        << "category cube " << cube;
  }
  EXPECT_TRUE(Keys(actual.projects, ProjectKey) == Keys(expected.projects, ProjectKey));
  ASSERT_EQ(actual.population.size(), expected.population.size());
  for (size_t year = 0; year < actual.population.size(); ++year) {
    EXPECT_EQ(actual.population[year].year, expected.population[year].year);
    EXPECT_EQ(actual.population[year].aged_65_plus, expected.population[year].aged_65_plus);
  }
}

// docs/serve.md: type groups and codes are listed in their codes' byte
// order, the unknown one last, on every engine, never in the order the
// engine's plan returns the projects' cells (PostgreSQL's changed once
// builds collected statistics).
TEST(SnapshotLoad, ProjectTypesAreInTheirCodesByteOrderOnEveryEngine) {
  ASSERT_TRUE(SharedFixture::Get().status().ok()) << SharedFixture::Get().status().ToString();
  auto loaded = LoadFixture({});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  for (const Dimension* dimension : {&loaded->type_groups, &loaded->type_codes}) {
    std::vector<std::string> codes;
    for (const DimensionValue& value : dimension->values()) codes.push_back(value.code);
    ASSERT_GE(codes.size(), 3u) << "the fixture should hold several project types";
    if (codes.back() == kUnknownCode) codes.pop_back();
    EXPECT_TRUE(std::is_sorted(codes.begin(), codes.end())) << ::testing::PrintToString(codes);
    EXPECT_EQ(std::count(codes.begin(), codes.end(), std::string(kUnknownCode)), 0)
        << "the unknown type comes last";
  }
}

TEST(SnapshotLoad, ASecondConnectionLoadsWhatOneConnectionLoads) {
  ASSERT_TRUE(SharedFixture::Get().status().ok()) << SharedFixture::Get().status().ToString();
  auto two = LoadFixture({.second_connection = true});
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  auto one = LoadFixture({.second_connection = false});
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_GT(one->postings.size(), 0u);
  ExpectSameSnapshot(*two, *one);
}

// The categories (read on the second connection where there is one) agree
// with the SQL: postings per category, and postings with none.
TEST(SnapshotLoad, EveryPostingHasTheCategoriesTheMartsGiveIt) {
  ASSERT_TRUE(SharedFixture::Get().status().ok()) << SharedFixture::Get().status().ToString();
  auto snapshot = LoadFixture({});
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  std::map<std::string, int64_t> loaded;
  int64_t without = 0;
  for (const PostingRecord& record : snapshot->postings) {
    if (record.preferences == 0) ++without;
    for (size_t category = 0; category < snapshot->preferences.size(); ++category) {
      if (record.preferences & (PreferenceMask{1} << category))
        ++loaded[snapshot->preferences.at(category).code];
    }
  }
  auto warehouse = OpenWarehouse(SharedFixture::Get().options(true));
  ASSERT_TRUE(warehouse.ok()) << warehouse.status().ToString();
  std::map<std::string, int64_t> expected;
  for (const Row& row : AllRows(**warehouse,
                                "SELECT CAST(p.category_id AS text), count(DISTINCT p.job_id) "
                                "FROM int_posting_preferences AS p JOIN fct_job_postings AS f "
                                "ON f.job_id = p.job_id WHERE p.category_id IS NOT NULL "
                                "GROUP BY 1")) {
    expected[ValueToString(row[0])] = std::get<int64_t>(row[1]);
  }
  ASSERT_GT(expected.size(), 3u);
  EXPECT_EQ(loaded, expected);
  EXPECT_EQ(without, std::stoll(ScalarText(**warehouse,
                                           "SELECT count(*) FROM fct_job_postings WHERE job_id "
                                           "NOT IN (SELECT job_id FROM int_posting_preferences "
                                           "WHERE category_id IS NOT NULL)")));
}

// On an engine that shares snapshots, the second connection reads the
// first one's commit, not a later one.
TEST(SnapshotLoad, TheSecondConnectionReadsTheFirstOnesCommit) {
  FixtureCopy copy;
  auto reader = copy.Open();
  ASSERT_NE(reader, nullptr);
  const EngineTraits& traits = reader->traits();
  if (traits.export_snapshot_sql().empty()) {
    EXPECT_EQ(copy.engine(), "sqlite") << "only SQLite cannot share a read transaction's snapshot";
    return;
  }
  ASSERT_TRUE(reader->Execute(traits.begin_read_sql()).ok());
  const std::string before = ScalarText(*reader, "SELECT count(*) FROM int_posting_preferences");
  const std::string id = ScalarText(*reader, std::string(traits.export_snapshot_sql()));

  auto writer = copy.Open();
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(writer->Execute("DELETE FROM int_posting_preferences").ok());
  ASSERT_EQ(ScalarText(*writer, "SELECT count(*) FROM int_posting_preferences"), "0");

  auto peer = reader->OpenPeer();
  ASSERT_TRUE(peer.ok()) << peer.status().ToString();
  ASSERT_TRUE((*peer)->Execute(traits.begin_read_sql()).ok());
  Status imported = (*peer)->Execute(traits.ImportSnapshotSql(id));
  ASSERT_TRUE(imported.ok()) << imported.ToString();
  EXPECT_NE(before, "0");
  EXPECT_EQ(ScalarText(**peer, "SELECT count(*) FROM int_posting_preferences"), before);
  EXPECT_TRUE((*peer)->Execute("COMMIT").ok());
  EXPECT_TRUE(reader->Execute("COMMIT").ok());
}

TEST(SnapshotLoad, ASecondConnectionThatFailsFailsTheLoadSayingSo) {
  ASSERT_TRUE(SharedFixture::Get().status().ok()) << SharedFixture::Get().status().ToString();
  auto inner = OpenWarehouse(SharedFixture::Get().options(true));
  ASSERT_TRUE(inner.ok()) << inner.status().ToString();
  PeerRefusingWarehouse warehouse(std::move(inner).value());
  const bool shares_snapshots = !warehouse.traits().export_snapshot_sql().empty();
  auto loaded = LoadSnapshot(warehouse, LoadClock());
  if (!shares_snapshots) {
    // Nothing asked of a second connection: everything on the first.
    EXPECT_EQ(warehouse.engine(), "sqlite");
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    EXPECT_EQ(warehouse.peers_asked, 0);
    return;
  }
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(warehouse.peers_asked, 1);
  EXPECT_EQ(loaded.status().code(), ErrorCode::kNetwork);
  EXPECT_NE(loaded.status().message().find("second connection"), std::string::npos)
      << loaded.status().ToString();
  EXPECT_NE(loaded.status().message().find("refused a second connection"), std::string::npos);
  // The first connection's read transaction ended: it reads again.
  EXPECT_FALSE(warehouse.InTransaction());
  auto again = LoadSnapshot(warehouse, LoadClock(), {.second_connection = false});
  EXPECT_TRUE(again.ok()) << again.status().ToString();
}

}  // namespace
}  // namespace silverwork::serve::testing
