{{ config(materialized='incremental', unique_key='year') }}
-- Postings per preference category (우대사항), by start year and province. A
-- posting counts once per category it mentions, so sums over years or
-- provinces give the overall counts exactly. Incremental by year.
select
    postings.start_year as year,
    coalesce(postings.iso_code, 'unknown') as iso_code,
    coalesce(postings.province_name, '미상') as province_name,
    preferences.category_id,
    preferences.category,
    count(*) as postings
from {{ ref('int_posting_preferences') }} as preferences
join {{ ref('fct_job_postings') }} as postings
    on postings.job_id = preferences.job_id
{% if is_incremental() %}
where postings.start_year in (
    select distinct start_year from {{ ref('fct_job_postings') }}
    where loaded_at >= (
        select {{ datesub_days('max(loaded_at)', var('lookback_days', 3)) }}
        from {{ ref('fct_job_postings') }}
    )
)
{% endif %}
group by postings.start_year, coalesce(postings.iso_code, 'unknown'),
    coalesce(postings.province_name, '미상'), preferences.category_id, preferences.category
