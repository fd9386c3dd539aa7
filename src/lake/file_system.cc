// The POSIX FileSystem.
#include "lake/file_system.h"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <system_error>

namespace silverwork {
namespace {

Status IoError(std::string_view action, const std::string& path, int error_number) {
  return Status(ErrorCode::kIO,
                fmt::format("cannot {} {}: {}", action, path, std::strerror(error_number)),
                "check free disk space and the permissions of the lake directory");
}

class PosixAppendableFile final : public AppendableFile {
 public:
  PosixAppendableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixAppendableFile() override { ::close(fd_); }
  PosixAppendableFile(const PosixAppendableFile&) = delete;
  PosixAppendableFile& operator=(const PosixAppendableFile&) = delete;

  Status Append(std::string_view data) override {
    while (!data.empty()) {
      const ssize_t written = ::write(fd_, data.data(), data.size());
      if (written < 0) {
        if (errno == EINTR) continue;
        return IoError("write", path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(written));
    }
    return Status::Ok();
  }

  Status SyncData() override {
    return ::fdatasync(fd_) == 0 ? Status::Ok() : IoError("fdatasync", path_, errno);
  }

 private:
  const std::string path_;
  const int fd_;
};

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<AppendableFile>> CreateAppendableFile(const std::string& path) override {
    constexpr int kFlags = O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC;
    const int fd = ::open(path.c_str(), kFlags, 0644);
    if (fd < 0) return IoError("create", path, errno);
    return std::unique_ptr<AppendableFile>(new PosixAppendableFile(path, fd));
  }

  Status CreateDirectories(const std::string& path) override {
    std::error_code error;
    std::filesystem::create_directories(path, error);
    return error ? IoError("create directory", path, error.value()) : Status::Ok();
  }

  Status SyncDirectory(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return IoError("open directory", path, errno);
    const int rc = ::fsync(fd);
    const int error_number = errno;
    ::close(fd);
    return rc == 0 ? Status::Ok() : IoError("fsync", path, error_number);
  }
};

}  // namespace

FileSystem& DefaultFileSystem() {
  static PosixFileSystem* const file_system = new PosixFileSystem();
  return *file_system;
}

}  // namespace silverwork
