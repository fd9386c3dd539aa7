-- Employment-shape shares of each year add up to 100% (rounding aside).
select year, sum(share_pct) as total
from {{ ref('mart_postings_by_shape_year') }}
group by year
having abs(sum(share_pct) - 100) > 0.1
