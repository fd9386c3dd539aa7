// ProjectsReplay: the projects half of a reload from the lake. Replays the
// landed OpenAPI documents and projects pages, in the order received,
// through the ProjectFilesWriter the collector uses, so the rebuilt
// raw_projects and `_sw_project_files` equal the collected ones: a
// document updates the registry as it did then; a page joins its file's
// collection in progress; and the collection completes, replacing the
// file's older rows, on the page where the collector completed it (its
// checkpoint passed the last page).
//
// Error responses are skipped and counted, except a 404 for a file, which
// marks the file unpublished as the collector did.
//
// Not thread-safe; used inside the reload's one transaction.
#pragma once

#include <map>
#include <set>
#include <string>

#include "ingest/project_files.h"
#include "lake/lake.h"

namespace silverwork {

class ProjectsReplay {
 public:
  // `pins`: [projects.files] (year -> file id), which name files' years;
  // `loaded_at`: the reload's own time stamp for raw_projects._loaded_at.
  ProjectsReplay(Warehouse& warehouse, const ProjectColumnMap& columns,
                 const std::map<int, std::string>& pins, std::string loaded_at);

  // Empties the registry (raw_projects is the caller's to empty).
  // REQUIRES: inside the reload's transaction.
  Status Begin();

  // Replays one record of kProjectsDataset or kProjectsDocumentDataset.
  Status Replay(const LakeRecord& record);

  // The body of a kProjectsDataset record parsed, as ReplayPage wants it.
  // Thread-safe (touches no replay state): a reload parses pages on
  // another thread than the one replaying them.
  static Result<EnvelopePage> ParsePage(const LakeRecord& record);
  // Replays a kProjectsDataset record whose body ParsePage parsed.
  Status ReplayPage(const LakeRecord& record, const Result<EnvelopePage>& page);

  int64_t pages() const { return pages_; }
  int64_t documents() const { return documents_; }
  int64_t skipped_errors() const { return skipped_errors_; }

 private:
  Status ReplayDocument(const LakeRecord& record);

  ProjectFilesWriter writer_;
  std::string loaded_at_;
  // Where a file's collection in progress stands, as the collector's
  // checkpoint did.
  struct FileProgress {
    int64_t next_page = 1;
    std::string run_id;               // of the pages below
    std::set<int64_t> loaded_in_run;  // pages loaded by that run
  };
  std::map<std::string, FileProgress> progress_;
  int64_t pages_ = 0;
  int64_t documents_ = 0;
  int64_t skipped_errors_ = 0;
};

}  // namespace silverwork
