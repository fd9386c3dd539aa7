{{ config(materialized='incremental', unique_key='month') }}
-- Postings (and their headcount) per start month, province and employment
-- shape, added up from the daily counts (int_postings_daily). Incremental
-- by month: a daily build recomputes the months from the earliest start
-- month of the postings loaded since the last build (minus the lookback)
-- onwards.
select
    substr(daily.start_date, 1, 7) as month,
    cast(substr(daily.start_date, 1, 4) as integer) as year,
    {{ code_or_unknown('daily.iso_code') }} as iso_code,
    {{ name_or_unknown('provinces.province_name') }} as province_name,
    daily.employment_shape_code,
    daily.employment_shape_name,
    sum(daily.postings) as postings,
    sum(daily.headcount) as headcount,
    sum(daily.open_postings) as open_postings
from {{ ref('int_postings_daily') }} as daily
left join {{ ref('provinces') }} as provinces on provinces.iso_code = daily.iso_code
{% if is_incremental() %}
where daily.start_date >= (
    select min(start_month) || '-01' from {{ ref('fct_job_postings') }}
    where loaded_at >= {{ lookback_start(ref('fct_job_postings')) }}
)
{% endif %}
group by substr(daily.start_date, 1, 7), cast(substr(daily.start_date, 1, 4) as integer),
    {{ code_or_unknown('daily.iso_code') }}, {{ name_or_unknown('provinces.province_name') }},
    daily.employment_shape_code, daily.employment_shape_name
