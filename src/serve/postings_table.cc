#include "serve/postings_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <unordered_map>

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
constexpr size_t kFetchedColumns = std::size(kColumns) - 1;

constexpr std::string_view kFetchSql =
    "SELECT rowid, job_id, title, employer, start_date, end_date, province_name, work_place_name, "
    "employment_shape_name, job_class_name, headcount, is_open "
    "FROM fct_job_postings WHERE rowid IN (SELECT value FROM json_each(?))";

// A posting found by the search: its rowid and PostingKeyOf(job_id).
struct FoundPosting {
  int64_t rowid;
  uint32_t job_key;
  bool operator<(const FoundPosting& other) const { return rowid < other.rowid; }
};

// Postings whose title, employer, place or id contains `text`
// (case-insensitively for Latin letters), by ascending rowid.
Result<std::vector<FoundPosting>> SearchRowids(Warehouse& warehouse, const std::string& text) {
  std::vector<FoundPosting> rowids;
  const Value params[] = {text};
  SW_RETURN_IF_ERROR(warehouse.Query(
      "SELECT rowid, job_id FROM fct_job_postings "
      "WHERE instr(lower(coalesce(title, '')), lower(?1)) > 0 "
      "   OR instr(lower(coalesce(employer, '')), lower(?1)) > 0 "
      "   OR instr(lower(coalesce(work_place_name, '')), lower(?1)) > 0 "
      "   OR job_id = ?1",
      params, [&](const Row& row) {
        rowids.push_back({std::get<int64_t>(row[0]), PostingKeyOf(std::get<std::string>(row[1]))});
        return Status::Ok();
      }));
  std::sort(rowids.begin(), rowids.end());
  return rowids;
}

Status SnapshotBehind(const PostingRecord& record) {
  return Status(ErrorCode::kCancelled,
                fmt::format("{} (rowid {} holds another posting or none)", kSnapshotBehindTheTable,
                            record.rowid),
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
Status FetchRows(Warehouse& warehouse, std::span<const PostingRecord* const> records,
                 const std::function<void(const PostingRecord&, const Row&)>& on_row) {
  if (records.empty()) return Status::Ok();
  json rowids = json::array();
  for (const PostingRecord* record : records) rowids.push_back(record->rowid);
  std::unordered_map<int64_t, Row> by_rowid;
  const Value params[] = {rowids.dump()};
  SW_RETURN_IF_ERROR(warehouse.Query(kFetchSql, params, [&](const Row& row) {
    by_rowid.emplace(std::get<int64_t>(row[0]), Row(row.begin() + 1, row.end()));
    return Status::Ok();
  }));
  // Every row must be the posting the snapshot chose: check them all
  // before showing any.
  for (const PostingRecord* record : records) {
    auto found = by_rowid.find(record->rowid);
    if (found == by_rowid.end() || !std::holds_alternative<std::string>(found->second.at(0)) ||
        PostingKeyOf(std::get<std::string>(found->second.at(0))) != record->job_key)
      return SnapshotBehind(*record);
  }
  for (const PostingRecord* record : records) on_row(*record, by_rowid.at(record->rowid));
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
  std::vector<FoundPosting> found;
  if (!search.empty()) {
    SW_ASSIGN_OR_RETURN(found, SearchRowids(warehouse, search));
  }
  for (const PostingRecord& record :
       snapshot.PostingsInYears(query.filter.year_from, query.filter.year_to)) {
    if (!search.empty()) {
      // The search read the table as it is now; a rowid it found that names
      // another posting in the snapshot means the two no longer agree.
      auto at = std::lower_bound(found.begin(), found.end(), FoundPosting{record.rowid, 0});
      if (at == found.end() || at->rowid != record.rowid) continue;
      if (at->job_key != record.job_key) return SnapshotBehind(record);
    }
    if (!Matches(query.filter, record)) continue;
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
  SW_RETURN_IF_ERROR(FetchRows(warehouse, shown, [&](const PostingRecord& record, const Row& row) {
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
  return FetchRows(warehouse, records, [&](const PostingRecord& record, const Row& row) {
    for (const Value& value : row) {
      AppendCsvField(ValueToString(value), out);
      out += ',';
    }
    AppendCsvField(PreferenceLabels(snapshot, record.preferences), out);
    out += "\r\n";
  });
}

}  // namespace silverwork::serve
