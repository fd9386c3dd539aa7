// RecordingFileSystem: a FileSystem that passes every call on to another one
// (the real one by default) and journals, in the order they completed, every
// file and directory created, every write and every sync. From that journal
// it answers what a power cut at this moment would leave on disk: the files
// whose directory entries were synced (and their parents', up to a directory
// that existed before), each with the bytes written before its last
// fdatasync. The page cache that survives a SIGKILL is no help here, so a
// lake that forgot an fsync shows up as missing files or bytes.
//
// The model is conservative: a sync counts the bytes written (or entries
// created) before it started, never those racing with it.
//
// Thread-safe.
#pragma once

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "lake/file_system.h"

namespace silverwork {

class RecordingFileSystem final : public FileSystem {
 public:
  enum class EventKind { kCreateFile, kCreateDirectory, kAppend, kSyncData, kSyncDirectory };
  struct Event {
    EventKind kind;
    std::string path;
    // kAppend: the bytes written; kSyncData: the file's size made durable.
    int64_t bytes = 0;
  };

  explicit RecordingFileSystem(FileSystem& base = DefaultFileSystem()) : base_(base) {}

  // Calls `listener` after each event is journalled, on the thread that
  // caused it, with no lock held (it may call DurableFiles()). Set it before
  // the file system is used.
  void SetListener(std::function<void(const Event&)> listener) { listener_ = std::move(listener); }

  Result<std::unique_ptr<AppendableFile>> CreateAppendableFile(const std::string& path) override {
    SW_ASSIGN_OR_RETURN(std::unique_ptr<AppendableFile> file, base_.CreateAppendableFile(path));
    const std::string key = Normal(path);
    Record({EventKind::kCreateFile, key}, [&] { nodes_[key] = Node{.is_file = true}; });
    return std::unique_ptr<AppendableFile>(new RecordingFile(*this, key, std::move(file)));
  }

  Status CreateDirectories(const std::string& path) override {
    // The levels that are new, outermost first: each needs its parent synced.
    std::vector<std::string> created;
    for (std::filesystem::path level = Normal(path);
         !level.empty() && level != level.root_path() && !std::filesystem::exists(level);
         level = level.parent_path()) {
      created.insert(created.begin(), level.string());
    }
    SW_RETURN_IF_ERROR(base_.CreateDirectories(path));
    for (const std::string& directory : created)
      Record({EventKind::kCreateDirectory, directory}, [&] { nodes_[directory] = Node{}; });
    return Status::Ok();
  }

  Status SyncDirectory(const std::string& path) override {
    const std::string key = Normal(path);
    std::vector<std::string> entries;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [node_path, node] : nodes_)
        if (Parent(node_path) == key) entries.push_back(node_path);
    }
    SW_RETURN_IF_ERROR(base_.SyncDirectory(path));
    Record({EventKind::kSyncDirectory, key}, [&] {
      for (const std::string& entry : entries) nodes_[entry].linked = true;
    });
    return Status::Ok();
  }

  std::vector<Event> Events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }

  // What a power cut now would leave: each surviving file -> its durable size.
  std::map<std::string, int64_t> DurableFiles() const {
    std::lock_guard lock(mutex_);
    std::map<std::string, int64_t> durable;
    for (const auto& [path, node] : nodes_) {
      if (node.is_file && Survives(path)) durable[path] = node.durable;
    }
    return durable;
  }

  // Writes, under `image_root`, the files of `durable` that lie under
  // `source_root` (same relative paths), each cut to its durable size.
  static void WriteCrashImage(const std::map<std::string, int64_t>& durable,
                              const std::string& source_root, const std::string& image_root) {
    const std::filesystem::path source = Normal(source_root);
    for (const auto& [path, size] : durable) {
      const std::filesystem::path relative = std::filesystem::path(path).lexically_relative(source);
      if (relative.empty() || *relative.begin() == "..") continue;
      const std::filesystem::path target = std::filesystem::path(image_root) / relative;
      std::filesystem::create_directories(target.parent_path());
      std::ifstream in(path, std::ios::binary);
      std::string bytes(static_cast<size_t>(size), '\0');
      in.read(bytes.data(), size);
      std::ofstream(target, std::ios::binary | std::ios::trunc).write(bytes.data(), in.gcount());
    }
  }

 private:
  struct Node {
    bool is_file = false;
    bool linked = false;  // its entry in its parent directory is durable
    int64_t written = 0;
    int64_t durable = 0;
  };

  class RecordingFile final : public AppendableFile {
   public:
    RecordingFile(RecordingFileSystem& owner, std::string path, std::unique_ptr<AppendableFile> base)
        : owner_(owner), path_(std::move(path)), base_(std::move(base)) {}

    Status Append(std::string_view data) override {
      SW_RETURN_IF_ERROR(base_->Append(data));
      const auto size = static_cast<int64_t>(data.size());
      owner_.Record({EventKind::kAppend, path_, size},
                    [&] { owner_.nodes_[path_].written += size; });
      return Status::Ok();
    }

    Status SyncData() override {
      int64_t written = 0;
      {
        std::lock_guard lock(owner_.mutex_);
        written = owner_.nodes_[path_].written;
      }
      SW_RETURN_IF_ERROR(base_->SyncData());
      owner_.Record({EventKind::kSyncData, path_, written}, [&] {
        Node& node = owner_.nodes_[path_];
        node.durable = std::max(node.durable, written);
      });
      return Status::Ok();
    }

   private:
    RecordingFileSystem& owner_;
    const std::string path_;
    const std::unique_ptr<AppendableFile> base_;
  };

  // Applies `change` to the model and journals `event` atomically, then tells
  // the listener.
  template <typename Change>
  void Record(const Event& event, const Change& change) {
    {
      std::lock_guard lock(mutex_);
      change();
      events_.push_back(event);
    }
    if (listener_) listener_(event);
  }

  static std::string Normal(const std::string& path) {
    std::string normal = std::filesystem::path(path).lexically_normal().string();
    while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
    return normal;
  }
  static std::string Parent(const std::string& path) {
    std::string parent = std::filesystem::path(path).parent_path().string();
    return parent.empty() ? "." : parent;
  }

  // REQUIRES: mutex_. True when `path` and every parent created through this
  // file system have durable entries.
  bool Survives(const std::string& path) const {
    for (std::string level = path;; level = Parent(level)) {
      auto node = nodes_.find(level);
      if (node == nodes_.end()) return true;  // existed before: not ours to lose
      if (!node->second.linked) return false;
    }
  }

  FileSystem& base_;
  mutable std::mutex mutex_;
  std::map<std::string, Node> nodes_;
  std::vector<Event> events_;
  std::function<void(const Event&)> listener_;
};

}  // namespace silverwork
