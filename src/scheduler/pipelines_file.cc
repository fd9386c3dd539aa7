// Reading pipelines.yml into PipelinesFile, with errors that name the file,
// the line and what to write.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "scheduler/duration.h"
#include "scheduler/pipelines.h"
#include "transform/project/suggest.h"

namespace silverwork::scheduler {
namespace {

using std::chrono::seconds;

const std::vector<std::string> kTopKeys{"pipelines"};
const std::vector<std::string> kPipelineKeys{
    "description", "schedule",        "timezone", "partitions", "start_date", "end_date",
    "catchup",     "max_active_runs", "deadline", "paused",     "tasks"};
const std::vector<std::string> kPartitionKeys{"by", "timezone"};
const std::vector<std::string> kCommonTaskKeys{
    "kind",        "description",   "after",           "retries",
    "retry_delay", "retry_backoff", "max_retry_delay", "timeout"};
const std::vector<std::string> kCollectPostingsKeys{"days", "skip_details"};
const std::vector<std::string> kSelectorKeys{"select", "exclude", "full_refresh"};

// The kinds pipelines.yml accepts, and the keys each takes besides the
// common ones.
struct KindEntry {
  TaskKind kind;
  const std::vector<std::string>* extra_keys;
};
const std::vector<std::string> kNoKeys{};
const std::array<KindEntry, 9> kKinds{{
    {TaskKind::kCollectPostings, &kCollectPostingsKeys},
    {TaskKind::kCollectProjects, &kNoKeys},
    {TaskKind::kDiscoverProjects, &kNoKeys},
    {TaskKind::kBuild, &kSelectorKeys},
    {TaskKind::kTest, &kSelectorKeys},
    {TaskKind::kRun, &kSelectorKeys},
    {TaskKind::kSnapshot, &kSelectorKeys},
    {TaskKind::kReload, &kNoKeys},
    {TaskKind::kDocs, &kNoKeys},
}};

bool Present(const YAML::Node& node) { return node.IsDefined() && !node.IsNull(); }

bool IsName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && name.front() >= 'a' && name.front() <= 'z' &&
         std::all_of(name.begin(), name.end(), [](char ch) {
           return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
         });
}

// A cycle among tasks, as the path of indexes along `upstream` edges that
// returns to its start (first == last), or nullopt.
std::optional<std::vector<size_t>> FindCycle(const std::vector<std::vector<size_t>>& upstream) {
  enum class Mark { kNew, kOnPath, kDone };
  std::vector<Mark> marks(upstream.size(), Mark::kNew);
  std::vector<size_t> path;
  std::function<std::optional<std::vector<size_t>>(size_t)> visit =
      [&](size_t node) -> std::optional<std::vector<size_t>> {
    marks[node] = Mark::kOnPath;
    path.push_back(node);
    for (size_t next : upstream[node]) {
      if (marks[next] == Mark::kOnPath) {
        std::vector<size_t> cycle(std::find(path.begin(), path.end(), next), path.end());
        cycle.push_back(next);
        return cycle;
      }
      if (marks[next] == Mark::kNew)
        if (auto cycle = visit(next)) return cycle;
    }
    path.pop_back();
    marks[node] = Mark::kDone;
    return std::nullopt;
  };
  for (size_t i = 0; i < upstream.size(); ++i)
    if (marks[i] == Mark::kNew)
      if (auto cycle = visit(i)) return cycle;
  return std::nullopt;
}

// Kahn's algorithm, always taking the first ready task in declaration order.
// REQUIRES: no cycle.
std::vector<size_t> TopologicalOrder(const std::vector<std::vector<size_t>>& upstream) {
  std::vector<size_t> order;
  std::vector<bool> placed(upstream.size(), false);
  while (order.size() < upstream.size()) {
    for (size_t i = 0; i < upstream.size(); ++i) {
      if (placed[i] ||
          !std::all_of(upstream[i].begin(), upstream[i].end(), [&](size_t u) { return placed[u]; }))
        continue;
      placed[i] = true;
      order.push_back(i);
      break;
    }
  }
  return order;
}

// Reads one parsed file; every error is "<path>:<line>: <what>" plus a hint.
class PipelinesReader {
 public:
  PipelinesReader(std::string path, const TimeZoneDatabase& zones)
      : path_(std::move(path)), zones_(zones) {}

  Result<PipelinesFile> Read(const YAML::Node& root) {
    PipelinesFile file;
    file.path = path_;
    if (!root.IsMap())
      return Error(root, "the file must be a mapping with a 'pipelines:' key",
                   "start the file with 'pipelines:' and one entry per pipeline");
    SW_RETURN_IF_ERROR(CheckKeys(root, kTopKeys, "the file"));
    const YAML::Node pipelines = root["pipelines"];
    if (!pipelines.IsDefined() || !pipelines.IsMap() || pipelines.size() == 0)
      return Error(pipelines.IsDefined() ? pipelines : root,
                   "'pipelines:' must map names to pipelines",
                   "write 'pipelines:' followed by indented entries such as 'postings_daily:'");
    for (const auto& entry : pipelines) {
      SW_ASSIGN_OR_RETURN(std::string name, Name(entry.first, "pipeline"));
      SW_ASSIGN_OR_RETURN(PipelineSpec pipeline, Pipeline(name, entry.second));
      pipeline.line = LineOf(entry.first);
      file.pipelines.push_back(std::move(pipeline));
    }
    return file;
  }

 private:
  static int LineOf(const YAML::Node& node) { return node.Mark().line + 1; }

  Status Error(const YAML::Node& node, const std::string& message, const std::string& hint) const {
    int line = node.IsDefined() && node.Mark().line >= 0 ? LineOf(node) : 1;
    return Status(ErrorCode::kInvalidInput, fmt::format("{}:{}: {}", path_, line, message), hint);
  }

  // Unknown keys (with the closest known one) and keys written twice.
  Status CheckKeys(const YAML::Node& map, const std::vector<std::string>& allowed,
                   std::string_view where) const {
    std::set<std::string> seen;
    for (const auto& entry : map) {
      if (!entry.first.IsScalar()) return Error(entry.first, "a key must be a plain name", "");
      const std::string key = entry.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
        return Error(entry.first,
                     fmt::format("unknown key '{}' in {}{}", key, where,
                                 transform::DidYouMean(key, allowed)),
                     fmt::format("allowed keys: {}", fmt::join(allowed, ", ")));
      if (!seen.insert(key).second)
        return Error(entry.first, fmt::format("key '{}' is written twice in {}", key, where),
                     "keep one of them");
    }
    return Status::Ok();
  }

  Result<std::string> Name(const YAML::Node& node, std::string_view what) const {
    if (!node.IsScalar() || !IsName(node.Scalar()))
      return Error(
          node,
          fmt::format("'{}' is not a valid {} name", node.IsScalar() ? node.Scalar() : "", what),
          "names are lower-case letters, digits and '_', starting with a letter "
          "(they appear in paths and URLs), e.g. postings_daily");
    return node.Scalar();
  }

  Result<std::string> Scalar(const YAML::Node& node, std::string_view what) const {
    if (!node.IsScalar()) return Error(node, fmt::format("{} must be a single value", what), "");
    return node.Scalar();
  }

  Result<bool> Bool(const YAML::Node& node, std::string_view what) const {
    SW_ASSIGN_OR_RETURN(std::string text, Scalar(node, what));
    if (text == "true" || text == "True") return true;
    if (text == "false" || text == "False") return false;
    return Error(node, fmt::format("{} is '{}', not true or false", what, text),
                 fmt::format("write {}: true or {}: false", what, what));
  }

  Result<int> Integer(const YAML::Node& node, std::string_view what, int min, int max) const {
    SW_ASSIGN_OR_RETURN(std::string text, Scalar(node, what));
    bool digits =
        !text.empty() && text.size() <= 6 &&
        std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    int value = digits ? std::stoi(text) : -1;
    if (!digits || value < min || value > max)
      return Error(node, fmt::format("{} is '{}'", what, text),
                   fmt::format("write a whole number from {} to {}", min, max));
    return value;
  }

  Result<seconds> Duration(const YAML::Node& node, std::string_view what) const {
    SW_ASSIGN_OR_RETURN(std::string text, Scalar(node, what));
    auto parsed = ParseDuration(text);
    if (!parsed.ok())
      return Error(node, fmt::format("{}: {}", what, parsed.status().message()),
                   parsed.status().hint());
    return *parsed;
  }

  Result<Date> Day(const YAML::Node& node, std::string_view what) const {
    SW_ASSIGN_OR_RETURN(std::string text, Scalar(node, what));
    auto parsed = Date::Parse(text);
    if (!parsed.ok() || text.size() != 10)
      return Error(node, fmt::format("{} '{}' is not a date", what, text),
                   "write the day as YYYY-MM-DD, e.g. 2026-01-01");
    return *parsed;
  }

  Result<std::shared_ptr<const TimeZone>> Zone(const YAML::Node& node,
                                               std::string_view what) const {
    SW_ASSIGN_OR_RETURN(std::string text, Scalar(node, what));
    auto zone = zones_.Find(text);
    if (!zone.ok())
      return Error(node, fmt::format("{}: {}", what, zone.status().message()),
                   zone.status().hint());
    return *zone;
  }

  // A single string or a list of strings.
  Result<std::vector<std::string>> Strings(const YAML::Node& node, std::string_view what) const {
    if (node.IsScalar()) return std::vector<std::string>{node.Scalar()};
    std::vector<std::string> out;
    if (node.IsSequence()) {
      for (const YAML::Node& item : node) {
        SW_ASSIGN_OR_RETURN(std::string text, Scalar(item, what));
        out.push_back(text);
      }
      return out;
    }
    return Error(node, fmt::format("{} must be a name or a list of names", what),
                 fmt::format("write {}: a or {}: [a, b]", what, what));
  }

  Result<PipelineSpec> Pipeline(const std::string& name, const YAML::Node& node);
  Status PipelineSettings(const YAML::Node& node, PipelineSpec& pipeline) const;
  Result<std::optional<DailyPartitions>> Partitions(const YAML::Node& node,
                                                    const PipelineSpec& pipeline) const;
  Result<TaskSpec> Task(const std::string& name, const YAML::Node& node,
                        const PipelineSpec& pipeline) const;
  Status RetrySettings(const YAML::Node& node, RetryPolicy& retry) const;
  Status KindSettings(const YAML::Node& node, TaskSpec& task, const PipelineSpec& pipeline) const;
  Status OrderTasks(const YAML::Node& tasks_node, PipelineSpec& pipeline) const;

  std::string path_;
  const TimeZoneDatabase& zones_;
};

Result<PipelineSpec> PipelinesReader::Pipeline(const std::string& name, const YAML::Node& node) {
  PipelineSpec pipeline;
  pipeline.name = name;
  const std::string where = fmt::format("pipeline '{}'", name);
  if (!node.IsMap())
    return Error(node, fmt::format("{} must be a mapping of settings", where),
                 "indent 'schedule:' and 'tasks:' under the pipeline's name");
  SW_RETURN_IF_ERROR(CheckKeys(node, kPipelineKeys, where));
  SW_RETURN_IF_ERROR(PipelineSettings(node, pipeline));

  const YAML::Node tasks = node["tasks"];
  if (!Present(tasks))
    return Error(node, fmt::format("{} has no 'tasks:'", where),
                 "add 'tasks:' with at least one task, e.g. 'build: {kind: build}'");
  if (!tasks.IsMap() || tasks.size() == 0)
    return Error(tasks, fmt::format("'tasks:' of {} must map task names to tasks", where),
                 "write e.g. 'tasks:' then an indented 'build: {kind: build}'");
  std::set<std::string> seen;
  for (const auto& entry : tasks) {
    SW_ASSIGN_OR_RETURN(std::string task_name, Name(entry.first, "task"));
    if (!seen.insert(task_name).second)
      return Error(entry.first, fmt::format("task '{}' is declared twice in {}", task_name, where),
                   "give each task its own name");
    SW_ASSIGN_OR_RETURN(TaskSpec task, Task(task_name, entry.second, pipeline));
    task.line = LineOf(entry.first);
    pipeline.tasks.push_back(std::move(task));
  }
  SW_RETURN_IF_ERROR(OrderTasks(tasks, pipeline));
  return pipeline;
}

Status PipelinesReader::PipelineSettings(const YAML::Node& node, PipelineSpec& pipeline) const {
  const std::string where = fmt::format("pipeline '{}'", pipeline.name);
  if (Present(node["description"])) {
    SW_ASSIGN_OR_RETURN(pipeline.description, Scalar(node["description"], "description"));
  }
  const YAML::Node schedule = node["schedule"];
  if (!Present(schedule))
    return Error(node, fmt::format("{} has no 'schedule:'", where),
                 "add a cron schedule, e.g. schedule: \"0 0 * * *\" (daily at 00:00) or @hourly");
  SW_ASSIGN_OR_RETURN(std::string cron_text, Scalar(schedule, "schedule"));
  auto cron = CronSchedule::Parse(cron_text);
  if (!cron.ok()) return Error(schedule, cron.status().message(), cron.status().hint());
  pipeline.schedule = *cron;
  pipeline.timezone = TimeZone::Utc();
  if (Present(node["timezone"])) {
    SW_ASSIGN_OR_RETURN(pipeline.timezone, Zone(node["timezone"], "timezone"));
  }
  SW_ASSIGN_OR_RETURN(pipeline.partitions, Partitions(node["partitions"], pipeline));
  if (Present(node["start_date"])) {
    SW_ASSIGN_OR_RETURN(pipeline.start_date, Day(node["start_date"], "start_date"));
  }
  if (Present(node["end_date"])) {
    SW_ASSIGN_OR_RETURN(pipeline.end_date, Day(node["end_date"], "end_date"));
    if (pipeline.start_date && *pipeline.end_date < *pipeline.start_date)
      return Error(node["end_date"],
                   fmt::format("end_date {} is before start_date {}", pipeline.end_date->Iso(),
                               pipeline.start_date->Iso()),
                   "make end_date the same day as start_date or later, or remove it");
  }
  if (Present(node["catchup"])) {
    SW_ASSIGN_OR_RETURN(pipeline.catchup, Bool(node["catchup"], "catchup"));
  }
  if (Present(node["max_active_runs"])) {
    SW_ASSIGN_OR_RETURN(pipeline.max_active_runs,
                        Integer(node["max_active_runs"], "max_active_runs", 1, 64));
  }
  if (Present(node["deadline"])) {
    SW_ASSIGN_OR_RETURN(pipeline.deadline, Duration(node["deadline"], "deadline"));
  }
  if (Present(node["paused"])) {
    SW_ASSIGN_OR_RETURN(pipeline.paused, Bool(node["paused"], "paused"));
  }
  return Status::Ok();
}

Result<std::optional<DailyPartitions>> PipelinesReader::Partitions(
    const YAML::Node& node, const PipelineSpec& pipeline) const {
  if (!Present(node)) return std::optional<DailyPartitions>();
  const std::string hint =
      "write 'partitions: none' or 'partitions: {by: day, timezone: Asia/Seoul}'";
  if (node.IsScalar()) {
    if (node.Scalar() == "none") return std::optional<DailyPartitions>();
    return Error(node, fmt::format("partitions '{}' is not known", node.Scalar()), hint);
  }
  if (!node.IsMap()) return Error(node, "partitions must be 'none' or a mapping", hint);
  SW_RETURN_IF_ERROR(CheckKeys(node, kPartitionKeys, "partitions"));
  if (!Present(node["by"])) return Error(node, "partitions has no 'by:'", hint);
  SW_ASSIGN_OR_RETURN(std::string by, Scalar(node["by"], "by"));
  if (by != "day")
    return Error(node["by"], fmt::format("partitions by '{}' is not supported", by),
                 "partitions are by day: write 'by: day'");
  DailyPartitions partitions{pipeline.timezone};
  if (Present(node["timezone"])) {
    SW_ASSIGN_OR_RETURN(partitions.zone, Zone(node["timezone"], "timezone"));
  }
  return std::optional<DailyPartitions>(partitions);
}

Result<TaskSpec> PipelinesReader::Task(const std::string& name, const YAML::Node& node,
                                       const PipelineSpec& pipeline) const {
  TaskSpec task;
  task.name = name;
  const std::string where = fmt::format("task '{}'", name);
  if (!node.IsMap())
    return Error(node, fmt::format("{} must be a mapping with at least 'kind:'", where),
                 "write e.g. 'build: {kind: build}'");
  const YAML::Node kind = node["kind"];
  std::vector<std::string> kind_names;
  for (const KindEntry& entry : kKinds) kind_names.emplace_back(TaskKindName(entry.kind));
  if (!Present(kind))
    return Error(node, fmt::format("{} has no 'kind:'", where),
                 fmt::format("add 'kind:', one of: {}", fmt::join(kind_names, ", ")));
  SW_ASSIGN_OR_RETURN(std::string kind_text, Scalar(kind, "kind"));
  auto entry = std::find_if(kKinds.begin(), kKinds.end(),
                            [&](const KindEntry& e) { return kind_text == TaskKindName(e.kind); });
  if (entry == kKinds.end())
    return Error(kind,
                 fmt::format("unknown task kind '{}'{}", kind_text,
                             transform::DidYouMean(kind_text, kind_names)),
                 fmt::format("kinds: {}", fmt::join(kind_names, ", ")));
  task.kind = entry->kind;
  std::vector<std::string> allowed = kCommonTaskKeys;
  allowed.insert(allowed.end(), entry->extra_keys->begin(), entry->extra_keys->end());
  SW_RETURN_IF_ERROR(CheckKeys(node, allowed, fmt::format("{} (kind {})", where, kind_text)));
  if (Present(node["description"])) {
    SW_ASSIGN_OR_RETURN(task.description, Scalar(node["description"], "description"));
  }
  if (Present(node["after"])) {
    SW_ASSIGN_OR_RETURN(task.after, Strings(node["after"], "after"));
  }
  SW_RETURN_IF_ERROR(RetrySettings(node, task.retry));
  SW_RETURN_IF_ERROR(KindSettings(node, task, pipeline));
  return task;
}

Status PipelinesReader::RetrySettings(const YAML::Node& node, RetryPolicy& retry) const {
  if (Present(node["retries"])) {
    SW_ASSIGN_OR_RETURN(retry.retries, Integer(node["retries"], "retries", 0, 100));
  }
  if (Present(node["retry_delay"])) {
    SW_ASSIGN_OR_RETURN(retry.retry_delay, Duration(node["retry_delay"], "retry_delay"));
  }
  if (Present(node["retry_backoff"])) {
    SW_ASSIGN_OR_RETURN(retry.exponential_backoff, Bool(node["retry_backoff"], "retry_backoff"));
  }
  if (Present(node["max_retry_delay"])) {
    SW_ASSIGN_OR_RETURN(retry.max_retry_delay,
                        Duration(node["max_retry_delay"], "max_retry_delay"));
    if (retry.max_retry_delay < retry.retry_delay)
      return Error(
          node["max_retry_delay"],
          fmt::format("max_retry_delay {} is shorter than retry_delay {}",
                      FormatDuration(retry.max_retry_delay), FormatDuration(retry.retry_delay)),
          "make max_retry_delay at least retry_delay");
  } else {
    retry.max_retry_delay = std::max(retry.max_retry_delay, retry.retry_delay);
  }
  if (Present(node["timeout"])) {
    SW_ASSIGN_OR_RETURN(seconds timeout, Duration(node["timeout"], "timeout"));
    if (timeout <= seconds(0))
      return Error(node["timeout"], "timeout must be longer than 0s",
                   "write e.g. timeout: 2h, or remove it for no limit");
    retry.timeout = timeout;
  }
  return Status::Ok();
}

Status PipelinesReader::KindSettings(const YAML::Node& node, TaskSpec& task,
                                     const PipelineSpec& pipeline) const {
  if (task.kind == TaskKind::kCollectPostings) {
    task.days = pipeline.partitions ? CollectDays::kPartitions : CollectDays::kToday;
    if (Present(node["days"])) {
      SW_ASSIGN_OR_RETURN(std::string days, Scalar(node["days"], "days"));
      if (days == "partitions") {
        task.days = CollectDays::kPartitions;
      } else if (days == "today") {
        task.days = CollectDays::kToday;
      } else {
        return Error(node["days"], fmt::format("days '{}' is not known", days),
                     "write 'days: partitions' (the run's days) or 'days: today' (the Korean "
                     "day so far)");
      }
    }
    if (task.days == CollectDays::kPartitions && !pipeline.partitions)
      return Error(Present(node["days"]) ? node["days"] : node,
                   fmt::format("task '{}' collects the run's partitions, but pipeline '{}' has "
                               "none",
                               task.name, pipeline.name),
                   "add 'partitions: {by: day, timezone: Asia/Seoul}' to the pipeline, or write "
                   "'days: today'");
    if (Present(node["skip_details"])) {
      SW_ASSIGN_OR_RETURN(task.skip_details, Bool(node["skip_details"], "skip_details"));
    }
  }
  if (TakesSelector(task.kind)) {
    if (Present(node["select"])) {
      SW_ASSIGN_OR_RETURN(task.select, Strings(node["select"], "select"));
    }
    if (Present(node["exclude"])) {
      SW_ASSIGN_OR_RETURN(task.exclude, Strings(node["exclude"], "exclude"));
    }
    if (Present(node["full_refresh"])) {
      SW_ASSIGN_OR_RETURN(task.full_refresh, Bool(node["full_refresh"], "full_refresh"));
    }
  }
  return Status::Ok();
}

// Checks `after:` names, rejects cycles (naming them), and orders the tasks
// so every task follows its upstream tasks, keeping declaration order
// otherwise.
Status PipelinesReader::OrderTasks(const YAML::Node& tasks_node, PipelineSpec& pipeline) const {
  std::map<std::string, size_t> index_of;
  std::vector<std::string> names;
  for (size_t i = 0; i < pipeline.tasks.size(); ++i) {
    index_of[pipeline.tasks[i].name] = i;
    names.push_back(pipeline.tasks[i].name);
  }
  std::vector<std::vector<size_t>> upstream(pipeline.tasks.size());
  for (size_t i = 0; i < pipeline.tasks.size(); ++i) {
    const TaskSpec& task = pipeline.tasks[i];
    const YAML::Node after_node = tasks_node[task.name]["after"];
    for (const std::string& name : task.after) {
      auto found = index_of.find(name);
      if (found == index_of.end())
        return Error(
            after_node,
            fmt::format("task '{}' runs after '{}', which pipeline '{}' does not have{}", task.name,
                        name, pipeline.name, transform::DidYouMean(name, names)),
            fmt::format("tasks of this pipeline: {}", fmt::join(names, ", ")));
      if (found->second == i)
        return Error(after_node, fmt::format("task '{}' runs after itself", task.name),
                     "remove its own name from 'after:'");
      upstream[i].push_back(found->second);
    }
  }
  if (auto cycle = FindCycle(upstream)) {
    std::vector<std::string> chain;
    for (auto it = cycle->rbegin(); it != cycle->rend(); ++it)
      chain.push_back(pipeline.tasks[*it].name);
    const TaskSpec& first = pipeline.tasks[cycle->front()];
    return Error(tasks_node[first.name]["after"],
                 fmt::format("the tasks of pipeline '{}' run in a cycle: {}", pipeline.name,
                             fmt::join(chain, " -> ")),
                 "remove one of these 'after:' entries so the tasks have an order");
  }
  std::vector<TaskSpec> ordered;
  for (size_t index : TopologicalOrder(upstream)) ordered.push_back(pipeline.tasks[index]);
  pipeline.tasks = std::move(ordered);
  return Status::Ok();
}

}  // namespace

Result<TaskKind> ParseTaskKind(std::string_view name) {
  std::string known;
  for (const KindEntry& entry : kKinds) {
    if (name == TaskKindName(entry.kind)) return entry.kind;
    known += (known.empty() ? "" : ", ") + std::string(TaskKindName(entry.kind));
  }
  return Status(ErrorCode::kInvalidInput, fmt::format("unknown task kind '{}'", name),
                "kinds: " + known);
}

bool TakesSelector(TaskKind kind) {
  return kind == TaskKind::kBuild || kind == TaskKind::kTest || kind == TaskKind::kRun ||
         kind == TaskKind::kSnapshot;
}

const TaskSpec* PipelineSpec::FindTask(std::string_view task) const {
  for (const TaskSpec& spec : tasks)
    if (spec.name == task) return &spec;
  return nullptr;
}

const PipelineSpec* PipelinesFile::Find(std::string_view pipeline) const {
  for (const PipelineSpec& spec : pipelines)
    if (spec.name == pipeline) return &spec;
  return nullptr;
}

Result<PipelinesFile> ParsePipelines(std::string_view text, std::string path,
                                     const TimeZoneDatabase& zones) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& error) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("{}:{}: {}", path, error.mark.line + 1, error.msg),
                  "fix the YAML syntax (indentation, quotes around cron expressions)");
  }
  try {
    return PipelinesReader(path, zones).Read(root);
  } catch (const YAML::Exception& error) {
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("{}:{}: {}", path, error.mark.line + 1, error.msg),
                  "check the structure against docs/scheduler.md");
  }
}

Result<PipelinesFile> LoadPipelinesFile(const std::filesystem::path& path,
                                        const TimeZoneDatabase& zones) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status(ErrorCode::kNotFound, fmt::format("cannot read {}", path.string()),
                  "pipelines.yml belongs at the SQL project's root, next to "
                  "silverwork_project.yml");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return ParsePipelines(buffer.str(), path.string(), zones);
}

}  // namespace silverwork::scheduler
