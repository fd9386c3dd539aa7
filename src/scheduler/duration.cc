#include "scheduler/duration.h"

#include <fmt/format.h>

#include <array>

namespace silverwork::scheduler {
namespace {

struct Unit {
  char letter;
  int64_t seconds;
};
constexpr std::array<Unit, 4> kUnits{{{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}}};

Status BadDuration(std::string_view text, std::string_view why) {
  return Status(ErrorCode::kInvalidInput, fmt::format("bad duration '{}': {}", text, why),
                "write a whole number followed by a unit (s, m, h or d), largest unit first: "
                "30s, 5m, 1h30m, 2d");
}

}  // namespace

Result<std::chrono::seconds> ParseDuration(std::string_view text) {
  if (text.empty()) return BadDuration(text, "it is empty");
  int64_t total = 0;
  size_t next_unit = 0;  // units must come largest first, each once
  size_t position = 0;
  while (position < text.size()) {
    size_t digits_start = position;
    int64_t number = 0;
    while (position < text.size() && text[position] >= '0' && text[position] <= '9') {
      if (number > 1'000'000'000) return BadDuration(text, "the number is too large");
      number = number * 10 + (text[position++] - '0');
    }
    if (position == digits_start)
      return BadDuration(text, fmt::format("expected a number at '{}'", text.substr(position)));
    if (position == text.size()) return BadDuration(text, "the number has no unit");
    char letter = text[position++];
    size_t unit = next_unit;
    while (unit < kUnits.size() && kUnits[unit].letter != letter) ++unit;
    if (unit == kUnits.size()) {
      bool known = false;
      for (const Unit& candidate : kUnits) known = known || candidate.letter == letter;
      return BadDuration(text, known ? fmt::format("unit '{}' is repeated or out of order", letter)
                                     : fmt::format("'{}' is not a unit", letter));
    }
    total += number * kUnits[unit].seconds;
    next_unit = unit + 1;
  }
  return std::chrono::seconds(total);
}

std::string FormatDuration(std::chrono::seconds duration) {
  int64_t remaining = duration.count();
  if (remaining == 0) return "0s";
  std::string out = remaining < 0 ? "-" : "";
  if (remaining < 0) remaining = -remaining;
  for (const Unit& unit : kUnits) {
    if (remaining >= unit.seconds) {
      out += fmt::format("{}{}", remaining / unit.seconds, unit.letter);
      remaining %= unit.seconds;
    }
  }
  return out;
}

}  // namespace silverwork::scheduler
