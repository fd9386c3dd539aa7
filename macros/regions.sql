{#
  Regions: how the models resolve a province from the way a source wrote
  it, and how they label what could not be resolved.
#}

{# Every way the provinces seed writes a province — its name, its name before
   a renaming (강원도, 전라북도), its short name (서울) — as rows
   (name, iso_code, province_name), so that a region written any of those
   ways resolves with `join ... on spellings.name = <text>`. `provinces` is the
   seed's relation: the model passes {{ ref('provinces') }}, so its
   dependency stays visible to the DAG. #}
{% macro province_spellings(provinces) -%}
    select province_name as name, iso_code, province_name from {{ provinces }}
    union
    select province_name_old, iso_code, province_name from {{ provinces }}
    union
    select short_name, iso_code, province_name from {{ provinces }}
{%- endmacro %}

{# A code (a province's iso_code, a project type's code) or 'unknown' when
   none was resolved: the marts' and the API's placeholder. #}
{% macro code_or_unknown(expr) -%}
    coalesce({{ expr }}, 'unknown')
{%- endmacro %}

{# A name (a province's, a category's) or '미상' (unknown) when none was
   resolved: the dashboard shows it as it is. #}
{% macro name_or_unknown(expr) -%}
    coalesce({{ expr }}, '미상')
{%- endmacro %}
