{{ config(materialized='table') }}
-- Typed, cleaned project plans: one row per (project, year, plan change),
-- with the project type code and name split from '노노케어(A-01)', plan
-- statuses as codes whichever form the year's file used, dates as ISO text
-- whichever format, and the province resolved from either spelling.
with projects as (
    select * from {{ source('raw', 'raw_projects') }}
),

typed as (
    select
        projects.*,
        trim(projTypeCdNm) as type_text,
        {{ yyyymmdd_to_iso('projStartDd') }} as start_iso,
        {{ yyyymmdd_to_iso('projEndDd') }} as end_iso
    from projects
)

select
    typed.projNo as proj_no,
    cast(typed.projYear as integer) as proj_year,
    cast(typed.projPlanChangeNo as integer) as plan_change_no,
    typed.projNo || '|' || typed.projYear as project_key,
    typed.projType as project_type,
    coalesce(types.project_type_group, typed.projType) as project_type_group,
    case
        when typed.type_text like '%(_-__)'
            then substr(typed.type_text, length(typed.type_text) - 4, 4)
    end as project_type_code,
    case
        when typed.type_text like '%(_-__)'
            then trim(substr(typed.type_text, 1, length(typed.type_text) - 6))
        else nullif(typed.type_text, '')
    end as project_type_name,
    case when typed.contProjYn = 'Y' then 1 else 0 end as is_continuing,
    case
        when typed.contProjYn = 'Y' and {{ is_number_text('typed.contProjStartYear') }}
            then cast(cast(typed.contProjStartYear as real) as integer)
    end as continuing_since,
    coalesce(nullif(typed.nonBudgYn, ''), budget.non_budget_yn) as non_budget_yn,
    nullif(typed.specProjCd, '') as special_project_code,
    typed.projNm as project_name,
    provinces.iso_code,
    provinces.province_name,
    typed.admProvNm as province_name_raw,
    nullif(typed.admDistCd, '') as district_code,
    nullif(typed.admDistNm, '') as district_name,
    typed.institutionId as institution_id,
    typed.start_iso as start_date,
    typed.end_iso as end_date,
    substr(typed.start_iso, 1, 7) as start_month,
    coalesce(status_by_code.plan_status_code, status_by_name.plan_status_code, typed.planStatusCd)
        as plan_status_code,
    coalesce(status_by_code.plan_status_name, status_by_name.plan_status_name) as plan_status_name,
    case
        when {{ is_number_text('typed.targetEmployment') }}
            then cast(cast(typed.targetEmployment as real) as integer)
    end as target_jobs,
    case when typed.delYn = 'Y' then 1 else 0 end as is_deleted,
    typed._file_year as file_year,
    typed._loaded_at as loaded_at,
    typed._run_id as run_id
from typed
left join ({{ province_spellings(ref('provinces')) }}) as provinces
    on provinces.name = typed.admProvNm
left join {{ ref('project_types') }} as types
    on types.project_type = typed.projType
left join {{ ref('budget_divisions') }} as budget
    on budget.budget_division_code = typed.budgetDivCd
left join {{ ref('plan_statuses') }} as status_by_code
    on status_by_code.plan_status_code = typed.planStatusCd
left join {{ ref('plan_statuses') }} as status_by_name
    on status_by_name.plan_status_name = typed.planStatusCd
