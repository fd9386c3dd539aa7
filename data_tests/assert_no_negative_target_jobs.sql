-- A project never plans a negative number of jobs.
select project_key, target_jobs
from {{ ref('fct_projects') }}
where target_jobs < 0
