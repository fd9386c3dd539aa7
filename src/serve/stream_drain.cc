#include "serve/stream_drain.h"

namespace silverwork::serve {

std::shared_ptr<void> StreamDrain::Enter() {
  std::lock_guard lock(mutex_);
  if (closed_) return nullptr;
  ++streaming_;
  // Any non-null pointer: the deleter is what counts.
  return std::shared_ptr<void>(this, [](StreamDrain* drain) { drain->Leave(); });
}

bool StreamDrain::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

void StreamDrain::CloseAndWait() {
  std::unique_lock lock(mutex_);
  closed_ = true;
  all_left_.wait(lock, [&] { return streaming_ == 0; });
}

void StreamDrain::Leave() {
  {
    std::lock_guard lock(mutex_);
    --streaming_;
  }
  all_left_.notify_all();
}

}  // namespace silverwork::serve
