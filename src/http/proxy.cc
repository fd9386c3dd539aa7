#include "http/proxy.h"

#include <cstdlib>
#include <string_view>

#include "common/log.h"

namespace silverwork {
namespace {

constexpr int kDefaultProxyPort = 1080;  // libcurl's

std::string FirstSet(std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return value;
  }
  return {};
}

// True when `host` is listed in `no_proxy` (see ProxySettings).
bool Bypasses(std::string_view no_proxy, std::string_view host) {
  while (!no_proxy.empty()) {
    size_t comma = no_proxy.find(',');
    std::string_view entry = no_proxy.substr(0, comma);
    no_proxy = comma == std::string_view::npos ? std::string_view() : no_proxy.substr(comma + 1);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (entry.starts_with('.')) entry.remove_prefix(1);
    if (entry.empty()) continue;
    if (entry == "*") return true;
    if (host.size() < entry.size()) continue;
    std::string_view tail = host.substr(host.size() - entry.size());
    bool same =
        std::equal(tail.begin(), tail.end(), entry.begin(), entry.end(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        });
    if (same && (host.size() == entry.size() || host[host.size() - entry.size() - 1] == '.')) {
      return true;
    }
  }
  return false;
}

// `setting` is a proxy URL; `variable` says where it came from, for messages.
Result<ProxyServer> ParseProxyUrl(std::string_view setting, std::string_view variable) {
  std::string_view rest = setting;
  if (size_t scheme_end = rest.find("://"); scheme_end != std::string_view::npos) {
    std::string_view scheme = rest.substr(0, scheme_end);
    if (scheme != "http" && scheme != "HTTP") {
      return Status(ErrorCode::kUnsupported,
                    std::string(variable) + " names a " + std::string(scheme) +
                        ":// proxy, which silverwork cannot use",
                    "name an HTTP proxy (http://host:port) there, or unset it");
    }
    rest = rest.substr(scheme_end + 3);
  }
  rest = rest.substr(0, rest.find('/'));
  ProxyServer proxy;
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    size_t colon = userinfo.find(':');
    proxy.user = PercentDecode(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) proxy.password = PercentDecode(userinfo.substr(colon + 1));
    RegisterSecret(proxy.password);
    rest = rest.substr(at + 1);
  }
  std::string_view port;
  if (size_t colon = rest.rfind(':');
      colon != std::string_view::npos && rest.find(']', colon) == std::string_view::npos) {
    port = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  if (rest.starts_with('[') && rest.ends_with(']')) rest = rest.substr(1, rest.size() - 2);
  proxy.host = std::string(rest);
  proxy.port = kDefaultProxyPort;
  if (!port.empty()) {
    bool digits =
        port.size() <= 5 && port.find_first_not_of("0123456789") == std::string_view::npos;
    proxy.port = digits ? std::stoi(std::string(port)) : 0;
  }
  if (proxy.host.empty() || proxy.port < 1 || proxy.port > 65535) {
    return Status(ErrorCode::kInvalidInput,
                  std::string(variable) + " is not a proxy URL silverwork can read",
                  "write it as http://host:port (user:password@ before the host if needed)");
  }
  std::string shown_host =
      proxy.host.find(':') != std::string::npos ? "[" + proxy.host + "]" : proxy.host;
  proxy.shown = "http://" + shown_host + ":" + std::to_string(proxy.port);
  return proxy;
}

}  // namespace

ProxySettings ProxySettings::FromEnvironment() {
  ProxySettings settings;
  std::string all = FirstSet({"all_proxy", "ALL_PROXY"});
  settings.http_proxy = FirstSet({"http_proxy"});
  if (settings.http_proxy.empty()) settings.http_proxy = all;
  settings.https_proxy = FirstSet({"https_proxy", "HTTPS_PROXY"});
  if (settings.https_proxy.empty()) settings.https_proxy = all;
  settings.no_proxy = FirstSet({"no_proxy", "NO_PROXY"});
  return settings;
}

Result<std::optional<ProxyServer>> ChooseProxy(const ProxySettings& settings, const UrlParts& url) {
  const std::string& setting = url.https ? settings.https_proxy : settings.http_proxy;
  if (setting.empty() || Bypasses(settings.no_proxy, url.host)) {
    return std::optional<ProxyServer>();
  }
  SW_ASSIGN_OR_RETURN(
      ProxyServer proxy,
      ParseProxyUrl(setting, url.https
                                 ? "the proxy for https (https_proxy, HTTPS_PROXY or all_proxy)"
                                 : "the proxy for http (http_proxy or all_proxy)"));
  return std::optional<ProxyServer>(std::move(proxy));
}

}  // namespace silverwork
