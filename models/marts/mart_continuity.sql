-- 고용 지속성: target jobs (people) and projects by how many years their
-- project has been running, per project year and province.
select
    proj_year as year,
    {{ code_or_unknown('iso_code') }} as iso_code,
    project_type_group,
    continuation_years,
    count(*) as projects,
    sum(target_jobs) as target_jobs
from {{ ref('int_project_continuity') }}
group by proj_year, {{ code_or_unknown('iso_code') }}, project_type_group, continuation_years
