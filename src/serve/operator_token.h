// OperatorToken: who may write through the API. The write endpoints
// (trigger, clear, backfill, pause, unpause) need `Authorization: Bearer
// <token>` matching the token `silverwork serve` was given (from
// SILVERWORK_API_TOKEN or [serve] api_token_file; common/config.h). Without
// a configured token every write is refused; read endpoints never ask.
//
// The comparison takes the same time whatever the presented token shares
// with the real one, so timing reveals nothing of it. The token is a secret:
// it is never logged or echoed, and the type has no accessor for it.
//
// Immutable after construction; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace silverwork::serve {

enum class TokenCheck {
  kAllowed,        // the bearer token matches
  kNotConfigured,  // no token configured: writes are off (403)
  kMissing,        // no "Authorization: Bearer ..." header (401)
  kWrong,          // a bearer token that does not match (401)
};

class OperatorToken {
 public:
  // An empty token: writes are off.
  explicit OperatorToken(std::string token) : token_(std::move(token)) {}

  bool configured() const { return !token_.empty(); }
  // `authorization` is the request's Authorization header ("" when absent).
  TokenCheck Check(std::string_view authorization) const;

 private:
  std::string token_;
};

// Whether `presented` equals `secret`, in time that depends only on
// presented's length. REQUIRES: secret is not empty.
bool ConstantTimeEquals(std::string_view presented, std::string_view secret);

}  // namespace silverwork::serve
