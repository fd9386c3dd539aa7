// StaticAssets: the built dashboard (web/dist), read into memory once at
// startup and served from there. Only files found under the folder at load
// time can be served, so no request path can reach outside it.
//
// Immutable after Load; thread-safe.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace silverwork::serve {

struct Asset {
  std::string body;
  std::string content_type;
  bool immutable = false;  // content-hashed file name: cache forever
};

class StaticAssets {
 public:
  // Reads every file under `dir` (at most `max_total_bytes` in all).
  // REQUIRES: `dir` holds index.html.
  static Result<StaticAssets> Load(const std::filesystem::path& dir,
                                   size_t max_total_bytes = 64 << 20);

  // The asset for a URL path ("/" is index.html), or nullptr.
  const Asset* Find(std::string_view url_path) const;
  const std::filesystem::path& dir() const { return dir_; }
  size_t size() const { return assets_.size(); }

 private:
  std::filesystem::path dir_;
  std::map<std::string, Asset, std::less<>> assets_;  // key: "/assets/x.js"
};

// The built dashboard to serve: `explicit_dir` when given (an error when it
// has no index.html); else $SILVERWORK_WEB_DIR; else the first web/dist (or
// share/silverwork/web) holding index.html found walking up from the
// executable's folder, then from the working directory. nullopt: none.
Result<std::optional<std::filesystem::path>> FindWebDir(const std::string& explicit_dir);

}  // namespace silverwork::serve
