#include "simulator/faults.h"

#include "simulator/synthetic_random.h"

namespace silverwork::simulator {
namespace {

constexpr uint64_t kFaultSalt = 0xfa01'75;

// Independent draws per call, one salt each.
enum Roll : uint64_t {
  kJitter = 1,
  kReset,
  kHang,
  kHttp500,
  kHttp503,
  kError,
  kErrorPick,
  kMalformed,
  kTruncated,
  kDamageSeed
};

// A fault hits the first `first_n` calls of an epoch, then at `rate`.
struct RateRule {
  int64_t SimulatorFaultOptions::*first_n;
  double SimulatorFaultOptions::*rate;
  Roll roll;
  TransportFault fault;
};
// In order of precedence: a reset or hang leaves nothing else to see.
constexpr RateRule kTransportRules[] = {
    {&SimulatorFaultOptions::reset_first_n, &SimulatorFaultOptions::reset_rate, kReset,
     TransportFault::kReset},
    {&SimulatorFaultOptions::hang_first_n, &SimulatorFaultOptions::hang_rate, kHang,
     TransportFault::kHang},
    {&SimulatorFaultOptions::http500_first_n, &SimulatorFaultOptions::http500_rate, kHttp500,
     TransportFault::kHttp500},
    {&SimulatorFaultOptions::http503_first_n, &SimulatorFaultOptions::http503_rate, kHttp503,
     TransportFault::kHttp503},
};

}  // namespace

FaultInjector::FaultInjector(uint64_t seed, Clock& clock, const SimulatorFaultOptions& faults)
    : seed_(seed), clock_(clock), epoch_(std::make_shared<Epoch>(faults)) {}

void FaultInjector::Set(const SimulatorFaultOptions& faults) {
  auto epoch = std::make_shared<Epoch>(faults);
  std::lock_guard lock(mutex_);
  epoch_ = std::move(epoch);
}

std::shared_ptr<FaultInjector::Epoch> FaultInjector::CurrentEpoch() {
  std::lock_guard lock(mutex_);
  return epoch_;
}

FaultDraw FaultInjector::Draw() {
  std::shared_ptr<Epoch> epoch = CurrentEpoch();
  const SimulatorFaultOptions& options = epoch->options;
  int64_t call = epoch->calls.fetch_add(1);
  uint64_t call_hash = Hash({seed_, kFaultSalt, static_cast<uint64_t>(call)});
  auto unit = [call_hash](Roll roll) { return UnitFromBits(Hash({call_hash, roll})); };
  auto hits = [&](int64_t first_n, double rate, Roll roll) {
    return call < first_n || (rate > 0 && unit(roll) < rate);
  };

  FaultDraw draw;
  draw.delay = options.latency;
  if (options.latency_jitter.count() > 0) {
    draw.delay += std::chrono::milliseconds(
        static_cast<int64_t>(unit(kJitter) * static_cast<double>(options.latency_jitter.count())));
  }
  for (const RateRule& rule : kTransportRules) {
    if (hits(options.*rule.first_n, options.*rule.rate, rule.roll)) {
      draw.transport = rule.fault;
      break;
    }
  }
  draw.hang = options.hang;
  draw.endpoint_gone = options.endpoint_gone;
  if (!options.error_codes.empty() && hits(options.error_first_n, options.error_rate, kError)) {
    size_t pick = Hash({call_hash, kErrorPick}) % options.error_codes.size();
    draw.error_code = options.error_codes[pick];
  }
  if (hits(options.malformed_first_n, options.malformed_rate, kMalformed)) {
    draw.damage = BodyDamage::kMalformed;
  } else if (hits(options.truncated_first_n, options.truncated_rate, kTruncated)) {
    draw.damage = BodyDamage::kTruncated;
  }
  draw.damage_seed = Hash({call_hash, kDamageSeed});
  return draw;
}

std::string FaultInjector::Admit(Operation operation, Date today) {
  std::shared_ptr<Epoch> epoch = CurrentEpoch();
  const SimulatorFaultOptions& options = epoch->options;
  if (options.per_second_limit <= 0 && options.daily_quota <= 0) return {};
  std::lock_guard lock(epoch->mutex);
  if (options.per_second_limit > 0) {
    int64_t second =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.Monotonic().time_since_epoch())
            .count();
    if (second != epoch->second) {
      epoch->second = second;
      epoch->calls_this_second = 0;
    }
    if (++epoch->calls_this_second > options.per_second_limit) return "23";
  }
  if (options.daily_quota > 0) {
    int64_t& used = epoch->calls_per_day[{operation, today.DaysSinceEpoch()}];
    if (used >= options.daily_quota) return "22";
    ++used;
  }
  return {};
}

ProjectsDocumentFault FaultInjector::DocumentFault() {
  return CurrentEpoch()->options.document_fault;
}

}  // namespace silverwork::simulator
