// Dependent views: the views (and materialized views) that read a relation,
// set aside while a build replaces the relation and created again over its
// replacement in the same transaction, with their options, grants, owner,
// comments and (materialized) indexes, so a view over a table model or a
// seed (a staging view, a BI tool's own view or materialized view)
// survives the table's rebuild and a reader never sees it missing. A
// materialized view is filled again from the new relation as it is created
// (it is refreshed by the swap), unless it was left unfilled (WITH NO DATA).
//
// Engines that refuse to drop a relation while views read it (PostgreSQL:
// SQLSTATE 2BP01) say how to find them (EngineTraits::dependent_views_sql);
// on the others (SQLite) there is nothing to set aside and both functions do
// nothing. A view created again from its stored definition reads the columns
// it read before: one written `SELECT *` does not gain the new relation's
// added columns until its own model is rebuilt. A view is created again by
// the build's role; it is given back to its owner when that role may do so
// (PostgreSQL: a superuser, or a member of the owner when the owner may
// create in the view's schema), and a warning says so when it may not.
//
// Swaps on several connections at once that share a dependent view take
// turns: each first holds a lock per dependent view, taken in one order
// (EngineTraits::dependent_view_keys_sql, hold_view_key_sql) before it reads
// the views' definitions (which locks them), so the second waits for the
// first to commit and never deadlocks with it
// (tests/transform/postgres_dependent_views_test.cc).
//
// Free functions over a Warehouse; they share its (lack of) thread-safety.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "warehouse/grants.h"
#include "warehouse/warehouse.h"

namespace silverwork {

// A view as the engine stores it.
struct DependentView {
  std::string quoted_name;  // schema-qualified and quoted, for statements
  std::string name;         // schema.name, for messages
  std::string definition;   // its SELECT
  std::string options;      // for CREATE ... WITH (...), or empty
  std::vector<RelationGrant> grants;
  std::string keyword;               // VIEW or MATERIALIZED VIEW
  std::string populate;              // what ends its CREATE: " WITH DATA", or empty
  std::string owner;                 // quoted, or empty when the build's role owns it
  bool may_set_owner = true;         // whether the build's role may give it back to `owner`
  std::string comments_and_indexes;  // statements run once it exists again, or empty
};

// Waits for other swaps under any of the same views to commit, then drops
// the views reading `relation` (directly or through other views) and
// returns them in the order they are to be created again. REQUIRES: inside
// a transaction that ends with RestoreDependentViews or rolls back.
Result<std::vector<DependentView>> SetAsideDependentViews(Warehouse& warehouse,
                                                          std::string_view relation);

// Creates `views` again, in order, with what each had (see above). A view whose
// SQL no longer holds over the new `relation` (a column it reads is gone)
// fails naming the view, so that the caller rolls the transaction back and
// the old relation and its views stay.
Status RestoreDependentViews(Warehouse& warehouse, std::span<const DependentView> views,
                             std::string_view relation);

}  // namespace silverwork
