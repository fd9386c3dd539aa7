// Dependent views: the views that read a relation, set aside while a build
// replaces the relation and created again over its replacement in the same
// transaction, with their options and grants, so a view over a table model
// or a seed (a staging view, a BI tool's own view) survives the table's
// rebuild and a reader never sees it missing.
//
// Engines that refuse to drop a relation while views read it (PostgreSQL:
// SQLSTATE 2BP01) say how to find them (EngineTraits::dependent_views_sql);
// on the others (SQLite) there is nothing to set aside and both functions do
// nothing. A view created again from its stored definition reads the columns
// it read before: one written `SELECT *` does not gain the new relation's
// added columns until its own model is rebuilt.
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
  std::string options;      // for CREATE VIEW ... WITH (...), or empty
  std::vector<RelationGrant> grants;
};

// Drops the views reading `relation` (directly or through other views) and
// returns them in the order they are to be created again. REQUIRES: inside
// a transaction that ends with RestoreDependentViews or rolls back.
Result<std::vector<DependentView>> SetAsideDependentViews(Warehouse& warehouse,
                                                          std::string_view relation);

// Creates `views` again, in order, and grants what each had. A view whose
// SQL no longer holds over the new `relation` (a column it reads is gone)
// fails naming the view, so that the caller rolls the transaction back and
// the old relation and its views stay.
Status RestoreDependentViews(Warehouse& warehouse, std::span<const DependentView> views,
                             std::string_view relation);

}  // namespace silverwork
