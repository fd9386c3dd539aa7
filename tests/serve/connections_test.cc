// The bounds the server puts on each connection (docs/serve.md: reads time
// out after 5 s, writes after 30 s, idle keep-alive connections after 5 s):
// the defaults are the documented ones, ApplyConnectionLimits hands exactly
// the configured values to the HTTP layer, and with short values an idle,
// a slow-sending and a non-reading client are each disconnected. The waits
// are the server's own actions (a close, a log line), never a sleep; the
// only clock reading is a lower bound (not closed before the timeout).
#include <chrono>
#include <fstream>

#include "serve/connection_limits.h"
#include "serve/log_capture.h"
#include "serve/raw_connection.h"
#include "serve/serve_harness.h"

namespace silverwork::serve::testing {
namespace {

using namespace std::chrono_literals;
using std::chrono::steady_clock;

// cpp-httplib keeps what it was given in protected members; this reads them.
class InspectedHttpServer : public httplib::Server {
 public:
  time_t read_seconds() const { return read_timeout_sec_; }
  time_t read_microseconds() const { return read_timeout_usec_; }
  time_t write_seconds() const { return write_timeout_sec_; }
  time_t write_microseconds() const { return write_timeout_usec_; }
  time_t keep_alive_seconds() const { return keep_alive_timeout_sec_; }
  size_t keep_alive_requests() const { return keep_alive_max_count_; }
  size_t max_body_bytes() const { return payload_max_length_; }
};

TEST(ConnectionLimits, DefaultsAreTheDocumentedOnes) {
  const ServeOptions defaults;
  EXPECT_EQ(defaults.read_timeout, 5s);
  EXPECT_EQ(defaults.write_timeout, 30s);
  EXPECT_EQ(defaults.keep_alive_timeout, 5s);
  EXPECT_EQ(defaults.max_body_bytes, 4096u);

  InspectedHttpServer http;
  ApplyConnectionLimits(defaults, http);
  EXPECT_EQ(http.read_seconds(), 5);
  EXPECT_EQ(http.read_microseconds(), 0);
  EXPECT_EQ(http.write_seconds(), 30);
  EXPECT_EQ(http.write_microseconds(), 0);
  EXPECT_EQ(http.keep_alive_seconds(), 5);
  EXPECT_EQ(http.keep_alive_requests(), 100'000u);
  EXPECT_EQ(http.max_body_bytes(), 4096u);
}

TEST(ConnectionLimits, ConfiguredValuesAreTheOnesApplied) {
  ServeOptions options;
  options.read_timeout = 250ms;
  options.write_timeout = 1500ms;
  options.keep_alive_timeout = 7s;
  options.keep_alive_max_requests = 3;
  options.max_body_bytes = 100;
  InspectedHttpServer http;
  ApplyConnectionLimits(options, http);
  EXPECT_EQ(http.read_seconds(), 0);
  EXPECT_EQ(http.read_microseconds(), 250'000);
  EXPECT_EQ(http.write_seconds(), 1);
  EXPECT_EQ(http.write_microseconds(), 500'000);
  EXPECT_EQ(http.keep_alive_seconds(), 7);
  EXPECT_EQ(http.keep_alive_requests(), 3u);
  EXPECT_EQ(http.max_body_bytes(), 100u);
}

using Connections = ServerTest;

TEST_F(Connections, AnIdleKeptAliveConnectionIsClosed) {
  ServeOptions options = TestOptions(fixture_options());
  options.keep_alive_timeout = 1s;  // cpp-httplib counts it in whole seconds
  StartServer(std::move(options));
  RawConnection idle(server_->port());
  const auto sent = steady_clock::now();
  idle.Send("GET /healthz HTTP/1.1\r\nHost: silverwork\r\n\r\n");
  const std::string response = idle.ReadResponse();
  ASSERT_TRUE(response.starts_with("HTTP/1.1 200")) << response;
  EXPECT_EQ(response.find("Connection: close"), std::string::npos) << "kept alive: " << response;
  EXPECT_EQ(idle.ReadToEnd(), "");  // the server closes it, sending nothing more
  EXPECT_GE(steady_clock::now() - sent, 1s);
}

TEST_F(Connections, ARequestThatStopsHalfWayTimesOut) {
  ServeOptions options = TestOptions(fixture_options());
  options.read_timeout = 200ms;
  StartServer(std::move(options));

  // Stopped inside the request line: the connection is closed, unanswered.
  RawConnection in_request_line(server_->port());
  auto sent = steady_clock::now();
  in_request_line.Send("GET /heal");
  EXPECT_EQ(in_request_line.ReadToEnd(), "");
  EXPECT_GE(steady_clock::now() - sent, 200ms);

  // Stopped inside the headers: a 400 in the API's error shape.
  RawConnection in_headers(server_->port());
  sent = steady_clock::now();
  in_headers.Send("GET /healthz HTTP/1.1\r\nHost: silver");
  const std::string response = in_headers.ReadResponse();
  EXPECT_GE(steady_clock::now() - sent, 200ms);
  EXPECT_TRUE(response.starts_with("HTTP/1.1 400")) << response;
  EXPECT_NE(response.find("\"code\":\"bad_request\""), std::string::npos) << response;

  // A client that sends its request whole is served.
  RawConnection whole(server_->port());
  whole.Send("GET /healthz HTTP/1.1\r\nHost: silverwork\r\n\r\n");
  EXPECT_TRUE(whole.ReadResponse().starts_with("HTTP/1.1 200"));
}

class ConnectionsWithLog : public ServerTest {
 protected:
  LogCapture log_;  // outlives the server (TearDown stops it first)
};

// The most a socket's send buffer grows to (the third of net.ipv4.tcp_wmem).
size_t SendBufferMaximum() {
  std::ifstream limits("/proc/sys/net/ipv4/tcp_wmem");
  size_t minimum = 0, initial = 0, maximum = 0;
  limits >> minimum >> initial >> maximum;
  EXPECT_GT(maximum, 0u) << "cannot read /proc/sys/net/ipv4/tcp_wmem";
  return maximum;
}

TEST_F(ConnectionsWithLog, AClientThatStopsReadingIsDisconnected) {
  // An export several times larger than the kernel could buffer for a
  // client that reads nothing, so the server's writes must stall.
  TempFolder folder;
  const fs::path copy = folder.path() / "copy.db";
  fs::copy_file(warehouse_path(), copy);
  {
    auto warehouse = OpenWarehouse({.engine = "sqlite", .location = copy.string()});
    ASSERT_TRUE(warehouse.ok());
    const size_t padding_bytes = 3 * SendBufferMaximum() / 3000 / 2 + 1;
    ASSERT_TRUE((*warehouse)
                    ->Execute(fmt::format("UPDATE fct_job_postings SET title = title || ' ' || "
                                          "hex(randomblob({}))",
                                          padding_bytes))
                    .ok());
  }
  ServeOptions options = TestOptions(SqliteFile(copy));
  options.write_timeout = 300ms;
  StartServer(std::move(options));
  // A small receive window keeps what the kernel takes off the server small too.
  RawConnection stalled(server_->port(), 4096);
  const auto sent = steady_clock::now();
  stalled.Send("GET /api/v1/postings.csv HTTP/1.1\r\nHost: silverwork\r\n\r\n");
  const std::string head = stalled.ReadUntil("\r\n\r\n");
  ASSERT_TRUE(head.starts_with("HTTP/1.1 200")) << head.substr(0, 200);
  const size_t id_at = head.find("X-Request-Id: ");
  ASSERT_NE(id_at, std::string::npos) << head.substr(0, 400);
  const std::string id = head.substr(id_at + 14, head.find("\r\n", id_at) - id_at - 14);

  const std::string line = log_.WaitFor("the client stopped reading the CSV export");
  EXPECT_GE(steady_clock::now() - sent, 300ms);
  EXPECT_NE(line.find(id), std::string::npos) << line;
  EXPECT_NE(line.find("of 3000 rows"), std::string::npos) << line;

  // What did arrive ends without the chunked body's last chunk.
  const std::string received = stalled.ReadToEnd();
  EXPECT_FALSE(received.ends_with("\r\n0\r\n\r\n"));
  EXPECT_LT(std::count(received.begin(), received.end(), '\n'), 3000);
}

}  // namespace
}  // namespace silverwork::serve::testing
