// The projects dataset's OpenAPI document: which files the portal publishes.
//
// The 노인일자리사업 통합정보 dataset (fileData 15050148) publishes one file per
// year, each as a path of one Swagger 2.0 document served by another host
// than the data (infuser.odcloud.kr, not api.odcloud.kr) and without a
// service key: `paths` has a key `/uddi:<file id>` per file whose
// `get.summary` ends in the file's publication date, e.g.
// "한국노인인력개발원_노인일자리사업 통합정보_20230417".
//
// ParseProjectsDocument is a pure function (thread-safe). FetchProjectsDocument
// makes one call through an ApiCaller that never sends the key; use one per
// thread, like every ApiCaller.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/config.h"
#include "common/date.h"
#include "common/status.h"
#include "http/http_client.h"
#include "sources/datagokr_client.h"

namespace silverwork {

// Where the real portal serves the document.
inline constexpr std::string_view kProjectsDocumentUrl = Config::kRealProjectsDocumentUrl;
// The lake dataset the document's responses land in.
inline constexpr std::string_view kProjectsDocumentDataset = "projects_document";
// The rate-budget bucket of document calls (not the gateway's quota).
inline constexpr std::string_view kProjectsDocumentOperation = "projects_document";

struct PublishedProjectsFile {
  std::string file_id;               // the uuid after "/uddi:"
  std::string summary;               // get.summary, as published
  std::optional<Date> published_on;  // the summary's trailing YYYYMMDD, when it has one
};

struct ProjectsDocument {
  std::string host;                          // "api.odcloud.kr"
  std::string base_path;                     // "/api/15050148/v1"
  std::vector<PublishedProjectsFile> files;  // in the document's order

  // The file listed under `file_id`, or null.
  const PublishedProjectsFile* Find(std::string_view file_id) const;
};

// The publication date a summary ends with ("..._20230417" -> 2023-04-17),
// or nullopt when it does not end in a valid YYYYMMDD.
std::optional<Date> SummaryDate(std::string_view summary);

// Parses the document. Errors name `url` and say what is wrong: an HTTP
// error status (404 kNotFound, others kRemote), a body that is not a JSON
// object (kCorrupt, retried: usually a cut transfer), JSON that is not a
// Swagger document (no `paths` object) or lists no `/uddi:` path (kGone: the
// URL does not serve the dataset, or the dataset moved). A summary without a
// trailing date is no error: that file's `published_on` stays empty.
Result<ProjectsDocument> ParseProjectsDocument(std::string_view body, int http_status,
                                               std::string_view url);

struct FetchedProjectsDocument {
  ProjectsDocument document;
  std::string fetched_at;  // UTC ISO-8601, as landed
};

// GETs the document at `url` (scheme://host[:port]/path?query) without the
// service key, retrying per `caller.retry`, and lands the answer in `sink`
// (may be null) under kProjectsDocumentDataset. `caller.base_url` is ignored
// (taken from `url`). Every failure names the URL and says what to do.
Result<FetchedProjectsDocument> FetchProjectsDocument(const std::string& url,
                                                      ApiCallerOptions caller, RateBudget& budget,
                                                      ResponseSink* sink, Clock& clock,
                                                      std::unique_ptr<HttpClient> http);

}  // namespace silverwork
