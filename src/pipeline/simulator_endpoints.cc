#include "pipeline/simulator_endpoints.h"

#include <fmt/format.h>

#include <cstdlib>
#include <string_view>

#include "simulator/simulator.h"

namespace silverwork {

void PointAtSimulator(Config& config, const std::string& base_url) {
  config.service_key = std::string(kSimulatorDemoKey);
  config.postings.base_url = base_url;
  config.projects.base_url = base_url;
  config.projects.openapi_url = base_url + kSimulatorProjectsDocumentPath;
  config.postings.calls_per_second = 0;
  config.postings.calls_per_day = 0;
  config.projects.calls_per_second = 0;
  config.projects.calls_per_day = 0;
}

Status ApplySimulatorEnvironment(Config& config) {
  const char* value = std::getenv(kSimulatorUrlVariable);
  if (value == nullptr || *value == '\0') return Status::Ok();
  std::string_view url(value);
  const bool http = url.starts_with("http://") || url.starts_with("https://");
  const size_t host_at = url.find("://") + 3;
  if (!http || url.size() <= host_at || url.ends_with('/')) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("{} is not a simulator's base URL: '{}'", kSimulatorUrlVariable, url),
                  "set it to what `silverwork simulate` prints, e.g. http://127.0.0.1:8090 (no "
                  "trailing slash), or unset it to use the config's sources");
  }
  PointAtSimulator(config, std::string(url));
  return Status::Ok();
}

}  // namespace silverwork
