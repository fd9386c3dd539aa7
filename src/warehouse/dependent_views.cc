#include "warehouse/dependent_views.h"

#include <fmt/format.h>

#include "warehouse/engine_traits.h"

namespace silverwork {
namespace {

// pg_get_viewdef ends the SELECT with ';', which CREATE VIEW ... AS does not take.
std::string WithoutTrailingSemicolon(std::string sql) {
  while (!sql.empty() && (sql.back() == ';' || sql.back() == ' ' || sql.back() == '\n'))
    sql.pop_back();
  return sql;
}

}  // namespace

Result<std::vector<DependentView>> SetAsideDependentViews(Warehouse& warehouse,
                                                          std::string_view relation) {
  std::vector<DependentView> views;
  const std::string_view sql = warehouse.traits().dependent_views_sql();
  if (sql.empty()) return views;
  const Value params[] = {std::string(relation)};
  SW_RETURN_IF_ERROR(warehouse.Query(sql, params, [&](const Row& row) {
    std::string quoted_name = ValueToString(row.at(0));
    if (views.empty() || views.back().quoted_name != quoted_name) {
      views.push_back({std::move(quoted_name),
                       ValueToString(row.at(1)),
                       WithoutTrailingSemicolon(ValueToString(row.at(2))),
                       ValueToString(row.at(3)),
                       {}});
    }
    if (!IsNull(row.at(4)))
      views.back().grants.push_back({ValueToString(row.at(4)), ValueToString(row.at(5))});
    return Status::Ok();
  }));
  // Readers first: a view cannot be dropped while another one reads it.
  for (auto view = views.rbegin(); view != views.rend(); ++view)
    SW_RETURN_IF_ERROR(warehouse.Execute("DROP VIEW " + view->quoted_name));
  return views;
}

Status RestoreDependentViews(Warehouse& warehouse, std::span<const DependentView> views,
                             std::string_view relation) {
  for (const DependentView& view : views) {
    const std::string with = view.options.empty() ? "" : fmt::format(" WITH ({})", view.options);
    Status created = warehouse.Execute(
        fmt::format("CREATE VIEW {}{} AS\n{}", view.quoted_name, with, view.definition));
    if (!created.ok()) {
      return Status(created.code(),
                    fmt::format("the view {} no longer works over the rebuilt {}: {}", view.name,
                                relation, created.message()),
                    fmt::format("the build kept the old {} and {}; change {} (or drop it) so it "
                                "reads only columns {} still has, then build again",
                                relation, view.name, view.name, relation));
    }
    SW_RETURN_IF_ERROR(GrantOnQuoted(warehouse, view.quoted_name, view.grants));
  }
  return Status::Ok();
}

}  // namespace silverwork
