-- Raw rows a staging model does not keep, counted per model and reason. Staging keeps
-- every raw row today (unreadable records are quarantined at landing, before raw; doubtful
-- ones are flagged, not dropped), so this model is empty; a staging model that starts to
-- exclude rows must add them here (test: staging rows + excluded = raw rows, per table).
select
    cast(null as text) as model,
    cast(null as text) as reason,
    cast(null as bigint) as excluded_rows
where false
