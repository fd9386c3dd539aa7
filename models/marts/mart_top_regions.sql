-- Provinces ranked by postings and by target jobs within each year.
select
    year,
    iso_code,
    province_name,
    postings,
    target_jobs,
    rank() over (partition by year order by postings desc) as postings_rank,
    rank() over (partition by year order by target_jobs desc) as target_jobs_rank
from {{ ref('mart_jobs_vs_postings') }}
