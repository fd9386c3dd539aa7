#include "serve/task_logs.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace silverwork::serve {
namespace {

// Bytes read per step when looking backwards for line starts.
constexpr int64_t kTailBlockBytes = 64 * 1024;

// An open file descriptor, closed when it goes out of scope.
class OpenFile {
 public:
  explicit OpenFile(int descriptor) : descriptor_(descriptor) {}
  ~OpenFile() {
    if (descriptor_ >= 0) ::close(descriptor_);
  }
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  int get() const { return descriptor_; }

 private:
  int descriptor_;
};

Status CannotRead(const std::filesystem::path& path, int error) {
  return Status(ErrorCode::kIO,
                fmt::format("cannot read the log {}: {}", path.string(), std::strerror(error)),
                "check that the file is readable by the user running `silverwork serve`");
}

// Reads [offset, offset + length) (less at the end of the file).
Result<std::string> ReadRange(int descriptor, const std::filesystem::path& path, int64_t offset,
                              int64_t length) {
  std::string bytes(static_cast<size_t>(length), '\0');
  size_t filled = 0;
  while (filled < bytes.size()) {
    const ssize_t got = ::pread(descriptor, bytes.data() + filled, bytes.size() - filled,
                                static_cast<off_t>(offset + static_cast<int64_t>(filled)));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return CannotRead(path, errno);
    if (got == 0) break;
    filled += static_cast<size_t>(got);
  }
  bytes.resize(filled);
  return bytes;
}

// The length of `text` without a character cut off at its end.
size_t WholeCharacters(std::string_view text) {
  const size_t size = text.size();
  for (size_t back = 1; back <= std::min<size_t>(4, size); ++back) {
    const auto byte = static_cast<unsigned char>(text[size - back]);
    if ((byte & 0xC0) == 0x80) continue;  // a continuation byte: look further back
    const size_t needed = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
    return needed > back ? size - back : size;
  }
  return size;
}

// The first byte of the last `lines` lines before `size`, looking back at
// most `max_bytes`; `cut` says whether the limit stopped the search.
Result<int64_t> TailStart(int descriptor, const std::filesystem::path& path, int64_t size,
                          int64_t lines, int64_t max_bytes, bool& cut) {
  const int64_t floor = std::max<int64_t>(0, size - max_bytes);
  // A newline that ends the file ends the last line; it starts no new one.
  int64_t newlines_wanted = lines;
  int64_t end = size;
  while (end > floor) {
    const int64_t begin = std::max(floor, end - kTailBlockBytes);
    SW_ASSIGN_OR_RETURN(std::string block, ReadRange(descriptor, path, begin, end - begin));
    for (int64_t index = static_cast<int64_t>(block.size()) - 1; index >= 0; --index) {
      if (block[static_cast<size_t>(index)] != '\n' || begin + index == size - 1) continue;
      if (--newlines_wanted == 0) return begin + index + 1;
    }
    end = begin;
  }
  cut = floor > 0;
  return floor;
}

}  // namespace

Result<LogChunk> ReadLogChunk(const std::filesystem::path& path, const LogWindow& window,
                              size_t max_bytes) {
  OpenFile file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) {
    if (errno == ENOENT || errno == ENOTDIR)
      return Status(ErrorCode::kNotFound, fmt::format("the log {} does not exist", path.string()),
                    "the scheduler writes it when the try starts; it may have been removed");
    return CannotRead(path, errno);
  }
  struct stat info {};
  if (::fstat(file.get(), &info) != 0) return CannotRead(path, errno);
  if (!S_ISREG(info.st_mode))
    return Status(ErrorCode::kNotFound, fmt::format("{} is not a log file", path.string()),
                  "the try's log path must name a regular file");
  LogChunk chunk;
  chunk.size = info.st_size;
  const auto limit = static_cast<int64_t>(max_bytes);
  if (window.tail_lines) {
    SW_ASSIGN_OR_RETURN(chunk.offset, TailStart(file.get(), path, chunk.size, *window.tail_lines,
                                                limit, chunk.truncated));
  } else {
    chunk.offset = window.offset.value_or(0);
    if (chunk.offset > chunk.size)
      return Status(
          ErrorCode::kInvalidInput,
          fmt::format("offset {} lies beyond the log's {} bytes", chunk.offset, chunk.size),
          "ask from an offset an earlier answer gave (X-Log-Next-Offset)");
  }
  const int64_t length = std::min(chunk.size - chunk.offset, limit);
  SW_ASSIGN_OR_RETURN(chunk.text, ReadRange(file.get(), path, chunk.offset, length));
  if (window.tail_lines && chunk.truncated) {
    // Cut by the limit: start at the first whole line.
    const size_t line_start = chunk.text.find('\n');
    if (line_start != std::string::npos) {
      chunk.text.erase(0, line_start + 1);
      chunk.offset += static_cast<int64_t>(line_start + 1);
    }
  }
  // A running task may be half-way through writing a character: it is sent
  // whole with the next answer.
  chunk.text.resize(WholeCharacters(chunk.text));
  chunk.next_offset = chunk.offset + static_cast<int64_t>(chunk.text.size());
  if (!window.tail_lines) chunk.truncated = chunk.next_offset < chunk.size;
  return chunk;
}

}  // namespace silverwork::serve
