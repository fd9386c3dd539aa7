// UrlParts: an absolute http(s) URL split the way a client connects to it,
// and how a redirect's Location resolves against it. Plain values; internal
// to sw_http (tests include it).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace silverwork {

struct UrlParts {
  bool https = false;
  std::string host;    // without brackets, lower case
  int port = 0;        // 80 or 443 when the URL leaves it out
  std::string target;  // origin-form: /path?query, at least "/"

  // "http://host:port" ("[host]" for IPv6): what a connection is kept for.
  std::string Origin() const;
};

// Splits http://host[:port][/path][?query][#fragment] (scheme and host case
// insensitive); nullopt for another scheme, userinfo, a bad port, or bytes
// that must not appear in a URL (controls, spaces, non-ASCII).
std::optional<UrlParts> SplitHttpUrl(std::string_view url);

// The absolute URL a Location header points at, read against `base`:
// absolute, scheme-relative ("//host/p"), absolute-path or relative.
std::string ResolveLocation(const UrlParts& base, std::string_view location);

}  // namespace silverwork
