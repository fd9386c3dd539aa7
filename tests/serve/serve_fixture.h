// A synthetic warehouse for the server's tests, browser tests and
// benchmarks: raw postings and projects drawn from a seeded generator (the
// same shapes the data.go.kr sources send), then the real SQL project built
// over them, so every table the server reads comes from the real models.
//
// Header-only so that tests/serve and bench/serve_fixture.cc share it.
#pragma once

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "transform/transform_project.h"
#include "warehouse/warehouse.h"

namespace silverwork::serve_fixture {

struct FixtureOptions {
  int64_t postings = 3000;
  int64_t projects = 600;
  int first_year = 2021;
  int last_year = 2025;
  uint64_t seed = 20250301;
};

// The data's "today": the last day of the last year's March, when every load
// happened (fixtures never depend on the real clock).
inline std::chrono::sys_days FixtureToday(const FixtureOptions& options) {
  using namespace std::chrono;
  return sys_days(year(options.last_year) / March / 31);
}

namespace detail {

struct Province {
  std::string_view short_name, name, sample_district;
  double weight;
};
// Weights roughly follow each province's residents aged 65+.
constexpr Province kProvinces[] = {
    {"서울", "서울특별시", "강남구", 17},      {"부산", "부산광역시", "해운대구", 8},
    {"대구", "대구광역시", "수성구", 5},       {"인천", "인천광역시", "남동구", 5},
    {"광주", "광주광역시", "북구", 2.5},       {"대전", "대전광역시", "서구", 2.5},
    {"울산", "울산광역시", "남구", 1.8},       {"세종", "세종특별자치시", "조치원읍", 0.5},
    {"경기", "경기도", "수원시", 22},          {"강원", "강원특별자치도", "춘천시", 3.6},
    {"충북", "충청북도", "청주시", 3.3},       {"충남", "충청남도", "천안시", 4.4},
    {"전북", "전북특별자치도", "전주시", 4.1}, {"전남", "전라남도", "순천시", 4.5},
    {"경북", "경상북도", "포항시", 6},         {"경남", "경상남도", "창원시", 6.6},
    {"제주", "제주특별자치도", "제주시", 1.2},
};

struct JobKind {
  std::string_view title, job_class, job_class_name;
};
constexpr JobKind kJobKinds[] = {
    {"아파트 경비원 모집", "A02001", "경비원"},
    {"건물 미화원 모집", "A03003", "건물/모텔 청소"},
    {"아파트 청소원 채용", "A03002", "아파트청소"},
    {"요양보호사 구인", "A04002", "요양/간병"},
    {"주방보조원 모집", "A05001", "주방"},
    {"사무보조원 모집", "A01005", "사무보조"},
    {"포장원 구인", "A01002", "조립/포장"},
    {"농작업 보조원 모집", "A01006", "농림어업"},
    {"승합차 운전원 채용", "A06004", "운전"},
    {"매장 안내원 구인", "A07001", "안내원"},
    {"주차관리원 모집", "A08009", "기타"},
};

struct Shape {
  std::string_view code, name;
  double weight;
};
constexpr Shape kShapes[] = {{"CM0101", "정규직", 15},
                             {"CM0102", "계약직", 35},
                             {"CM0103", "시간제일자리", 30},
                             {"CM0104", "일당직", 10},
                             {"CM0105", "기타", 10}};

// etcItm phrases; the preference_keywords seed places them in categories.
constexpr std::string_view kPreferencePhrases[] = {
    "(준)고령자(50세이상)",
    "장애인",
    "보훈취업지원대상자",
    "운전면허 소지자",
    "관련학과 졸업자",
    "경력자",
    "관련 자격증 소지자",
    "컴퓨터활용 가능자",
    "60세이하",
    "취업취약계층",
    "외국어 가능자",
    "북한이탈주민",
    "제대군인",
    "인근 거주자",
    "즉시 근무 가능자",
    "장기근무 가능자",
    "주말 근무 가능자",
    "여성",
};

struct ProjectType {
  std::string_view type, code, name;
  double weight;
};
constexpr ProjectType kProjectTypes[] = {
    {"공익활동형", "A-01", "노노케어", 25},       {"공익활동형", "A-02", "취약계층 지원", 12},
    {"공익활동형", "A-03", "공공시설 봉사", 12},  {"공익활동형", "A-09", "공원 환경정화", 8},
    {"사회서비스형", "B-01", "노인시설 지원", 8}, {"사회서비스형", "B-02", "취약가정 아동 돌봄", 5},
    {"사회서비스형", "B-07", "행정업무 지원", 4}, {"시장형", "E-02", "식품제조 및 판매", 6},
    {"시장형", "E-03", "카페 운영", 5},           {"시장형", "E-05", "아파트 택배", 4},
    {"인력파견형", "C-01", "인력파견", 3},        {"취업알선형", "D-01", "취업알선", 2},
};

template <typename T, size_t N>
const T& PickWeighted(std::mt19937_64& random, const T (&items)[N]) {
  double total = 0;
  for (const T& item : items) total += item.weight;
  double draw = std::uniform_real_distribution<double>(0, total)(random);
  for (const T& item : items) {
    if ((draw -= item.weight) <= 0) return item;
  }
  return items[N - 1];
}

inline int64_t Uniform(std::mt19937_64& random, int64_t low, int64_t high) {
  return std::uniform_int_distribution<int64_t>(low, high)(random);
}
inline bool Chance(std::mt19937_64& random, double probability) {
  return std::bernoulli_distribution(probability)(random);
}

inline std::string Compact(std::chrono::sys_days day) {
  const std::chrono::year_month_day date(day);
  return fmt::format("{:04}{:02}{:02}", int(date.year()), unsigned(date.month()),
                     unsigned(date.day()));
}

inline std::string Iso(std::chrono::sys_days day) {
  const std::chrono::year_month_day date(day);
  return fmt::format("{:04}-{:02}-{:02}", int(date.year()), unsigned(date.month()),
                     unsigned(date.day()));
}

inline Value Text(std::string text) { return Value(std::move(text)); }

inline Status CreateRawTables(Warehouse& warehouse) {
  // The columns the staging models and the snapshot read, as the loaders name them.
  return warehouse.Execute(
      "CREATE TABLE raw_postings (jobId TEXT PRIMARY KEY, acptMthd TEXT, deadline TEXT, "
      "emplymShp TEXT, emplymShpNm TEXT, frDd TEXT, jobcls TEXT, jobclsNm TEXT, oranNm TEXT, "
      "organYn TEXT, recrtTitle TEXT, stmId TEXT, stmNm TEXT, toDd TEXT, workPlc TEXT, "
      "workPlcNm TEXT, age TEXT, ageLim TEXT, clltPrnnum TEXT, createDy TEXT, etcItm TEXT, "
      "plDetAddr TEXT, plbizNm TEXT, updDy TEXT, _detail_status TEXT, _run_id TEXT, "
      "_list_loaded_at TEXT, _loaded_at TEXT);"
      "CREATE TABLE raw_projects (projNo TEXT, projYear TEXT, projPlanChangeNo TEXT, "
      "projType TEXT, projTypeCdNm TEXT, contProjYn TEXT, contProjStartYear TEXT, "
      "nonBudgYn TEXT, budgetDivCd TEXT, specProjCd TEXT, projNm TEXT, admProvNm TEXT, "
      "admDistCd TEXT, admDistNm TEXT, institutionId TEXT, projStartDd TEXT, projEndDd TEXT, "
      "planStatusCd TEXT, targetEmployment TEXT, delYn TEXT, _file_id TEXT, _file_year TEXT, "
      "_extra TEXT, _run_id TEXT, _loaded_at TEXT, "
      "PRIMARY KEY (projNo, projYear, projPlanChangeNo));"
      "CREATE TABLE _sw_runs (run_id TEXT PRIMARY KEY, command TEXT, started_at TEXT, "
      "finished_at TEXT, status TEXT, message TEXT, window_from TEXT, window_to TEXT, "
      "list_pages INTEGER, postings_listed INTEGER, details_loaded INTEGER, "
      "projects_loaded INTEGER, calls INTEGER)");
}

// Rows for one table, inserted a batch at a time (Upsert without a key: a
// plain insert), so a server warehouse gets a few thousand rows per round
// trip instead of one.
class RowBatch {
 public:
  RowBatch(std::string table, std::vector<std::string> columns)
      : table_(std::move(table)), columns_(std::move(columns)) {}

  void push_back(Row row) { rows_.push_back(std::move(row)); }
  // Inserts the rows so far once there are enough of them.
  Status Add(Warehouse& warehouse) { return rows_.size() < 5000 ? Status::Ok() : Flush(warehouse); }
  Status Flush(Warehouse& warehouse) {
    Status inserted = warehouse.Upsert(table_, columns_, {}, rows_);
    rows_.clear();
    return inserted;
  }

 private:
  std::string table_;
  std::vector<std::string> columns_;
  std::vector<Row> rows_;
};

inline Status InsertPostings(Warehouse& warehouse, const FixtureOptions& options,
                             std::mt19937_64& random, const std::string& loaded_at) {
  using namespace std::chrono;
  RowBatch rows("raw_postings",
                {"jobId", "recrtTitle", "oranNm", "frDd", "toDd", "deadline", "emplymShp",
                 "emplymShpNm", "jobcls", "jobclsNm", "workPlcNm", "plDetAddr", "clltPrnnum",
                 "etcItm", "ageLim", "_loaded_at", "_list_loaded_at", "createDy",
                 "_detail_status", "_run_id", "stmId", "stmNm"});
  const sys_days first = sys_days(year(options.first_year) / January / 1);
  const sys_days today = FixtureToday(options);
  const int64_t span_days = (today - first).count();
  for (int64_t index = 0; index < options.postings; ++index) {
    // Later years hold more postings: a day drawn twice keeps the later one more often.
    int64_t offset = Uniform(random, 0, span_days);
    if (Chance(random, 0.3)) offset = std::max(offset, Uniform(random, 0, span_days));
    const sys_days start = first + days(offset);
    const auto& province = PickWeighted(random, kProvinces);
    const auto& job = kJobKinds[Uniform(random, 0, std::size(kJobKinds) - 1)];
    const auto& shape = PickWeighted(random, kShapes);
    const bool classified = Chance(random, 0.35);
    std::string work_place = fmt::format("{} {}", province.short_name, province.sample_district);
    std::string address =
        fmt::format("{:05} {} {} 중앙로 {}", Uniform(random, 1000, 63000), province.name,
                    province.sample_district, Uniform(random, 1, 300));
    if (Chance(random, 0.05)) work_place.clear();  // resolved from the address instead
    if (Chance(random, 0.01)) {                    // resolvable from neither
      work_place = "해외";
      address.clear();
    }
    std::string preferences;
    const int64_t phrases = Chance(random, 0.25) ? 0 : Uniform(random, 1, 3);
    for (int64_t phrase = 0; phrase < phrases; ++phrase) {
      if (!preferences.empty()) preferences += ", ";
      preferences += kPreferencePhrases[Uniform(random, 0, std::size(kPreferencePhrases) - 1)];
    }
    const bool open = (today - start).count() < 14;
    rows.push_back({
        Text(fmt::format("K{:09}", index)),
        Text(fmt::format("{}{}", job.title, Chance(random, 0.2) ? " (급구)" : "")),
        Text(fmt::format("{}{}", province.short_name,
                         Chance(random, 0.5) ? "종합관리" : "시니어클럽")),
        Text(Compact(start)),
        Text(Compact(start + days(14))),
        Text(open ? "접수중" : "마감"),
        Text(std::string(shape.code)),
        Text(std::string(shape.name)),
        classified ? Text(std::string(job.job_class)) : Value(),
        classified ? Text(std::string(job.job_class_name)) : Value(),
        Text(std::move(work_place)),
        Text(std::move(address)),
        Text(std::to_string(Chance(random, 0.02) ? 0 : Uniform(random, 1, 5))),
        phrases == 0 ? Value() : Text(std::move(preferences)),
        Text(Chance(random, 0.3) ? "Y" : "N"),
        Text(loaded_at),
        Text(loaded_at),
        Text(Iso(start) + "T09:00:00+09:00"),  // createDy: registered at 09:00 in Korea
        Text("ok"),
        Text("fixture"),
        Text("B"),
        Text("워크넷"),
    });
    SW_RETURN_IF_ERROR(rows.Add(warehouse));
  }
  return rows.Flush(warehouse);
}

inline Status InsertProjects(Warehouse& warehouse, const FixtureOptions& options,
                             std::mt19937_64& random, const std::string& loaded_at) {
  RowBatch rows("raw_projects",
                {"projNo", "projYear", "projPlanChangeNo", "projType", "projTypeCdNm",
                 "contProjYn", "contProjStartYear", "admProvNm", "targetEmployment", "delYn",
                 "projStartDd", "projEndDd", "projNm", "_loaded_at", "_file_year",
                 "planStatusCd", "_run_id"});
  for (int64_t index = 0; index < options.projects; ++index) {
    const int project_year =
        static_cast<int>(Uniform(random, options.first_year, options.last_year));
    const auto& province = PickWeighted(random, kProvinces);
    const auto& type = PickWeighted(random, kProjectTypes);
    const bool continuing = Chance(random, 0.7);
    const int since = project_year - static_cast<int>(std::min<int64_t>(
                                         12, std::geometric_distribution<int64_t>(0.3)(random)));
    const int month = Chance(random, 0.7) ? static_cast<int>(Uniform(random, 1, 3))
                                          : static_cast<int>(Uniform(random, 4, 12));
    const int64_t target =
        5 + static_cast<int64_t>(std::exp(std::normal_distribution<double>(3, 0.8)(random)));
    const int versions = Chance(random, 0.1) ? 2 : 1;
    const bool deleted = Chance(random, 0.02);
    for (int version = 1; version <= versions; ++version) {
      rows.push_back({
          Text(fmt::format("{}-{:06}", project_year, index)),
          Text(std::to_string(project_year)),
          Text(std::to_string(version)),
          Text(std::string(type.type)),
          Text(fmt::format("{}({})", type.name, type.code)),
          Text(continuing ? "Y" : "N"),
          continuing ? Text(fmt::format("{}.0", since)) : Text(""),
          Text(std::string(province.name)),
          Text(std::to_string(target + int64_t{version - 1} * 5)),
          Text(deleted ? "Y" : "N"),
          Text(fmt::format("{}-{:02}-01", project_year, month)),
          Text(fmt::format("{}-12-31", project_year)),
          Text(fmt::format("{} {} 일자리사업", province.short_name, type.name)),
          Text(loaded_at),
          Text(std::to_string(project_year)),
          Text("102PC"),
          Text("fixture"),
      });
      SW_RETURN_IF_ERROR(rows.Add(warehouse));
    }
  }
  return rows.Flush(warehouse);
}

}  // namespace detail

// Writes the raw tables and the runs log into an empty warehouse.
inline Status WriteRawFixture(Warehouse& warehouse, const FixtureOptions& options) {
  std::mt19937_64 random(options.seed);
  const std::string today = detail::Iso(FixtureToday(options));
  const std::string loaded_at = today + "T01:00:00Z";
  SW_RETURN_IF_ERROR(detail::CreateRawTables(warehouse));
  Transaction transaction(warehouse);
  SW_RETURN_IF_ERROR(transaction.Begin());
  SW_RETURN_IF_ERROR(detail::InsertPostings(warehouse, options, random, loaded_at));
  SW_RETURN_IF_ERROR(detail::InsertProjects(warehouse, options, random, loaded_at));
  const Value run[] = {std::string("20250331T010000.000Z-f1x7"), today + "T01:00:00Z",
                       today + "T01:20:00Z", options.postings, options.projects};
  SW_RETURN_IF_ERROR(
      warehouse
          .ExecuteWithParams("INSERT INTO _sw_runs(run_id, command, started_at, finished_at, "
                             "status, message, postings_listed, projects_loaded) "
                             "VALUES (?, 'pipeline', ?, ?, 'success', '', ?, ?)",
                             run)
          .status());
  return transaction.Commit();
}

// Writes the raw fixture into the empty warehouse `warehouse_options`
// opens (a SQLite file that must not exist, or an empty PostgreSQL schema)
// and builds the SQL project in `project_dir` over it. Snapshots are left
// out: the server reads none, and they double a large fixture's size.
inline Status BuildFixtureWarehouse(const WarehouseOptions& warehouse_options,
                                    const FixtureOptions& options,
                                    const std::filesystem::path& project_dir,
                                    const std::filesystem::path& artifacts_dir) {
  SW_ASSIGN_OR_RETURN(auto warehouse, OpenWarehouse(warehouse_options));
  SW_RETURN_IF_ERROR(WriteRawFixture(*warehouse, options));
  SW_ASSIGN_OR_RETURN(auto project, transform::TransformProject::Load(project_dir));
  transform::RunOptions run;
  run.warehouse = warehouse.get();
  run.artifacts_dir = artifacts_dir;
  run.show_progress = false;
  run.exclude = {"resource_type:snapshot"};
  FakeClock clock(FixtureToday(options) + std::chrono::hours(12));
  run.clock = &clock;
  run.run_id = "fixture-build";
  SW_ASSIGN_OR_RETURN(auto results, project.Build(run));
  if (!results.ok()) {
    return Status(ErrorCode::kInternal,
                  "the SQL project failed on the fixture: " + results.Summary(),
                  "run silverwork build on the fixture to see the failing model");
  }
  return Status::Ok();
}

}  // namespace silverwork::serve_fixture
