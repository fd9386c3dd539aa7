// The Status an HttpClient returns for a transport failure, so that every
// failure reads alike to callers, logs and the scripts that grep them.
// Internal to sw_http.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace silverwork {

// kNetwork: "<METHOD> <url_for_errors> failed: <why>". `why` uses libcurl's
// wording ("Timeout was reached", ...), which scripts grep for.
inline Status TransportError(std::string_view method, std::string_view url_for_errors,
                             std::string_view why, bool timed_out) {
  return Status(
      ErrorCode::kNetwork,
      std::string(method) + " " + std::string(url_for_errors) + " failed: " + std::string(why),
      timed_out ? "the service did not answer in time; it is retried, or raise the timeout"
                : "check that the base URL is reachable");
}

}  // namespace silverwork
