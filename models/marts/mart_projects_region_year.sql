-- Projects and their target jobs (목표일자리수) per province and project year,
-- by project type group; deleted projects excluded.
select
    proj_year as year,
    coalesce(iso_code, 'unknown') as iso_code,
    coalesce(province_name, '미상') as province_name,
    project_type_group,
    count(*) as projects,
    sum(target_jobs) as target_jobs
from {{ ref('fct_projects') }}
where is_deleted = 0
group by proj_year, coalesce(iso_code, 'unknown'), coalesce(province_name, '미상'),
    project_type_group
