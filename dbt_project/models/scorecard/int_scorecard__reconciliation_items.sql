-- Reconciliation, one row per batch under the affiliation that answers for it (province
-- level only: district null): 1 when rows received = rows loaded + rows quarantined, as
-- found in the raw zone (int_scorecard__batches).
select
    academic_year,
    term,
    affiliation,
    cast(null as text) as district_code,
    'reconciliation' as dqaf_line,
    'batches_reconciled' as measure,
    case when is_reconciled then 1.0 else 0.0 end as numerator,
    1.0 as denominator,
    cast(null as text) as counted_key,
    case
        when not is_reconciled
            then format('batch %s %s %s: received %s, found loaded %s, found quarantined %s',
                batch_id, source, entity, rows_received, rows_found_loaded, rows_found_quarantined)
    end as detail_item
from {{ ref('int_scorecard__batches') }}
