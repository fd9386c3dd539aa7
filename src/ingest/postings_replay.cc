#include "ingest/postings_replay.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string_view>

#include "warehouse/engine_traits.h"

namespace silverwork {
namespace {

// Rows per Upsert of completed or held rows: a few round trips per 10,000
// postings on a server, one prepared statement per batch on SQLite.
constexpr size_t kWriteBatchRows = 5000;
// Details per LoadDetails call (a round trip per statement on a server).
constexpr size_t kDetailBatch = 1000;
// What a held row costs beyond its key and packed bytes: the map's node,
// bucket and two string headers.
constexpr size_t kHeldRowOverhead = 96;

// A row of text and NULL values as one string: per value a tag byte (0
// NULL, 1 text), then for text its length (4 bytes) and bytes. A list row
// takes a third of the memory of its Row this way.
std::string PackTextRow(const Row& row) {
  size_t size = 0;
  for (const Value& value : row)
    size += 1 + (IsNull(value) ? 0 : 4 + std::get<std::string>(value).size());
  std::string packed;
  packed.reserve(size);
  for (const Value& value : row) {
    if (IsNull(value)) {
      packed += '\0';
      continue;
    }
    const std::string& text = std::get<std::string>(value);
    const auto length = static_cast<uint32_t>(text.size());
    packed += '\1';
    packed.append(reinterpret_cast<const char*>(&length), sizeof length);
    packed += text;
  }
  return packed;
}

// Calls on_value(index, value) for each value of a packed row, text as a
// view into `packed`, NULL as nullopt.
template <typename OnValue>
void ForEachPackedValue(std::string_view packed, OnValue on_value) {
  for (size_t index = 0; !packed.empty(); ++index) {
    const char tag = packed.front();
    packed.remove_prefix(1);
    if (tag == '\0') {
      on_value(index, std::optional<std::string_view>());
      continue;
    }
    uint32_t length = 0;
    std::memcpy(&length, packed.data(), sizeof length);
    packed.remove_prefix(sizeof length);
    on_value(index, std::optional<std::string_view>(packed.substr(0, length)));
    packed.remove_prefix(length);
  }
}

Row UnpackTextRow(std::string_view packed) {
  Row row;
  ForEachPackedValue(packed, [&row](size_t, std::optional<std::string_view> text) {
    AssignTextOrNull(text, row.emplace_back());
  });
  return row;
}

// Where the columns of a list row and of a detail row go in a whole row.
struct WholeRowLayout {
  std::vector<size_t> list, answered, nodata;
  // The positions neither the list row nor the detail row sets (NULL).
  std::vector<size_t> unset_answered, unset_nodata;
  size_t list_hash = 0, detail_list_hash = 0;

  static const WholeRowLayout& Get() {
    static const WholeRowLayout layout = [] {
      const std::vector<std::string>& whole = RawPostingsColumns();
      auto position = [&](const std::string& name) {
        return static_cast<size_t>(std::find(whole.begin(), whole.end(), name) - whole.begin());
      };
      auto positions = [&](const std::vector<std::string>& names) {
        std::vector<size_t> found;
        for (const std::string& name : names) found.push_back(position(name));
        return found;
      };
      WholeRowLayout made;
      made.list = positions(PostingsLoader::ListColumns());
      made.answered = positions(PostingsLoader::DetailColumns(true));
      made.nodata = positions(PostingsLoader::DetailColumns(false));
      auto unset = [&](const std::vector<size_t>& detail) {
        std::vector<size_t> left;
        for (size_t at = 0; at < whole.size(); ++at) {
          const auto covers = [at](const std::vector<size_t>& set) {
            return std::find(set.begin(), set.end(), at) != set.end();
          };
          if (!covers(made.list) && !covers(detail)) left.push_back(at);
        }
        return left;
      };
      made.unset_answered = unset(made.answered);
      made.unset_nodata = unset(made.nodata);
      made.list_hash = position("_list_hash");
      made.detail_list_hash = position("_detail_list_hash");
      return made;
    }();
    return layout;
  }
};

const std::vector<std::string>& JobIdKey() {
  static const std::vector<std::string> key = {"jobId"};
  return key;
}

}  // namespace

PostingsReplay::PostingsReplay(Warehouse& warehouse, std::string loaded_at, size_t held_list_bytes,
                               size_t max_tracked_ids)
    : warehouse_(warehouse),
      loaded_at_(std::move(loaded_at)),
      held_list_bytes_(held_list_bytes),
      max_tracked_ids_(warehouse.traits().statements_are_round_trips() ? max_tracked_ids : 0),
      loader_(warehouse) {}

Status PostingsReplay::ApplyListPage(const EnvelopePage& page, const std::string& run_id) {
  const LoadStamp stamp{run_id, loaded_at_};
  for (const Fields& item : page.items) {
    std::optional<Row> row = loader_.ListRow(item, stamp);
    if (!row) continue;
    std::string job_id = std::get<std::string>(row->front());
    std::string packed = PackTextRow(*row);
    auto [held, inserted] = held_.try_emplace(std::move(job_id));
    if (inserted) held_bytes_ += held->first.size() + kHeldRowOverhead;
    held_bytes_ += packed.size();
    held_bytes_ -= held->second.size();
    held->second = std::move(packed);
  }
  if (held_bytes_ <= held_list_bytes_) return Status::Ok();
  ++spills_;
  return Flush();
}

Status PostingsReplay::ApplyDetail(DetailResult detail, const std::string& run_id) {
  ++details_;
  auto held = held_.find(detail.job_id);
  if (held != held_.end()) {
    SW_RETURN_IF_ERROR(FlushDetails());
    PostingsLoader::WarnOnMismatchedIds({&detail, 1});
    SW_RETURN_IF_ERROR(
        Complete(held->first, held->second, detail, LoadStamp{run_id, loaded_at_}));
    held_bytes_ -= held->first.size() + held->second.size() + kHeldRowOverhead;
    held_.erase(held);
    return Status::Ok();
  }
  SW_RETURN_IF_ERROR(FlushCompleted());
  if (run_id != details_run_id_) SW_RETURN_IF_ERROR(FlushDetails());
  details_run_id_ = run_id;
  details_pending_.push_back(std::move(detail));
  return details_pending_.size() >= kDetailBatch ? FlushDetails() : Status::Ok();
}

// The row the list item's upsert and then the detail's merge leave: every
// column is set by one of them, so the row does not depend on the table.
// It is built in whole_, whose strings keep their capacity from row to row.
Status PostingsReplay::Complete(const std::string& job_id, const std::string& packed_list_row,
                                const DetailResult& detail, const LoadStamp& stamp) {
  const WholeRowLayout& layout = WholeRowLayout::Get();
  whole_.resize(RawPostingsColumns().size());
  ForEachPackedValue(packed_list_row,
                     [&](size_t index, std::optional<std::string_view> text) {
                       AssignTextOrNull(text, whole_[layout.list[index]]);
                     });
  const bool answered = !detail.page.items.empty();
  PostingsLoader::DetailRowInto(detail, stamp, answered ? layout.answered : layout.nodata,
                                whole_);
  for (size_t position : answered ? layout.unset_answered : layout.unset_nodata)
    whole_[position] = std::monostate{};
  const Value& list_hash = whole_[layout.list_hash];
  AssignTextOrNull(IsNull(list_hash) ? std::nullopt
                               : std::optional<std::string_view>(std::get<std::string>(list_hash)),
             whole_[layout.detail_list_hash]);
  ++merged_rows_;
  if (MarkWritten(job_id)) return AppendWhole();
  completed_.push_back(whole_);
  return completed_.size() >= kWriteBatchRows ? FlushCompleted() : Status::Ok();
}

Status PostingsReplay::AppendWhole() {
  if (appender_ == nullptr) {
    SW_ASSIGN_OR_RETURN(appender_,
                        warehouse_.OpenAppender(kRawPostingsTable, RawPostingsColumns()));
  }
  SW_RETURN_IF_ERROR(appender_->Add(whole_));
  ++appended_rows_;
  return Status::Ok();
}

// Before any other write: the connection takes none while a stream is open.
Status PostingsReplay::FinishStream() {
  if (appender_ == nullptr) return Status::Ok();
  Status finished = appender_->Finish();
  appender_.reset();
  return finished;
}

bool PostingsReplay::MarkWritten(const std::string& job_id) {
  if (!tracking_written_ids_) return false;
  if (written_ids_.size() >= max_tracked_ids_) {
    tracking_written_ids_ = false;
    written_ids_.Clear();
    return false;
  }
  return written_ids_.Insert(job_id);
}

Status PostingsReplay::FlushCompleted() {
  if (completed_.empty()) return Status::Ok();
  SW_RETURN_IF_ERROR(FinishStream());
  SW_RETURN_IF_ERROR(
      warehouse_.Upsert(kRawPostingsTable, RawPostingsColumns(), JobIdKey(), completed_));
  completed_.clear();
  return Status::Ok();
}

Status PostingsReplay::FlushDetails() {
  if (details_pending_.empty()) return Status::Ok();
  SW_RETURN_IF_ERROR(FinishStream());
  for (const DetailResult& detail : details_pending_) MarkWritten(detail.job_id);
  SW_RETURN_IF_ERROR(
      loader_.LoadDetails(details_pending_, LoadStamp{details_run_id_, loaded_at_}).status());
  details_pending_.clear();
  return Status::Ok();
}

Status PostingsReplay::Flush() {
  SW_RETURN_IF_ERROR(FlushCompleted());
  SW_RETURN_IF_ERROR(FlushDetails());
  SW_RETURN_IF_ERROR(FinishStream());
  return WriteHeld();
}

// The held rows in jobId order (the same order on every run), as
// LoadListPage writes them.
Status PostingsReplay::WriteHeld() {
  std::vector<const std::pair<const std::string, std::string>*> ordered;
  ordered.reserve(held_.size());
  for (const auto& entry : held_) {
    ordered.push_back(&entry);
    MarkWritten(entry.first);
  }
  std::sort(ordered.begin(), ordered.end(),
            [](const auto* left, const auto* right) { return left->first < right->first; });
  std::vector<Row> rows;
  rows.reserve(std::min(kWriteBatchRows, ordered.size()));
  for (size_t index = 0; index < ordered.size(); ++index) {
    rows.push_back(UnpackTextRow(ordered[index]->second));
    if (rows.size() < kWriteBatchRows && index + 1 < ordered.size()) continue;
    SW_RETURN_IF_ERROR(
        warehouse_.Upsert(kRawPostingsTable, PostingsLoader::ListColumns(), JobIdKey(), rows));
    rows.clear();
  }
  held_.clear();
  held_bytes_ = 0;
  return Status::Ok();
}

}  // namespace silverwork
