{{ config(materialized='incremental', unique_key='start_date') }}
-- Postings, positions and open postings per start day, province and
-- employment shape: the grain the monthly and data-quality marts add up.
-- Every column comes from fct_job_postings' covering start_date index in
-- its order, so a million postings are counted in one pass without a sort.
-- Incremental by day: a daily build recounts the start days of the
-- postings loaded since the last one, minus the lookback.
select
    start_date,
    iso_code,
    employment_shape_code,
    employment_shape_name,
    count(*) as postings,
    sum(headcount) as headcount,
    sum(is_open) as open_postings
from {{ ref('fct_job_postings') }}
{% if is_incremental() %}
where start_date in (
    select start_date from {{ ref('fct_job_postings') }}
    where loaded_at >= {{ lookback_start(ref('fct_job_postings')) }}
)
{% endif %}
group by start_date, iso_code, employment_shape_code, employment_shape_name
