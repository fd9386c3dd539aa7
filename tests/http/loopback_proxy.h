// LoopbackProxy: a forward HTTP proxy on 127.0.0.1 for the client's tests.
// CONNECT requests get a tunnel; absolute-form requests ("GET http://...")
// are relayed to their host as they are (the simulator's server accepts that
// form). It records the head of the first request of every connection.
//
// Thread-safety: one thread accepts and one serves each connection; heads()
// may be called from any thread. The destructor closes everything and joins.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "http/loopback_listener.h"

namespace silverwork::testing {

class LoopbackProxy {
 public:
  LoopbackProxy() {
    listen_fd_ = ListenOnLoopback(port_);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~LoopbackProxy() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    ::shutdown(listen_fd_, SHUT_RDWR);
    accept_thread_.join();
    for (std::thread& thread : connection_threads_) thread.join();
    ::close(listen_fd_);
  }
  LoopbackProxy(const LoopbackProxy&) = delete;
  LoopbackProxy& operator=(const LoopbackProxy&) = delete;

  int port() const { return port_; }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> heads() const {
    std::lock_guard lock(mutex_);
    return heads_;
  }

 private:
  void AcceptLoop() {
    while (true) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      std::lock_guard lock(mutex_);
      if (stopping_) {
        ::close(fd);
        return;
      }
      open_fds_.insert(fd);
      connection_threads_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  // Registers an fd the destructor must shut down; false when stopping.
  bool Track(int fd) {
    std::lock_guard lock(mutex_);
    open_fds_.insert(fd);
    return !stopping_;
  }
  void Close(int fd) {
    std::lock_guard lock(mutex_);
    open_fds_.erase(fd);
    ::close(fd);
  }

  void Serve(int client) {
    std::string pending;
    char chunk[16384];
    size_t head_end;
    while ((head_end = pending.find("\r\n\r\n")) == std::string::npos) {
      ssize_t got = ::recv(client, chunk, sizeof chunk, 0);
      if (got <= 0) return Close(client);
      pending.append(chunk, static_cast<size_t>(got));
    }
    std::string head = pending.substr(0, head_end);
    {
      std::lock_guard lock(mutex_);
      heads_.push_back(head);
    }
    // "CONNECT 127.0.0.1:8443 HTTP/1.1" or "GET http://127.0.0.1:8080/x HTTP/1.1".
    std::string line = head.substr(0, head.find("\r\n"));
    std::string target = line.substr(line.find(' ') + 1);
    target = target.substr(0, target.find(' '));
    bool tunnel = line.starts_with("CONNECT ");
    if (!tunnel) target = target.substr(target.find("://") + 3);
    int port = std::stoi(target.substr(target.find(':') + 1));

    int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = LoopbackAddress(port);
    if (!Track(upstream) ||
        ::connect(upstream, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      const std::string refused = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n";
      ::send(client, refused.data(), refused.size(), MSG_NOSIGNAL);
      Close(upstream);
      return Close(client);
    }
    if (tunnel) {
      pending.erase(0, head_end + 4);
      const std::string established = "HTTP/1.1 200 Connection established\r\n\r\n";
      ::send(client, established.data(), established.size(), MSG_NOSIGNAL);
    }
    ::send(upstream, pending.data(), pending.size(), MSG_NOSIGNAL);
    Relay(client, upstream);
    Close(upstream);
    Close(client);
  }

  // Copies bytes both ways until either side closes.
  static void Relay(int a, int b) {
    char chunk[16384];
    pollfd both[2] = {{.fd = a, .events = POLLIN, .revents = 0},
                      {.fd = b, .events = POLLIN, .revents = 0}};
    while (::poll(both, 2, -1) > 0) {
      for (int side = 0; side < 2; ++side) {
        if (both[side].revents == 0) continue;
        ssize_t got = ::recv(both[side].fd, chunk, sizeof chunk, 0);
        if (got <= 0) return;
        if (::send(both[1 - side].fd, chunk, static_cast<size_t>(got), MSG_NOSIGNAL) != got) return;
      }
    }
  }

  int listen_fd_ = -1;
  int port_ = 0;
  mutable std::mutex mutex_;
  bool stopping_ = false;
  std::set<int> open_fds_;
  std::vector<std::string> heads_;
  std::vector<std::thread> connection_threads_;
  std::thread accept_thread_;
};

}  // namespace silverwork::testing
