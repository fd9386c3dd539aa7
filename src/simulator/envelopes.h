// The response envelopes of the data.go.kr services (spec sections 1-3):
// the postings XML success/header-error shapes, the gateway's
// OpenAPI_ServiceResponse, and the projects API's JSON error shape. Pure
// functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace silverwork::simulator {

inline constexpr std::string_view kXmlContentType = "text/xml;charset=UTF-8";
inline constexpr std::string_view kJsonContentType = "application/json;charset=UTF-8";
inline constexpr std::string_view kHtmlContentType = "text/html;charset=UTF-8";

struct ResultCode {
  std::string_view code;  // "00", "22", ...
  std::string_view name;  // "NORMAL SERVICE.", "LIMITED_NUMBER_OF_..."
  // Answered by the gateway (key, quota, retired endpoint) rather than the
  // service: such errors come as OpenAPI_ServiceResponse whatever the API.
  bool from_gateway;
};

// The entry for `code`; unknown codes map to 99 UNKNOWN_ERROR.
const ResultCode& LookupResultCode(std::string_view code);

// Appends `text` with XML's five special characters escaped.
void AppendXmlEscaped(std::string& out, std::string_view text);
// Appends <tag>escaped value</tag>.
void AppendXmlElement(std::string& out, std::string_view tag, std::string_view value);

struct XmlPage {
  std::string_view items;  // concatenated <item>...</item>, possibly empty
  int64_t num_of_rows = 0;
  int64_t page_no = 1;
  int64_t total_count = 0;
  std::string_view result_code = "00";
  // Empty pages come as <items/> or <items></items>; both occur for real.
  bool self_closing_when_empty = true;
};

// <response><header>..</header><body><items>..</items>..</body></response>
std::string XmlResponse(const XmlPage& page);
// <response><header> with a non-zero code and no body (codes 01..11, 99).
std::string XmlHeaderError(std::string_view code);
// <OpenAPI_ServiceResponse><cmmMsgHeader>... (codes 12, 2x, 3x).
std::string GatewayError(std::string_view code);
// {"responseTime":...,"resultCode":"10","resultMsg":"..."}
std::string JsonError(std::string_view code, int64_t response_time_ms);
// odcloud's own error shape, {"code":-4,"msg":"..."}: with HTTP 404 it is
// what a file id the portal does not publish answers.
std::string OdcloudError(int code, std::string_view message);
// The message odcloud sends with code -4.
inline constexpr std::string_view kOdcloudUnregisteredMessage = "등록되지 않은 인증키 입니다.";
// The HTML page a web server shows for a 404 or 5xx status.
std::string HtmlErrorPage(int status);

}  // namespace silverwork::simulator
