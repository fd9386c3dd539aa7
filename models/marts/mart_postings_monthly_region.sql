{{ config(materialized='incremental', unique_key='month') }}
-- Postings (and their headcount) per start month, province and employment
-- shape. Grouped by codes (the province's name follows from its code).
-- Incremental by month: a daily build recomputes the months from the
-- earliest start month of the postings loaded since the last build (minus
-- the lookback) onwards, reading them through the start_date index.
select
    start_month as month,
    max(start_year) as year,
    coalesce(iso_code, 'unknown') as iso_code,
    coalesce(max(province_name), '미상') as province_name,
    employment_shape_code,
    employment_shape_name,
    count(*) as postings,
    sum(headcount) as headcount,
    sum(is_open) as open_postings
from {{ ref('fct_job_postings') }}
{% if is_incremental() %}
where start_date >= (
    select min(start_month) || '-01' from {{ ref('fct_job_postings') }}
    where loaded_at >= (
        select {{ datesub_days('max(loaded_at)', var('lookback_days', 3)) }}
        from {{ ref('fct_job_postings') }}
    )
)
{% endif %}
group by start_month, iso_code, employment_shape_code, employment_shape_name
