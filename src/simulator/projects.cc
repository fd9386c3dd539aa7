#include "simulator/projects.h"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <span>

#include "common/date.h"
#include "simulator/regions.h"
#include "simulator/synthetic_random.h"

namespace silverwork::simulator {
namespace {

constexpr uint64_t kFileSalt = 0xf11e'5ca1e;
constexpr uint64_t kRowSalt = 0x9203'ec75;
constexpr uint64_t kRevisionSalt = 0x4e71'5ed;
constexpr double kRevisedRowShare = 0.97;  // a revision drops a few rows

constexpr std::string_view kDocumentHost = "api.odcloud.kr";
constexpr std::string_view kDocumentBasePath = "/api/15050148/v1";
constexpr std::string_view kDatasetTitle = "한국노인인력개발원_노인일자리사업 통합정보";

// What a column holds; each year's file names these differently.
enum class Field {
  kProjType,
  kProjNo,
  kChangeNo,
  kYear,
  kContinuing,
  kContinuingSince,
  kTypeCode,
  kNonBudget,
  kBudgetKind,
  kSpecialCode,
  kProjName,
  kAdmProvince,
  kAdmDistCode,
  kAdmDistName,
  kInstitutionId,
  kOrgProvince,
  kOrgDistrict,
  kStartDay,
  kEndDay,
  kPlanStatus,
  kTargetJobs,
  kFirstAttachment,
  kRecentAttachment,
  kDeleted,
  kContents,
  kConsigned,
};

struct Column {
  std::string_view name;
  Field field;
};

constexpr Column k2018Columns[] = {
    {"사업유형", Field::kProjType},
    {"사업번호", Field::kProjNo},
    {"사업계획변경순번", Field::kChangeNo},
    {"사업년도", Field::kYear},
    {"계속사업여부", Field::kContinuing},
    {"계속사업시작년도", Field::kContinuingSince},
    {"사업유형상세", Field::kTypeCode},
    {"비예산여부", Field::kNonBudget},
    {"특수사업코드", Field::kSpecialCode},
    {"사업명", Field::kProjName},
    {"관할시도명", Field::kAdmProvince},
    {"시군구코드", Field::kAdmDistCode},
    {"관할시군구", Field::kAdmDistName},
    {"기관ID", Field::kInstitutionId},
    {"수행기관시도명", Field::kOrgProvince},
    {"수행기관시군구", Field::kOrgDistrict},
    {"사업기간시작일", Field::kStartDay},
    {"사업기간종료일", Field::kEndDay},
    {"사업계획서상태코드", Field::kPlanStatus},
    {"목표일자리수", Field::kTargetJobs},
    {"최초등록첨부파일", Field::kFirstAttachment},
    {"최근승인첨부파일", Field::kRecentAttachment},
    {"삭제여부", Field::kDeleted},
};

constexpr Column k2020Columns[] = {
    {"사업유형", Field::kProjType},
    {"사업번호", Field::kProjNo},
    {"사업계획변경순번", Field::kChangeNo},
    {"사업년도", Field::kYear},
    {"계속사업여부", Field::kContinuing},
    {"계속사업시작연도", Field::kContinuingSince},
    {"사업유형코드", Field::kTypeCode},
    {"예산구분", Field::kBudgetKind},
    {"특수사업명코드", Field::kSpecialCode},
    {"사업명", Field::kProjName},
    {"관할시도명", Field::kAdmProvince},
    {"시군구코드", Field::kAdmDistCode},
    {"관할시군구", Field::kAdmDistName},
    {"기관ID", Field::kInstitutionId},
    {"수행기관시도명", Field::kOrgProvince},
    {"수행기관시군구", Field::kOrgDistrict},
    {"사업기간시작일", Field::kStartDay},
    {"사업기간종료일", Field::kEndDay},
    {"사업계획서상태코드", Field::kPlanStatus},
    {"목표일자리수", Field::kTargetJobs},
    {"최초등록첨부파일", Field::kFirstAttachment},
    {"최근승인첨부파일", Field::kRecentAttachment},
    {"삭제여부", Field::kDeleted},
};

constexpr Column k2022Columns[] = {
    {"사업유형", Field::kProjType},
    {"사업번호", Field::kProjNo},
    {"사업계획변경순번", Field::kChangeNo},
    {"사업년도", Field::kYear},
    {"계속사업여부", Field::kContinuing},
    {"계속사업시작연도", Field::kContinuingSince},
    {"사업유형코드", Field::kTypeCode},
    {"비예산여부", Field::kNonBudget},
    {"특수사업명코드", Field::kSpecialCode},
    {"사업명", Field::kProjName},
    {"관할시도명", Field::kAdmProvince},
    {"시군구코드", Field::kAdmDistCode},
    {"관할시군구", Field::kAdmDistName},
    {"기관ID", Field::kInstitutionId},
    {"수행기관시도명", Field::kOrgProvince},
    {"수행기관시군구", Field::kOrgDistrict},
    {"사업기간시작일", Field::kStartDay},
    {"사업기간종료일", Field::kEndDay},
    {"사업계획서상태코드", Field::kPlanStatus},
    {"목표일자리수", Field::kTargetJobs},
    {"최초등록첨부파일", Field::kFirstAttachment},
    {"최근승인첨부파일", Field::kRecentAttachment},
    {"삭제여부", Field::kDeleted},
};

// The 2023-04-17 file: 관활시도명 (sic) and 기관아이디.
constexpr Column k2023Columns[] = {
    {"사업유형", Field::kProjType},
    {"사업번호", Field::kProjNo},
    {"사업계획변경순번", Field::kChangeNo},
    {"사업년도", Field::kYear},
    {"계속사업여부", Field::kContinuing},
    {"계속사업시작연도", Field::kContinuingSince},
    {"사업유형코드", Field::kTypeCode},
    {"비예산여부", Field::kNonBudget},
    {"특수사업명코드", Field::kSpecialCode},
    {"사업명", Field::kProjName},
    {"관활시도명", Field::kAdmProvince},
    {"시군구코드", Field::kAdmDistCode},
    {"관할시군구", Field::kAdmDistName},
    {"기관아이디", Field::kInstitutionId},
    {"수행기관시도명", Field::kOrgProvince},
    {"수행기관시군구", Field::kOrgDistrict},
    {"사업기간시작일", Field::kStartDay},
    {"사업기간종료일", Field::kEndDay},
    {"사업계획서상태코드", Field::kPlanStatus},
    {"목표일자리수", Field::kTargetJobs},
    {"최초등록첨부파일", Field::kFirstAttachment},
    {"최근승인첨부파일", Field::kRecentAttachment},
    {"삭제여부", Field::kDeleted},
};

constexpr Column k2024Columns[] = {
    {"사업유형", Field::kProjType},
    {"사업번호", Field::kProjNo},
    {"사업계획변경순번", Field::kChangeNo},
    {"사업년도", Field::kYear},
    {"계속사업여부", Field::kContinuing},
    {"계속사업시작연도", Field::kContinuingSince},
    {"사업유형코드", Field::kTypeCode},
    {"비예산여부", Field::kNonBudget},
    {"특수사업명코드", Field::kSpecialCode},
    {"사업명", Field::kProjName},
    {"사업내용", Field::kContents},
    {"관할시도명", Field::kAdmProvince},
    {"시군구코드", Field::kAdmDistCode},
    {"관할시군구", Field::kAdmDistName},
    {"기관ID", Field::kInstitutionId},
    {"수행기관시도명", Field::kOrgProvince},
    {"수행기관시군구", Field::kOrgDistrict},
    {"위탁여부", Field::kConsigned},
    {"사업기간시작일", Field::kStartDay},
    {"사업기간종료일", Field::kEndDay},
    {"사업계획서상태코드", Field::kPlanStatus},
    {"목표일자리수", Field::kTargetJobs},
    {"최초등록첨부파일", Field::kFirstAttachment},
    {"최근승인첨부파일", Field::kRecentAttachment},
    {"삭제여부", Field::kDeleted},
};

// One year's file layout. A file whose year has no edition of its own uses
// the latest edition before it (or the first).
struct Edition {
  int year;
  std::span<const Column> columns;
  Date published;      // which province names its addresses use
  bool compact_dates;  // YYYYMMDD instead of YYYY-MM-DD
  bool status_names;   // 승인완료 instead of 102PC
  bool newer_types;    // 공공형 ... instead of 공익활동형 ...
};

const Edition kEditions[] = {
    {2018, k2018Columns, Date::FromYmd(2018, 12, 31), true, false, false},
    {2020, k2020Columns, Date::FromYmd(2020, 12, 31), false, false, false},
    {2022, k2022Columns, Date::FromYmd(2022, 12, 31), false, true, false},
    {2023, k2023Columns, Date::FromYmd(2023, 4, 17), false, false, false},
    {2024, k2024Columns, Date::FromYmd(2024, 12, 31), false, false, true},
};

const Edition& EditionFor(int year) {
  const Edition* chosen = &kEditions[0];
  for (const Edition& edition : kEditions) {
    if (edition.year <= year) chosen = &edition;
  }
  return *chosen;
}

struct ProjectType {
  std::string_view name;
  char code_prefix;  // A 공익활동/공공형, B 사회서비스, E 시장형
  double weight;
};
constexpr ProjectType kOlderTypes[] = {
    {"공익활동형", 'A', 65}, {"시장형", 'E', 22}, {"사회서비스형", 'B', 13}};
constexpr ProjectType kNewerTypes[] = {{"공공형", 'A', 63},
                                       {"시장형", 'E', 22},
                                       {"사회서비스형", 'B', 12},
                                       {"인력파견형", 'C', 2},
                                       {"취업알선형", 'D', 1}};

struct ProjectKind {
  std::string_view code;  // "A-01"
  std::string_view name;
};
constexpr ProjectKind kKinds[] = {
    {"A-01", "노노케어"},
    {"A-02", "취약계층 지원"},
    {"A-03", "공공시설 봉사"},
    {"A-04", "경륜전수 활동"},
    {"A-07", "스쿨존 교통지원"},
    {"A-09", "공원 환경정화"},
    {"A-11", "문화재 시설 봉사"},
    {"A-13", "급식 지원"},
    {"A-16", "지역사회 환경개선 봉사"},
    {"B-01", "노인시설 지원"},
    {"B-02", "취약가정 아동 돌봄"},
    {"B-03", "장애인시설 지원"},
    {"B-05", "보육시설 지원"},
    {"B-07", "행정업무 지원"},
    {"B-09", "공공의료 지원"},
    {"C-01", "인력파견"},
    {"D-01", "취업알선"},
    {"E-01", "공동작업장"},
    {"E-02", "식품제조 및 판매"},
    {"E-03", "카페 운영"},
    {"E-05", "아파트 택배"},
    {"E-07", "세차 및 세탁"},
    {"E-09", "시니어 매장 운영"},
};

const ProjectKind& PickKind(DrawStream& draws, char prefix) {
  std::array<const ProjectKind*, std::size(kKinds)> matching{};
  size_t count = 0;
  for (const ProjectKind& kind : kKinds) {
    if (kind.code[0] == prefix) matching[count++] = &kind;
  }
  return *matching[draws.Index(count)];
}

struct PlanStatus {
  std::string_view code, name;
  double weight;
};
constexpr PlanStatus kPlanStatuses[] = {
    {"102PC", "승인완료", 80}, {"102AA", "임시", 5},         {"102RJ", "반려", 3},
    {"102DR", "삭제요청", 3},  {"102CR", "변경심사요청", 4}, {"102CA", "조건부승인", 3},
    {"102AR", "심사요청", 2},
};

// 0..13, mostly 1..3.
constexpr std::array<double, 14> kChangeNumberWeights = {6, 40, 25,  14,  6,   3,   2,
                                                         1, 1,  0.6, 0.5, 0.4, 0.3, 0.2};

constexpr std::string_view kSpecialCodes[] = {"104001", "104002", "104003", "104005"};

// One row's values, before they are written under a year's column names.
struct ProjectRow {
  const ProjectType* type;
  const ProjectKind* kind;
  std::string number;  // "2022-08032"
  int64_t change_number;
  bool continuing;
  int64_t continuing_since;
  bool non_budget;
  std::string special_code;
  const Province* province;
  const District* district;
  bool lagging_province_name;
  bool has_district_code;
  std::string institution_id;
  const District* org_district;
  Date start_day, end_day;
  const PlanStatus* status;
  int64_t target_jobs;
  bool has_first_attachment, has_recent_attachment;
  bool deleted, consigned;
};

class RowMaker {
 public:
  // A revised file (`revision` > 0) draws every row anew.
  RowMaker(uint64_t seed, int year, const Edition& edition, int revision)
      : seed_(seed), year_(year), edition_(edition), revision_(revision) {}

  // Some projects appear again with the next plan change number: an odd row
  // may repeat the project of the row before it.
  ProjectRow Make(int64_t row) const {
    DrawStream draws(RowSeed(row));
    bool repeats_previous = row % 2 == 1 && draws.Chance(0.15);
    if (!repeats_previous) return MakeFresh(row);
    ProjectRow repeated = MakeFresh(row - 1);
    repeated.change_number = std::min<int64_t>(repeated.change_number + 1, 13);
    repeated.status = &draws.PickWeighted(std::span(kPlanStatuses));
    repeated.has_recent_attachment = true;
    return repeated;
  }

 private:
  uint64_t RowSeed(int64_t row) const {
    uint64_t seed =
        Hash({seed_, kRowSalt, static_cast<uint64_t>(year_), static_cast<uint64_t>(row)});
    return revision_ == 0 ? seed : Hash({seed, kRevisionSalt, static_cast<uint64_t>(revision_)});
  }

  ProjectRow MakeFresh(int64_t row) const {
    DrawStream draws(RowSeed(row));
    draws.Next();  // the repeat draw in Make()
    ProjectRow out{};
    out.type = edition_.newer_types ? &draws.PickWeighted(std::span(kNewerTypes))
                                    : &draws.PickWeighted(std::span(kOlderTypes));
    out.kind = &PickKind(draws, out.type->code_prefix);
    out.number = fmt::format("{}-{:05}", year_, row + 1);
    out.change_number = static_cast<int64_t>(draws.Weighted(kChangeNumberWeights));
    out.continuing = draws.Chance(0.6);
    int64_t span_years = std::max(0, year_ - 2000);
    out.continuing_since =
        year_ - static_cast<int64_t>(
                    std::floor(static_cast<double>(span_years + 1) * std::pow(draws.Unit(), 2)));
    out.non_budget = draws.Chance(0.08);
    if (draws.Chance(0.08)) out.special_code = draws.Pick(std::span(kSpecialCodes));
    out.province = &draws.PickWeighted(Provinces());
    out.district = &draws.Pick(out.province->districts);
    out.lagging_province_name = draws.Chance(0.2);
    out.has_district_code = !draws.Chance(0.15);
    out.institution_id = fmt::format("{:05}{:02}", out.district->code, draws.Between(1, 12));
    out.org_district = draws.Chance(0.9) ? out.district : &draws.Pick(out.province->districts);
    out.start_day = Date::FromYmd(year_, 1, 1).AddDays(draws.Between(0, 59));
    out.end_day =
        Date::FromYmd(year_, 12, 31).AddDays(draws.Chance(0.3) ? -draws.Between(1, 45) : 0);
    out.status = &draws.PickWeighted(std::span(kPlanStatuses));
    out.target_jobs = 10 * (1 + static_cast<int64_t>(49 * std::pow(draws.Unit(), 3)));
    out.has_first_attachment = draws.Chance(0.7);
    out.has_recent_attachment = draws.Chance(0.5);
    out.deleted = draws.Chance(0.11);
    out.consigned = draws.Chance(0.3);
    return out;
  }

  uint64_t seed_;
  int year_;
  const Edition& edition_;
  int revision_;
};

// Writes one field as the file of `year` writes it.
class RowWriter {
 public:
  RowWriter(int year, const Edition& edition) : year_(year), edition_(edition) {
    published_ = year == edition.year ? edition.published : Date::FromYmd(year, 12, 31);
  }

  nlohmann::ordered_json Value(const ProjectRow& row, Field field) const {
    switch (field) {
      case Field::kProjType:
        return row.type->name;
      case Field::kProjNo:
        return row.number;
      case Field::kChangeNo:
        return row.change_number;
      case Field::kYear:
        return year_;
      case Field::kContinuing:
        return row.continuing ? "Y" : "N";
      case Field::kContinuingSince:
        return row.continuing ? nlohmann::ordered_json(row.continuing_since) : "";
      case Field::kTypeCode:
        return fmt::format("{}({})", row.kind->name, row.kind->code);
      case Field::kNonBudget:
        return row.non_budget ? "Y" : "N";
      case Field::kBudgetKind:
        return row.non_budget ? "101002" : "101001";
      case Field::kSpecialCode:
        return row.special_code;
      case Field::kProjName:
        return fmt::format("{}년 {} {}", year_, LocalName(*row.district), row.kind->name);
      case Field::kAdmProvince:
      case Field::kOrgProvince:
        return ProvinceName(row);
      case Field::kAdmDistCode:
        return row.has_district_code ? fmt::format("{:05}00000", row.district->code) : "";
      case Field::kAdmDistName:
        return DistrictName(*row.province, *row.district);
      case Field::kInstitutionId:
        return row.institution_id;
      case Field::kOrgDistrict:
        return DistrictName(*row.province, *row.org_district);
      case Field::kStartDay:
        return FormatDay(row.start_day);
      case Field::kEndDay:
        return FormatDay(row.end_day);
      case Field::kPlanStatus:
        return edition_.status_names ? row.status->name : row.status->code;
      case Field::kTargetJobs:
        return row.target_jobs;
      case Field::kFirstAttachment:
        return row.has_first_attachment ? fmt::format("{}_사업계획서.hwp", row.number) : "";
      case Field::kRecentAttachment:
        return row.has_recent_attachment
                   ? fmt::format("{}_변경계획서_{}.hwp", row.number, row.change_number)
                   : "";
      case Field::kDeleted:
        return row.deleted ? "Y" : "N";
      case Field::kContents:
        return fmt::format("{} 활동으로 지역사회에 기여하고 어르신의 사회참여를 지원",
                           row.kind->name);
      case Field::kConsigned:
        return row.consigned ? "Y" : "N";
    }
    return "";
  }

 private:
  std::string FormatDay(Date day) const {
    return edition_.compact_dates ? day.Compact() : day.Iso();
  }
  std::string ProvinceName(const ProjectRow& row) const {
    return std::string(ProvinceNameOn(*row.province, published_, row.lagging_province_name));
  }
  static std::string DistrictName(const Province& province, const District& district) {
    return district.name.empty() ? std::string(province.full_name) : std::string(district.name);
  }

  int year_;
  const Edition& edition_;
  Date published_;
};

}  // namespace

std::string ProjectsFileSummary(Date day) {
  return std::string(kDatasetTitle) + "_" + day.Compact();
}

ProjectsCatalog::ProjectsCatalog(uint64_t seed, int64_t rows_per_year,
                                 const std::vector<std::pair<int, std::string>>& files,
                                 const ProjectsFileEvents& events)
    : seed_(seed), events_(events) {
  auto add = [&](int year, const std::string& file_id, std::optional<Date> listed_from) {
    // Files differ in size from year to year (spec: 8,653 in 2018 to ~11,500).
    double scale = 0.9 + 0.15 * UnitFromBits(Hash({seed, kFileSalt, static_cast<uint64_t>(year)}));
    auto rows = static_cast<int64_t>(std::llround(static_cast<double>(rows_per_year) * scale));
    const Edition& edition = EditionFor(year);
    Date published = year == edition.year ? edition.published : Date::FromYmd(year, 12, 31);
    files_.push_back({year, file_id, rows, listed_from.value_or(published), listed_from});
  };
  for (const auto& [year, file_id] : files) add(year, file_id, std::nullopt);
  if (events.published) {
    add(events.published->year, events.published->file_id, events.published->published_on);
  }
}

const ProjectsFile* ProjectsCatalog::FindFile(std::string_view file_id) const {
  for (const ProjectsFile& file : files_) {
    if (file.file_id == file_id) return &file;
  }
  return nullptr;
}

std::optional<ServedProjectsFile> ProjectsCatalog::ServedOn(std::string_view file_id,
                                                            Date today) const {
  const ProjectsFile* file = FindFile(file_id);
  if (file == nullptr || (file->listed_from && today < *file->listed_from)) return std::nullopt;
  const auto& withdrawn = events_.withdrawn;
  if (withdrawn && withdrawn->file_id == file_id && today >= withdrawn->on) return std::nullopt;
  ServedProjectsFile served{file, 0, file->rows, file->published_on};
  const auto& revised = events_.revised;
  if (revised && revised->file_id == file_id && today >= revised->on) {
    served.revision = 1;
    served.rows = static_cast<int64_t>(static_cast<double>(file->rows) * kRevisedRowShare);
    if (!revised->keep_summary_date) served.summary_date = revised->on;
  }
  return served;
}

std::string ProjectsCatalog::PageJson(const ProjectsFile& file, int64_t page,
                                      int64_t per_page) const {
  return PageJson(ServedProjectsFile{&file, 0, file.rows, file.published_on}, page, per_page);
}

std::string ProjectsCatalog::PageJson(const ServedProjectsFile& served, int64_t page,
                                      int64_t per_page) const {
  const ProjectsFile& file = *served.file;
  const Edition& edition = EditionFor(file.year);
  RowMaker maker(seed_, file.year, edition, served.revision);
  RowWriter writer(file.year, edition);
  int64_t first = (page - 1) * per_page;
  int64_t end = std::min(served.rows, first + per_page);
  nlohmann::ordered_json data = nlohmann::ordered_json::array();
  for (int64_t row_index = first; row_index < end; ++row_index) {
    ProjectRow row = maker.Make(row_index);
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (const Column& column : edition.columns) {
      object[std::string(column.name)] = writer.Value(row, column.field);
    }
    data.push_back(std::move(object));
  }
  nlohmann::ordered_json envelope = {
      {"page", page},
      {"perPage", per_page},
      {"totalCount", served.rows},
      {"currentCount", data.size()},
      {"matchCount", served.rows},
      {"data", std::move(data)},
  };
  return envelope.dump();
}

std::string ProjectsCatalog::OpenApiDocument(Date today, bool list_files) const {
  // The shape of the portal's document, trimmed to what a client reads.
  const nlohmann::ordered_json parameters = nlohmann::ordered_json::parse(R"json([
    {"name": "page", "in": "query", "description": "page index", "required": false,
     "default": 1, "type": "integer", "format": "int64"},
    {"name": "perPage", "in": "query", "description": "page size", "required": false,
     "default": 10, "type": "integer", "format": "int64"},
    {"name": "returnType", "in": "query", "description": "응답타입 (JSON, XML)",
     "required": false, "type": "string"}])json");
  nlohmann::ordered_json paths = nlohmann::ordered_json::object();
  if (!list_files) paths["/healthcheck"] = {{"get", {{"summary", "서비스 상태"}}}};
  for (const ProjectsFile& file : files_) {
    std::optional<ServedProjectsFile> served = ServedOn(file.file_id, today);
    if (!served || !list_files) continue;
    paths["/uddi:" + file.file_id] = {
        {"get",
         {{"tags", {"API 목록"}},
          {"summary", ProjectsFileSummary(served->summary_date)},
          {"parameters", parameters},
          {"responses", {{"200", {{"description", "성공적으로 수행 됨"}}}}},
          {"security",
           {{{"ApiKeyAuth", nlohmann::ordered_json::array()}},
            {{"ApiKeyAuth2", nlohmann::ordered_json::array()}}}}}}};
  }
  nlohmann::ordered_json document = {
      {"swagger", "2.0"},
      {"info", {{"title", kDatasetTitle}, {"version", "1.0.0"}}},
      {"host", kDocumentHost},
      {"basePath", kDocumentBasePath},
      {"schemes", {"https", "http"}},
      {"paths", std::move(paths)},
      {"securityDefinitions",
       {{"ApiKeyAuth", {{"type", "apiKey"}, {"name", "Authorization"}, {"in", "header"}}},
        {"ApiKeyAuth2", {{"type", "apiKey"}, {"name", "serviceKey"}, {"in", "query"}}}}},
  };
  return document.dump();
}

}  // namespace silverwork::simulator
