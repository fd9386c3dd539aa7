// LakeWriter: one run's appends. Compression happens outside the lock (it is
// the expensive part); seq assignment, the frame write and the manifest line
// happen under it, so a partition's frames and lines are in seq order and a
// manifest line is never written before its frame.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <zstd.h>

#include <cctype>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <system_error>
#include <vector>

#include "common/date.h"
#include "lake/file_system.h"
#include "lake/lake.h"
#include "lake/lake_format.h"

namespace silverwork {
namespace {

namespace fs = std::filesystem;
using lake_format::FrameLocation;

bool ContainsServiceKey(std::string_view request) {
  static constexpr std::string_view kNeedle = "servicekey";
  if (request.size() < kNeedle.size()) return false;
  for (size_t start = 0; start + kNeedle.size() <= request.size(); ++start) {
    size_t matched = 0;
    while (matched < kNeedle.size() &&
           std::tolower(static_cast<unsigned char>(request[start + matched])) == kNeedle[matched]) {
      ++matched;
    }
    if (matched == kNeedle.size()) return true;
  }
  return false;
}

// The fetch day (UTC) a record is filed under: the first 10 characters of
// fetched_at, which must be a real YYYY-MM-DD day.
Result<std::string> FetchDay(const std::string& fetched_at) {
  const std::string_view day = std::string_view(fetched_at).substr(0, 10);
  if (day.size() != 10 || day[4] != '-' || !Date::Parse(day).ok()) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("fetched_at '{}' does not start with a YYYY-MM-DD day", fetched_at),
                  "pass fetched_at as a UTC ISO-8601 timestamp, e.g. 2026-11-25T01:00:09Z");
  }
  return std::string(day);
}

// The directories whose entries change when `path` is created with its
// missing parents: the parent of each level that does not exist yet. Those
// must be synced for the new files below them to survive a power cut.
std::vector<std::string> ParentsOfMissingLevels(const fs::path& path) {
  std::vector<std::string> parents;
  std::error_code error;
  for (fs::path level = path; level.has_relative_path() && !fs::exists(level, error);
       level = level.parent_path()) {
    parents.push_back(level.has_parent_path() ? level.parent_path().string() : ".");
  }
  return parents;
}

// One part file and its manifest, open for appending. Appends collect in
// memory and reach the files in large writes (Flush, or when a buffer
// fills): one write(2) per response for the frame and one for its line were
// a large share of the collector's system time. Frames are always written
// before the manifest lines that point at them. Data still buffered when the
// process dies is lost, which is fine: nothing loaded from a record is
// committed before Sync(), which flushes. Closed (after a best-effort flush)
// on destruction.
class PartFile {
 public:
  static constexpr size_t kFlushBytes = 256 << 10;

  static Result<std::unique_ptr<PartFile>> Create(FileSystem& files, const std::string& directory,
                                                  int64_t part_number) {
    const std::string stem = directory + "/" + lake_format::PartStem(part_number);
    SW_ASSIGN_OR_RETURN(auto frames,
                        files.CreateAppendableFile(stem + std::string(lake_format::kFrameSuffix)));
    SW_ASSIGN_OR_RETURN(
        auto manifest, files.CreateAppendableFile(stem + std::string(lake_format::kManifestSuffix)));
    return std::unique_ptr<PartFile>(new PartFile(std::move(frames), std::move(manifest)));
  }

  ~PartFile() { (void)Flush(); }
  PartFile(const PartFile&) = delete;
  PartFile& operator=(const PartFile&) = delete;

  // Bytes of frames appended so far, written or still buffered.
  int64_t size() const { return size_; }

  // Appends one frame and the manifest line that describes it.
  // REQUIRES: the writer's mutex is held (appends must not interleave).
  Status Append(std::string_view frame, std::string_view manifest_line) {
    frames_.append(frame);
    lines_.append(manifest_line);
    size_ += static_cast<int64_t>(frame.size());
    if (frames_.size() + lines_.size() >= kFlushBytes) return Flush();
    return Status::Ok();
  }

  // Hands everything buffered to the kernel. REQUIRES: the writer's mutex.
  Status Flush() {
    if (!frames_.empty()) {
      SW_RETURN_IF_ERROR(frame_file_->Append(frames_));
      frames_.clear();
    }
    if (!lines_.empty()) {
      SW_RETURN_IF_ERROR(manifest_file_->Append(lines_));
      lines_.clear();
    }
    return Status::Ok();
  }

  // REQUIRES: Flush() since the last Append (fsync sees only written data).
  Status SyncFrames() const { return frame_file_->SyncData(); }
  Status SyncManifest() const { return manifest_file_->SyncData(); }

 private:
  PartFile(std::unique_ptr<AppendableFile> frame_file, std::unique_ptr<AppendableFile> manifest_file)
      : frame_file_(std::move(frame_file)), manifest_file_(std::move(manifest_file)) {}

  const std::unique_ptr<AppendableFile> frame_file_;
  const std::unique_ptr<AppendableFile> manifest_file_;
  int64_t size_ = 0;
  std::string frames_;  // appended, not yet written
  std::string lines_;
};

// A dataset's files for one fetch day within the run.
struct Partition {
  std::string directory;
  int64_t next_part_number = 0;
  // Shared so that Sync() can fdatasync outside the lock while a concurrent
  // roll drops the writer's reference.
  std::shared_ptr<PartFile> current;
};

// One zstd context per thread, reused across appends.
struct CompressionScratch {
  ZSTD_CCtx* context = ZSTD_createCCtx();
  std::string output;
  CompressionScratch() = default;
  CompressionScratch(const CompressionScratch&) = delete;
  CompressionScratch& operator=(const CompressionScratch&) = delete;
  ~CompressionScratch() { ZSTD_freeCCtx(context); }
};

class FileLakeWriter final : public LakeWriter {
 public:
  // `new_directories`: directories Open() changed by creating the root.
  FileLakeWriter(const LakeWriterOptions& options, FileSystem& files,
                 const std::vector<std::string>& new_directories)
      : options_(options),
        files_(files),
        directories_to_sync_(new_directories.begin(), new_directories.end()) {}
  ~FileLakeWriter() override {
    Status status = Close();
    if (!status.ok()) spdlog::warn("closing lake run {}: {}", options_.run_id, status.ToString());
  }
  FileLakeWriter(const FileLakeWriter&) = delete;
  FileLakeWriter& operator=(const FileLakeWriter&) = delete;

  Result<int64_t> Append(const LakeRecord& record) override;
  Status Sync() override;
  Status Close() override;

 private:
  // REQUIRES: mutex_ held.
  Result<PartFile*> PartFor(const std::string& dataset, const std::string& day, int64_t frame_size);
  Status Fail(Status status);  // REQUIRES: mutex_ held

  const LakeWriterOptions options_;
  FileSystem& files_;
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Partition> partitions_;  // (dataset, day)
  std::set<std::string> directories_to_sync_;  // entries created since the last Sync()
  int64_t next_seq_ = 1;
  bool closed_ = false;
  Status failure_;  // sticky: after a failed write the run's files are suspect
};

Result<int64_t> FileLakeWriter::Append(const LakeRecord& record) {
  if (!lake_format::IsValidName(record.dataset)) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("lake dataset name '{}' is not valid", record.dataset),
                  "use letters, digits, '_', '.' and '-' only");
  }
  if (ContainsServiceKey(record.request)) {
    // The request is deliberately not quoted: it holds the secret.
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("refusing to write a {} request that still contains serviceKey "
                              "to the lake",
                              record.dataset),
                  "strip the service key from the request before landing the response");
  }
  SW_ASSIGN_OR_RETURN(std::string day, FetchDay(record.fetched_at));

  thread_local CompressionScratch scratch;
  if (scratch.context == nullptr) return Status(ErrorCode::kInternal, "ZSTD_createCCtx failed");
  scratch.output.resize(ZSTD_compressBound(record.body.size()));
  const size_t compressed =
      ZSTD_compressCCtx(scratch.context, scratch.output.data(), scratch.output.size(),
                        record.body.data(), record.body.size(), options_.zstd_level);
  if (ZSTD_isError(compressed)) {
    return Status(ErrorCode::kInternal,
                  fmt::format("zstd compression failed: {}", ZSTD_getErrorName(compressed)));
  }
  const std::string_view frame(scratch.output.data(), compressed);
  FrameLocation location{.length = static_cast<int64_t>(compressed),
                         .raw_size = static_cast<int64_t>(record.body.size()),
                         .crc32 = lake_format::Crc32(record.body)};

  LakeRecord header;
  header.dataset = record.dataset;
  header.run_id = options_.run_id;
  header.request = record.request;
  header.http_status = record.http_status;
  header.fetched_at = record.fetched_at;

  std::lock_guard lock(mutex_);
  if (closed_) {
    return Status(ErrorCode::kInternal,
                  fmt::format("Append() after Close() on lake run {}", options_.run_id));
  }
  if (!failure_.ok()) return failure_;
  SW_ASSIGN_OR_RETURN(PartFile * part, PartFor(record.dataset, day, location.length));
  location.offset = part->size();
  header.seq = next_seq_;
  if (Status status = part->Append(frame, lake_format::EncodeManifestLine(header, location));
      !status.ok()) {
    return Fail(status);
  }
  return next_seq_++;
}

Result<PartFile*> FileLakeWriter::PartFor(const std::string& dataset, const std::string& day,
                                          int64_t frame_size) {
  auto [entry, created] = partitions_.try_emplace({dataset, day});
  Partition& partition = entry->second;
  if (created) {
    const fs::path directory =
        fs::path(options_.root) / lake_format::PartitionPath(dataset, day, options_.run_id);
    partition.directory = directory.string();
    // Any of run=, dt= and the dataset directory may be new: sync their parents.
    for (std::string& parent : ParentsOfMissingLevels(directory))
      directories_to_sync_.insert(std::move(parent));
    if (Status created_directory = files_.CreateDirectories(partition.directory);
        !created_directory.ok()) {
      partitions_.erase(entry);
      return created_directory;
    }
  }
  PartFile* current = partition.current.get();
  if (current != nullptr && current->size() > 0 &&
      current->size() + frame_size > options_.part_bytes) {
    if (Status status = current->Flush(); !status.ok()) return Fail(status);
    if (options_.fsync) {
      // The retired part is synced now, so Sync() only ever deals with open parts.
      if (Status status = current->SyncFrames(); !status.ok()) return Fail(status);
      if (Status status = current->SyncManifest(); !status.ok()) return Fail(status);
    }
    partition.current.reset();
  }
  if (partition.current == nullptr) {
    auto part = PartFile::Create(files_, partition.directory, partition.next_part_number);
    if (!part.ok()) return Fail(part.status());
    ++partition.next_part_number;
    partition.current = std::move(part).value();
    directories_to_sync_.insert(partition.directory);
  }
  return partition.current.get();
}

Status FileLakeWriter::Fail(Status status) {
  failure_ = status.WithContext(fmt::format("lake run {} stopped", options_.run_id));
  return failure_;
}

Status FileLakeWriter::Sync() {
  std::vector<std::shared_ptr<PartFile>> parts;
  std::set<std::string> directories;
  {
    std::lock_guard lock(mutex_);
    if (!failure_.ok()) return failure_;
    for (const auto& entry : partitions_) {
      if (entry.second.current == nullptr) continue;
      if (Status status = entry.second.current->Flush(); !status.ok()) return Fail(status);
      parts.push_back(entry.second.current);
    }
    if (!options_.fsync) return Status::Ok();  // written: the kernel has it
    directories.swap(directories_to_sync_);
  }
  // Frames before manifests: a durable manifest line never points at a lost frame.
  Status status;
  for (const auto& part : parts) {
    if (status.ok()) status = part->SyncFrames();
  }
  for (const auto& part : parts) {
    if (status.ok()) status = part->SyncManifest();
  }
  for (const std::string& directory : directories) {
    if (status.ok()) status = files_.SyncDirectory(directory);
  }
  if (!status.ok()) {
    std::lock_guard lock(mutex_);
    return Fail(status);
  }
  return Status::Ok();
}

Status FileLakeWriter::Close() {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return Status::Ok();
  }
  Status status = Sync();
  std::lock_guard lock(mutex_);
  closed_ = true;
  partitions_.clear();
  return status;
}

// True when some <root>/<dataset>/dt=<day>/run=<run_id> already exists.
Result<bool> RunExists(const std::string& root, const std::string& run_id) {
  const std::string run_directory = std::string(lake_format::kRunPrefix) + run_id;
  SW_ASSIGN_OR_RETURN(auto datasets, lake_format::ListDirectory(root));
  for (const auto& dataset : datasets) {
    if (!dataset.is_directory) continue;
    SW_ASSIGN_OR_RETURN(auto days, lake_format::ListDirectory(root + "/" + dataset.name));
    for (const auto& day : days) {
      std::error_code error;
      if (fs::exists(fs::path(root) / dataset.name / day.name / run_directory, error)) return true;
    }
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<LakeWriter>> LakeWriter::Open(const LakeWriterOptions& options) {
  if (options.root.empty()) {
    return Status(ErrorCode::kInvalidInput, "the lake root is empty",
                  "set the lake path in the configuration");
  }
  if (!lake_format::IsValidName(options.run_id)) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("lake run id '{}' is not valid", options.run_id),
                  "run ids use letters, digits, '_', '.' and '-' only, e.g. 20261125T160102Z-1a2b");
  }
  if (options.part_bytes <= 0) {
    return Status(ErrorCode::kInvalidInput, "lake part_bytes must be positive");
  }
  if (options.zstd_level < ZSTD_minCLevel() || options.zstd_level > ZSTD_maxCLevel()) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("zstd level {} is outside {}..{}", options.zstd_level,
                              ZSTD_minCLevel(), ZSTD_maxCLevel()));
  }
  FileSystem& files = options.file_system != nullptr ? *options.file_system : DefaultFileSystem();
  const std::vector<std::string> new_directories = ParentsOfMissingLevels(options.root);
  SW_RETURN_IF_ERROR(files.CreateDirectories(options.root));
  SW_ASSIGN_OR_RETURN(bool exists, RunExists(options.root, options.run_id));
  if (exists) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("lake {} already holds run {}", options.root, options.run_id),
                  "every run needs a new run id; parts of a run are never appended to twice");
  }
  return std::unique_ptr<LakeWriter>(new FileLakeWriter(options, files, new_directories));
}

}  // namespace silverwork
