#include "transform/template/datetime_module.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "transform/template/datetime_format.h"
#include "transform/template/datetime_values.h"
#include "transform/template/natives.h"

namespace silverwork::transform {
namespace {

// A class of the module (datetime, date, timedelta, timezone): called, it
// makes a value; its attributes are its class functions (now, today, utc...).
class ModuleClass final : public TemplateObject {
 public:
  using Attributes = std::map<std::string, TemplateValue, std::less<>>;
  ModuleClass(std::string name, NativeFunction::Body construct, Attributes attributes)
      : name_(std::move(name)), construct_(std::move(construct)), attributes_(std::move(attributes)) {}
  std::string TypeName() const override { return "type"; }
  std::string Render() const override { return "<class 'datetime." + name_ + "'>"; }
  bool IsCallable() const override { return true; }
  Result<TemplateValue> Call(const CallArguments& args) const override { return construct_(args); }
  std::optional<TemplateValue> Attribute(std::string_view name) const override {
    auto found = attributes_.find(name);
    if (found == attributes_.end()) return std::nullopt;
    return found->second;
  }

 private:
  std::string name_;
  NativeFunction::Body construct_;
  Attributes attributes_;
};

// The module itself: its classes by name.
class Module final : public TemplateObject {
 public:
  explicit Module(ModuleClass::Attributes classes) : classes_(std::move(classes)) {}
  std::string TypeName() const override { return "module"; }
  std::string Render() const override { return "<module 'datetime'>"; }
  std::optional<TemplateValue> Attribute(std::string_view name) const override {
    auto found = classes_.find(name);
    if (found == classes_.end()) return std::nullopt;
    return found->second;
  }

 private:
  ModuleClass::Attributes classes_;
};

constexpr std::string_view kClassNames[] = {
    "datetime", "datetime.now", "datetime.utcnow", "datetime.today", "datetime.strptime",
    "date",     "date.today",   "timedelta",       "timezone",       "timezone.utc",
};

int64_t MicrosSinceEpoch(std::chrono::system_clock::time_point instant) {
  return std::chrono::duration_cast<std::chrono::microseconds>(instant.time_since_epoch()).count();
}

// The integer argument `index` (or keyword `name`); `fallback` when absent,
// an error when absent without one.
Result<int64_t> Integer(const CallArguments& args, size_t index, std::string_view name,
                        std::optional<int64_t> fallback, std::string_view function) {
  const TemplateValue* value = args.Get(index, name);
  if (!value) {
    if (fallback) return *fallback;
    return TemplateError(fmt::format("{}() needs '{}'", function, name));
  }
  if (!value->is_int()) return TemplateError(fmt::format("{}(): '{}' must be an integer", function, name));
  return value->as_int();
}

Result<TemplateValue> ConstructDatetime(const CallArguments& args) {
  BrokenDownTime time;
  struct Field {
    std::string_view name;
    int* target;
    std::optional<int64_t> fallback;
  };
  const Field fields[] = {{"year", &time.year, std::nullopt},  {"month", &time.month, std::nullopt},
                          {"day", &time.day, std::nullopt},    {"hour", &time.hour, 0},
                          {"minute", &time.minute, 0},         {"second", &time.second, 0},
                          {"microsecond", &time.microsecond, 0}};
  for (size_t i = 0; i < std::size(fields); ++i) {
    SW_ASSIGN_OR_RETURN(int64_t value, Integer(args, i, fields[i].name, fields[i].fallback, "datetime"));
    if (value < -1'000'000 || value > 1'000'000)
      return TemplateError(fmt::format("datetime(): '{}' out of range", fields[i].name));
    *fields[i].target = static_cast<int>(value);
  }
  if (const TemplateValue* zone = args.Get(7, "tzinfo"); zone && !zone->is_none()) {
    const Timezone* timezone = AsTimezone(*zone);
    if (!timezone) return TemplateError("datetime(): 'tzinfo' must be a timezone");
    time.utc_offset_seconds = timezone->utc_offset_seconds;
  }
  SW_ASSIGN_OR_RETURN(Datetime value, DatetimeFromCivil(time));
  return MakeValue(value);
}

Result<TemplateValue> ConstructDate(const CallArguments& args) {
  SW_ASSIGN_OR_RETURN(int64_t year, Integer(args, 0, "year", std::nullopt, "date"));
  SW_ASSIGN_OR_RETURN(int64_t month, Integer(args, 1, "month", std::nullopt, "date"));
  SW_ASSIGN_OR_RETURN(int64_t day, Integer(args, 2, "day", std::nullopt, "date"));
  SW_ASSIGN_OR_RETURN(int64_t days, DaysFromCivil(year, month, day));
  return MakeValue(Date{days});
}

// timedelta(days, seconds, microseconds, milliseconds, minutes, hours,
// weeks): numbers (reals too), added up and rounded to microseconds.
Result<TemplateValue> ConstructTimedelta(const CallArguments& args) {
  constexpr std::pair<std::string_view, double> kUnits[] = {
      {"days", 86'400e6}, {"seconds", 1e6},  {"microseconds", 1.0}, {"milliseconds", 1e3},
      {"minutes", 60e6},  {"hours", 3600e6}, {"weeks", 604'800e6}};
  if (args.positional.size() > std::size(kUnits))
    return TemplateError("timedelta() takes at most 7 arguments");
  double micros = 0;
  for (size_t i = 0; i < std::size(kUnits); ++i) {
    const TemplateValue* value = args.Get(i, kUnits[i].first);
    if (!value) continue;
    if (!value->is_number())
      return TemplateError(fmt::format("timedelta(): '{}' must be a number", kUnits[i].first));
    micros += value->as_number() * kUnits[i].second;
  }
  for (const auto& [key, value] : args.keyword) {
    bool known = false;
    for (const auto& unit : kUnits) known = known || unit.first == key;
    if (!known) return TemplateError(fmt::format("timedelta() has no argument '{}'", key));
  }
  if (std::abs(micros) > 1e18) return TemplateError("timedelta(): out of range");
  return MakeValue(Timedelta{static_cast<int64_t>(std::llround(micros))});
}

Result<TemplateValue> ConstructTimezone(const CallArguments& args) {
  const TemplateValue* offset = args.Get(0, "offset");
  const Timedelta* delta = offset ? AsTimedelta(*offset) : nullptr;
  if (!delta) return TemplateError("timezone() takes a timedelta, e.g. timedelta(hours=9)");
  if (delta->micros % kMicrosPerSecond != 0 || std::abs(delta->micros) >= kMicrosPerDay)
    return TemplateError("timezone(): the offset must be whole seconds, less than a day");
  return MakeValue(Timezone{static_cast<int>(delta->micros / kMicrosPerSecond)});
}

// datetime.now(tz=None): the clock's time in UTC, or tz's wall time.
Result<TemplateValue> Now(const NowFunction& now, const CallArguments& args) {
  const int64_t utc = MicrosSinceEpoch(now());
  const TemplateValue* zone = args.Get(0, "tz");
  if (!zone || zone->is_none()) return MakeValue(Datetime{utc});
  const Timezone* timezone = AsTimezone(*zone);
  if (!timezone) return TemplateError("now(): 'tz' must be a timezone");
  return MakeValue(Datetime{utc + int64_t{timezone->utc_offset_seconds} * kMicrosPerSecond,
                            timezone->utc_offset_seconds});
}

Result<TemplateValue> Strptime(const CallArguments& args) {
  const TemplateValue* text = args.Get(0, "date_string");
  const TemplateValue* format = args.Get(1, "format");
  if (!text || !text->is_string() || !format || !format->is_string())
    return TemplateError("strptime() takes the text and its format, e.g. strptime(s, '%Y%m%d')");
  SW_ASSIGN_OR_RETURN(BrokenDownTime time, ParseTime(text->as_string(), format->as_string()));
  SW_ASSIGN_OR_RETURN(Datetime value, DatetimeFromCivil(time));
  return MakeValue(value);
}

}  // namespace

TemplateValue MakeDatetimeModule(NowFunction now) {
  auto clock = std::make_shared<const NowFunction>(std::move(now));
  auto naive_now = [clock](const CallArguments&) -> Result<TemplateValue> {
    return MakeValue(Datetime{MicrosSinceEpoch((*clock)())});
  };
  ModuleClass::Attributes datetime_functions{
      {"now", MakeFunction("now", [clock](const CallArguments& args) { return Now(*clock, args); })},
      {"utcnow", MakeFunction("utcnow", naive_now)},
      {"today", MakeFunction("today", naive_now)},
      {"strptime", MakeFunction("strptime", Strptime)},
  };
  ModuleClass::Attributes date_functions{
      {"today", MakeFunction("today", [clock](const CallArguments&) -> Result<TemplateValue> {
         return MakeValue(Date{MicrosSinceEpoch((*clock)()) / kMicrosPerDay});
       })}};
  ModuleClass::Attributes classes{
      {"datetime", TemplateValue(std::make_shared<const ModuleClass>(
                       "datetime", ConstructDatetime, std::move(datetime_functions)))},
      {"date", TemplateValue(std::make_shared<const ModuleClass>("date", ConstructDate,
                                                                 std::move(date_functions)))},
      {"timedelta", TemplateValue(std::make_shared<const ModuleClass>(
                        "timedelta", ConstructTimedelta, ModuleClass::Attributes{}))},
      {"timezone", TemplateValue(std::make_shared<const ModuleClass>(
                       "timezone", ConstructTimezone,
                       ModuleClass::Attributes{{"utc", MakeValue(Timezone{0})}}))},
  };
  return TemplateValue(std::make_shared<const Module>(std::move(classes)));
}

TemplateValue MakeUtcDatetime(std::chrono::system_clock::time_point instant) {
  return MakeValue(Datetime{MicrosSinceEpoch(instant), 0});
}

std::span<const std::string_view> DatetimeModuleNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> all(std::begin(kClassNames), std::end(kClassNames));
    for (std::string_view member : DatetimeValueMemberNames()) all.push_back(member);
    return all;
  }();
  return names;
}

}  // namespace silverwork::transform
