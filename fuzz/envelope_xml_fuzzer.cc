// Feeds arbitrary bytes to the 100세누리 XML envelope parser: it must never
// crash, hang or read out of bounds, whatever the gateway sends.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto page = silverwork::ParseSenuriXml(body, 200, "fuzz");
  if (page.ok()) {
    for (const auto& item : page->items) (void)silverwork::FindField(item, "jobId");
  } else {
    (void)silverwork::IsRetryable(page.status());
  }
  return 0;
}
