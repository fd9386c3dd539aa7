#include <algorithm>
#include <cctype>
#include <optional>
#include <string>

#include "http/header_text.h"
#include "http/http_client.h"
#include "http/url_parts.h"

namespace silverwork {

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char ch : text) {
    bool unreserved = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(ch));
    } else {
      out.push_back('%');
      out.push_back(kHex[ch >> 4]);
      out.push_back(kHex[ch & 0xF]);
    }
  }
  return out;
}

namespace {
int HexValue(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}
}  // namespace

std::string PercentDecode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (ch == '%' && i + 2 < text.size()) {
      int high = HexValue(text[i + 1]);
      int low = HexValue(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    if (ch == '+' && plus_as_space) {
      out.push_back(' ');
      continue;
    }
    out.push_back(ch);
  }
  return out;
}

}  // namespace silverwork

namespace silverwork {
namespace {

bool IsAsciiDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

using http_text::LowerCase;

// "http://" or "https://" at the start of `url`, in any case.
std::optional<bool> HttpsScheme(std::string_view url) {
  size_t colon = url.find("://");
  if (colon == std::string_view::npos) return std::nullopt;
  std::string scheme = LowerCase(url.substr(0, colon));
  if (scheme == "http") return false;
  if (scheme == "https") return true;
  return std::nullopt;
}

}  // namespace

std::string UrlParts::Origin() const {
  std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return (https ? "https://" : "http://") + shown_host + ":" + std::to_string(port);
}

std::optional<UrlParts> SplitHttpUrl(std::string_view url) {
  std::optional<bool> https = HttpsScheme(url);
  if (!https) return std::nullopt;
  for (char ch : url) {
    auto byte = static_cast<unsigned char>(ch);
    if (byte <= 0x20 || byte >= 0x7f) return std::nullopt;
  }
  std::string_view rest = url.substr(url.find("://") + 3);
  rest = rest.substr(0, rest.find('#'));
  size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;

  UrlParts parts;
  parts.https = *https;
  std::string_view host, port;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return std::nullopt;
    if (!after.empty()) port = after.substr(1);
  } else {
    size_t colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (host.empty() || !IsAsciiDigits(port) || port.size() > 5) return std::nullopt;
  parts.host = LowerCase(host);
  parts.port = port.empty() ? (parts.https ? 443 : 80) : std::stoi(std::string(port));
  if (parts.port < 1 || parts.port > 65535) return std::nullopt;
  if (target.empty()) {
    parts.target = "/";
  } else if (target.front() == '?') {
    parts.target = "/" + std::string(target);
  } else {
    parts.target = std::string(target);
  }
  return parts;
}

std::string ResolveLocation(const UrlParts& base, std::string_view location) {
  if (HttpsScheme(location)) return std::string(location);
  if (location.starts_with("//")) {
    return (base.https ? "https:" : "http:") + std::string(location);
  }
  if (location.starts_with("/")) return base.Origin() + std::string(location);
  // Relative to the base path's directory (its query dropped).
  std::string_view path = std::string_view(base.target).substr(0, base.target.find('?'));
  return base.Origin() + std::string(path.substr(0, path.rfind('/') + 1)) + std::string(location);
}

}  // namespace silverwork
