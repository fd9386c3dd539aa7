// FaultInjector: decides, call by call, which fault of SimulatorFaultOptions
// a request suffers. Rates are drawn by hashing (seed, call number), so a
// single-threaded caller sees the same faults on every run; quota and
// per-second limits count calls. Thread-safe: Draw/Admit/Set may race.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "common/clock.h"
#include "common/date.h"
#include "simulator/simulator.h"

namespace silverwork::simulator {

enum class Operation { kList, kDetail, kProjects };

// How the connection or the HTTP layer fails, before any service logic.
enum class TransportFault { kNone, kReset, kHang, kHttp500, kHttp503 };
// How a rendered body is damaged on its way out.
enum class BodyDamage { kNone, kTruncated, kMalformed };

struct FaultDraw {
  std::chrono::milliseconds delay{0};
  TransportFault transport = TransportFault::kNone;
  std::chrono::milliseconds hang{0};
  bool endpoint_gone = false;
  std::string error_code;  // a service error to answer instead of data; empty: none
  BodyDamage damage = BodyDamage::kNone;
  uint64_t damage_seed = 0;  // varies how a malformed body is broken

  bool any_fault() const {
    return transport != TransportFault::kNone || endpoint_gone || !error_code.empty() ||
           damage != BodyDamage::kNone;
  }
};

class FaultInjector {
 public:
  FaultInjector(uint64_t seed, Clock& clock, const SimulatorFaultOptions& faults);

  // Starts a new epoch (see SimulatorFaultOptions).
  void Set(const SimulatorFaultOptions& faults);

  // The stateless part of the faults for the next call.
  FaultDraw Draw();
  // The counting part, for a call that passed the key check: "23" when over
  // the per-second limit, "22" when `operation`'s quota for `today` is spent,
  // else empty. Calls refused here do not count against the quota.
  std::string Admit(Operation operation, Date today);
  // What the OpenAPI document route answers in the current epoch.
  ProjectsDocumentFault DocumentFault();

 private:
  struct Epoch {
    explicit Epoch(SimulatorFaultOptions options_in) : options(std::move(options_in)) {}
    const SimulatorFaultOptions options;
    std::atomic<int64_t> calls{0};
    std::mutex mutex;  // guards the counters below
    int64_t second = -1;
    int64_t calls_this_second = 0;
    std::map<std::pair<Operation, int64_t>, int64_t> calls_per_day;
  };
  std::shared_ptr<Epoch> CurrentEpoch();

  const uint64_t seed_;
  Clock& clock_;
  std::mutex mutex_;
  std::shared_ptr<Epoch> epoch_;
};

}  // namespace silverwork::simulator
