// The HTTP client against the simulator's server over http and https, and
// against a scripted raw server for the shapes that one never sends.
#include "http/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "http/loopback.h"
#include "http/scripted_server.h"

namespace silverwork::testing {
namespace {

using namespace std::chrono_literals;
using simulator::ConnectionFault;
using simulator::HttpReply;
using simulator::HttpRequest;

class HttpClientTest : public ::testing::TestWithParam<Scheme> {
 protected:
  void Start(simulator::HttpServer::Handler handler) {
    server_ = StartLoopbackServer(GetParam(), std::move(handler));
    ASSERT_NE(server_, nullptr);
  }
  std::string Url(const std::string& target) const { return LoopbackUrl(*server_, target); }

  std::unique_ptr<simulator::HttpServer> server_;
};

TEST_P(HttpClientTest, KeepsOneConnectionForManyCalls) {
  std::atomic<int> calls{0};
  Start([&](const HttpRequest& request) {
    ++calls;
    return TextReply("<id>" + *request.Param("id") + "</id>");
  });
  auto client = LoopbackClient();
  for (int index = 0; index < 200; ++index) {
    auto response = client->Get(Url("/x?id=" + std::to_string(index)), "(x)", kPatient);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->content_type, "text/xml;charset=UTF-8");
    EXPECT_EQ(response->body, "<id>" + std::to_string(index) + "</id>");
  }
  EXPECT_EQ(calls.load(), 200);
  EXPECT_EQ(server_->connections_accepted(), 1);
}

TEST_P(HttpClientTest, LargeBodiesArriveWhole) {
  std::string large(5 << 20, 'x');
  for (size_t index = 0; index < large.size(); index += 997) large[index] = 'y';
  Start([&](const HttpRequest&) { return TextReply(large); });
  auto client = LoopbackClient();
  for (int repeat = 0; repeat < 2; ++repeat) {
    auto response = client->Get(Url("/big"), "(x)", kPatient);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->body, large);
  }
}

TEST_P(HttpClientTest, StatusErrorsAreResponsesNotFailures) {
  Start([](const HttpRequest&) { return TextReply("<html>503</html>", 503); });
  auto response = LoopbackClient()->Get(Url("/"), "(x)", kPatient);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->body, "<html>503</html>");
}

TEST_P(HttpClientTest, HeadersArriveWithLowerCaseNames) {
  Start([](const HttpRequest&) {
    HttpReply reply = TextReply("ok");
    reply.headers = {{"X-Request-Id", "r-17"}, {"Retry-After", " 30 "}};
    return reply;
  });
  auto response = LoopbackClient()->Get(Url("/"), "(x)", kPatient);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  ASSERT_NE(response->Header("x-request-id"), nullptr);
  EXPECT_EQ(*response->Header("x-request-id"), "r-17");
  ASSERT_NE(response->Header("retry-after"), nullptr);
  EXPECT_EQ(*response->Header("retry-after"), "30");
  ASSERT_NE(response->Header("content-type"), nullptr);
  EXPECT_EQ(*response->Header("content-type"), response->content_type);
  EXPECT_EQ(response->Header("X-Request-Id"), nullptr) << "names are stored in lower case";
  EXPECT_EQ(response->Header("x-missing"), nullptr);
}

TEST_P(HttpClientTest, TruncatedBodyIsANetworkErrorSayingPartial) {
  Start([](const HttpRequest&) {
    HttpReply reply = TextReply(std::string(1000, 'x'));
    reply.fault = ConnectionFault::kTruncate;
    return reply;
  });
  auto response = LoopbackClient()->Get(Url("/"), "(shown url)", kPatient);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kNetwork);
  EXPECT_EQ(response.status().message(), "GET (shown url) failed: Transferred a partial file");
}

TEST_P(HttpClientTest, ResetIsANetworkError) {
  Start([](const HttpRequest&) {
    HttpReply reply = TextReply("never sent");
    reply.fault = ConnectionFault::kReset;
    return reply;
  });
  auto response = LoopbackClient()->Get(Url("/"), "(shown url)", kPatient);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kNetwork);
  EXPECT_EQ(response.status().message(),
            "GET (shown url) failed: Failure when receiving data from the peer");
}

TEST_P(HttpClientTest, HangTimesOutWithLibcurlsWording) {
  Start([](const HttpRequest&) {
    HttpReply reply;
    reply.fault = ConnectionFault::kHang;
    reply.hang = std::chrono::hours(1);  // until the server stops
    return reply;
  });
  auto response = LoopbackClient()->Get(Url("/"), "(x)", 100ms);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kNetwork);
  EXPECT_EQ(response.status().message(), "GET (x) failed: Timeout was reached");
  EXPECT_NE(response.status().hint().find("did not answer in time"), std::string::npos);
}

TEST_P(HttpClientTest, RedirectsOfAGetAreFollowed) {
  std::string origin;  // set before the first request
  Start([&](const HttpRequest& request) {
    if (request.path == "/end") return TextReply("arrived");
    HttpReply reply = TextReply("moved", request.path == "/a/start" ? 302 : 301);
    std::string location = request.path == "/a/start"  ? "next?x=1"     // relative
                           : request.path == "/a/next" ? origin + "/b"  // absolute
                                                       : "/end";        // absolute path
    reply.headers = {{"Location", location}};
    return reply;
  });
  origin = Url("");
  auto response = LoopbackClient()->Get(Url("/a/start"), "(x)", kPatient);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "arrived");
}

TEST_P(HttpClientTest, EndlessRedirectsStopAfterTheLimit) {
  std::atomic<int> calls{0};
  Start([&](const HttpRequest&) {
    ++calls;
    HttpReply reply = TextReply("again", 307);
    reply.headers = {{"Location", "/loop"}};
    return reply;
  });
  auto response = LoopbackClient()->Get(Url("/loop"), "(x)", kPatient);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().message(), "GET (x) failed: Maximum (3) redirects followed");
  EXPECT_EQ(calls.load(), 1 + HttpClient::kMaxRedirects);
}

INSTANTIATE_TEST_SUITE_P(Schemes, HttpClientTest, ::testing::Values(Scheme::kHttp, Scheme::kHttps),
                         SchemeName);

TEST(HttpsRedirect, DownToHttpIsRefused) {
  auto plain =
      StartLoopbackServer(Scheme::kHttp, [](const HttpRequest&) { return TextReply("x"); });
  std::string target = LoopbackUrl(*plain, "/plain");
  auto secure = StartLoopbackServer(Scheme::kHttps, [&](const HttpRequest&) {
    HttpReply reply = TextReply("moved", 301);
    reply.headers = {{"Location", target}};
    return reply;
  });
  auto response = LoopbackClient()->Get(LoopbackUrl(*secure, "/"), "(x)", kPatient);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kRemote);
  EXPECT_NE(response.status().message().find("from https down to http"), std::string::npos);
  EXPECT_EQ(plain->connections_accepted(), 0);
}

TEST(HttpClientScripted, AConnectionTheServerClosedIsReplacedSilently) {
  const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  ScriptedServer server({{ok, /*close_after=*/true}, {ok}});
  auto client = LoopbackClient();
  ASSERT_TRUE(client->Get(server.Url("/"), "(x)", kPatient).ok());
  server.WaitForSteps(1);  // the kept-alive connection is closed now
  auto response = client->Get(server.Url("/"), "(x)", kPatient);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "ok");
  EXPECT_EQ(server.connections(), 2);
}

TEST(HttpClientScripted, ChunkedInterimAndCloseDelimitedBodies) {
  ScriptedServer server({
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/xml\r\n\r\n"
       "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n"},
      {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"},
      {"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", true},
  });
  auto client = LoopbackClient();
  auto chunked = client->Get(server.Url("/a"), "(x)", kPatient);
  ASSERT_TRUE(chunked.ok()) << chunked.status().ToString();
  EXPECT_EQ(chunked->body, "hello, world");
  EXPECT_EQ(chunked->content_type, "text/xml");
  auto interim = client->Get(server.Url("/b"), "(x)", kPatient);
  ASSERT_TRUE(interim.ok()) << interim.status().ToString();
  EXPECT_EQ(interim->body, "ok");
  auto delimited = client->Get(server.Url("/c"), "(x)", kPatient);
  ASSERT_TRUE(delimited.ok()) << delimited.status().ToString();
  EXPECT_EQ(delimited->body, "until the end");
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClientScripted, ACutChunkedBodyIsANetworkError) {
  ScriptedServer server({
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly part", true},
  });
  auto response = LoopbackClient()->Get(server.Url("/"), "(x)", kPatient);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kNetwork);
}

// `data` as a gzip member of one stored (uncompressed) deflate block.
std::string GzipStored(std::string_view data) {
  uint32_t crc = 0xffffffffu;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  crc = ~crc;
  auto little_endian = [](uint32_t value, int bytes) {
    std::string out;
    for (int index = 0; index < bytes; ++index)
      out += static_cast<char>((value >> (8 * index)) & 0xff);
    return out;
  };
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  out += '\x01';  // the final block, stored
  auto length = static_cast<uint32_t>(data.size());
  out += little_endian(length, 2) + little_endian(~length & 0xffff, 2);
  out += data;
  out += little_endian(crc, 4) + little_endian(length, 4);
  return out;
}

TEST(HttpClientScripted, GzipIsAskedForAndUndone) {
  std::string body = "<response>압축된 응답</response>";
  std::string compressed = GzipStored(body);
  ScriptedServer server({{"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " +
                          std::to_string(compressed.size()) + "\r\n\r\n" + compressed}});
  auto response = LoopbackClient()->Get(server.Url("/"), "(x)", kPatient);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, body);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_NE(server.requests()[0].find("\r\nAccept-Encoding: gzip, deflate\r\n"), std::string::npos);
}

TEST(HttpClientScripted, PostSendsItsBodyAndIsNeitherRedirectedNorRetried) {
  ScriptedServer server({
      {"HTTP/1.1 303 See Other\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n"},
  });
  std::string body = R"({"text":"수집 실패"})";
  auto response =
      LoopbackClient()->Post(server.Url("/hook?x=1"), "(hook)", "application/json", body, kPatient);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 303);
  std::vector<std::string> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(requests[0].starts_with("POST /hook?x=1 HTTP/1.1\r\n")) << requests[0];
  EXPECT_NE(requests[0].find("\r\nContent-Type: application/json\r\n"), std::string::npos);
  EXPECT_NE(requests[0].find("\r\nContent-Length: " + std::to_string(body.size()) + "\r\n"),
            std::string::npos);
  EXPECT_TRUE(requests[0].ends_with("\r\n\r\n" + body));
}

TEST(HttpClientScripted, PostFailuresNameTheMethod) {
  ScriptedServer server({{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true}});
  auto response =
      LoopbackClient()->Post(server.Url("/hook"), "(hook)", "text/plain", "x", kPatient);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().message(), "POST (hook) failed: Transferred a partial file");
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClientScripted, RefusedConnectionIsANetworkError) {
  int port = 0;
  {
    ScriptedServer closed({});
    port = closed.port();
  }
  auto response =
      LoopbackClient()->Get("http://127.0.0.1:" + std::to_string(port) + "/", "(x)", kPatient);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kNetwork);
  EXPECT_EQ(response.status().message(), "GET (x) failed: Couldn't connect to server");
}

TEST(HttpClientScripted, UrlsItCannotCallAreInvalidInputShowingOnlyTheRedactedForm) {
  for (const char* url : {"ftp://127.0.0.1/x", "http://user:secret@127.0.0.1/", "http://h:99999/",
                          "127.0.0.1:80/x", "http://host/with space"}) {
    auto response = LoopbackClient()->Get(url, "(redacted)", kPatient);
    ASSERT_FALSE(response.ok()) << url;
    EXPECT_EQ(response.status().code(), ErrorCode::kInvalidInput) << url;
    EXPECT_EQ(response.status().message().find("secret"), std::string::npos);
    EXPECT_NE(response.status().message().find("(redacted)"), std::string::npos);
  }
}

}  // namespace
}  // namespace silverwork::testing
