#include "pipeline/run_ledger.h"

#include "common/log.h"

namespace silverwork {
namespace {

TableSpec RunsSpec() {
  TableSpec spec{std::string(kRunsTable), {}, {"run_id"}};
  for (const char* name : {"run_id", "command", "started_at", "finished_at", "status", "message",
                           "window_from", "window_to"})
    spec.columns.push_back({name, ColumnType::kText});
  for (const char* name :
       {"list_pages", "postings_listed", "details_loaded", "projects_loaded", "calls"})
    spec.columns.push_back({name, ColumnType::kInteger});
  return spec;
}

Value DayOrNull(const std::optional<Date>& day) { return day ? Value{day->Iso()} : Value{}; }

std::string TextOrEmpty(const Value& value) { return IsNull(value) ? "" : ValueToString(value); }

int64_t IntegerOrZero(const Value& value) {
  const auto* integer = std::get_if<int64_t>(&value);
  return integer == nullptr ? 0 : *integer;
}

std::optional<Date> DayOf(const Value& value) {
  if (IsNull(value)) return std::nullopt;
  auto day = Date::Parse(ValueToString(value));
  return day.ok() ? std::optional<Date>(*day) : std::nullopt;
}

}  // namespace

const char* RunStateName(RunState state) {
  switch (state) {
    case RunState::kRunning: return "running";
    case RunState::kSuccess: return "success";
    case RunState::kFailed: return "failed";
    case RunState::kQuotaStopped: return "stopped";
  }
  return "failed";
}

RunState RunStateOf(const Status& outcome) {
  if (outcome.ok()) return RunState::kSuccess;
  return outcome.IsQuotaExhausted() ? RunState::kQuotaStopped : RunState::kFailed;
}

Status RunLedger::EnsureTable() { return warehouse_.EnsureTable(RunsSpec()); }

Status RunLedger::RecordStart(std::string_view run_id, std::string_view command) {
  std::vector<Value> row{std::string(run_id), std::string(command),
                         FormatUtcTimestamp(clock_.Now()),
                         std::string(RunStateName(RunState::kRunning))};
  return warehouse_
      .ExecuteWithParams(
          "INSERT INTO _sw_runs(run_id, command, started_at, status) VALUES (?, ?, ?, ?)", row)
      .status();
}

Status RunLedger::RecordEnd(std::string_view run_id, const Status& outcome,
                            const RunFigures& figures) {
  std::vector<Value> row{FormatUtcTimestamp(clock_.Now()),
                         std::string(RunStateName(RunStateOf(outcome))),
                         outcome.ok() ? Value{} : Value{RedactSecrets(outcome.message())},
                         DayOrNull(figures.window_from),
                         DayOrNull(figures.window_to),
                         figures.list_pages,
                         figures.postings_listed,
                         figures.details_loaded,
                         figures.projects_loaded,
                         figures.calls,
                         std::string(run_id)};
  return warehouse_
      .ExecuteWithParams(
          "UPDATE _sw_runs SET finished_at = ?, status = ?, message = ?, window_from = ?, "
          "window_to = ?, list_pages = ?, postings_listed = ?, details_loaded = ?, "
          "projects_loaded = ?, calls = ? WHERE run_id = ?",
          row)
      .status();
}

Result<std::string> RunLedger::NewestRunId() {
  SW_ASSIGN_OR_RETURN(QueryResult newest, warehouse_.QueryAll("SELECT MAX(run_id) FROM _sw_runs"));
  return TextOrEmpty(newest.rows.at(0).at(0));
}

Result<std::vector<RunRecord>> RunLedger::Recent(int limit) {
  std::vector<RunRecord> records;
  std::vector<Value> params{int64_t{limit}};
  SW_RETURN_IF_ERROR(warehouse_.Query(
      "SELECT run_id, command, status, started_at, finished_at, message, window_from, window_to, "
      "list_pages, postings_listed, details_loaded, projects_loaded, calls "
      "FROM _sw_runs ORDER BY run_id DESC LIMIT ?",
      params, [&](const Row& row) {
        RunRecord record{.run_id = TextOrEmpty(row[0]),
                         .command = TextOrEmpty(row[1]),
                         .status = TextOrEmpty(row[2]),
                         .started_at = TextOrEmpty(row[3]),
                         .finished_at = TextOrEmpty(row[4]),
                         .message = TextOrEmpty(row[5]),
                         .figures = {.window_from = DayOf(row[6]),
                                     .window_to = DayOf(row[7]),
                                     .list_pages = IntegerOrZero(row[8]),
                                     .postings_listed = IntegerOrZero(row[9]),
                                     .details_loaded = IntegerOrZero(row[10]),
                                     .projects_loaded = IntegerOrZero(row[11]),
                                     .calls = IntegerOrZero(row[12])}};
        records.push_back(std::move(record));
        return Status::Ok();
      }));
  return records;
}

}  // namespace silverwork
