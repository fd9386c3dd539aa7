#include "serve/postings_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <unordered_map>
#include <unordered_set>

namespace silverwork::serve {
namespace {

using nlohmann::json;

constexpr OptionSpec kTableOptions[] = {
    {.name = "page", .kind = OptionSpec::Kind::kInteger, .min = 1, .max = 1'000'000, .fallback = 1},
    {.name = "page_size",
     .kind = OptionSpec::Kind::kInteger,
     .min = 1,
     .max = kMaxPageSize,
     .fallback = 25},
    {.name = "q", .kind = OptionSpec::Kind::kText, .max_length = 100},
};

// The columns a table row and a CSV line carry, in order; "preferences"
// comes from the record, the rest from fct_job_postings.
constexpr std::string_view kColumns[] = {
    "job_id",         "title",         "employer",        "start_date",
    "end_date",       "province_name", "work_place_name", "employment_shape_name",
    "job_class_name", "headcount",     "is_open",         "preferences"};

// Job ids, compared as the string views the snapshot holds.
struct JobIdHash {
  using is_transparent = void;
  size_t operator()(std::string_view id) const { return std::hash<std::string_view>()(id); }
};
using JobIdSet = std::unordered_set<std::string, JobIdHash, std::equal_to<>>;

// `text` as a LIKE pattern matching it anywhere, its own % _ and \ taken
// literally (ESCAPE '\').
std::string ContainsPattern(std::string_view text) {
  std::string pattern = "%";
  for (char ch : text) {
    if (ch == '%' || ch == '_' || ch == '\\') pattern += '\\';
    pattern += ch;
  }
  return pattern + "%";
}

// Job ids of postings whose title, employer or place contains `text`
// (case-insensitively for Latin letters), or whose id is `text`. LIKE, not
// a function, so that one statement runs on every engine.
Result<JobIdSet> SearchJobIds(Warehouse& warehouse, const std::string& text) {
  constexpr std::string_view kSql =
      "SELECT job_id FROM fct_job_postings WHERE job_id = ? "
      "OR lower(coalesce(title, '')) LIKE lower(CAST(? AS TEXT)) ESCAPE '\\' "
      "OR lower(coalesce(employer, '')) LIKE lower(CAST(? AS TEXT)) ESCAPE '\\' "
      "OR lower(coalesce(work_place_name, '')) LIKE lower(CAST(? AS TEXT)) ESCAPE '\\'";
  const std::string pattern = ContainsPattern(text);
  const Value params[] = {text, pattern, pattern, pattern};
  JobIdSet job_ids;
  SW_RETURN_IF_ERROR(warehouse.Query(kSql, params, [&](const Row& row) {
    job_ids.insert(ValueToString(row[0]));
    return Status::Ok();
  }));
  return job_ids;
}

// A posting the snapshot chose that the table no longer holds: a build is
// rewriting it (postings_table.h).
Status SnapshotBehind(const ServingSnapshot& snapshot, const PostingRecord& record) {
  return Status(ErrorCode::kCancelled,
                fmt::format("{} (posting {} is no longer in it)", kSnapshotBehindTheTable,
                            snapshot.JobIdOf(record)),
                "a build is rewriting the postings; serve reloads when it finishes: try again "
                "in a moment");
}

bool Matches(const ChartFilter& filter, const PostingRecord& record) {
  return filter.HasYear(record.year) && filter.provinces.Contains(record.province) &&
         filter.shapes.Contains(record.shape) && filter.job_classes.Contains(record.job_class) &&
         (filter.preferences == 0 || (record.preferences & filter.preferences) != 0);
}

std::string PreferenceLabels(const ServingSnapshot& snapshot, PreferenceMask mask) {
  std::string labels;
  for (PreferenceMask bits = mask; bits != 0; bits &= bits - 1) {
    if (!labels.empty()) labels += "; ";
    labels += snapshot.preferences.at(static_cast<size_t>(std::countr_zero(bits))).label;
  }
  return labels;
}

// Calls on_row(record, fetched columns) for each record, in the records' order.
Status FetchRows(const ServingSnapshot& snapshot, Warehouse& warehouse,
                 std::span<const PostingRecord* const> records,
                 const std::function<void(const PostingRecord&, const Row&)>& on_row) {
  if (records.empty()) return Status::Ok();
  std::string sql =
      "SELECT job_id, title, employer, start_date, end_date, province_name, work_place_name, "
      "employment_shape_name, job_class_name, headcount, is_open "
      "FROM fct_job_postings WHERE job_id IN (";
  std::vector<Value> job_ids;
  job_ids.reserve(records.size());
  for (const PostingRecord* record : records) {
    sql += job_ids.empty() ? "?" : ", ?";
    job_ids.emplace_back(std::string(snapshot.JobIdOf(*record)));
  }
  sql += ")";
  std::unordered_map<std::string, Row, JobIdHash, std::equal_to<>> by_job_id;
  SW_RETURN_IF_ERROR(warehouse.Query(sql, job_ids, [&](const Row& row) {
    by_job_id.emplace(ValueToString(row[0]), row);
    return Status::Ok();
  }));
  // Every posting the snapshot chose must still be in the table: check them
  // all before showing any.
  for (const PostingRecord* record : records) {
    if (!by_job_id.contains(snapshot.JobIdOf(*record))) return SnapshotBehind(snapshot, *record);
  }
  for (const PostingRecord* record : records)
    on_row(*record, by_job_id.find(snapshot.JobIdOf(*record))->second);
  return Status::Ok();
}

json CellJson(const Value& value) {
  if (IsNull(value)) return nullptr;
  if (const auto* integer = std::get_if<int64_t>(&value)) return *integer;
  if (const auto* real = std::get_if<double>(&value)) return *real;
  return std::get<std::string>(value);
}

// RFC 4180 quoting; a leading = + - @ (a spreadsheet formula) is defused
// with an apostrophe.
void AppendCsvField(std::string_view field, std::string& out) {
  const bool formula =
      !field.empty() && std::string_view("=+-@\t\r").find(field[0]) != std::string_view::npos;
  const bool quote = formula || field.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out += field;
    return;
  }
  out += '"';
  if (formula) out += '\'';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

std::span<const OptionSpec> PostingsTableOptions() { return kTableOptions; }

Status ForEachMatchingPosting(const ServingSnapshot& snapshot, const ParsedQuery& query,
                              Warehouse& warehouse,
                              const std::function<void(const PostingRecord&)>& on_match) {
  const std::string& search = query.Text("q");
  JobIdSet found;
  if (!search.empty()) {
    SW_ASSIGN_OR_RETURN(found, SearchJobIds(warehouse, search));
  }
  for (const PostingRecord& record :
       snapshot.PostingsInYears(query.filter.year_from, query.filter.year_to)) {
    if (!Matches(query.filter, record)) continue;
    if (!search.empty() && !found.contains(snapshot.JobIdOf(record))) continue;
    on_match(record);
  }
  return Status::Ok();
}

Result<json> PostingsPage(const ServingSnapshot& snapshot, const ParsedQuery& query,
                          Warehouse& warehouse) {
  const int64_t page_size = query.Integer("page_size");
  const int64_t page = query.Integer("page");
  const size_t begin = static_cast<size_t>((page - 1) * page_size);
  const size_t end = begin + static_cast<size_t>(page_size);
  size_t total = 0;
  std::vector<const PostingRecord*> shown;
  SW_RETURN_IF_ERROR(
      ForEachMatchingPosting(snapshot, query, warehouse, [&](const PostingRecord& record) {
        if (total >= begin && total < end) shown.push_back(&record);
        ++total;
      }));
  json rows = json::array();
  SW_RETURN_IF_ERROR(FetchRows(snapshot, warehouse, shown, [&](const PostingRecord& record, const Row& row) {
    json cells = json::array();
    for (const Value& value : row) cells.push_back(CellJson(value));
    cells.push_back(PreferenceLabels(snapshot, record.preferences));
    rows.push_back(std::move(cells));
  }));
  return json{{"total", total},
              {"page", page},
              {"page_size", page_size},
              {"columns", kColumns},
              {"rows", std::move(rows)}};
}

std::string PostingsCsvHeader() {
  std::string header = "\xEF\xBB\xBF";
  for (size_t column = 0; column < std::size(kColumns); ++column) {
    if (column > 0) header += ',';
    header += kColumns[column];
  }
  return header + "\r\n";
}

Status AppendPostingsCsv(const ServingSnapshot& snapshot,
                         std::span<const PostingRecord* const> records, Warehouse& warehouse,
                         std::string& out) {
  return FetchRows(snapshot, warehouse, records, [&](const PostingRecord& record, const Row& row) {
    for (const Value& value : row) {
      AppendCsvField(ValueToString(value), out);
      out += ',';
    }
    AppendCsvField(PreferenceLabels(snapshot, record.preferences), out);
    out += "\r\n";
  });
}

}  // namespace silverwork::serve
