// DetailPhase: the second phase of a postings collection (postings_collector.h).
//
// Fetches getJobInfo for every posting of the window and its lookback whose
// detail is missing, and every posting back to the list pass's reach whose
// detail is older than its list item (it changed: closed, retitled, ...),
// newest start day first, on
// `concurrency` workers that share the run's RateBudget, and commits what
// comes back in batches of `batch_size` (or every half second, whichever
// comes first), each together with the day's call counts. It reads as its
// steps: count what is needed, keep the workers fed from a keyset cursor over
// raw_postings, take each answer (batch it, or judge the failure), commit
// when due, and commit the rest at the end.
//
// Failures: one that retrying cannot fix (a spent quota, a wrong key, a
// retired endpoint) or a failed commit stops the phase at once, cancelling
// the calls not yet made; a call that still failed after its retries is
// counted and left for the next run, unless 20 in a row failed (the service
// is down). Whatever was fetched is committed either way.
//
// Not thread-safe: Run() once, from the collector's thread; the phase owns
// its worker threads and joins them before Run() returns.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/log.h"
#include "ingest/postings_collector.h"

namespace silverwork {

class DetailFetchers;

class DetailPhase {
 public:
  using ClientFactory = std::function<std::unique_ptr<SenuriClient>()>;

  // All references are borrowed and must outlive the phase; `stats` receives
  // details_needed, details_loaded and details_failed. `reach_back`: the
  // oldest start day the list pass reached (at most the window's start minus
  // the lookback).
  DetailPhase(const PostingsCollectorOptions& options, Date reach_back,
              CollectorEnvironment& environment, PostingsLoader& loader, RateBudget& budget,
              ClientFactory new_client, PostingsCollectStats& stats);
  ~DetailPhase();
  DetailPhase(const DetailPhase&) = delete;
  DetailPhase& operator=(const DetailPhase&) = delete;

  // OK when every detail needed was fetched or counted as failed; otherwise
  // the failure that stopped the phase.
  Status Run();

 private:
  class PostingsNeedingDetail;

  void FetchAndCommit();
  size_t Feed(size_t room);
  void Absorb(std::string job_id, Result<ApiResponse> response);
  void CommitIfDue();
  Status CommitBatch();
  void RecordFatal(const Status& failure);
  void Stop(const Status& failure);

  const PostingsCollectorOptions& options_;
  const Date reach_back_;
  CollectorEnvironment& env_;
  PostingsLoader& loader_;
  RateBudget& budget_;
  ClientFactory new_client_;
  PostingsCollectStats& stats_;
  std::unique_ptr<PostingsNeedingDetail> needing_detail_;
  std::unique_ptr<DetailFetchers> fetchers_;
  std::optional<Progress> progress_;
  std::vector<DetailResult> batch_;
  std::chrono::steady_clock::time_point last_commit_;
  int consecutive_failures_ = 0;
  Status fatal_;
};

}  // namespace silverwork
