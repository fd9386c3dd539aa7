#include "serve/pipelines_source.h"

#include <fmt/format.h>
#include <sys/stat.h>

namespace silverwork::serve {

PipelinesSource::PipelinesSource(std::optional<std::filesystem::path> path)
    : path_(std::move(path)) {}

Result<std::shared_ptr<const scheduler::PipelinesFile>> PipelinesSource::Current() {
  if (!path_) {
    return Status(ErrorCode::kIO, "this server was started without a pipelines.yml",
                  "start `silverwork serve` in the SQL project's folder, or pass --pipelines FILE");
  }
  struct stat info {};
  Stamp stamp;
  if (::stat(path_->c_str(), &info) == 0) {
    stamp = {info.st_ino, info.st_size,
             static_cast<int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
  }
  std::lock_guard lock(mutex_);
  if (loaded_stamp_ == stamp) return loaded_;
  auto file = scheduler::LoadPipelinesFile(*path_, zones_);
  loaded_stamp_ = stamp;
  if (file.ok()) {
    loaded_ = std::make_shared<const scheduler::PipelinesFile>(std::move(file).value());
  } else {
    // A broken file is the server's configuration, not the request's: 503.
    loaded_ = Status(ErrorCode::kIO,
                     fmt::format("cannot describe the pipelines: {}", file.status().message()),
                     file.status().hint());
  }
  return loaded_;
}

}  // namespace silverwork::serve
