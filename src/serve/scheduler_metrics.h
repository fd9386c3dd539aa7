// The scheduler's figures for GET /metrics, in the Prometheus text format:
// runs by pipeline and state, how long tries ran (a histogram by pipeline
// and task), deferrals (tries stopped by the spent daily quota, and tasks
// waiting for it now), and alert deliveries and failures by sink (from the
// alert outbox). Read from the warehouse at each scrape through
// SchedulerStore and AlertOutbox, so they are right whichever process
// changed the state.
//
// A free function over one connection (not thread-safe, like the Warehouse).
#pragma once

#include <array>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "warehouse/warehouse.h"

namespace silverwork::serve {

// Upper bounds of the task duration histogram's buckets, in seconds.
inline constexpr std::array<double, 11> kTaskDurationBuckets = {1,   5,    15,   30,    60,   300,
                                                                900, 1800, 3600, 10800, 21600};

// "" for a warehouse the scheduler never ran on.
Result<std::string> SchedulerFigures(Warehouse& warehouse, Clock& clock);

}  // namespace silverwork::serve
