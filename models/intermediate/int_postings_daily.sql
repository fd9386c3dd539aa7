{{ config(materialized='incremental', unique_key='start_date') }}
-- Postings per start day, and how many of them have no resolvable province:
-- the daily counts the data-quality mart shows, kept incrementally.
select
    start_date,
    count(*) as postings,
    sum(case when iso_code is null then 1 else 0 end) as unmapped_postings
from {{ ref('fct_job_postings') }}
where 1 = 1
{% if is_incremental() %}
and start_date in (
    select start_date from {{ ref('fct_job_postings') }}
    where loaded_at >= (
        select {{ datesub_days('max(loaded_at)', var('lookback_days', 3)) }} from {{ ref('fct_job_postings') }}
    )
)
{% endif %}
group by start_date
