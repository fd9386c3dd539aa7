// Synthetic 노인일자리사업 project files, one per (year, file id), computed on
// demand from (seed, year, row). Each year's file uses the column names that
// year's real file uses (they drift: 사업유형상세 in 2018, 예산구분 in 2020,
// plan status names in 2022, 관활시도명 and 기관아이디 in the 2023 file,
// 사업내용 / 위탁여부 and the newer project types in the later file).
//
// The dataset's OpenAPI document lists the files served on a given day; a
// file may be published later, revised (new rows, new summary date) or
// withdrawn on configured days (ProjectsFileEvents).
//
// Thread-safety: immutable after construction; safe to share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/date.h"
#include "simulator/simulator.h"

namespace silverwork::simulator {

struct ProjectsFile {
  int year = 0;
  std::string file_id;  // the uuid after "uddi:"
  int64_t rows = 0;
  Date published_on;                // the date its summary ends with
  std::optional<Date> listed_from;  // not listed or served before this day
};

// A file as the portal serves it on one day.
struct ServedProjectsFile {
  const ProjectsFile* file = nullptr;
  int revision = 0;  // 0: as first published; 1: revised (other rows)
  int64_t rows = 0;
  Date summary_date;
};

class ProjectsCatalog {
 public:
  ProjectsCatalog(uint64_t seed, int64_t rows_per_year,
                  const std::vector<std::pair<int, std::string>>& files,
                  const ProjectsFileEvents& events = {});

  // The file served under `file_id` as first published (whatever the
  // day), or null.
  const ProjectsFile* FindFile(std::string_view file_id) const;

  // The file as served on `today`, or nullopt when it is not published on
  // that day (not yet, or withdrawn) or unknown.
  std::optional<ServedProjectsFile> ServedOn(std::string_view file_id, Date today) const;

  // The API's JSON envelope for one page (1-based); pages past the end are
  // empty. REQUIRES: page >= 1, per_page >= 1.
  std::string PageJson(const ProjectsFile& file, int64_t page, int64_t per_page) const;
  std::string PageJson(const ServedProjectsFile& served, int64_t page, int64_t per_page) const;

  // The dataset's OpenAPI (Swagger 2.0) document on `today`: one path per
  // file served that day, its summary ending in the file's date. Without
  // `list_files`, a document whose paths hold no file (a fault).
  std::string OpenApiDocument(Date today, bool list_files = true) const;

 private:
  uint64_t seed_;
  std::vector<ProjectsFile> files_;
  ProjectsFileEvents events_;
};

// The summary the portal gives a file published on `day`.
std::string ProjectsFileSummary(Date day);

}  // namespace silverwork::simulator
