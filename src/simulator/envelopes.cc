#include "simulator/envelopes.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace silverwork::simulator {
namespace {

constexpr ResultCode kResultCodes[] = {
    {"00", "NORMAL SERVICE.", false},
    {"01", "APPLICATION_ERROR", false},
    {"02", "DB_ERROR", false},
    {"03", "NODATA_ERROR", false},
    {"04", "HTTP_ERROR", false},
    {"05", "SERVICETIMEOUT_ERROR", false},
    {"10", "INVALID_REQUEST_PARAMETER_ERROR", false},
    {"11", "NO_MANDATORY_REQUEST_PARAMETERS_ERROR", false},
    {"12", "NO_OPENAPI_SERVICE_ERROR", true},
    {"20", "SERVICE_ACCESS_DENIED_ERROR", true},
    {"21", "TEMPORARILY_DISABLE_THE_SERVICEKEY_ERROR", true},
    {"22", "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR", true},
    {"23", "LIMITED_NUMBER_OF_SERVICE_REQUESTS_PER_SECOND_EXCEEDS_ERROR", true},
    {"29", "BLACKLIST_IP_ACCESS_ERROR", true},
    {"30", "SERVICE_KEY_IS_NOT_REGISTERED_ERROR", true},
    {"31", "DEADLINE_HAS_EXPIRED_ERROR", true},
    {"32", "UNREGISTERED_IP_ERROR", true},
    {"33", "UNSIGNED_CALL_ERROR", true},
    {"99", "UNKNOWN_ERROR", false},
};

struct HtmlStatus {
  int status;
  std::string_view title;
};
constexpr HtmlStatus kHtmlStatuses[] = {
    {404, "404 Not Found"},        {500, "500 Internal Server Error"},
    {502, "502 Bad Gateway"},      {503, "503 Service Temporarily Unavailable"},
    {504, "504 Gateway Time-out"},
};

}  // namespace

const ResultCode& LookupResultCode(std::string_view code) {
  for (const ResultCode& entry : kResultCodes) {
    if (entry.code == code) return entry;
  }
  return kResultCodes[std::size(kResultCodes) - 1];
}

void AppendXmlEscaped(std::string& out, std::string_view text) {
  // Copies runs of ordinary characters at once: every response is built
  // through here, and most values have nothing to escape.
  size_t run_start = 0;
  for (size_t index = 0; index < text.size(); ++index) {
    std::string_view entity;
    switch (text[index]) {
      case '<':
        entity = "&lt;";
        break;
      case '>':
        entity = "&gt;";
        break;
      case '&':
        entity = "&amp;";
        break;
      case '"':
        entity = "&quot;";
        break;
      case '\'':
        entity = "&apos;";
        break;
      default:
        continue;
    }
    out.append(text, run_start, index - run_start);
    out += entity;
    run_start = index + 1;
  }
  out.append(text, run_start);
}

void AppendXmlElement(std::string& out, std::string_view tag, std::string_view value) {
  out += '<';
  out += tag;
  out += '>';
  AppendXmlEscaped(out, value);
  out += "</";
  out += tag;
  out += '>';
}

std::string XmlResponse(const XmlPage& page) {
  const ResultCode& code = LookupResultCode(page.result_code);
  std::string out;
  out.reserve(page.items.size() + 400);
  out += R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)";
  out += "<response><header>";
  AppendXmlElement(out, "resultCode", code.code);
  AppendXmlElement(out, "resultMsg", code.name);
  out += "</header><body>";
  if (page.items.empty() && page.self_closing_when_empty) {
    out += "<items/>";
  } else {
    out += "<items>";
    out += page.items;
    out += "</items>";
  }
  out += fmt::format("<numOfRows>{}</numOfRows><pageNo>{}</pageNo><totalCount>{}</totalCount>",
                     page.num_of_rows, page.page_no, page.total_count);
  out += "</body></response>";
  return out;
}

std::string XmlHeaderError(std::string_view code) {
  const ResultCode& entry = LookupResultCode(code);
  return fmt::format(
      R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
      "<response><header><resultCode>{}</resultCode><resultMsg>{}</resultMsg></header></response>",
      entry.code, entry.name);
}

std::string GatewayError(std::string_view code) {
  const ResultCode& entry = LookupResultCode(code);
  return fmt::format(
      "<OpenAPI_ServiceResponse>\n\t<cmmMsgHeader>\n\t\t<errMsg>SERVICE ERROR</errMsg>\n"
      "\t\t<returnAuthMsg>{}</returnAuthMsg>\n\t\t<returnReasonCode>{}</returnReasonCode>\n"
      "\t</cmmMsgHeader>\n</OpenAPI_ServiceResponse>",
      entry.name, entry.code);
}

std::string JsonError(std::string_view code, int64_t response_time_ms) {
  const ResultCode& entry = LookupResultCode(code);
  nlohmann::ordered_json error = {
      {"responseTime", response_time_ms},
      {"resultCode", entry.code},
      {"resultMsg", entry.name},
  };
  return error.dump();
}

std::string OdcloudError(int code, std::string_view message) {
  nlohmann::ordered_json error = {{"code", code}, {"msg", message}};
  return error.dump();
}

std::string HtmlErrorPage(int status) {
  std::string_view title = "500 Internal Server Error";
  for (const HtmlStatus& entry : kHtmlStatuses) {
    if (entry.status == status) title = entry.title;
  }
  return fmt::format(
      "<html>\r\n<head><title>{0}</title></head>\r\n<body>\r\n<center><h1>{0}</h1></center>\r\n"
      "</body>\r\n</html>\r\n",
      title);
}

}  // namespace silverwork::simulator
