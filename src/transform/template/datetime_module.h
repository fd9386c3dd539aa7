// modules.datetime: Python's datetime module as dbt projects use it —
// datetime, date, timedelta and timezone values with Python's meaning, so
// `modules.datetime.datetime.now().strftime('%Y%m%d')`,
// `(modules.datetime.date.today() - modules.datetime.timedelta(days=7)).isoformat()`
// and `modules.datetime.datetime.strptime('20240317', '%Y%m%d')` render as
// dbt renders them. What it has is DatetimeModuleNames() (the table in
// docs/transform.md, held to it by a test); anything else is undefined.
//
// The current time comes from a function the caller gives (the
// invocation's injected Clock), never from the system: `now()`, `utcnow()`
// and `today()` are the clock's time in UTC (silverwork does not read the
// machine's time zone; `now(tz)` gives another zone's wall time).
//
// Values are immutable; the module is thread-safe if its clock function is.
#pragma once

#include <chrono>
#include <functional>
#include <span>
#include <string_view>

#include "transform/template/value.h"

namespace silverwork::transform {

using NowFunction = std::function<std::chrono::system_clock::time_point()>;

// The module object `modules.datetime`.
TemplateValue MakeDatetimeModule(NowFunction now);

// An aware datetime in UTC for `instant`, as dbt's run_started_at: it
// renders as Python's str() does, `2024-03-17 10:20:30.123000+00:00`.
TemplateValue MakeUtcDatetime(std::chrono::system_clock::time_point instant);

// "datetime.now", "date.today", "timedelta", "datetime.strftime", ...: the
// module's classes, their constructors' names, class functions and value
// attributes and methods, for documentation and its test.
std::span<const std::string_view> DatetimeModuleNames();

}  // namespace silverwork::transform
