#include "ingest/projects_replay.h"

#include <spdlog/spdlog.h>

namespace silverwork {

ProjectsReplay::ProjectsReplay(Warehouse& warehouse, const ProjectColumnMap& columns,
                               const std::map<int, std::string>& pins, std::string loaded_at)
    : writer_(warehouse, columns, pins), loaded_at_(std::move(loaded_at)) {}

Status ProjectsReplay::Begin() {
  SW_RETURN_IF_ERROR(writer_.Open());
  return writer_.Clear();
}

Status ProjectsReplay::Replay(const LakeRecord& record) {
  if (record.dataset == kProjectsDocumentDataset) return ReplayDocument(record);
  return ReplayPage(record, ParsePage(record));
}

Result<EnvelopePage> ProjectsReplay::ParsePage(const LakeRecord& record) {
  return ParseOdcloudJson(record.body, record.http_status, record.request);
}

Status ProjectsReplay::ReplayDocument(const LakeRecord& record) {
  Result<ProjectsDocument> document =
      ParseProjectsDocument(record.body, record.http_status, record.request);
  if (!document.ok()) {
    ++skipped_errors_;
    return Status::Ok();
  }
  ++documents_;
  SW_ASSIGN_OR_RETURN(std::vector<ListingDiff> diffs,
                      writer_.RecordDocument(*document, record.fetched_at));
  for (const ListingDiff& diff : diffs) {
    if (diff.change == ListingChange::kRedated || diff.change == ListingChange::kRelisted)
      progress_.erase(diff.file_id);  // the collector started that file over
  }
  return Status::Ok();
}

Status ProjectsReplay::ReplayPage(const LakeRecord& record, const Result<EnvelopePage>& page) {
  const std::string file_id = ProjectsClient::FileIdOf(record.request);
  if (!page.ok()) {
    ++skipped_errors_;
    if (page.status().IsNotFound() && !file_id.empty()) return writer_.MarkUnpublished(file_id);
    return Status::Ok();
  }
  if (file_id.empty()) {
    spdlog::warn("lake record {} is no projects file page; skipped", record.request);
    ++skipped_errors_;
    return Status::Ok();
  }
  ++pages_;
  SW_RETURN_IF_ERROR(
      writer_.LoadPage(file_id, *page, LoadStamp{record.run_id, loaded_at_}).status());
  // The collector's checkpoint: it advances over pages loaded in one run
  // without a gap (a run stops after its first failing batch, and the next
  // run fetches again from the checkpoint).
  FileProgress& progress = progress_[file_id];
  if (progress.run_id != record.run_id) {
    progress.run_id = record.run_id;
    progress.loaded_in_run.clear();
  }
  progress.loaded_in_run.insert(page->page_no);
  while (progress.loaded_in_run.contains(progress.next_page)) ++progress.next_page;
  int64_t per_page = std::max<int64_t>(1, page->num_of_rows);
  int64_t total_pages = (page->total_count + per_page - 1) / per_page;
  if (progress.next_page <= std::max<int64_t>(1, total_pages)) return Status::Ok();
  progress_.erase(file_id);
  return writer_.CompleteFile(file_id, record.run_id).status();
}

}  // namespace silverwork
