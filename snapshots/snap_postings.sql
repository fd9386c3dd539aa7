{% snapshot snap_postings %}
{{ config(unique_key='jobId', strategy='check',
          check_cols=['deadline', 'toDd', 'recrtTitle', 'clltPrnnum', 'etcItm', 'updDy']) }}
-- Each posting's history: a new version whenever it closes (접수중 -> 마감)
-- or its details change.
select jobId, frDd, toDd, deadline, recrtTitle, emplymShp, workPlcNm, clltPrnnum, etcItm, updDy
from {{ source('raw', 'raw_postings') }}
{% endsnapshot %}
