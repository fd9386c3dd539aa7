// ServingSnapshot: everything the dashboard's charts read, loaded from the
// warehouse in one read transaction and kept in memory.
//
// Postings are held one compact record per posting (newest first) and rolled
// up into a few cubes over subsets of their dimensions; a chart asks for the
// smallest cube that still holds every dimension it filters or groups by, so
// most charts scan a few thousand cells instead of a million rows, and the
// rare query no cube holds scans the records. Projects (far fewer) are one
// cube. Small tables the status tab shows are copied as they are.
//
// The server must stay small while a reload holds two snapshots, so the
// cubes are summed in place with a flat hash table (no per-cell nodes, no
// intermediate copies) and the largest combinations are left out.
//
// A snapshot is immutable once loaded and is shared between server threads
// through std::shared_ptr<const ServingSnapshot>; reloading builds a new one.
// The status tab's part that collections change too (ServingStatus, below)
// is loaded and replaced on its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "serve/catalog.h"
#include "serve/freshness.h"
#include "warehouse/warehouse.h"

namespace silverwork::serve {

// One value of a dimension: its code (what the API takes) and its label.
struct DimensionValue {
  std::string code;
  std::string label;
  std::string name_en;  // provinces: the map geometry's feature name
};

// The values a dimension takes, in display order; a value's index is what
// records and cells store.
class Dimension {
 public:
  // Returns the index of `code`, adding it (with `label`) when new.
  uint16_t Intern(std::string_view code, std::string_view label, std::string_view name_en = {});
  std::optional<uint16_t> Find(std::string_view code) const;
  const DimensionValue& at(size_t index) const { return values_.at(index); }
  const std::vector<DimensionValue>& values() const { return values_; }
  size_t size() const { return values_.size(); }

 private:
  std::vector<DimensionValue> values_;
  std::unordered_map<std::string, uint16_t> by_code_;
};

// Codes standing for NULL in a dimension (the marts' own spellings).
inline constexpr std::string_view kUnknownCode = "unknown";
inline constexpr std::string_view kUnknownLabel = "미상";
inline constexpr std::string_view kUnclassifiedJobCode = "unclassified";
inline constexpr std::string_view kUnclassifiedJobLabel = "미분류";

// Each posting keeps its preference categories as a bit mask of this width;
// a seed with more categories fails the load with a message saying so.
using PreferenceMask = uint32_t;
inline constexpr size_t kMaxPreferenceCategories = 32;

// One posting (fct_job_postings), as the table endpoint pages through them
// and as the charts scan them for the few queries no cube answers. 16 bytes:
// a million postings take 16 MB. Its job id (to fetch the row's text) is in
// ServingSnapshot::job_ids at the record's index.
struct PostingRecord {
  PreferenceMask preferences = 0;  // bit i: the posting mentions preference value i
  uint32_t headcount = 0;
  int16_t year = 0;
  uint16_t job_class = 0;
  uint8_t month = 0;  // 1..12
  uint8_t province = 0;
  uint8_t shape = 0;
  uint8_t is_open = 0;
};
static_assert(sizeof(PostingRecord) == 16);

// Strings kept end to end in one buffer, found by index: a million job ids
// of 16 characters take 20 MB instead of the 32 MB of as many std::strings.
class PackedStrings {
 public:
  void Add(std::string_view text);
  std::string_view at(size_t index) const {
    return std::string_view(text_).substr(ends_[index], ends_[index + 1] - ends_[index]);
  }
  size_t size() const { return ends_.size() - 1; }
  void Reserve(size_t strings, size_t characters);
  void ShrinkToFit();

 private:
  std::string text_;
  std::vector<uint32_t> ends_{0};  // string i is [ends_[i], ends_[i + 1])
};

// Postings summed over one combination of dimension values. Dimensions a
// cube rolls up hold the "any" markers below. Sums fit 32 bits because the
// loader refuses a warehouse whose total headcount does not.
struct PostingCell {
  PreferenceMask preferences = 0;
  uint32_t postings = 0;
  uint32_t open_postings = 0;
  uint32_t headcount = 0;
  int16_t year = 0;
  uint16_t job_class = 0;  // kAnyJobClass when rolled up
  uint8_t month = 0;       // kAnyMonth when rolled up
  uint8_t province = 0;
  uint8_t shape = 0;
};
static_assert(sizeof(PostingCell) == 24);
inline constexpr uint8_t kAnyMonth = 0;
inline constexpr uint16_t kAnyJobClass = 0xFFFF;

// The optional dimensions of a postings cube; year, province and shape are
// always kept (they are small).
enum PostingDims : uint8_t {
  kByMonth = 1,
  kByJobClass = 2,
  kByPreferences = 4,
  kAllPostingDims = 7,
};

// Cells sorted by year (then the other dimensions), so a year range is one
// contiguous run of cells.
struct PostingCube {
  uint8_t dims = 0;
  std::vector<PostingCell> cells;
};

// Postings counted once per preference category they mention: the cells of
// category i (their `preferences` is bit i) are [starts[i], starts[i+1]),
// and a last slice holds the postings that mention none (`preferences` 0).
// A filter on one category, or counts per category, read these slices
// instead of scanning every combination of categories. `dims` never has
// kByPreferences; each slice is sorted by year.
struct CategoryCube {
  uint8_t dims = 0;
  std::vector<PostingCell> cells;
  std::vector<uint32_t> starts;  // categories + 2 entries
};

// Non-deleted projects summed per combination of their dimensions.
struct ProjectCell {
  uint64_t target_jobs = 0;
  uint32_t projects = 0;
  int16_t year = 0;
  uint8_t province = 0;
  uint8_t type_group = 0;
  uint16_t type_code = 0;
  uint16_t continuation_years = 0;
  uint8_t start_month = 0;  // 0: unknown
};

// Residents aged 65+ by province for one year (mart_per_capita).
struct PopulationYear {
  int year = 0;
  std::vector<int64_t> aged_65_plus;  // by province index; 0 when unknown
};

// Tables the 데이터 현황 tab shows, copied as they are.
struct TableCopy {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  bool present = false;  // false when the table does not exist (yet)
};

struct SourceFreshness {
  std::string table;
  int64_t rows = 0;
  std::string newest_loaded_at;  // empty when the table is empty or missing
  bool present = false;
};

struct ServingSnapshot {
  Dimension provinces;    // the 17 provinces in seed order, then 'unknown'
  Dimension shapes;       // employment shapes
  Dimension job_classes;  // job classes, 'unclassified' first
  Dimension preferences;  // preference categories (at most kMaxPreferenceCategories)
  Dimension type_groups;  // project type groups
  Dimension type_codes;   // project type codes
  std::vector<std::string> type_code_categories;  // by type code index
  int min_year = 0;
  int max_year = 0;

  std::vector<PostingRecord> postings;  // newest first (start_date desc, job_id)
  PackedStrings job_ids;                // postings[i]'s job id is job_ids.at(i)
  bool postings_by_year = false;        // postings' years never increase (so a range is contiguous)
  std::vector<PostingCube> posting_cubes;    // smallest first
  std::vector<CategoryCube> category_cubes;  // smallest first
  std::vector<ProjectCell> projects;
  std::vector<PopulationYear> population;  // ascending years

  // What builds write for the status tab; what every run writes is in
  // ServingStatus, loaded on its own.
  TableCopy data_quality;  // mart_data_quality
  TableCopy test_results;  // _sw_test_failures of the newest test run
  // The 데이터 카탈로그 tab's catalog (catalog.h); empty before a build stored one.
  std::shared_ptr<const DataCatalog> catalog = std::make_shared<const DataCatalog>();

  std::chrono::system_clock::time_point loaded_at;  // when the load finished
  double load_seconds = 0;

  // The smallest cube holding every dimension in `dims` (a PostingDims
  // mask), or null when none does: month with preferences is not kept as a
  // cube (it would be the largest by far), so those queries scan `postings`.
  const PostingCube* CubeFor(uint8_t dims) const;
  // The smallest category cube holding `dims` (without kByPreferences), or
  // null when none does (month with job class).
  const CategoryCube* CategoryCubeFor(uint8_t dims) const;
  // The postings whose year is in [year_from, year_to]: a contiguous run when
  // `postings_by_year`, else all of them (callers filter by year anyway).
  std::span<const PostingRecord> PostingsInYears(int year_from, int year_to) const;
  // The job id of `record`. REQUIRES: `record` is one of `postings`.
  std::string_view JobIdOf(const PostingRecord& record) const {
    return job_ids.at(static_cast<size_t>(&record - postings.data()));
  }
  // Residents aged 65+ in the newest population year not after `year`
  // (the oldest one when none is).
  const PopulationYear* PopulationFor(int year) const;
};

// The status tab's part that every run changes, a collection too: the raw
// tables' rows and newest _loaded_at, the newest posting, the run ledger.
// It reads no model, so it is loaded on its own whenever a task ends, while
// the marts (ServingSnapshot) load only when a build has finished: a
// collection's rows show at once and a build in progress is never shown
// half-way. Immutable once loaded; shared like the snapshot through
// std::shared_ptr<const ServingStatus>, replaced as a whole.
struct ServingStatus {
  std::vector<SourceFreshness> freshness;  // raw_postings, raw_projects
  PostingsFreshness postings_freshness;    // the newest posting, the last successful runs
  TableCopy runs;                          // _sw_runs, newest first
  std::chrono::system_clock::time_point loaded_at;
};

struct SnapshotLoadOptions {
  // On an engine whose read transactions can share one snapshot
  // (EngineTraits::export_snapshot_sql), the postings' categories are read
  // on a second connection (Warehouse::OpenPeer) and thread, in the same
  // snapshot, while `warehouse` reads the postings. False: every table on
  // `warehouse`, one after another (what an engine without shared
  // snapshots always does).
  bool second_connection = true;
};

// Loads a snapshot from the warehouse's facts and marts (one read
// transaction, the connection tuned for Workload::kSmallReads until it
// ends; with a second connection, its read transaction sees the same
// commit), stamped with `clock`'s time. Fails, naming the table, when a
// required table is missing: run `silverwork build` first. A failure of the
// second connection fails the load, saying so. Logs how long each phase
// took (info level).
Result<ServingSnapshot> LoadSnapshot(Warehouse& warehouse, Clock& clock,
                                     SnapshotLoadOptions options = {});

// Loads the status part (one read transaction), stamped with `clock`'s
// time. Tables not there yet read as absent or empty: it loads on a
// warehouse no build has filled.
Result<ServingStatus> LoadServingStatus(Warehouse& warehouse, Clock& clock);

}  // namespace silverwork::serve
