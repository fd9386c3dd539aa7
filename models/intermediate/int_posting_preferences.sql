-- Each posting's preference text (etcItm) classified into the 17 preference
-- (우대사항) categories by keyword: many to many, one row per posting and
-- category however many of the category's keywords match.
select distinct
    postings.job_id,
    keywords.category_id,
    keywords.category
from {{ ref('stg_postings') }} as postings
join {{ ref('preference_keywords') }} as keywords
    on postings.preference_text like '%' || keywords.keyword || '%'
where postings.preference_text is not null
