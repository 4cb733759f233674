-- Who answers for each source's data: its affiliation (feedback and scorecard lines go to
-- it). The population and register files come from providers that stand for themselves.
select
    source,
    affiliation
from (
    values
        ('obec_dmc', 'OBEC'),
        ('ovec_vec', 'OVEC'),
        ('opec_psis', 'OPEC'),
        ('dla_lec', 'DLA'),
        ('dlp_itw', 'DLP'),
        ('onab_report', 'ONAB'),
        ('dopa_population', 'DOPA'),
        ('peo_registry', 'PEO')
) as sources (source, affiliation)
