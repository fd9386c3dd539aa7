// Parsers for the response envelopes the data.go.kr services send, and the
// mapping of their result codes onto Status.
//
// The parsers are pure functions over a response body: no I/O, no state,
// thread-safe. They never trust the HTTP status: callers pass it in only so
// a non-envelope body (an HTML 503 page, say) can be explained.
//
// Shapes handled (see shared/spec/datagokr-apis.md, sections 1-3):
//  - <response><header><resultCode>… with body/items/item (any count),
//    body/item (a hand-written variant), <items/> or <items></items>;
//  - the gateway error <OpenAPI_ServiceResponse><cmmMsgHeader>…;
//  - the odcloud JSON page {"page","perPage","totalCount","currentCount",
//    "matchCount","data":[…]};
//  - the JSON error {"responseTime","resultCode","resultMsg"} and the odcloud
//    {"code":-4,"msg":…} variant (with HTTP 404 it means the portal does not
//    publish that file: kNotFound, not a key problem); and XML errors from a
//    JSON API.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace silverwork {

struct Field {
  std::string name;
  std::string value;
  bool operator==(const Field&) const = default;
};
// One item as the API sent it: every element, in order, unknown ones too.
using Fields = std::vector<Field>;

// Returns the value of `name`, or nullptr when the item has no such field.
const std::string* FindField(const Fields& fields, std::string_view name);

struct EnvelopePage {
  std::string result_code;  // as sent, e.g. "00", "0000", "03"
  std::string result_msg;
  std::vector<Fields> items;
  int64_t total_count = 0;
  int64_t page_no = 0;
  int64_t num_of_rows = 0;
};

// Maps a data.go.kr result code to a Status. OK for the success codes
// ("00", "000", "0000", "0") and NODATA ("03"); otherwise an error whose
// category decides what the collector does (retry, stop, fail fast) and
// whose hint says what the user can do. `request` names the call.
Status StatusForResultCode(std::string_view code, std::string_view message,
                           std::string_view request);

// True for failures worth retrying: transport errors, server-side codes,
// HTTP 5xx, rate limiting and unparseable (likely truncated) bodies.
bool IsRetryable(const Status& status);

// Parses a 100세누리 XML response. Errors in the body (any envelope) come
// back as the Status StatusForResultCode gives; a body that is not one of the
// shapes above is kCorrupt.
Result<EnvelopePage> ParseSenuriXml(std::string_view body, int http_status,
                                    std::string_view request);

// Parses an odcloud JSON page (projects). Values that are JSON numbers or
// booleans are kept as their JSON text; null becomes "".
Result<EnvelopePage> ParseOdcloudJson(std::string_view body, int http_status,
                                      std::string_view request);

}  // namespace silverwork
