{{ config(materialized='incremental', unique_key='job_id', indexes=['loaded_at', 'category_id']) }}
-- Each posting's preference text (etcItm) classified into the 17 preference
-- (우대사항) categories by keyword: many to many, one row per posting and
-- category however many of the category's keywords match. Postings repeat a
-- few hundred distinct texts, so the texts are classified once each.
with postings as (
    select job_id, preference_text, loaded_at
    from {{ ref('stg_postings') }}
    where preference_text is not null
    {% if is_incremental() %}
    and loaded_at >= (
        select {{ datesub_days('max(loaded_at)', var('lookback_days', 3)) }} from {{ this }}
    )
    {% endif %}
),

texts as (
    select distinct preference_text from postings
),

classified as (
    select distinct texts.preference_text, keywords.category_id, keywords.category
    from texts
    join {{ ref('preference_keywords') }} as keywords
        on {{ contains_text('texts.preference_text', 'keywords.keyword') }}
)

select
    postings.job_id,
    classified.category_id,
    classified.category,
    postings.loaded_at
from postings
join classified on classified.preference_text = postings.preference_text
