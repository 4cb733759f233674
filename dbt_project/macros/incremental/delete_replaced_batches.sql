{#- Pre-hook of an incremental staging model (append by _batch_id): a corrected re-delivery
    deletes the raw batch it corrects and lands a new batch of the same census, so the staged
    rows of a batch that is no longer in raw go too. Only the censuses that received a new
    batch of this entity since the last run are searched (index on academic_year, term). -#}
{% macro delete_replaced_batches(source_name, entity_name) %}
    {%- if is_incremental() -%}
        {%- set batches = source('raw_zone', 'batches') -%}
        delete from {{ this }} as staged
        where (staged.academic_year, staged.term) in (
                select academic_year, term
                from {{ batches }}
                where source = '{{ source_name }}'
                    and entity = '{{ entity_name }}'
                    and batch_id > (select coalesce(max(batch_id), 0) from {{ this }})
            )
            and not exists (
                select from {{ batches }} as batches where batches.batch_id = staged.batch_id
            )
    {%- endif -%}
{% endmacro %}
