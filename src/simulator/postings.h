// Synthetic 100세누리 postings, computed on demand from (seed, index).
//
// A PostingsCalendar fixes how many postings start on each day from
// first_day to a "today" (postings_per_day shaped by weekday and noise, all
// hashed from the seed and the day, so calendars for different todays agree
// on their common days). Posting index 0 is the oldest; the list shows the
// newest first. MakePosting() derives every field of one posting from its
// index alone, so list and detail agree, and a posting never changes as
// "today" moves, except its deadline and, while the clock has not reached
// them, the createDy and updDy it drew (they are capped at the clock).
//
// By default a day's postings all exist from the day's start. With
// PostingsTiming::publish_over_day they appear one after another between
// 08:00 and 20:00 Korea time, each at its own instant (its createDy), so a
// list read at 10:15 shows only the day's postings published by then.
//
// Thread-safety: PostingsCalendar is immutable; PostingsModel is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"

namespace silverwork::simulator {

class PostingsCalendar {
 public:
  // `published_today`: how many of today's postings exist yet (unset: all).
  PostingsCalendar(uint64_t seed, double postings_per_day, Date first_day, Date today,
                   std::optional<int64_t> published_today = std::nullopt);

  Date first_day() const { return first_day_; }
  Date today() const { return today_; }
  // Postings with frDd in [first_day, today].
  int64_t total() const { return starts_.empty() ? 0 : starts_.back(); }
  // Where posting `index` sits: its start day and its place among that day's
  // postings. REQUIRES: 0 <= index < total().
  struct Slot {
    Date day;
    int64_t sequence = 0;
  };
  Slot SlotOf(int64_t index) const;
  // The index of the `sequence`-th posting of `day`, if it exists.
  std::optional<int64_t> IndexOf(Date day, int64_t sequence) const;
  // Postings of today that exist (all of them unless published over the day).
  int64_t published_today() const;

 private:
  Date first_day_;
  Date today_;
  // starts_[d] = postings on days before first_day + d; one entry per day plus
  // the total, so day d holds [starts_[d], starts_[d + 1]).
  std::vector<int64_t> starts_;
};

// Every field of one posting, as the API writes it.
struct Posting {
  int64_t index = 0;
  Date start_day;        // frDd, frAcptDd
  Date end_day;          // toDd, toAcptDd
  Date filled_day;       // last day it reads 접수중 (filled postings close before toDd)
  std::string job_id;    // also wantedAuthNo
  std::string title;     // recrtTitle, wantedTitle
  std::string employer;  // oranNm, plbizNm
  std::string employment_code, employment_name;  // emplymShp, emplymShpNm
  std::string accept_code, accept_name;          // acptMthdCd, acptMthd
  std::string jobcls, jobcls_name;
  std::string system_id, system_name;  // stmId, stmNm
  std::string organ_yn;
  std::string work_place_code;  // workPlc, 6 digits
  std::string work_place_name;  // workPlcNm, may be empty
  std::string address;          // plDetAddr
  std::string age;
  std::optional<std::string> age_limit;
  std::string representative, clerk;
  std::optional<std::string> clerk_contact, homepage;
  std::string headcount;         // clltPrnnum
  std::string created, updated;  // createDy, updDy
  std::string preferences;       // etcItm
  std::string details;           // detCnts
};

// How postings come and go over time, beyond the day they start.
struct PostingsTiming {
  // toDd is frDd plus a whole number of days drawn uniformly from
  // [deadline_min_days, deadline_max_days]. REQUIRES: 0 <= min <= max.
  int deadline_min_days = 7;
  int deadline_max_days = 30;
  // Each posting appears at its own instant on its start day (see the file
  // comment) instead of at the day's start; createDy says when.
  bool publish_over_day = false;
};

class PostingsModel {
 public:
  PostingsModel(uint64_t seed, double postings_per_day, Date first_day, PostingsTiming timing = {});

  // The calendar up to `today` with all of today's postings, cached for the
  // last (today, postings) asked for.
  std::shared_ptr<const PostingsCalendar> CalendarFor(Date today);
  // The calendar as a list read at `now` sees it, `today` being the
  // simulated day: with publish_over_day, only today's postings published by
  // `now` (all of them when `now` is past `today`, none when before it).
  std::shared_ptr<const PostingsCalendar> CalendarAt(Date today,
                                                     std::chrono::system_clock::time_point now);
  // When the `sequence`-th posting of `day` appears (publish_over_day) or
  // would appear; between 08:00 and 20:00 Korea time, increasing with the
  // sequence. REQUIRES: 0 <= sequence < the day's postings.
  std::chrono::system_clock::time_point PublishedAt(Date day, int64_t sequence) const;

  // `read_at`: when the portal is read. A posting is never stamped (createDy,
  // updDy) later than that unless calendar.today() is ahead of its Korea day
  // (a simulated day in the clock's future keeps its stamps): without
  // publish_over_day a posting of today may draw a createDy later in the day,
  // and it is then stamped `read_at` instead. Unset: the stamps as drawn.
  // REQUIRES: 0 <= index < calendar.total()
  Posting MakePosting(const PostingsCalendar& calendar, int64_t index,
                      std::optional<std::chrono::system_clock::time_point> read_at =
                          std::nullopt) const;
  // The index of the posting with `job_id`, if it exists by calendar.today().
  std::optional<int64_t> FindJobId(const PostingsCalendar& calendar, std::string_view job_id) const;

 private:
  std::shared_ptr<const PostingsCalendar> Cached(Date today,
                                                 std::optional<int64_t> published_today);

  const uint64_t seed_;
  const double postings_per_day_;
  const Date first_day_;
  const PostingsTiming timing_;
  std::mutex mutex_;
  std::shared_ptr<const PostingsCalendar> cached_;
  std::optional<int64_t> cached_published_;  // what cached_ was made with
};

// "접수중" when `today` is within [frDd, filled_day], else "마감".
std::string_view DeadlineOn(const Posting& posting, Date today);

// Appends <item>...</item> with the list fields / detail fields.
void AppendListItem(const Posting& posting, Date today, std::string& out);
void AppendDetailItem(const Posting& posting, std::string& out);

}  // namespace silverwork::simulator
