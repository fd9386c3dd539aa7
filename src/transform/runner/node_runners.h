// How each kind of node runs on a worker: one function per kind, each in a
// file of its own (model_node.cc, seed_node.cc, snapshot_node.cc,
// test_node.cc, freshness_node.cc), and RunNode choosing among them.
//
// A node runner compiles the node (writing the SQL under compiled/), asks
// the ChangeTracker whether it may be left alone, builds or tests it
// through its worker's connection, and fills the NodeResult: failures are
// results (status error, fail or warn), never errors of the run.
//
// Thread-safe: several workers run nodes at once, each on its own
// connection; what they share is in the RunContext.
#pragma once

#include <string>

#include "common/status.h"
#include "transform/data_tests/data_tests.h"
#include "transform/materializations/materializer.h"
#include "transform/project/manifest.h"
#include "transform/run_results.h"
#include "transform/runner/run_context.h"
#include "transform/runner/workers.h"

namespace silverwork::transform {

// Runs the node at `index` on `worker`.
NodeResult RunNode(RunContext& context, int index, Worker& worker);

void RunModel(RunContext& context, const Node& node, NodeResult& result, Worker& worker);
void RunSeed(RunContext& context, const Node& node, NodeResult& result, Worker& worker);
void RunSnapshot(RunContext& context, const Node& node, NodeResult& result, Worker& worker);
void RunTest(RunContext& context, const Node& node, NodeResult& result, Worker& worker);
void RunFreshness(RunContext& context, const Node& node, NodeResult& result, Worker& worker);

// --- Steps the node runners share.

// A result naming `node`, before anything about how it went.
NodeResult ResultFor(const Node& node);
// Marks `result` failed with `status`, the message located in the node's file.
void Fail(const Node& node, NodeResult& result, const Status& status);
// Fills `result` from a build (or marks it failed).
void Finish(const Node& node, NodeResult& result, const Result<BuildOutcome>& built);
// Appends the outcome of a test or freshness check to the audit table; a
// failure to record turns `result` into an error.
void Audit(const RunContext& context, const Node& node, const TestOutcome& outcome,
           NodeResult& result, Worker& worker);

}  // namespace silverwork::transform
