// PipelinesSource: the pipelines.yml `silverwork serve` describes in the
// pipelines API, loaded when first asked for and again whenever the file
// changes on disk (its size, mtime or inode), so editing the file needs no
// restart. A file that is missing or invalid is an error answer for the
// pipelines endpoints (503 with the loader's message, which names the line),
// not a reason for the dashboard not to start.
//
// Thread-safe: Current() may be called from every worker thread.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>

#include "common/status.h"
#include "scheduler/pipelines.h"
#include "scheduler/time_zone.h"

namespace silverwork::serve {

class PipelinesSource {
 public:
  // `path`: the pipelines.yml to read; none: the API has no pipelines.
  explicit PipelinesSource(std::optional<std::filesystem::path> path);
  PipelinesSource(const PipelinesSource&) = delete;
  PipelinesSource& operator=(const PipelinesSource&) = delete;

  // The file as it is now (reloaded when it changed since the last call).
  Result<std::shared_ptr<const scheduler::PipelinesFile>> Current();

 private:
  struct Stamp {
    ino_t inode = 0;
    off_t size = -1;
    int64_t mtime_ns = 0;
    bool operator==(const Stamp&) const = default;
  };

  const std::optional<std::filesystem::path> path_;
  const scheduler::TimeZoneDatabase zones_;
  std::mutex mutex_;
  std::optional<Stamp> loaded_stamp_;  // guarded by mutex_
  Result<std::shared_ptr<const scheduler::PipelinesFile>> loaded_{
      Status(ErrorCode::kInternal, "not loaded yet")};  // guarded by mutex_
};

}  // namespace silverwork::serve
