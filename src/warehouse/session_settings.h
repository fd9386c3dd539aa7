// Connection settings for a kind of work (EngineTraits::SessionSettings):
// ApplySessionSettings tunes a connection for the rest of its life (the API
// server's readers); a TunedSession tunes one for a span and puts the
// connection's own values back when it ends (the model runner's commands).
//
// Each object drives one connection: not thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "warehouse/engine_traits.h"
#include "warehouse/warehouse.h"

namespace silverwork {

// Applies the engine's settings for `workload` to `warehouse`. An error
// when the engine refuses one.
Status ApplySessionSettings(Warehouse& warehouse, Workload workload);

// Applies the settings for `workload` and puts the values it found back
// when destroyed (or on Restore()). A setting the engine refuses is logged
// and skipped: tuning must never fail a run.
class TunedSession {
 public:
  // REQUIRES: `warehouse` outlives this object.
  TunedSession(Warehouse& warehouse, Workload workload);
  ~TunedSession() { Restore(); }
  TunedSession(const TunedSession&) = delete;
  TunedSession& operator=(const TunedSession&) = delete;

  void Restore();

 private:
  Warehouse& warehouse_;
  // Settings changed, with the value each had before.
  std::vector<std::pair<std::string_view, std::string>> previous_;
};

}  // namespace silverwork
