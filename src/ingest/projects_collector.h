// ProjectsCollector: reads every configured year's 노인일자리사업 file, page by
// page, through the odcloud API, mapping its Korean columns to canonical
// names (ProjectColumnMap). Pages are fetched `concurrency` at a time and
// loaded in order; each page commits with a checkpoint, so a run stopped by
// the quota resumes at the next page of the same file. Unknown columns are
// kept (in `_extra`) and reported, never fatal.
//
// Not thread-safe: Run() from one thread.
#pragma once

#include <map>
#include <set>
#include <string>

#include "ingest/collector.h"
#include "ingest/raw_tables.h"

namespace silverwork {

struct ProjectsCollectorOptions {
  std::map<int, std::string> files;  // year -> file id
  std::map<std::string, std::vector<std::string>> column_aliases;
  int64_t per_page = 500;
  int concurrency = 4;
  ApiCallerOptions caller;
  RateBudgetOptions budget;
};

struct ProjectsCollectStats {
  int64_t files = 0;
  int64_t pages = 0;
  int64_t rows_loaded = 0;
  int64_t rows_rejected = 0;  // no project number/year/change number
  int64_t calls = 0;
  std::map<int, int64_t> rows_per_year;
  // file id -> Korean columns no alias knows.
  std::map<std::string, std::set<std::string>> unknown_columns;
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
  Status CollectFile(int year, const std::string& file_id, RateBudget& budget);

  ProjectsCollectorOptions options_;
  CollectorEnvironment& env_;
  ProjectColumnMap columns_;
  ProjectsLoader loader_;
  ProjectsCollectStats stats_;
};

// Canonical row count per year in the warehouse (for summaries and tests).
Result<std::map<int, int64_t>> CountProjectsPerYear(Warehouse& warehouse);

}  // namespace silverwork
