-- Postings by employment shape (고용형태) per start year, with each shape's
-- share of the year (from the monthly mart, so it costs nothing at scale).
with counts as (
    select
        year,
        employment_shape_code,
        employment_shape_name,
        sum(postings) as postings,
        sum(headcount) as headcount
    from {{ ref('mart_postings_monthly_region') }}
    group by year, employment_shape_code, employment_shape_name
)

select
    counts.*,
    round(100.0 * postings / sum(postings) over (partition by year), 2) as share_pct
from counts
