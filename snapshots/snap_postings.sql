{% snapshot snap_postings %}
{{ config(unique_key='jobId', strategy='check',
          check_cols=['deadline', 'toDd', 'recrtTitle', 'clltPrnnum', 'etcItm', 'updDy'],
          indexes=['dbt_updated_at']) }}
-- Each posting's history: a new version whenever it closes (접수중 -> 마감)
-- or its details change.
select jobId, frDd, toDd, deadline, recrtTitle, emplymShp, workPlcNm, clltPrnnum, etcItm, updDy
from {{ source('raw', 'raw_postings') }}
{% if is_incremental() %}
-- A posting changes only when a load rewrites it (stamping _loaded_at), so a
-- later run compares just the rows loaded since the previous run, minus the
-- lookback; the others keep their current version, as they would if compared.
where _loaded_at >= {{ lookback_start(this, 'dbt_updated_at') }}
{% endif %}
{% endsnapshot %}
