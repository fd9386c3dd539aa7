{{ config(materialized='incremental', unique_key='job_id', indexes=['loaded_at']) }}
-- Each posting's preference (우대사항) category ids, from its text's
-- classification (int_preference_text_categories): many to many, one row
-- per posting and category; the names are in the preference_keywords seed.
-- Incremental like the facts it reads.
with postings as (
    select job_id, preference_text, loaded_at
    from {{ ref('fct_job_postings') }}
    where preference_text is not null
    {% if is_incremental() %}
    and loaded_at >= {{ lookback_start(this) }}
    {% endif %}
)

select
    postings.job_id,
    categories.category_id,
    postings.loaded_at
from postings
join {{ ref('int_preference_text_categories') }} as categories
    on categories.preference_text = postings.preference_text
