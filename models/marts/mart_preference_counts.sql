{{ config(materialized='incremental', unique_key='year') }}
-- Postings per preference category (우대사항), by start year and province. A
-- posting counts once per category it mentions, so sums over years or
-- provinces give the overall counts exactly. Postings are first counted per
-- year, province and preference text (a few thousand groups per year), then
-- each group is spread over its text's categories. Incremental by year: a
-- daily build recomputes the years from the earliest start year of the
-- postings loaded since the last build (minus the lookback) onwards.
with texts_per_region as (
    select
        start_year,
        iso_code,
        max(province_name) as province_name,
        preference_text,
        count(*) as postings
    from {{ ref('fct_job_postings') }}
    where preference_text is not null
    {% if is_incremental() %}
    and start_date >= (
        select min(start_year) || '-01-01' from {{ ref('fct_job_postings') }}
        where loaded_at >= {{ lookback_start(ref('fct_job_postings')) }}
    )
    {% endif %}
    group by start_year, iso_code, preference_text
)

select
    texts.start_year as year,
    {{ code_or_unknown('texts.iso_code') }} as iso_code,
    {{ name_or_unknown('texts.province_name') }} as province_name,
    categories.category_id,
    categories.category,
    sum(texts.postings) as postings
from texts_per_region as texts
join {{ ref('int_preference_text_categories') }} as categories
    on categories.preference_text = texts.preference_text
group by texts.start_year, {{ code_or_unknown('texts.iso_code') }},
    {{ name_or_unknown('texts.province_name') }}, categories.category_id, categories.category
