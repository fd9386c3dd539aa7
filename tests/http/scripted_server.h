// ScriptedServer: a loopback TCP server that answers each request it reads
// with the next scripted raw response, for the client shapes the simulator's
// server never sends (chunked bodies, interim answers, odd headers), and
// records every request (head and body) as received.
//
// Thread-safety: one thread serves; the accessors may be called from any
// thread. The destructor stops the server and joins it.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/loopback_listener.h"

namespace silverwork::testing {

class ScriptedServer {
 public:
  struct Step {
    std::string response;  // written verbatim once a request has arrived
    bool close_after = false;
  };

  // `answer_any_bytes`: answer as soon as any bytes arrive, request or not.
  explicit ScriptedServer(std::vector<Step> steps, bool answer_any_bytes = false)
      : steps_(std::move(steps)), answer_any_bytes_(answer_any_bytes) {
    listen_fd_ = ListenOnLoopback(port_);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedServer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      if (connection_fd_ >= 0) ::shutdown(connection_fd_, SHUT_RDWR);
    }
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    thread_.join();
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  int port() const { return port_; }
  std::string Url(const std::string& target) const {
    return "http://127.0.0.1:" + std::to_string(port_) + target;
  }
  int connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
  }
  std::vector<std::string> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  // Blocks until `count` steps were answered (and their connections closed
  // where the step said so).
  void WaitForSteps(size_t count) const {
    std::unique_lock lock(mutex_);
    done_changed_.wait(lock, [&] { return done_ >= count; });
  }

 private:
  // Reads one request (head, and a body of its Content-Length) from
  // `pending` and the socket; false when the peer closed first.
  bool ReadRequest(int fd, std::string& pending, std::string& request) const {
    char chunk[4096];
    auto fill = [&] {
      ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
      if (got > 0) pending.append(chunk, static_cast<size_t>(got));
      return got > 0;
    };
    if (answer_any_bytes_) {
      if (pending.empty() && !fill()) return false;
      request = std::exchange(pending, {});
      return true;
    }
    size_t head_end;
    while ((head_end = pending.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return false;
    }
    size_t body_length = 0;
    std::string head = pending.substr(0, head_end);
    for (char& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (size_t at = head.find("\r\ncontent-length:"); at != std::string::npos) {
      body_length = std::strtoul(head.c_str() + at + 17, nullptr, 10);
    }
    while (pending.size() < head_end + 4 + body_length) {
      if (!fill()) return false;
    }
    request = pending.substr(0, head_end + 4 + body_length);
    pending.erase(0, request.size());
    return true;
  }

  void Serve() {
    size_t next = 0;
    while (next < steps_.size()) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      {
        std::lock_guard lock(mutex_);
        if (stopping_) {
          ::close(fd);
          return;
        }
        ++connections_;
        connection_fd_ = fd;  // the destructor wakes a read blocked on it
      }
      std::string pending, request;
      bool closed_by_step = false;
      while (next < steps_.size() && ReadRequest(fd, pending, request)) {
        const Step& step = steps_[next++];
        {
          // Before the answer: a client that has its answer finds its
          // request recorded.
          std::lock_guard lock(mutex_);
          requests_.push_back(request);
        }
        ::send(fd, step.response.data(), step.response.size(), MSG_NOSIGNAL);
        closed_by_step = step.close_after;
        {
          std::lock_guard lock(mutex_);
          if (closed_by_step) CloseConnection(fd);
          ++done_;
        }
        done_changed_.notify_all();
        if (closed_by_step) break;
      }
      if (!closed_by_step) {
        std::lock_guard lock(mutex_);
        CloseConnection(fd);
      }
    }
  }

  // REQUIRES: mutex_ held.
  void CloseConnection(int fd) {
    ::close(fd);
    connection_fd_ = -1;
  }

  std::vector<Step> steps_;
  const bool answer_any_bytes_;
  int listen_fd_ = -1;
  int connection_fd_ = -1;  // guarded by mutex_
  bool stopping_ = false;   // guarded by mutex_
  int port_ = 0;
  mutable std::mutex mutex_;
  mutable std::condition_variable done_changed_;
  int connections_ = 0;
  size_t done_ = 0;
  std::vector<std::string> requests_;
  std::thread thread_;
};

}  // namespace silverwork::testing
