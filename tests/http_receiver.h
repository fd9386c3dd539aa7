// LoopbackReceiver: a scripted HTTP server on 127.0.0.1 (cpp-httplib) for
// tests of code that sends requests out — webhooks, POSTs. It records every
// request it receives and answers each from a handler, by default "200 ok".
// Thread-safe: the server answers on its own threads; requests() may be read
// from the test's thread at any time.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace silverwork::testing {

struct ReceivedRequest {
  std::string method;
  std::string path;
  std::string content_type;
  std::string body;
};

struct ScriptedAnswer {
  int status = 200;
  std::string body = "ok";
  std::string content_type = "text/plain";
  std::vector<std::pair<std::string, std::string>> headers;
};

class LoopbackReceiver {
 public:
  // Called with the request and its 0-based number.
  using Handler = std::function<ScriptedAnswer(const ReceivedRequest&, size_t index)>;

  // Answers request i with answers[i]; the last answer repeats.
  static Handler Sequence(std::vector<ScriptedAnswer> answers) {
    return [answers = std::move(answers)](const ReceivedRequest&, size_t index) {
      return answers.at(std::min(index, answers.size() - 1));
    };
  }

  explicit LoopbackReceiver(Handler handler = Sequence({ScriptedAnswer{}}))
      : handler_(std::move(handler)) {
    auto serve = [this](const httplib::Request& request, httplib::Response& response) {
      ReceivedRequest received{request.method, request.path,
                               request.get_header_value("Content-Type"), request.body};
      size_t index = 0;
      {
        std::lock_guard lock(mutex_);
        index = requests_.size();
        requests_.push_back(received);
      }
      ScriptedAnswer answer = handler_(received, index);
      response.status = answer.status;
      for (const auto& [name, value] : answer.headers) response.set_header(name, value);
      response.set_content(answer.body, answer.content_type);
    };
    // One request per connection: a client still holding an idle kept-alive
    // connection would otherwise hold up stop() for the keep-alive timeout.
    server_.set_keep_alive_max_count(1);
    server_.Get(".*", serve);
    server_.Post(".*", serve);
    // Binding also listens: a client may connect before the thread accepts.
    port_ = server_.bind_to_any_port("127.0.0.1");
    EXPECT_GT(port_, 0) << "cannot bind a loopback port";
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }

  ~LoopbackReceiver() {
    // stop() is a no-op until the accept loop runs; wait for it to start.
    while (!server_.is_running() && port_ > 0) std::this_thread::yield();
    server_.stop();
    thread_.join();
  }
  LoopbackReceiver(const LoopbackReceiver&) = delete;
  LoopbackReceiver& operator=(const LoopbackReceiver&) = delete;

  int port() const { return port_; }
  std::string Url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  std::vector<ReceivedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  Handler handler_;
  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<ReceivedRequest> requests_;
};

// A loopback port nothing listens on (bound, then closed), for
// connection-refused tests.
inline int UnusedLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  bool bound = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
               ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  EXPECT_TRUE(bound) << "cannot bind a loopback port";
  if (fd >= 0) ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace silverwork::testing
