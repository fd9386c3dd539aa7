#include "serve/static_assets.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace silverwork::serve {
namespace {

struct MimeType {
  std::string_view extension;
  std::string_view type;
};

// Types with a charset parameter are not recompressed by the HTTP layer,
// which would otherwise spend seconds on brotli for the script bundle.
constexpr MimeType kMimeTypes[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "application/javascript; charset=utf-8"},
    {".mjs", "application/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
};

std::string ContentType(const std::filesystem::path& path) {
  const std::string extension = path.extension().string();
  for (const MimeType& mime : kMimeTypes) {
    if (mime.extension == extension) return std::string(mime.type);
  }
  return "application/octet-stream";
}

bool HasIndex(const std::filesystem::path& dir) {
  std::error_code error;
  return std::filesystem::is_regular_file(dir / "index.html", error);
}

std::optional<std::filesystem::path> SearchUpwards(std::filesystem::path start) {
  for (int level = 0; level < 8 && !start.empty(); ++level) {
    for (const char* candidate : {"web/dist", "share/silverwork/web"}) {
      if (HasIndex(start / candidate)) return start / candidate;
    }
    if (start == start.parent_path()) break;
    start = start.parent_path();
  }
  return std::nullopt;
}

}  // namespace

Result<StaticAssets> StaticAssets::Load(const std::filesystem::path& dir, size_t max_total_bytes) {
  if (!HasIndex(dir)) {
    return Status(ErrorCode::kNotFound, fmt::format("{} holds no index.html", dir.string()),
                  "build the dashboard: cd web && npm ci && npm run build");
  }
  StaticAssets assets;
  assets.dir_ = dir;
  size_t total = 0;
  std::error_code error;
  for (auto entry = std::filesystem::recursive_directory_iterator(dir, error);
       !error && entry != std::filesystem::recursive_directory_iterator(); entry.increment(error)) {
    if (!entry->is_regular_file()) continue;
    std::ifstream file(entry->path(), std::ios::binary);
    std::ostringstream body;
    body << file.rdbuf();
    if (!file) {
      return Status(ErrorCode::kIO, fmt::format("cannot read {}", entry->path().string()),
                    "check the web folder's permissions");
    }
    Asset asset{body.str(), ContentType(entry->path()), false};
    total += asset.body.size();
    if (total > max_total_bytes) {
      return Status(ErrorCode::kInvalidInput,
                    fmt::format("{} holds more than {} bytes", dir.string(), max_total_bytes),
                    "point --web-dir at the built dashboard (web/dist), not the source tree");
    }
    const std::string relative = entry->path().lexically_relative(dir).generic_string();
    asset.immutable = relative.starts_with("assets/");
    assets.assets_.emplace("/" + relative, std::move(asset));
  }
  if (error) {
    return Status(ErrorCode::kIO, fmt::format("cannot list {}: {}", dir.string(), error.message()),
                  "check the web folder's permissions");
  }
  return assets;
}

const Asset* StaticAssets::Find(std::string_view url_path) const {
  if (url_path == "/") url_path = "/index.html";
  auto found = assets_.find(url_path);
  return found == assets_.end() ? nullptr : &found->second;
}

Result<std::optional<std::filesystem::path>> FindWebDir(const std::string& explicit_dir) {
  if (!explicit_dir.empty()) {
    if (!HasIndex(explicit_dir)) {
      return Status(ErrorCode::kNotFound,
                    fmt::format("--web-dir {} holds no index.html", explicit_dir),
                    "build the dashboard (cd web && npm ci && npm run build) and pass web/dist");
    }
    return std::optional<std::filesystem::path>(explicit_dir);
  }
  if (const char* from_env = std::getenv("SILVERWORK_WEB_DIR"); from_env != nullptr && *from_env) {
    if (!HasIndex(from_env)) {
      return Status(ErrorCode::kNotFound,
                    fmt::format("SILVERWORK_WEB_DIR={} holds no index.html", from_env),
                    "point it at the built dashboard (web/dist)");
    }
    return std::optional<std::filesystem::path>(from_env);
  }
  std::error_code error;
  const auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    if (auto found = SearchUpwards(executable.parent_path())) return found;
  }
  return SearchUpwards(std::filesystem::current_path(error));
}

}  // namespace silverwork::serve
