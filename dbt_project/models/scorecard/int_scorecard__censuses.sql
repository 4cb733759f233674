-- Every census of the warehouse: academic year, term and census date (dim_academic_year).
select academic_year, 1 as term, census_date_term1 as census_date
from {{ ref('dim_academic_year') }}

union all

select academic_year, 2, census_date_term2
from {{ ref('dim_academic_year') }}
