-- Postings (and their headcount) per start month and province.
select
    start_month as month,
    start_year as year,
    coalesce(iso_code, 'unknown') as iso_code,
    coalesce(province_name, '미상') as province_name,
    employment_shape_code,
    count(*) as postings,
    sum(headcount) as headcount,
    sum(is_open) as open_postings
from {{ ref('fct_job_postings') }}
group by start_month, start_year, coalesce(iso_code, 'unknown'), coalesce(province_name, '미상'),
    employment_shape_code
