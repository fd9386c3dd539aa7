{{ config(materialized='incremental', unique_key='job_id', indexes=['loaded_at']) }}
-- Postings (with a real start day, as everywhere downstream of the facts)
-- whose province could not be resolved, with the field that was tried, for
-- the data-quality view. A posting resolved later drops out.
select
    job_id,
    work_place_name,
    case when iso_code is null then 1 else 0 end as is_unmapped,
    loaded_at
from {{ ref('fct_job_postings') }}
where 1 = 1
{% if is_incremental() %}
and loaded_at >= {{ lookback_start(this) }}
{% else %}
and iso_code is null
{% endif %}
