#include "ingest/raw_tables.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "warehouse/engine_traits.h"

namespace silverwork {

const std::array<std::string_view, 17> kPostingListFields = {
    "jobId",  "acptMthd", "deadline", "emplymShp", "emplymShpNm", "frDd",
    "jobcls", "jobclsNm", "oranNm",   "organYn",   "recrtTitle",  "stmId",
    "stmNm",  "toDd",     "workPlc",  "workPlcNm", "_extra_list"};

const std::array<std::string_view, 23> kPostingDetailFields = {
    "acptMthdCd",  "age",     "ageLim", "clerk",    "clerkContt",   "clltPrnnum",
    "createDy",    "detCnts", "etcItm", "frAcptDd", "homepage",     "lnkStmId",
    "plDetAddr",   "plbizNm", "repr",   "toAcptDd", "updDy",        "wantedAuthNo",
    "wantedTitle", "organYn", "stmId",  "jobId",    "_extra_detail"};

namespace {

// Bookkeeping columns of raw_postings, in table order.
constexpr std::array<std::string_view, 9> kPostingBookkeeping = {
    "_list_hash",     "_list_run_id",      "_list_loaded_at", "_detail_status", "_detail_list_hash",
    "_detail_run_id", "_detail_loaded_at", "_run_id",         "_loaded_at"};

// Bookkeeping columns of raw_projects, in table order (see ProjectsLoader).
constexpr std::array<std::string_view, 6> kProjectBookkeeping = {
    "_file_id", "_file_year", "_extra", "_run_id", "_loaded_at", "_file_pass"};

bool IsListField(std::string_view name) {
  for (size_t index = 0; index + 1 < kPostingListFields.size(); ++index)
    if (kPostingListFields[index] == name) return true;
  return false;
}

bool IsDetailField(std::string_view name) {
  for (size_t index = 0; index + 1 < kPostingDetailFields.size(); ++index)
    if (kPostingDetailFields[index] == name) return true;
  return false;
}

TableSpec RawPostingsSpec() {
  TableSpec spec{std::string(kRawPostingsTable), {}, {"jobId"}};
  std::set<std::string_view> seen;
  auto add = [&](std::string_view name) {
    if (seen.insert(name).second) spec.columns.push_back({std::string(name), ColumnType::kText});
  };
  for (auto name : kPostingListFields) add(name);
  for (auto name : kPostingDetailFields) add(name);
  for (auto name : kPostingBookkeeping) add(name);
  return spec;
}

TableSpec RawProjectsSpec() {
  TableSpec spec{std::string(kRawProjectsTable), {}, {"projNo", "projYear", "projPlanChangeNo"}};
  for (const auto& name : ProjectColumnMap::CanonicalColumns())
    spec.columns.push_back({name, ColumnType::kText});
  for (std::string_view name : kProjectBookkeeping)
    spec.columns.push_back({std::string(name), ColumnType::kText});
  return spec;
}

std::string ExtraJson(const Fields& item, bool (*known)(std::string_view)) {
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();
  for (const auto& field : item)
    if (!known(field.name)) extra[field.name] = field.value;
  return extra.empty() ? std::string() : extra.dump();
}

Value TextOrNull(const std::string* text) { return text == nullptr ? Value{} : Value{*text}; }

// Canonical column -> every spelling seen across the years (spec section 2).
const std::vector<std::pair<std::string, std::vector<std::string>>>& BuiltInAliases() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> aliases = {
      {"projType", {"사업유형"}},
      {"projNo", {"사업번호"}},
      {"projPlanChangeNo", {"사업계획변경순번"}},
      {"projYear", {"사업년도", "사업연도"}},
      {"contProjYn", {"계속사업여부"}},
      {"contProjStartYear", {"계속사업시작연도", "계속사업시작년도"}},
      // "노노케어(A-01)": name and code together; staging splits them.
      {"projTypeCdNm", {"사업유형코드", "사업유형상세"}},
      {"nonBudgYn", {"비예산여부"}},
      // 2020 carries a budget division code (101001 …) instead of a Y/N.
      {"budgetDivCd", {"예산구분"}},
      {"specProjCd", {"특수사업명코드", "특수사업코드"}},
      {"projNm", {"사업명"}},
      {"admProvNm", {"관할시도명", "관활시도명"}},
      {"admDistCd", {"시군구코드"}},
      {"admDistNm", {"관할시군구"}},
      {"institutionId", {"기관ID", "기관아이디"}},
      {"instProvNm", {"수행기관시도명"}},
      {"instDistNm", {"수행기관시군구"}},
      {"projStartDd", {"사업기간시작일"}},
      {"projEndDd", {"사업기간종료일"}},
      {"planStatusCd", {"사업계획서상태코드"}},
      {"targetEmployment", {"목표일자리수"}},
      {"firstlAttachment", {"최초등록첨부파일"}},
      {"recentApprovalAttachment", {"최근승인첨부파일"}},
      {"delYn", {"삭제여부"}},
      {"projContent", {"사업내용"}},
      {"consignYn", {"위탁여부"}},
  };
  return aliases;
}

}  // namespace

void AssignTextOrNull(std::optional<std::string_view> text, Value& value) {
  if (!text) {
    value = std::monostate{};
  } else if (std::string* existing = std::get_if<std::string>(&value)) {
    existing->assign(*text);
  } else {
    value = std::string(*text);
  }
}

const std::vector<std::string>& RawPostingsColumns() {
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> names;
    for (const ColumnSpec& column : RawPostingsSpec().columns) names.push_back(column.name);
    return names;
  }();
  return columns;
}

namespace {

// A secondary index of a raw table, and whether a reload keeps it while it
// loads (it reads it itself) or may drop it and create it again at the end.
struct RawIndex {
  std::string_view name;
  std::string_view definition;  // what follows CREATE INDEX IF NOT EXISTS <name> ON
  bool read_by_reload;
};

// The detail phase walks postings by start date; the list pass finds the
// oldest posting held open, and the models the statuses that disagree with
// their dates, by status and deadline; incremental models read what was
// loaded since their last build. A projects file's rows are replaced,
// counted and hashed by file id (during a reload too).
constexpr RawIndex kRawIndexes[] = {
    {"raw_postings_frdd", "raw_postings(frDd, jobId)", false},
    {"raw_postings_status", "raw_postings(deadline, toDd, frDd)", false},
    {"raw_postings_loaded_at", "raw_postings(_loaded_at)", false},
    {"raw_projects_loaded_at", "raw_projects(_loaded_at)", true},
    {"raw_projects_file", "raw_projects(_file_id)", true},
};

std::string CreateRawIndexesSql() {
  std::string sql;
  for (const RawIndex& index : kRawIndexes)
    sql += fmt::format("CREATE INDEX IF NOT EXISTS {} ON {};", index.name, index.definition);
  return sql;
}

}  // namespace

Status EnsureRawTables(Warehouse& warehouse) {
  SW_RETURN_IF_ERROR(warehouse.EnsureTable(RawPostingsSpec()));
  SW_RETURN_IF_ERROR(warehouse.EnsureTable(RawProjectsSpec()));
  return warehouse.Execute(CreateRawIndexesSql());
}

Status EmptyRawTablesForReload(Warehouse& warehouse) {
  std::string sql = "DELETE FROM raw_postings; DELETE FROM raw_projects;";
  if (warehouse.traits().rebuilds_indexes_after_bulk_load())
    for (const RawIndex& index : kRawIndexes)
      if (!index.read_by_reload) sql += fmt::format("DROP INDEX IF EXISTS {};", index.name);
  return warehouse.Execute(sql);
}

Status RecreateRawIndexes(Warehouse& warehouse) { return warehouse.Execute(CreateRawIndexesSql()); }

std::string ContentHash::Hex() const {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(state_));
  return text;
}

std::string ListItemHash(const Fields& item) {
  ContentHash hash;
  for (const auto& field : item) {
    hash.Mix(field.name);
    hash.Mix("\x1f");
    hash.Mix(field.value);
    hash.Mix("\x1e");
  }
  return hash.Hex();
}

const std::vector<std::string>& PostingsLoader::ListColumns() {
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> names(kPostingListFields.begin(), kPostingListFields.end());
    for (const char* name :
         {"_list_hash", "_list_run_id", "_list_loaded_at", "_run_id", "_loaded_at"})
      names.emplace_back(name);
    return names;
  }();
  return columns;
}

std::optional<Row> PostingsLoader::ListRow(const Fields& item, const LoadStamp& stamp) {
  const std::string* job_id = FindField(item, "jobId");
  if (job_id == nullptr || job_id->empty()) {
    ++skipped_without_id_;
    return std::nullopt;
  }
  Row row;
  row.reserve(ListColumns().size());
  for (size_t index = 0; index + 1 < kPostingListFields.size(); ++index)
    row.push_back(TextOrNull(FindField(item, kPostingListFields[index])));
  std::string extra = ExtraJson(item, &IsListField);
  row.push_back(extra.empty() ? Value{} : Value{std::move(extra)});
  row.push_back(ListItemHash(item));
  row.push_back(stamp.run_id);
  row.push_back(stamp.loaded_at);
  row.push_back(stamp.run_id);
  row.push_back(stamp.loaded_at);
  return row;
}

Result<int64_t> PostingsLoader::LoadListPage(const EnvelopePage& page, const LoadStamp& stamp) {
  static const std::vector<std::string> key = {"jobId"};
  std::vector<Row> rows;
  rows.reserve(page.items.size());
  for (const auto& item : page.items)
    if (std::optional<Row> row = ListRow(item, stamp)) rows.push_back(std::move(*row));
  SW_RETURN_IF_ERROR(warehouse_.Upsert(kRawPostingsTable, ListColumns(), key, rows));
  return static_cast<int64_t>(rows.size());
}

namespace {

// The detail columns a getJobInfo answer writes, in statement order. A
// detail answer owns the detail columns; organYn and stmId come in both
// answers, so a NODATA answer (no item) leaves the list's values alone.
std::vector<std::string> MakeDetailColumns(bool with_shared) {
  std::vector<std::string> names;
  for (size_t index = 0; index + 1 < kPostingDetailFields.size(); ++index) {
    std::string_view name = kPostingDetailFields[index];
    if (!with_shared && (name == "organYn" || name == "stmId")) continue;
    names.emplace_back(name);
  }
  for (const char* name : {"_extra_detail", "_detail_status", "_detail_run_id", "_detail_loaded_at",
                           "_run_id", "_loaded_at"})
    names.emplace_back(name);
  return names;
}
constexpr size_t kDetailBookkeepingColumns = 6;  // the names appended above

// Upserts one detail row and, in the same statement, records that the
// detail matches the posting's current list item (_detail_list_hash =
// _list_hash): in a run the list phase is over before details load, and
// replaying the lake in order reproduces the same state. One statement
// instead of an upsert plus an UPDATE writes each row once, and its text is
// the same for every row, so it is prepared once.
std::string DetailUpsertSql(const Dialect& dialect, const std::vector<std::string>& columns) {
  const std::string table = dialect.QuoteIdentifier(kRawPostingsTable);
  std::string names, placeholders, updates;
  for (const std::string& column : columns) {
    const std::string quoted = dialect.QuoteIdentifier(column);
    if (!names.empty()) {
      names += ", ";
      placeholders += ", ";
    }
    names += quoted;
    placeholders += '?';
    if (column == "jobId") continue;
    updates += quoted + " = excluded." + quoted + ", ";
  }
  updates += dialect.QuoteIdentifier("_detail_list_hash") + " = " + table + "." +
             dialect.QuoteIdentifier("_list_hash");
  return "INSERT INTO " + table + "(" + names + ") VALUES(" + placeholders + ") ON CONFLICT(" +
         dialect.QuoteIdentifier("jobId") + ") DO UPDATE SET " + updates;
}

// Keys per UPDATE of DetailsMatchListSql: well under every engine's limit
// on parameters.
constexpr size_t kKeysPerStatement = 1000;

// What DetailUpsertSql does beside its upsert, for `keys` rows at once:
// their details match their current list items.
std::string DetailsMatchListSql(const Dialect& dialect, size_t keys) {
  std::string placeholders;
  for (size_t index = 0; index < keys; ++index) placeholders += index == 0 ? "?" : ", ?";
  return "UPDATE " + dialect.QuoteIdentifier(kRawPostingsTable) + " SET " +
         dialect.QuoteIdentifier("_detail_list_hash") + " = " +
         dialect.QuoteIdentifier("_list_hash") + " WHERE " + dialect.QuoteIdentifier("jobId") +
         " IN (" + placeholders + ")";
}

// One Upsert per run of details with the same columns (answers and "no
// data" ones differ), in order, then the list-hash mark for all of them in a
// few statements: a handful of round trips instead of one per detail, for
// engines where each statement is one (EngineTraits::statements_are_round_trips).
// The same rows as DetailUpsertSql's, row by row.
Status LoadDetailsInBulk(Warehouse& warehouse, std::span<const DetailResult> details,
                         const LoadStamp& stamp) {
  static const std::vector<std::string> key = {"jobId"};
  std::vector<Row> rows;
  const std::vector<std::string>* rows_columns = nullptr;
  for (const auto& detail : details) {
    const auto& columns = PostingsLoader::DetailColumns(!detail.page.items.empty());
    if (rows_columns != &columns && !rows.empty()) {
      SW_RETURN_IF_ERROR(warehouse.Upsert(kRawPostingsTable, *rows_columns, key, rows));
      rows.clear();
    }
    rows_columns = &columns;
    rows.push_back(PostingsLoader::DetailRow(detail, stamp));
  }
  if (!rows.empty())
    SW_RETURN_IF_ERROR(warehouse.Upsert(kRawPostingsTable, *rows_columns, key, rows));
  for (size_t begin = 0; begin < details.size(); begin += kKeysPerStatement) {
    const size_t count = std::min(kKeysPerStatement, details.size() - begin);
    std::vector<Value> keys;
    keys.reserve(count);
    for (size_t index = begin; index < begin + count; ++index)
      keys.push_back(details[index].job_id);
    SW_RETURN_IF_ERROR(
        warehouse.ExecuteWithParams(DetailsMatchListSql(warehouse.dialect(), count), keys)
            .status());
  }
  return Status::Ok();
}

}  // namespace

const std::vector<std::string>& PostingsLoader::DetailColumns(bool answered) {
  static const std::vector<std::string> found_columns = MakeDetailColumns(true);
  static const std::vector<std::string> nodata_columns = MakeDetailColumns(false);
  return answered ? found_columns : nodata_columns;
}

// Detail fields, then the bookkeeping columns.
Row PostingsLoader::DetailRow(const DetailResult& detail, const LoadStamp& stamp) {
  // 0, 1, 2, ...: each value at its own column; made once, not per detail.
  static const std::vector<size_t> in_order = [] {
    std::vector<size_t> positions(
        std::max(DetailColumns(true).size(), DetailColumns(false).size()));
    for (size_t index = 0; index < positions.size(); ++index) positions[index] = index;
    return positions;
  }();
  const size_t width = DetailColumns(!detail.page.items.empty()).size();
  Row row(width);
  DetailRowInto(detail, stamp, std::span(in_order).first(width), row);
  return row;
}

void PostingsLoader::DetailRowInto(const DetailResult& detail, const LoadStamp& stamp,
                                   std::span<const size_t> positions, Row& out) {
  const Fields* item = detail.page.items.empty() ? nullptr : &detail.page.items.front();
  const std::vector<std::string>& columns = DetailColumns(item != nullptr);
  size_t at = 0;
  auto put = [&](const std::string* text) {
    AssignTextOrNull(text == nullptr ? std::nullopt : std::optional<std::string_view>(*text),
                     out[positions[at++]]);
  };
  for (size_t index = 0; index + kDetailBookkeepingColumns < columns.size(); ++index) {
    const std::string& name = columns[index];
    // The key is the id we asked for.
    put(name == "jobId" ? &detail.job_id : item == nullptr ? nullptr : FindField(*item, name));
  }
  const std::string extra = item == nullptr ? std::string() : ExtraJson(*item, &IsDetailField);
  put(extra.empty() ? nullptr : &extra);
  static const std::string kOk = "ok", kNodata = "nodata";
  put(item == nullptr ? &kNodata : &kOk);
  put(&stamp.run_id);
  put(&stamp.loaded_at);
  put(&stamp.run_id);
  put(&stamp.loaded_at);
}

void PostingsLoader::WarnOnMismatchedIds(std::span<const DetailResult> details) {
  for (const auto& detail : details) {
    if (detail.page.items.empty()) continue;
    const std::string* sent = FindField(detail.page.items.front(), "jobId");
    if (sent != nullptr && *sent != detail.job_id)
      spdlog::warn("getJobInfo id={} answered jobId {}", detail.job_id, *sent);
  }
}

Result<int64_t> PostingsLoader::LoadDetails(std::span<const DetailResult> details,
                                            const LoadStamp& stamp) {
  WarnOnMismatchedIds(details);
  if (warehouse_.traits().statements_are_round_trips()) {
    SW_RETURN_IF_ERROR(LoadDetailsInBulk(warehouse_, details, stamp));
    return static_cast<int64_t>(details.size());
  }
  if (found_sql_.empty()) {
    found_sql_ = DetailUpsertSql(warehouse_.dialect(), DetailColumns(true));
    nodata_sql_ = DetailUpsertSql(warehouse_.dialect(), DetailColumns(false));
  }
  for (const auto& detail : details) {
    const bool found = !detail.page.items.empty();
    SW_RETURN_IF_ERROR(
        warehouse_.ExecuteWithParams(found ? found_sql_ : nodata_sql_, DetailRow(detail, stamp))
            .status());
  }
  return static_cast<int64_t>(details.size());
}

ProjectColumnMap::ProjectColumnMap(const std::map<std::string, std::vector<std::string>>& extra) {
  for (const auto& [canonical, names] : BuiltInAliases())
    for (const auto& name : names) by_korean_[name] = canonical;
  for (const auto& [canonical, names] : extra)
    for (const auto& name : names) by_korean_[name] = canonical;
  // Canonical names themselves are accepted too (an English-headed file).
  for (const auto& [canonical, names] : BuiltInAliases()) by_korean_[canonical] = canonical;
}

const std::string* ProjectColumnMap::Canonical(std::string_view korean) const {
  auto found = by_korean_.find(korean);
  return found == by_korean_.end() ? nullptr : &found->second;
}

const std::vector<std::string>& ProjectColumnMap::CanonicalColumns() {
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> names;
    for (const auto& [canonical, aliases] : BuiltInAliases()) names.push_back(canonical);
    return names;
  }();
  return columns;
}

Result<int64_t> ProjectsLoader::LoadPage(const EnvelopePage& page, std::optional<int> file_year,
                                         std::string_view file_id, const LoadStamp& stamp,
                                         std::string_view file_pass) {
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> names = ProjectColumnMap::CanonicalColumns();
    for (std::string_view name : kProjectBookkeeping) names.emplace_back(name);
    return names;
  }();
  static const std::vector<std::string> key = {"projNo", "projYear", "projPlanChangeNo"};
  const auto& canonical_columns = ProjectColumnMap::CanonicalColumns();
  std::map<std::string_view, size_t> position;
  for (size_t index = 0; index < canonical_columns.size(); ++index)
    position[canonical_columns[index]] = index;

  std::vector<Row> rows;
  rows.reserve(page.items.size());
  for (const auto& item : page.items) {
    Row row(columns.size());
    nlohmann::ordered_json extra = nlohmann::ordered_json::object();
    for (const auto& field : item) {
      const std::string* canonical = columns_.Canonical(field.name);
      if (canonical == nullptr) {
        extra[field.name] = field.value;
        unknown_columns_[std::string(file_id)].insert(field.name);
        continue;
      }
      row[position.at(*canonical)] = field.value;
    }
    bool has_key = true;
    for (const auto& key_column : key) {
      const Value& value = row[position.at(key_column)];
      if (IsNull(value) || std::get<std::string>(value).empty()) has_key = false;
    }
    if (!has_key) {
      ++rejected_rows_;
      continue;
    }
    size_t next = canonical_columns.size();
    row[next++] = std::string(file_id);
    row[next++] = file_year ? Value{std::to_string(*file_year)} : Value{};
    row[next++] = extra.empty() ? Value{} : Value{extra.dump()};
    row[next++] = stamp.run_id;
    row[next++] = stamp.loaded_at;
    row[next++] = file_pass.empty() ? Value{} : Value{std::string(file_pass)};
    rows.push_back(std::move(row));
  }
  SW_RETURN_IF_ERROR(warehouse_.Upsert(kRawProjectsTable, columns, key, rows));
  return static_cast<int64_t>(rows.size());
}

}  // namespace silverwork
