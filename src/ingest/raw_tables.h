// The raw layer of the warehouse: what the APIs sent, one table per source,
// with every field under its real spelling, plus bookkeeping columns that
// start with '_'. Loaders turn parsed pages into rows of these tables; they
// never decide what a value means (that is the staging models' job).
//
// Thread-compatible: loaders hold a Warehouse& and are used by one thread.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sources/envelope.h"
#include "warehouse/warehouse.h"

namespace silverwork {

inline constexpr std::string_view kRawPostingsTable = "raw_postings";
inline constexpr std::string_view kRawProjectsTable = "raw_projects";

// Fields of a getJobList item and a getJobInfo item, as the API spells them.
extern const std::array<std::string_view, 17> kPostingListFields;
extern const std::array<std::string_view, 23> kPostingDetailFields;

// Which run loaded a row, and when.
// `text` (NULL for nullopt) into `value`, reusing the string it holds.
void AssignTextOrNull(std::optional<std::string_view> text, Value& value);

struct LoadStamp {
  std::string run_id;
  std::string loaded_at;  // UTC ISO-8601
};

// Creates (or widens) the raw tables and their indexes.
Status EnsureRawTables(Warehouse& warehouse);

// For a reload, inside its transaction: empties the raw tables (DELETE, so a
// reader whose snapshot predates the reload's commit still sees the old rows)
// and, on engines that create an index faster than they maintain it during
// a bulk load (EngineTraits::rebuilds_indexes_after_bulk_load), drops the
// secondary indexes the reload itself does not read (raw_postings' three;
// its primary key stays for the upserts, raw_projects' for the file
// replacements). RecreateRawIndexes, before the commit, creates them again
// with the definitions EnsureRawTables uses. REQUIRES: EnsureRawTables ran.
Status EmptyRawTablesForReload(Warehouse& warehouse);
Status RecreateRawIndexes(Warehouse& warehouse);

// Every column of raw_postings, in table order.
const std::vector<std::string>& RawPostingsColumns();

// A stable 64-bit content hash (FNV-1a) fed piece by piece; the same bytes
// give the same hash on every machine and engine.
class ContentHash {
 public:
  // Inline: list items are hashed on the postings collector's hot path.
  void Mix(std::string_view bytes) {
    for (unsigned char byte : bytes) {
      state_ ^= byte;
      state_ *= 1099511628211ULL;
    }
  }
  std::string Hex() const;  // 16 lower-case hex digits

 private:
  uint64_t state_ = 1469598103934665603ULL;
};

// A stable hash of a list item's fields: when it changes, the posting's
// detail is fetched again.
std::string ListItemHash(const Fields& item);

// The result of one detail call: the requested id and what came back
// (no items when the service answered NODATA).
struct DetailResult {
  std::string job_id;
  EnvelopePage page;
};

class PostingsLoader {
 public:
  explicit PostingsLoader(Warehouse& warehouse) : warehouse_(warehouse) {}

  // Upserts every item of a list page (list columns only). Items without a
  // jobId are skipped and counted. Returns the number of rows upserted.
  Result<int64_t> LoadListPage(const EnvelopePage& page, const LoadStamp& stamp);

  // The columns LoadListPage writes, in row order (jobId first).
  static const std::vector<std::string>& ListColumns();
  // The row LoadListPage writes for one list item, or nullopt (counted in
  // skipped_without_id()) when the item has no jobId.
  std::optional<Row> ListRow(const Fields& item, const LoadStamp& stamp);

  // Upserts detail columns and records that each posting's detail matches
  // its current list hash, row by row in order. Call inside a transaction:
  // a failure leaves the rows before it written (the caller rolls back).
  Result<int64_t> LoadDetails(std::span<const DetailResult> details, const LoadStamp& stamp);

  // The columns LoadDetails writes for an answer (`answered`) or a NODATA
  // answer (no organYn, stmId: the list's stay), in row order; besides
  // them it sets _detail_list_hash to the row's _list_hash.
  static const std::vector<std::string>& DetailColumns(bool answered);
  // The row LoadDetails writes for one detail, in DetailColumns' order.
  static Row DetailRow(const DetailResult& detail, const LoadStamp& stamp);
  // The same values written into `out`: value i of DetailRow goes to
  // out[positions[i]], reusing the strings `out` holds there (no allocation
  // once they are long enough). REQUIRES: positions covers DetailColumns.
  static void DetailRowInto(const DetailResult& detail, const LoadStamp& stamp,
                            std::span<const size_t> positions, Row& out);
  // Warns when an answer names another jobId than the one asked for.
  static void WarnOnMismatchedIds(std::span<const DetailResult> details);

  int64_t skipped_without_id() const { return skipped_without_id_; }

 private:
  Warehouse& warehouse_;
  int64_t skipped_without_id_ = 0;
  std::string found_sql_, nodata_sql_;  // built on first use, in the warehouse's dialect
};

// Maps the projects files' Korean columns to canonical English names.
class ProjectColumnMap {
 public:
  // Built-in aliases for every year's spelling, plus `extra` from config.
  explicit ProjectColumnMap(const std::map<std::string, std::vector<std::string>>& extra = {});
  // The canonical name for a Korean column, or nullptr if unknown.
  const std::string* Canonical(std::string_view korean) const;
  // Canonical columns in table order.
  static const std::vector<std::string>& CanonicalColumns();

 private:
  std::map<std::string, std::string, std::less<>> by_korean_;
};

class ProjectsLoader {
 public:
  ProjectsLoader(Warehouse& warehouse, const ProjectColumnMap& columns)
      : warehouse_(warehouse), columns_(columns) {}

  // Upserts the rows of one page of one file. Unknown columns are kept in
  // `_extra` (JSON) and added to unknown_columns(). Rows lacking a key
  // column (projNo, projYear, projPlanChangeNo) are skipped and counted.
  // `file_year` (NULL when unknown) fills `_file_year`; `file_pass` (NULL
  // when empty) names the collection of the file that loaded the rows, so
  // that a completed collection can replace the file's older rows (see
  // ingest/project_files.h).
  Result<int64_t> LoadPage(const EnvelopePage& page, std::optional<int> file_year,
                           std::string_view file_id, const LoadStamp& stamp,
                           std::string_view file_pass = {});

  // Unknown Korean column names seen so far, per file id.
  const std::map<std::string, std::set<std::string>>& unknown_columns() const {
    return unknown_columns_;
  }
  int64_t rejected_rows() const { return rejected_rows_; }

 private:
  Warehouse& warehouse_;
  const ProjectColumnMap& columns_;
  std::map<std::string, std::set<std::string>> unknown_columns_;
  int64_t rejected_rows_ = 0;
};

}  // namespace silverwork
