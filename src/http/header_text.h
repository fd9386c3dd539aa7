// Small text helpers for HTTP/1.1 message heads (header names compare
// case-insensitively; values carry optional whitespace), shared by the
// client (socket_http_client.cc) and the simulator's server.
#pragma once

#include <algorithm>
#include <cctype>
#include <string_view>

namespace silverwork::http_text {

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// `text` without leading and trailing spaces and tabs.
inline std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace silverwork::http_text
