#include "simulator/postings.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <span>

#include "simulator/envelopes.h"
#include "simulator/regions.h"
#include "simulator/synthetic_random.h"

namespace silverwork::simulator {
namespace {

// Salts that keep the hash streams of different kinds of draws apart.
constexpr uint64_t kCalendarSalt = 0xca1e'da75;
constexpr uint64_t kPostingSalt = 0x9057'1a9;
constexpr uint64_t kPublishSalt = 0x9b1'15e;

// Postings by weekday (Sunday first), relative: employers post on weekdays.
constexpr std::array<double, 7> kWeekdayShape = {0.18, 1.28, 1.22, 1.20, 1.18, 1.12, 0.32};

double MeanWeekdayShape() {
  double sum = 0;
  for (double shape : kWeekdayShape) sum += shape;
  return sum / static_cast<double>(kWeekdayShape.size());
}

int64_t PostingsOn(uint64_t seed, double postings_per_day, Date day) {
  DrawStream draws(Hash({seed, kCalendarSalt, static_cast<uint64_t>(day.DaysSinceEpoch())}));
  unsigned weekday = std::chrono::weekday(day.sys_days()).c_encoding();
  double noise = 0.75 + 0.5 * draws.Unit();
  double expected = postings_per_day * kWeekdayShape[weekday] / MeanWeekdayShape() * noise;
  // Stochastic rounding keeps the long-run mean exact for small rates too.
  return static_cast<int64_t>(std::floor(expected + draws.Unit()));
}

}  // namespace

PostingsCalendar::PostingsCalendar(uint64_t seed, double postings_per_day, Date first_day,
                                   Date today, std::optional<int64_t> published_today)
    : first_day_(first_day), today_(today) {
  int64_t days = std::max<int64_t>(0, first_day.DaysUntil(today) + 1);
  starts_.reserve(static_cast<size_t>(days) + 1);
  starts_.push_back(0);
  for (int64_t offset = 0; offset < days; ++offset) {
    int64_t postings = PostingsOn(seed, postings_per_day, first_day.AddDays(offset));
    if (offset == days - 1 && published_today) {
      postings = std::clamp<int64_t>(*published_today, 0, postings);
    }
    starts_.push_back(starts_.back() + postings);
  }
}

int64_t PostingsCalendar::published_today() const {
  return starts_.size() < 2 ? 0 : starts_.back() - starts_[starts_.size() - 2];
}

PostingsCalendar::Slot PostingsCalendar::SlotOf(int64_t index) const {
  auto after = std::upper_bound(starts_.begin(), starts_.end(), index);
  auto day_offset = static_cast<int64_t>(after - starts_.begin()) - 1;
  return {first_day_.AddDays(day_offset), index - starts_[static_cast<size_t>(day_offset)]};
}

std::optional<int64_t> PostingsCalendar::IndexOf(Date day, int64_t sequence) const {
  int64_t offset = first_day_.DaysUntil(day);
  if (offset < 0 || offset + 1 >= static_cast<int64_t>(starts_.size()) || sequence < 0) {
    return std::nullopt;
  }
  auto first = starts_[static_cast<size_t>(offset)];
  auto end = starts_[static_cast<size_t>(offset) + 1];
  if (first + sequence >= end) return std::nullopt;
  return first + sequence;
}

// ---------------------------------------------------------------------------
// Value tables. Weights are relative; codes and names are the API's.

namespace {

struct CodeName {
  std::string_view code;
  std::string_view name;
  double weight;
};

// 2022 data: CM0105 ~86%, CM0103 ~14%; the rest are rare.
constexpr CodeName kEmploymentTypes[] = {
    {"CM0105", "기타", 80},  {"CM0103", "시간제일자리", 14}, {"CM0101", "정규직", 2},
    {"CM0102", "계약직", 2}, {"CM0104", "일당직", 2},
};

constexpr CodeName kAcceptMethods[] = {
    {"CM0801", "온라인", 40},
    {"CM0802", "이메일", 20},
    {"CM0803", "팩스", 10},
    {"CM0804", "방문", 30},
};

struct SystemRow {
  std::string_view id, name;
  double weight;
};
constexpr SystemRow kSystems[] = {{"B", "워크넷", 90}, {"A", "100세누리", 7}, {"C", "일모아", 3}};

// Job titles with the jobcls pair a posting of that kind carries when it is
// classified at all (~5%), and a duty line for detCnts.
struct JobKind {
  std::string_view title;
  std::string_view jobcls, jobcls_name;
  std::string_view duty;
  double weight;
};
constexpr JobKind kJobKinds[] = {
    {"경비원 모집", "A02001", "경비원", "아파트 경비 및 순찰", 14},
    {"아파트 경비원 구인", "A02001", "경비원", "아파트 출입 관리 및 순찰", 10},
    {"학교 당직 근무자 모집", "A02001", "경비원", "야간 및 휴일 학교 당직", 3},
    {"아파트 청소원 채용", "A03002", "아파트청소", "아파트 단지 계단 및 복도 청소", 12},
    {"건물 미화원 모집", "A03003", "건물/모텔 청소", "사무실 건물 내부 청소", 9},
    {"모텔 객실 청소원 구인", "A03003", "건물/모텔 청소", "객실 정리 및 청소", 3},
    {"요양보호사 구인", "A04002", "요양/간병", "어르신 신체활동 및 가사 지원", 9},
    {"방문요양보호사 모집", "A04002", "요양/간병", "재가 어르신 방문 돌봄", 6},
    {"간병인 채용", "A04002", "요양/간병", "입원 환자 간병", 3},
    {"주방보조원 모집", "A05001", "주방", "식자재 손질 및 설거지", 6},
    {"급식 조리원 채용", "A05001", "주방", "단체 급식 조리 보조", 4},
    {"사무보조원 모집", "A01005", "사무보조", "서류 정리 및 문서 작성 보조", 4},
    {"포장원 구인", "A01002", "조립/포장", "제품 포장 및 검수", 4},
    {"부품 조립원 모집", "A01002", "조립/포장", "간단한 부품 조립", 2},
    {"택배 분류원 모집", "A01002", "조립/포장", "택배 물품 분류", 2},
    {"농작업 보조원 모집", "A01006", "농림어업", "농작물 수확 및 선별", 2},
    {"승합차 운전원 채용", "A06004", "운전", "통원 차량 운행", 3},
    {"매장 안내원 구인", "A07001", "안내원", "고객 안내 및 매장 정리", 2},
    {"전화 상담원 모집", "A07003", "상담원", "전화 응대 및 상담", 1},
    {"주차관리원 모집", "A08009", "기타", "주차장 관리 및 정산", 3},
    {"시설관리원 채용", "A08009", "기타", "건물 시설 점검 및 보수", 3},
};

// etcItm wording for the 17 preference categories (spec section 6), plus the
// older-worker phrase most postings carry.
struct Preference {
  std::string_view text;
  double weight;
};
constexpr Preference kPreferences[] = {
    {"(준)고령자(50세이상)", 40},
    {"장애인", 18},
    {"보훈취업지원대상자", 8},
    {"국가유공자", 4},
    {"운전면허 소지자", 5},
    {"관련학과 졸업자", 2},
    {"경력자", 6},
    {"관련 자격증 소지자", 5},
    {"요양보호사 자격증 소지자", 3},
    {"컴퓨터활용 가능자", 2},
    {"60세이하", 2},
    {"취업취약계층", 3},
    {"고용촉진장려금 대상자", 3},
    {"외국어 가능자", 1},
    {"북한이탈주민", 1},
    {"제대군인", 1},
    {"인근 거주자", 4},
    {"즉시 근무 가능자", 3},
    {"장기근무 가능자", 3},
    {"주말 근무 가능자", 2},
    {"여성", 2},
};

constexpr std::string_view kBrands[] = {
    "대성", "삼화", "한빛", "우리", "새한", "동양", "청솔", "늘푸른", "세영",   "해오름",
    "한솔", "미래", "대한", "신성", "효성", "은빛", "행복", "소망",   "푸른솔", "동원"};
constexpr std::string_view kBusinessKinds[] = {"종합관리", "시설관리", "환경",   "개발",
                                               "산업",     "케어",     "에프엠", "씨앤에스"};
constexpr std::string_view kSurnames[] = {"김", "이", "박", "최", "정", "강", "조", "윤",
                                          "장", "임", "한", "오", "서", "신", "권", "황"};
constexpr std::string_view kGivenNames[] = {"민수", "영희", "정호", "성민", "지영",
                                            "현우", "미경", "상철", "은주", "동훈",
                                            "수진", "재형", "혜숙", "광수", "순자"};
constexpr std::string_view kStreets[] = {"양산로", "중앙로", "시청로", "번영로",
                                         "구청로", "문화로", "동산로", "희망로",
                                         "역전로", "공원로", "산업로", "대학로"};
constexpr std::string_view kHomepages[] = {"elims.co.kr/",          "www.daesungfm.co.kr",
                                           "www.hanbitcare.com",    "silverclub.or.kr",
                                           "www.saehan-mgmt.co.kr", "http://www.senior.or.kr",
                                           "www.haeorum.kr",        "blog.naver.com/bokji"};

// The kinds of employer that post senior jobs, as name templates.
enum class EmployerKind {
  kCompanyPrefixed,
  kCompanySuffixed,
  kSeniorClub,
  kWelfareCenter,
  kCareHome,
  kApartmentOffice
};
struct EmployerTemplate {
  EmployerKind kind;
  double weight;
};
constexpr EmployerTemplate kEmployerTemplates[] = {
    {EmployerKind::kCompanyPrefixed, 30}, {EmployerKind::kCompanySuffixed, 15},
    {EmployerKind::kSeniorClub, 15},      {EmployerKind::kWelfareCenter, 10},
    {EmployerKind::kCareHome, 15},        {EmployerKind::kApartmentOffice, 15},
};

// ---------------------------------------------------------------------------

std::string MakeEmployer(DrawStream& draws, const District& district) {
  const EmployerTemplate& form = draws.PickWeighted(std::span(kEmployerTemplates));
  std::string_view brand = draws.Pick(std::span(kBrands));
  std::string_view kind = draws.Pick(std::span(kBusinessKinds));
  switch (form.kind) {
    case EmployerKind::kCompanyPrefixed:
      return fmt::format("(주){}{}", brand, kind);
    case EmployerKind::kCompanySuffixed:
      return fmt::format("{}{}(주)", brand, kind);
    case EmployerKind::kSeniorClub:
      return fmt::format("{}시니어클럽", LocalName(district));
    case EmployerKind::kWelfareCenter:
      return fmt::format("{}노인복지관", LocalName(district));
    case EmployerKind::kCareHome:
      return fmt::format("{}요양원", brand);
    case EmployerKind::kApartmentOffice:
      return fmt::format("{}아파트 관리사무소", brand);
  }
  return std::string(brand);
}

std::string MakePersonName(DrawStream& draws) {
  std::string_view surname = draws.Pick(std::span(kSurnames));
  return fmt::format("{}{}", surname, draws.Pick(std::span(kGivenNames)));
}

std::string MakePhone(DrawStream& draws, const Province& province) {
  if (draws.Chance(0.25)) {
    return fmt::format("010-{:04}-{:04}", draws.Between(2000, 9999), draws.Between(0, 9999));
  }
  return fmt::format("{}-{}-{:04}", province.phone_prefix, draws.Between(200, 9999),
                     draws.Between(0, 9999));
}

// "07274 서울특별시 영등포구 양산로 16, 2층"
std::string MakeAddress(DrawStream& draws, const Province& province, const District& district,
                        Date written_on) {
  int postcode = static_cast<int>(draws.Between(province.postcode_low, province.postcode_high));
  bool lagging_name = draws.Chance(0.3);
  std::string address =
      fmt::format("{:05} {}", postcode, ProvinceNameOn(province, written_on, lagging_name));
  if (!district.name.empty()) address += fmt::format(" {}", district.name);
  std::string_view street = draws.Pick(std::span(kStreets));
  int64_t number = draws.Between(1, 320);
  int64_t floor = draws.Chance(0.4) ? draws.Between(1, 12) : 0;
  address += fmt::format(" {} {}", street, number);
  if (floor > 0) address += fmt::format(", {}층", floor);
  return address;
}

// "(준)고령자(50세이상), 장애인"; empty for about a third of postings.
std::string MakePreferences(DrawStream& draws) {
  if (draws.Chance(0.35)) return {};
  int64_t wanted = draws.Weighted(std::array<double, 3>{45, 35, 20}) + 1;
  std::vector<std::string_view> chosen;
  for (int attempt = 0; attempt < 8 && std::cmp_less(chosen.size(), wanted); ++attempt) {
    std::string_view text = draws.PickWeighted(std::span(kPreferences)).text;
    if (std::find(chosen.begin(), chosen.end(), text) == chosen.end()) chosen.push_back(text);
  }
  return fmt::format("{}", fmt::join(chosen, ", "));
}

// Headcount: 1 in ~75% of postings, otherwise 2..300 skewed low.
std::string MakeHeadcount(DrawStream& draws) {
  if (draws.Chance(0.75)) return "1";
  return std::to_string(2 + static_cast<int64_t>(298 * std::pow(draws.Unit(), 4)));
}

// Days a posting stays 접수중: most are filled within a few days, which is
// why only a few hundred of ~112 daily postings are open at once.
int64_t DaysUntilFilled(DrawStream& draws) {
  constexpr double kMeanDays = 2.8;
  return static_cast<int64_t>(-std::log(1.0 - draws.Unit()) * kMeanDays);
}

std::chrono::system_clock::time_point KoreaTime(Date day, int64_t seconds_into_day) {
  return std::chrono::system_clock::time_point(day.sys_days()) +
         std::chrono::seconds(seconds_into_day) - std::chrono::hours(9);
}

std::string_view JobIdPrefix(uint64_t posting_seed) {
  // The first draw of a posting picks its id family (WorkNet K1516 ids and
  // the KJKO ids the spec shows); FindJobId relies on it being the first.
  return DrawStream(posting_seed).Chance(0.12) ? "KJKO0" : "K1516";
}

std::string MakeJobId(std::string_view prefix, Date day, int64_t sequence) {
  return fmt::format("{}{:02}{:02}{:02}{:05}", prefix, day.year() % 100, day.month(), day.day(),
                     sequence);
}

std::optional<int64_t> ParseDigits(std::string_view text) {
  int64_t value = 0;
  if (text.empty()) return std::nullopt;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return std::nullopt;
    value = value * 10 + (ch - '0');
  }
  return value;
}

}  // namespace

PostingsModel::PostingsModel(uint64_t seed, double postings_per_day, Date first_day,
                             PostingsTiming timing)
    : seed_(seed), postings_per_day_(postings_per_day), first_day_(first_day), timing_(timing) {}

std::shared_ptr<const PostingsCalendar> PostingsModel::CalendarFor(Date today) {
  return Cached(today, std::nullopt);
}

std::shared_ptr<const PostingsCalendar> PostingsModel::CalendarAt(
    Date today, std::chrono::system_clock::time_point now) {
  if (!timing_.publish_over_day) return Cached(today, std::nullopt);
  // Publication instants increase with the sequence: find the first one
  // after `now` by bisection.
  int64_t published = 0, unpublished = PostingsOn(seed_, postings_per_day_, today);
  while (published < unpublished) {
    int64_t middle = published + (unpublished - published) / 2;
    if (PublishedAt(today, middle) <= now) {
      published = middle + 1;
    } else {
      unpublished = middle;
    }
  }
  return Cached(today, published);
}

std::shared_ptr<const PostingsCalendar> PostingsModel::Cached(
    Date today, std::optional<int64_t> published_today) {
  std::lock_guard lock(mutex_);
  if (cached_ == nullptr || cached_->today() != today || cached_published_ != published_today) {
    cached_ = std::make_shared<const PostingsCalendar>(seed_, postings_per_day_, first_day_, today,
                                                       published_today);
    cached_published_ = published_today;
  }
  return cached_;
}

std::chrono::system_clock::time_point PostingsModel::PublishedAt(Date day, int64_t sequence) const {
  // Slot `sequence` of the day's n postings is the sequence-th of n equal
  // slices of 08:00..20:00; the posting appears at a point drawn within it.
  constexpr int64_t kFirstSecond = int64_t{8} * 3600, kSpanSeconds = int64_t{12} * 3600;
  int64_t postings = std::max<int64_t>(1, PostingsOn(seed_, postings_per_day_, day));
  double within =
      UnitFromBits(Hash({seed_, kPublishSalt, static_cast<uint64_t>(day.DaysSinceEpoch()),
                         static_cast<uint64_t>(sequence)}));
  auto offset = static_cast<int64_t>(static_cast<double>(kSpanSeconds) *
                                     (static_cast<double>(sequence) + within) /
                                     static_cast<double>(postings));
  return KoreaTime(day, kFirstSecond + offset);
}

Posting PostingsModel::MakePosting(
    const PostingsCalendar& calendar, int64_t index,
    std::optional<std::chrono::system_clock::time_point> read_at) const {
  PostingsCalendar::Slot slot = calendar.SlotOf(index);
  uint64_t posting_seed = Hash({seed_, kPostingSalt, static_cast<uint64_t>(index)});
  DrawStream draws(posting_seed);
  draws.Next();  // the id family draw, see JobIdPrefix

  Posting posting;
  posting.index = index;
  posting.start_day = slot.day;
  posting.end_day =
      slot.day.AddDays(draws.Between(timing_.deadline_min_days, timing_.deadline_max_days));
  posting.filled_day = std::min(posting.end_day, slot.day.AddDays(DaysUntilFilled(draws)));
  posting.job_id = MakeJobId(JobIdPrefix(posting_seed), slot.day, slot.sequence);

  const Province& province = draws.PickWeighted(Provinces());
  const District& district = draws.Pick(province.districts);
  const JobKind& job = draws.PickWeighted(std::span(kJobKinds));
  posting.title = draws.Chance(0.2) ? fmt::format("[{}] {}", LocalName(district), job.title)
                                    : std::string(job.title);
  if (draws.Chance(0.05)) {
    posting.jobcls = job.jobcls;
    posting.jobcls_name = job.jobcls_name;
  }
  const CodeName& employment = draws.PickWeighted(std::span(kEmploymentTypes));
  posting.employment_code = employment.code;
  posting.employment_name = employment.name;
  const CodeName& accept = draws.PickWeighted(std::span(kAcceptMethods));
  posting.accept_code = accept.code;
  posting.accept_name = accept.name;
  const SystemRow& system = draws.PickWeighted(std::span(kSystems));
  posting.system_id = system.id;
  posting.system_name = system.name;
  posting.organ_yn = draws.Chance(0.15) ? "Y" : "N";

  posting.employer = MakeEmployer(draws, district);
  posting.work_place_code = fmt::format("{:06}", draws.Between(0, 199999));
  bool has_place_name = !draws.Chance(0.3);
  if (has_place_name) {
    posting.work_place_name = district.name.empty()
                                  ? std::string(province.short_name)
                                  : fmt::format("{} {}", province.short_name, district.name);
  }
  posting.address = MakeAddress(draws, province, district, slot.day);

  constexpr std::string_view kAges[] = {"60", "60", "60", "55", "65", "50", "70"};
  posting.age = draws.Pick(std::span(kAges));
  constexpr std::string_view kAgeLimits[] = {"N", "Y", "제한"};
  if (!draws.Chance(0.2)) {
    posting.age_limit = kAgeLimits[draws.Weighted(std::array<double, 3>{50, 35, 15})];
  }
  posting.representative = MakePersonName(draws);
  posting.clerk = MakePersonName(draws);
  if (draws.Chance(0.55)) posting.clerk_contact = MakePhone(draws, province);
  if (draws.Chance(0.25)) posting.homepage = std::string(draws.Pick(std::span(kHomepages)));
  posting.headcount = MakeHeadcount(draws);
  posting.preferences = MakePreferences(draws);

  int64_t created_seconds = draws.Between(int64_t{8} * 3600, int64_t{19} * 3600);
  Date created_day = slot.day.AddDays(-draws.Between(0, 1));
  auto created = timing_.publish_over_day ? PublishedAt(slot.day, slot.sequence)
                                          : KoreaTime(created_day, created_seconds);
  auto updated = draws.Chance(0.35)
                     ? created + std::chrono::seconds(draws.Between(600, int64_t{2} * 86400))
                     : created;
  // The draws above are made whatever the clock says, so every later field
  // is the same at any `read_at`.
  if (read_at && Date::KoreaDay(*read_at) >= calendar.today()) {
    created = std::min(created, *read_at);
    updated = std::clamp(updated, created, *read_at);
  }
  posting.created = FormatKoreaTimestamp(created);
  posting.updated = FormatKoreaTimestamp(updated);
  posting.details =
      fmt::format("■ 직무내용\n - {}\n■ 근무장소\n - {}\n■ 모집인원\n - {}명\n■ 우대사항\n - {}",
                  job.duty, posting.address, posting.headcount,
                  posting.preferences.empty() ? "없음" : posting.preferences);
  return posting;
}

std::optional<int64_t> PostingsModel::FindJobId(const PostingsCalendar& calendar,
                                                std::string_view job_id) const {
  // <prefix:5><yymmdd:6><sequence:5>, see MakeJobId.
  if (job_id.size() != 16) return std::nullopt;
  std::string_view prefix = job_id.substr(0, 5);
  std::optional<int64_t> yymmdd = ParseDigits(job_id.substr(5, 6));
  std::optional<int64_t> sequence = ParseDigits(job_id.substr(11, 5));
  if (!yymmdd || !sequence) return std::nullopt;
  Result<Date> day = Date::Parse(fmt::format("20{:06}", *yymmdd));
  if (!day.ok()) return std::nullopt;
  std::optional<int64_t> index = calendar.IndexOf(*day, *sequence);
  if (!index) return std::nullopt;
  uint64_t posting_seed = Hash({seed_, kPostingSalt, static_cast<uint64_t>(*index)});
  if (JobIdPrefix(posting_seed) != prefix) return std::nullopt;
  return index;
}

std::string_view DeadlineOn(const Posting& posting, Date today) {
  return today >= posting.start_day && today <= posting.filled_day ? "접수중" : "마감";
}

void AppendListItem(const Posting& posting, Date today, std::string& out) {
  out += "<item>";
  AppendXmlElement(out, "acptMthd", posting.accept_name);
  AppendXmlElement(out, "deadline", DeadlineOn(posting, today));
  AppendXmlElement(out, "emplymShp", posting.employment_code);
  AppendXmlElement(out, "emplymShpNm", posting.employment_name);
  AppendXmlElement(out, "frDd", posting.start_day.Compact());
  AppendXmlElement(out, "jobId", posting.job_id);
  AppendXmlElement(out, "jobcls", posting.jobcls);
  AppendXmlElement(out, "jobclsNm", posting.jobcls_name);
  AppendXmlElement(out, "oranNm", posting.employer);
  AppendXmlElement(out, "organYn", posting.organ_yn);
  AppendXmlElement(out, "recrtTitle", posting.title);
  AppendXmlElement(out, "stmId", posting.system_id);
  AppendXmlElement(out, "stmNm", posting.system_name);
  AppendXmlElement(out, "toDd", posting.end_day.Compact());
  AppendXmlElement(out, "workPlc", posting.work_place_code);
  AppendXmlElement(out, "workPlcNm", posting.work_place_name);
  out += "</item>";
}

void AppendDetailItem(const Posting& posting, std::string& out) {
  auto optional_element = [&out](std::string_view tag, const std::optional<std::string>& value) {
    if (value) AppendXmlElement(out, tag, *value);  // the API omits missing ones
  };
  out += "<item>";
  AppendXmlElement(out, "acptMthdCd", posting.accept_code);
  AppendXmlElement(out, "age", posting.age);
  optional_element("ageLim", posting.age_limit);
  AppendXmlElement(out, "clerk", posting.clerk);
  optional_element("clerkContt", posting.clerk_contact);
  AppendXmlElement(out, "clltPrnnum", posting.headcount);
  AppendXmlElement(out, "createDy", posting.created);
  AppendXmlElement(out, "detCnts", posting.details);
  AppendXmlElement(out, "etcItm", posting.preferences);
  AppendXmlElement(out, "frAcptDd", posting.start_day.Compact());
  optional_element("homepage", posting.homepage);
  AppendXmlElement(out, "jobId", posting.job_id);
  AppendXmlElement(out, "lnkStmId", posting.system_id);
  AppendXmlElement(out, "organYn", posting.organ_yn);
  AppendXmlElement(out, "plDetAddr", posting.address);
  AppendXmlElement(out, "plbizNm", posting.employer);
  AppendXmlElement(out, "repr", posting.representative);
  AppendXmlElement(out, "stmId", posting.system_id);
  AppendXmlElement(out, "toAcptDd", posting.end_day.Compact());
  AppendXmlElement(out, "updDy", posting.updated);
  AppendXmlElement(out, "wantedAuthNo", posting.job_id);
  AppendXmlElement(out, "wantedTitle", posting.title);
  out += "</item>";
}

}  // namespace silverwork::simulator
