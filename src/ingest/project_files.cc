#include "ingest/project_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace silverwork {
namespace {

constexpr std::array<std::string_view, 12> kRegistryColumns = {
    "file_id",      "summary",   "published_on", "file_year",
    "row_years",    "row_count", "content_hash", "first_seen_at",
    "last_seen_at", "published", "collected_by", "pass_started_by"};

TableSpec RegistrySpec() {
  TableSpec spec{std::string(kProjectFilesTable), {}, {"file_id"}};
  for (std::string_view name : kRegistryColumns) {
    bool integer = name == "file_year" || name == "row_count" || name == "published";
    spec.columns.push_back({std::string(name), integer ? ColumnType::kInteger : ColumnType::kText});
  }
  return spec;
}

Value TextOrNull(const std::string& text) { return text.empty() ? Value{} : Value{text}; }

std::string JoinYears(const std::vector<std::string>& years) {
  std::string joined;
  for (const auto& year : years) joined += (joined.empty() ? "" : ",") + year;
  return joined;
}

std::vector<std::string> SplitYears(const std::string& joined) {
  std::vector<std::string> years;
  size_t start = 0;
  while (start < joined.size()) {
    size_t comma = joined.find(',', start);
    if (comma == std::string::npos) comma = joined.size();
    years.push_back(joined.substr(start, comma - start));
    start = comma + 1;
  }
  return years;
}

Row RecordRow(const ProjectFileRecord& record) {
  return Row{record.file_id,
             TextOrNull(record.summary),
             record.published_on ? Value{record.published_on->Iso()} : Value{},
             record.file_year ? Value{int64_t{*record.file_year}} : Value{},
             TextOrNull(JoinYears(record.row_years)),
             record.row_count,
             TextOrNull(record.content_hash),
             TextOrNull(record.first_seen_at),
             TextOrNull(record.last_seen_at),
             record.published ? Value{int64_t{*record.published ? 1 : 0}} : Value{},
             TextOrNull(record.collected_by),
             TextOrNull(record.pass_started_by)};
}

std::optional<int64_t> IntegerOf(const Value& value) {
  if (const auto* integer = std::get_if<int64_t>(&value)) return *integer;
  if (const auto* text = std::get_if<std::string>(&value)) return std::atoll(text->c_str());
  return std::nullopt;
}

ProjectFileRecord RecordFromRow(const Row& row) {
  ProjectFileRecord record;
  record.file_id = ValueToString(row[0]);
  record.summary = ValueToString(row[1]);
  if (auto date = Date::Parse(ValueToString(row[2])); date.ok()) record.published_on = *date;
  if (auto year = IntegerOf(row[3])) record.file_year = static_cast<int>(*year);
  record.row_years = SplitYears(ValueToString(row[4]));
  record.row_count = IntegerOf(row[5]).value_or(0);
  record.content_hash = ValueToString(row[6]);
  record.first_seen_at = ValueToString(row[7]);
  record.last_seen_at = ValueToString(row[8]);
  if (auto published = IntegerOf(row[9])) record.published = *published != 0;
  record.collected_by = ValueToString(row[10]);
  record.pass_started_by = ValueToString(row[11]);
  return record;
}

// The file's rows as they stand: how many, which 사업년도, and a hash of
// their content that does not depend on row order or on bookkeeping.
struct FileContent {
  int64_t rows = 0;
  std::set<std::string> years;
  std::string hash;
};

// A row's hash: every value in order, NULL told apart from ''.
std::string RowHash(const Row& row) {
  ContentHash hash;
  for (const Value& value : row) {
    if (IsNull(value)) {
      hash.Mix(std::string_view("\x00", 1));
    } else {
      hash.Mix(ValueToString(value));
    }
    hash.Mix("\x1f");
  }
  return hash.Hex();
}

Result<FileContent> ReadFileContent(Warehouse& warehouse, std::string_view file_id) {
  const Dialect& dialect = warehouse.dialect();
  const auto& columns = ProjectColumnMap::CanonicalColumns();
  std::string select;
  for (const auto& column : columns) select += dialect.QuoteIdentifier(column) + ", ";
  select += dialect.QuoteIdentifier("_extra");
  const auto year_index =
      static_cast<size_t>(std::find(columns.begin(), columns.end(), "projYear") - columns.begin());
  FileContent content;
  std::vector<std::string> row_hashes;
  auto add_row = [&](const Row& row) {
    row_hashes.push_back(RowHash(row));
    if (!IsNull(row[year_index])) content.years.insert(ValueToString(row[year_index]));
    return Status::Ok();
  };
  std::vector<Value> params{std::string(file_id)};
  SW_RETURN_IF_ERROR(warehouse.Query("SELECT " + select + " FROM " +
                                         dialect.QuoteIdentifier(kRawProjectsTable) + " WHERE " +
                                         dialect.QuoteIdentifier("_file_id") + " = ?",
                                     params, add_row));
  // Sorted, so that the hash does not depend on the engine's row order.
  std::sort(row_hashes.begin(), row_hashes.end());
  ContentHash file_hash;
  for (const auto& row_hash : row_hashes) file_hash.Mix(row_hash);
  content.rows = static_cast<int64_t>(row_hashes.size());
  content.hash = file_hash.Hex();
  return content;
}

// The year a completed file stands for: its pin, else the one 사업년도 its
// rows share; none when they share none.
std::optional<int> FileYear(std::optional<int> pinned, const std::set<std::string>& row_years) {
  if (pinned) return pinned;
  if (row_years.size() != 1) return std::nullopt;
  const std::string& only = *row_years.begin();
  bool four_digits = only.size() == 4 && std::all_of(only.begin(), only.end(), [](char ch) {
                       return ch >= '0' && ch <= '9';
                     });
  if (!four_digits) return std::nullopt;
  return std::stoi(only);
}

}  // namespace

std::string_view ListingChangeName(ListingChange change) {
  switch (change) {
    case ListingChange::kUnchanged:
      return "unchanged";
    case ListingChange::kNew:
      return "new";
    case ListingChange::kRedated:
      return "redated";
    case ListingChange::kRelisted:
      return "relisted";
    case ListingChange::kWithdrawn:
      return "withdrawn";
  }
  return "unknown";
}

Result<std::map<std::string, ProjectFileRecord>> ReadProjectFiles(Warehouse& warehouse) {
  std::map<std::string, ProjectFileRecord> files;
  SW_ASSIGN_OR_RETURN(bool exists, warehouse.TableExists(kProjectFilesTable));
  if (!exists) return files;
  std::string select;
  for (std::string_view name : kRegistryColumns)
    select += (select.empty() ? "" : ", ") + warehouse.dialect().QuoteIdentifier(name);
  SW_RETURN_IF_ERROR(warehouse.Query(
      "SELECT " + select + " FROM " + warehouse.dialect().QuoteIdentifier(kProjectFilesTable), {},
      [&files](const Row& row) {
        ProjectFileRecord record = RecordFromRow(row);
        files[record.file_id] = std::move(record);
        return Status::Ok();
      }));
  return files;
}

std::vector<ListingDiff> CompareListing(const ProjectsDocument& document,
                                        const std::map<std::string, ProjectFileRecord>& registry) {
  std::vector<ListingDiff> diffs;
  for (const auto& file : document.files) {
    ListingDiff diff{.file_id = file.file_id,
                     .change = ListingChange::kNew,
                     .summary = file.summary,
                     .published_on = file.published_on};
    auto known = registry.find(file.file_id);
    if (known != registry.end()) {
      const ProjectFileRecord& record = known->second;
      diff.previous_published_on = record.published_on;
      diff.year = record.file_year;
      diff.rows = record.row_count;
      diff.collected = !record.content_hash.empty();
      bool redated = record.published_on || file.published_on
                         ? record.published_on != file.published_on
                         : record.summary != file.summary;
      if (record.first_seen_at.empty()) {
        diff.change = ListingChange::kNew;
      } else if (record.published == false) {
        diff.change = ListingChange::kRelisted;
      } else {
        diff.change = redated ? ListingChange::kRedated : ListingChange::kUnchanged;
      }
    }
    diffs.push_back(std::move(diff));
  }
  for (const auto& [file_id, record] : registry) {
    if (record.published != true || document.Find(file_id) != nullptr) continue;
    diffs.push_back({.file_id = file_id,
                     .change = ListingChange::kWithdrawn,
                     .summary = record.summary,
                     .published_on = record.published_on,
                     .previous_published_on = record.published_on,
                     .year = record.file_year,
                     .rows = record.row_count,
                     .collected = !record.content_hash.empty()});
  }
  return diffs;
}

PinCoverage ComparePins(const ProjectsDocument& document, const std::map<int, std::string>& pins) {
  PinCoverage coverage;
  if (pins.empty()) return coverage;
  std::set<std::string> pinned;
  for (const auto& [year, file_id] : pins) {
    pinned.insert(file_id);
    if (document.Find(file_id) == nullptr)
      coverage.unlisted.push_back(fmt::format("{} (pinned as {})", file_id, year));
  }
  for (const auto& file : document.files) {
    if (!pinned.contains(file.file_id))
      coverage.unpinned.push_back(fmt::format("{} ({})", file.file_id, file.summary));
  }
  return coverage;
}

std::vector<std::string> YearNotices(const CompletedProjectsFile& file) {
  const ProjectFileRecord& record = file.record;
  std::vector<std::string> notices;
  const std::string years = JoinYears(record.row_years);
  if (record.row_count == 0) {
    notices.push_back(fmt::format("projects file {} has no rows", record.file_id));
    return notices;
  }
  if (file.pinned_year) {
    if (record.row_years != std::vector<std::string>{std::to_string(*file.pinned_year)}) {
      notices.push_back(fmt::format(
          "projects file {} is pinned as {} in [projects.files], but its rows are of 사업년도 {}; "
          "the pin stands",
          record.file_id, *file.pinned_year, years));
    }
    return notices;
  }
  if (!record.file_year) {
    notices.push_back(fmt::format(
        "projects file {} has rows of {} ({}): its year is left empty, each row keeps its own "
        "projYear; pin it under [projects.files] to name one",
        record.file_id,
        record.row_years.size() > 1 ? "several 사업년도" : "a 사업년도 that is no year", years));
    return notices;
  }
  if (record.published_on && record.published_on->year() != *record.file_year) {
    notices.push_back(fmt::format(
        "projects file {}: its summary dates it {} but its rows are of 사업년도 {}; its year is "
        "taken from the rows ({})",
        record.file_id, record.published_on->Iso(), years, *record.file_year));
  }
  return notices;
}

ProjectFilesWriter::ProjectFilesWriter(Warehouse& warehouse, const ProjectColumnMap& columns,
                                       const std::map<int, std::string>& pins)
    : warehouse_(warehouse), loader_(warehouse, columns) {
  for (const auto& [year, file_id] : pins) pinned_years_[file_id] = year;
}

Status ProjectFilesWriter::Open() {
  SW_RETURN_IF_ERROR(EnsureRawTables(warehouse_));
  SW_RETURN_IF_ERROR(warehouse_.EnsureTable(RegistrySpec()));
  SW_ASSIGN_OR_RETURN(files_, ReadProjectFiles(warehouse_));
  return Status::Ok();
}

Status ProjectFilesWriter::Clear() {
  files_.clear();
  return warehouse_.Execute("DELETE FROM " +
                            warehouse_.dialect().QuoteIdentifier(kProjectFilesTable));
}

std::optional<int> ProjectFilesWriter::PinnedYear(std::string_view file_id) const {
  auto pinned = pinned_years_.find(std::string(file_id));
  return pinned == pinned_years_.end() ? std::nullopt : std::optional<int>(pinned->second);
}

ProjectFileRecord& ProjectFilesWriter::Record(std::string_view file_id) {
  ProjectFileRecord& record = files_[std::string(file_id)];
  record.file_id = std::string(file_id);
  return record;
}

Status ProjectFilesWriter::Save(const ProjectFileRecord& record) {
  static const std::vector<std::string> columns(kRegistryColumns.begin(), kRegistryColumns.end());
  static const std::vector<std::string> key = {"file_id"};
  Row row = RecordRow(record);
  return warehouse_.Upsert(kProjectFilesTable, columns, key, std::span<const Row>(&row, 1));
}

Result<std::vector<ListingDiff>> ProjectFilesWriter::RecordDocument(
    const ProjectsDocument& document, std::string_view seen_at) {
  std::vector<ListingDiff> diffs = CompareListing(document, files_);
  for (const ListingDiff& diff : diffs) {
    ProjectFileRecord& record = Record(diff.file_id);
    if (diff.change == ListingChange::kWithdrawn) {
      record.published = false;
    } else {
      record.summary = diff.summary;
      record.published_on = diff.published_on;
      if (record.first_seen_at.empty()) record.first_seen_at = std::string(seen_at);
      record.last_seen_at = std::string(seen_at);
      record.published = true;
      // A new edition starts over: pages of the old one must not complete it.
      if (diff.change == ListingChange::kRedated || diff.change == ListingChange::kRelisted)
        record.pass_started_by.clear();
    }
    SW_RETURN_IF_ERROR(Save(record));
  }
  return diffs;
}

Result<int64_t> ProjectFilesWriter::LoadPage(std::string_view file_id, const EnvelopePage& page,
                                             const LoadStamp& stamp) {
  ProjectFileRecord& record = Record(file_id);
  if (record.pass_started_by.empty()) {
    record.pass_started_by = stamp.run_id;
    SW_RETURN_IF_ERROR(Save(record));
  }
  std::optional<int> year = PinnedYear(file_id);
  if (!year) year = record.file_year;
  return loader_.LoadPage(page, year, file_id, stamp, record.pass_started_by);
}

Result<CompletedProjectsFile> ProjectFilesWriter::CompleteFile(std::string_view file_id,
                                                               std::string_view run_id) {
  ProjectFileRecord& record = Record(file_id);
  if (record.pass_started_by.empty()) {
    return Status(ErrorCode::kInternal,
                  "projects file " + std::string(file_id) + " completed without a collection",
                  "report this as a bug");
  }
  CompletedProjectsFile completed;
  completed.pinned_year = PinnedYear(file_id);
  completed.first_collection = record.content_hash.empty();
  const Dialect& dialect = warehouse_.dialect();
  const std::string table = dialect.QuoteIdentifier(kRawProjectsTable);
  const std::string file_column = dialect.QuoteIdentifier("_file_id");
  const std::string pass_column = dialect.QuoteIdentifier("_file_pass");
  std::vector<Value> replace_params{std::string(file_id), record.pass_started_by};
  SW_ASSIGN_OR_RETURN(
      completed.rows_replaced,
      warehouse_.ExecuteWithParams("DELETE FROM " + table + " WHERE " + file_column + " = ? AND (" +
                                       pass_column + " IS NULL OR " + pass_column + " <> ?)",
                                   replace_params));
  SW_ASSIGN_OR_RETURN(FileContent content, ReadFileContent(warehouse_, file_id));
  record.file_year = FileYear(completed.pinned_year, content.years);
  std::vector<Value> year_params{
      record.file_year ? Value{std::to_string(*record.file_year)} : Value{}, std::string(file_id)};
  SW_RETURN_IF_ERROR(warehouse_
                         .ExecuteWithParams("UPDATE " + table + " SET " +
                                                dialect.QuoteIdentifier("_file_year") +
                                                " = ? WHERE " + file_column + " = ?",
                                            year_params)
                         .status());
  completed.rows_changed = !completed.first_collection && record.content_hash != content.hash;
  record.row_years.assign(content.years.begin(), content.years.end());
  record.row_count = content.rows;
  record.content_hash = content.hash;
  record.collected_by = std::string(run_id);
  record.pass_started_by.clear();
  SW_RETURN_IF_ERROR(Save(record));
  completed.record = record;
  return completed;
}

Status ProjectFilesWriter::MarkUnpublished(std::string_view file_id) {
  ProjectFileRecord& record = Record(file_id);
  record.published = false;
  return Save(record);
}

}  // namespace silverwork
