// CreateHttpClient's direct-socket path, against the simulator's HTTP server
// and against a scripted raw server for the shapes that one never sends.
#include "http/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "simulator/http_server.h"

namespace silverwork {
namespace {

using namespace std::chrono_literals;
using simulator::ConnectionFault;
using simulator::HttpReply;
using simulator::HttpRequest;
using simulator::HttpServer;

std::string UrlFor(int port, std::string_view target) {
  return "http://127.0.0.1:" + std::to_string(port) + std::string(target);
}

std::unique_ptr<HttpServer> StartServer(HttpServer::Handler handler,
                                        std::chrono::milliseconds idle_timeout = 30s) {
  simulator::HttpServerOptions options;
  options.worker_threads = 4;
  options.idle_timeout = idle_timeout;
  auto started = HttpServer::Start(options, std::move(handler));
  EXPECT_TRUE(started.ok()) << started.status().ToString();
  return std::move(started).value();
}

HttpReply Text(std::string body) {
  HttpReply reply;
  reply.content_type = "text/xml;charset=UTF-8";
  reply.body = std::move(body);
  return reply;
}

// Accepts connections on a loopback port and answers each request on them
// with the next scripted raw response, then closes when the script says so.
class ScriptedServer {
 public:
  struct Step {
    std::string response;  // written verbatim after a request head arrives
    bool close_after = false;
  };
  explicit ScriptedServer(std::vector<Step> steps) : steps_(std::move(steps)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listen_fd_, 8);
    socklen_t length = sizeof address;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    thread_.join();
  }
  int port() const { return port_; }
  int connections() const { return connections_.load(); }

 private:
  void Serve() {
    size_t next = 0;
    while (next < steps_.size()) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      ++connections_;
      std::string pending;
      while (next < steps_.size()) {
        char chunk[4096];
        while (pending.find("\r\n\r\n") == std::string::npos) {
          ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
          if (got <= 0) break;
          pending.append(chunk, static_cast<size_t>(got));
        }
        size_t head_end = pending.find("\r\n\r\n");
        if (head_end == std::string::npos) break;
        pending.erase(0, head_end + 4);
        const Step& step = steps_[next++];
        ::send(fd, step.response.data(), step.response.size(), MSG_NOSIGNAL);
        if (step.close_after) break;
      }
      ::close(fd);
    }
  }

  std::vector<Step> steps_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

TEST(HttpClientTest, KeepsOneConnectionForManyCalls) {
  std::atomic<int> calls{0};
  auto server = StartServer([&](const HttpRequest& request) {
    ++calls;
    return Text("<id>" + *request.Param("id") + "</id>");
  });
  auto client = CreateHttpClient();
  for (int index = 0; index < 200; ++index) {
    auto response =
        client->Get(UrlFor(server->port(), "/x?id=" + std::to_string(index)), "(x)", 5s);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->content_type, "text/xml;charset=UTF-8");
    EXPECT_EQ(response->body, "<id>" + std::to_string(index) + "</id>");
  }
  EXPECT_EQ(calls.load(), 200);
}

TEST(HttpClientTest, LargeBodiesArriveWhole) {
  std::string large(5 << 20, 'x');
  for (size_t index = 0; index < large.size(); index += 997) large[index] = 'y';
  auto server = StartServer([&](const HttpRequest&) { return Text(large); });
  auto client = CreateHttpClient();
  for (int repeat = 0; repeat < 2; ++repeat) {
    auto response = client->Get(UrlFor(server->port(), "/big"), "(x)", 10s);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->body, large);
  }
}

TEST(HttpClientTest, StatusErrorsAreResponsesNotFailures) {
  auto server = StartServer([](const HttpRequest&) {
    HttpReply reply = Text("<html>503</html>");
    reply.status = 503;
    return reply;
  });
  auto response = CreateHttpClient()->Get(UrlFor(server->port(), "/"), "(x)", 5s);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->body, "<html>503</html>");
}

TEST(HttpClientTest, TruncatedBodyIsANetworkError) {
  auto server = StartServer([](const HttpRequest&) {
    HttpReply reply = Text(std::string(1000, 'x'));
    reply.fault = ConnectionFault::kTruncate;
    return reply;
  });
  auto response = CreateHttpClient()->Get(UrlFor(server->port(), "/"), "(shown url)", 5s);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kNetwork);
  EXPECT_NE(response.status().message().find("(shown url)"), std::string::npos);
  EXPECT_NE(response.status().message().find("partial"), std::string::npos);
}

TEST(HttpClientTest, HangTimesOutWithLibcurlsWording) {
  auto server = StartServer([](const HttpRequest&) {
    HttpReply reply;
    reply.fault = ConnectionFault::kHang;
    reply.hang = 5s;
    return reply;
  });
  auto started = std::chrono::steady_clock::now();
  auto response = CreateHttpClient()->Get(UrlFor(server->port(), "/"), "(x)", 300ms);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kNetwork);
  EXPECT_NE(response.status().message().find("Timeout was reached"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  server->Stop();
}

TEST(HttpClientTest, RefusedConnectionIsANetworkError) {
  int port = 0;
  {
    auto server = StartServer([](const HttpRequest&) { return Text("x"); });
    port = server->port();
  }
  auto response = CreateHttpClient()->Get(UrlFor(port, "/"), "(x)", 2s);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kNetwork);
}

TEST(HttpClientTest, AConnectionTheServerClosedIsReplacedSilently) {
  auto server = StartServer([](const HttpRequest&) { return Text("ok"); }, /*idle_timeout=*/100ms);
  auto client = CreateHttpClient();
  ASSERT_TRUE(client->Get(UrlFor(server->port(), "/"), "(x)", 5s).ok());
  std::this_thread::sleep_for(400ms);  // the server drops the idle connection
  auto response = client->Get(UrlFor(server->port(), "/"), "(x)", 5s);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "ok");
}

TEST(HttpClientTest, ChunkedAndCloseDelimitedBodies) {
  ScriptedServer server({
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/xml\r\n\r\n"
       "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: y\r\n\r\n"},
      {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"},
      {"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", true},
  });
  auto client = CreateHttpClient();
  auto chunked = client->Get(UrlFor(server.port(), "/a"), "(x)", 5s);
  ASSERT_TRUE(chunked.ok()) << chunked.status().ToString();
  EXPECT_EQ(chunked->body, "hello, world");
  EXPECT_EQ(chunked->content_type, "text/xml");
  auto interim = client->Get(UrlFor(server.port(), "/b"), "(x)", 5s);
  ASSERT_TRUE(interim.ok()) << interim.status().ToString();
  EXPECT_EQ(interim->body, "ok");
  auto delimited = client->Get(UrlFor(server.port(), "/c"), "(x)", 5s);
  ASSERT_TRUE(delimited.ok()) << delimited.status().ToString();
  EXPECT_EQ(delimited->body, "until the end");
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClientTest, ACutChunkedBodyIsANetworkError) {
  ScriptedServer server({
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly part", true},
  });
  auto response = CreateHttpClient()->Get(UrlFor(server.port(), "/"), "(x)", 5s);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kNetwork);
}

}  // namespace
}  // namespace silverwork
