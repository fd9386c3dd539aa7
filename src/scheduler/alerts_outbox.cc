#include "scheduler/alerts_outbox.h"

#include <fmt/format.h>

#include <utility>

namespace silverwork {
namespace {

using std::chrono::system_clock;

constexpr std::string_view kPending = "pending";
constexpr std::string_view kDelivered = "delivered";
constexpr std::string_view kFailed = "failed";

int64_t UnixMillis(system_clock::time_point instant) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(instant.time_since_epoch()).count();
}

system_clock::time_point FromUnixMillis(int64_t millis) {
  return system_clock::time_point(std::chrono::milliseconds(millis));
}

int64_t IntegerOf(const Value& value) {
  if (const auto* number = std::get_if<int64_t>(&value)) return *number;
  if (const auto* real = std::get_if<double>(&value)) return static_cast<int64_t>(*real);
  return 0;
}

TableSpec OutboxTableSpec() {
  auto text = [](const char* name) {
    return ColumnSpec{.name = name, .type = ColumnType::kText, .not_null = true};
  };
  auto integer = [](const char* name) {
    return ColumnSpec{.name = name, .type = ColumnType::kInteger, .not_null = true};
  };
  auto nullable = [](const char* name) { return ColumnSpec{.name = name}; };
  return TableSpec{
      .name = std::string(AlertOutbox::kTable),
      .columns = {text("event_key"), text("sink"), integer("enqueue_order"), text("kind"),
                  text("pipeline"), nullable("run_id"), text("payload"), text("status"),
                  integer("attempts"), integer("rate_limited"), integer("next_attempt_ms"),
                  text("enqueued_at"), nullable("last_attempt_at"), nullable("finished_at"),
                  nullable("last_outcome")},
      .primary_key = {"event_key", "sink"}};
}

}  // namespace

AlertOutbox::AlertOutbox(Warehouse& warehouse, Clock& clock, std::vector<AlertSink> sinks,
                         AlertOutboxOptions options)
    : warehouse_(warehouse),
      clock_(clock),
      sinks_(std::move(sinks)),
      options_(std::move(options)) {}

// Ensured on every enqueue rather than remembered: the transaction that
// created the table may roll back, and events are rare.
Status AlertOutbox::EnsureTable() { return warehouse_.EnsureTable(OutboxTableSpec()); }

Result<int> AlertOutbox::Enqueue(const AlertEvent& event) {
  SW_RETURN_IF_ERROR(ValidateAlertEvent(event));
  if (event.kind == AlertKind::kSucceeded && !options_.on_success) return 0;
  const bool source_event =
      event.kind == AlertKind::kSourceStale || event.kind == AlertKind::kSourceFresh;
  if (source_event && !options_.on_stale_source) return 0;
  if (sinks_.empty()) return 0;
  AlertMessage message = PrepareAlert(event, options_.base_url);
  if (warehouse_.InTransaction()) return InsertRows(message);
  Transaction transaction(warehouse_);
  SW_RETURN_IF_ERROR(transaction.Begin());
  SW_ASSIGN_OR_RETURN(int inserted, InsertRows(message));
  SW_RETURN_IF_ERROR(transaction.Commit());
  return inserted;
}

Result<int> AlertOutbox::InsertRows(const AlertMessage& message) {
  SW_RETURN_IF_ERROR(EnsureTable());
  SW_ASSIGN_OR_RETURN(
      QueryResult last,
      warehouse_.QueryAll(fmt::format("SELECT COALESCE(MAX(enqueue_order), 0) FROM {}", kTable)));
  const int64_t order = IntegerOf(last.rows.at(0).at(0)) + 1;
  const system_clock::time_point now = clock_.Now();
  const std::string insert = fmt::format(
      "INSERT INTO {} (event_key, sink, enqueue_order, kind, pipeline, run_id, payload, status, "
      "attempts, rate_limited, next_attempt_ms, enqueued_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?) ON CONFLICT (event_key, sink) DO NOTHING",
      kTable);
  int inserted = 0;
  for (const AlertSink& sink : sinks_) {
    const AlertEvent& event = message.event;
    const Value params[] = {message.key,
                            sink.name,
                            order,
                            std::string(AlertKindName(event.kind)),
                            event.pipeline,
                            event.run_id.empty() ? Value() : Value(event.run_id),
                            sink.render(message),
                            std::string(kPending),
                            UnixMillis(now),
                            FormatUtcTimestamp(now)};
    SW_ASSIGN_OR_RETURN(int64_t changed, warehouse_.ExecuteWithParams(insert, params));
    inserted += static_cast<int>(changed);
  }
  return inserted;
}

Result<std::vector<OutboxAlert>> AlertOutbox::Due(std::string_view sink, int limit) {
  std::vector<OutboxAlert> due;
  SW_ASSIGN_OR_RETURN(bool exists, warehouse_.TableExists(kTable));
  if (!exists) return due;
  const Value params[] = {std::string(sink), std::string(kPending), UnixMillis(clock_.Now()),
                          int64_t{limit}};
  SW_RETURN_IF_ERROR(warehouse_.Query(
      fmt::format("SELECT event_key, sink, kind, payload, attempts, rate_limited FROM {} "
                  "WHERE sink = ? AND status = ? AND next_attempt_ms <= ? "
                  "ORDER BY enqueue_order, event_key LIMIT ?",
                  kTable),
      params, [&due](const Row& row) {
        due.push_back({.event_key = ValueToString(row.at(0)),
                       .sink = ValueToString(row.at(1)),
                       .kind = ValueToString(row.at(2)),
                       .payload = ValueToString(row.at(3)),
                       .attempts = static_cast<int>(IntegerOf(row.at(4))),
                       .rate_limited = static_cast<int>(IntegerOf(row.at(5)))});
        return Status::Ok();
      }));
  return due;
}

Result<std::optional<system_clock::time_point>> AlertOutbox::NextAttemptAt(
    std::span<const std::string> sinks) {
  std::optional<system_clock::time_point> earliest;
  SW_ASSIGN_OR_RETURN(bool exists, warehouse_.TableExists(kTable));
  if (!exists) return earliest;
  const std::string query =
      fmt::format("SELECT MIN(next_attempt_ms) FROM {} WHERE sink = ? AND status = ?", kTable);
  for (const std::string& sink : sinks) {
    const Value params[] = {sink, std::string(kPending)};
    SW_ASSIGN_OR_RETURN(QueryResult result, warehouse_.QueryAll(query, params));
    const Value& next = result.rows.at(0).at(0);
    if (IsNull(next)) continue;
    system_clock::time_point at = FromUnixMillis(IntegerOf(next));
    if (!earliest || at < *earliest) earliest = at;
  }
  return earliest;
}

Result<std::vector<std::pair<std::string, int64_t>>> AlertOutbox::PendingBySink() {
  std::vector<std::pair<std::string, int64_t>> pending;
  SW_ASSIGN_OR_RETURN(bool exists, warehouse_.TableExists(kTable));
  if (!exists) return pending;
  const Value params[] = {std::string(kPending)};
  SW_ASSIGN_OR_RETURN(
      QueryResult result,
      warehouse_.QueryAll(fmt::format("SELECT sink, COUNT(*) FROM {} WHERE status = ? "
                                      "GROUP BY sink ORDER BY sink",
                                      kTable),
                          params));
  for (const Row& row : result.rows)
    pending.emplace_back(ValueToString(row.at(0)), IntegerOf(row.at(1)));
  return pending;
}

Result<std::vector<OutboxStatusCount>> AlertOutbox::CountByStatus() {
  std::vector<OutboxStatusCount> counts;
  SW_ASSIGN_OR_RETURN(bool exists, warehouse_.TableExists(kTable));
  if (!exists) return counts;
  SW_ASSIGN_OR_RETURN(QueryResult result,
                      warehouse_.QueryAll(fmt::format("SELECT sink, status, COUNT(*) FROM {} "
                                                      "GROUP BY sink, status ORDER BY sink, status",
                                                      kTable)));
  for (const Row& row : result.rows)
    counts.push_back({ValueToString(row.at(0)), ValueToString(row.at(1)), IntegerOf(row.at(2))});
  return counts;
}

Status AlertOutbox::MarkDelivered(const OutboxAlert& alert, std::string_view outcome) {
  return Finish(alert, kDelivered, std::nullopt, outcome);
}

Status AlertOutbox::MarkFailed(const OutboxAlert& alert, std::string_view outcome) {
  return Finish(alert, kFailed, std::nullopt, outcome);
}

Status AlertOutbox::ScheduleRetry(const OutboxAlert& alert, system_clock::time_point at,
                                  std::string_view outcome) {
  return Finish(alert, kPending, at, outcome);
}

Status AlertOutbox::Finish(const OutboxAlert& alert, std::string_view status,
                           std::optional<system_clock::time_point> next_attempt,
                           std::string_view outcome) {
  const std::string now = FormatUtcTimestamp(clock_.Now());
  // A pending row keeps its next attempt time; a finished one gets finished_at.
  const Value params[] = {std::string(status),
                          int64_t{alert.attempts},
                          int64_t{alert.rate_limited},
                          next_attempt ? Value(UnixMillis(*next_attempt)) : Value(),
                          now,
                          next_attempt ? Value() : Value(now),
                          std::string(outcome),
                          alert.event_key,
                          alert.sink};
  return warehouse_
      .ExecuteWithParams(
          fmt::format("UPDATE {} SET status = ?, attempts = ?, rate_limited = ?, "
                      "next_attempt_ms = COALESCE(?, next_attempt_ms), last_attempt_at = ?, "
                      "finished_at = ?, last_outcome = ? WHERE event_key = ? AND sink = ?",
                      kTable),
          params)
      .status();
}

Status AlertOutbox::HoldSink(std::string_view sink, system_clock::time_point until) {
  const Value params[] = {UnixMillis(until), std::string(sink), std::string(kPending),
                          UnixMillis(until)};
  return warehouse_
      .ExecuteWithParams(fmt::format("UPDATE {} SET next_attempt_ms = ? WHERE sink = ? AND "
                                     "status = ? AND next_attempt_ms < ?",
                                     kTable),
                         params)
      .status();
}

}  // namespace silverwork
