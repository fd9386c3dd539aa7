-- How long each (non-deleted) project has been running in the year of its
-- plan: 1 for a new project, year - start year + 1 for a continuing one.
select
    proj_no,
    proj_year,
    project_key,
    iso_code,
    project_type_group,
    is_continuing,
    continuing_since,
    case
        when is_continuing = 1 and continuing_since is not null and continuing_since <= proj_year
            then proj_year - continuing_since + 1
        else 1
    end as continuation_years,
    coalesce(target_jobs, 0) as target_jobs
from {{ ref('int_projects_latest') }}
where is_deleted = 0
