-- The province this warehouse serves: var `province_code` when set; else the 2-digit prefix
-- most register tambon codes share; without a register, the prefix most tambon codes of the
-- sources' own unit lists share.
with tambons as (

    select 1 as priority, tambon_code from {{ ref('stg_peo_registry__units') }}
    union all
    select 2, tambon_code from {{ ref('stg_obec_dmc__schools') }}
    union all
    select 2, tambon_code from {{ ref('stg_ovec_vec__colleges') }}
    union all
    select 2, tambon_code from {{ ref('stg_opec_psis__schools') }}
    union all
    select 2, tambon_code from {{ ref('stg_dla_lec__units') }}
    union all
    select 2, tambon_code from {{ ref('stg_dlp_itw__center') }}

),

final as (

    {% if var('province_code', none) is not none %}
    select cast('{{ var("province_code") }}' as text) as province_code
    {% else %}
    select left(tambon_code, 2) as province_code
    from tambons
    where tambon_code ~ '^[0-9]{6}$'
    group by priority, 1
    order by priority, count(*) desc, 1
    limit 1
    {% endif %}

)

select * from final
