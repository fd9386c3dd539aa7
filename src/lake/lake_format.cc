#include "lake/lake_format.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>

namespace silverwork::lake_format {
namespace {

using Json = nlohmann::json;

// Fills the fields of one manifest line straight from the parser's events
// (no DOM: replaying a large lake parses millions of lines). Unknown keys
// and nested values are skipped; a known key with a value of the wrong type
// counts as missing.
class ManifestLineHandler final : public nlohmann::json_sax<Json> {
 public:
  ManifestLineHandler(LakeRecord* record, FrameLocation* frame)
      : integers_{{{"seq", &record->seq},
                   {"offset", &frame->offset},
                   {"length", &frame->length},
                   {"raw_size", &frame->raw_size},
                   {"crc32", &crc32_},
                   {"http_status", &http_status_}}},
        strings_{{{"request", &record->request},
                  {"fetched_at", &record->fetched_at},
                  {"dataset", &record->dataset},
                  {"run_id", &record->run_id}}} {}

  // The first field that was absent or mistyped, or nullptr.
  const char* MissingField() const {
    for (size_t index = 0; index < integers_.size(); ++index) {
      if (!(seen_ & (1u << index))) return integers_[index].name;
    }
    for (size_t index = 0; index < strings_.size(); ++index) {
      if (!(seen_ & (1u << (integers_.size() + index)))) return strings_[index].name;
    }
    return nullptr;
  }
  bool is_object() const { return is_object_; }
  int64_t crc32() const { return crc32_; }
  int64_t http_status() const { return http_status_; }

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t value) override { return Integer(value); }
  bool number_unsigned(number_unsigned_t value) override {
    if (value > static_cast<number_unsigned_t>(INT64_MAX)) return true;  // left missing
    return Integer(static_cast<int64_t>(value));
  }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t& value) override {
    if (depth_ != 1) return true;
    for (size_t index = 0; index < strings_.size(); ++index) {
      if (key_ == strings_[index].name) {
        strings_[index].target->swap(value);
        seen_ |= 1u << (integers_.size() + index);
      }
    }
    return true;
  }
  bool binary(binary_t&) override { return true; }
  bool start_object(size_t) override {
    if (depth_ == 0) is_object_ = true;
    ++depth_;
    return true;
  }
  bool key(string_t& value) override {
    if (depth_ == 1) key_.swap(value);
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(size_t) override {
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  template <typename T>
  struct Field {
    const char* name;
    T* target;
  };

  bool Integer(int64_t value) {
    if (depth_ != 1) return true;
    for (size_t index = 0; index < integers_.size(); ++index) {
      if (key_ == integers_[index].name) {
        *integers_[index].target = value;
        seen_ |= 1u << index;
      }
    }
    return true;
  }

  int64_t crc32_ = 0;
  int64_t http_status_ = 0;
  std::array<Field<int64_t>, 6> integers_;
  std::array<Field<std::string>, 4> strings_;
  uint32_t seen_ = 0;
  int depth_ = 0;
  bool is_object_ = false;
  std::string key_;
};

// `text` as a JSON string literal; invalid UTF-8 is replaced, not thrown on.
std::string JsonString(const std::string& text) {
  return Json(text).dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

bool IsValidName(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || ch == '-';
  });
}

std::string PartStem(int64_t part_number) {
  return fmt::format("{}{:05d}", kPartPrefix, part_number);
}

int64_t ParsePartStem(std::string_view stem) {
  if (!stem.starts_with(kPartPrefix)) return -1;
  const std::string_view digits = stem.substr(kPartPrefix.size());
  if (digits.empty() || digits.size() > 12) return -1;
  int64_t number = 0;
  for (char ch : digits) {
    if (ch < '0' || ch > '9') return -1;
    number = number * 10 + (ch - '0');
  }
  return number;
}

std::string PartitionPath(std::string_view dataset, std::string_view day, std::string_view run_id) {
  return fmt::format("{}/{}{}/{}{}", dataset, kDayPrefix, day, kRunPrefix, run_id);
}

Result<std::vector<DirectoryEntry>> ListDirectory(const std::string& path) {
  std::error_code error;
  std::filesystem::directory_iterator it(path, error);
  if (error == std::errc::no_such_file_or_directory) {
    return Status(ErrorCode::kNotFound, fmt::format("{} does not exist", path));
  }
  std::vector<DirectoryEntry> entries;
  for (; !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    std::error_code type_error;
    entries.push_back(
        {.name = it->path().filename().string(), .is_directory = it->is_directory(type_error)});
  }
  if (error) {
    return Status(ErrorCode::kIO, fmt::format("cannot list {}: {}", path, error.message()),
                  "check the permissions of the lake directory");
  }
  std::sort(entries.begin(), entries.end(),
            [](const DirectoryEntry& a, const DirectoryEntry& b) { return a.name < b.name; });
  return entries;
}

uint32_t Crc32(std::string_view data) {
  return static_cast<uint32_t>(
      crc32_z(0L, reinterpret_cast<const Bytef*>(data.data()), data.size()));
}

std::string EncodeManifestLine(const LakeRecord& record, const FrameLocation& frame) {
  return fmt::format(
      "{{\"seq\":{},\"offset\":{},\"length\":{},\"raw_size\":{},\"crc32\":{},\"request\":{},"
      "\"http_status\":{},\"fetched_at\":{},\"dataset\":{},\"run_id\":{}}}\n",
      record.seq, frame.offset, frame.length, frame.raw_size, frame.crc32,
      JsonString(record.request), record.http_status, JsonString(record.fetched_at),
      JsonString(record.dataset), JsonString(record.run_id));
}

bool IsJson(std::string_view line) { return Json::accept(line.begin(), line.end()); }

Status DecodeManifestLine(std::string_view line, LakeRecord* record, FrameLocation* frame) {
  ManifestLineHandler handler(record, frame);
  if (!Json::sax_parse(line.begin(), line.end(), &handler) || !handler.is_object()) {
    return Status(ErrorCode::kCorrupt, "manifest line is not a JSON object");
  }
  if (const char* missing = handler.MissingField()) {
    return Status(ErrorCode::kCorrupt, fmt::format("manifest line lacks a valid \"{}\"", missing));
  }
  const int64_t crc = handler.crc32();
  if (frame->offset < 0 || frame->length <= 0 || frame->raw_size < 0 || crc < 0 ||
      crc > 0xFFFFFFFFLL) {
    return Status(ErrorCode::kCorrupt,
                  fmt::format("manifest line has an impossible frame (offset {}, length {}, "
                              "raw_size {}, crc32 {})",
                              frame->offset, frame->length, frame->raw_size, crc));
  }
  frame->crc32 = static_cast<uint32_t>(crc);
  record->http_status = static_cast<int>(handler.http_status());
  return Status::Ok();
}

}  // namespace silverwork::lake_format
