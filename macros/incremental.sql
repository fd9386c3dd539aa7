{#
  Incremental builds: what a build re-reads.
#}

{# The first day an incremental build re-reads, as a scalar subquery:
   var('lookback_days') days before the newest `column` of `relation`
   ({{ this }}, or the model it reads), so late-arriving and changed rows are
   picked up. `where loaded_at >= {{ lookback_start(this) }}`; with an index
   on `column` the max() is one index lookup. #}
{% macro lookback_start(relation, column='loaded_at') -%}
    (select {{ datesub_days('max(' ~ column ~ ')', var('lookback_days', 3)) }} from {{ relation }})
{%- endmacro %}
