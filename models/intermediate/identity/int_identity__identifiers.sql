{#-
    One row per (record, identifier type, value): the values that can link
    records, each marked blocked when it is junk (seed block list) or shared by
    too many people: more than `c360_identity.max_last_names_per_value`
    different last names among its records. Last names are counted as people,
    not spellings: initials ("C."), a last name that is another record's first
    name (first and last swapped) and a last name within one typo of a more
    frequent one (string_similarity >= `c360_identity.fuzzy.last_name_typo_similarity`)
    are not counted. Values with more than `max_compared_last_names`
    spellings are not compared pairwise and count every spelling. The
    record's name keys come along, for the name check of
    int_identity__rule_links.
-#}
{%- set identity = var('c360_identity', {}) -%}
{%- set max_last_names = identity.get('max_last_names_per_value', 3) -%}
{%- set min_name_length = identity.get('min_name_key_length', 2) -%}
{%- set typo_similarity = identity.get('fuzzy', {}).get('last_name_typo_similarity', 0.75) -%}
{%- set max_compared_last_names = 20 -%}
{%- set single_types = [
    'crm_contact_id', 'billing_customer_id', 'web_customer_id', 'loyalty_number',
    'app_user_id', 'device_id', 'email', 'phone', 'social_handle'
] -%}
{%- set first_name = "case when length(first_name_canonical) >= " ~ min_name_length ~ " then first_name_canonical end" -%}
{%- set last_name = "case when length(last_name_key) >= " ~ min_name_length ~ " then last_name_key end" -%}
{%- set referenced_tables = [] -%}
{%- for table_key, mapping in identity.get('records', {}).items() -%}
    {%- set reference = mapping.get('same_person_as') -%}
    {%- if reference and reference.get('table') and reference.table not in referenced_tables -%}
        {%- do referenced_tables.append(reference.table) -%}
    {%- endif -%}
{%- endfor -%}
{%- set composites = {
    'name_birth_date': [first_name, last_name, 'cast(birth_date as ' ~ dbt.type_string() ~ ')'],
    'name_address': [first_name, last_name, 'street_key', 'postal_code_key']
} -%}

with

records as {{ c360.cte_hint('inline') }} (
    select * from {{ ref('int_identity__records') }}
),

blocklist as (
    select * from {{ ref('identity_blocklist') }}
),

identifiers as (
    {%- for identifier_type in single_types %}
        select
            record_key,
            first_name_key,
            first_name_canonical,
            last_name_key,
            '{{ identifier_type }}' as identifier_type,
            {{ identifier_type }} as identifier_value
        from records
        where {{ identifier_type }} is not null
        union all
    {%- endfor %}
    {#- a record referenced by another (a survey answering a ticket) holds its own key as value -#}
    {%- if referenced_tables %}
        select
            record_key,
            first_name_key,
            first_name_canonical,
            last_name_key,
            'record_reference' as identifier_type,
            record_key as identifier_value
        from records
        where {{ dbt.concat(['source_name', "'.'", 'table_name']) }} in ('{{ referenced_tables | join("', '") }}')
        union all
        select
            record_key,
            first_name_key,
            first_name_canonical,
            last_name_key,
            'record_reference' as identifier_type,
            referenced_record_key as identifier_value
        from records
        where referenced_record_key is not null
        union all
    {%- endif %}
    {%- for identifier_type, parts in composites.items() %}
        select
            record_key,
            first_name_key,
            first_name_canonical,
            last_name_key,
            '{{ identifier_type }}' as identifier_type,
            {{ c360.identity_composite(parts) }} as identifier_value
        from records
        where {{ c360.identity_composite(parts) }} is not null
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

value_last_names as (
    select
        identifier_type,
        identifier_value,
        last_name_key,
        count(*) as record_count
    from identifiers
    where length(last_name_key) >= {{ min_name_length }}
    group by identifier_type, identifier_value, last_name_key
),

value_last_name_counts as (
    select
        identifier_type,
        identifier_value,
        count(*) as last_name_count
    from value_last_names
    group by identifier_type, identifier_value
),

-- only values that would be blocked, with few enough spellings to compare
compared_last_names as (
    select value_last_names.*
    from value_last_names
    inner join value_last_name_counts
        on
            value_last_names.identifier_type = value_last_name_counts.identifier_type
            and value_last_names.identifier_value = value_last_name_counts.identifier_value
    where
        value_last_name_counts.last_name_count > {{ max_last_names }}
        and value_last_name_counts.last_name_count <= {{ max_compared_last_names }}
),

value_first_names as (
    select distinct
        identifier_type,
        identifier_value,
        first_name_key
    from identifiers
    where first_name_key is not null
),

uncounted_last_names as (
    select
        spelling.identifier_type,
        spelling.identifier_value,
        spelling.last_name_key
    from compared_last_names as spelling
    inner join compared_last_names as frequent_spelling
        on
            spelling.identifier_type = frequent_spelling.identifier_type
            and spelling.identifier_value = frequent_spelling.identifier_value
            and spelling.last_name_key != frequent_spelling.last_name_key
            and (
                spelling.record_count < frequent_spelling.record_count
                or (
                    spelling.record_count = frequent_spelling.record_count
                    and spelling.last_name_key > frequent_spelling.last_name_key
                )
            )
    where
        {{ c360.string_similarity('spelling.last_name_key', 'frequent_spelling.last_name_key') }}
        >= {{ typo_similarity }}
    union
    select
        compared_last_names.identifier_type,
        compared_last_names.identifier_value,
        compared_last_names.last_name_key
    from compared_last_names
    inner join value_first_names
        on
            compared_last_names.identifier_type = value_first_names.identifier_type
            and compared_last_names.identifier_value = value_first_names.identifier_value
            and compared_last_names.last_name_key = value_first_names.first_name_key
),

uncounted_last_name_counts as (
    select
        identifier_type,
        identifier_value,
        count(*) as uncounted_count
    from uncounted_last_names
    group by identifier_type, identifier_value
),

distinct_values as (
    select
        identifier_type,
        identifier_value
    from identifiers
    group by identifier_type, identifier_value
),

people_counts as (
    select
        distinct_values.identifier_type,
        distinct_values.identifier_value,
        coalesce(value_last_name_counts.last_name_count, 0)
        - coalesce(uncounted_last_name_counts.uncounted_count, 0) as last_name_count
    from distinct_values
    left join value_last_name_counts
        on
            distinct_values.identifier_type = value_last_name_counts.identifier_type
            and distinct_values.identifier_value = value_last_name_counts.identifier_value
    left join uncounted_last_name_counts
        on
            distinct_values.identifier_type = uncounted_last_name_counts.identifier_type
            and distinct_values.identifier_value = uncounted_last_name_counts.identifier_value
),

listed_values as (
    select
        distinct_values.identifier_type,
        distinct_values.identifier_value,
        min(blocklist.reason) as block_reason
    from distinct_values
    inner join blocklist
        on (
            distinct_values.identifier_type = blocklist.identifier_type
            or blocklist.identifier_type = '*'
        )
        and lower(distinct_values.identifier_value) like lower(blocklist.pattern)
    group by distinct_values.identifier_type, distinct_values.identifier_value
),

value_status as (
    select
        people_counts.identifier_type,
        people_counts.identifier_value,
        coalesce(
            listed_values.block_reason,
            case when people_counts.last_name_count > {{ max_last_names }} then 'shared_by_many' end
        ) as block_reason
    from people_counts
    left join listed_values
        on
            people_counts.identifier_type = listed_values.identifier_type
            and people_counts.identifier_value = listed_values.identifier_value
),

final as (
    select
        identifiers.record_key,
        identifiers.identifier_type,
        identifiers.identifier_value,
        value_status.block_reason is not null as is_blocked,
        value_status.block_reason,
        identifiers.first_name_key,
        identifiers.first_name_canonical,
        identifiers.last_name_key
    from identifiers
    inner join value_status
        on
            identifiers.identifier_type = value_status.identifier_type
            and identifiers.identifier_value = value_status.identifier_value
)

select * from final
