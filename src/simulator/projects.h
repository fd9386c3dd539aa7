// Synthetic 노인일자리사업 project files, one per (year, file id), computed on
// demand from (seed, year, row). Each year's file uses the column names that
// year's real file uses (they drift: 사업유형상세 in 2018, 예산구분 in 2020,
// plan status names in 2022, 관활시도명 and 기관아이디 in the 2023 file,
// 사업내용 / 위탁여부 and the newer project types in the later file).
//
// Thread-safety: immutable after construction; safe to share.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace silverwork::simulator {

struct ProjectsFile {
  int year = 0;
  std::string file_id;  // the uuid after "uddi:"
  int64_t rows = 0;
};

class ProjectsCatalog {
 public:
  ProjectsCatalog(uint64_t seed, int64_t rows_per_year,
                  const std::vector<std::pair<int, std::string>>& files);

  // The file served under `file_id`, or null.
  const ProjectsFile* FindFile(std::string_view file_id) const;

  // The API's JSON envelope for one page (1-based); pages past the end are
  // empty. REQUIRES: page >= 1, per_page >= 1.
  std::string PageJson(const ProjectsFile& file, int64_t page, int64_t per_page) const;

 private:
  uint64_t seed_;
  std::vector<ProjectsFile> files_;
};

}  // namespace silverwork::simulator
