{{ config(materialized='ephemeral') }}
-- Typed, cleaned postings: dates parsed, codes named, region resolved from
-- workPlcNm (its first word, a short province name), else from the first
-- word of the employer's address after the postcode.
--
-- Open (is_open): the portal listed it 접수중 when it was last seen, and not
-- after its toDd had ended. A toDd ends at midnight in Korea, 15:00 UTC on
-- that day, the instant compared with _list_loaded_at (UTC): a posting the
-- portal still calls 접수중 the day after its toDd is closed here even before
-- the portal's status catches up. The rule reads only the row itself, so an
-- incremental build that re-types a posting each time it is listed again
-- (every collection lists every posting held open) keeps it true; a posting
-- nothing lists again keeps the status it was last seen with, and
-- mart_data_quality counts those (status_vs_dates). Ephemeral: a million
-- postings are typed once, inside fct_job_postings (incremental), which
-- everything downstream reads; a staging table would be one more copy of
-- every posting on each full build. Filters on loaded_at in the model that
-- inlines it reach raw_postings' loaded_at index.
with postings as (
    select * from {{ source('raw', 'raw_postings') }}
),

province_names as (
    {{ province_spellings(ref('provinces')) }}
)

select
    postings.jobId as job_id,
    nullif(trim(postings.recrtTitle), '') as title,
    nullif(trim(coalesce(postings.oranNm, postings.plbizNm)), '') as employer,
    {{ parse_date_yyyymmdd('postings.frDd') }} as start_date,
    {{ parse_date_yyyymmdd('postings.toDd') }} as end_date,
    cast(substr(postings.frDd, 1, 4) as integer) as start_year,
    {{ yyyymmdd_to_month('postings.frDd') }} as start_month,
    case
        when postings.deadline is null or postings.deadline <> '접수중' then 0
        when coalesce(postings._list_loaded_at, postings._loaded_at)
            >= {{ kst_day_end_utc('postings.toDd') }} then 0
        else 1
    end as is_open,
    postings.emplymShp as employment_shape_code,
    coalesce(shapes.employment_shape_name, nullif(postings.emplymShpNm, ''), '미상')
        as employment_shape_name,
    nullif(postings.jobcls, '') as job_class_code,
    nullif(postings.jobclsNm, '') as job_class_name,
    nullif(trim(postings.workPlcNm), '') as work_place_name,
    coalesce(by_workplace.iso_code, by_address.iso_code) as iso_code,
    coalesce(by_workplace.province_name, by_address.province_name) as province_name,
    case
        when by_workplace.iso_code is not null then 'workPlcNm'
        when by_address.iso_code is not null then 'plDetAddr'
    end as region_source,
    case when postings.ageLim in ('Y', '제한') then 1 else 0 end as has_age_limit,
    case
        when {{ is_integer_text('postings.clltPrnnum') }} then cast(postings.clltPrnnum as integer)
    end as headcount,
    nullif(trim(postings.etcItm), '') as preference_text,
    case when postings._detail_status = 'ok' then 1 else 0 end as has_detail,
    postings._loaded_at as loaded_at
from postings
left join province_names as by_workplace
    on by_workplace.name = {{ first_word('postings.workPlcNm') }}
left join province_names as by_address
    on by_workplace.iso_code is null
    and by_address.name = {{ first_word('substr(postings.plDetAddr, 7)') }}
left join {{ ref('employment_shapes') }} as shapes
    on shapes.emplymShp = postings.emplymShp
