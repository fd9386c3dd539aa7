// CronSchedule::Describe: a cron expression in words, for the pipelines list
// of the API and the CLI.
#include <fmt/format.h>

#include <array>
#include <vector>

#include "scheduler/cron.h"

namespace silverwork::scheduler {
namespace {

constexpr std::array<const char*, 7> kWeekdays{"Sunday",   "Monday", "Tuesday", "Wednesday",
                                               "Thursday", "Friday", "Saturday"};
constexpr std::array<const char*, 13> kMonths{
    "",     "January", "February",  "March",   "April",    "May",     "June",
    "July", "August",  "September", "October", "November", "December"};

template <size_t N>
std::vector<int> SetBits(const std::bitset<N>& bits, int first = 0) {
  std::vector<int> out;
  for (int i = first; i < static_cast<int>(N); ++i)
    if (bits.test(static_cast<size_t>(i))) out.push_back(i);
  return out;
}

// The step of a set that is exactly 0, s, 2s, ... up to `size`, or 0.
int EvenStep(const std::vector<int>& values, int size) {
  if (values.size() < 2 || values.front() != 0) return 0;
  int step = values[1];
  if (size % step != 0 || static_cast<int>(values.size()) != size / step) return 0;
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i] != static_cast<int>(i) * step) return 0;
  return step;
}

std::string JoinWords(const std::vector<std::string>& words) {
  if (words.size() <= 1) return words.empty() ? "" : words.front();
  std::string out;
  for (size_t i = 0; i + 1 < words.size(); ++i) out += (i ? ", " : "") + words[i];
  return out + " and " + words.back();
}

}  // namespace

std::string CronSchedule::Describe() const {
  const std::vector<int> minutes = SetBits(minutes_);
  const std::vector<int> hours = SetBits(hours_);
  std::string when;
  bool time_of_day = false;
  if (hours.size() == 24 && minutes.size() == 60) {
    when = "every minute";
  } else if (hours.size() == 24 && EvenStep(minutes, 60) > 0) {
    when = fmt::format("every {} minutes", EvenStep(minutes, 60));
  } else if (hours.size() == 24 && minutes.size() == 1) {
    when = minutes[0] == 0 ? "every hour" : fmt::format("every hour at minute {}", minutes[0]);
  } else if (minutes.size() == 1 && EvenStep(hours, 24) > 0) {
    when = fmt::format("every {} hours at minute {}", EvenStep(hours, 24), minutes[0]);
  } else if (minutes.size() == 1 && hours.size() <= 4) {
    std::vector<std::string> times;
    for (int hour : hours) times.push_back(fmt::format("{:02}:{:02}", hour, minutes[0]));
    when = "at " + JoinWords(times);
    time_of_day = true;
  } else {
    return "cron " + expression_;
  }

  std::vector<std::string> day_parts;
  if (!day_of_month_star_) {
    std::vector<std::string> days;
    for (int day : SetBits(days_of_month_, 1)) days.push_back(std::to_string(day));
    day_parts.push_back(
        fmt::format("on day{} {} of the month", days.size() > 1 ? "s" : "", JoinWords(days)));
  }
  if (!day_of_week_star_) {
    std::vector<std::string> days;
    for (int day : SetBits(days_of_week_)) days.push_back(kWeekdays[static_cast<size_t>(day)]);
    day_parts.push_back("on " + JoinWords(days));
  }
  std::string out = when;
  if (day_parts.empty() && time_of_day) out += " every day";
  if (!day_parts.empty()) out += " " + day_parts[0];
  if (day_parts.size() == 2) out += " or " + day_parts[1];
  const std::vector<int> months = SetBits(months_, 1);
  if (months.size() < 12) {
    std::vector<std::string> names;
    for (int month : months) names.push_back(kMonths[static_cast<size_t>(month)]);
    out += " in " + JoinWords(names);
  }
  return out;
}

}  // namespace silverwork::scheduler
