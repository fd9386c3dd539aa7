// Private to SchedulerStore: table names, the column lists its SELECTs read,
// and the conversions between records and warehouse rows. Pure functions;
// thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scheduler/scheduler_store.h"

namespace silverwork::scheduler::store_rows {

inline constexpr std::string_view kRuns = "_sw_sched_runs";
inline constexpr std::string_view kTaskInstances = "_sw_task_instances";
inline constexpr std::string_view kTries = "_sw_task_tries";
inline constexpr std::string_view kPartitions = "_sw_partitions";
inline constexpr std::string_view kFlags = "_sw_pipeline_flags";
inline constexpr std::string_view kLease = "_sw_scheduler_lease";
inline constexpr std::string_view kRequests = "_sw_scheduler_requests";

// Every table, as EnsureSchema creates it.
const std::vector<TableSpec>& Tables();
// CREATE INDEX IF NOT EXISTS statements (portable to PostgreSQL).
const std::vector<std::string>& Indexes();

// Column lists in the order the Decode functions read them.
extern const char* const kRunColumns;
extern const char* const kTaskInstanceColumns;
extern const char* const kTryColumns;
extern const char* const kRequestColumns;

Result<RunRecord> DecodeRun(const Row& row);
Result<TaskInstanceRecord> DecodeTaskInstance(const Row& row);
Result<TryRecord> DecodeTry(const Row& row);
Result<SchedulerRequest> DecodeRequest(const Row& row);

// Value helpers.
inline Value Text(std::string text) { return Value(std::move(text)); }
inline Value Integer(int64_t number) { return Value(number); }
Value TimeValue(TimePoint instant);
Value OptionalTime(const std::optional<TimePoint>& instant);
Value OptionalText(const std::string& text);  // "" -> NULL
std::string AsText(const Value& value);       // NULL -> ""
std::optional<int64_t> AsInteger(const Value& value);
Result<std::optional<TimePoint>> AsOptionalTime(const Value& value);

// Runs `sql` and decodes every row with `decode` (Row -> Result<Record>).
template <typename Record, typename Decode>
Result<std::vector<Record>> QueryRecords(Warehouse& warehouse, std::string_view sql,
                                         std::span<const Value> params, Decode decode) {
  std::vector<Record> records;
  Status status = warehouse.Query(sql, params, [&](const Row& row) -> Status {
    SW_ASSIGN_OR_RETURN(Record record, decode(row));
    records.push_back(std::move(record));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return records;
}

// One write of the store, all or nothing: its own transaction, or — when
// the caller already holds one open — a savepoint inside it, so that several
// store writes and an alert commit together while each write still rolls
// back alone when it fails or refuses (QueueRun's conflicts). SAVEPOINT,
// ROLLBACK TO and RELEASE are spelled alike in SQLite and PostgreSQL.
class WriteScope {
 public:
  explicit WriteScope(Warehouse& warehouse) : warehouse_(warehouse) {}
  ~WriteScope();
  WriteScope(const WriteScope&) = delete;
  WriteScope& operator=(const WriteScope&) = delete;

  Status Begin();
  Status Commit();

 private:
  enum class Mode { kNone, kTransaction, kSavepoint };
  Warehouse& warehouse_;
  Mode mode_ = Mode::kNone;
};

// "a,b,c" <-> {"a","b","c"} (names never hold commas).
std::string JoinNames(const std::vector<std::string>& names);
std::vector<std::string> SplitNames(std::string_view text);

}  // namespace silverwork::scheduler::store_rows
