// A loopback TCP connection driven byte by byte, for what an HTTP client
// library hides: a request sent half-way, a response left unread, a kept-
// alive connection left idle, and when the server closes it. Reads block
// without a time limit: the test's synchronisation is the server's own
// close (ctest's per-test timeout catches a server that never closes).
// One test thread per connection.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace silverwork::serve::testing {

class RawConnection {
 public:
  // `receive_buffer_bytes`: the socket's receive buffer, set before
  // connecting so that the window the server sees stays that small.
  explicit RawConnection(int port, std::optional<int> receive_buffer_bytes = std::nullopt)
      : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (receive_buffer_bytes) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &*receive_buffer_bytes, sizeof(int));
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    EXPECT_TRUE(connected_) << "connect to 127.0.0.1:" << port << ": " << errno;
  }
  ~RawConnection() { Close(); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void Send(std::string_view bytes) const {
    EXPECT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }

  // Reads until `needle` has arrived (or the server closed); returns all read
  // so far, the needle included.
  std::string ReadUntil(std::string_view needle) {
    while (received_.find(needle) == std::string::npos && ReadSome()) {
    }
    return received_;
  }

  // Reads one response whose body has a Content-Length.
  std::string ReadResponse() {
    std::string head = ReadUntil("\r\n\r\n");
    const size_t head_end = head.find("\r\n\r\n");
    if (head_end == std::string::npos) return head;
    const size_t length_at = head.find("Content-Length: ");
    EXPECT_NE(length_at, std::string::npos) << head;
    if (length_at == std::string::npos || length_at > head_end) return head;
    const size_t length = std::stoul(head.substr(length_at + 16));
    while (received_.size() < head_end + 4 + length && ReadSome()) {
    }
    std::string response = received_.substr(0, head_end + 4 + length);
    received_.erase(0, response.size());
    return response;
  }

  // Blocks until the server closes the connection; returns what arrived
  // before (including anything read earlier and not yet taken).
  std::string ReadToEnd() {
    while (ReadSome()) {
    }
    return std::exchange(received_, std::string());
  }

  // True while the server has neither closed the connection nor sent more.
  bool OpenAndQuiet() const {
    char byte = 0;
    const ssize_t got = ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  // One blocking read into received_; false once the server closed (or reset).
  bool ReadSome() {
    char buffer[4096];
    const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
    if (got <= 0) return false;
    received_.append(buffer, static_cast<size_t>(got));
    return true;
  }

  int fd_;
  bool connected_ = false;
  std::string received_;
};

}  // namespace silverwork::serve::testing
