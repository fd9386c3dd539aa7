// Pointing a config's sources at a silverwork simulator.
//
// A collection with no service key and no base URL configured starts the
// built-in simulator for itself (CollectionRun). `silverwork standalone`
// instead starts ONE simulator for the whole system and names it in the
// environment, SILVERWORK_SIMULATOR_URL, so that every task process the
// scheduler starts (each loads the config afresh) collects from that one
// simulator — the same postings, the same "today" — with its demo key.
// The variable wins over the config's base URLs and key when set.
//
// Pure functions of their arguments and the environment; thread-safe.
#pragma once

#include <string>

#include "common/config.h"
#include "common/status.h"

namespace silverwork {

inline constexpr char kSimulatorUrlVariable[] = "SILVERWORK_SIMULATOR_URL";

// Every source of `config` at the simulator serving `base_url` (no trailing
// slash), with the simulator's demo key and no rate limits (the simulator
// has no quota to wait for).
void PointAtSimulator(Config& config, const std::string& base_url);

// PointAtSimulator(config, $SILVERWORK_SIMULATOR_URL) when it is set; an
// error naming the variable when it is not an http(s) URL on a host.
Status ApplySimulatorEnvironment(Config& config);

}  // namespace silverwork
