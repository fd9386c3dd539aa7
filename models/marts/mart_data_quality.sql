-- Data quality: rows per source per day, postings and projects whose region
-- could not be resolved, codes no seed knows, and postings whose stored
-- status disagrees with their dates.
select 'rows_per_day' as check_name, 'raw_postings' as source, start_date as day,
    'start_date' as detail, sum(postings) as rows_count
from {{ ref('int_postings_daily') }}
group by start_date

union all
select 'rows_per_day', 'raw_projects', substr(loaded_at, 1, 10), 'load_date', count(*)
from {{ ref('stg_projects') }}
group by substr(loaded_at, 1, 10)

union all
select 'unmapped_region', 'raw_postings', null,
    coalesce(work_place_name, '(empty workPlcNm and unmatched address)'), count(*)
from {{ ref('int_unmapped_postings') }}
where is_unmapped = 1
group by coalesce(work_place_name, '(empty workPlcNm and unmatched address)')

union all
select 'unmapped_region', 'raw_projects', null, coalesce(province_name_raw, '(empty)'), count(*)
from {{ ref('stg_projects') }}
where iso_code is null
group by coalesce(province_name_raw, '(empty)')

union all
select 'unknown_code', 'raw_postings', null, 'emplymShp=' || coalesce(months.employment_shape_code, '(null)'),
    sum(months.postings)
from {{ ref('mart_postings_monthly_region') }} as months
left join {{ ref('employment_shapes') }} as shapes on shapes.emplymShp = months.employment_shape_code
where shapes.emplymShp is null
group by coalesce(months.employment_shape_code, '(null)')

union all
select 'unknown_code', 'raw_projects', null, 'projTypeCd=' || coalesce(projects.project_type_code, '(none)'), count(*)
from {{ ref('stg_projects') }} as projects
left join {{ ref('project_type_codes') }} as codes on codes.project_type_code = projects.project_type_code
where codes.project_type_code is null
group by coalesce(projects.project_type_code, '(none)')

union all
select 'unknown_code', 'raw_projects', null, 'planStatusCd=' || coalesce(projects.plan_status_code, '(null)'), count(*)
from {{ ref('stg_projects') }} as projects
where projects.plan_status_name is null
group by coalesce(projects.plan_status_code, '(null)')

union all
select 'missing_district_code', 'raw_projects', null, {{ name_or_unknown('province_name') }}, count(*)
from {{ ref('stg_projects') }}
where district_code is null
group by {{ name_or_unknown('province_name') }}

union all
-- Stored 접수중 although the posting's toDd ended (midnight in Korea, 15:00
-- UTC that day) before the warehouse's newest load. "seen since": the portal
-- listed it 접수중 after its toDd; the portal lags, and stg_postings counts it
-- closed. "not seen since": nothing has listed it since its toDd (the portal
-- dropped it, or it started more than [postings] max_reach_back_days ago), so
-- the models still count it open as last seen. Reads the raw_postings_status
-- index: only postings stored 접수중.
select 'status_vs_dates', 'raw_postings', null, stale.detail, count(*)
from (
    select case
            when coalesce(_list_loaded_at, _loaded_at) >= to_dd_ended
                then '접수중 after toDd, seen since (counted closed)'
            else '접수중 after toDd, not seen since (counted open)'
        end as detail
    from (
        select _list_loaded_at, _loaded_at,
            {{ kst_day_end_utc('toDd') }} as to_dd_ended
        from {{ source('raw', 'raw_postings') }}
        where deadline = '접수중'
    ) as listed_open
    where to_dd_ended <= (select max(_loaded_at) from {{ source('raw', 'raw_postings') }})
) as stale
group by stale.detail
