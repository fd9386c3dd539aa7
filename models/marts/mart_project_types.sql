-- Project-type distribution: projects and target jobs per type code and name,
-- per year and province, with the type's category from the seed.
select
    projects.proj_year as year,
    {{ code_or_unknown('projects.iso_code') }} as iso_code,
    projects.project_type_group,
    {{ code_or_unknown('projects.project_type_code') }} as project_type_code,
    coalesce(codes.project_type_name, projects.project_type_name, '미상') as project_type_name,
    {{ name_or_unknown('codes.category_name') }} as category_name,
    count(*) as projects,
    sum(projects.target_jobs) as target_jobs
from {{ ref('fct_projects') }} as projects
left join {{ ref('project_type_codes') }} as codes
    on codes.project_type_code = projects.project_type_code
where projects.is_deleted = 0
group by projects.proj_year, {{ code_or_unknown('projects.iso_code') }}, projects.project_type_group,
    {{ code_or_unknown('projects.project_type_code') }},
    coalesce(codes.project_type_name, projects.project_type_name, '미상'),
    {{ name_or_unknown('codes.category_name') }}
