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
