#include "transform/runner/change_tracker.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <span>

#include "transform/runner/run_context.h"

namespace silverwork::transform {

ChangeTracker::ChangeTracker(RunContext& context, BuildState state)
    : context_(context), manifest_(context.manifest()), state_(std::move(state)) {}

Result<std::string> ChangeTracker::ModelInputs(const Node& node, std::string full_sql,
                                               Worker& worker) {
  if (full_sql.empty()) {
    SW_ASSIGN_OR_RETURN(full_sql, context_.Compile(node, false));
  }
  if (IsNonDeterministic(full_sql)) return std::string();
  nlohmann::json config = {{"materialized", MaterializationName(node.config.materialized)},
                           {"unique_key", node.config.unique_key},
                           {"indexes", node.config.indexes}};
  return Fingerprint({config.dump(), full_sql, ParentVersions(node, worker)});
}

Result<bool> ChangeTracker::UpToDate(const Node& node, const std::string& inputs, Worker& worker) {
  if (inputs.empty()) return false;
  std::optional<RelationState> known = state_.Relation(node.relation);
  if (!known || known->inputs != inputs) return false;
  SW_ASSIGN_OR_RETURN(RelationKind kind, worker.materializer.KindOf(node.relation));
  bool view =
      node.kind == ResourceKind::kModel && node.config.materialized == Materialization::kView;
  return kind == (view ? RelationKind::kView : RelationKind::kTable);
}

void ChangeTracker::MarkUpToDate(const Node& node, NodeResult& result) const {
  std::optional<RelationState> known = state_.Relation(node.relation);
  result.status = NodeStatus::kSuccess;
  result.up_to_date = true;
  result.message = fmt::format("up to date: nothing it reads changed since run {}",
                               known ? known->run_id : std::string("?"));
}

std::optional<RelationState> ChangeTracker::Relation(const Node& node) const {
  return state_.Relation(node.relation);
}

Status ChangeTracker::Forget(const Node& node, Worker& worker) {
  return state_.Forget(worker.warehouse, node.relation);
}

void ChangeTracker::RecordBuilt(const Node& node, const std::string& inputs,
                                const std::optional<RelationState>& previous,
                                const BuildOutcome& built, NodeResult& result, Worker& worker) {
  LearnRows(node, previous, built);
  RelationState state{.version = NewVersion(node), .inputs = inputs, .run_id = context_.run_id()};
  if (built.merge) {
    const MergeInfo& merge = *built.merge;
    bool unchanged = merge.inserted == 0 && merge.replaced == 0 && !merge.columns_added;
    if (unchanged && previous) {
      state.version = previous->version;
      state.merged = previous->merged;
      state.base_version = previous->base_version;
      state.merge_key = previous->merge_key;
    } else if (!merge.columns_added) {
      state.merged = true;
      state.base_version = previous ? previous->version : std::string();
      state.merge_key = node.config.unique_key;
    }
    if (!merge.increment.empty()) {
      if (state.merged && !unchanged) {
        std::lock_guard lock(mutex_);
        increments_[node.index] = {merge.increment, merge.inserted};
      } else {
        (void)worker.materializer.DropTableIfExists(merge.increment);
      }
    }
  }
  Status recorded = state_.Record(worker.warehouse, node.relation, std::move(state));
  if (!recorded.ok()) {
    result.status = NodeStatus::kError;
    result.message +=
        "; recording it in " + std::string(kRelationStateTable) + " failed: " + recorded.message();
  }
}

TestState ChangeTracker::TestInputs(const Node& node, const std::string& sql, Worker& worker) {
  TestState now{.sql_hash = Fingerprint({sql}), .run_id = context_.run_id()};
  for (int parent : node.parents)
    now.inputs[manifest_.node(parent).unique_id] = Version(parent, worker);
  return now;
}

std::optional<TestState> ChangeTracker::LastPass(const Node& node) const {
  return state_.Test(node.unique_id);
}

std::optional<MergedIncrement> ChangeTracker::IncrementToTest(const Node& node,
                                                              const TestState& last,
                                                              const TestState& now) {
  if (!node.generic_test || node.tested.size() != 1) return std::nullopt;
  const GenericTest& test = *node.generic_test;
  int tested = node.tested.front();
  std::lock_guard lock(mutex_);
  auto increment = increments_.find(tested);
  if (increment == increments_.end()) return std::nullopt;
  auto last_version = [&](int index) {
    auto found = last.inputs.find(manifest_.node(index).unique_id);
    return found == last.inputs.end() ? std::string() : found->second;
  };
  auto merged_once_on = [&](int index, std::span<const std::string> key) {
    std::optional<RelationState> state = state_.Relation(manifest_.node(index).relation);
    return state && state->merged && !state->base_version.empty() &&
           state->base_version == last_version(index) &&
           (key.empty() || SameColumns(state->merge_key, key));
  };
  const std::vector<std::string> field = {test.field};
  bool self_reference = test.kind == "relationships" && test.to_node == tested;
  if (!merged_once_on(tested, self_reference ? std::span<const std::string>(field)
                                             : std::span<const std::string>()))
    return std::nullopt;
  for (int parent : node.parents) {
    if (parent == tested) continue;
    const std::string& id = manifest_.node(parent).unique_id;
    auto current = now.inputs.find(id);
    if (current != now.inputs.end() && !current->second.empty() &&
        current->second == last_version(parent))
      continue;
    if (test.kind == "relationships" && parent == test.to_node && merged_once_on(parent, field))
      continue;
    return std::nullopt;
  }
  return increment->second;
}

void ChangeTracker::RecordTest(const Node& node, NodeResult& result, TestState now,
                               Worker& worker) {
  bool known = std::none_of(now.inputs.begin(), now.inputs.end(),
                            [](const auto& input) { return input.second.empty(); });
  Status status = result.status == NodeStatus::kPass && known
                      ? state_.RecordTest(worker.warehouse, node.unique_id, std::move(now))
                      : state_.ForgetTest(worker.warehouse, node.unique_id);
  if (!status.ok()) {
    result.status = NodeStatus::kError;
    result.message +=
        "; recording it in " + std::string(kTestStateTable) + " failed: " + status.message();
  }
}

void ChangeTracker::DropIncrements(Worker& worker) {
  for (const auto& [index, increment] : increments_)
    (void)worker.materializer.DropTableIfExists(increment.table);
  increments_.clear();
}

std::string ChangeTracker::NewVersion(const Node& node) {
  std::lock_guard lock(mutex_);
  return Fingerprint({context_.run_id(), node.unique_id, std::to_string(random_())});
}

std::string ChangeTracker::ParentVersions(const Node& node, Worker& worker) {
  std::string lines;
  for (int parent : node.parents)
    lines += manifest_.node(parent).unique_id + "=" + Version(parent, worker) + "\n";
  return lines;
}

std::string ChangeTracker::Version(int index, Worker& worker) {
  const Node& node = manifest_.node(index);
  bool derived = node.kind == ResourceKind::kSource ||
                 (node.kind == ResourceKind::kModel &&
                  (node.config.materialized == Materialization::kView || IsEphemeral(node)));
  if (!derived) {
    std::optional<RelationState> known = state_.Relation(node.relation);
    return known ? known->version : std::string();
  }
  std::lock_guard lock(mutex_);
  if (auto cached = versions_.find(index); cached != versions_.end()) return cached->second;
  std::string version;
  if (node.kind == ResourceKind::kSource) {
    version = SourceVersion(node, worker);
  } else {
    auto sql = context_.Compile(node, false);
    version = !sql.ok() || IsNonDeterministic(*sql)
                  ? NewVersion(node)
                  : Fingerprint({node.unique_id, *sql, ParentVersions(node, worker)});
  }
  versions_[index] = version;
  return version;
}

std::string ChangeTracker::SourceVersion(const Node& node, Worker& worker) {
  const std::string& loaded_at = node.source_table->loaded_at_field;
  if (loaded_at.empty()) return NewVersion(node);
  std::string version;
  Status status = worker.warehouse.Query(
      fmt::format("SELECT count(*), max({}) FROM {}", loaded_at, context_.RelationSql(node)), {},
      [&](const Row& row) {
        version = fmt::format("{}|{}", ValueToString(row.at(0)), ValueToString(row.at(1)));
        if (const auto* rows = std::get_if<int64_t>(&row.at(0)))
          learnt_rows_[node.index] = {.rows = *rows};
        return Status::Ok();
      });
  return status.ok() && !version.empty() ? version : NewVersion(node);
}

std::string ChangeTracker::RowsVersion(const Node& node, Worker& worker) {
  return Version(node.index, worker);
}

std::optional<LearntRowCount> ChangeTracker::LearntRows(const Node& node) {
  std::lock_guard lock(mutex_);
  auto found = learnt_rows_.find(node.index);
  return found == learnt_rows_.end() ? std::nullopt : std::optional(found->second);
}

void ChangeTracker::LearnRows(const Node& node, const std::optional<RelationState>& previous,
                              const BuildOutcome& built) {
  std::optional<LearntRowCount> learnt;
  if (built.table_rows) {
    learnt = LearntRowCount{.rows = built.table_rows};
  } else if (built.rows_added && previous && !previous->version.empty()) {
    learnt = LearntRowCount{.base_version = previous->version, .added = *built.rows_added};
  }
  std::lock_guard lock(mutex_);
  if (learnt) {
    learnt_rows_[node.index] = *learnt;
  } else {
    learnt_rows_.erase(node.index);
  }
}

}  // namespace silverwork::transform
