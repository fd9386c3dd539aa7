// IgnoreSigpipe: makes the process ignore SIGPIPE, once. Writing to a peer
// that has gone away must fail with EPIPE, not end the process: cpp-httplib's
// client and OpenSSL write with plain send()/write(). cpp-httplib's server
// does the same on construction. Thread-safe.
#pragma once

#include <csignal>
#include <mutex>

namespace silverwork {

inline void IgnoreSigpipe() {
  static std::once_flag once;
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

}  // namespace silverwork
