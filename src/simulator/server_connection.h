// The transport under the simulator's HttpServer: one accepted connection as
// plain TCP or as TLS over it (OpenSSL), with the operations the server and
// its fault injection need: receive, send a head and a body, and end with an
// orderly close or a reset.
//
// TlsServerContext is immutable once loaded and may be shared by every
// connection's thread. A ServerConnection belongs to the one worker thread
// serving it; the HttpServer owns the socket itself (it closes it, and may
// shut it down from Stop() to wake a blocked Receive or Send).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

using SSL_CTX = struct ssl_ctx_st;
using SSL = struct ssl_st;

namespace silverwork::simulator {

class TlsServerContext {
 public:
  // Loads a certificate chain and its private key (PEM files). Errors name
  // the file and what is wrong with it.
  static Result<std::unique_ptr<TlsServerContext>> Load(const std::string& certificate_file,
                                                        const std::string& key_file);
  ~TlsServerContext();
  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;

  SSL_CTX* native() const { return context_; }

 private:
  explicit TlsServerContext(SSL_CTX* context) : context_(context) {}
  SSL_CTX* context_;
};

class ServerConnection {
 public:
  // `tls` null: plain TCP. Borrows `fd` and `tls`.
  ServerConnection(int fd, const TlsServerContext* tls);
  ~ServerConnection();
  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;

  // Completes the TLS handshake (plain: nothing to do). False when the
  // client gave up, failed it (e.g. did not trust the certificate) or the
  // socket's receive timeout passed.
  bool Open();
  // Up to `size` received bytes into `buffer`; 0 once the peer closed, the
  // receive timeout passed, or the connection failed.
  size_t Receive(char* buffer, size_t size);
  // Sends `head`, then `body`; false if the peer went away.
  bool Send(std::string_view head, std::string_view body);
  // Makes the owner's close() a reset (RST) instead of an orderly end.
  void ResetOnClose();

 private:
  const int fd_;
  SSL* ssl_ = nullptr;
};

}  // namespace silverwork::simulator
