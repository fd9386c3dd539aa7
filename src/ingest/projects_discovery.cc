#include "ingest/projects_discovery.h"

#include <fmt/format.h>

namespace silverwork {
namespace {

std::string DateText(const std::optional<Date>& date) { return date ? date->Iso() : "no date"; }

std::string ListingLine(const ListingDiff& diff) {
  std::string line = fmt::format("{:<9}  {}  {}", ListingChangeName(diff.change), diff.file_id,
                                 diff.summary.empty() ? "(no summary)" : diff.summary);
  if (diff.change == ListingChange::kRedated) {
    line += fmt::format(" (was {})", DateText(diff.previous_published_on));
  }
  if (diff.change == ListingChange::kNew) return line;
  if (!diff.collected) return line + "; not collected yet";
  std::string year = diff.year ? std::to_string(*diff.year) : "year unknown";
  if (diff.change == ListingChange::kWithdrawn) {
    return line +
           fmt::format("; {} rows of {} kept, marked as no longer published", diff.rows, year);
  }
  return line + fmt::format("; {} rows of {} collected", diff.rows, year);
}

}  // namespace

bool ProjectsDiscovery::changed() const {
  for (const ListingDiff& diff : listing) {
    bool collects = pinned.empty() || pinned.contains(diff.file_id);
    bool withdrawn = diff.change == ListingChange::kWithdrawn;
    if (collects && (diff.change != ListingChange::kUnchanged || (!diff.collected && !withdrawn)))
      return true;
  }
  return false;
}

std::vector<std::string> ProjectsDiscovery::Lines() const {
  std::vector<std::string> lines;
  lines.push_back(fmt::format("projects files in {} (read {}): {} listed", openapi_url, read_at,
                              document.files.size()));
  std::map<ListingChange, int> counts;
  for (const ListingDiff& diff : listing) {
    lines.push_back("  " + ListingLine(diff));
    ++counts[diff.change];
  }
  for (const auto& entry : unpinned) lines.push_back("  not pinned, not collected: " + entry);
  for (const auto& entry : pinned_unlisted) lines.push_back("  pinned but not listed: " + entry);
  if (!changed()) {
    lines.push_back("no change since the last collection");
    return lines;
  }
  std::string verdict;
  for (const auto& [change, count] : counts) {
    if (change == ListingChange::kUnchanged) continue;
    verdict +=
        fmt::format("{}{} {}", verdict.empty() ? "" : ", ", count, ListingChangeName(change));
  }
  lines.push_back("changed since the last collection: " + verdict);
  return lines;
}

Result<ProjectsDiscovery> DiscoverProjectFiles(const ProjectsDiscoveryOptions& options,
                                               Warehouse& warehouse, Clock& clock,
                                               const HttpClientFactory& http_factory) {
  // The document is not the gateway's: no quota or rate limit applies.
  RateBudget budget(RateBudgetOptions{}, clock);
  SW_ASSIGN_OR_RETURN(FetchedProjectsDocument fetched,
                      FetchProjectsDocument(options.openapi_url, options.caller, budget,
                                            /*sink=*/nullptr, clock, http_factory()));
  SW_ASSIGN_OR_RETURN(auto registry, ReadProjectFiles(warehouse));
  ProjectsDiscovery discovery;
  discovery.openapi_url = options.openapi_url;
  discovery.read_at = fetched.fetched_at;
  discovery.listing = CompareListing(fetched.document, registry);
  for (const auto& [year, file_id] : options.pins) discovery.pinned.insert(file_id);
  PinCoverage pins = ComparePins(fetched.document, options.pins);
  discovery.unpinned = std::move(pins.unpinned);
  discovery.pinned_unlisted = std::move(pins.unlisted);
  discovery.document = std::move(fetched.document);
  return discovery;
}

Result<bool> ProjectFilesChanged(const ProjectsDiscoveryOptions& options, Warehouse& warehouse,
                                 Clock& clock, const HttpClientFactory& http_factory) {
  SW_ASSIGN_OR_RETURN(ProjectsDiscovery discovery,
                      DiscoverProjectFiles(options, warehouse, clock, http_factory));
  return discovery.changed();
}

}  // namespace silverwork
