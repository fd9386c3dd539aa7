// The lake's on-disk names and manifest line format, shared by LakeWriter and
// LakeReader. Internal to sw_lake: everything else goes through lake.h.
// Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "lake/lake.h"

namespace silverwork::lake_format {

inline constexpr std::string_view kDayPrefix = "dt=";
inline constexpr std::string_view kRunPrefix = "run=";
inline constexpr std::string_view kPartPrefix = "part-";
inline constexpr std::string_view kFrameSuffix = ".zst";
inline constexpr std::string_view kManifestSuffix = ".manifest.jsonl";

// Where one compressed response sits in its part file.
struct FrameLocation {
  int64_t offset = 0;
  int64_t length = 0;
  int64_t raw_size = 0;
  uint32_t crc32 = 0;
};

// True for a non-empty name of [A-Za-z0-9_.-] other than "." and "..": safe
// as one path component. Datasets and run ids must be such names.
bool IsValidName(std::string_view name);

// "part-00042" (at least five digits).
std::string PartStem(int64_t part_number);
// The number in a "part-NNNNN" stem, or -1 when `stem` is not one.
int64_t ParsePartStem(std::string_view stem);

// "<dataset>/dt=<day>/run=<run id>" relative to the lake root.
std::string PartitionPath(std::string_view dataset, std::string_view day, std::string_view run_id);

struct DirectoryEntry {
  std::string name;
  bool is_directory = false;
};
// The entries of a directory, sorted by name. kNotFound when it is missing,
// kIO when it cannot be read.
Result<std::vector<DirectoryEntry>> ListDirectory(const std::string& path);

// crc32 (zlib polynomial) of `data`.
uint32_t Crc32(std::string_view data);

// One manifest line, newline-terminated. Uses every field of `record` except
// `body`. Invalid UTF-8 in text fields is replaced, never thrown on.
std::string EncodeManifestLine(const LakeRecord& record, const FrameLocation& frame);

// True when `line` is one complete JSON value.
bool IsJson(std::string_view line);

// Parses a manifest line into everything but `record->body`. kCorrupt when
// the line is not JSON or lacks a field; the caller adds file and line.
Status DecodeManifestLine(std::string_view line, LakeRecord* record, FrameLocation* frame);

}  // namespace silverwork::lake_format
