// Helpers shared by the lake tests.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "lake/lake.h"

namespace silverwork {

inline LakeRecord MakeRecord(std::string dataset, std::string fetched_at, std::string body,
                             std::string request = "/getJobList?pageNo=1&numOfRows=10") {
  LakeRecord record;
  record.dataset = std::move(dataset);
  record.request = std::move(request);
  record.http_status = 200;
  record.fetched_at = std::move(fetched_at);
  record.body = std::move(body);
  return record;
}

inline std::unique_ptr<LakeWriter> OpenWriter(const std::string& root, const std::string& run_id,
                                              int64_t part_bytes = 64 << 20) {
  auto writer =
      LakeWriter::Open({.root = root, .run_id = run_id, .part_bytes = part_bytes, .fsync = false});
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  return writer.ok() ? std::move(writer).value() : nullptr;
}

// Every record of the lake, in replay order.
inline std::vector<LakeRecord> ReadAll(const std::string& root,
                                       const std::vector<std::string>& datasets = {},
                                       LakeStats* stats = nullptr) {
  std::vector<LakeRecord> records;
  Status status = LakeReader(root).ForEach(
      datasets,
      [&records](const LakeRecord& record) {
        records.push_back(record);
        return Status::Ok();
      },
      stats);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return records;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
}

}  // namespace silverwork
