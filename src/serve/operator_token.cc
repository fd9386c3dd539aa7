#include "serve/operator_token.h"

#include <cctype>

namespace silverwork::serve {

bool ConstantTimeEquals(std::string_view presented, std::string_view secret) {
  // Every byte of the presented token is compared (against the secret
  // repeated), so neither an early exit nor the secret's length shows.
  unsigned char difference = presented.size() == secret.size() ? 0 : 1;
  for (size_t index = 0; index < presented.size(); ++index) {
    difference |= static_cast<unsigned char>(presented[index]) ^
                  static_cast<unsigned char>(secret[index % secret.size()]);
  }
  // Keep the compiler from turning the loop into an early exit.
  volatile unsigned char result = difference;
  return result == 0;
}

TokenCheck OperatorToken::Check(std::string_view authorization) const {
  if (!configured()) return TokenCheck::kNotConfigured;
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return TokenCheck::kMissing;
  for (size_t index = 0; index < kScheme.size(); ++index) {
    if (std::tolower(static_cast<unsigned char>(authorization[index])) != kScheme[index])
      return TokenCheck::kMissing;
  }
  std::string_view presented = authorization.substr(kScheme.size());
  while (!presented.empty() && presented.front() == ' ') presented.remove_prefix(1);
  while (!presented.empty() && presented.back() == ' ') presented.remove_suffix(1);
  if (presented.empty()) return TokenCheck::kMissing;
  return ConstantTimeEquals(presented, token_) ? TokenCheck::kAllowed : TokenCheck::kWrong;
}

}  // namespace silverwork::serve
