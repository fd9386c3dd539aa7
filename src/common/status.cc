#include "common/status.h"

namespace silverwork {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kInvalidInput: return "invalid input";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kIO: return "io";
    case ErrorCode::kNetwork: return "network";
    case ErrorCode::kRemote: return "remote service";
    case ErrorCode::kAuth: return "access";
    case ErrorCode::kQuotaExhausted: return "quota exhausted";
    case ErrorCode::kRateLimited: return "rate limited";
    case ErrorCode::kGone: return "endpoint gone";
    case ErrorCode::kCorrupt: return "corrupt data";
    case ErrorCode::kDatabase: return "database";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kCancelled: return "cancelled";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_, hint_);
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out = std::string(ErrorCodeName(code_)) + ": " + message_;
  if (!hint_.empty()) out += " (hint: " + hint_ + ")";
  return out;
}

std::string Status::ToUserMessage() const {
  if (ok()) return "ok";
  std::string out = "error: " + message_;
  if (!hint_.empty()) out += "\n  to fix: " + hint_;
  return out;
}

}  // namespace silverwork
