{{ config(materialized='incremental', unique_key='month') }}
-- Postings (and their headcount) per start month, province and employment
-- shape. Incremental by month: a daily build recomputes only the months of
-- postings loaded since the last build.
select
    start_month as month,
    start_year as year,
    coalesce(iso_code, 'unknown') as iso_code,
    coalesce(province_name, '미상') as province_name,
    employment_shape_code,
    employment_shape_name,
    count(*) as postings,
    sum(headcount) as headcount,
    sum(is_open) as open_postings
from {{ ref('fct_job_postings') }}
{% if is_incremental() %}
where start_month in (
    select distinct start_month from {{ ref('fct_job_postings') }}
    where loaded_at >= (
        select {{ datesub_days('max(loaded_at)', var('lookback_days', 3)) }}
        from {{ ref('fct_job_postings') }}
    )
)
{% endif %}
group by start_month, start_year, coalesce(iso_code, 'unknown'), coalesce(province_name, '미상'),
    employment_shape_code, employment_shape_name
