#include "pipeline/collection_window.h"

namespace silverwork {

Date KoreaToday(Clock& clock) { return Date::KoreaDay(clock.Now()); }

CollectionWindow LastDays(Clock& clock, int days) {
  Date today = KoreaToday(clock);
  return {today.AddDays(-(days - 1)), today};
}

Result<CollectionWindow> WindowBetween(Date from, Date to) {
  if (to < from) {
    return Status(ErrorCode::kInvalidInput, "--to " + to.Iso() + " is before --from " + from.Iso(),
                  "swap them");
  }
  return CollectionWindow{from, to};
}

Result<CollectionWindow> ResolveWindow(const WindowRequest& request, Clock& clock,
                                       int default_days) {
  if (!request.date.empty()) {
    if (!request.from.empty() || !request.to.empty() || request.days > 0) {
      return Status(ErrorCode::kInvalidInput, "--date cannot be combined with --from/--to/--days",
                    "give either --date D or a window");
    }
    SW_ASSIGN_OR_RETURN(Date day, Date::Parse(request.date));
    return CollectionWindow{day, day};
  }
  Date to = KoreaToday(clock);
  if (!request.to.empty()) {
    SW_ASSIGN_OR_RETURN(to, Date::Parse(request.to));
  }
  if (!request.from.empty()) {
    if (request.days > 0) {
      return Status(ErrorCode::kInvalidInput, "--from cannot be combined with --days",
                    "give either --from or --days");
    }
    SW_ASSIGN_OR_RETURN(Date from, Date::Parse(request.from));
    return WindowBetween(from, to);
  }
  int days = request.days > 0 ? request.days : default_days;
  return CollectionWindow{to.AddDays(-(days - 1)), to};
}

}  // namespace silverwork
