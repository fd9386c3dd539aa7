// ProjectsCollector: collects the 노인일자리사업 projects files.
//
// Which files: the dataset's OpenAPI document (`openapi_url`, read without
// the service key and landed in the lake) lists them; every listed file is
// collected, and the document is compared with the registry of files seen
// before (ingest/project_files.h): new, redated (a new edition), relisted and
// withdrawn files are reported, and a withdrawn file keeps its rows, marked
// as no longer published. Pins (`files`, from [projects.files]) restrict the
// collection to themselves and name each file's year; with pins, files the
// document lists beyond them are reported, and an unreadable document is a
// warning instead of an error.
//
// Each file is paged through the odcloud API, mapping its Korean columns to
// canonical names (ProjectColumnMap), `concurrency` pages at a time, loaded
// in order; each page commits with a checkpoint, so a run stopped by the
// quota resumes at the next page of the same file. When a file's last page
// is in, its rows replace the file's older rows and its year is taken from
// its rows' 사업년도 (ProjectFilesWriter::CompleteFile). A file the portal
// answers 404 for fails alone: the others are still collected, and the
// outcome's status names the failed files. Unknown columns are kept (in
// `_extra`) and reported, never fatal.
//
// Not thread-safe: Run() from one thread.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ingest/collector.h"
#include "ingest/project_files.h"
#include "ingest/raw_tables.h"

namespace silverwork {

struct ProjectsCollectorOptions {
  // The dataset's OpenAPI document ([projects] openapi_url, whose default is
  // the portal's, kProjectsDocumentUrl); empty: collect the pins only.
  std::string openapi_url;
  // Pins ([projects.files]): year -> file id. Empty: every listed file.
  std::map<int, std::string> files;
  std::map<std::string, std::vector<std::string>> column_aliases;
  int64_t per_page = 500;
  int concurrency = 4;
  ApiCallerOptions caller;  // for the data; the document takes its timeout and retries
  RateBudgetOptions budget;
};

struct ProjectsCollectStats {
  int64_t files = 0;  // collected to the end in this run
  int64_t pages = 0;
  int64_t rows_loaded = 0;
  int64_t rows_rejected = 0;  // no project number/year/change number
  int64_t calls = 0;
  // Rows of each file collected to the end in this run, by the file's year.
  std::map<int, int64_t> rows_per_year;
  // file id -> Korean columns no alias knows.
  std::map<std::string, std::set<std::string>> unknown_columns;
  // The document compared with the last collection (empty when unread).
  std::vector<ListingDiff> listing;
  // Files collected to the end in this run, in order.
  std::vector<CompletedProjectsFile> completed;
  // Files that failed alone (not published), with why.
  std::vector<Status> failed_files;
  // What the user should know (also logged as warnings): unpinned or
  // unlisted files, withdrawn files, a year that rows and summary disagree
  // on, an unreadable document with pins.
  std::vector<std::string> notices;

  // For summaries: a line per file the document or the rows changed, per
  // failed file, then the notices.
  std::vector<std::string> ReportLines() const;
};

struct ProjectsOutcome {
  Status status;
  ProjectsCollectStats stats;
};

class ProjectsCollector {
 public:
  ProjectsCollector(ProjectsCollectorOptions options, CollectorEnvironment& environment);
  ProjectsCollector(const ProjectsCollector&) = delete;
  ProjectsCollector& operator=(const ProjectsCollector&) = delete;

  ProjectsOutcome Run();

 private:
  struct PlannedFile {
    std::string file_id;
    std::optional<int> pinned_year;
  };

  Status Prepare();
  Result<std::vector<PlannedFile>> PlanFiles();
  Status RecordListing(const FetchedProjectsDocument& fetched);
  Status CollectAll(const std::vector<PlannedFile>& plan);
  Status CollectFile(const PlannedFile& file);
  Status CompleteFile(const std::string& file_id, const std::string& checkpoint_key);
  std::string Describe(const PlannedFile& file) const;
  void Notice(std::string text);

  ProjectsCollectorOptions options_;
  CollectorEnvironment& env_;
  ProjectColumnMap columns_;
  ProjectFilesWriter writer_;
  RateBudget budget_;
  ProjectsCollectStats stats_;
};

// Canonical row count per year in the warehouse (for summaries and tests);
// rows of files without a year count under 0.
Result<std::map<int, int64_t>> CountProjectsPerYear(Warehouse& warehouse);

}  // namespace silverwork
