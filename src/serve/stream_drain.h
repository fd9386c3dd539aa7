// StreamDrain: the responses still streaming after their handler returned
// (the CSV export), counted so that stopping the server can wait for them.
// cpp-httplib's stop() ends a streamed response at its next chunk, so the
// server closes the drain first — new requests are refused from then on —
// waits until every stream has ended, and only then stops the listener.
//
// Thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>

namespace silverwork::serve {

class StreamDrain {
 public:
  StreamDrain() = default;
  StreamDrain(const StreamDrain&) = delete;
  StreamDrain& operator=(const StreamDrain&) = delete;

  // A ticket held by one streaming response until it ends (the response's
  // content provider owns it); null once the drain is closed.
  std::shared_ptr<void> Enter();
  bool closed() const;
  // Refuses new tickets and blocks until every ticket was released.
  void CloseAndWait();

 private:
  void Leave();

  mutable std::mutex mutex_;
  std::condition_variable all_left_;
  int streaming_ = 0;
  bool closed_ = false;
};

}  // namespace silverwork::serve
