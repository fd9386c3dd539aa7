// Reading a task try's log file for GET /api/v1/runs/{run}/tasks/{task}/
// logs/{try}: the whole log from the start, its last N lines, or the bytes
// from an offset — so a client can follow a running task by asking again
// from where the previous answer ended. Every answer is bounded by a byte
// limit and ends on a UTF-8 character boundary (a following request never
// starts inside a character).
//
// The path always comes from the scheduler's store (the try's log_path),
// never from a request. Only regular files are read.
//
// Free functions over the file system; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>

#include "common/status.h"

namespace silverwork::serve {

// Most bytes one answer holds, and most lines `tail` may ask for.
inline constexpr size_t kMaxLogChunkBytes = size_t{1} << 20;
inline constexpr int64_t kMaxLogTailLines = 10'000;

// What part of the log to read: at most one of the two; neither: from the start.
struct LogWindow {
  std::optional<int64_t> tail_lines;  // the last N lines (1..kMaxLogTailLines)
  std::optional<int64_t> offset;      // the bytes from this offset on
};

struct LogChunk {
  std::string text;
  int64_t offset = 0;       // where `text` starts in the file
  int64_t next_offset = 0;  // where it ends: the offset to ask for next
  int64_t size = 0;         // the file's size when it was read
  // The limit cut the answer: bytes after next_offset remain (from the start
  // or an offset), or the last lines began before `offset` (tail).
  bool truncated = false;
};

// kNotFound when the file does not exist (or is not a regular file);
// kInvalidInput when the offset lies beyond the end of the file; kIO when it
// cannot be read.
Result<LogChunk> ReadLogChunk(const std::filesystem::path& path, const LogWindow& window,
                              size_t max_bytes = kMaxLogChunkBytes);

}  // namespace silverwork::serve
