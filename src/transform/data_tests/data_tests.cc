#include "transform/data_tests/data_tests.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>

namespace silverwork::transform {
namespace {

nlohmann::json ToJson(const Value& value) {
  if (const auto* integer = std::get_if<int64_t>(&value)) return *integer;
  if (const auto* real = std::get_if<double>(&value))
    return std::isfinite(*real) ? nlohmann::json(*real) : nlohmann::json(nullptr);
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  return nullptr;
}

}  // namespace

Result<TestOutcome> RunDataTest(Warehouse& warehouse, const std::string& sql, Severity severity) {
  TestOutcome outcome;
  std::vector<std::string> columns;
  nlohmann::json rows = nlohmann::json::array();
  SW_RETURN_IF_ERROR(warehouse.Query(
      sql, {},
      [&](const Row& row) {
        if (static_cast<size_t>(outcome.failures) < kMaxStoredFailingRows) {
          nlohmann::json object = nlohmann::json::object();
          for (size_t i = 0; i < row.size() && i < columns.size(); ++i)
            object[columns[i]] = ToJson(row[i]);
          rows.push_back(std::move(object));
        }
        ++outcome.failures;
        return Status::Ok();
      },
      &columns));
  outcome.rows_json = rows.dump();
  if (outcome.failures == 0) {
    outcome.status = NodeStatus::kPass;
    outcome.message = "passed";
  } else {
    outcome.status = severity == Severity::kWarn ? NodeStatus::kWarn : NodeStatus::kFail;
    outcome.message =
        fmt::format("{} failing row{}", outcome.failures, outcome.failures == 1 ? "" : "s");
  }
  return outcome;
}

Status EnsureAuditTable(Warehouse& warehouse) {
  return warehouse.EnsureTable({std::string(kAuditTable),
                                {{"run_id", ColumnType::kText, true},
                                 {"test_id", ColumnType::kText, true},
                                 {"status", ColumnType::kText, true},
                                 {"failures", ColumnType::kInteger, true},
                                 {"rows_json", ColumnType::kText, false},
                                 {"executed_at", ColumnType::kText, true}},
                                {}});
}

Status RecordTestOutcome(Warehouse& warehouse, const std::string& run_id,
                         const std::string& test_id, const TestOutcome& outcome,
                         const std::string& executed_at) {
  const Dialect& dialect = warehouse.dialect();
  static constexpr std::string_view kColumns[] = {"run_id",   "test_id",   "status",
                                                  "failures", "rows_json", "executed_at"};
  std::vector<std::string> quoted;
  for (std::string_view column : kColumns) quoted.push_back(dialect.QuoteIdentifier(column));
  const Value params[] = {
      run_id,           test_id,           std::string(NodeStatusName(outcome.status)),
      outcome.failures, outcome.rows_json, executed_at};
  return warehouse
      .ExecuteWithParams(fmt::format("INSERT INTO {} ({}) VALUES (?, ?, ?, ?, ?, ?)",
                                     dialect.QuoteIdentifier(kAuditTable), fmt::join(quoted, ", ")),
                         params)
      .status();
}

}  // namespace silverwork::transform
