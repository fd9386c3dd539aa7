// Discovery of the projects files without collecting them: reads the
// dataset's OpenAPI document and compares it with the registry the last
// collection wrote (`_sw_project_files`, see ingest/project_files.h).
//
// It writes nothing and lands nothing: the document is compared with what
// the warehouse held after the last collection, so a change stays a change
// until a collection has acted on it. `silverwork collect projects
// --discover-only` prints it; the scheduler's `discover_projects` sensor
// (DiscoverProjectsTask in pipeline/tasks.h, run as `silverwork task run
// discover_projects`) exits 0 only when changed(), else 4 (nothing new).
// ProjectFilesChanged() is the same check as a bare yes or no.
//
// Thread-compatible: the functions take the warehouse connection they use;
// call them from the thread that owns it.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "ingest/collector.h"
#include "ingest/project_files.h"
#include "sources/projects_document.h"

namespace silverwork {

struct ProjectsDiscoveryOptions {
  std::string openapi_url = std::string(kProjectsDocumentUrl);
  // Pins ([projects.files], year -> file id): when set, only changes to
  // pinned files count, and listed files beyond them are reported.
  std::map<int, std::string> pins;
  // Timeout and retries for the document (base_url is ignored).
  ApiCallerOptions caller;
};

struct ProjectsDiscovery {
  std::string openapi_url;
  std::string read_at;  // UTC ISO-8601
  ProjectsDocument document;
  // Every listed file, then the withdrawn ones, compared with the registry.
  std::vector<ListingDiff> listing;
  std::set<std::string> pinned;              // pinned file ids; empty: every file is collected
  std::vector<std::string> unpinned;         // listed, not pinned (only with pins)
  std::vector<std::string> pinned_unlisted;  // pinned, not listed

  // True when a collection has something to act on: a file it collects
  // (every listed file, or the pins) is new, redated, relisted, withdrawn,
  // or listed but never collected (e.g. while pins left it out). Changed
  // rows under an unchanged entry only show when the file is read, so they
  // are the collection's to find.
  bool changed() const;
  // One line per file, then the verdict, for people and logs.
  std::vector<std::string> Lines() const;
};

// Reads the document at `options.openapi_url` (without the service key) and
// compares it with the registry in `warehouse`. A failure to read or parse
// the document is an error whose hint says what to check.
Result<ProjectsDiscovery> DiscoverProjectFiles(const ProjectsDiscoveryOptions& options,
                                               Warehouse& warehouse, Clock& clock,
                                               const HttpClientFactory& http_factory);

// The scheduler's `discover_projects` sensor: true when the document lists
// a change since the last collection (ProjectsDiscovery::changed()).
Result<bool> ProjectFilesChanged(const ProjectsDiscoveryOptions& options, Warehouse& warehouse,
                                 Clock& clock, const HttpClientFactory& http_factory);

}  // namespace silverwork
