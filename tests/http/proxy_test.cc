// HTTP proxies: which one a URL takes (ChooseProxy, the environment), and
// calls through a loopback proxy over http (absolute form) and https
// (CONNECT, certificates still verified).
#include "http/proxy.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <optional>
#include <string>

#include "http/loopback.h"
#include "http/loopback_proxy.h"
#include "http/url_parts.h"

namespace silverwork::testing {
namespace {

using simulator::HttpRequest;

UrlParts Parts(const std::string& url) {
  std::optional<UrlParts> parts = SplitHttpUrl(url);
  EXPECT_TRUE(parts.has_value()) << url;
  return parts.value_or(UrlParts{});
}

// The proxy ChooseProxy picks for `url`, as "host:port user:password", or
// "direct", or the error's message.
std::string Chosen(const ProxySettings& settings, const std::string& url) {
  auto chosen = ChooseProxy(settings, Parts(url));
  if (!chosen.ok()) return chosen.status().message();
  if (!*chosen) return "direct";
  return (*chosen)->host + ":" + std::to_string((*chosen)->port) + " " + (*chosen)->user + ":" +
         (*chosen)->password;
}

TEST(ChooseProxy, TakesTheSettingOfTheUrlsScheme) {
  ProxySettings settings{.http_proxy = "http://plain.proxy:3128", .https_proxy = "secure.proxy"};
  EXPECT_EQ(Chosen(settings, "http://apis.data.go.kr/x"), "plain.proxy:3128 :");
  EXPECT_EQ(Chosen(settings, "https://api.odcloud.kr/x"), "secure.proxy:1080 :");
  EXPECT_EQ(Chosen({}, "https://api.odcloud.kr/x"), "direct");
}

TEST(ChooseProxy, ReadsCredentialsIpv6AndRefusesWhatItCannotSpeak) {
  EXPECT_EQ(Chosen({.http_proxy = "http://me:p%40ss@[::1]:8080/"}, "http://h/"),
            "::1:8080 me:p@ss");
  auto socks = ChooseProxy({.https_proxy = "socks5://me:hunter2@127.0.0.1:1080"},
                           Parts("https://api.odcloud.kr/"));
  ASSERT_FALSE(socks.ok());
  EXPECT_EQ(socks.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(socks.status().message().find("socks5://"), std::string::npos);
  EXPECT_EQ(socks.status().message().find("hunter2"), std::string::npos);
  for (const char* bad : {"http://proxy:99999", "http://:3128", "http://proxy:31x8"}) {
    auto refused = ChooseProxy({.http_proxy = bad}, Parts("http://h/"));
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidInput) << bad;
  }
}

TEST(ChooseProxy, NoProxyListsHostsAndTheirSubdomains) {
  ProxySettings settings{.http_proxy = "proxy:3128",
                         .no_proxy = " localhost, .example.org,10.0.0.7"};
  EXPECT_EQ(Chosen(settings, "http://localhost:8089/"), "direct");
  EXPECT_EQ(Chosen(settings, "http://example.org/"), "direct");
  EXPECT_EQ(Chosen(settings, "http://API.Example.org/"), "direct");
  EXPECT_EQ(Chosen(settings, "http://10.0.0.7/"), "direct");
  EXPECT_EQ(Chosen(settings, "http://badexample.org/"), "proxy:3128 :");
  EXPECT_EQ(Chosen(settings, "http://110.0.0.7/"), "proxy:3128 :");
  EXPECT_EQ(Chosen({.http_proxy = "proxy", .no_proxy = "*"}, "http://anything/"), "direct");
}

// Sets environment variables for the life of the object, then restores them.
class ScopedEnvironment {
 public:
  explicit ScopedEnvironment(std::vector<std::pair<std::string, std::optional<std::string>>> set) {
    for (const auto& [name, value] : set) {
      const char* old = ::getenv(name.c_str());
      saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      value ? ::setenv(name.c_str(), value->c_str(), 1) : ::unsetenv(name.c_str());
    }
  }
  ~ScopedEnvironment() {
    for (const auto& [name, value] : saved_) {
      value ? ::setenv(name.c_str(), value->c_str(), 1) : ::unsetenv(name.c_str());
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST(ProxySettings, FromTheEnvironmentLikeLibcurl) {
  {
    ScopedEnvironment environment({{"http_proxy", std::nullopt},
                                   {"HTTP_PROXY", "http://from-a-cgi-header:1"},
                                   {"https_proxy", std::nullopt},
                                   {"HTTPS_PROXY", "http://secure:2"},
                                   {"all_proxy", std::nullopt},
                                   {"ALL_PROXY", "http://everything:3"},
                                   {"no_proxy", std::nullopt},
                                   {"NO_PROXY", "internal"}});
    ProxySettings settings = ProxySettings::FromEnvironment();
    EXPECT_EQ(settings.http_proxy, "http://everything:3") << "HTTP_PROXY is never read";
    EXPECT_EQ(settings.https_proxy, "http://secure:2");
    EXPECT_EQ(settings.no_proxy, "internal");
  }
  ScopedEnvironment environment({{"http_proxy", "http://plain:4"},
                                 {"https_proxy", "http://lower:5"},
                                 {"HTTPS_PROXY", "http://upper:6"},
                                 {"no_proxy", "a"},
                                 {"NO_PROXY", "b"}});
  ProxySettings settings = ProxySettings::FromEnvironment();
  EXPECT_EQ(settings.http_proxy, "http://plain:4");
  EXPECT_EQ(settings.https_proxy, "http://lower:5");
  EXPECT_EQ(settings.no_proxy, "a");
}

class ThroughAProxy : public ::testing::Test {
 protected:
  std::unique_ptr<HttpClient> ClientVia(ProxySettings proxies) {
    HttpClientOptions options = LoopbackClientOptions();
    options.proxies = std::move(proxies);
    return CreateHttpClient(options);
  }
  static simulator::HttpReply Echo(const HttpRequest& request) {
    return TextReply("path=" + request.path + " query=" + request.raw_query);
  }
  LoopbackProxy proxy_;
};

TEST_F(ThroughAProxy, PlainHttpIsSentInAbsoluteForm) {
  auto server = StartLoopbackServer(Scheme::kHttp, &Echo);
  std::string url = LoopbackUrl(*server, "/getJobList?pageNo=1");
  auto client = ClientVia({.http_proxy = proxy_.Url()});
  for (int call = 0; call < 3; ++call) {
    auto response = client->Get(url, "(x)", kPatient);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->body, "path=/getJobList query=pageNo=1");
  }
  std::vector<std::string> heads = proxy_.heads();
  ASSERT_EQ(heads.size(), 1u) << "one kept-alive connection to the proxy";
  EXPECT_TRUE(heads[0].starts_with("GET " + url + " HTTP/1.1\r\n")) << heads[0];
}

TEST_F(ThroughAProxy, HttpsTunnelsWithConnectAndStillVerifies) {
  auto server = StartLoopbackServer(Scheme::kHttps, &Echo);
  std::string authority = "127.0.0.1:" + std::to_string(server->port());
  auto response = ClientVia({.https_proxy = "127.0.0.1:" + std::to_string(proxy_.port())})
                      ->Get(LoopbackUrl(*server, "/uddi:x?page=2"), "(x)", kPatient);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "path=/uddi:x query=page=2");
  ASSERT_EQ(proxy_.heads().size(), 1u);
  EXPECT_TRUE(proxy_.heads()[0].starts_with("CONNECT " + authority + " HTTP/1.1\r\n"))
      << proxy_.heads()[0];

  HttpClientOptions untrusting = LoopbackClientOptions();
  untrusting.ca_file.clear();
  untrusting.proxies = {.https_proxy = proxy_.Url()};
  auto refused = CreateHttpClient(untrusting)->Get(LoopbackUrl(*server, "/"), "(x)", kPatient);
  EXPECT_EQ(refused.status().code(), ErrorCode::kAuth) << refused.status().ToString();
}

TEST_F(ThroughAProxy, CredentialsGoInProxyAuthorization) {
  auto server = StartLoopbackServer(Scheme::kHttp, &Echo);
  std::string setting = "http://user:p%40ss@127.0.0.1:" + std::to_string(proxy_.port());
  auto response =
      ClientVia({.http_proxy = setting})->Get(LoopbackUrl(*server, "/"), "(x)", kPatient);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  ASSERT_EQ(proxy_.heads().size(), 1u);
  // base64("user:p@ss")
  EXPECT_NE(proxy_.heads()[0].find("\r\nProxy-Authorization: Basic dXNlcjpwQHNz"),
            std::string::npos)
      << proxy_.heads()[0];
}

TEST_F(ThroughAProxy, HostsInNoProxyGoDirect) {
  auto server = StartLoopbackServer(Scheme::kHttp, &Echo);
  auto response = ClientVia({.http_proxy = proxy_.Url(), .no_proxy = "127.0.0.1"})
                      ->Get(LoopbackUrl(*server, "/direct"), "(x)", kPatient);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_TRUE(proxy_.heads().empty());
}

TEST(ProxyDown, IsANetworkErrorNamingTheProxyButNotItsPassword) {
  int port = 0;
  {
    LoopbackProxy gone;
    port = gone.port();
  }
  HttpClientOptions options = LoopbackClientOptions();
  options.proxies = {.http_proxy = "http://user:hunter2@127.0.0.1:" + std::to_string(port)};
  auto response = CreateHttpClient(options)->Get("http://127.0.0.1:9/", "(x)", kPatient);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kNetwork);
  EXPECT_EQ(response.status().message(),
            "GET (x) failed: Couldn't connect to server (through the proxy http://127.0.0.1:" +
                std::to_string(port) + ")");
}

}  // namespace
}  // namespace silverwork::testing
