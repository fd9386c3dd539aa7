// The projects files the portal publishes, as silverwork has seen them: a
// registry in the warehouse (`_sw_project_files`, one row per file id) and
// the writer that keeps it in step with raw_projects.
//
// A file's *collection* reads every page of the file once, possibly across
// several runs (a spent quota resumes it); it is named by the run that
// started it, and every row it loads carries that name in
// raw_projects._file_pass. When the last page is in, the collection
// completes: the file's rows that it did not load (older editions' rows,
// rows the portal dropped) are deleted, so the file's rows are exactly its
// current content; its row count, content hash and 사업년도 are recorded, and
// its year is set (see CompleteFile). A file whose document entry changes
// date abandons its collection in progress and starts over.
//
// The collector and the lake reloader drive the same writer in the same
// order (document, then pages), so a reload rebuilds the same rows and the
// same registry.
//
// All SQL is portable (`?` placeholders, ISO-8601 UTC text timestamps, no
// engine-specific syntax). Not thread-safe: one writer per warehouse
// connection, used from one thread.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "ingest/raw_tables.h"
#include "sources/projects_document.h"
#include "warehouse/warehouse.h"

namespace silverwork {

inline constexpr std::string_view kProjectFilesTable = "_sw_project_files";

// What the registry knows about one file.
struct ProjectFileRecord {
  std::string file_id;
  std::string summary;               // as last listed; empty when never listed
  std::optional<Date> published_on;  // the summary's date
  // Pinned in [projects.files], else the one 사업년도 of its rows; empty
  // while unknown or when its rows span several years.
  std::optional<int> file_year;
  std::vector<std::string> row_years;       // distinct 사업년도 of its rows, sorted
  int64_t row_count = 0;                    // after the latest complete collection
  std::string content_hash;                 // of those rows; empty before the first
  std::string first_seen_at, last_seen_at;  // in the document; empty: never listed
  // Listed in the latest document read (false also after the portal
  // answered 404 for it); empty when never seen in a document.
  std::optional<bool> published;
  std::string collected_by;     // run that completed the latest collection
  std::string pass_started_by;  // run that started the collection in progress; empty: none
};

// Reads the registry; empty when the table does not exist yet.
Result<std::map<std::string, ProjectFileRecord>> ReadProjectFiles(Warehouse& warehouse);

enum class ListingChange {
  kUnchanged,  // listed as at the last reading
  kNew,        // listed for the first time
  kRedated,    // listed with another summary date: a new edition of the file
  kRelisted,   // listed again after it had gone
  kWithdrawn,  // listed before, not any more (its rows are kept)
};
std::string_view ListingChangeName(ListingChange change);

// One file's entry in the document compared with the registry.
struct ListingDiff {
  std::string file_id;
  ListingChange change = ListingChange::kUnchanged;
  std::string summary;  // as listed now (as last listed, for a withdrawn file)
  std::optional<Date> published_on, previous_published_on;
  std::optional<int> year;  // from the registry: the file as last collected
  int64_t rows = 0;
  bool collected = false;  // a collection of it has completed before
};

// Every file the document lists, then the files it no longer lists, each
// with what changed since the registry was written. Pure.
std::vector<ListingDiff> CompareListing(const ProjectsDocument& document,
                                        const std::map<std::string, ProjectFileRecord>& registry);

// Pins ([projects.files], year -> file id) against a document: listed files
// the pins leave out, as "id (summary)", and pins it does not list, as
// "id (pinned as YEAR)". Both empty without pins. Pure.
struct PinCoverage {
  std::vector<std::string> unpinned;
  std::vector<std::string> unlisted;
};
PinCoverage ComparePins(const ProjectsDocument& document, const std::map<int, std::string>& pins);

// A file whose collection completed.
struct CompletedProjectsFile {
  ProjectFileRecord record;  // as recorded now
  std::optional<int> pinned_year;
  bool first_collection = false;
  bool rows_changed = false;  // content hash differs from the previous collection's
  int64_t rows_replaced = 0;  // older rows deleted
};

// What a user should hear about a completed file's year: rows of several
// 사업년도 (its year is left empty), a summary date of another year than its
// rows (the rows win), a pin that contradicts its rows, or no rows at all.
std::vector<std::string> YearNotices(const CompletedProjectsFile& file);

class ProjectFilesWriter {
 public:
  // `pins`: [projects.files], year -> file id; a pin names its file's year.
  ProjectFilesWriter(Warehouse& warehouse, const ProjectColumnMap& columns,
                     const std::map<int, std::string>& pins);
  ProjectFilesWriter(const ProjectFilesWriter&) = delete;
  ProjectFilesWriter& operator=(const ProjectFilesWriter&) = delete;

  // Creates the tables when missing and reads the registry. Call first.
  Status Open();
  // Empties the registry (a reload rebuilds it). Call inside a transaction.
  Status Clear();

  const std::map<std::string, ProjectFileRecord>& files() const { return files_; }
  std::optional<int> PinnedYear(std::string_view file_id) const;

  // Records a document read at `seen_at`: summaries, publication dates,
  // first/last seen and the published flags; a redated or relisted file's
  // collection in progress is abandoned. Returns CompareListing's answer.
  // Call inside a transaction.
  Result<std::vector<ListingDiff>> RecordDocument(const ProjectsDocument& document,
                                                  std::string_view seen_at);

  // Loads one page of `file_id` into its collection in progress, starting
  // one (named `stamp.run_id`) when none is. Returns the rows loaded.
  // Call inside a transaction.
  Result<int64_t> LoadPage(std::string_view file_id, const EnvelopePage& page,
                           const LoadStamp& stamp);

  // Completes the file's collection in progress (see the file comment).
  // REQUIRES: a collection of `file_id` is in progress. Call inside a
  // transaction.
  Result<CompletedProjectsFile> CompleteFile(std::string_view file_id, std::string_view run_id);

  // Records that the portal answered 404 for the file: not published.
  Status MarkUnpublished(std::string_view file_id);

  const std::map<std::string, std::set<std::string>>& unknown_columns() const {
    return loader_.unknown_columns();
  }
  int64_t rejected_rows() const { return loader_.rejected_rows(); }

 private:
  ProjectFileRecord& Record(std::string_view file_id);
  Status Save(const ProjectFileRecord& record);

  Warehouse& warehouse_;
  ProjectsLoader loader_;
  std::map<std::string, int> pinned_years_;  // file id -> year
  std::map<std::string, ProjectFileRecord> files_;
};

}  // namespace silverwork
