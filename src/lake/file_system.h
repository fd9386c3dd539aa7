// FileSystem: the lake's only way to change files, behind an interface in
// the spirit of LevelDB's Env, so that a test can watch what the lake
// writes and when it makes it durable (tests/lake/recording_file_system.h
// journals every write and fsync) or make it fail. DefaultFileSystem() is
// the real one (POSIX), and what the lake uses unless told otherwise.
// Reading a lake goes through std::filesystem directly: only what changes
// files matters for durability.
//
// Thread-safety: FileSystem implementations are thread-safe. On one
// AppendableFile, Append() calls must not overlap (the lake writer makes
// them under its lock), but SyncData() may run beside an Append(), as
// fdatasync(2) may beside write(2): it makes durable at least what was
// written before it started.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace silverwork {

// A new file open for appending. Closed on destruction (a failed close is
// not reported: data that matters was synced before, and its sync reported).
class AppendableFile {
 public:
  virtual ~AppendableFile() = default;

  // Hands `data` to the operating system (write(2) until all is written). The
  // data is not durable until SyncData() returns ok.
  virtual Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable (fdatasync(2)).
  virtual Status SyncData() = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates `path` for appending. kIO (saying which path and why) when it
  // exists already or cannot be created. The new entry in its directory is
  // durable only after SyncDirectory() of that directory.
  virtual Result<std::unique_ptr<AppendableFile>> CreateAppendableFile(const std::string& path) = 0;
  // Creates directory `path` and any missing parents; ok when it exists.
  virtual Status CreateDirectories(const std::string& path) = 0;
  // Makes the entries created in directory `path` so far durable (fsync(2)
  // of the directory).
  virtual Status SyncDirectory(const std::string& path) = 0;
};

// The operating system's files. Lives for the whole process.
FileSystem& DefaultFileSystem();

}  // namespace silverwork
