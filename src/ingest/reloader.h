// Reloader: rebuilds the raw tables from the lake alone, without the
// network. Responses are replayed in the order they were received, through
// the same parsers the collectors use, into the rows their loaders would
// leave (postings: PostingsReplay, which writes a posting's list item and
// detail as one row), so the rebuilt tables equal the collected ones (load
// times aside). Error responses in the lake (landed as received, then
// retried) are skipped and counted.
//
// The rebuild happens in one transaction: readers see the old tables until
// the new ones are complete. Not thread-safe.
#pragma once

#include <map>
#include <string>

#include "ingest/postings_replay.h"
#include "ingest/raw_tables.h"
#include "lake/lake.h"
#include "warehouse/warehouse.h"

namespace silverwork {

struct ReloadStats {
  int64_t records = 0;
  int64_t list_pages = 0;
  int64_t details = 0;
  int64_t postings_written_once = 0;  // list item and detail as one row
  int64_t postings_appended = 0;      // of those, new rows (Warehouse::Append)
  int64_t project_pages = 0;
  int64_t skipped_errors = 0;  // responses whose envelope was an error
  int64_t skipped_torn = 0;
};

struct ReloadOptions {
  std::string lake_root;
  std::map<int, std::string> project_files;  // pins: they name their files' years
  std::map<std::string, std::vector<std::string>> column_aliases;
  std::string loaded_at;  // the reload's own time stamp
  // The memory list rows may take while they wait for their details
  // (PostingsReplay); past it they are written on their own.
  size_t held_list_bytes = kDefaultHeldListBytes;
  // How many written postings ids PostingsReplay keeps to append new rows.
  size_t max_tracked_ids = kMaxTrackedIds;
};

Result<ReloadStats> ReloadFromLake(const ReloadOptions& options, Warehouse& warehouse);

}  // namespace silverwork
