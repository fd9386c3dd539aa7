-- Target jobs planned (projects) against jobs posted (postings, headcount)
-- per year and province.
with provinces_years as (
    select provinces.iso_code, provinces.province_name, years.year
    from {{ ref('provinces') }} as provinces
    cross join (
        select distinct proj_year as year from {{ ref('fct_projects') }}
        union
        select distinct year from {{ ref('mart_postings_monthly_region') }}
    ) as years
),

targets as (
    select proj_year as year, iso_code, count(*) as projects, sum(target_jobs) as target_jobs
    from {{ ref('fct_projects') }}
    where is_deleted = 0
    group by proj_year, iso_code
),

posted as (
    select year, iso_code, sum(postings) as postings, sum(headcount) as headcount
    from {{ ref('mart_postings_monthly_region') }}
    group by year, iso_code
)

select
    provinces_years.year,
    provinces_years.iso_code,
    provinces_years.province_name,
    coalesce(targets.projects, 0) as projects,
    coalesce(targets.target_jobs, 0) as target_jobs,
    coalesce(posted.postings, 0) as postings,
    coalesce(posted.headcount, 0) as headcount
from provinces_years
left join targets
    on targets.year = provinces_years.year and targets.iso_code = provinces_years.iso_code
left join posted
    on posted.year = provinces_years.year and posted.iso_code = provinces_years.iso_code
