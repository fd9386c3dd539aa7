#include "transform/runner/build_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>

namespace silverwork::transform {
namespace {

constexpr std::array<std::string_view, 7> kRelationColumns = {
    "relation", "version", "inputs", "merged", "base_version", "merge_key", "run_id"};
constexpr std::array<std::string_view, 4> kTestColumns = {"test_id", "sql_hash", "inputs",
                                                          "run_id"};

std::vector<std::string> Names(std::span<const std::string_view> columns) {
  return {columns.begin(), columns.end()};
}

std::string Text(const Value& value) {
  return IsNull(value) ? std::string() : ValueToString(value);
}

// merge_key is stored as a JSON array of column names.
std::string KeyJson(const std::vector<std::string>& key) { return nlohmann::json(key).dump(); }

std::vector<std::string> KeyFromJson(const std::string& text) {
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::string> key;
  if (!parsed.is_array()) return key;
  for (const auto& item : parsed)
    if (item.is_string()) key.push_back(item.get<std::string>());
  return key;
}

std::map<std::string, std::string> InputsFromJson(const std::string& text) {
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  std::map<std::string, std::string> inputs;
  if (!parsed.is_object()) return inputs;
  for (const auto& [id, version] : parsed.items())
    if (version.is_string()) inputs[id] = version.get<std::string>();
  return inputs;
}

Status DeleteRow(Warehouse& warehouse, std::string_view table, std::string_view key_column,
                 std::string_view key) {
  const Value params[] = {std::string(key)};
  return warehouse
      .ExecuteWithParams(
          fmt::format("DELETE FROM {} WHERE {} = ?", warehouse.dialect().QuoteIdentifier(table),
                      warehouse.dialect().QuoteIdentifier(key_column)),
          params)
      .status();
}

// Deletes the row keyed `key` from `table` and from `rows` (guarded by
// `mutex`, which is not held while the engine deletes); a no-op when the
// row is not known.
template <typename Rows>
Status ForgetRow(std::mutex& mutex, Rows& rows, Warehouse& warehouse, std::string_view table,
                 std::string_view key_column, std::string_view key) {
  {
    std::lock_guard lock(mutex);
    if (!rows.contains(key)) return Status::Ok();
  }
  SW_RETURN_IF_ERROR(DeleteRow(warehouse, table, key_column, key));
  std::lock_guard lock(mutex);
  if (auto found = rows.find(key); found != rows.end()) rows.erase(found);
  return Status::Ok();
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

Result<BuildState> BuildState::Load(Warehouse& warehouse) {
  SW_RETURN_IF_ERROR(warehouse.EnsureTable({std::string(kRelationStateTable),
                                            {{"relation", ColumnType::kText, true},
                                             {"version", ColumnType::kText, true},
                                             {"inputs", ColumnType::kText, false},
                                             {"merged", ColumnType::kInteger, true},
                                             {"base_version", ColumnType::kText, false},
                                             {"merge_key", ColumnType::kText, false},
                                             {"run_id", ColumnType::kText, false}},
                                            {"relation"}}));
  SW_RETURN_IF_ERROR(warehouse.EnsureTable({std::string(kTestStateTable),
                                            {{"test_id", ColumnType::kText, true},
                                             {"sql_hash", ColumnType::kText, true},
                                             {"inputs", ColumnType::kText, true},
                                             {"run_id", ColumnType::kText, false}},
                                            {"test_id"}}));
  BuildState state;
  const Dialect& dialect = warehouse.dialect();
  SW_RETURN_IF_ERROR(warehouse.Query(
      fmt::format("SELECT relation, version, inputs, merged, base_version, merge_key, run_id "
                  "FROM {}",
                  dialect.QuoteIdentifier(kRelationStateTable)),
      {}, [&](const Row& row) {
        RelationState relation{.version = Text(row.at(1)),
                               .inputs = Text(row.at(2)),
                               .merged = Text(row.at(3)) == "1",
                               .base_version = Text(row.at(4)),
                               .merge_key = KeyFromJson(Text(row.at(5))),
                               .run_id = Text(row.at(6))};
        state.relations_[Text(row.at(0))] = std::move(relation);
        return Status::Ok();
      }));
  SW_RETURN_IF_ERROR(warehouse.Query(fmt::format("SELECT test_id, sql_hash, inputs, run_id FROM {}",
                                                 dialect.QuoteIdentifier(kTestStateTable)),
                                     {}, [&](const Row& row) {
                                       state.tests_[Text(row.at(0))] =
                                           TestState{.sql_hash = Text(row.at(1)),
                                                     .inputs = InputsFromJson(Text(row.at(2))),
                                                     .run_id = Text(row.at(3))};
                                       return Status::Ok();
                                     }));
  return state;
}

BuildState::BuildState(BuildState&& other) noexcept {
  std::lock_guard lock(other.mutex_);
  relations_ = std::move(other.relations_);
  tests_ = std::move(other.tests_);
}

std::optional<RelationState> BuildState::Relation(std::string_view relation) const {
  std::lock_guard lock(mutex_);
  auto found = relations_.find(relation);
  if (found == relations_.end()) return std::nullopt;
  return found->second;
}

Status BuildState::Forget(Warehouse& warehouse, std::string_view relation) {
  return ForgetRow(mutex_, relations_, warehouse, kRelationStateTable, "relation", relation);
}

Status BuildState::Record(Warehouse& warehouse, const std::string& relation, RelationState state) {
  const Row row = {relation,           state.version,
                   state.inputs,       int64_t{state.merged ? 1 : 0},
                   state.base_version, KeyJson(state.merge_key),
                   state.run_id};
  const std::vector<std::string> key = {"relation"};
  SW_RETURN_IF_ERROR(
      warehouse.Upsert(kRelationStateTable, Names(kRelationColumns), key, std::span(&row, 1)));
  std::lock_guard lock(mutex_);
  relations_[relation] = std::move(state);
  return Status::Ok();
}

std::optional<TestState> BuildState::Test(std::string_view test_id) const {
  std::lock_guard lock(mutex_);
  auto found = tests_.find(test_id);
  if (found == tests_.end()) return std::nullopt;
  return found->second;
}

Status BuildState::ForgetTest(Warehouse& warehouse, std::string_view test_id) {
  return ForgetRow(mutex_, tests_, warehouse, kTestStateTable, "test_id", test_id);
}

Status BuildState::RecordTest(Warehouse& warehouse, const std::string& test_id, TestState state) {
  const Row row = {test_id, state.sql_hash, nlohmann::json(state.inputs).dump(), state.run_id};
  const std::vector<std::string> key = {"test_id"};
  SW_RETURN_IF_ERROR(
      warehouse.Upsert(kTestStateTable, Names(kTestColumns), key, std::span(&row, 1)));
  std::lock_guard lock(mutex_);
  tests_[test_id] = std::move(state);
  return Status::Ok();
}

std::string Fingerprint(std::initializer_list<std::string_view> parts) {
  uint64_t hash = 14695981039346656037ull;
  auto mix = [&](std::string_view bytes) {
    for (char c : bytes) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 1099511628211ull;
    }
  };
  for (std::string_view part : parts) {
    mix(fmt::format("{}:", part.size()));
    mix(part);
  }
  return fmt::format("{:016x}", hash);
}

std::string Fingerprint(const std::vector<std::string>& parts) {
  // Chained so that the list's order and boundaries count.
  std::string hash = Fingerprint({});
  for (const std::string& part : parts) hash = Fingerprint({hash, part});
  return hash;
}

bool IsNonDeterministic(std::string_view sql) {
  // Words outside comments and string literals, and the literal 'now'.
  static constexpr std::string_view kWords[] = {"now",
                                                "current_date",
                                                "current_time",
                                                "current_timestamp",
                                                "localtime",
                                                "localtimestamp",
                                                "random",
                                                "randomblob",
                                                "clock_timestamp",
                                                "statement_timestamp",
                                                "transaction_timestamp",
                                                "timeofday",
                                                "gen_random_uuid",
                                                "uuid"};
  auto lower = [](std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
  };
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else if (c == '\'' || c == '"') {
      size_t end = i + 1;
      while (end < sql.size() && (sql[end] != c || (end + 1 < sql.size() && sql[end + 1] == c)))
        end += sql[end] == c ? 2 : 1;
      if (c == '\'' && lower(sql.substr(i + 1, end - i - 1)) == "now") return true;
      i = end + 1;
    } else if (IsWordChar(c)) {
      size_t end = i;
      while (end < sql.size() && IsWordChar(sql[end])) ++end;
      std::string word = lower(sql.substr(i, end - i));
      if (std::find(std::begin(kWords), std::end(kWords), word) != std::end(kWords)) return true;
      // unixepoch() with no argument is the current time.
      if (word == "unixepoch" && sql.substr(end, 2) == "()") return true;
      i = end;
    } else {
      ++i;
    }
  }
  return false;
}

}  // namespace silverwork::transform
