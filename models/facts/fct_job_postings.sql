{{ config(materialized='incremental', unique_key='job_id',
          indexes=['loaded_at', 'start_month', ['start_year', 'headcount']]) }}
-- One row per posting, ready for the marts. Incremental: a daily build
-- re-reads only postings loaded since the newest load already here, minus
-- the lookback. The indexes serve that filter, the monthly and yearly marts'
-- incremental filters and the not_null tests of start_year and headcount.
select
    job_id,
    title,
    employer,
    start_date,
    end_date,
    start_year,
    start_month,
    is_open,
    employment_shape_code,
    employment_shape_name,
    job_class_code,
    job_class_name,
    work_place_name,
    iso_code,
    province_name,
    region_source,
    has_age_limit,
    coalesce(headcount, 1) as headcount,
    preference_text,
    has_detail,
    loaded_at
from {{ ref('stg_postings') }}
where start_date is not null
{% if is_incremental() %}
  and loaded_at >= (
      select {{ datesub_days('max(loaded_at)', var('lookback_days', 3)) }} from {{ this }}
  )
{% endif %}
