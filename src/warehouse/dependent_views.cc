#include "warehouse/dependent_views.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "warehouse/engine_traits.h"

namespace silverwork {
namespace {

// pg_get_viewdef ends the SELECT with ';', which CREATE VIEW ... AS does not take.
std::string WithoutTrailingSemicolon(std::string sql) {
  while (!sql.empty() && (sql.back() == ';' || sql.back() == ' ' || sql.back() == '\n'))
    sql.pop_back();
  return sql;
}

// Reading a view's definition locks it against being dropped, and dropping
// it needs that lock to be the only one: two swaps that read one view's
// definition at once would each wait for the other to let go of it. So a
// swap first waits for every other swap under any of its views to commit,
// taking the views' keys in one order, before it reads them.
Status WaitForSwapsUnderTheSameViews(Warehouse& warehouse, std::string_view relation) {
  const EngineTraits& traits = warehouse.traits();
  std::vector<Value> keys;
  const Value params[] = {std::string(relation)};
  SW_RETURN_IF_ERROR(warehouse.Query(traits.dependent_view_keys_sql(), params, [&](const Row& row) {
    keys.push_back(row.at(0));
    return Status::Ok();
  }));
  for (const Value& key : keys) {
    SW_RETURN_IF_ERROR(warehouse.Query(traits.hold_view_key_sql(), std::span(&key, 1),
                                       [](const Row&) { return Status::Ok(); }));
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<DependentView>> SetAsideDependentViews(Warehouse& warehouse,
                                                          std::string_view relation) {
  std::vector<DependentView> views;
  const std::string_view sql = warehouse.traits().dependent_views_sql();
  if (sql.empty()) return views;
  SW_RETURN_IF_ERROR(WaitForSwapsUnderTheSameViews(warehouse, relation));
  const Value params[] = {std::string(relation)};
  SW_RETURN_IF_ERROR(warehouse.Query(sql, params, [&](const Row& row) {
    std::string quoted_name = ValueToString(row.at(0));
    if (views.empty() || views.back().quoted_name != quoted_name) {
      const auto* may_set_owner = std::get_if<int64_t>(&row.at(9));
      views.push_back({.quoted_name = std::move(quoted_name),
                       .name = ValueToString(row.at(1)),
                       .definition = WithoutTrailingSemicolon(ValueToString(row.at(2))),
                       .options = ValueToString(row.at(3)),
                       .grants = {},
                       .keyword = ValueToString(row.at(6)),
                       .populate = ValueToString(row.at(7)),
                       .owner = ValueToString(row.at(8)),
                       .may_set_owner = may_set_owner != nullptr && *may_set_owner != 0,
                       .comments_and_indexes = ValueToString(row.at(10))});
    }
    if (!IsNull(row.at(4)))
      views.back().grants.push_back({ValueToString(row.at(4)), ValueToString(row.at(5))});
    return Status::Ok();
  }));
  // Readers first: a view cannot be dropped while another one reads it.
  for (auto view = views.rbegin(); view != views.rend(); ++view)
    SW_RETURN_IF_ERROR(
        warehouse.Execute(fmt::format("DROP {} {}", view->keyword, view->quoted_name)));
  return views;
}

namespace {

Status CreateAgain(Warehouse& warehouse, const DependentView& view, std::string_view relation) {
  const std::string with = view.options.empty() ? "" : fmt::format(" WITH ({})", view.options);
  Status created =
      warehouse.Execute(fmt::format("CREATE {} {}{} AS\n{}{}", view.keyword, view.quoted_name, with,
                                    view.definition, view.populate));
  if (created.ok()) return created;
  return Status(created.code(),
                fmt::format("the view {} no longer works over the rebuilt {}: {}", view.name,
                            relation, created.message()),
                fmt::format("the build kept the old {} and {}; change {} (or drop it) so it "
                            "reads only columns {} still has, then build again",
                            relation, view.name, view.name, relation));
}

// The owner comes last: the grants made before are then its to pass on.
Status GiveBack(Warehouse& warehouse, const DependentView& view) {
  if (!view.comments_and_indexes.empty())
    SW_RETURN_IF_ERROR(warehouse.Execute(view.comments_and_indexes));
  SW_RETURN_IF_ERROR(GrantOnQuoted(warehouse, view.quoted_name, view.grants));
  if (view.owner.empty()) return Status::Ok();
  if (view.may_set_owner)
    return warehouse.Execute(
        fmt::format("ALTER {} {} OWNER TO {}", view.keyword, view.quoted_name, view.owner));
  // Warned once: the view now belongs to the build's role, so the next swap
  // has no other owner to give it back to.
  spdlog::warn(
      "the {} {} was created again over a rebuilt relation and now belongs to the build's role, "
      "not {}: the build's role may not make {} its owner; to give it back, run ALTER {} {} "
      "OWNER TO {} as a role that may (and let {} create in its schema)",
      view.keyword == "VIEW" ? "view" : "materialized view", view.name, view.owner, view.owner,
      view.keyword, view.quoted_name, view.owner, view.owner);
  return Status::Ok();
}

}  // namespace

Status RestoreDependentViews(Warehouse& warehouse, std::span<const DependentView> views,
                             std::string_view relation) {
  for (const DependentView& view : views) {
    SW_RETURN_IF_ERROR(CreateAgain(warehouse, view, relation));
    SW_RETURN_IF_ERROR(GiveBack(warehouse, view));
  }
  return Status::Ok();
}

}  // namespace silverwork
