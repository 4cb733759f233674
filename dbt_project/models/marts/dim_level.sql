with grades as (

    select * from {{ ref('grade_levels') }}

)

select
    grade,
    isced,
    level,
    intended_age,
    grade_order
from grades
