-- Postings by employment shape (고용형태) per start year, with each shape's
-- share of the year.
with counts as (
    select
        start_year as year,
        employment_shape_code,
        employment_shape_name,
        count(*) as postings,
        sum(headcount) as headcount
    from {{ ref('fct_job_postings') }}
    group by start_year, employment_shape_code, employment_shape_name
)

select
    counts.*,
    round(100.0 * postings / sum(postings) over (partition by year), 2) as share_pct
from counts
