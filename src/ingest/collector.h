// What every collector needs from the run that drives it, and what it
// reports back. The CLI builds one CollectorEnvironment per run.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "http/http_client.h"
#include "lake/lake.h"
#include "sources/datagokr_client.h"
#include "sources/rate_budget.h"
#include "warehouse/warehouse.h"

namespace silverwork {

using HttpClientFactory = std::function<std::unique_ptr<HttpClient>()>;

// Borrowed references; all must outlive the collector. Only the collector's
// own thread touches `warehouse`; workers use the clients and the sink.
struct CollectorEnvironment {
  Warehouse& warehouse;
  LakeWriter& lake;
  ResponseSink& sink;  // lands responses in `lake`
  const ServiceKey& key;
  Clock& clock;
  HttpClientFactory http_factory;
  std::string run_id;
};

// Persists today's call counts for the budget's operations as state, so
// separate runs on one day share one quota. Call inside a transaction.
Status SaveBudgetUsage(Warehouse& warehouse, RateBudget& budget,
                       std::initializer_list<std::string_view> operations);
Status LoadBudgetUsage(Warehouse& warehouse, RateBudget& budget,
                       std::initializer_list<std::string_view> operations);

}  // namespace silverwork
