-- The plan in force for each project and year: its highest plan-change
-- number. A project whose latest plan is deleted counts as deleted.
with ranked as (
    select
        stg_projects.*,
        row_number() over (
            partition by proj_no, proj_year
            order by plan_change_no desc
        ) as plan_rank
    from {{ ref('stg_projects') }} as stg_projects
)

select * from ranked where plan_rank = 1
