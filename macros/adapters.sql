{#
  Adapter macros: ideas every warehouse engine spells its own way, called by
  one name on every engine, e.g. {{ string_agg('p.title', "', '") }}. Each
  dispatches, as dbt's cross-database macros do, to <target.type>__<name>
  (sqlite__, postgres__), else default__<name> when one spelling serves every
  engine. Arguments are SQL fragments given as strings.

  Dates go in and come out as 'YYYY-MM-DD' text on every engine, so a model
  compares them with the TEXT columns the loaders write; PostgreSQL's
  to_char does not depend on the session's DateStyle. On PostgreSQL a date
  macro given text that is not a date fails the statement, where SQLite
  gives NULL.

  This file is also compiled into silverwork as its built-in package
  `silverwork_builtins` (docs/transform.md, "Adapter macros"), so every
  project has these macros; a project's own macro of the same name (this
  file, in this project) comes first, and so does its own <engine>__<name>.
  A new engine spells every macro here (tests/transform/adapter_macros_test.cc
  fails until it does, and holds every spelling to the same values).
#}

{# First day of the month of a date, as 'YYYY-MM-DD' text. #}
{% macro dbt_date_trunc_month(expr) -%}
    {{ return(adapter.dispatch('dbt_date_trunc_month')(expr)) }}
{%- endmacro %}

{% macro sqlite__dbt_date_trunc_month(expr) -%}
    date({{ expr }}, 'start of month')
{%- endmacro %}

{% macro postgres__dbt_date_trunc_month(expr) -%}
    to_char(CAST({{ expr }} AS date), 'YYYY-MM-01')
{%- endmacro %}

{# An expression concatenated over a group, `separator_sql` between (a SQL literal: "', '"). #}
{% macro string_agg(expr, separator_sql) -%}
    {{ return(adapter.dispatch('string_agg')(expr, separator_sql)) }}
{%- endmacro %}

{% macro sqlite__string_agg(expr, separator_sql) -%}
    group_concat({{ expr }}, {{ separator_sql }})
{%- endmacro %}

{% macro postgres__string_agg(expr, separator_sql) -%}
    string_agg(CAST({{ expr }} AS text), {{ separator_sql }})
{%- endmacro %}

{# 'YYYYMMDD' text as 'YYYY-MM-DD'; NULL unless eight digits naming a real day. #}
{% macro parse_date_yyyymmdd(expr) -%}
    {{ return(adapter.dispatch('parse_date_yyyymmdd')(expr)) }}
{%- endmacro %}

{# sw_yyyymmdd_date is a C function on every silverwork SQLite connection
   (src/warehouse/sqlite/sqlite_functions.cc): twenty times cheaper than the
   same check in SQL. #}
{% macro sqlite__parse_date_yyyymmdd(expr) -%}
    sw_yyyymmdd_date({{ expr }})
{%- endmacro %}

{# The same check in a CASE: to_date would fail the statement on 20230229 and
   read 2024022 as a day. Month and day compare as two-digit text (the same
   order in every collation); the outer CASE keeps the year's casts away from
   text that is not digits, also when the planner folds a constant (it drops
   a THEN whose WHEN folds to false unevaluated). #}
{% macro postgres__parse_date_yyyymmdd(expr) -%}
    {%- set year = 'CAST(substr(' ~ expr ~ ', 1, 4) AS integer)' -%}
    {%- set month = 'substr(' ~ expr ~ ', 5, 2)' -%}
    {%- set day = 'substr(' ~ expr ~ ', 7, 2)' -%}
    (CASE WHEN {{ expr }} ~ '^[0-9]{8}$' THEN (CASE WHEN {{ month }} BETWEEN '01' AND '12' AND {{ day }} BETWEEN '01' AND (CASE WHEN {{ month }} IN ('04', '06', '09', '11') THEN '30' WHEN {{ month }} <> '02' THEN '31' WHEN {{ year }} % 4 = 0 AND ({{ year }} % 100 <> 0 OR {{ year }} % 400 = 0) THEN '29' ELSE '28' END) THEN substr({{ expr }}, 1, 4) || '-' || {{ month }} || '-' || {{ day }} END) END)
{%- endmacro %}

{# The current UTC time as ISO 8601 text with milliseconds: 2024-03-17T10:20:30.123Z. #}
{% macro current_timestamp() -%}
    {{ return(adapter.dispatch('current_timestamp')()) }}
{%- endmacro %}

{% macro sqlite__current_timestamp() -%}
    strftime('%Y-%m-%dT%H:%M:%fZ','now')
{%- endmacro %}

{% macro postgres__current_timestamp() -%}
    to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
{%- endmacro %}

{# Whole days from the date `start` to the date `end` (negative when `end` is earlier). #}
{% macro datediff_days(start, end) -%}
    {{ return(adapter.dispatch('datediff_days')(start, end)) }}
{%- endmacro %}

{% macro sqlite__datediff_days(start, end) -%}
    CAST(julianday({{ end }}) - julianday({{ start }}) AS INTEGER)
{%- endmacro %}

{% macro postgres__datediff_days(start, end) -%}
    (CAST({{ end }} AS date) - CAST({{ start }} AS date))
{%- endmacro %}

{# A date plus a number of days, as 'YYYY-MM-DD' text. #}
{% macro dateadd_days(expr, days) -%}
    {{ return(adapter.dispatch('dateadd_days')(expr, days)) }}
{%- endmacro %}

{% macro sqlite__dateadd_days(expr, days) -%}
    date({{ expr }}, (CAST({{ days }} AS INTEGER) || ' days'))
{%- endmacro %}

{% macro postgres__dateadd_days(expr, days) -%}
    to_char(CAST({{ expr }} AS date) + CAST({{ days }} AS integer), 'YYYY-MM-DD')
{%- endmacro %}

{# A date minus a number of days, as 'YYYY-MM-DD' text. #}
{% macro datesub_days(expr, days) -%}
    {{ return(adapter.dispatch('datesub_days')(expr, days)) }}
{%- endmacro %}

{% macro sqlite__datesub_days(expr, days) -%}
    date({{ expr }}, (-CAST({{ days }} AS INTEGER) || ' days'))
{%- endmacro %}

{% macro postgres__datesub_days(expr, days) -%}
    to_char(CAST({{ expr }} AS date) - CAST({{ days }} AS integer), 'YYYY-MM-DD')
{%- endmacro %}

{# True when text is a non-negative whole number (digits only, surrounding spaces allowed). #}
{% macro is_integer_text(expr) -%}
    {{ return(adapter.dispatch('is_integer_text')(expr)) }}
{%- endmacro %}

{% macro sqlite__is_integer_text(expr) -%}
    (trim({{ expr }}) <> '' AND trim({{ expr }}) NOT GLOB '*[^0-9]*')
{%- endmacro %}

{% macro postgres__is_integer_text(expr) -%}
    (trim({{ expr }}) ~ '^[0-9]+$')
{%- endmacro %}

{# True when text is a non-negative decimal number such as 2008.0, .5 or 5.: digits and at most one '.'. #}
{% macro is_number_text(expr) -%}
    {{ return(adapter.dispatch('is_number_text')(expr)) }}
{%- endmacro %}

{% macro sqlite__is_number_text(expr) -%}
    (trim({{ expr }}) <> '' AND trim({{ expr }}) NOT GLOB '*[^0-9.]*' AND trim({{ expr }}) NOT GLOB '*.*.*' AND trim({{ expr }}) GLOB '*[0-9]*')
{%- endmacro %}

{% macro postgres__is_number_text(expr) -%}
    (trim({{ expr }}) ~ '^([0-9]+(\.[0-9]*)?|\.[0-9]+)$')
{%- endmacro %}

{# Text up to its first space (all of it when there is none). #}
{% macro first_word(expr) -%}
    {{ return(adapter.dispatch('first_word')(expr)) }}
{%- endmacro %}

{% macro sqlite__first_word(expr) -%}
    substr({{ expr }}, 1, instr({{ expr }} || ' ', ' ') - 1)
{%- endmacro %}

{% macro postgres__first_word(expr) -%}
    split_part({{ expr }}, ' ', 1)
{%- endmacro %}

{# True when the first text contains the second (plain, case-sensitive). #}
{% macro contains_text(text, part) -%}
    {{ return(adapter.dispatch('contains_text')(text, part)) }}
{%- endmacro %}

{% macro sqlite__contains_text(text, part) -%}
    (instr({{ text }}, {{ part }}) > 0)
{%- endmacro %}

{% macro postgres__contains_text(text, part) -%}
    (strpos({{ text }}, {{ part }}) > 0)
{%- endmacro %}
