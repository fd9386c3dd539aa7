// Small text helpers for HTTP/1.1 message heads (header names compare
// case-insensitively; values carry optional whitespace), used by the
// simulator's server (the client is cpp-httplib's).
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace silverwork::http_text {

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// `text` in ASCII lower case, as HttpResponse::headers holds field names.
inline std::string LowerCase(std::string_view text) {
  std::string lower(text);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return lower;
}

// `text` without leading and trailing spaces and tabs.
inline std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Calls on_field(name, value) for each "Name: value" line of `fields` (a
// message head after its first line, lines separated by CRLF); the value is
// trimmed, the name given as written. A line without a colon is skipped
// when `skip_malformed`, else ends the walk with false; so does on_field
// returning false. True when every line was taken.
template <typename OnField>
bool ForEachHeaderField(std::string_view fields, bool skip_malformed, OnField&& on_field) {
  while (!fields.empty()) {
    size_t end = fields.find("\r\n");
    std::string_view line = fields.substr(0, end);
    fields = end == std::string_view::npos ? std::string_view() : fields.substr(end + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      if (skip_malformed) continue;
      return false;
    }
    if (!on_field(line.substr(0, colon), Trim(line.substr(colon + 1)))) return false;
  }
  return true;
}

// A Content-Length value: digits only, at most about 2^40; nullopt otherwise
// (empty included).
inline std::optional<size_t> ParseContentLength(std::string_view value) {
  if (value.empty()) return std::nullopt;
  size_t length = 0;
  for (char ch : value) {
    if (ch < '0' || ch > '9' || length > (size_t{1} << 40)) return std::nullopt;
    length = length * 10 + static_cast<size_t>(ch - '0');
  }
  return length;
}

}  // namespace silverwork::http_text
