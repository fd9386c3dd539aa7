// EngineTraits: everything the layers above the warehouse need to know
// about one SQL engine, in one object — its SQL spellings (Dialect), how its
// catalog answers "what is this
// relation" and "which unique indexes does this table have", how a table
// swap and a staged build are spelled, which settings tune a connection for
// a kind of work, and which functions of its own it provides.
//
// The goal this serves: adding an engine is a new folder
// src/warehouse/<engine>/ — its Warehouse implementation and its traits —
// plus one registration in warehouse/registry.cc (and, for an engine on an
// optional library, its rule in src/CMakeLists.txt, as postgres/ has), with
// no edit in transform, serve or ingest. Nothing above the warehouse layer compares
// engine names: it asks a connection for its traits (Warehouse::traits())
// and uses what they say. (The adapter macros models call are the one
// exception: dbt-style macros dispatched on the engine's name, in the
// project's macros/adapters.sql, compiled into the runner; see
// docs/transform.md.) SQL the traits hold uses positional `?`
// parameters like every statement given to a Warehouse; engines translate
// them.
//
// An engine's traits are built once from a table of spellings and never
// change; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "warehouse/warehouse.h"

namespace silverwork {

// What a connection is about to do, for the settings that suit it.
enum class Workload {
  // Building and indexing big tables, several connections side by side
  // (the model runner, for the length of a command).
  kBulkBuild,
  // Many connections each reading a few pages per request (the API server).
  kSmallReads,
};

// A SQL function an engine provides beyond its standard ones.
struct EngineFunction {
  std::string_view name;
  int arity;
  std::string_view summary;
};

class EngineTraits {
 public:
  // A connection setting and the value a workload wants.
  struct SessionSetting {
    std::string_view name;
    std::string_view value;
  };
  // The table an engine's traits are built from; `$1`, `$2` stand for the
  // arguments named beside each pattern.
  struct Spellings {
    std::string_view engine;
    // One statement taking a relation name as its only parameter, returning
    // one row, 'table' or 'view', or no row when nothing has that name.
    std::string_view relation_kind_sql;
    // One statement taking a table name as its only parameter, returning
    // (index name, column name) for every column of the table's unique,
    // non-partial indexes on plain columns (primary keys included).
    std::string_view unique_index_columns_sql;
    // True when $1 and $2 differ, two NULLs being equal.
    std::string_view differs_pattern;
    // Run inside a table swap's transaction before the old relation is
    // dropped and after the new table is renamed into place (may be empty).
    std::string_view before_swap_sql;
    std::string_view after_swap_sql;
    // Starts a transaction that only reads and sees one commit for all its
    // statements (ended by COMMIT), without taking a write lock.
    std::string_view begin_read_sql;
    // Empty when read transactions on two connections cannot share one
    // snapshot. Otherwise: one row, one column, the id of the snapshot of
    // this connection's read transaction (begun with begin_read_sql); and
    // the statement another connection runs first in its own read
    // transaction to read that same snapshot ($1: the id, quoted).
    std::string_view export_snapshot_sql;
    std::string_view import_snapshot_pattern;
    // Empty when the engine has no roles (nor schemas). Otherwise: one row,
    // one column, the schema the connection creates tables in, quoted; and
    // one statement taking a relation name as its only parameter, returning
    // (privilege, grantee quoted or PUBLIC) for each privilege granted on it
    // to anyone but its owner.
    std::string_view current_schema_sql;
    std::string_view relation_grants_sql;
    // Empty when the engine lets a relation be dropped while views read it
    // (SQLite checks a view only when it is read). Otherwise: one statement
    // taking a relation name as its only parameter, returning for every view
    // or materialized view that reads it, directly or through other views:
    // (the view's name quoted and schema-qualified, its name for messages,
    // its SELECT, its options for CREATE ... WITH or empty, a privilege or
    // NULL, the grantee quoted or PUBLIC, or NULL, its keyword: VIEW or
    // MATERIALIZED VIEW, what ends its CREATE (" WITH DATA", " WITH NO DATA"
    // or empty), its owner quoted or empty when it is the current role,
    // whether the current role may make that role the owner again (a
    // boolean), the statements that put back its comments and indexes, or
    // empty). One row per privilege granted to anyone but the view's owner,
    // a view's rows together, and each view after every view it reads.
    std::string_view dependent_views_sql;
    // Empty with dependent_views_sql. Otherwise: a statement taking a
    // relation name, returning a lock key (an integer) for each view
    // dependent_views_sql would return, distinct and ascending without
    // taking any lock; and one taking such a key, which waits until no
    // other transaction holds it and then holds it until this one ends.
    std::string_view dependent_view_keys_sql;
    std::string_view hold_view_key_sql;
    // What the message of an error holds when the engine ended a
    // transaction to break a deadlock with another session (PostgreSQL:
    // SQLSTATE 40P01), so the transaction may be tried again; empty when the
    // engine never does (SQLite fails busy instead, after its timeout).
    std::string_view lost_deadlock_mark;
    // Empty when the engine lets writers build different tables side by
    // side. Otherwise: how a SELECT ($2) is computed into a table private
    // to the connection ($1, quoted) without the write lock, how SQL then
    // names that table ($1), and how a table ($1, quoted) is created and
    // filled from it ($2, as named).
    std::string_view stage_select_pattern;
    std::string_view staged_relation_pattern;
    std::string_view copy_from_stage_pattern;
    // Empty when the engine's planner does without statistics of a table it
    // has not been told to analyse (SQLite plans from its indexes).
    // Otherwise: the statement collecting the planner's statistics of a table
    // ($1, quoted), which a build runs once it has filled a table, so that
    // what reads the table next (the build's tests, a daily build minutes
    // later) is planned with them rather than with the guesses an engine
    // makes until its own background analysis gets to the table.
    std::string_view analyze_table_pattern;
    std::span<const SessionSetting> bulk_build_settings;
    std::span<const SessionSetting> small_reads_settings;
    std::string_view read_setting_pattern;   // $1: the name; one row, one column
    std::string_view write_setting_pattern;  // $1: the name, $2: the value
    std::span<const EngineFunction> functions;
    // True when every statement is a round trip to a server, so loaders
    // send rows in bulk (Upsert) rather than one statement per row.
    bool statements_are_round_trips = false;
    // True when creating an index over a filled table costs much less than
    // keeping it up to date row by row while the table is filled (one sort
    // instead of a B-tree descent per row and index), so a bulk load that
    // empties a table and refills it in one transaction (reload) drops the
    // table's secondary indexes first and creates them again before its
    // commit. Dropping an index locks its table against readers until the
    // commit (PostgreSQL: ACCESS EXCLUSIVE), so readers wait for the load.
    bool rebuilds_indexes_after_bulk_load = false;
  };

  // REQUIRES: `spellings`' views and spans and `dialect` outlive the traits.
  EngineTraits(const Spellings& spellings, const Dialect& dialect)
      : spellings_(spellings), dialect_(dialect) {}
  EngineTraits(const EngineTraits&) = delete;
  EngineTraits& operator=(const EngineTraits&) = delete;

  // "sqlite", "postgres", ...: for messages, never for decisions.
  std::string_view engine() const { return spellings_.engine; }
  const Dialect& dialect() const { return dialect_; }
  // Functions every connection of the engine has beyond its standard ones.
  std::span<const EngineFunction> functions() const { return spellings_.functions; }

  // See Spellings.
  bool statements_are_round_trips() const { return spellings_.statements_are_round_trips; }
  bool rebuilds_indexes_after_bulk_load() const {
    return spellings_.rebuilds_indexes_after_bulk_load;
  }
  std::string_view relation_kind_sql() const { return spellings_.relation_kind_sql; }
  std::string_view unique_index_columns_sql() const { return spellings_.unique_index_columns_sql; }
  // SQL that is true when `a` and `b` differ, treating two NULLs as equal.
  std::string Differs(std::string_view a, std::string_view b) const;
  std::string_view before_swap_sql() const { return spellings_.before_swap_sql; }
  std::string_view after_swap_sql() const { return spellings_.after_swap_sql; }
  // See Spellings: readers that need several statements to agree (serve's
  // snapshot) start with it and end with COMMIT.
  std::string_view begin_read_sql() const { return spellings_.begin_read_sql; }
  // See Spellings: empty when a read transaction's snapshot cannot be shared.
  std::string_view export_snapshot_sql() const { return spellings_.export_snapshot_sql; }
  std::string ImportSnapshotSql(std::string_view snapshot_id) const;
  // See Spellings; both empty on an engine without roles (warehouse/grants.h).
  std::string_view current_schema_sql() const { return spellings_.current_schema_sql; }
  std::string_view relation_grants_sql() const { return spellings_.relation_grants_sql; }
  // See Spellings; empty on an engine that drops a relation under its views
  // (warehouse/dependent_views.h).
  std::string_view dependent_views_sql() const { return spellings_.dependent_views_sql; }
  std::string_view dependent_view_keys_sql() const { return spellings_.dependent_view_keys_sql; }
  std::string_view hold_view_key_sql() const { return spellings_.hold_view_key_sql; }
  // Whether `status` says the engine ended its transaction to break a deadlock.
  bool LostADeadlock(const Status& status) const {
    return !spellings_.lost_deadlock_mark.empty() &&
           status.message().find(spellings_.lost_deadlock_mark) != std::string::npos;
  }

  // Whether builds on several connections compute their SELECTs into
  // connection-private tables first (the engine has one writer at a time).
  bool stages_selects() const { return !spellings_.stage_select_pattern.empty(); }
  // REQUIRES for the three: stages_selects().
  std::string StageSelectSql(std::string_view quoted_name, std::string_view select_sql) const;
  std::string StagedRelationSql(std::string_view quoted_name) const;
  std::string CopyFromStageSql(std::string_view quoted_table, std::string_view staged) const;

  // See Spellings: the statement collecting `quoted_table`'s statistics, or
  // empty on an engine that keeps none.
  std::string AnalyzeTableSql(std::string_view quoted_table) const;

  // The settings that suit `workload` (possibly none).
  std::span<const SessionSetting> SessionSettings(Workload workload) const;
  // The statement returning a setting's value (one row, one column), and
  // the one setting it.
  std::string ReadSettingSql(std::string_view name) const;
  std::string WriteSettingSql(std::string_view name, std::string_view value) const;

 private:
  const Spellings spellings_;
  const Dialect& dialect_;
};

}  // namespace silverwork
