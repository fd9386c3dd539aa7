// Grants: read access to relations for a database role (the BI tools that
// read the marts, such as Superset and Metabase, log in as one), and the
// grants a relation holds carried over to the relation that replaces it when
// a build swaps a table in or recreates a view, so a reader keeps reading
// across rebuilds.
//
// Engines without roles (SQLite: whoever can open the file reads all of
// it) have no grants: GrantRead fails saying so, GrantsOn answers none and
// Grant of none does nothing. Free functions over a Warehouse; they share
// its (lack of) thread-safety.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "warehouse/warehouse.h"

namespace silverwork {

// One privilege on one relation for one grantee.
struct RelationGrant {
  std::string privilege;  // SELECT, INSERT, ...
  std::string grantee;    // a quoted role name, or PUBLIC
};

// The privileges granted on `relation` to anyone but its owner (none when
// the engine has no roles or the relation does not exist).
Result<std::vector<RelationGrant>> GrantsOn(Warehouse& warehouse, std::string_view relation);

// Grants `grants` on `relation`.
Status Grant(Warehouse& warehouse, std::string_view relation,
             std::span<const RelationGrant> grants);
// The same for a relation named as SQL names it: quoted, maybe with its
// schema (a view in another schema, warehouse/dependent_views.h).
Status GrantOnQuoted(Warehouse& warehouse, std::string_view quoted_relation,
                     std::span<const RelationGrant> grants);

// Gives `role` the use of the schema the connection creates its tables in
// and SELECT on each of `relations` (tables or views that must exist), and
// nothing else, in one transaction. kUnsupported on an engine without
// roles; kNotFound naming the relations that do not exist.
Status GrantRead(Warehouse& warehouse, std::string_view role,
                 std::span<const std::string> relations);

}  // namespace silverwork
