#include "serve/snapshot.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <thread>
#include <tuple>
#include <utility>

#include "serve/cell_summer.h"
#include "warehouse/engine_traits.h"
#include "warehouse/session_settings.h"

namespace silverwork::serve {
namespace {

// Tables every snapshot needs; the rest (raw tables, run and test logs, the
// data-quality mart) are shown when present.
constexpr std::string_view kRequiredTables[] = {
    "provinces",
    "employment_shapes",
    "preference_keywords",
    "fct_job_postings",
    "int_posting_preferences",
    "fct_projects",
    "int_project_continuity",
    "mart_project_types",
    "mart_per_capita",
};

std::string Text(const Value& value) {
  return IsNull(value) ? std::string() : ValueToString(value);
}

int64_t Integer(const Value& value) {
  if (const auto* integer = std::get_if<int64_t>(&value)) return *integer;
  if (const auto* real = std::get_if<double>(&value)) return static_cast<int64_t>(*real);
  if (const auto* text = std::get_if<std::string>(&value)) {
    int64_t parsed = 0;
    std::from_chars(text->data(), text->data() + text->size(), parsed);
    return parsed;
  }
  return 0;
}

// `value`'s text, without a copy when it is text (other values are written
// into `scratch`); NULL is empty. Loading a million rows, a copy per cell
// would be most of the work.
std::string_view TextOf(const Value& value, std::string& scratch) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  scratch = Text(value);
  return scratch;
}

// "2024-03" -> 3; anything else -> 0.
uint8_t MonthOf(const Value& value) {
  std::string scratch;
  const std::string_view text = TextOf(value, scratch);
  if (text.size() < 7) return 0;
  int month = 0;
  std::from_chars(text.data() + 5, text.data() + 7, month);
  return month >= 1 && month <= 12 ? static_cast<uint8_t>(month) : 0;
}

// `value` as a T; beyond T's range fails the load (LoadSnapshot says which limit).
template <typename T>
T Narrow(uint64_t value, std::string_view what) {
  if (value > std::numeric_limits<T>::max()) {
    throw std::length_error(fmt::format("{} beyond {}", what, std::numeric_limits<T>::max()));
  }
  return static_cast<T>(value);
}

uint8_t SmallIndex(uint16_t index, std::string_view dimension) {
  if (index > 0xFE) throw std::length_error(fmt::format("more than 254 {} values", dimension));
  return static_cast<uint8_t>(index);
}

// Interns a nullable code; NULL becomes `null_code`.
uint16_t InternOrUnknown(Dimension& dimension, const Value& code, const Value& label,
                         std::string_view null_code, std::string_view null_label) {
  if (IsNull(code)) return dimension.Intern(null_code, null_label);
  std::string code_scratch, label_scratch;
  const std::string_view code_text = TextOf(code, code_scratch);
  return dimension.Intern(code_text, IsNull(label) ? code_text : TextOf(label, label_scratch));
}

// Sums records (as one-posting cells) or finer cells into the cube keeping `dims`.
template <typename Source>
PostingCube RollUp(std::span<const Source> sources, uint8_t dims) {
  CellSummer summer;
  for (const Source& source : sources) summer.Add(Masked(CellOf(source), dims));
  return {dims, summer.Take(YearFirst)};
}

// Counts each source once per category it mentions (once in the last slice
// when it mentions none), keeping `dims` (without kByPreferences).
template <typename Source>
CategoryCube Explode(std::span<const Source> sources, uint8_t dims, size_t categories) {
  CellSummer summer;
  for (const Source& source : sources) {
    PostingCell cell = Masked(CellOf(source), dims | kByPreferences);
    const PreferenceMask mentioned = cell.preferences;
    if (mentioned == 0) {
      summer.Add(cell);
      continue;
    }
    for (PreferenceMask bits = mentioned; bits != 0; bits &= bits - 1) {
      cell.preferences = bits & (~bits + 1);
      summer.Add(cell);
    }
  }
  const auto slice = [categories](const PostingCell& cell) {
    return cell.preferences == 0 ? categories
                                 : static_cast<size_t>(std::countr_zero(cell.preferences));
  };
  CategoryCube cube{dims,
                    summer.Take([&](const PostingCell& a, const PostingCell& b) {
                      const size_t slice_a = slice(a), slice_b = slice(b);
                      return slice_a != slice_b ? slice_a < slice_b : YearFirst(a, b);
                    }),
                    {}};
  for (size_t category = 0; category <= categories + 1; ++category) {
    const auto start =
        std::partition_point(cube.cells.begin(), cube.cells.end(),
                             [&](const PostingCell& cell) { return slice(cell) < category; });
    cube.starts.push_back(static_cast<uint32_t>(start - cube.cells.begin()));
  }
  return cube;
}

// `table` as `sql` reads it; not present when the table does not exist (yet).
Result<TableCopy> CopyTable(Warehouse& warehouse, std::string_view table, std::string_view sql) {
  TableCopy copy;
  SW_ASSIGN_OR_RETURN(copy.present, warehouse.TableExists(table));
  if (!copy.present) return copy;
  SW_RETURN_IF_ERROR(warehouse.Query(
      sql, {},
      [&](const Row& row) {
        copy.rows.push_back(row);
        return Status::Ok();
      },
      &copy.columns));
  return copy;
}

Result<ServingStatus> LoadStatusTables(Warehouse& warehouse) {
  ServingStatus status;
  for (std::string_view table : {"raw_postings", "raw_projects"}) {
    SourceFreshness freshness{std::string(table)};
    SW_ASSIGN_OR_RETURN(freshness.present, warehouse.TableExists(table));
    if (freshness.present) {
      SW_ASSIGN_OR_RETURN(
          auto result, warehouse.QueryAll(fmt::format("SELECT count(*), max(_loaded_at) FROM {}",
                                                      warehouse.dialect().QuoteIdentifier(table))));
      freshness.rows = Integer(result.rows.at(0).at(0));
      freshness.newest_loaded_at = Text(result.rows.at(0).at(1));
    }
    status.freshness.push_back(std::move(freshness));
  }
  SW_ASSIGN_OR_RETURN(status.postings_freshness, LoadPostingsFreshness(warehouse));
  SW_ASSIGN_OR_RETURN(status.runs,
                      CopyTable(warehouse, "_sw_runs",
                                "SELECT run_id, command, started_at, finished_at, status, "
                                "message FROM _sw_runs ORDER BY run_id DESC LIMIT 20"));
  return status;
}

// Opens a read transaction (which takes no write lock, so every table is
// read at the same commit even while a build writes) that ends with the
// object.
class ReadTransaction {
 public:
  static Result<ReadTransaction> Begin(Warehouse& warehouse) {
    SW_RETURN_IF_ERROR(warehouse.Execute(warehouse.traits().begin_read_sql()));
    return ReadTransaction(warehouse);
  }
  ReadTransaction(ReadTransaction&& other) noexcept
      : warehouse_(std::exchange(other.warehouse_, nullptr)) {}
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  ReadTransaction& operator=(ReadTransaction&&) = delete;
  ~ReadTransaction() {
    if (warehouse_ != nullptr) (void)warehouse_->Execute("COMMIT");
  }

 private:
  explicit ReadTransaction(Warehouse& warehouse) : warehouse_(&warehouse) {}
  Warehouse* warehouse_;
};

// A second connection reading the same snapshot as the first, on engines
// whose read transactions can share one (EngineTraits::export_snapshot_sql).
// Members end in reverse order: the transaction, the settings, the connection.
struct SnapshotPeer {
  std::unique_ptr<Warehouse> warehouse;
  std::optional<TunedSession> tuned;
  std::optional<ReadTransaction> read;
};

// REQUIRES: `warehouse` is in the read transaction ReadTransaction::Begin
// started, and has run no other statement in it that the engine needs
// first. Null (and no error) when the engine cannot share the snapshot.
Result<std::unique_ptr<SnapshotPeer>> OpenSnapshotPeer(Warehouse& warehouse) {
  const EngineTraits& traits = warehouse.traits();
  if (traits.export_snapshot_sql().empty()) return std::unique_ptr<SnapshotPeer>();
  SW_ASSIGN_OR_RETURN(QueryResult exported, warehouse.QueryAll(traits.export_snapshot_sql()));
  if (exported.rows.size() != 1 || exported.rows[0].size() != 1) {
    return Status(ErrorCode::kInternal, "exporting the read transaction's snapshot gave no id");
  }
  auto peer = std::make_unique<SnapshotPeer>();
  SW_ASSIGN_OR_RETURN(peer->warehouse, warehouse.OpenPeer());
  peer->tuned.emplace(*peer->warehouse, Workload::kSmallReads);
  SW_ASSIGN_OR_RETURN(ReadTransaction read, ReadTransaction::Begin(*peer->warehouse));
  peer->read.emplace(std::move(read));
  SW_RETURN_IF_ERROR(
      peer->warehouse->Execute(traits.ImportSnapshotSql(Text(exported.rows[0][0]))));
  return peer;
}

// Calls `on_category` with each (job id, category index) of
// int_posting_preferences, in the table's own order (no sort on the
// engine). Categories `preferences` does not hold are skipped.
Status ReadPostingCategories(Warehouse& warehouse, const Dimension& preferences,
                             const std::function<void(std::string_view, uint8_t)>& on_category) {
  std::string job_scratch, category_scratch;
  return warehouse.Query(
      "SELECT job_id, category_id FROM int_posting_preferences WHERE category_id IS NOT NULL", {},
      [&](const Row& row) {
        if (auto category = preferences.Find(TextOf(row[1], category_scratch))) {
          on_category(TextOf(row[0], job_scratch), static_cast<uint8_t>(*category));
        }
        return Status::Ok();
      });
}

// Postings' categories read on the second connection, kept until the
// records they belong to are loaded: about 21 bytes a row.
struct CategoryRows {
  PackedStrings job_ids;
  std::vector<uint8_t> categories;
};

// Finds a record's index by its job id: an open-addressing table of record
// indexes (at least twice as many slots as records, so a lookup probes one
// or two), hashed by the id's text. Bytewise, whatever the engine's
// collation. Reads `job_ids`, which must outlive it unchanged.
class JobIdIndex {
 public:
  explicit JobIdIndex(const PackedStrings& job_ids) : job_ids_(job_ids) {
    size_t slots = 2;
    while (slots < job_ids.size() * 2) slots <<= 1;
    slots_.assign(slots, kEmpty);
    mask_ = slots - 1;
    for (uint32_t index = 0; index < job_ids.size(); ++index) {
      size_t slot = Hash(job_ids.at(index)) & mask_;
      while (slots_[slot] != kEmpty) slot = (slot + 1) & mask_;
      slots_[slot] = index;
    }
  }

  std::optional<uint32_t> Find(std::string_view job_id) const {
    for (size_t slot = Hash(job_id) & mask_; slots_[slot] != kEmpty; slot = (slot + 1) & mask_) {
      if (job_ids_.at(slots_[slot]) == job_id) return slots_[slot];
    }
    return std::nullopt;
  }

 private:
  static constexpr uint32_t kEmpty = std::numeric_limits<uint32_t>::max();
  static size_t Hash(std::string_view text) { return std::hash<std::string_view>{}(text); }

  const PackedStrings& job_ids_;
  std::vector<uint32_t> slots_;
  size_t mask_ = 0;
};

// How long each phase of a load took, for the log line operators read when
// a load is slow ("serve: snapshot loaded in ...").
class PhaseTimes {
 public:
  explicit PhaseTimes(Clock& clock) : clock_(clock), last_(clock.Monotonic()) {}
  void Done(std::string_view phase) {
    const auto now = clock_.Monotonic();
    phases_ += fmt::format("{}{} {:.2f} s", phases_.empty() ? "" : ", ", phase,
                           std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }
  const std::string& phases() const { return phases_; }

 private:
  Clock& clock_;
  std::chrono::steady_clock::time_point last_;
  std::string phases_;
};

class SnapshotLoader {
 public:
  // `peer`: a second connection in the same snapshot, or null.
  SnapshotLoader(Warehouse& warehouse, SnapshotPeer* peer, PhaseTimes& times)
      : warehouse_(warehouse), peer_(peer), times_(times) {}

  Result<ServingSnapshot> Load() {
    for (std::string_view table : kRequiredTables) {
      SW_ASSIGN_OR_RETURN(bool exists, warehouse_.TableExists(table));
      if (!exists) {
        return Status(ErrorCode::kNotFound,
                      fmt::format("the warehouse has no table {} to serve", table),
                      "build the models first: silverwork build");
      }
    }
    SW_RETURN_IF_ERROR(LoadDimensions());
    times_.Done("dimensions");
    SW_RETURN_IF_ERROR(LoadPostings());
    SW_RETURN_IF_ERROR(LoadProjects());
    SW_RETURN_IF_ERROR(LoadPopulation());
    times_.Done("projects and population");
    SW_RETURN_IF_ERROR(LoadBuildStatus());
    times_.Done("status tables and catalog");
    BuildCubes();
    times_.Done("cubes");
    return std::move(snapshot_);
  }

 private:
  Status ForEach(std::string_view sql, const std::function<void(const Row&)>& on_row) {
    return warehouse_.Query(sql, {}, [&](const Row& row) {
      on_row(row);
      return Status::Ok();
    });
  }

  Status LoadDimensions() {
    SW_RETURN_IF_ERROR(
        ForEach("SELECT iso_code, province_name, name_en FROM provinces ORDER BY sort_order",
                [&](const Row& row) {
                  snapshot_.provinces.Intern(Text(row[0]), Text(row[1]), Text(row[2]));
                }));
    snapshot_.provinces.Intern(kUnknownCode, kUnknownLabel);
    SW_RETURN_IF_ERROR(
        ForEach("SELECT emplymShp, employment_shape_name FROM employment_shapes ORDER BY emplymShp",
                [&](const Row& row) { snapshot_.shapes.Intern(Text(row[0]), Text(row[1])); }));
    snapshot_.job_classes.Intern(kUnclassifiedJobCode, kUnclassifiedJobLabel);
    SW_RETURN_IF_ERROR(
        ForEach("SELECT job_class_code, max(job_class_name) FROM fct_job_postings "
                "WHERE job_class_code IS NOT NULL GROUP BY job_class_code ORDER BY job_class_code",
                [&](const Row& row) { snapshot_.job_classes.Intern(Text(row[0]), Text(row[1])); }));
    SW_RETURN_IF_ERROR(
        ForEach("SELECT category_id, category FROM preference_keywords "
                "GROUP BY category_id, category ORDER BY cast(category_id AS integer)",
                [&](const Row& row) { snapshot_.preferences.Intern(Text(row[0]), Text(row[1])); }));
    if (snapshot_.preferences.size() > kMaxPreferenceCategories) {
      return Status(
          ErrorCode::kUnsupported,
          fmt::format("preference_keywords has {} categories; the server holds at most {} "
                      "(a posting keeps its categories as a {}-bit mask)",
                      snapshot_.preferences.size(), kMaxPreferenceCategories,
                      kMaxPreferenceCategories),
          fmt::format("merge categories in seeds/preference_keywords.csv down to {}",
                      kMaxPreferenceCategories));
    }
    SW_RETURN_IF_ERROR(
        ForEach("SELECT project_type_code, max(project_type_name), max(category_name) "
                "FROM mart_project_types GROUP BY project_type_code ORDER BY project_type_code",
                [&](const Row& row) {
                  uint16_t index = snapshot_.type_codes.Intern(Text(row[0]), Text(row[1]));
                  snapshot_.type_code_categories.resize(index + 1);
                  snapshot_.type_code_categories[index] = Text(row[2]);
                }));
    return Status::Ok();
  }

  // The records, then their categories: read on the second connection
  // while this one reads the records when there is one, else after them.
  Status LoadPostings() {
    if (peer_ == nullptr) {
      Status status = LoadPostingRecords();
      if (status.ok()) {
        const JobIdIndex index(snapshot_.job_ids);
        times_.Done("index by job id");
        status = ReadPostingCategories(warehouse_, snapshot_.preferences,
                                       [&](std::string_view job_id, uint8_t category) {
                                         AddCategory(index, job_id, category);
                                       });
        times_.Done("postings' categories");
      }
      return status.ok() ? FinishPostings() : status.WithContext("cannot load postings");
    }
    CategoryRows rows;
    Status peer_status;
    {
      // Joined on every way out, an exception from RecordOf's checks too.
      std::jthread reader([&] { peer_status = ReadCategoryRows(*peer_->warehouse, rows); });
      Status status = LoadPostingRecords();
      if (!status.ok()) return status.WithContext("cannot load postings");
    }
    times_.Done("waiting for the categories");
    if (!peer_status.ok()) {
      return peer_status.WithContext(
          "cannot load the postings' categories on the second connection");
    }
    const JobIdIndex index(snapshot_.job_ids);
    for (size_t row = 0; row < rows.categories.size(); ++row) {
      AddCategory(index, rows.job_ids.at(row), rows.categories[row]);
    }
    times_.Done("postings' categories");
    return FinishPostings();
  }

  // On the second connection's thread: reads only `snapshot_.preferences`,
  // which the first thread no longer changes.
  Status ReadCategoryRows(Warehouse& peer, CategoryRows& rows) const {
    try {
      return ReadPostingCategories(peer, snapshot_.preferences,
                                   [&](std::string_view job_id, uint8_t category) {
                                     rows.job_ids.Add(job_id);
                                     rows.categories.push_back(category);
                                   });
    } catch (const std::length_error& error) {
      return Status(ErrorCode::kUnsupported,
                    fmt::format("int_posting_preferences has {}", error.what()),
                    "check the job ids in int_posting_preferences");
    }
  }

  // Sets the category's bit in the record of `job_id`; rows of postings the
  // fact does not hold are skipped.
  void AddCategory(const JobIdIndex& index, std::string_view job_id, uint8_t category) {
    if (auto found = index.Find(job_id)) {
      snapshot_.postings[*found].preferences |= PreferenceMask{1} << category;
    }
  }

  Status LoadPostingRecords() {
    // One table, ordered by the columns of its start_date index, which
    // covers every column read here: the engine reads the index alone, in
    // order (SQLite sorts only the postings of one day by job_id), instead
    // of a table row per posting. Ties on start_date are ordered by job_id,
    // the table's key (on PostgreSQL in the database's collation).
    constexpr std::string_view kSql =
        "SELECT job_id, start_year, start_month, iso_code, employment_shape_code, "
        "employment_shape_name, job_class_code, job_class_name, headcount, is_open "
        "FROM fct_job_postings ORDER BY start_date DESC, job_id";
    // Sized up front: growing a million-record vector by doubling would
    // briefly hold one and a half copies.
    SW_ASSIGN_OR_RETURN(
        auto count, warehouse_.QueryAll("SELECT count(*), coalesce(sum(length(job_id)), 0) "
                                        "FROM fct_job_postings"));
    const auto postings = static_cast<size_t>(Integer(count.rows.at(0).at(0)));
    snapshot_.postings.reserve(postings);
    snapshot_.job_ids.Reserve(postings, static_cast<size_t>(Integer(count.rows.at(0).at(1))));
    total_headcount_ = 0;
    std::string scratch;
    Status status = ForEach(kSql, [&](const Row& row) {
      snapshot_.postings.push_back(RecordOf(row));
      snapshot_.job_ids.Add(TextOf(row[0], scratch));
      total_headcount_ += snapshot_.postings.back().headcount;
    });
    times_.Done("postings");
    return status;
  }

  Status FinishPostings() {
    // Cells sum headcounts in 32 bits; the total bounds every sum.
    Narrow<uint32_t>(total_headcount_, "a total headcount");
    snapshot_.postings.shrink_to_fit();
    snapshot_.job_ids.ShrinkToFit();
    for (const auto& record : snapshot_.postings) NoteYear(record.year);
    snapshot_.postings_by_year = std::is_sorted(
        snapshot_.postings.begin(), snapshot_.postings.end(),
        [](const PostingRecord& a, const PostingRecord& b) { return a.year > b.year; });
    return Status::Ok();
  }

  // A posting's record from its row, without its categories.
  PostingRecord RecordOf(const Row& row) {
    PostingRecord record;
    record.year = static_cast<int16_t>(Integer(row[1]));
    record.month = MonthOf(row[2]);
    record.province = SmallIndex(
        InternOrUnknown(snapshot_.provinces, row[3], Value{}, kUnknownCode, kUnknownLabel),
        "province");
    record.shape =
        SmallIndex(InternOrUnknown(snapshot_.shapes, row[4], row[5], kUnknownCode, kUnknownLabel),
                   "employment shape");
    record.job_class = InternOrUnknown(snapshot_.job_classes, row[6], row[7],
                                       kUnclassifiedJobCode, kUnclassifiedJobLabel);
    record.headcount = Narrow<uint32_t>(std::max<int64_t>(0, Integer(row[8])), "headcounts");
    record.is_open = Integer(row[9]) != 0 ? 1 : 0;
    return record;
  }

  Status LoadProjects() {
    // int_project_continuity says how long each project has run; the fact
    // adds its type code and start month.
    constexpr std::string_view kSql =
        "SELECT projects.proj_year, projects.iso_code, projects.project_type_group, "
        "projects.project_type_code, continuity.continuation_years, projects.start_month, "
        "count(*), sum(projects.target_jobs) "
        "FROM fct_projects AS projects "
        "JOIN int_project_continuity AS continuity ON continuity.project_key = "
        "projects.project_key "
        "WHERE projects.is_deleted = 0 "
        "GROUP BY 1, 2, 3, 4, 5, 6";
    // Each cell's type group and code (row[2], row[3]) until every cell is
    // read: they are interned in one order on every engine (see
    // InternProjectTypes), not in the order the rows come, which is the
    // engine's plan's.
    std::vector<std::pair<Value, Value>> types;
    Status status = ForEach(kSql, [&](const Row& row) {
      ProjectCell cell;
      cell.year = static_cast<int16_t>(Integer(row[0]));
      cell.province = SmallIndex(
          InternOrUnknown(snapshot_.provinces, row[1], Value{}, kUnknownCode, kUnknownLabel),
          "province");
      types.emplace_back(row[2], row[3]);
      cell.continuation_years = static_cast<uint16_t>(std::clamp<int64_t>(Integer(row[4]), 1, 200));
      cell.start_month = MonthOf(row[5]);
      cell.projects = static_cast<uint32_t>(Integer(row[6]));
      cell.target_jobs = static_cast<uint64_t>(std::max<int64_t>(0, Integer(row[7])));
      snapshot_.projects.push_back(cell);
      NoteYear(cell.year);
    });
    if (status.ok()) InternProjectTypes(types);
    snapshot_.type_code_categories.resize(snapshot_.type_codes.size(), std::string(kUnknownLabel));
    return status.ok() ? status : status.WithContext("cannot load projects");
  }

  // Interns the projects' type groups and codes sorted bytewise by code,
  // the unknown one (NULL) last, and sets each cell's indexes: filters and
  // charts list them in that order whatever the engine, its collation or
  // its plan. `types` holds the (group, code) of each cell, in order.
  // REQUIRES: the cells are snapshot_.projects, and none were interned yet.
  void InternProjectTypes(const std::vector<std::pair<Value, Value>>& types) {
    std::set<std::string> groups, codes;  // std::string's order: bytewise
    for (const auto& [group, code] : types) {
      if (!IsNull(group)) groups.insert(Text(group));
      if (!IsNull(code)) codes.insert(Text(code));
    }
    for (const std::string& group : groups) snapshot_.type_groups.Intern(group, group);
    for (const std::string& code : codes) snapshot_.type_codes.Intern(code, code);
    for (size_t index = 0; index < types.size(); ++index) {
      const auto& [group, code] = types[index];
      ProjectCell& cell = snapshot_.projects[index];
      cell.type_group = SmallIndex(
          InternOrUnknown(snapshot_.type_groups, group, Value{}, kUnknownCode, kUnknownLabel),
          "project type group");
      cell.type_code =
          InternOrUnknown(snapshot_.type_codes, code, Value{}, kUnknownCode, kUnknownLabel);
    }
  }

  Status LoadPopulation() {
    return ForEach("SELECT year, iso_code, population_65_plus FROM mart_per_capita ORDER BY year",
                   [&](const Row& row) {
                     const int year = static_cast<int>(Integer(row[0]));
                     if (snapshot_.population.empty() || snapshot_.population.back().year != year) {
                       snapshot_.population.push_back({year, {}});
                     }
                     auto province = snapshot_.provinces.Find(Text(row[1]));
                     if (!province) return;
                     auto& counts = snapshot_.population.back().aged_65_plus;
                     counts.resize(snapshot_.provinces.size(), 0);
                     counts[*province] = Integer(row[2]);
                   });
  }

  // What builds write for the status tab (ServingStatus holds what every
  // run writes).
  Status LoadBuildStatus() {
    SW_ASSIGN_OR_RETURN(
        snapshot_.data_quality,
        CopyTable(warehouse_, "mart_data_quality",
                  "SELECT check_name, source, day, detail, rows_count "
                  "FROM mart_data_quality ORDER BY check_name, source, day, detail"));
    SW_ASSIGN_OR_RETURN(
        snapshot_.test_results,
        CopyTable(warehouse_, "_sw_test_failures",
                  "SELECT test_id, status, failures, executed_at, run_id FROM _sw_test_failures "
                  "WHERE run_id = (SELECT run_id FROM _sw_test_failures "
                  "                ORDER BY executed_at DESC, run_id DESC LIMIT 1) "
                  "ORDER BY test_id"));
    SW_ASSIGN_OR_RETURN(snapshot_.catalog, LoadDataCatalog(warehouse_));
    return Status::Ok();
  }

  // The cubes kept, each summed from the finest cube (or the records) that
  // holds its dimensions. Left out, because at a million postings they are
  // the largest by far (433,113 to about 700,000 cells) and only a monthly
  // chart with a preference filter needs them: month with preferences, and
  // the category cube of month with job class. Those queries scan the records.
  void BuildCubes() {
    const std::span<const PostingRecord> records = snapshot_.postings;
    const size_t categories = snapshot_.preferences.size();
    PostingCube class_preferences = RollUp(records, kByJobClass | kByPreferences);
    PostingCube month_class = RollUp(records, kByMonth | kByJobClass);
    PostingCube preferences =
        RollUp(std::span<const PostingCell>(class_preferences.cells), kByPreferences);
    PostingCube job_class = RollUp(std::span<const PostingCell>(month_class.cells), kByJobClass);
    PostingCube month = RollUp(std::span<const PostingCell>(month_class.cells), kByMonth);
    PostingCube base = RollUp(std::span<const PostingCell>(month.cells), 0);

    auto& category_cubes = snapshot_.category_cubes;
    category_cubes.push_back(
        Explode(std::span<const PostingCell>(preferences.cells), 0, categories));
    category_cubes.push_back(
        Explode(std::span<const PostingCell>(class_preferences.cells), kByJobClass, categories));
    category_cubes.push_back(Explode(records, kByMonth, categories));

    auto& cubes = snapshot_.posting_cubes;
    for (PostingCube* cube :
         {&base, &month, &job_class, &month_class, &preferences, &class_preferences}) {
      cubes.push_back(std::move(*cube));
    }
    std::stable_sort(cubes.begin(), cubes.end(), [](const PostingCube& a, const PostingCube& b) {
      return a.cells.size() < b.cells.size();
    });
    std::stable_sort(category_cubes.begin(), category_cubes.end(),
                     [](const CategoryCube& a, const CategoryCube& b) {
                       return a.cells.size() < b.cells.size();
                     });
  }

  void NoteYear(int year) {
    if (year <= 0) return;
    snapshot_.min_year = snapshot_.min_year == 0 ? year : std::min(snapshot_.min_year, year);
    snapshot_.max_year = std::max(snapshot_.max_year, year);
  }

  Warehouse& warehouse_;
  SnapshotPeer* const peer_;  // null: everything on warehouse_
  PhaseTimes& times_;
  ServingSnapshot snapshot_;
  uint64_t total_headcount_ = 0;
};

}  // namespace

Result<ServingSnapshot> LoadSnapshot(Warehouse& warehouse, Clock& clock,
                                     SnapshotLoadOptions options) {
  const auto started = clock.Monotonic();
  // The request connections' settings (on PostgreSQL, no JIT: compiling the
  // big scans cost more than it saved; on SQLite a small page cache, enough
  // for reads that visit each page once). Outlives the transaction: the
  // connection's own values come back after it.
  TunedSession tuned(warehouse, Workload::kSmallReads);
  SW_ASSIGN_OR_RETURN(ReadTransaction read, ReadTransaction::Begin(warehouse));
  PhaseTimes times(clock);
  std::unique_ptr<SnapshotPeer> peer;
  if (options.second_connection) {
    Result<std::unique_ptr<SnapshotPeer>> opened = OpenSnapshotPeer(warehouse);
    if (!opened.ok()) {
      return opened.status().WithContext(
          "cannot load the serving snapshot: cannot open a second connection in the same "
          "snapshot");
    }
    peer = std::move(opened).value();
    if (peer != nullptr) times.Done("second connection");
  }
  Result<ServingSnapshot> snapshot = Status(ErrorCode::kInternal, "not loaded");
  try {
    snapshot = SnapshotLoader(warehouse, peer.get(), times).Load();
  } catch (const std::length_error& error) {
    return Status(ErrorCode::kUnsupported,
                  fmt::format("the warehouse has {}; the server's compact records cannot hold them",
                              error.what()),
                  "check the dimension's codes in the marts");
  }
  if (!snapshot.ok()) return snapshot.status().WithContext("cannot load the serving snapshot");
  snapshot->loaded_at = clock.Now();
  snapshot->load_seconds = std::chrono::duration<double>(clock.Monotonic() - started).count();
  spdlog::info("serve: snapshot of {} postings loaded in {:.2f} s ({})", snapshot->postings.size(),
               snapshot->load_seconds, times.phases());
  return snapshot;
}

Result<ServingStatus> LoadServingStatus(Warehouse& warehouse, Clock& clock) {
  SW_ASSIGN_OR_RETURN(ReadTransaction read, ReadTransaction::Begin(warehouse));
  Result<ServingStatus> status = LoadStatusTables(warehouse);
  if (!status.ok()) return status.status().WithContext("cannot load the status tab's figures");
  status->loaded_at = clock.Now();
  return status;
}

}  // namespace silverwork::serve
