-- The monthly mart accounts for every posting exactly once.
select 'mismatch' as problem
from (select count(*) as n from {{ ref('fct_job_postings') }}) as facts
cross join (select coalesce(sum(postings), 0) as n from {{ ref('mart_postings_monthly_region') }}) as mart
where facts.n <> mart.n
