#include "transform/run_results.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace silverwork::transform {

const char* NodeStatusName(NodeStatus status) {
  switch (status) {
    case NodeStatus::kSuccess:
      return "success";
    case NodeStatus::kError:
      return "error";
    case NodeStatus::kSkipped:
      return "skipped";
    case NodeStatus::kPass:
      return "pass";
    case NodeStatus::kFail:
      return "fail";
    case NodeStatus::kWarn:
      return "warn";
  }
  return "error";
}

bool RunResults::ok() const {
  return Count(NodeStatus::kError) == 0 && Count(NodeStatus::kFail) == 0;
}

int RunResults::Count(NodeStatus status) const {
  int count = 0;
  for (const NodeResult& node : nodes) count += node.status == status ? 1 : 0;
  return count;
}

const NodeResult* RunResults::Find(const std::string& unique_id) const {
  for (const NodeResult& node : nodes)
    if (node.unique_id == unique_id) return &node;
  return nullptr;
}

std::string RunResults::Summary() const {
  std::string counts;
  for (NodeStatus status : {NodeStatus::kSuccess, NodeStatus::kPass, NodeStatus::kWarn,
                            NodeStatus::kFail, NodeStatus::kError, NodeStatus::kSkipped}) {
    int count = Count(status);
    if (count == 0) continue;
    counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", count, NodeStatusName(status));
  }
  std::string out =
      fmt::format("{} finished in {:.2f}s: {} node{}{}{}", command, elapsed_seconds, nodes.size(),
                  nodes.size() == 1 ? "" : "s", counts.empty() ? "" : ": ", counts);
  for (NodeStatus status : {NodeStatus::kError, NodeStatus::kFail, NodeStatus::kWarn}) {
    for (const NodeResult& node : nodes) {
      if (node.status != status) continue;
      out += fmt::format("\n  {} {} ({}): {}", NodeStatusName(status), node.unique_id, node.path,
                         node.message);
    }
  }
  int up_to_date = static_cast<int>(
      std::count_if(nodes.begin(), nodes.end(), [](const NodeResult& n) { return n.up_to_date; }));
  if (up_to_date > 0)
    out += fmt::format("\n  {} node{} up to date (nothing they read changed), not run again",
                       up_to_date, up_to_date == 1 ? "" : "s");
  int skipped = Count(NodeStatus::kSkipped);
  if (skipped > 0) out += fmt::format("\n  {} node{} skipped", skipped, skipped == 1 ? "" : "s");
  return out;
}

nlohmann::json ToJson(const RunResults& results) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const NodeResult& node : results.nodes) {
    nodes.push_back({
        {"unique_id", node.unique_id},
        {"resource_type", node.resource_type},
        {"path", node.path},
        {"status", NodeStatusName(node.status)},
        {"message", node.message},
        {"timing",
         {{"started_seconds", node.started_seconds},
          {"compile_seconds", node.compile_seconds},
          {"execute_seconds", node.execute_seconds}}},
        {"thread_id", node.thread > 0 ? nlohmann::json(fmt::format("Thread-{}", node.thread))
                                      : nlohmann::json(nullptr)},
        {"execution_time", node.compile_seconds + node.execute_seconds},
        {"rows_affected",
         node.rows_affected ? nlohmann::json(*node.rows_affected) : nlohmann::json(nullptr)},
        {"compiled_path",
         node.compiled_path.empty() ? nlohmann::json(nullptr) : nlohmann::json(node.compiled_path)},
        {"up_to_date", node.up_to_date},
    });
  }
  return {
      {"metadata",
       {{"command", results.command},
        {"run_id", results.run_id},
        {"generated_at", results.generated_at}}},
      {"elapsed_time", results.elapsed_seconds},
      {"engine_time", results.engine_seconds},
      {"success", results.ok()},
      {"results", std::move(nodes)},
  };
}

}  // namespace silverwork::transform
