{#
  Dates in the raw files come as 'YYYYMMDD' in some years and already as
  ISO text in others; the models keep them as ISO 'YYYY-MM-DD' text on every
  engine (docs/transform.md, "Adapter macros").
#}

{# `column` ('YYYYMMDD' text) as 'YYYY-MM-DD'; other non-empty text as it is; '' as NULL. #}
{% macro yyyymmdd_to_iso(column) -%}
    case
            when length(trim({{ column }})) = 8
                then substr({{ column }}, 1, 4) || '-' || substr({{ column }}, 5, 2) || '-' || substr({{ column }}, 7, 2)
            else nullif(trim({{ column }}), '')
        end
{%- endmacro %}

{# The month of `column` ('YYYYMMDD' text) as 'YYYY-MM'. #}
{% macro yyyymmdd_to_month(column) -%}
    substr({{ column }}, 1, 4) || '-' || substr({{ column }}, 5, 2)
{%- endmacro %}

{# The instant a Korean day given as 'YYYYMMDD' text ends, as ISO text in UTC
   (midnight in Korea is 15:00 UTC that day), to compare with the loaders'
   _loaded_at stamps; NULL unless the text names a real day. #}
{% macro kst_day_end_utc(column) -%}
    {{ parse_date_yyyymmdd(column) }} || 'T15:00:00Z'
{%- endmacro %}
