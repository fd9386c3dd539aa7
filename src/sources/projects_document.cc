#include "sources/projects_document.h"

#include <nlohmann/json.hpp>

namespace silverwork {
namespace {

constexpr std::string_view kFilePathPrefix = "/uddi:";

std::string DocumentHint() {
  return "check [projects] openapi_url (the portal's document is " +
         std::string(kProjectsDocumentUrl) +
         "); to collect without it, pin the files under [projects.files]";
}

Status DocumentError(ErrorCode code, std::string_view url, const std::string& what) {
  return Status(code, std::string(url) + " " + what, DocumentHint());
}

// Ordered: files keep the document's order.
using Json = nlohmann::ordered_json;

std::string TextOr(const Json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// Splits "https://host:port/path?query" into "https://host:port" and "/path?query".
Result<std::pair<std::string, std::string>> SplitUrl(const std::string& url) {
  size_t scheme_end = url.find("://");
  size_t path_start =
      scheme_end == std::string::npos ? std::string::npos : url.find('/', scheme_end + 3);
  if (path_start == std::string::npos || path_start == scheme_end + 3) {
    return Status(ErrorCode::kInvalidInput,
                  "[projects] openapi_url '" + url + "' is not an http(s) URL with a path",
                  "write it like " + std::string(kProjectsDocumentUrl));
  }
  return std::make_pair(url.substr(0, path_start), url.substr(path_start));
}

}  // namespace

const PublishedProjectsFile* ProjectsDocument::Find(std::string_view file_id) const {
  for (const auto& file : files)
    if (file.file_id == file_id) return &file;
  return nullptr;
}

std::optional<Date> SummaryDate(std::string_view summary) {
  while (!summary.empty() && static_cast<unsigned char>(summary.back()) <= ' ')
    summary.remove_suffix(1);
  if (summary.size() < 8) return std::nullopt;
  std::string_view digits = summary.substr(summary.size() - 8);
  for (char ch : digits)
    if (ch < '0' || ch > '9') return std::nullopt;
  if (summary.size() > 8) {
    char before = summary[summary.size() - 9];
    if (before >= '0' && before <= '9') return std::nullopt;  // part of a longer number
  }
  Result<Date> date = Date::Parse(digits);
  if (!date.ok()) return std::nullopt;
  return *date;
}

Result<ProjectsDocument> ParseProjectsDocument(std::string_view body, int http_status,
                                               std::string_view url) {
  if (http_status >= 400) {
    ErrorCode code = http_status == 404 ? ErrorCode::kNotFound : ErrorCode::kRemote;
    return DocumentError(code, url, "answered HTTP " + std::to_string(http_status));
  }
  Json document = Json::parse(body.begin(), body.end(), nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    return DocumentError(ErrorCode::kCorrupt, url,
                         "is not JSON (HTTP " + std::to_string(http_status) + ", " +
                             std::to_string(body.size()) + " bytes)");
  }
  auto paths = document.find("paths");
  if (paths == document.end() || !paths->is_object()) {
    return DocumentError(ErrorCode::kGone, url,
                         "is JSON but not a Swagger document (no \"paths\" object)");
  }
  ProjectsDocument parsed;
  parsed.host = TextOr(document, "host");
  parsed.base_path = TextOr(document, "basePath");
  for (const auto& [path, operations] : paths->items()) {
    if (!path.starts_with(kFilePathPrefix) || path.size() == kFilePathPrefix.size()) continue;
    PublishedProjectsFile file;
    file.file_id = path.substr(kFilePathPrefix.size());
    if (operations.is_object() && operations.contains("get") && operations["get"].is_object())
      file.summary = TextOr(operations["get"], "summary");
    file.published_on = SummaryDate(file.summary);
    parsed.files.push_back(std::move(file));
  }
  if (parsed.files.empty()) {
    return DocumentError(ErrorCode::kGone, url,
                         "lists no /uddi: file path (" + std::to_string(paths->size()) +
                             " other paths): the dataset may have moved or been retired");
  }
  return parsed;
}

Result<FetchedProjectsDocument> FetchProjectsDocument(const std::string& url,
                                                      ApiCallerOptions caller, RateBudget& budget,
                                                      ResponseSink* sink, Clock& clock,
                                                      std::unique_ptr<HttpClient> http) {
  SW_ASSIGN_OR_RETURN(auto split, SplitUrl(url));
  caller.base_url = split.first;
  caller.send_service_key = false;  // the document is public; the key is a secret
  static const ServiceKey kNoKey("");
  ApiCaller api(std::move(caller), kNoKey, budget, sink, clock, std::move(http));
  FetchedProjectsDocument fetched;
  auto keep_document = [&fetched](std::string_view body, int http_status,
                                  std::string_view shown) -> Status {
    Result<ProjectsDocument> parsed = ParseProjectsDocument(body, http_status, shown);
    if (!parsed.ok()) return parsed.status();
    fetched.document = std::move(parsed).value();
    return Status::Ok();
  };
  Result<ApiResponse> response = api.Exchange(kProjectsDocumentOperation, kProjectsDocumentDataset,
                                              split.second, keep_document);
  if (!response.ok()) {
    const Status& failure = response.status();
    return Status(failure.code(),
                  "the projects dataset's OpenAPI document could not be read: " + failure.message(),
                  DocumentHint());
  }
  fetched.fetched_at = response->fetched_at;
  return fetched;
}

}  // namespace silverwork
