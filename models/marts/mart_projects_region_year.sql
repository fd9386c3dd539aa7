-- Projects and their target jobs (목표일자리수) per province and project year,
-- by project type group; deleted projects excluded.
select
    proj_year as year,
    {{ code_or_unknown('iso_code') }} as iso_code,
    {{ name_or_unknown('province_name') }} as province_name,
    project_type_group,
    count(*) as projects,
    sum(target_jobs) as target_jobs
from {{ ref('fct_projects') }}
where is_deleted = 0
group by proj_year, {{ code_or_unknown('iso_code') }}, {{ name_or_unknown('province_name') }},
    project_type_group
