// Loopback servers and clients for the HTTP client's tests, over plain http
// or https (the shared test CA, trusted by the client through ca_file).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "http/http_client.h"
#include "http/test_certificates.h"
#include "simulator/http_server.h"

namespace silverwork::testing {

// The timeout of calls expected to succeed: generous, on however busy a machine.
inline constexpr std::chrono::milliseconds kPatient = std::chrono::seconds(60);

enum class Scheme { kHttp, kHttps };

inline std::string SchemeName(const ::testing::TestParamInfo<Scheme>& info) {
  return info.param == Scheme::kHttps ? "https" : "http";
}

inline std::unique_ptr<simulator::HttpServer> StartLoopbackServer(
    Scheme scheme, simulator::HttpServer::Handler handler) {
  simulator::HttpServerOptions options;
  options.worker_threads = 4;
  if (scheme == Scheme::kHttps) {
    options.tls_certificate_file = SharedTestTls().server.certificate_file;
    options.tls_key_file = SharedTestTls().server.key_file;
  }
  auto started = simulator::HttpServer::Start(options, std::move(handler));
  EXPECT_TRUE(started.ok()) << started.status().ToString();
  return started.ok() ? std::move(started).value() : nullptr;
}

inline std::string LoopbackUrl(const simulator::HttpServer& server, const std::string& target) {
  return std::string(server.https() ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(server.port()) + target;
}

// A client that trusts the shared test CA and ignores proxy settings in the
// environment the tests run in.
inline HttpClientOptions LoopbackClientOptions() {
  HttpClientOptions options;
  options.ca_file = SharedTestTls().pki.ca_file();
  options.proxies = {};
  return options;
}

inline std::unique_ptr<HttpClient> LoopbackClient() {
  return CreateHttpClient(LoopbackClientOptions());
}

inline simulator::HttpReply TextReply(std::string body, int status = 200) {
  simulator::HttpReply reply;
  reply.status = status;
  reply.content_type = "text/xml;charset=UTF-8";
  reply.body = std::move(body);
  return reply;
}

}  // namespace silverwork::testing
