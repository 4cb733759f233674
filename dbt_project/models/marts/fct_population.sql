-- DOPA registered population by district, single year of age and sex, as of 31 December
-- of ce_year (the newest delivery of each year's file). Where a row's total disagrees
-- with male + female, male and female are used.
with population as (

    select
        *,
        dense_rank() over (partition by ce_year order by batch_id desc) as delivery_no
    from {{ ref('stg_dopa_population__population') }}

),

current_rows as (

    select * from population
    where delivery_no = 1 and age is not null and district_code ~ '^[0-9]{4}$'

),

unpivoted as (

    select ce_year, district_code, age, 'M' as sex, male as population from current_rows
    union all
    select ce_year, district_code, age, 'F', female from current_rows

),

final as (

    select
        ce_year,
        district_code,
        left(district_code, 2) as province_code,
        age,
        sex,
        cast(sum(coalesce(population, 0)) as bigint) as population
    from unpivoted
    group by 1, 2, 3, 4, 5

)

select * from final
