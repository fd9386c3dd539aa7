// Which certificates the client trusts: the system's CAs plus [http] ca_file,
// with the host checked, and what it says when it refuses one.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "http/http_client.h"
#include "http/loopback.h"
#include "http/scripted_server.h"

namespace silverwork::testing {
namespace {

using simulator::HttpRequest;

std::unique_ptr<simulator::HttpServer> StartHttps(const TestPki::ServerFiles& files,
                                                  std::atomic<int>& calls) {
  simulator::HttpServerOptions options;
  options.tls_certificate_file = files.certificate_file;
  options.tls_key_file = files.key_file;
  auto started = simulator::HttpServer::Start(options, [&calls](const HttpRequest&) {
    ++calls;
    return TextReply("secret data");
  });
  EXPECT_TRUE(started.ok()) << started.status().ToString();
  return started.ok() ? std::move(started).value() : nullptr;
}

HttpClientOptions Trusting(std::string ca_file) {
  HttpClientOptions options;
  options.ca_file = std::move(ca_file);
  options.proxies = {};
  return options;
}

// Points OpenSSL's default verify paths (what "the system's CAs" are) at a
// test CA for the life of the object.
class SystemCaOverride {
 public:
  SystemCaOverride(const std::string& ca_file, const std::string& empty_dir) {
    for (const char* name : {"SSL_CERT_FILE", "SSL_CERT_DIR"}) {
      const char* value = ::getenv(name);
      saved_.push_back(value ? std::optional<std::string>(value) : std::nullopt);
    }
    ::setenv("SSL_CERT_FILE", ca_file.c_str(), 1);
    ::setenv("SSL_CERT_DIR", empty_dir.c_str(), 1);
  }
  ~SystemCaOverride() {
    const char* names[] = {"SSL_CERT_FILE", "SSL_CERT_DIR"};
    for (size_t index = 0; index < saved_.size(); ++index) {
      if (saved_[index]) {
        ::setenv(names[index], saved_[index]->c_str(), 1);
      } else {
        ::unsetenv(names[index]);
      }
    }
  }

 private:
  std::vector<std::optional<std::string>> saved_;
};

TEST(Tls, AnUntrustedCertificateIsRefusedNamingTheHostAndWhatToSet) {
  std::atomic<int> calls{0};
  auto server = StartHttps(SharedTestTls().server, calls);
  ASSERT_NE(server, nullptr);
  auto response = CreateHttpClient(Trusting(""))->Get(LoopbackUrl(*server, "/x"), "(x)", kPatient);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kAuth) << "not retried: configuration must change";
  EXPECT_NE(response.status().message().find("GET (x) failed: the certificate of 127.0.0.1 is "
                                             "not trusted"),
            std::string::npos)
      << response.status().message();
  EXPECT_NE(response.status().hint().find("set [http] ca_file in the config"), std::string::npos)
      << response.status().hint();
  EXPECT_EQ(calls.load(), 0) << "no request may reach a server that is not trusted";
}

TEST(Tls, TheConfiguredCaIsTrustedBesideTheSystems) {
  TestPki system_pki("stand-in for a public CA");
  std::filesystem::create_directory(system_pki.dir() + "/empty");
  SystemCaOverride system(system_pki.ca_file(), system_pki.dir() + "/empty");
  std::atomic<int> calls{0};
  auto private_server = StartHttps(SharedTestTls().server, calls);
  auto public_server = StartHttps(system_pki.IssueServer("public", {"127.0.0.1"}), calls);
  ASSERT_TRUE(private_server && public_server);

  auto with_ca_file = CreateHttpClient(Trusting(SharedTestTls().pki.ca_file()));
  for (auto* server : {private_server.get(), public_server.get()}) {
    auto response = with_ca_file->Get(LoopbackUrl(*server, "/"), "(x)", kPatient);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->body, "secret data");
  }
  auto system_only = CreateHttpClient(Trusting(""));
  EXPECT_TRUE(system_only->Get(LoopbackUrl(*public_server, "/"), "(x)", kPatient).ok());
  EXPECT_EQ(system_only->Get(LoopbackUrl(*private_server, "/"), "(x)", kPatient).status().code(),
            ErrorCode::kAuth);
  EXPECT_EQ(calls.load(), 3);
}

TEST(Tls, ACertificateForAnotherHostIsRefused) {
  TestPki pki;
  std::atomic<int> calls{0};
  auto server = StartHttps(pki.IssueServer("elsewhere", {"elsewhere.invalid"}), calls);
  ASSERT_NE(server, nullptr);
  auto response =
      CreateHttpClient(Trusting(pki.ca_file()))->Get(LoopbackUrl(*server, "/"), "(x)", kPatient);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kAuth);
  EXPECT_NE(response.status().message().find("does not name 127.0.0.1"), std::string::npos)
      << response.status().message();
  EXPECT_EQ(calls.load(), 0);
}

TEST(Tls, AnUnreadableCaFileIsAnIoErrorNamingIt) {
  std::atomic<int> calls{0};
  auto server = StartHttps(SharedTestTls().server, calls);
  ASSERT_NE(server, nullptr);
  auto response = CreateHttpClient(Trusting("/nonexistent/ca.pem"))
                      ->Get(LoopbackUrl(*server, "/"), "(x)", kPatient);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kIO);
  EXPECT_NE(response.status().message().find("'/nonexistent/ca.pem' ([http] ca_file)"),
            std::string::npos)
      << response.status().message();
  EXPECT_EQ(calls.load(), 0);
}

TEST(Tls, HttpsToAPlainServerIsANetworkError) {
  // Answers whatever arrives (a TLS hello here) with plain HTTP, at once.
  ScriptedServer plain({{"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", true}},
                       /*answer_any_bytes=*/true);
  std::string url = "https://127.0.0.1:" + std::to_string(plain.port()) + "/";
  auto response = LoopbackClient()->Get(url, "(x)", kPatient);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kNetwork);
  EXPECT_EQ(response.status().message(), "GET (x) failed: SSL connect error");
}

TEST(Tls, PlainHttpToAnHttpsServerIsANetworkErrorAndTheServerCarriesOn) {
  auto secure =
      StartLoopbackServer(Scheme::kHttps, [](const HttpRequest&) { return TextReply("x"); });
  ASSERT_NE(secure, nullptr);
  std::string url = "http://127.0.0.1:" + std::to_string(secure->port()) + "/";
  auto response = LoopbackClient()->Get(url, "(x)", kPatient);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kNetwork);
  auto good = LoopbackClient()->Get(LoopbackUrl(*secure, "/"), "(x)", kPatient);
  ASSERT_TRUE(good.ok()) << good.status().ToString();
}

}  // namespace
}  // namespace silverwork::testing
