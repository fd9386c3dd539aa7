#include "scheduler/store_rows.h"

#include <fmt/format.h>

#include <array>

namespace silverwork::scheduler {
namespace {

using std::chrono::seconds;

constexpr std::array<const char*, 5> kRequestKindNames{"trigger", "clear", "backfill", "pause",
                                                       "unpause"};
constexpr std::array<const char*, 3> kRequestStateNames{"pending", "done", "rejected"};

ColumnSpec Col(const char* name, ColumnType type = ColumnType::kText, bool not_null = false) {
  return ColumnSpec{name, type, not_null};
}
constexpr ColumnType kInt = ColumnType::kInteger;

bool ParseDigits(std::string_view text, int& out) {
  out = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return false;
    out = out * 10 + (ch - '0');
  }
  return !text.empty();
}

Status CorruptRow(std::string_view table, std::string_view what) {
  return Status(ErrorCode::kCorrupt, fmt::format("{}: {}", table, what),
                "the scheduler's tables were changed by hand; restore them or remove the row");
}

template <typename Enum, size_t N>
Result<Enum> ParseRequestName(std::string_view name, const std::array<const char*, N>& names) {
  for (size_t i = 0; i < N; ++i)
    if (name == names[i]) return static_cast<Enum>(i);
  return CorruptRow(store_rows::kRequests, fmt::format("unknown value '{}'", name));
}

}  // namespace

std::string FormatStoreTime(TimePoint instant) {
  using namespace std::chrono;
  const auto millis = floor<milliseconds>(instant);
  const auto day = floor<days>(millis);
  const year_month_day ymd(day);
  const hh_mm_ss<milliseconds> time(millis - day);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     time.hours().count(), time.minutes().count(), time.seconds().count(),
                     time.subseconds().count());
}

Result<TimePoint> ParseStoreTime(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
  bool shaped = text.size() == 24 && text[4] == '-' && text[7] == '-' && text[10] == 'T' &&
                text[13] == ':' && text[16] == ':' && text[19] == '.' && text[23] == 'Z';
  if (!shaped || !ParseDigits(text.substr(0, 4), year) || !ParseDigits(text.substr(5, 2), month) ||
      !ParseDigits(text.substr(8, 2), day) || !ParseDigits(text.substr(11, 2), hour) ||
      !ParseDigits(text.substr(14, 2), minute) || !ParseDigits(text.substr(17, 2), second) ||
      !ParseDigits(text.substr(20, 3), millis) || hour > 23 || minute > 59 || second > 59)
    return Status(ErrorCode::kCorrupt, fmt::format("'{}' is not a stored timestamp", text),
                  "timestamps are stored as 2026-11-25T01:00:09.123Z");
  const std::chrono::year_month_day ymd{std::chrono::year(year),
                                        std::chrono::month(static_cast<unsigned>(month)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok())
    return Status(ErrorCode::kCorrupt, fmt::format("'{}' is not a valid day", text),
                  "timestamps are stored as 2026-11-25T01:00:09.123Z");
  return TimePoint(std::chrono::sys_days(ymd)) + std::chrono::hours(hour) +
         std::chrono::minutes(minute) + seconds(second) + std::chrono::milliseconds(millis);
}

std::filesystem::path TaskLogPath(const std::filesystem::path& logs_root, std::string_view pipeline,
                                  std::string_view run_id, std::string_view task, int try_number) {
  return logs_root / std::string(pipeline) / std::string(run_id) / std::string(task) /
         fmt::format("{}.log", try_number);
}

const char* RequestKindName(RequestKind kind) {
  return kRequestKindNames[static_cast<size_t>(kind)];
}
const char* RequestStateName(RequestState state) {
  return kRequestStateNames[static_cast<size_t>(state)];
}

namespace store_rows {

const std::vector<TableSpec>& Tables() {
  static const std::vector<TableSpec> tables{
      {std::string(kRuns),
       {Col("run_id"), Col("pipeline", ColumnType::kText, true),
        Col("kind", ColumnType::kText, true), Col("logical_time", ColumnType::kText, true),
        Col("interval_start", ColumnType::kText, true),
        Col("interval_end", ColumnType::kText, true), Col("partition_from"), Col("partition_to"),
        Col("partition_count", kInt), Col("state", ColumnType::kText, true),
        Col("queued_at", ColumnType::kText, true), Col("started_at"), Col("ended_at"),
        Col("deadline_at"), Col("request_id"), Col("message"), Col("hint"),
        Col("updated_at", ColumnType::kText, true)},
       {"run_id"}},
      {std::string(kTaskInstances),
       {Col("run_id"),
        Col("task"),
        Col("pipeline", ColumnType::kText, true),
        Col("kind", ColumnType::kText, true),
        Col("task_order", kInt, true),
        Col("upstream"),
        Col("retries", kInt, true),
        Col("retry_delay_s", kInt, true),
        Col("retry_backoff", kInt, true),
        Col("max_retry_delay_s", kInt, true),
        Col("timeout_s", kInt),
        Col("state", ColumnType::kText, true),
        Col("try_number", kInt, true),
        Col("failures", kInt, true),
        Col("next_attempt_at"),
        Col("started_at"),
        Col("ended_at"),
        Col("deferred_since"),
        Col("message"),
        Col("hint"),
        Col("updated_at", ColumnType::kText, true)},
       {"run_id", "task"}},
      {std::string(kTries),
       {Col("run_id"), Col("task"), Col("try_number", kInt), Col("state", ColumnType::kText, true),
        Col("started_at", ColumnType::kText, true), Col("ended_at"), Col("exit_code", kInt),
        Col("exit_signal", kInt), Col("pid", kInt), Col("host"), Col("log_path"), Col("error"),
        Col("hint"), Col("process_start")},
       {"run_id", "task", "try_number"}},
      {std::string(kPartitions),
       {Col("pipeline"), Col("day"), Col("status", ColumnType::kText, true),
        Col("run_id", ColumnType::kText, true), Col("updated_at", ColumnType::kText, true)},
       {"pipeline", "day"}},
      {std::string(kFlags),
       {Col("pipeline"), Col("paused", kInt, true), Col("updated_at", ColumnType::kText, true)},
       {"pipeline"}},
      {std::string(kLease),
       {Col("lease_name"), Col("holder_id", ColumnType::kText, true), Col("host"), Col("pid", kInt),
        Col("acquired_at", ColumnType::kText, true), Col("renewed_at", ColumnType::kText, true),
        Col("expires_at", ColumnType::kText, true)},
       {"lease_name"}},
      {std::string(kRequests),
       {Col("request_id"), Col("kind", ColumnType::kText, true),
        Col("pipeline", ColumnType::kText, true), Col("run_id"), Col("trigger_day"),
        Col("range_from"), Col("range_to"), Col("reprocess"), Col("requested_by"),
        Col("requested_at", ColumnType::kText, true), Col("state", ColumnType::kText, true),
        Col("answered_at"), Col("message"), Col("hint"), Col("run_ids")},
       {"request_id"}},
  };
  return tables;
}

const std::vector<std::string>& Indexes() {
  static const std::vector<std::string> indexes{
      "CREATE INDEX IF NOT EXISTS _sw_sched_runs_by_pipeline ON _sw_sched_runs "
      "(pipeline, queued_at)",
      "CREATE INDEX IF NOT EXISTS _sw_sched_runs_by_state ON _sw_sched_runs (state)",
      "CREATE INDEX IF NOT EXISTS _sw_task_instances_by_state ON _sw_task_instances "
      "(state, next_attempt_at)",
      "CREATE INDEX IF NOT EXISTS _sw_task_tries_by_state ON _sw_task_tries (state)",
      "CREATE INDEX IF NOT EXISTS _sw_partitions_by_run ON _sw_partitions (run_id)",
      "CREATE INDEX IF NOT EXISTS _sw_scheduler_requests_by_state ON _sw_scheduler_requests "
      "(state, requested_at)",
  };
  return indexes;
}

const char* const kRunColumns =
    "run_id, pipeline, kind, logical_time, interval_start, interval_end, partition_from, "
    "partition_to, partition_count, state, queued_at, started_at, ended_at, deadline_at, "
    "request_id, message, hint";
const char* const kTaskInstanceColumns =
    "run_id, task, pipeline, kind, task_order, upstream, retries, retry_delay_s, retry_backoff, "
    "max_retry_delay_s, timeout_s, state, try_number, failures, next_attempt_at, started_at, "
    "ended_at, deferred_since, message, hint";
const char* const kTryColumns =
    "run_id, task, try_number, state, started_at, ended_at, exit_code, exit_signal, pid, host, "
    "log_path, error, hint, process_start";
const char* const kRequestColumns =
    "request_id, kind, pipeline, run_id, trigger_day, range_from, range_to, reprocess, "
    "requested_by, "
    "requested_at, state, answered_at, message, hint, run_ids";

Value TimeValue(TimePoint instant) { return Text(FormatStoreTime(instant)); }

Value OptionalTime(const std::optional<TimePoint>& instant) {
  return instant ? TimeValue(*instant) : Value();
}

Value OptionalText(const std::string& text) { return text.empty() ? Value() : Text(text); }

std::string AsText(const Value& value) { return IsNull(value) ? "" : ValueToString(value); }

std::optional<int64_t> AsInteger(const Value& value) {
  if (const auto* number = std::get_if<int64_t>(&value)) return *number;
  if (const auto* real = std::get_if<double>(&value)) return static_cast<int64_t>(*real);
  return std::nullopt;
}

Result<std::optional<TimePoint>> AsOptionalTime(const Value& value) {
  if (IsNull(value)) return std::optional<TimePoint>();
  SW_ASSIGN_OR_RETURN(TimePoint instant, ParseStoreTime(AsText(value)));
  return std::optional<TimePoint>(instant);
}

namespace {
constexpr std::string_view kSavepoint = "sw_store_write";
}  // namespace

WriteScope::~WriteScope() {
  if (mode_ == Mode::kTransaction) (void)warehouse_.Rollback();
  if (mode_ == Mode::kSavepoint) {
    // Best effort: a failed statement may already have ended the transaction.
    (void)warehouse_.Execute(fmt::format("ROLLBACK TO {}", kSavepoint));
    (void)warehouse_.Execute(fmt::format("RELEASE {}", kSavepoint));
  }
}

Status WriteScope::Begin() {
  if (warehouse_.InTransaction()) {
    SW_RETURN_IF_ERROR(warehouse_.Execute(fmt::format("SAVEPOINT {}", kSavepoint)));
    mode_ = Mode::kSavepoint;
    return Status::Ok();
  }
  SW_RETURN_IF_ERROR(warehouse_.Begin());
  mode_ = Mode::kTransaction;
  return Status::Ok();
}

Status WriteScope::Commit() {
  const Mode mode = mode_;
  mode_ = Mode::kNone;
  if (mode == Mode::kSavepoint) return warehouse_.Execute(fmt::format("RELEASE {}", kSavepoint));
  if (mode == Mode::kTransaction) {
    Status committed = warehouse_.Commit();
    if (!committed.ok()) (void)warehouse_.Rollback();
    return committed;
  }
  return Status(ErrorCode::kInternal, "WriteScope::Commit() without Begin()",
                "begin the write before committing it");
}

std::string JoinNames(const std::vector<std::string>& names) {
  return fmt::format("{}", fmt::join(names, ","));
}

std::vector<std::string> SplitNames(std::string_view text) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    if (comma > start) names.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return names;
}

namespace {

Result<TimePoint> RequiredTime(const Value& value, std::string_view table) {
  SW_ASSIGN_OR_RETURN(std::optional<TimePoint> instant, AsOptionalTime(value));
  if (!instant) return CorruptRow(table, "a required timestamp is empty");
  return *instant;
}

Result<std::optional<Date>> OptionalDay(const Value& value) {
  if (IsNull(value)) return std::optional<Date>();
  SW_ASSIGN_OR_RETURN(Date day, Date::Parse(AsText(value)));
  return std::optional<Date>(day);
}

SysSeconds ToSeconds(TimePoint instant) { return std::chrono::floor<seconds>(instant); }

}  // namespace

Result<RunRecord> DecodeRun(const Row& row) {
  RunRecord run;
  run.run_id = AsText(row[0]);
  run.pipeline = AsText(row[1]);
  SW_ASSIGN_OR_RETURN(run.kind, ParseRunKind(AsText(row[2])));
  SW_ASSIGN_OR_RETURN(TimePoint logical, RequiredTime(row[3], kRuns));
  SW_ASSIGN_OR_RETURN(TimePoint start, RequiredTime(row[4], kRuns));
  SW_ASSIGN_OR_RETURN(TimePoint end, RequiredTime(row[5], kRuns));
  run.logical_time = ToSeconds(logical);
  run.interval = {ToSeconds(start), ToSeconds(end)};
  SW_ASSIGN_OR_RETURN(std::optional<Date> from, OptionalDay(row[6]));
  SW_ASSIGN_OR_RETURN(std::optional<Date> to, OptionalDay(row[7]));
  if (from && to) run.window = DayRange{*from, *to};
  run.partition_count = static_cast<int>(AsInteger(row[8]).value_or(0));
  SW_ASSIGN_OR_RETURN(run.state, ParseRunState(AsText(row[9])));
  SW_ASSIGN_OR_RETURN(run.queued_at, RequiredTime(row[10], kRuns));
  SW_ASSIGN_OR_RETURN(run.started_at, AsOptionalTime(row[11]));
  SW_ASSIGN_OR_RETURN(run.ended_at, AsOptionalTime(row[12]));
  SW_ASSIGN_OR_RETURN(std::optional<TimePoint> deadline, AsOptionalTime(row[13]));
  if (deadline) run.deadline_at = ToSeconds(*deadline);
  run.request_id = AsText(row[14]);
  run.message = AsText(row[15]);
  run.hint = AsText(row[16]);
  return run;
}

Result<TaskInstanceRecord> DecodeTaskInstance(const Row& row) {
  TaskInstanceRecord task;
  task.run_id = AsText(row[0]);
  task.task = AsText(row[1]);
  task.pipeline = AsText(row[2]);
  SW_ASSIGN_OR_RETURN(task.kind, ParseTaskKind(AsText(row[3])));
  task.position = static_cast<int>(AsInteger(row[4]).value_or(0));
  task.upstream = SplitNames(AsText(row[5]));
  task.retry.retries = static_cast<int>(AsInteger(row[6]).value_or(0));
  task.retry.retry_delay = seconds(AsInteger(row[7]).value_or(0));
  task.retry.exponential_backoff = AsInteger(row[8]).value_or(0) != 0;
  task.retry.max_retry_delay = seconds(AsInteger(row[9]).value_or(0));
  if (auto timeout = AsInteger(row[10])) task.retry.timeout = seconds(*timeout);
  SW_ASSIGN_OR_RETURN(task.state, ParseTaskState(AsText(row[11])));
  task.try_number = static_cast<int>(AsInteger(row[12]).value_or(0));
  task.failures = static_cast<int>(AsInteger(row[13]).value_or(0));
  SW_ASSIGN_OR_RETURN(task.next_attempt_at, AsOptionalTime(row[14]));
  SW_ASSIGN_OR_RETURN(task.started_at, AsOptionalTime(row[15]));
  SW_ASSIGN_OR_RETURN(task.ended_at, AsOptionalTime(row[16]));
  SW_ASSIGN_OR_RETURN(task.deferred_since, AsOptionalTime(row[17]));
  task.message = AsText(row[18]);
  task.hint = AsText(row[19]);
  return task;
}

Result<TryRecord> DecodeTry(const Row& row) {
  TryRecord attempt;
  attempt.run_id = AsText(row[0]);
  attempt.task = AsText(row[1]);
  attempt.try_number = static_cast<int>(AsInteger(row[2]).value_or(0));
  SW_ASSIGN_OR_RETURN(attempt.state, ParseTryState(AsText(row[3])));
  SW_ASSIGN_OR_RETURN(attempt.started_at, RequiredTime(row[4], kTries));
  SW_ASSIGN_OR_RETURN(attempt.ended_at, AsOptionalTime(row[5]));
  if (auto code = AsInteger(row[6])) attempt.exit_code = static_cast<int>(*code);
  if (auto signal = AsInteger(row[7])) attempt.signal = static_cast<int>(*signal);
  attempt.pid = AsInteger(row[8]);
  attempt.host = AsText(row[9]);
  attempt.log_path = AsText(row[10]);
  attempt.error = AsText(row[11]);
  attempt.hint = AsText(row[12]);
  attempt.process_start = AsText(row[13]);
  return attempt;
}

Result<SchedulerRequest> DecodeRequest(const Row& row) {
  SchedulerRequest request;
  request.request_id = AsText(row[0]);
  SW_ASSIGN_OR_RETURN(request.kind,
                      ParseRequestName<RequestKind>(AsText(row[1]), kRequestKindNames));
  request.pipeline = AsText(row[2]);
  request.run_id = AsText(row[3]);
  SW_ASSIGN_OR_RETURN(request.date, OptionalDay(row[4]));
  SW_ASSIGN_OR_RETURN(std::optional<Date> from, OptionalDay(row[5]));
  SW_ASSIGN_OR_RETURN(std::optional<Date> to, OptionalDay(row[6]));
  if (from && to) request.range = DayRange{*from, *to};
  if (!IsNull(row[7])) {
    SW_ASSIGN_OR_RETURN(request.reprocess, ParseReprocessMode(AsText(row[7])));
  }
  request.requested_by = AsText(row[8]);
  SW_ASSIGN_OR_RETURN(request.requested_at, RequiredTime(row[9], kRequests));
  SW_ASSIGN_OR_RETURN(request.state,
                      ParseRequestName<RequestState>(AsText(row[10]), kRequestStateNames));
  SW_ASSIGN_OR_RETURN(request.answered_at, AsOptionalTime(row[11]));
  request.message = AsText(row[12]);
  request.hint = AsText(row[13]);
  request.run_ids = SplitNames(AsText(row[14]));
  return request;
}

}  // namespace store_rows
}  // namespace silverwork::scheduler
