// The simulator's own HTTP server, driven over raw sockets.
#include "simulator/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "http/test_certificates.h"

namespace silverwork::simulator {
namespace {

using namespace std::chrono_literals;

// A blocking loopback socket. Reads wait as long as it takes: a server that
// never answers shows up as the test's (ctest's) timeout, not as a guess.
class RawClient {
 public:
  explicit RawClient(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  void Send(std::string_view bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  // Reads until the peer closes or errs; sets last_errno().
  std::string ReadToEnd() {
    std::string out;
    char buffer[4096];
    while (true) {
      ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
      if (got <= 0) {
        last_errno_ = got < 0 ? errno : 0;
        return out;
      }
      out.append(buffer, static_cast<size_t>(got));
    }
  }
  // Reads one response with a Content-Length body; bytes of the next
  // (pipelined) response stay buffered.
  std::string ReadResponse() {
    char buffer[4096];
    while (true) {
      size_t head_end = pending_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        size_t length_at = pending_.find("Content-Length: ");
        size_t length = std::stoul(pending_.substr(length_at + 16));
        size_t end = head_end + 4 + length;
        if (pending_.size() >= end) {
          std::string response = pending_.substr(0, end);
          pending_.erase(0, end);
          return response;
        }
      }
      ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
      if (got <= 0) return std::exchange(pending_, {});
      pending_.append(buffer, static_cast<size_t>(got));
    }
  }
  int last_errno() const { return last_errno_; }

 private:
  int fd_;
  bool connected_ = false;
  int last_errno_ = 0;
  std::string pending_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(HttpServer::Handler handler, int workers = 4) {
    HttpServerOptions options;
    options.worker_threads = workers;
    auto started = HttpServer::Start(options, std::move(handler));
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    server_ = std::move(started).value();
  }
  static HttpReply Text(std::string body) {
    HttpReply reply;
    reply.content_type = "text/plain";
    reply.body = std::move(body);
    return reply;
  }
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  std::atomic<int> calls{0};
  Start([&](const HttpRequest& request) {
    ++calls;
    return Text("path=" + request.path);
  });
  RawClient client(server_->port());
  ASSERT_TRUE(client.connected());
  for (int i = 0; i < 100; ++i) {
    client.Send("GET /a/b HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string response = client.ReadResponse();
    ASSERT_TRUE(response.starts_with("HTTP/1.1 200 OK\r\n")) << response;
    ASSERT_TRUE(response.ends_with("path=/a/b"));
  }
  // Pipelined requests in one write are answered in order.
  client.Send("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(client.ReadResponse().ends_with("path=/1"));
  EXPECT_TRUE(client.ReadResponse().ends_with("path=/2"));
  EXPECT_EQ(calls.load(), 102);
}

TEST_F(HttpServerTest, QueryIsSplitDecodedAndKeptRaw) {
  std::mutex mutex;
  HttpRequest seen;
  Start([&](const HttpRequest& request) {
    std::lock_guard lock(mutex);
    seen = request;
    return Text("ok");
  });
  RawClient client(server_->port());
  client.Send(
      "GET /p%41th?serviceKey=a%2Bb%3D%3D&search=%EA%B2%BD%EB%B9%84+%EC%9B%90&flag "
      "HTTP/1.1\r\n\r\n");
  client.ReadResponse();
  std::lock_guard lock(mutex);
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.path, "/pAth");
  EXPECT_EQ(seen.raw_query, "serviceKey=a%2Bb%3D%3D&search=%EA%B2%BD%EB%B9%84+%EC%9B%90&flag");
  ASSERT_NE(seen.Param("serviceKey"), nullptr);
  EXPECT_EQ(*seen.Param("serviceKey"), "a+b==");
  EXPECT_EQ(*seen.Param("search"), "경비 원");
  EXPECT_EQ(*seen.Param("flag"), "");
  EXPECT_EQ(seen.RawParam("serviceKey"), "a%2Bb%3D%3D");
  EXPECT_FALSE(seen.RawParam("missing"));
}

TEST_F(HttpServerTest, OnlyGetIsAllowedAndGarbageIsRefused) {
  Start([](const HttpRequest&) { return Text("ok"); });
  {
    RawClient client(server_->port());
    client.Send("POST /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    EXPECT_TRUE(client.ReadToEnd().starts_with("HTTP/1.1 405 "));
  }
  for (std::string_view garbage :
       {"HELLO\r\n\r\n", "GET /x SPDY/9\r\n\r\n", "get /x HTTP/1.1\r\n\r\n",
        "GET /x HTTP/1.1\r\nNoColon\r\n\r\n"}) {
    RawClient client(server_->port());
    client.Send(garbage);
    EXPECT_TRUE(client.ReadToEnd().starts_with("HTTP/1.1 400 ")) << garbage;
  }
  RawClient closing(server_->port());
  closing.Send("GET /x HTTP/1.0\r\n\r\n");
  std::string response = closing.ReadToEnd();  // HTTP/1.0 closes after one answer
  EXPECT_NE(response.find("Connection: close"), std::string::npos);
}

TEST_F(HttpServerTest, ResetSendsRst) {
  Start([](const HttpRequest&) {
    HttpReply reply = Text("never sent");
    reply.fault = ConnectionFault::kReset;
    return reply;
  });
  RawClient client(server_->port());
  client.Send("GET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(client.ReadToEnd(), "");
  EXPECT_EQ(client.last_errno(), ECONNRESET);
}

TEST_F(HttpServerTest, TruncatedPromisesMoreThanItSends) {
  Start([](const HttpRequest&) {
    HttpReply reply = Text(std::string(1000, 'x'));
    reply.fault = ConnectionFault::kTruncate;
    return reply;
  });
  RawClient client(server_->port());
  client.Send("GET / HTTP/1.1\r\n\r\n");
  std::string response = client.ReadToEnd();
  EXPECT_NE(response.find("Content-Length: 1000\r\n"), std::string::npos);
  size_t body = response.size() - (response.find("\r\n\r\n") + 4);
  EXPECT_EQ(body, 500u);
}

TEST_F(HttpServerTest, ExtraConnectionsWaitForAFreeWorker) {
  std::mutex mutex;
  std::vector<std::string> order;
  Start(
      [&](const HttpRequest& request) {
        std::lock_guard lock(mutex);
        order.push_back(request.path);
        return Text("ok");
      },
      /*workers=*/1);
  RawClient first(server_->port());
  first.Send("GET /first-1 HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(first.ReadResponse().ends_with("ok"));
  // `first` holds the only worker, so `second` waits until it leaves.
  RawClient second(server_->port());
  second.Send("GET /second HTTP/1.1\r\n\r\n");
  first.Send("GET /first-2 HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(first.ReadToEnd().ends_with("ok"));
  EXPECT_TRUE(second.ReadResponse().ends_with("ok"));
  std::lock_guard lock(mutex);
  EXPECT_EQ(order, (std::vector<std::string>{"/first-1", "/first-2", "/second"}));
}

// Connections that arrive together each reach a worker while others are
// busy. Were one left queued behind a busy worker, the fast reads below
// would wait forever for the gate they are meant to open.
TEST_F(HttpServerTest, ConnectionsArrivingTogetherAreServedWhileOthersAreBusy) {
  std::mutex mutex;
  std::condition_variable gate_changed;
  bool gate_open = false;
  Start(
      [&](const HttpRequest& request) {
        if (request.path == "/slow") {
          std::unique_lock lock(mutex);
          gate_changed.wait(lock, [&] { return gate_open; });
        }
        return Text("ok");
      },
      /*workers=*/16);
  // Leaves idle workers behind, which new connections must reach.
  for (int index = 0; index < 2; ++index) {
    RawClient warm_up(server_->port());
    warm_up.Send("GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    warm_up.ReadToEnd();
  }
  std::vector<std::unique_ptr<RawClient>> slow, fast;
  for (int index = 0; index < 3; ++index) {
    slow.push_back(std::make_unique<RawClient>(server_->port()));
    slow.back()->Send("GET /slow HTTP/1.1\r\n\r\n");
  }
  for (int index = 0; index < 6; ++index) {
    fast.push_back(std::make_unique<RawClient>(server_->port()));
    fast.back()->Send("GET /fast HTTP/1.1\r\n\r\n");
  }
  for (auto& client : fast) EXPECT_TRUE(client->ReadResponse().ends_with("ok"));
  {
    std::lock_guard lock(mutex);
    gate_open = true;
  }
  gate_changed.notify_all();
  for (auto& client : slow) EXPECT_TRUE(client->ReadResponse().ends_with("ok"));
}

// Stop() ends hangs and delays of an hour and idle connections. Were it to
// wait them out, the test would outlast ctest's timeout.
TEST_F(HttpServerTest, StopCutsHangsDelaysAndIdleConnections) {
  std::mutex mutex;
  std::condition_variable arrived_changed;
  int arrived = 0;
  Start([&](const HttpRequest& request) {
    {
      std::lock_guard lock(mutex);
      ++arrived;
    }
    arrived_changed.notify_all();
    HttpReply reply = Text("late");
    if (request.path == "/hang") {
      reply.fault = ConnectionFault::kHang;
      reply.hang = std::chrono::hours(1);
    } else {
      reply.delay = std::chrono::hours(1);
    }
    return reply;
  });
  RawClient hanging(server_->port());
  hanging.Send("GET /hang HTTP/1.1\r\n\r\n");
  RawClient delayed(server_->port());
  delayed.Send("GET /slow HTTP/1.1\r\n\r\n");
  RawClient idle(server_->port());
  {
    std::unique_lock lock(mutex);
    arrived_changed.wait(lock, [&] { return arrived == 2; });
  }
  server_->Stop();
  EXPECT_EQ(hanging.ReadToEnd(), "");
  EXPECT_EQ(delayed.ReadToEnd(), "");
  EXPECT_EQ(idle.ReadToEnd(), "");
  server_->Stop();  // idempotent
}

TEST_F(HttpServerTest, DelaysPassOnTheGivenClock) {
  FakeClock clock{std::chrono::system_clock::time_point()};
  HttpServerOptions options;
  options.delay_clock = &clock;
  auto started = HttpServer::Start(options, [](const HttpRequest&) {
    HttpReply reply = Text("ok");
    reply.delay = std::chrono::minutes(10);
    return reply;
  });
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  RawClient client((*started)->port());
  for (int call = 0; call < 3; ++call) {
    client.Send("GET / HTTP/1.1\r\n\r\n");
    EXPECT_TRUE(client.ReadResponse().ends_with("ok"));
  }
  EXPECT_EQ(clock.Elapsed(), std::chrono::minutes(30));
}

TEST_F(HttpServerTest, ExtraHeadersAreSent) {
  Start([](const HttpRequest&) {
    HttpReply reply = Text("moved");
    reply.status = 301;
    reply.headers = {{"Location", "/elsewhere"}};
    return reply;
  });
  RawClient client(server_->port());
  client.Send("GET / HTTP/1.1\r\n\r\n");
  std::string response = client.ReadResponse();
  EXPECT_TRUE(response.starts_with("HTTP/1.1 301 Moved Permanently\r\n")) << response;
  EXPECT_NE(response.find("\r\nLocation: /elsewhere\r\n"), std::string::npos) << response;
}

TEST(HttpServerTls, StartRefusesIncompleteOrBrokenCertificates) {
  const auto& tls = testing::SharedTestTls();
  auto handler = [](const HttpRequest&) { return HttpReply{}; };
  struct Case {
    std::string certificate, key, expected;
  };
  std::vector<Case> cases = {
      {tls.server.certificate_file, "", "needs both a certificate and its key"},
      {"/nonexistent/cert.pem", tls.server.key_file, "'/nonexistent/cert.pem'"},
      {tls.server.certificate_file, tls.pki.ca_file(), "the private key '" + tls.pki.ca_file()},
  };
  testing::TestPki other;
  auto other_files = other.IssueServer("other", {"127.0.0.1"});
  cases.push_back({tls.server.certificate_file, other_files.key_file,
                   "the private key '" + other_files.key_file + "' does not match"});
  for (const Case& c : cases) {
    HttpServerOptions options;
    options.tls_certificate_file = c.certificate;
    options.tls_key_file = c.key;
    auto started = HttpServer::Start(options, handler);
    ASSERT_FALSE(started.ok()) << c.expected;
    EXPECT_EQ(started.status().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(started.status().message().find(c.expected), std::string::npos)
        << started.status().message();
    EXPECT_NE(started.status().hint().find("--tls"), std::string::npos);
  }
}

}  // namespace
}  // namespace silverwork::simulator
