// Choosing an HTTP proxy for a URL from ProxySettings, and reading a proxy
// URL. Plain functions; internal to sw_http (tests include it).
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "http/http_client.h"
#include "http/url_parts.h"

namespace silverwork {

struct ProxyServer {
  std::string host;
  int port = 0;
  std::string user, password;  // basic authentication; empty: none
  // "http://host:port": what messages may show (never the password).
  std::string shown;
};

// The proxy `url` goes through: nullopt for a direct connection (no proxy
// set for its scheme, or its host listed in no_proxy). kUnsupported for a
// proxy this client cannot speak to (socks, https://), kInvalidInput for an
// unreadable setting; messages never include the password.
Result<std::optional<ProxyServer>> ChooseProxy(const ProxySettings& settings, const UrlParts& url);

}  // namespace silverwork
