// The Status every HttpClient returns for a transport failure, so that the
// libcurl and the direct-socket paths read the same to callers and logs.
// Internal to sw_http.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace silverwork {

// kNetwork: "<method> <url_for_errors> failed: <why>". `why` uses libcurl's
// wording ("Timeout was reached", ...), which scripts grep for.
inline Status TransportError(std::string_view url_for_errors, std::string_view why, bool timed_out,
                             std::string_view method = "GET") {
  return Status(
      ErrorCode::kNetwork,
      std::string(method) + " " + std::string(url_for_errors) + " failed: " + std::string(why),
      timed_out ? "the service did not answer in time; it is retried, or raise the timeout"
                : "check that the base URL is reachable");
}

}  // namespace silverwork
