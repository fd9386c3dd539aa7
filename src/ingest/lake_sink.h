// LakeSink: lands every API response in the lake before it is interpreted.
// Thread-safe (LakeWriter is).
#pragma once

#include "lake/lake.h"
#include "sources/datagokr_client.h"

namespace silverwork {

class LakeSink final : public ResponseSink {
 public:
  explicit LakeSink(LakeWriter& writer) : writer_(writer) {}
  Status OnResponse(std::string_view dataset, std::string_view request, int http_status,
                    std::string_view fetched_at, std::string_view body) override {
    LakeRecord record;
    record.dataset = std::string(dataset);
    record.request = std::string(request);
    record.http_status = http_status;
    record.fetched_at = std::string(fetched_at);
    record.body = std::string(body);
    return writer_.Append(record).status();
  }

 private:
  LakeWriter& writer_;
};

}  // namespace silverwork
