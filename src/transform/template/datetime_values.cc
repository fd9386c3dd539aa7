#include "transform/template/datetime_values.h"

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "transform/template/datetime_format.h"
#include "transform/template/natives.h"

namespace silverwork::transform {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

BrokenDownTime CivilOfDays(int64_t days) {
  const std::chrono::year_month_day day{std::chrono::sys_days{std::chrono::days{days}}};
  return {.year = static_cast<int>(day.year()),
          .month = static_cast<int>(static_cast<unsigned>(day.month())),
          .day = static_cast<int>(static_cast<unsigned>(day.day()))};
}

BrokenDownTime CivilOf(const Datetime& value) {
  BrokenDownTime time = CivilOfDays(FloorDiv(value.micros, kMicrosPerDay));
  const int64_t in_day = FloorMod(value.micros, kMicrosPerDay);
  time.hour = static_cast<int>(in_day / (3600 * kMicrosPerSecond));
  time.minute = static_cast<int>(in_day / (60 * kMicrosPerSecond) % 60);
  time.second = static_cast<int>(in_day / kMicrosPerSecond % 60);
  time.microsecond = static_cast<int>(in_day % kMicrosPerSecond);
  time.utc_offset_seconds = value.utc_offset_seconds;
  return time;
}

// The instant a datetime names, in UTC microseconds (its wall time when naive).
int64_t UtcMicros(const Datetime& value) {
  return value.micros - int64_t{value.utc_offset_seconds.value_or(0)} * kMicrosPerSecond;
}

int Weekday(int64_t days) { return static_cast<int>(FloorMod(days + 3, 7)); }  // 1970-01-01: Thu

std::string IsoDate(const BrokenDownTime& time) {
  return fmt::format("{:04d}-{:02d}-{:02d}", time.year, time.month, time.day);
}

std::string IsoFormat(const Datetime& value, std::string_view separator) {
  const BrokenDownTime time = CivilOf(value);
  std::string text = fmt::format("{}{}{:02d}:{:02d}:{:02d}", IsoDate(time), separator, time.hour,
                                 time.minute, time.second);
  if (time.microsecond != 0) text += fmt::format(".{:06d}", time.microsecond);
  if (value.utc_offset_seconds) text += FormatUtcOffset(*value.utc_offset_seconds, true);
  return text;
}

// Python's str(timedelta): "2 days, 3:04:05.000006", "-1 day, 23:59:59".
std::string TimedeltaText(const Timedelta& value) {
  const int64_t days = FloorDiv(value.micros, kMicrosPerDay);
  const int64_t rest = FloorMod(value.micros, kMicrosPerDay);
  const int64_t seconds = rest / kMicrosPerSecond;
  std::string text = fmt::format("{}:{:02d}:{:02d}", seconds / 3600, seconds / 60 % 60, seconds % 60);
  if (rest % kMicrosPerSecond != 0) text += fmt::format(".{:06d}", rest % kMicrosPerSecond);
  if (days != 0) text = fmt::format("{} day{}, ", days, days == 1 || days == -1 ? "" : "s") + text;
  return text;
}

Result<std::string> StringArgument(const CallArguments& args, size_t index, std::string_view name) {
  const TemplateValue* value = args.Get(index, name);
  if (!value || !value->is_string()) return TemplateError(fmt::format("'{}' must be text", name));
  return value->as_string();
}


// replace(year=, month=, ...) of a broken-down time.
Result<BrokenDownTime> Replace(BrokenDownTime time, const CallArguments& args, bool with_time) {
  if (!args.positional.empty()) return TemplateError("replace() takes keyword arguments only");
  struct Field {
    std::string_view name;
    int* target;
  };
  const Field fields[] = {{"year", &time.year},     {"month", &time.month},
                          {"day", &time.day},       {"hour", &time.hour},
                          {"minute", &time.minute}, {"second", &time.second},
                          {"microsecond", &time.microsecond}};
  for (const auto& [key, value] : args.keyword) {
    bool known = false;
    for (const Field& field : fields) {
      if (field.name != key || (!with_time && field.target != &time.year &&
                                field.target != &time.month && field.target != &time.day))
        continue;
      if (!value.is_int()) return TemplateError(fmt::format("replace(): '{}' must be an integer", key));
      *field.target = static_cast<int>(value.as_int());
      known = true;
    }
    if (!known && with_time && key == "tzinfo") {
      if (value.is_none()) {
        time.utc_offset_seconds.reset();
      } else if (const Timezone* zone = AsTimezone(value)) {
        time.utc_offset_seconds = zone->utc_offset_seconds;
      } else {
        return TemplateError("replace(): 'tzinfo' must be a timezone or none");
      }
      known = true;
    }
    if (!known) return TemplateError(fmt::format("replace() has no argument '{}'", key));
  }
  return time;
}

template <class T>
struct Member {
  std::string_view name;
  TemplateValue (*get)(const T&);
};

// A method of a value: a function bound to a copy of it.
template <class T>
TemplateValue Method(std::string_view name, const T& self,
                     Result<TemplateValue> (*body)(const T&, const CallArguments&)) {
  return MakeFunction(std::string(name),
                      [self, body](const CallArguments& args) { return body(self, args); });
}

const Member<Timedelta> kTimedeltaMembers[] = {
    {"days", [](const Timedelta& t) { return TemplateValue(FloorDiv(t.micros, kMicrosPerDay)); }},
    {"seconds",
     [](const Timedelta& t) {
       return TemplateValue(FloorMod(t.micros, kMicrosPerDay) / kMicrosPerSecond);
     }},
    {"microseconds",
     [](const Timedelta& t) { return TemplateValue(FloorMod(t.micros, kMicrosPerSecond)); }},
    {"total_seconds",
     [](const Timedelta& t) {
       return Method<Timedelta>("total_seconds", t, [](const Timedelta& self, const CallArguments&) {
         return Result<TemplateValue>(static_cast<double>(self.micros) / kMicrosPerSecond);
       });
     }},
};

Result<TemplateValue> Strftime(const BrokenDownTime& time, const CallArguments& args) {
  SW_ASSIGN_OR_RETURN(std::string format, StringArgument(args, 0, "format"));
  SW_ASSIGN_OR_RETURN(std::string text, FormatTime(time, format));
  return TemplateValue(std::move(text));
}

const Member<Date> kDateMembers[] = {
    {"year", [](const Date& d) { return TemplateValue(CivilOfDays(d.days).year); }},
    {"month", [](const Date& d) { return TemplateValue(CivilOfDays(d.days).month); }},
    {"day", [](const Date& d) { return TemplateValue(CivilOfDays(d.days).day); }},
    {"weekday",
     [](const Date& d) {
       return Method<Date>("weekday", d, [](const Date& self, const CallArguments&) {
         return Result<TemplateValue>(Weekday(self.days));
       });
     }},
    {"isoweekday",
     [](const Date& d) {
       return Method<Date>("isoweekday", d, [](const Date& self, const CallArguments&) {
         return Result<TemplateValue>(Weekday(self.days) + 1);
       });
     }},
    {"isoformat",
     [](const Date& d) {
       return Method<Date>("isoformat", d, [](const Date& self, const CallArguments&) {
         return Result<TemplateValue>(IsoDate(CivilOfDays(self.days)));
       });
     }},
    {"strftime",
     [](const Date& d) {
       return Method<Date>("strftime", d, [](const Date& self, const CallArguments& args) {
         return Strftime(CivilOfDays(self.days), args);
       });
     }},
    {"replace",
     [](const Date& d) {
       return Method<Date>("replace", d, [](const Date& self, const CallArguments& args)
                                             -> Result<TemplateValue> {
         SW_ASSIGN_OR_RETURN(BrokenDownTime time, Replace(CivilOfDays(self.days), args, false));
         SW_ASSIGN_OR_RETURN(int64_t days, DaysFromCivil(time.year, time.month, time.day));
         return MakeValue(Date{days});
       });
     }},
};

Result<TemplateValue> Astimezone(const Datetime& self, const CallArguments& args) {
  if (!self.utc_offset_seconds)
    return TemplateError("astimezone() of a naive datetime: silverwork does not know the local zone",
                         "make it aware first: value.replace(tzinfo=modules.datetime.timezone.utc)");
  const TemplateValue* zone_value = args.Get(0, "tz");
  const Timezone* zone = zone_value ? AsTimezone(*zone_value) : nullptr;
  if (!zone) return TemplateError("astimezone() takes a timezone");
  return MakeValue(Datetime{UtcMicros(self) + int64_t{zone->utc_offset_seconds} * kMicrosPerSecond,
                            zone->utc_offset_seconds});
}

const Member<Datetime> kDatetimeMembers[] = {
    {"year", [](const Datetime& d) { return TemplateValue(CivilOf(d).year); }},
    {"month", [](const Datetime& d) { return TemplateValue(CivilOf(d).month); }},
    {"day", [](const Datetime& d) { return TemplateValue(CivilOf(d).day); }},
    {"hour", [](const Datetime& d) { return TemplateValue(CivilOf(d).hour); }},
    {"minute", [](const Datetime& d) { return TemplateValue(CivilOf(d).minute); }},
    {"second", [](const Datetime& d) { return TemplateValue(CivilOf(d).second); }},
    {"microsecond", [](const Datetime& d) { return TemplateValue(CivilOf(d).microsecond); }},
    {"tzinfo",
     [](const Datetime& d) {
       return d.utc_offset_seconds ? MakeValue(Timezone{*d.utc_offset_seconds}) : TemplateValue();
     }},
    {"date",
     [](const Datetime& d) {
       return Method<Datetime>("date", d, [](const Datetime& self, const CallArguments&) {
         return Result<TemplateValue>(MakeValue(Date{FloorDiv(self.micros, kMicrosPerDay)}));
       });
     }},
    {"weekday",
     [](const Datetime& d) {
       return Method<Datetime>("weekday", d, [](const Datetime& self, const CallArguments&) {
         return Result<TemplateValue>(Weekday(FloorDiv(self.micros, kMicrosPerDay)));
       });
     }},
    {"isoweekday",
     [](const Datetime& d) {
       return Method<Datetime>("isoweekday", d, [](const Datetime& self, const CallArguments&) {
         return Result<TemplateValue>(Weekday(FloorDiv(self.micros, kMicrosPerDay)) + 1);
       });
     }},
    {"isoformat",
     [](const Datetime& d) {
       return Method<Datetime>("isoformat", d, [](const Datetime& self, const CallArguments& args)
                                                   -> Result<TemplateValue> {
         const TemplateValue* separator = args.Get(0, "sep");
         if (separator && !separator->is_string())
           return TemplateError("isoformat(): 'sep' must be text");
         return TemplateValue(IsoFormat(self, separator ? separator->as_string() : "T"));
       });
     }},
    {"strftime",
     [](const Datetime& d) {
       return Method<Datetime>("strftime", d, [](const Datetime& self, const CallArguments& args) {
         return Strftime(CivilOf(self), args);
       });
     }},
    {"replace",
     [](const Datetime& d) {
       return Method<Datetime>("replace", d, [](const Datetime& self, const CallArguments& args)
                                                 -> Result<TemplateValue> {
         SW_ASSIGN_OR_RETURN(BrokenDownTime time, Replace(CivilOf(self), args, true));
         SW_ASSIGN_OR_RETURN(Datetime replaced, DatetimeFromCivil(time));
         return MakeValue(replaced);
       });
     }},
    {"astimezone",
     [](const Datetime& d) { return Method<Datetime>("astimezone", d, Astimezone); }},
    {"timestamp",
     [](const Datetime& d) {
       // A naive datetime counts as UTC: silverwork runs on UTC.
       return Method<Datetime>("timestamp", d, [](const Datetime& self, const CallArguments&) {
         return Result<TemplateValue>(static_cast<double>(UtcMicros(self)) / kMicrosPerSecond);
       });
     }},
};

// The member `name` of `self` from `members`, or nullopt.
template <class T, size_t N>
std::optional<TemplateValue> FindMember(const Member<T> (&members)[N], const T& self,
                                        std::string_view name) {
  for (const Member<T>& member : members)
    if (member.name == name) return member.get(self);
  return std::nullopt;
}

int Order(int64_t a, int64_t b) { return a < b ? -1 : (a > b ? 1 : 0); }

using Operation = std::optional<Result<TemplateValue>>;

class TimedeltaObject final : public TemplateObject {
 public:
  explicit TimedeltaObject(Timedelta value) : value_(value) {}
  const Timedelta& value() const { return value_; }
  std::string TypeName() const override { return "timedelta"; }
  std::string Render() const override { return TimedeltaText(value_); }
  std::optional<TemplateValue> Attribute(std::string_view name) const override {
    return FindMember(kTimedeltaMembers, value_, name);
  }
  std::optional<int> Compare(const TemplateObject& other) const override {
    const auto* delta = dynamic_cast<const TimedeltaObject*>(&other);
    if (!delta) return std::nullopt;
    return Order(value_.micros, delta->value_.micros);
  }
  Operation Operate(std::string_view op, const TemplateValue& other,
                    bool object_on_left) const override {
    if (const Timedelta* delta = AsTimedelta(other)) {
      if (op == "+") return MakeValue(Timedelta{value_.micros + delta->micros});
      if (op == "-")
        return MakeValue(Timedelta{object_on_left ? value_.micros - delta->micros
                                                  : delta->micros - value_.micros});
    }
    if (op == "*" && other.is_int()) return MakeValue(Timedelta{value_.micros * other.as_int()});
    return std::nullopt;
  }

 private:
  Timedelta value_;
};

class DateObject final : public TemplateObject {
 public:
  explicit DateObject(Date value) : value_(value) {}
  const Date& value() const { return value_; }
  std::string TypeName() const override { return "date"; }
  std::string Render() const override { return IsoDate(CivilOfDays(value_.days)); }
  std::optional<TemplateValue> Attribute(std::string_view name) const override {
    return FindMember(kDateMembers, value_, name);
  }
  std::optional<int> Compare(const TemplateObject& other) const override {
    const auto* date = dynamic_cast<const DateObject*>(&other);
    if (!date) return std::nullopt;
    return Order(value_.days, date->value_.days);
  }
  // Python adds a timedelta's whole days to a date.
  Operation Operate(std::string_view op, const TemplateValue& other,
                    bool object_on_left) const override {
    if (const Timedelta* delta = AsTimedelta(other)) {
      const int64_t days = FloorDiv(delta->micros, kMicrosPerDay);
      if (op == "+") return Shifted(days);
      if (op == "-" && object_on_left) return Shifted(-days);
    }
    if (const Date* date = AsDate(other); date && op == "-" && object_on_left)
      return MakeValue(Timedelta{(value_.days - date->days) * kMicrosPerDay});
    return std::nullopt;
  }

 private:
  Result<TemplateValue> Shifted(int64_t days) const {
    const int64_t shifted = value_.days + days;
    SW_RETURN_IF_ERROR(CheckedYear(CivilOfDays(shifted).year));
    return MakeValue(Date{shifted});
  }
  static Status CheckedYear(int year) {
    if (year < 1 || year > 9999) return TemplateError("date value out of range");
    return Status::Ok();
  }
  Date value_;
};

class DatetimeObject final : public TemplateObject {
 public:
  explicit DatetimeObject(Datetime value) : value_(value) {}
  const Datetime& value() const { return value_; }
  std::string TypeName() const override { return "datetime"; }
  std::string Render() const override { return IsoFormat(value_, " "); }
  std::optional<TemplateValue> Attribute(std::string_view name) const override {
    return FindMember(kDatetimeMembers, value_, name);
  }
  std::optional<int> Compare(const TemplateObject& other) const override {
    const auto* datetime = dynamic_cast<const DatetimeObject*>(&other);
    if (!datetime || !SameKind(datetime->value_)) return std::nullopt;
    return Order(UtcMicros(value_), UtcMicros(datetime->value_));
  }
  Operation Operate(std::string_view op, const TemplateValue& other,
                    bool object_on_left) const override {
    if (const Timedelta* delta = AsTimedelta(other)) {
      if (op == "+") return Shifted(delta->micros);
      if (op == "-" && object_on_left) return Shifted(-delta->micros);
    }
    if (const Datetime* datetime = AsDatetime(other); datetime && op == "-" && object_on_left) {
      if (!SameKind(*datetime))
        return Result<TemplateValue>(
            TemplateError("can't subtract offset-naive and offset-aware datetimes"));
      return MakeValue(Timedelta{UtcMicros(value_) - UtcMicros(*datetime)});
    }
    return std::nullopt;
  }

 private:
  bool SameKind(const Datetime& other) const {
    return value_.utc_offset_seconds.has_value() == other.utc_offset_seconds.has_value();
  }
  Result<TemplateValue> Shifted(int64_t micros) const {
    const Datetime shifted{value_.micros + micros, value_.utc_offset_seconds};
    const int year = CivilOf(shifted).year;
    if (year < 1 || year > 9999) return TemplateError("date value out of range");
    return MakeValue(shifted);
  }
  Datetime value_;
};

class TimezoneObject final : public TemplateObject {
 public:
  explicit TimezoneObject(Timezone value) : value_(value) {}
  const Timezone& value() const { return value_; }
  std::string TypeName() const override { return "timezone"; }
  std::string Render() const override {
    return value_.utc_offset_seconds == 0
               ? "UTC"
               : "UTC" + FormatUtcOffset(value_.utc_offset_seconds, true);
  }
  std::optional<int> Compare(const TemplateObject& other) const override {
    const auto* zone = dynamic_cast<const TimezoneObject*>(&other);
    if (!zone) return std::nullopt;
    return Order(value_.utc_offset_seconds, zone->value_.utc_offset_seconds);
  }

 private:
  Timezone value_;
};

template <class Object>
const auto* ValueOf(const TemplateValue& value) {
  const Object* object = value.is_object() ? dynamic_cast<const Object*>(&value.as_object()) : nullptr;
  return object ? &object->value() : nullptr;
}

}  // namespace

TemplateValue MakeValue(Timedelta value) {
  return TemplateValue(std::make_shared<const TimedeltaObject>(value));
}
TemplateValue MakeValue(Date value) { return TemplateValue(std::make_shared<const DateObject>(value)); }
TemplateValue MakeValue(Datetime value) {
  return TemplateValue(std::make_shared<const DatetimeObject>(value));
}
TemplateValue MakeValue(Timezone value) {
  return TemplateValue(std::make_shared<const TimezoneObject>(value));
}

const Timedelta* AsTimedelta(const TemplateValue& value) { return ValueOf<TimedeltaObject>(value); }
const Date* AsDate(const TemplateValue& value) { return ValueOf<DateObject>(value); }
const Datetime* AsDatetime(const TemplateValue& value) { return ValueOf<DatetimeObject>(value); }
const Timezone* AsTimezone(const TemplateValue& value) { return ValueOf<TimezoneObject>(value); }

Result<int64_t> DaysFromCivil(int64_t year, int64_t month, int64_t day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31)
    return TemplateError(fmt::format("{}-{}-{} is not a day", year, month, day));
  const std::chrono::year_month_day civil{std::chrono::year{static_cast<int>(year)},
                                          std::chrono::month{static_cast<unsigned>(month)},
                                          std::chrono::day{static_cast<unsigned>(day)}};
  if (!civil.ok()) return TemplateError(fmt::format("{}-{}-{} is not a day", year, month, day));
  return std::chrono::sys_days{civil}.time_since_epoch().count();
}

Result<Datetime> DatetimeFromCivil(const BrokenDownTime& time) {
  SW_ASSIGN_OR_RETURN(int64_t days, DaysFromCivil(time.year, time.month, time.day));
  if (time.hour < 0 || time.hour > 23 || time.minute < 0 || time.minute > 59 || time.second < 0 ||
      time.second > 59 || time.microsecond < 0 || time.microsecond > 999'999)
    return TemplateError("a time of day needs 0-23 hours, 0-59 minutes and seconds, 0-999999 µs");
  return Datetime{days * kMicrosPerDay +
                      ((time.hour * 60 + time.minute) * 60 + time.second) * kMicrosPerSecond +
                      time.microsecond,
                  time.utc_offset_seconds};
}

std::span<const std::string_view> DatetimeValueMemberNames() {
  static const std::vector<std::string> storage = [] {
    std::vector<std::string> names;
    for (const auto& member : kTimedeltaMembers) names.push_back("timedelta." + std::string(member.name));
    for (const auto& member : kDateMembers) names.push_back("date." + std::string(member.name));
    for (const auto& member : kDatetimeMembers) names.push_back("datetime." + std::string(member.name));
    return names;
  }();
  static const std::vector<std::string_view> views(storage.begin(), storage.end());
  return views;
}

}  // namespace silverwork::transform
