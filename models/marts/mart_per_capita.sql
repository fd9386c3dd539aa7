-- Postings and target jobs per 1,000 residents aged 65+, per province and
-- year. Years after the newest population figure use the newest one (and
-- say so in population_year).
with population as (
    select iso_code, cast(year as integer) as year, population_65_plus, population_total
    from {{ ref('population_by_province') }}
),

newest as (
    select max(year) as year from population
)

select
    jobs.year,
    jobs.iso_code,
    jobs.province_name,
    population.year as population_year,
    population.population_65_plus,
    jobs.postings,
    jobs.headcount,
    jobs.target_jobs,
    round(1000.0 * jobs.postings / population.population_65_plus, 4) as postings_per_1000,
    round(1000.0 * jobs.target_jobs / population.population_65_plus, 4) as target_jobs_per_1000
from {{ ref('mart_jobs_vs_postings') }} as jobs
cross join newest
join population
    on population.iso_code = jobs.iso_code
    and population.year = case when jobs.year > newest.year then newest.year else jobs.year end
