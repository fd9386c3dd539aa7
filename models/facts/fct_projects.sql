{{ config(materialized='incremental', unique_key='project_key', indexes=['loaded_at']) }}
-- One row per project and year: the plan in force, deleted ones flagged.
select
    project_key,
    proj_no,
    proj_year,
    plan_change_no,
    project_type,
    project_type_group,
    project_type_code,
    project_type_name,
    is_continuing,
    continuing_since,
    iso_code,
    province_name,
    district_code,
    district_name,
    start_date,
    start_month,
    plan_status_code,
    plan_status_name,
    coalesce(target_jobs, 0) as target_jobs,
    is_deleted,
    loaded_at
from {{ ref('int_projects_latest') }}
{% if is_incremental() %}
where loaded_at >= {{ lookback_start(this) }}
{% endif %}
