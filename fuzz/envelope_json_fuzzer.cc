// Feeds arbitrary bytes to the odcloud JSON envelope parser (which also
// accepts XML error envelopes): it must never crash or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto page = silverwork::ParseOdcloudJson(body, size > 0 ? 200 + data[0] % 400 : 200, "fuzz");
  if (page.ok()) {
    for (const auto& item : page->items) (void)silverwork::FindField(item, "사업번호");
  }
  return 0;
}
