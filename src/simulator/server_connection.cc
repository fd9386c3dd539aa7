#include "simulator/server_connection.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cerrno>
#include <climits>

#include "http/ignore_sigpipe.h"

namespace silverwork::simulator {
namespace {

// The most recent OpenSSL error, as text (empty when there is none).
std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return {};
  std::array<char, 256> text{};
  ERR_error_string_n(code, text.data(), text.size());
  return text.data();
}

Status TlsFileError(const std::string& what, const std::string& file) {
  return Status(ErrorCode::kInvalidInput,
                "cannot use " + what + " '" + file + "': " + OpenSslError(),
                "--tls-cert takes a PEM certificate (chain) and --tls-key its PEM private key, "
                "unencrypted");
}

// Writes all of `parts` with one system call when the kernel takes them.
bool SendAllPlain(int fd, std::array<iovec, 2> parts) {
  size_t first = 0;
  while (first < parts.size()) {
    msghdr message{};
    message.msg_iov = parts.data() + first;
    message.msg_iovlen = parts.size() - first;
    ssize_t sent = ::sendmsg(fd, &message, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    auto remaining = static_cast<size_t>(sent);
    while (first < parts.size() && remaining >= parts[first].iov_len) {
      remaining -= parts[first].iov_len;
      ++first;
    }
    if (first < parts.size()) {
      parts[first].iov_base = static_cast<char*>(parts[first].iov_base) + remaining;
      parts[first].iov_len -= remaining;
    }
  }
  return true;
}

bool SendAllTls(SSL* ssl, std::string_view bytes) {
  while (!bytes.empty()) {
    int chunk = static_cast<int>(std::min<size_t>(bytes.size(), INT_MAX));
    int sent = SSL_write(ssl, bytes.data(), chunk);
    if (sent <= 0) {
      ERR_clear_error();
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<TlsServerContext>> TlsServerContext::Load(
    const std::string& certificate_file, const std::string& key_file) {
  IgnoreSigpipe();  // SSL_write uses write(), which raises SIGPIPE
  SSL_CTX* context = SSL_CTX_new(TLS_server_method());
  if (context == nullptr) {
    return Status(ErrorCode::kInternal, "OpenSSL cannot create a TLS context: " + OpenSslError());
  }
  std::unique_ptr<TlsServerContext> loaded(new TlsServerContext(context));
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(context, certificate_file.c_str()) != 1) {
    return TlsFileError("the certificate", certificate_file);
  }
  if (SSL_CTX_use_PrivateKey_file(context, key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(context) != 1) {
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      return Status(ErrorCode::kInvalidInput,
                    "the private key '" + key_file + "' does not match the certificate '" +
                        certificate_file + "'",
                    "pass --tls-key the key the certificate given to --tls-cert was made for");
    }
    return TlsFileError("the private key", key_file);
  }
  return loaded;
}

TlsServerContext::~TlsServerContext() { SSL_CTX_free(context_); }

ServerConnection::ServerConnection(int fd, const TlsServerContext* tls) : fd_(fd) {
  if (tls != nullptr) ssl_ = SSL_new(tls->native());
}

ServerConnection::~ServerConnection() {
  // No close_notify: the server ends connections the way a plain one does
  // (a FIN), which the client's idle check sees at once.
  if (ssl_ != nullptr) SSL_free(ssl_);
  ERR_clear_error();
}

bool ServerConnection::Open() {
  if (ssl_ == nullptr) return true;
  if (SSL_set_fd(ssl_, fd_) != 1 || SSL_accept(ssl_) != 1) {
    ERR_clear_error();
    return false;
  }
  return true;
}

size_t ServerConnection::Receive(char* buffer, size_t size) {
  while (true) {
    if (ssl_ != nullptr) {
      int chunk = static_cast<int>(std::min<size_t>(size, INT_MAX));
      int received = SSL_read(ssl_, buffer, chunk);
      if (received > 0) return static_cast<size_t>(received);
      if (SSL_get_error(ssl_, received) == SSL_ERROR_SYSCALL && errno == EINTR) continue;
      ERR_clear_error();
      return 0;
    }
    ssize_t received = ::recv(fd_, buffer, size, 0);
    if (received > 0) return static_cast<size_t>(received);
    if (received < 0 && errno == EINTR) continue;
    return 0;
  }
}

bool ServerConnection::Send(std::string_view head, std::string_view body) {
  if (ssl_ != nullptr) return SendAllTls(ssl_, head) && SendAllTls(ssl_, body);
  return SendAllPlain(fd_, {iovec{const_cast<char*>(head.data()), head.size()},
                            iovec{const_cast<char*>(body.data()), body.size()}});
}

// Not const: it changes how the connection closes (the socket is its state).
void ServerConnection::ResetOnClose() {  // NOLINT(readability-make-member-function-const)
  linger abort_on_close{.l_onoff = 1, .l_linger = 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
}

}  // namespace silverwork::simulator
