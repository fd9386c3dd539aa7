{{ config(materialized='incremental', unique_key='job_id',
          indexes=['loaded_at', ['start_date', 'iso_code', 'employment_shape_code',
                                 'employment_shape_name', 'headcount', 'is_open', 'job_id',
                                 'start_year', 'start_month', 'job_class_code',
                                 'job_class_name']]) }}
-- One row per posting with a real start day, typed by stg_postings (inlined
-- here) and ready for the intermediate models and marts. Incremental: a
-- daily build types only postings loaded since the newest load already
-- here, minus the lookback. Indexes: loaded_at for that filter, and one
-- led by start_date for the marts' incremental filters that also covers
-- every column int_postings_daily counts and every column serve's snapshot
-- keeps of a posting, so both read the index alone, in start_date order
-- (serve's load of a million postings no longer reads a table row each).
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
  and loaded_at >= {{ lookback_start(this) }}
{% endif %}
