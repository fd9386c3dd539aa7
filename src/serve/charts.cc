#include "serve/charts.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <numeric>

#include "common/date.h"
#include "serve/cell_summer.h"

namespace silverwork::serve {
namespace {

using nlohmann::json;

// Cross-filtering: the chart that sets a filter (the map sets the province)
// does not apply it to itself, so it keeps showing what can be chosen.
enum class ProvinceFilter { kApply, kIgnore };

// The cells of a run sorted by year (a cube, a category's slice) whose year
// is in the filter's range.
std::span<const PostingCell> InYears(std::span<const PostingCell> cells,
                                     const ChartFilter& filter) {
  const auto first = std::partition_point(cells.begin(), cells.end(), [&](const PostingCell& cell) {
    return cell.year < filter.year_from;
  });
  const auto last = std::partition_point(
      first, cells.end(), [&](const PostingCell& cell) { return cell.year <= filter.year_to; });
  return {first, last};
}

// Whether a cell or a record matches `filter`. The preference test, cheap and
// the most selective, goes first.
template <typename Item>
bool Matches(const Item& item, const ChartFilter& filter, ProvinceFilter province) {
  return (filter.preferences == 0 || (item.preferences & filter.preferences) != 0) &&
         filter.HasYear(item.year) &&
         (province == ProvinceFilter::kIgnore || filter.provinces.Contains(item.province)) &&
         filter.shapes.Contains(item.shape) && filter.job_classes.Contains(item.job_class);
}

template <typename Visit>
void VisitMatching(std::span<const PostingCell> cells, const ChartFilter& filter,
                   ProvinceFilter province, Visit&& visit) {
  for (const PostingCell& cell : cells) {
    if (Matches(cell, filter, province)) visit(cell);
  }
}

uint8_t DimsFor(const ChartFilter& filter, uint8_t group_dims) {
  return group_dims | (filter.job_classes.all() ? 0 : kByJobClass);
}

// Visits cells holding at least `dims` (a PostingDims mask), each posting
// once: the smallest cube holding `dims | filter_dims`, else the matching
// records of the filter's years summed into cells keeping `dims`. The
// records are filtered one by one, so the sums need not keep `filter_dims`
// (the dimensions only the filter needs); summing, rather than visiting each
// record, keeps a chart's own per-cell work off the million-record path.
template <typename Visit>
void ForEachCombinationCell(const ServingSnapshot& snapshot, const ChartFilter& filter,
                            uint8_t dims, uint8_t filter_dims, ProvinceFilter province,
                            Visit&& visit) {
  if (const PostingCube* cube = snapshot.CubeFor(dims | filter_dims)) {
    VisitMatching(InYears(cube->cells, filter), filter, province, visit);
    return;
  }
  CellSummer summer;
  for (const PostingRecord& record : snapshot.PostingsInYears(filter.year_from, filter.year_to)) {
    if (Matches(record, filter, province)) summer.Add(Masked(CellOf(record), dims));
  }
  for (const PostingCell& cell : summer.Take(YearFirst)) visit(cell);
}

// The cells of `category`'s slice of `cube` within the filter's years.
std::span<const PostingCell> CategorySlice(const CategoryCube& cube, size_t category,
                                           const ChartFilter& filter) {
  return InYears(
      std::span(cube.cells)
          .subspan(cube.starts[category], cube.starts[category + 1] - cube.starts[category]),
      filter);
}

// Visits the cells of the postings matching `filter`, each posting once,
// grouped at least by `group_dims` (without kByPreferences). A filter on a
// single preference category reads that category's slice; several read the
// cube of category combinations.
template <typename Visit>
void ForEachPostingCell(const ServingSnapshot& snapshot, const ChartFilter& filter,
                        uint8_t group_dims, ProvinceFilter province, Visit&& visit) {
  const uint8_t dims = DimsFor(filter, group_dims);
  if (filter.preferences != 0 && std::has_single_bit(filter.preferences)) {
    if (const CategoryCube* cube = snapshot.CategoryCubeFor(dims)) {
      const auto category = static_cast<size_t>(std::countr_zero(filter.preferences));
      VisitMatching(CategorySlice(*cube, category, filter), filter, province, visit);
      return;
    }
  }
  ForEachCombinationCell(snapshot, filter, dims, filter.preferences != 0 ? kByPreferences : 0,
                         province, visit);
}

template <typename Visit>
void ForEachProjectCell(const ServingSnapshot& snapshot, const ChartFilter& filter,
                        ProvinceFilter province, Visit&& visit) {
  const bool check_province = province == ProvinceFilter::kApply;
  for (const ProjectCell& cell : snapshot.projects) {
    if (!filter.HasYear(cell.year)) continue;
    if (check_province && !filter.provinces.Contains(cell.province)) continue;
    if (!filter.type_groups.Contains(cell.type_group)) continue;
    visit(cell);
  }
}

json DimensionJson(const DimensionValue& value) {
  return {{"code", value.code}, {"name", value.label}};
}

// Rounded to `digits` decimals, or null when the denominator is zero.
json Ratio(double numerator, double denominator, double scale, int digits) {
  if (denominator <= 0) return nullptr;
  const double factor = std::pow(10.0, digits);
  return std::round(scale * numerator / denominator * factor) / factor;
}

// ---- postings -------------------------------------------------------------

json Kpis(const ServingSnapshot& snapshot, const ServingStatus&, const ParsedQuery& query) {
  uint64_t postings = 0, headcount = 0, open = 0;
  std::vector<uint8_t> provinces(snapshot.provinces.size(), 0);
  ForEachPostingCell(snapshot, query.filter, 0, ProvinceFilter::kApply,
                     [&](const PostingCell& cell) {
                       postings += cell.postings;
                       headcount += cell.headcount;
                       open += cell.open_postings;
                       provinces[cell.province] = 1;
                     });
  uint64_t projects = 0, target_jobs = 0;
  ForEachProjectCell(snapshot, query.filter, ProvinceFilter::kApply, [&](const ProjectCell& cell) {
    projects += cell.projects;
    target_jobs += cell.target_jobs;
  });
  const auto unknown = snapshot.provinces.Find(kUnknownCode);
  if (unknown) provinces[*unknown] = 0;
  return {{"postings", postings},
          {"headcount", headcount},
          {"open_postings", open},
          {"projects", projects},
          {"target_jobs", target_jobs},
          {"provinces_with_postings", std::accumulate(provinces.begin(), provinces.end(), 0)},
          {"headcount_per_100_target_jobs", Ratio(double(headcount), double(target_jobs), 100, 1)}};
}

constexpr std::string_view kMapMetrics[] = {"postings", "postings_per_1000", "headcount",
                                            "target_jobs", "target_jobs_per_1000"};
constexpr OptionSpec kMapOptions[] = {
    {.name = "metric", .kind = OptionSpec::Kind::kChoice, .choices = kMapMetrics}};

json ProvinceMap(const ServingSnapshot& snapshot, const ServingStatus&, const ParsedQuery& query) {
  const size_t count = snapshot.provinces.size();
  std::vector<uint64_t> postings(count, 0), headcount(count, 0), target_jobs(count, 0);
  ForEachPostingCell(snapshot, query.filter, 0, ProvinceFilter::kIgnore,
                     [&](const PostingCell& cell) {
                       postings[cell.province] += cell.postings;
                       headcount[cell.province] += cell.headcount;
                     });
  ForEachProjectCell(snapshot, query.filter, ProvinceFilter::kIgnore, [&](const ProjectCell& cell) {
    target_jobs[cell.province] += cell.target_jobs;
  });
  const std::string& metric = query.Text("metric");
  const PopulationYear* population = snapshot.PopulationFor(query.filter.year_to);
  json items = json::array();
  uint64_t unmapped = 0;
  for (size_t index = 0; index < count; ++index) {
    const DimensionValue& province = snapshot.provinces.at(index);
    if (province.name_en.empty()) {  // 'unknown' and codes no seed row names
      unmapped += postings[index];
      continue;
    }
    const int64_t aged = population != nullptr && index < population->aged_65_plus.size()
                             ? population->aged_65_plus[index]
                             : 0;
    json value;
    if (metric == "postings") value = postings[index];
    if (metric == "headcount") value = headcount[index];
    if (metric == "target_jobs") value = target_jobs[index];
    if (metric == "postings_per_1000")
      value = Ratio(double(postings[index]), double(aged), 1000, 3);
    if (metric == "target_jobs_per_1000") {
      value = Ratio(double(target_jobs[index]), double(aged), 1000, 3);
    }
    items.push_back({{"code", province.code},
                     {"name", province.label},
                     {"name_en", province.name_en},
                     {"value", value},
                     {"postings", postings[index]},
                     {"headcount", headcount[index]},
                     {"target_jobs", target_jobs[index]},
                     {"population_65_plus", aged}});
  }
  return {{"metric", metric},
          {"population_year", population != nullptr ? json(population->year) : json(nullptr)},
          {"unmapped_postings", unmapped},
          {"items", std::move(items)}};
}

json PostingsMonthly(const ServingSnapshot& snapshot, const ServingStatus&,
                     const ParsedQuery& query) {
  std::map<int, std::array<uint64_t, 3>> by_month;  // year*12 + month-1
  ForEachPostingCell(snapshot, query.filter, kByMonth, ProvinceFilter::kApply,
                     [&](const PostingCell& cell) {
                       if (cell.month == 0) return;
                       auto& sums = by_month[cell.year * 12 + cell.month - 1];
                       sums[0] += cell.postings;
                       sums[1] += cell.headcount;
                       sums[2] += cell.open_postings;
                     });
  json months = json::array(), postings = json::array(), headcount = json::array(),
       open = json::array();
  if (!by_month.empty()) {
    for (int key = by_month.begin()->first; key <= by_month.rbegin()->first; ++key) {
      auto found = by_month.find(key);
      std::array<uint64_t, 3> sums =
          found == by_month.end() ? std::array<uint64_t, 3>{} : found->second;
      char label[16];
      std::snprintf(label, sizeof label, "%04d-%02d", key / 12, key % 12 + 1);
      months.push_back(label);
      postings.push_back(sums[0]);
      headcount.push_back(sums[1]);
      open.push_back(sums[2]);
    }
  }
  return {{"months", std::move(months)},
          {"postings", std::move(postings)},
          {"headcount", std::move(headcount)},
          {"open_postings", std::move(open)}};
}

json PostingsByShape(const ServingSnapshot& snapshot, const ServingStatus&,
                     const ParsedQuery& query) {
  std::map<int, std::vector<uint64_t>> by_year;
  std::vector<uint64_t> totals(snapshot.shapes.size(), 0);
  ForEachPostingCell(snapshot, query.filter, 0, ProvinceFilter::kApply,
                     [&](const PostingCell& cell) {
                       auto& row = by_year[cell.year];
                       row.resize(snapshot.shapes.size(), 0);
                       row[cell.shape] += cell.postings;
                       totals[cell.shape] += cell.postings;
                     });
  json shapes = json::array();
  uint64_t total = 0;
  for (size_t shape = 0; shape < totals.size(); ++shape) {
    if (totals[shape] == 0) continue;
    json series = json::array();
    for (const auto& [year, row] : by_year) series.push_back(row[shape]);
    json entry = DimensionJson(snapshot.shapes.at(shape));
    entry["total"] = totals[shape];
    entry["by_year"] = std::move(series);
    shapes.push_back(std::move(entry));
    total += totals[shape];
  }
  json years = json::array();
  for (const auto& [year, row] : by_year) years.push_back(year);
  return {{"years", std::move(years)}, {"shapes", std::move(shapes)}, {"total", total}};
}

json PostingsByJobClass(const ServingSnapshot& snapshot, const ServingStatus&,
                        const ParsedQuery& query) {
  std::vector<std::pair<uint64_t, uint64_t>> sums(snapshot.job_classes.size());
  ForEachPostingCell(snapshot, query.filter, kByJobClass, ProvinceFilter::kApply,
                     [&](const PostingCell& cell) {
                       sums[cell.job_class].first += cell.postings;
                       sums[cell.job_class].second += cell.headcount;
                     });
  std::vector<size_t> order(sums.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return sums[a].first > sums[b].first; });
  json items = json::array();
  for (size_t index : order) {
    if (sums[index].first == 0) continue;
    json entry = DimensionJson(snapshot.job_classes.at(index));
    entry["postings"] = sums[index].first;
    entry["headcount"] = sums[index].second;
    items.push_back(std::move(entry));
  }
  return {{"items", std::move(items)}};
}

json JobsVsPostings(const ServingSnapshot& snapshot, const ServingStatus&,
                    const ParsedQuery& query) {
  struct Sums {
    uint64_t postings = 0, headcount = 0, projects = 0, target_jobs = 0;
  };
  std::map<int, Sums> by_year;
  ForEachPostingCell(snapshot, query.filter, 0, ProvinceFilter::kApply,
                     [&](const PostingCell& cell) {
                       by_year[cell.year].postings += cell.postings;
                       by_year[cell.year].headcount += cell.headcount;
                     });
  ForEachProjectCell(snapshot, query.filter, ProvinceFilter::kApply, [&](const ProjectCell& cell) {
    by_year[cell.year].projects += cell.projects;
    by_year[cell.year].target_jobs += cell.target_jobs;
  });
  json years = json::array(), postings = json::array(), headcount = json::array(),
       target_jobs = json::array(), projects = json::array(), coverage = json::array();
  for (const auto& [year, sums] : by_year) {
    years.push_back(year);
    postings.push_back(sums.postings);
    headcount.push_back(sums.headcount);
    target_jobs.push_back(sums.target_jobs);
    projects.push_back(sums.projects);
    coverage.push_back(Ratio(double(sums.headcount), double(sums.target_jobs), 100, 1));
  }
  return {
      {"years", std::move(years)},         {"postings", std::move(postings)},
      {"headcount", std::move(headcount)}, {"target_jobs", std::move(target_jobs)},
      {"projects", std::move(projects)},   {"headcount_per_100_target_jobs", std::move(coverage)}};
}

json Preferences(const ServingSnapshot& snapshot, const ServingStatus&, const ParsedQuery& query) {
  const ChartFilter& filter = query.filter;
  std::vector<uint64_t> counts(snapshot.preferences.size(), 0);
  uint64_t postings = 0, with_any = 0;
  const CategoryCube* slices =
      filter.preferences == 0 ? snapshot.CategoryCubeFor(DimsFor(filter, 0)) : nullptr;
  if (slices != nullptr) {
    // Each category's slice counts its postings; the last slice, those with none.
    for (size_t category = 0; category + 1 < slices->starts.size(); ++category) {
      uint64_t sum = 0;
      VisitMatching(CategorySlice(*slices, category, filter), filter, ProvinceFilter::kApply,
                    [&](const PostingCell& cell) { sum += cell.postings; });
      if (category < counts.size())
        counts[category] = sum;
      else
        with_any = sum;  // postings mentioning no category, for now
    }
    ForEachPostingCell(snapshot, filter, 0, ProvinceFilter::kApply,
                       [&](const PostingCell& cell) { postings += cell.postings; });
    with_any = postings - with_any;
  } else {
    // Which other categories the chosen ones come with: the combinations.
    ForEachCombinationCell(snapshot, filter, DimsFor(filter, 0) | kByPreferences, 0,
                           ProvinceFilter::kApply, [&](const PostingCell& cell) {
                             postings += cell.postings;
                             if (cell.preferences != 0) with_any += cell.postings;
                             for (PreferenceMask bits = cell.preferences; bits != 0;
                                  bits &= bits - 1) {
                               counts[static_cast<size_t>(std::countr_zero(bits))] += cell.postings;
                             }
                           });
  }
  std::vector<size_t> order(counts.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return counts[a] > counts[b]; });
  json items = json::array();
  for (size_t index : order) {
    json entry = DimensionJson(snapshot.preferences.at(index));
    entry["postings"] = counts[index];
    entry["share_pct"] = Ratio(double(counts[index]), double(postings), 100, 1);
    items.push_back(std::move(entry));
  }
  return {
      {"postings", postings}, {"postings_with_preferences", with_any}, {"items", std::move(items)}};
}

// ---- projects -------------------------------------------------------------

json Continuity(const ServingSnapshot& snapshot, const ServingStatus&, const ParsedQuery& query) {
  std::map<uint16_t, std::vector<uint64_t>> jobs_by_years;  // years -> per group
  std::map<uint16_t, uint64_t> projects_by_years;
  std::vector<uint64_t> group_totals(snapshot.type_groups.size(), 0);
  ForEachProjectCell(snapshot, query.filter, ProvinceFilter::kApply, [&](const ProjectCell& cell) {
    auto& row = jobs_by_years[cell.continuation_years];
    row.resize(snapshot.type_groups.size(), 0);
    row[cell.type_group] += cell.target_jobs;
    projects_by_years[cell.continuation_years] += cell.projects;
    group_totals[cell.type_group] += cell.target_jobs + cell.projects;
  });
  json years = json::array(), projects = json::array(), totals = json::array();
  const uint16_t longest = jobs_by_years.empty() ? 0 : jobs_by_years.rbegin()->first;
  for (uint16_t length = 1; length <= longest; ++length) {
    years.push_back(length);
    projects.push_back(projects_by_years[length]);
    auto found = jobs_by_years.find(length);
    totals.push_back(
        found == jobs_by_years.end()
            ? 0
            : std::accumulate(found->second.begin(), found->second.end(), uint64_t{0}));
  }
  json groups = json::array();
  for (size_t group = 0; group < group_totals.size(); ++group) {
    if (group_totals[group] == 0) continue;
    json series = json::array();
    for (uint16_t length = 1; length <= longest; ++length) {
      auto found = jobs_by_years.find(length);
      series.push_back(found == jobs_by_years.end() ? 0 : found->second[group]);
    }
    json entry = DimensionJson(snapshot.type_groups.at(group));
    entry["target_jobs"] = std::move(series);
    groups.push_back(std::move(entry));
  }
  return {{"continuation_years", std::move(years)},
          {"groups", std::move(groups)},
          {"target_jobs", std::move(totals)},
          {"projects", std::move(projects)}};
}

constexpr std::string_view kProjectMeasures[] = {"target_jobs", "projects"};
constexpr OptionSpec kMeasureOptions[] = {
    {.name = "measure", .kind = OptionSpec::Kind::kChoice, .choices = kProjectMeasures}};

json ProjectsByRegionYear(const ServingSnapshot& snapshot, const ServingStatus&,
                          const ParsedQuery& query) {
  const bool jobs = query.Text("measure") == "target_jobs";
  std::map<int, std::vector<uint64_t>> by_year;
  std::vector<uint64_t> province_totals(snapshot.provinces.size(), 0);
  ForEachProjectCell(snapshot, query.filter, ProvinceFilter::kApply, [&](const ProjectCell& cell) {
    auto& row = by_year[cell.year];
    row.resize(snapshot.provinces.size(), 0);
    const uint64_t amount = jobs ? cell.target_jobs : cell.projects;
    row[cell.province] += amount;
    province_totals[cell.province] += amount + cell.projects;
  });
  json provinces = json::array();
  std::vector<size_t> shown;
  for (size_t index = 0; index < province_totals.size(); ++index) {
    if (province_totals[index] == 0) continue;
    shown.push_back(index);
    provinces.push_back(DimensionJson(snapshot.provinces.at(index)));
  }
  json series = json::array();
  for (const auto& [year, row] : by_year) {
    json values = json::array();
    for (size_t index : shown) values.push_back(row[index]);
    series.push_back({{"year", year}, {"values", std::move(values)}});
  }
  return {{"measure", query.Text("measure")},
          {"provinces", std::move(provinces)},
          {"series", std::move(series)}};
}

json ProjectTypes(const ServingSnapshot& snapshot, const ServingStatus&, const ParsedQuery& query) {
  std::vector<std::pair<uint64_t, uint64_t>> by_code(snapshot.type_codes.size());
  std::vector<std::pair<uint64_t, uint64_t>> by_group(snapshot.type_groups.size());
  ForEachProjectCell(snapshot, query.filter, ProvinceFilter::kApply, [&](const ProjectCell& cell) {
    by_code[cell.type_code].first += cell.projects;
    by_code[cell.type_code].second += cell.target_jobs;
    by_group[cell.type_group].first += cell.projects;
    by_group[cell.type_group].second += cell.target_jobs;
  });
  auto listing = [](const Dimension& dimension, const auto& sums, const auto& decorate) {
    std::vector<size_t> order(sums.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return sums[a].second > sums[b].second; });
    json items = json::array();
    for (size_t index : order) {
      if (sums[index].first == 0) continue;
      json entry = DimensionJson(dimension.at(index));
      entry["projects"] = sums[index].first;
      entry["target_jobs"] = sums[index].second;
      decorate(entry, index);
      items.push_back(std::move(entry));
    }
    return items;
  };
  uint64_t projects = 0, target_jobs = 0;
  for (const auto& [count, jobs] : by_group) {
    projects += count;
    target_jobs += jobs;
  }
  return {{"types", listing(snapshot.type_codes, by_code,
                            [&](json& entry, size_t index) {
                              entry["category"] = snapshot.type_code_categories.at(index);
                            })},
          {"groups", listing(snapshot.type_groups, by_group, [](json&, size_t) {})},
          {"projects", projects},
          {"target_jobs", target_jobs}};
}

json ProjectsMonthlyShare(const ServingSnapshot& snapshot, const ServingStatus&,
                          const ParsedQuery& query) {
  std::map<int, std::array<uint64_t, 13>> by_year;  // [0]: unknown month
  ForEachProjectCell(snapshot, query.filter, ProvinceFilter::kApply, [&](const ProjectCell& cell) {
    by_year[cell.year][cell.start_month] += cell.projects;
  });
  json series = json::array();
  for (const auto& [year, months] : by_year) {
    const uint64_t dated = std::accumulate(months.begin() + 1, months.end(), uint64_t{0});
    json shares = json::array(), counts = json::array();
    for (size_t month = 1; month <= 12; ++month) {
      counts.push_back(months[month]);
      shares.push_back(Ratio(double(months[month]), double(dated), 100, 2));
    }
    series.push_back(
        {{"year", year}, {"projects", std::move(counts)}, {"share_pct", std::move(shares)}});
  }
  return {{"months", json::array({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})},
          {"series", std::move(series)}};
}

// ---- data status ------------------------------------------------------------

json ValueJson(const silverwork::Value& value) {
  return std::visit(
      [](const auto& held) -> json {
        using Held = std::decay_t<decltype(held)>;
        if constexpr (std::is_same_v<Held, std::monostate>) {
          return nullptr;
        } else {
          return held;
        }
      },
      value);
}

json Rows(const TableCopy& table) {
  json rows = json::array();
  for (const Row& row : table.rows) {
    json object = json::object();
    for (size_t column = 0; column < row.size() && column < table.columns.size(); ++column) {
      object[table.columns[column]] = ValueJson(row[column]);
    }
    rows.push_back(std::move(object));
  }
  return rows;
}

json Freshness(const ServingSnapshot& snapshot, const ServingStatus& status,
               const ParsedQuery& query) {
  json sources = json::array();
  for (const SourceFreshness& source : status.freshness) {
    sources.push_back(
        {{"table", source.table},
         {"present", source.present},
         {"rows", source.rows},
         {"newest_loaded_at",
          source.newest_loaded_at.empty() ? json(nullptr) : json(source.newest_loaded_at)}});
  }
  return {{"sources", std::move(sources)},
          {"postings", PostingsFreshnessJson(status.postings_freshness, query.now)},
          {"runs", Rows(status.runs)},
          {"runs_table_present", status.runs.present},
          {"snapshot",
           {{"loaded_at", FormatUtcTimestamp(snapshot.loaded_at)},
            {"load_seconds", std::round(snapshot.load_seconds * 1000) / 1000},
            {"postings", snapshot.postings.size()},
            {"project_cells", snapshot.projects.size()}}}};
}

json RowsPerDay(const ServingSnapshot& snapshot, const ServingStatus&, const ParsedQuery& query) {
  // mart_data_quality columns: check_name, source, day, detail, rows_count.
  std::map<std::string, std::map<std::string, int64_t>> by_source;
  std::map<std::string, bool> days;
  for (const Row& row : snapshot.data_quality.rows) {
    if (ValueToString(row[0]) != "rows_per_day" || IsNull(row[2])) continue;
    const std::string day = ValueToString(row[2]);
    const int year = std::atoi(day.substr(0, 4).c_str());
    if (!query.filter.HasYear(year)) continue;
    const auto* rows = std::get_if<int64_t>(&row[4]);
    by_source[ValueToString(row[1])][day] += rows != nullptr ? *rows : 0;
    days[day] = true;
  }
  json day_list = json::array();
  for (const auto& [day, any] : days) day_list.push_back(day);
  json series = json::array();
  for (const auto& [source, counts] : by_source) {
    json values = json::array();
    for (const auto& [day, any] : days) {
      auto found = counts.find(day);
      values.push_back(found == counts.end() ? 0 : found->second);
    }
    series.push_back({{"source", source}, {"rows", std::move(values)}});
  }
  return {{"present", snapshot.data_quality.present},
          {"days", std::move(day_list)},
          {"series", std::move(series)}};
}

json TestResults(const ServingSnapshot& snapshot, const ServingStatus&, const ParsedQuery&) {
  json counts = json::object();
  for (const Row& row : snapshot.test_results.rows) {
    const std::string status = ValueToString(row[1]);
    counts[status] = counts.value(status, 0) + 1;
  }
  const Row* first = snapshot.test_results.rows.empty() ? nullptr : &snapshot.test_results.rows[0];
  return {{"present", snapshot.test_results.present},
          {"run_id", first != nullptr ? ValueJson((*first)[4]) : json(nullptr)},
          {"counts", std::move(counts)},
          {"tests", Rows(snapshot.test_results)}};
}

json DataQuality(const ServingSnapshot& snapshot, const ServingStatus&, const ParsedQuery&) {
  json checks = json::array();
  for (const Row& row : snapshot.data_quality.rows) {
    if (ValueToString(row[0]) == "rows_per_day") continue;
    checks.push_back({{"check", ValueJson(row[0])},
                      {"source", ValueJson(row[1])},
                      {"detail", ValueJson(row[3])},
                      {"rows", ValueJson(row[4])}});
  }
  return {{"present", snapshot.data_quality.present}, {"checks", std::move(checks)}};
}

constexpr ChartSpec kCharts[] = {
    {"/kpis",
     "KPI cards: postings, headcount, open postings, projects, target jobs",
     kAllFilters,
     {},
     &Kpis},
    {"/postings/map", "per province (choropleth): counts or per 1,000 residents aged 65+",
     kAllFilters, kMapOptions, &ProvinceMap},
    {"/postings/monthly",
     "postings, headcount and open postings per start month",
     kPostingFilters,
     {},
     &PostingsMonthly},
    {"/postings/by-shape",
     "postings per employment shape and year, with totals",
     kPostingFilters,
     {},
     &PostingsByShape},
    {"/postings/by-job-class",
     "postings and headcount per job class",
     kPostingFilters,
     {},
     &PostingsByJobClass},
    {"/jobs-vs-postings",
     "target jobs (projects) against postings and headcount per year",
     kAllFilters,
     {},
     &JobsVsPostings},
    {"/preferences",
     "postings per preference category (우대사항)",
     kPostingFilters,
     {},
     &Preferences},
    {"/projects/continuity",
     "target jobs (people) by years of continuation, per type group",
     kProjectFilters,
     {},
     &Continuity},
    {"/projects/by-region-year", "projects or target jobs per province and project year",
     kProjectFilters, kMeasureOptions, &ProjectsByRegionYear},
    {"/projects/types",
     "projects and target jobs per project type and type group",
     kProjectFilters,
     {},
     &ProjectTypes},
    {"/projects/monthly-share",
     "share of each year's projects starting in each month",
     kProjectFilters,
     {},
     &ProjectsMonthlyShare},
    {"/status/freshness",
     "newest load per raw table, the newest posting and the last successful runs with their "
     "ages, recent collection runs",
     0,
     {},
     &Freshness,
     /*cacheable=*/false},
    {"/status/rows-per-day",
     "rows per source per day (mart_data_quality)",
     kFilterYears,
     {},
     &RowsPerDay},
    {"/status/tests", "data-test results of the newest test run", 0, {}, &TestResults},
    {"/status/data-quality",
     "unmapped regions, unknown codes, missing district codes",
     0,
     {},
     &DataQuality},
};

json Options(const Dimension& dimension, bool skip_empty_name_en = false) {
  json values = json::array();
  for (const DimensionValue& value : dimension.values()) {
    if (skip_empty_name_en && value.name_en.empty()) continue;
    json entry = DimensionJson(value);
    if (!value.name_en.empty()) entry["name_en"] = value.name_en;
    values.push_back(std::move(entry));
  }
  return values;
}

}  // namespace

std::span<const ChartSpec> ChartSpecs() { return kCharts; }

nlohmann::json FilterOptions(const ServingSnapshot& snapshot) {
  return {{"years", {{"min", snapshot.min_year}, {"max", snapshot.max_year}}},
          {"province", Options(snapshot.provinces)},
          {"shape", Options(snapshot.shapes)},
          {"job_class", Options(snapshot.job_classes)},
          {"preference", Options(snapshot.preferences)},
          {"project_type", Options(snapshot.type_groups)}};
}

}  // namespace silverwork::serve
