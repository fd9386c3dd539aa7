#include "sources/envelope.h"

#include <array>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

namespace silverwork {
namespace {

struct ResultCodeRule {
  std::string_view code;
  std::string_view name;
  ErrorCode category;
  std::string_view hint;
};

constexpr std::string_view kUnpublishedFileHint =
    "the portal does not publish this file (any more): the dataset's OpenAPI document "
    "([projects] openapi_url) lists the files it does; remove or replace the pin in "
    "[projects.files]";

constexpr std::string_view kKeyHint =
    "set DATA_GO_KR_SERVICE_KEY (or service_key_file in the config) to the key shown on "
    "data.go.kr under 마이페이지 > 개발계정; either the encoded or the decoded form works";

// What each gateway code means for a collector (spec section 3).
constexpr std::array<ResultCodeRule, 19> kResultCodes{{
    {"01", "APPLICATION_ERROR", ErrorCode::kRemote, "server-side error; retried with backoff"},
    {"02", "DB_ERROR", ErrorCode::kRemote, "server-side error; retried with backoff"},
    {"04", "HTTP_ERROR", ErrorCode::kRemote, "server-side error; retried with backoff"},
    {"05", "SERVICETIMEOUT_ERROR", ErrorCode::kRemote, "server-side timeout; retried with backoff"},
    {"99", "UNKNOWN_ERROR", ErrorCode::kRemote, "server-side error; retried with backoff"},
    {"10", "INVALID_REQUEST_PARAMETER_ERROR", ErrorCode::kInvalidInput,
     "silverwork sent a parameter the service rejects: report this request as a bug"},
    {"11", "NO_MANDATORY_REQUEST_PARAMETERS_ERROR", ErrorCode::kInvalidInput,
     "silverwork left out a required parameter: report this request as a bug"},
    {"12", "NO_OPENAPI_SERVICE_ERROR", ErrorCode::kGone,
     "the endpoint was retired or moved: check the dataset page on data.go.kr and update "
     "base_url (or the file id) in the config"},
    {"20", "SERVICE_ACCESS_DENIED_ERROR", ErrorCode::kAuth,
     "the key is not approved for this API: request use of the dataset on data.go.kr"},
    {"21", "TEMPORARILY_DISABLE_THE_SERVICEKEY_ERROR", ErrorCode::kAuth,
     "the key is temporarily disabled: check its status on data.go.kr"},
    {"22", "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR", ErrorCode::kQuotaExhausted,
     "the daily quota is spent: progress is saved; run the same command again after midnight "
     "(KST) to resume, or register a use case on data.go.kr for a higher quota"},
    {"23", "LIMITED_NUMBER_OF_SERVICE_REQUESTS_PER_SECOND_EXCEEDS_ERROR", ErrorCode::kRateLimited,
     "too many calls per second: lower calls_per_second or concurrency in the config"},
    {"29", "BLACKLIST_IP_ACCESS_ERROR", ErrorCode::kAuth,
     "this machine's IP is blacklisted: contact the data.go.kr help desk"},
    {"30", "SERVICE_KEY_IS_NOT_REGISTERED_ERROR", ErrorCode::kAuth, kKeyHint},
    {"31", "DEADLINE_HAS_EXPIRED_ERROR", ErrorCode::kAuth,
     "the key's usage period has ended: extend it on data.go.kr"},
    {"32", "UNREGISTERED_IP_ERROR", ErrorCode::kAuth,
     "this machine's IP is not registered for the key: add it on data.go.kr"},
    {"33", "UNSIGNED_CALL_ERROR", ErrorCode::kAuth, "the call was not signed: check the key"},
    {"03", "NODATA_ERROR", ErrorCode::kOk, ""},
    {"00", "NORMAL_SERVICE", ErrorCode::kOk, ""},
}};

bool IsSuccessCode(std::string_view code) {
  return code == "00" || code == "000" || code == "0000" || code == "0";
}

std::string Trimmed(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && static_cast<unsigned char>(text[begin]) <= ' ') ++begin;
  while (end > begin && static_cast<unsigned char>(text[end - 1]) <= ' ') --end;
  return std::string(text.substr(begin, end - begin));
}

int64_t ParseCount(const char* text) {
  int64_t value = 0;
  for (const char* cursor = text; *cursor != '\0'; ++cursor) {
    if (*cursor < '0' || *cursor > '9') return value;
    value = value * 10 + (*cursor - '0');
  }
  return value;
}

Status CorruptBody(std::string_view request, int http_status, std::string_view why) {
  if (http_status >= 500) {
    return Status(ErrorCode::kRemote,
                  std::string(request) + " answered HTTP " + std::to_string(http_status),
                  "server-side error; retried with backoff");
  }
  if (http_status == 404) {
    return Status(ErrorCode::kNotFound, std::string(request) + " answered HTTP 404",
                  "the dataset or file id does not exist: check base_url and [projects.files] "
                  "in the config against the dataset's OpenAPI document ([projects] openapi_url)");
  }
  if (http_status == 401 || http_status == 403) {
    return Status(ErrorCode::kAuth,
                  std::string(request) + " answered HTTP " + std::to_string(http_status),
                  std::string(kKeyHint));
  }
  return Status(ErrorCode::kCorrupt,
                std::string(request) + " sent a body that is not a data.go.kr envelope (HTTP " +
                    std::to_string(http_status) + "): " + std::string(why),
                "usually a truncated transfer; retried. If it persists the API changed shape");
}

Fields ItemFields(const pugi::xml_node& item) {
  Fields fields;
  for (pugi::xml_node child = item.first_child(); child; child = child.next_sibling()) {
    if (child.type() != pugi::node_element) continue;
    fields.push_back({child.name(), Trimmed(child.child_value())});
  }
  return fields;
}

std::string JsonScalarText(const nlohmann::ordered_json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

}  // namespace

const std::string* FindField(const Fields& fields, std::string_view name) {
  for (const auto& field : fields)
    if (field.name == name) return &field.value;
  return nullptr;
}

Status StatusForResultCode(std::string_view code, std::string_view message,
                           std::string_view request) {
  std::string trimmed = Trimmed(code);
  if (IsSuccessCode(trimmed)) return Status::Ok();
  for (const auto& rule : kResultCodes) {
    if (rule.code != trimmed) continue;
    if (rule.category == ErrorCode::kOk) return Status::Ok();
    return Status(rule.category,
                  std::string(request) + " failed with code " + trimmed + " " +
                      std::string(rule.name) +
                      (message.empty() ? "" : " (" + Trimmed(message) + ")"),
                  std::string(rule.hint));
  }
  return Status(ErrorCode::kRemote,
                std::string(request) + " failed with unknown code '" + trimmed + "' (" +
                    Trimmed(message) + ")",
                "retried with backoff; if it persists, check the service's notices on data.go.kr");
}

bool IsRetryable(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kNetwork:
    case ErrorCode::kRemote:
    case ErrorCode::kRateLimited:
    case ErrorCode::kCorrupt:
      return true;
    default:
      return false;
  }
}

Result<EnvelopePage> ParseSenuriXml(std::string_view body, int http_status,
                                    std::string_view request) {
  pugi::xml_document document;
  pugi::xml_parse_result parsed =
      document.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) return CorruptBody(request, http_status, parsed.description());

  if (pugi::xml_node gateway = document.child("OpenAPI_ServiceResponse")) {
    pugi::xml_node header = gateway.child("cmmMsgHeader");
    std::string code = header.child_value("returnReasonCode");
    std::string message = header.child_value("returnAuthMsg");
    if (message.empty()) message = header.child_value("errMsg");
    Status status = StatusForResultCode(code, message, request);
    if (status.ok()) {
      status = Status(ErrorCode::kRemote,
                      std::string(request) + " answered a gateway error without a code",
                      "retried with backoff");
    }
    return status;
  }

  pugi::xml_node response = document.child("response");
  if (!response) return CorruptBody(request, http_status, "no <response> element");
  pugi::xml_node header = response.child("header");
  pugi::xml_node code_node = header.child("resultCode");
  if (!code_node) return CorruptBody(request, http_status, "no <resultCode>");

  EnvelopePage page;
  page.result_code = Trimmed(code_node.child_value());
  page.result_msg = Trimmed(header.child_value("resultMsg"));
  SW_RETURN_IF_ERROR(StatusForResultCode(page.result_code, page.result_msg, request));

  pugi::xml_node response_body = response.child("body");
  if (!response_body && page.result_code != "03") {
    // "SERVICE ERROR" pages with a success code but nothing else happen.
    return Status(ErrorCode::kRemote,
                  std::string(request) + " answered code " + page.result_code +
                      " without a body (" + page.result_msg + ")",
                  "retried with backoff");
  }
  page.total_count = ParseCount(Trimmed(response_body.child_value("totalCount")).c_str());
  page.page_no = ParseCount(Trimmed(response_body.child_value("pageNo")).c_str());
  page.num_of_rows = ParseCount(Trimmed(response_body.child_value("numOfRows")).c_str());
  if (pugi::xml_node items = response_body.child("items")) {
    for (pugi::xml_node item = items.child("item"); item; item = item.next_sibling("item"))
      page.items.push_back(ItemFields(item));
  }
  for (pugi::xml_node item = response_body.child("item"); item; item = item.next_sibling("item"))
    page.items.push_back(ItemFields(item));
  return page;
}

Result<EnvelopePage> ParseOdcloudJson(std::string_view body, int http_status,
                                      std::string_view request) {
  std::string_view content = body;
  while (!content.empty() && static_cast<unsigned char>(content.front()) <= ' ')
    content.remove_prefix(1);
  if (!content.empty() && content.front() == '<') {
    // The gateway answers JSON APIs' errors in XML too.
    Result<EnvelopePage> xml = ParseSenuriXml(content, http_status, request);
    if (!xml.ok()) return xml.status();
    return CorruptBody(request, http_status, "an XML page where JSON was expected");
  }
  nlohmann::ordered_json document =
      nlohmann::ordered_json::parse(content.begin(), content.end(), nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    return CorruptBody(request, http_status, "not a JSON object");
  }
  if (document.contains("resultCode") && !document.contains("data")) {
    std::string code = JsonScalarText(document["resultCode"]);
    std::string message =
        document.contains("resultMsg") ? JsonScalarText(document["resultMsg"]) : "";
    Status status = StatusForResultCode(code, message, request);
    if (status.ok()) return CorruptBody(request, http_status, "a result code without data");
    return status;
  }
  if (document.contains("code") && document.contains("msg") && !document.contains("data")) {
    // odcloud's own error shape: {"code":-4,"msg":"등록되지 않은 인증키 입니다."}
    std::string code = JsonScalarText(document["code"]);
    std::string message = JsonScalarText(document["msg"]);
    if (http_status == 404) {
      // odcloud answers a file id it does not publish with 404 and the same
      // code -4 ("unregistered key") a bad key earns: the 404 tells them apart.
      return Status(
          ErrorCode::kNotFound,
          std::string(request) + " answered HTTP 404 with code " + code + " (" + message + ")",
          std::string(kUnpublishedFileHint));
    }
    ErrorCode category = (code == "-4" || code == "-401") ? ErrorCode::kAuth : ErrorCode::kRemote;
    return Status(category, std::string(request) + " failed with code " + code + " (" + message + ")",
                  category == ErrorCode::kAuth ? std::string(kKeyHint)
                                               : std::string("retried with backoff"));
  }
  if (!document.contains("data") || !document["data"].is_array()) {
    return CorruptBody(request, http_status, "no \"data\" array");
  }
  if (http_status >= 400) return CorruptBody(request, http_status, "an error status with data");
  EnvelopePage page;
  page.result_code = "00";
  auto count_of = [&](const char* key) -> int64_t {
    if (!document.contains(key)) return 0;
    const auto& value = document[key];
    if (value.is_number_integer()) return value.get<int64_t>();
    if (value.is_string()) return ParseCount(value.get<std::string>().c_str());
    return 0;
  };
  page.total_count = count_of("totalCount");
  page.page_no = count_of("page");
  page.num_of_rows = count_of("perPage");
  for (const auto& row : document["data"]) {
    if (!row.is_object()) return CorruptBody(request, http_status, "a data row that is not an object");
    Fields fields;
    fields.reserve(row.size());
    for (const auto& [name, value] : row.items()) fields.push_back({name, JsonScalarText(value)});
    page.items.push_back(std::move(fields));
  }
  return page;
}

}  // namespace silverwork
