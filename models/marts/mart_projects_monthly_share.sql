-- The share of each year's projects that start in each month.
with monthly as (
    select
        proj_year as year,
        start_month as month,
        count(*) as projects,
        sum(target_jobs) as target_jobs
    from {{ ref('fct_projects') }}
    where is_deleted = 0 and start_month is not null
    group by proj_year, start_month
)

select
    monthly.*,
    round(100.0 * projects / sum(projects) over (partition by year), 2) as share_pct
from monthly
