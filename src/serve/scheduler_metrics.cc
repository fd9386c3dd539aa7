#include "serve/scheduler_metrics.h"

#include <fmt/format.h>

#include <map>
#include <utility>
#include <vector>

#include "scheduler/alerts_outbox.h"
#include "scheduler/scheduler_store.h"
#include "serve/metrics.h"

namespace silverwork::serve {
namespace {

using scheduler::SchedulerStore;

std::string RunFigures(const std::vector<scheduler::RunStateCount>& counts) {
  std::string out =
      "# HELP silverwork_scheduler_runs Runs in the warehouse, by pipeline and state.\n"
      "# TYPE silverwork_scheduler_runs gauge\n";
  for (const auto& count : counts) {
    out += fmt::format("silverwork_scheduler_runs{{pipeline=\"{}\",state=\"{}\"}} {}\n",
                       EscapeLabelValue(count.pipeline), RunStateName(count.state), count.runs);
  }
  return out;
}

struct DurationHistogram {
  std::array<uint64_t, kTaskDurationBuckets.size()> buckets{};
  uint64_t count = 0;
  double sum = 0;
};

std::string DurationFigures(const std::vector<scheduler::TryTiming>& timings) {
  std::map<std::pair<std::string, std::string>, DurationHistogram> histograms;
  for (const auto& timing : timings) {
    const double seconds =
        std::max(0.0, std::chrono::duration<double>(timing.ended_at - timing.started_at).count());
    DurationHistogram& histogram = histograms[{timing.pipeline, timing.task}];
    for (size_t bucket = 0; bucket < kTaskDurationBuckets.size(); ++bucket) {
      if (seconds <= kTaskDurationBuckets[bucket]) ++histogram.buckets[bucket];
    }
    ++histogram.count;
    histogram.sum += seconds;
  }
  std::string out =
      "# HELP silverwork_scheduler_task_duration_seconds How long ended tries ran, by pipeline and "
      "task.\n"
      "# TYPE silverwork_scheduler_task_duration_seconds histogram\n";
  for (const auto& [key, histogram] : histograms) {
    const std::string labels = fmt::format(
        R"(pipeline="{}",task="{}")", EscapeLabelValue(key.first), EscapeLabelValue(key.second));
    for (size_t bucket = 0; bucket < kTaskDurationBuckets.size(); ++bucket) {
      out += fmt::format("silverwork_scheduler_task_duration_seconds_bucket{{{},le=\"{}\"}} {}\n",
                         labels, kTaskDurationBuckets[bucket], histogram.buckets[bucket]);
    }
    out += fmt::format(
        "silverwork_scheduler_task_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n"
        "silverwork_scheduler_task_duration_seconds_sum{{{}}} {:.3f}\n"
        "silverwork_scheduler_task_duration_seconds_count{{{}}} {}\n",
        labels, histogram.count, labels, histogram.sum, labels, histogram.count);
  }
  return out;
}

std::string DeferralFigures(const std::vector<scheduler::DeferralCount>& counts) {
  std::string total =
      "# HELP silverwork_scheduler_deferrals_total Tries stopped by the spent daily quota, by "
      "pipeline.\n"
      "# TYPE silverwork_scheduler_deferrals_total counter\n";
  std::string now =
      "# HELP silverwork_scheduler_tasks_deferred Tasks waiting for the daily quota to reset, by "
      "pipeline.\n"
      "# TYPE silverwork_scheduler_tasks_deferred gauge\n";
  for (const auto& count : counts) {
    const std::string pipeline = EscapeLabelValue(count.pipeline);
    total += fmt::format("silverwork_scheduler_deferrals_total{{pipeline=\"{}\"}} {}\n", pipeline,
                         count.deferred_tries);
    now += fmt::format("silverwork_scheduler_tasks_deferred{{pipeline=\"{}\"}} {}\n", pipeline,
                       count.deferred_now);
  }
  return total + now;
}

std::string AlertFigures(const std::vector<OutboxStatusCount>& counts) {
  std::string sent =
      "# HELP silverwork_alert_deliveries_total Alerts delivered or given up, by sink.\n"
      "# TYPE silverwork_alert_deliveries_total counter\n";
  std::string pending =
      "# HELP silverwork_alerts_pending Alerts waiting to be delivered, by sink.\n"
      "# TYPE silverwork_alerts_pending gauge\n";
  for (const auto& count : counts) {
    const std::string sink = EscapeLabelValue(count.sink);
    if (count.status == "pending") {
      pending += fmt::format("silverwork_alerts_pending{{sink=\"{}\"}} {}\n", sink, count.alerts);
    } else {
      sent += fmt::format("silverwork_alert_deliveries_total{{sink=\"{}\",result=\"{}\"}} {}\n",
                          sink, EscapeLabelValue(count.status), count.alerts);
    }
  }
  return sent + pending;
}

}  // namespace

Result<std::string> SchedulerFigures(Warehouse& warehouse, Clock& clock) {
  scheduler::SeededRandom unused_by_reads;
  SchedulerStore store(warehouse, clock, unused_by_reads);
  SW_ASSIGN_OR_RETURN(bool has_schema, store.HasSchema());
  if (!has_schema) return std::string();
  SW_ASSIGN_OR_RETURN(auto runs, store.CountRunsByState());
  SW_ASSIGN_OR_RETURN(auto timings, store.EndedTryTimings());
  SW_ASSIGN_OR_RETURN(auto deferrals, store.CountDeferrals());
  AlertOutbox outbox(warehouse, clock, {});
  SW_ASSIGN_OR_RETURN(auto alerts, outbox.CountByStatus());
  return RunFigures(runs) + DurationFigures(timings) + DeferralFigures(deferrals) +
         AlertFigures(alerts);
}

}  // namespace silverwork::serve
