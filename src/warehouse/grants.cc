#include "warehouse/grants.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "warehouse/engine_traits.h"

namespace silverwork {
namespace {

// Privilege names come from the engine's catalog; only words are ever
// spliced into a statement.
bool IsPrivilegeName(std::string_view privilege) {
  return !privilege.empty() && std::all_of(privilege.begin(), privilege.end(), [](char ch) {
    return (ch >= 'A' && ch <= 'Z') || ch == ' ';
  });
}

Status NoRoles(const EngineTraits& traits) {
  return Status(ErrorCode::kUnsupported,
                fmt::format("the {} warehouse has no roles to grant access to: whoever can "
                            "read its file reads every table",
                            traits.engine()),
                "give a BI tool a copy of the file, or move the warehouse to PostgreSQL "
                "(docs/postgres.md) and grant a reader role there");
}

}  // namespace

Result<std::vector<RelationGrant>> GrantsOn(Warehouse& warehouse, std::string_view relation) {
  std::vector<RelationGrant> grants;
  const std::string_view sql = warehouse.traits().relation_grants_sql();
  if (sql.empty()) return grants;
  const Value params[] = {std::string(relation)};
  SW_RETURN_IF_ERROR(warehouse.Query(sql, params, [&](const Row& row) {
    grants.push_back({ValueToString(row.at(0)), ValueToString(row.at(1))});
    return Status::Ok();
  }));
  return grants;
}

Status Grant(Warehouse& warehouse, std::string_view relation,
             std::span<const RelationGrant> grants) {
  return GrantOnQuoted(warehouse, warehouse.dialect().QuoteIdentifier(relation), grants);
}

Status GrantOnQuoted(Warehouse& warehouse, std::string_view quoted,
                     std::span<const RelationGrant> grants) {
  for (const RelationGrant& grant : grants) {
    if (!IsPrivilegeName(grant.privilege)) {
      return Status(ErrorCode::kInternal,
                    fmt::format("unexpected privilege '{}' on {}", grant.privilege, quoted),
                    "report this: the catalog answered a privilege that is not a word");
    }
    SW_RETURN_IF_ERROR(warehouse.Execute(
        fmt::format("GRANT {} ON {} TO {}", grant.privilege, quoted, grant.grantee)));
  }
  return Status::Ok();
}

Status GrantRead(Warehouse& warehouse, std::string_view role,
                 std::span<const std::string> relations) {
  const EngineTraits& traits = warehouse.traits();
  if (traits.current_schema_sql().empty()) return NoRoles(traits);
  std::vector<std::string> missing;
  for (const std::string& relation : relations) {
    SW_ASSIGN_OR_RETURN(bool exists, warehouse.TableExists(relation));
    if (!exists) missing.push_back(relation);
  }
  if (!missing.empty()) {
    return Status(ErrorCode::kNotFound,
                  fmt::format("cannot grant read access to {}: not built yet",
                              fmt::join(missing, ", ")),
                  "run silverwork build first, then grant again");
  }
  SW_ASSIGN_OR_RETURN(auto schema, warehouse.QueryAll(traits.current_schema_sql()));
  if (schema.rows.size() != 1 || IsNull(schema.rows[0].at(0))) {
    return Status(ErrorCode::kDatabase, "the connection has no current schema to grant",
                  "set the search_path of the warehouse's URL to an existing schema");
  }
  const std::string grantee = warehouse.dialect().QuoteIdentifier(role);
  Transaction transaction(warehouse);
  SW_RETURN_IF_ERROR(transaction.Begin());
  SW_RETURN_IF_ERROR(warehouse.Execute(fmt::format("GRANT USAGE ON SCHEMA {} TO {}",
                                                   ValueToString(schema.rows[0][0]), grantee)));
  const RelationGrant read[] = {{"SELECT", grantee}};
  for (const std::string& relation : relations) {
    SW_RETURN_IF_ERROR(Grant(warehouse, relation, read));
  }
  return transaction.Commit();
}

}  // namespace silverwork
