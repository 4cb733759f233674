{#- Fails on every value that differs from its code_lookup_key() form (surrounding or
    doubled spaces, Thai digits, zero-width spaces, blank): crosswalk spellings must be
    stored as the staging models look them up. -#}
{% test is_lookup_key(model, column_name) %}

select {{ column_name }} as value
from {{ model }}
where {{ column_name }} is distinct from {{ code_lookup_key(column_name) }}

{% endtest %}
