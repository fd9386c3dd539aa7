// The lake: every raw API response, compressed, exactly as received.
//
// Layout under the lake root:
//   <dataset>/dt=<YYYY-MM-DD fetch day, UTC>/run=<run id>/part-<NNNNN>.zst
//   <dataset>/dt=.../run=.../part-<NNNNN>.manifest.jsonl
// A part file is a sequence of independent zstd frames, one per response.
// Its manifest has one JSON line per response, written only after the frame:
// {"seq","offset","length","raw_size","crc32","request","http_status",
//  "fetched_at","dataset","run_id"}. A line that is torn (process killed while
// writing) or a frame without a manifest line is ignored by readers, so a
// killed process never leaves a half-record visible.
//
// `request` is the request path and query WITHOUT the service key: the
// writer rejects a record whose request still contains "serviceKey".
//
// Replay order is (run id, seq): run ids sort by start time and seq is
// assigned by the writer in Append() order, so replaying reproduces the order
// in which responses were received and loaded.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "lake/file_system.h"

namespace silverwork {

struct LakeRecord {
  std::string dataset;  // "postings_list", "postings_detail", "projects"
  std::string run_id;   // the collection run that fetched it
  int64_t seq = 0;      // assigned by LakeWriter::Append
  std::string request;  // path?query, service key removed
  int http_status = 0;
  std::string fetched_at;  // UTC ISO-8601
  std::string body;        // the response body, byte for byte
};

struct LakeWriterOptions {
  std::string root;
  std::string run_id;
  // Roll to a new part file after this many compressed bytes.
  int64_t part_bytes = 64 << 20;
  // zstd's fast mode: most responses are single postings of ~1 KB, and for
  // those levels >= 1 spend most of their time on entropy-coding the
  // literals (level 3: ~30 us, level 1: ~19 us, -1: ~8 us each, measured),
  // while -1 still shrinks them by 28% (level 1: 35%). The collector
  // lands one response per posting, so this is on its hot path.
  int zstd_level = -1;
  // fsync part files and manifests in Sync(); off only for throwaway lakes.
  bool fsync = true;
  // Where files are created, written and synced. Not owned; must outlive the
  // writer. Null: DefaultFileSystem(), the operating system's.
  FileSystem* file_system = nullptr;
};

// Appends records for one run. Thread-safe: workers may Append concurrently.
// After a failed write or fsync the writer stops: every later Append() and
// Sync() returns that error (the run's files are left for readers, who
// ignore anything incomplete).
class LakeWriter {
 public:
  // Creates the root if needed. kInvalidInput when run_id is not made of
  // [A-Za-z0-9_.-] or the lake already holds that run (parts are never
  // appended to by a second writer).
  static Result<std::unique_ptr<LakeWriter>> Open(const LakeWriterOptions& options);
  virtual ~LakeWriter() = default;

  // Compresses and appends `record` (its dataset, request, status, fetched_at
  // and body; run_id comes from the options). Returns the assigned seq: 1 for
  // the run's first record, then one more per successful Append. kInvalidInput
  // (and no seq used) when the dataset is not a [A-Za-z0-9_.-] name,
  // fetched_at does not start with a YYYY-MM-DD day, or the request contains
  // "serviceKey" in any letter case.
  virtual Result<int64_t> Append(const LakeRecord& record) = 0;
  // Makes everything appended so far durable: writes what Append() buffered
  // to the files, then fsyncs them when enabled (with fsync off the data only
  // reaches the kernel). Records not yet synced may be lost if the process
  // dies, so call this before committing warehouse rows loaded from them.
  virtual Status Sync() = 0;
  // Sync()s and closes all files. Appending after Close() is an error.
  virtual Status Close() = 0;
};

struct LakeStats {
  int64_t records = 0;
  int64_t compressed_bytes = 0;
  int64_t raw_bytes = 0;
  int64_t skipped_torn = 0;  // manifest lines or frames ignored as incomplete
};

// Reads a lake. Not thread-safe; cheap to create.
class LakeReader {
 public:
  explicit LakeReader(std::string root) : root_(std::move(root)) {}

  // Calls `on_record` for every complete record, in replay order, restricted
  // to `datasets` when that is non-empty. Streams: memory does not grow with
  // the number of records. A record whose crc32 does not match is kCorrupt;
  // a missing root is kNotFound (never an empty replay).
  Status ForEach(const std::vector<std::string>& datasets,
                 const std::function<Status(const LakeRecord&)>& on_record,
                 LakeStats* stats = nullptr) const;

  // Run ids present in the lake, sorted.
  Result<std::vector<std::string>> Runs() const;

 private:
  std::string root_;
};

}  // namespace silverwork
