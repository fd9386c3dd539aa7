// Workers: the connections a command's nodes run on. A Worker is one
// connection, timed (so the run can report the engine's share of its time),
// with the Materializer that drives it. A WorkerPool opens them for one
// command: the command's own connection and up to `threads - 1` peers
// (Warehouse::OpenPeer; fewer when the engine cannot share the warehouse),
// every one tuned for bulk building for as long as the pool lives, and the
// engine's background maintenance moved off their commits meanwhile.
//
// A Worker is used by one thread at a time; the pool is not thread-safe.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "common/clock.h"
#include "transform/materializations/materializer.h"
#include "transform/runner/timed_warehouse.h"
#include "warehouse/session_settings.h"
#include "warehouse/warehouse.h"

namespace silverwork::transform {

struct Worker {
  // `concurrent`: other workers build at the same time.
  Worker(int number, Warehouse& connection, Clock& clock, bool concurrent)
      : id(number), warehouse(connection, clock), materializer(warehouse, concurrent) {}
  int id;  // 1..threads
  TimedWarehouse warehouse;
  Materializer materializer;
};

class WorkerPool {
 public:
  // REQUIRES: `main` and `clock` outlive the pool; threads >= 1.
  WorkerPool(Warehouse& main, int threads, Clock& clock);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // At least one; the first runs on `main`.
  std::span<Worker* const> workers() const { return worker_list_; }

 private:
  // Declared in the order they are set up, so they are put back in reverse.
  TunedSession tuned_main_;
  std::unique_ptr<BackgroundWork> maintenance_;
  std::vector<std::unique_ptr<Warehouse>> peers_;
  std::vector<std::unique_ptr<TunedSession>> tuned_peers_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<Worker*> worker_list_;
};

}  // namespace silverwork::transform
