{{ config(materialized='incremental', unique_key='preference_text') }}
-- Each distinct preference text (etcItm) and the preference (우대사항)
-- categories its keywords name, one row per text and category however many
-- of the category's keywords match; a text naming none has no row. Postings
-- repeat a few hundred distinct texts, so each is classified once, and the
-- per-posting and per-region models join on the text. Incremental: a daily
-- build classifies the texts of postings loaded since the last one, minus
-- the lookback. After editing the keywords seed, rebuild with --full-refresh.
with texts as (
    select distinct preference_text
    from {{ ref('fct_job_postings') }}
    where preference_text is not null
    {% if is_incremental() %}
    and loaded_at >= {{ lookback_start(ref('fct_job_postings')) }}
    {% endif %}
)

select distinct texts.preference_text, keywords.category_id, keywords.category
from texts
join {{ ref('preference_keywords') }} as keywords
    on {{ contains_text('texts.preference_text', 'keywords.keyword') }}
