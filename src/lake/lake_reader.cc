// LakeReader: replays a lake in (run id, seq) order.
//
// Within a run, each (dataset, day) partition is one stream: its parts are
// read one after another (a writer fills part N before opening part N+1, so
// seqs increase along a partition). Streams are k-way merged by seq. Memory is
// one buffered manifest reader and one record per partition of the current
// run, whatever the number of records.
#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "lake/lake.h"
#include "lake/lake_format.h"

namespace silverwork {
namespace {

using lake_format::FrameLocation;

constexpr size_t kReadBufferBytes = 64 << 10;
constexpr const char* kCorruptHint =
    "the lake file is damaged; restore it from a backup, or move that run directory out of the "
    "lake to replay the rest";

Status LakeReadError(std::string_view action, const std::string& path, int error_number) {
  return Status(ErrorCode::kIO,
                fmt::format("cannot {} {}: {}", action, path, std::strerror(error_number)),
                "check that the lake directory is readable");
}

// An open file descriptor, closed on destruction.
class FileHandle {
 public:
  FileHandle() = default;
  explicit FileHandle(int fd) : fd_(fd) {}
  ~FileHandle() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileHandle(FileHandle&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileHandle& operator=(FileHandle&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

Result<FileHandle> OpenForReading(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return LakeReadError("open", path, errno);
  return FileHandle(fd);
}

// Reads a file line by line through a fixed buffer.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd), buffer_(kReadBufferBytes) {}

  // Reads the next line (without its '\n') into line() and sets `is_last`
  // to whether nothing follows it. Returns false at end of file.
  Result<bool> Next(bool* is_last) {
    if (begin_ == end_) SW_RETURN_IF_ERROR(Fill());
    if (begin_ == end_) return false;
    line_.clear();
    while (true) {
      const char* start = buffer_.data() + begin_;
      const char* stop = buffer_.data() + end_;
      const char* newline = std::find(start, stop, '\n');
      line_.append(start, newline);
      begin_ = static_cast<size_t>(newline - buffer_.data()) + (newline != stop ? 1 : 0);
      if (newline != stop) break;
      SW_RETURN_IF_ERROR(Fill());
      if (begin_ == end_) break;  // an unterminated last line
    }
    if (begin_ == end_) SW_RETURN_IF_ERROR(Fill());  // peek: does anything follow?
    *is_last = begin_ == end_;
    return true;
  }

  const std::string& line() const { return line_; }

 private:
  // REQUIRES: every buffered byte was consumed. Reads the next chunk; at end
  // of file the buffer stays empty.
  Status Fill() {
    begin_ = end_ = 0;
    while (true) {
      const ssize_t got = ::read(fd_, buffer_.data(), buffer_.size());
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return Status(ErrorCode::kIO, std::strerror(errno));
      end_ = static_cast<size_t>(got);
      return Status::Ok();
    }
  }

  int fd_;
  std::vector<char> buffer_;
  size_t begin_ = 0;  // next unread byte
  size_t end_ = 0;    // end of valid bytes
  std::string line_;
};

// The records of one (dataset, day) partition of a run, in seq order.
class PartitionStream {
 public:
  // `stems` are "<dir>/part-NNNNN" paths in part order.
  PartitionStream(std::vector<std::string> stems, LakeStats* stats)
      : stems_(std::move(stems)), stats_(stats) {}
  PartitionStream(const PartitionStream&) = delete;
  PartitionStream& operator=(const PartitionStream&) = delete;

  // Moves to the next complete record, skipping torn manifest lines and
  // torn frames. Returns false when the partition is exhausted.
  Result<bool> Advance() {
    while (true) {
      if (manifest_ == nullptr) {
        if (next_part_ == stems_.size()) return false;
        SW_RETURN_IF_ERROR(OpenPart(stems_[next_part_++]));
      }
      bool is_last = false;
      auto read = manifest_->Next(&is_last);
      if (!read.ok()) return read.status().WithContext("reading " + manifest_path_);
      if (!*read) {
        manifest_.reset();
        continue;
      }
      ++line_number_;
      const std::string& line = manifest_->line();
      Status decoded = lake_format::DecodeManifestLine(line, &record_, &frame_);
      if (!decoded.ok()) {
        // Only the last line can be torn (a writer killed mid-line); a broken
        // line elsewhere, or a whole JSON line lacking fields, is damage.
        if (is_last && !lake_format::IsJson(line)) {
          ++stats_->skipped_torn;
          continue;
        }
        return Status(
            ErrorCode::kCorrupt,
            fmt::format("{} line {}: {}", manifest_path_, line_number_, decoded.message()),
            kCorruptHint);
      }
      SW_ASSIGN_OR_RETURN(bool complete, FrameIsComplete());
      if (!complete) {
        ++stats_->skipped_torn;
        continue;
      }
      return true;
    }
  }

  int64_t seq() const { return record_.seq; }

  // Reads, decompresses and checks the current record's body.
  // REQUIRES: the last Advance() returned true.
  Result<const LakeRecord*> Load(ZSTD_DCtx* context, std::string& compressed) {
    compressed.resize(static_cast<size_t>(frame_.length));
    size_t done = 0;
    while (done < compressed.size()) {
      const ssize_t got = ::pread(part_.get(), compressed.data() + done, compressed.size() - done,
                                  static_cast<off_t>(frame_.offset + static_cast<int64_t>(done)));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return LakeReadError("read", frame_path_, errno);
      if (got == 0) return Corrupt("the frame ends early");
      done += static_cast<size_t>(got);
    }
    const unsigned long long declared =
        ZSTD_getFrameContentSize(compressed.data(), compressed.size());
    // The writer always records the content size; checking it first keeps a
    // damaged raw_size from sizing a huge allocation.
    if (declared != static_cast<unsigned long long>(frame_.raw_size)) {
      return Corrupt("the frame is not a zstd frame of the recorded raw_size");
    }
    record_.body.resize(static_cast<size_t>(frame_.raw_size));
    const size_t size = ZSTD_decompressDCtx(context, record_.body.data(), record_.body.size(),
                                            compressed.data(), compressed.size());
    if (ZSTD_isError(size)) {
      return Corrupt(fmt::format("zstd cannot decompress it: {}", ZSTD_getErrorName(size)));
    }
    if (size != record_.body.size()) return Corrupt("it decompresses to the wrong size");
    if (lake_format::Crc32(record_.body) != frame_.crc32) return Corrupt("crc32 mismatch");
    return &record_;
  }

 private:
  Status OpenPart(const std::string& stem) {
    manifest_path_ = stem + std::string(lake_format::kManifestSuffix);
    frame_path_ = stem + std::string(lake_format::kFrameSuffix);
    line_number_ = 0;
    SW_ASSIGN_OR_RETURN(manifest_file_, OpenForReading(manifest_path_));
    SW_ASSIGN_OR_RETURN(part_, OpenForReading(frame_path_));
    SW_RETURN_IF_ERROR(RefreshPartSize());
    manifest_ = std::make_unique<LineReader>(manifest_file_.get());
    return Status::Ok();
  }

  Status RefreshPartSize() {
    struct stat info {};
    if (::fstat(part_.get(), &info) != 0) return LakeReadError("stat", frame_path_, errno);
    part_size_ = static_cast<int64_t>(info.st_size);
    return Status::Ok();
  }

  // A frame past the end of its part was being written when the writer died.
  Result<bool> FrameIsComplete() {
    auto fits = [this] {
      return frame_.offset <= part_size_ && frame_.length <= part_size_ - frame_.offset;
    };
    if (fits()) return true;
    SW_RETURN_IF_ERROR(RefreshPartSize());  // the file may have grown since it was opened
    return fits();
  }

  Status Corrupt(std::string_view why) const {
    return Status(ErrorCode::kCorrupt,
                  fmt::format("record seq {} of run {} in {} (offset {}) is damaged: {}",
                              record_.seq, record_.run_id, frame_path_, frame_.offset, why),
                  kCorruptHint);
  }

  std::vector<std::string> stems_;
  LakeStats* stats_;
  size_t next_part_ = 0;
  std::string manifest_path_;
  std::string frame_path_;
  FileHandle manifest_file_;
  FileHandle part_;
  int64_t part_size_ = 0;
  std::unique_ptr<LineReader> manifest_;
  int64_t line_number_ = 0;
  LakeRecord record_;
  FrameLocation frame_;
};

// run id -> the part stems of each of its partitions.
using RunLayout = std::map<std::string, std::vector<std::vector<std::string>>>;

Status NotFoundRoot(const std::string& root) {
  return Status(ErrorCode::kNotFound, fmt::format("lake {} does not exist", root),
                "check the lake path in the configuration, or collect something first");
}

Result<RunLayout> DiscoverRuns(const std::string& root, const std::vector<std::string>& datasets,
                               bool with_parts) {
  auto listed = lake_format::ListDirectory(root);
  if (listed.status().IsNotFound()) return NotFoundRoot(root);
  if (!listed.ok()) return listed.status();
  RunLayout layout;
  for (const auto& dataset : *listed) {
    if (!dataset.is_directory || !lake_format::IsValidName(dataset.name)) continue;
    if (!datasets.empty() &&
        std::find(datasets.begin(), datasets.end(), dataset.name) == datasets.end()) {
      continue;
    }
    const std::string dataset_path = root + "/" + dataset.name;
    SW_ASSIGN_OR_RETURN(auto days, lake_format::ListDirectory(dataset_path));
    for (const auto& day : days) {
      if (!day.is_directory || !day.name.starts_with(lake_format::kDayPrefix)) continue;
      const std::string day_path = dataset_path + "/" + day.name;
      SW_ASSIGN_OR_RETURN(auto runs, lake_format::ListDirectory(day_path));
      for (const auto& run : runs) {
        if (!run.is_directory || !run.name.starts_with(lake_format::kRunPrefix)) continue;
        const std::string run_id = run.name.substr(lake_format::kRunPrefix.size());
        if (!lake_format::IsValidName(run_id)) continue;
        auto& partitions = layout[run_id];
        if (!with_parts) continue;
        const std::string run_path = day_path + "/" + run.name;
        SW_ASSIGN_OR_RETURN(auto files, lake_format::ListDirectory(run_path));
        std::vector<std::pair<int64_t, std::string>> parts;
        for (const auto& file : files) {
          if (file.is_directory || !file.name.ends_with(lake_format::kManifestSuffix)) continue;
          const std::string stem =
              file.name.substr(0, file.name.size() - lake_format::kManifestSuffix.size());
          const int64_t number = lake_format::ParsePartStem(stem);
          if (number >= 0) parts.emplace_back(number, run_path + "/" + stem);
        }
        if (parts.empty()) continue;
        std::sort(parts.begin(), parts.end());
        std::vector<std::string> stems;
        for (auto& part : parts) stems.push_back(std::move(part.second));
        partitions.push_back(std::move(stems));
      }
    }
  }
  return layout;
}

}  // namespace

Status LakeReader::ForEach(const std::vector<std::string>& datasets,
                           const std::function<Status(const LakeRecord&)>& on_record,
                           LakeStats* stats) const {
  SW_ASSIGN_OR_RETURN(RunLayout layout, DiscoverRuns(root_, datasets, /*with_parts=*/true));
  LakeStats local_stats;
  LakeStats& counts = stats != nullptr ? *stats : local_stats;
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> context(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  if (context == nullptr) return Status(ErrorCode::kInternal, "ZSTD_createDCtx failed");
  std::string compressed;

  for (auto& [run_id, partitions] : layout) {
    std::vector<std::unique_ptr<PartitionStream>> streams;
    using Head = std::pair<int64_t, size_t>;  // (seq, stream index)
    std::priority_queue<Head, std::vector<Head>, std::greater<>> heads;
    for (auto& stems : partitions) {
      streams.push_back(std::make_unique<PartitionStream>(std::move(stems), &counts));
      SW_ASSIGN_OR_RETURN(bool has_record, streams.back()->Advance());
      if (has_record) heads.emplace(streams.back()->seq(), streams.size() - 1);
    }
    while (!heads.empty()) {
      const size_t index = heads.top().second;
      heads.pop();
      PartitionStream& stream = *streams[index];
      SW_ASSIGN_OR_RETURN(const LakeRecord* record, stream.Load(context.get(), compressed));
      ++counts.records;
      counts.compressed_bytes += static_cast<int64_t>(compressed.size());
      counts.raw_bytes += static_cast<int64_t>(record->body.size());
      SW_RETURN_IF_ERROR(on_record(*record));
      SW_ASSIGN_OR_RETURN(bool has_record, stream.Advance());
      if (has_record) heads.emplace(stream.seq(), index);
    }
  }
  return Status::Ok();
}

Result<std::vector<std::string>> LakeReader::Runs() const {
  SW_ASSIGN_OR_RETURN(RunLayout layout, DiscoverRuns(root_, {}, /*with_parts=*/false));
  std::vector<std::string> runs;
  runs.reserve(layout.size());
  for (const auto& entry : layout) runs.push_back(entry.first);
  return runs;
}

}  // namespace silverwork
