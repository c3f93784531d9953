{#-
    Links made by rules that need no scoring, one row per link
    (record_key_a < record_key_b):

    - deterministic: records sharing a non-blocked identifier value, linked
      as a star, each to the smallest record_key holding the value. For the
      types of `c360_identity.name_checked_types` (email and phone: a
      household's or a hotel's shared number) the star's centre is the
      smallest record_key with a name, and a record whose name conflicts
      with it (macro identity_names_conflict) links instead to the value's
      smallest record whose name does not, or to none;
    - name_only: a record with a name and nothing else to compare joins the
      records of the same name, unless the name is common or its records
      look like several people (`c360_identity.name_only`);
    - email_name: a record with an email and no name (a marketing
      recipient, a consent) whose mailbox spells a full name
      (`first.last`, `first_last`, `first-last`, digits after it allowed)
      joins the records of that name under the same guards.

    A pair may appear once per rule and value; int_identity__edges keeps the
    strongest.
-#}
{%- set identity = var('c360_identity', {}) -%}
{%- set rules = c360.identity_rules() -%}
{%- set name_only = identity.get('name_only', {}) -%}
{%- set name_only_limits = name_only.get('max_distinct', {}) -%}
{%- set name_only_columns = {
    'email': 'email', 'phone': 'phone', 'postal_code': 'postal_code_key', 'birth_date': 'birth_date'
} -%}
{%- set min_name_length = identity.get('min_name_key_length', 2) -%}
{%- set name_checked_types = identity.get('name_checked_types', []) | select('in', rules.deterministic) | list -%}
{#- '' matches no type: with none checked, every value is a plain star -#}
{%- set named_records = 'sum(case when first_name_key is not null or last_name_key is not null then 1 else 0 end)' -%}
{%- set name_checked_list = "'" ~ (name_checked_types or ['']) | join("', '") ~ "'" -%}
with

identifiers as (
    select * from {{ ref('int_identity__identifiers') }}
),

comparable_records as {{ c360.cte_hint('inline') }} (
    select * from {{ ref('int_identity__record_profiles') }}
),

usable_identifiers as {{ c360.cte_hint('inline') }} (
    select
        record_key,
        identifier_type,
        identifier_value,
        first_name_key,
        first_name_canonical,
        last_name_key
    from identifiers
    where
        not is_blocked
        and identifier_type in ('{{ rules.deterministic | join("', '") }}')
),

-- the anchor of a value: its smallest record_key; for name-checked types
-- its smallest record_key with a name, when it has one. A value's names may
-- conflict only when its named records neither all start their first name
-- with one letter nor all their last name.
identifier_groups as (
    select
        identifier_type,
        identifier_value,
        coalesce(
            min(
                case
                    when
                        identifier_type in ({{ name_checked_list }})
                        and (first_name_key is not null or last_name_key is not null)
                        then record_key
                end
            ),
            min(record_key)
        ) as anchor_key,
        identifier_type in ({{ name_checked_list }})
        and {{ named_records }} > 1
        and not (
            (
                count(first_name_key)
                = {{ named_records }}
                and min({{ c360.identity_initial('first_name_key') }})
                = max({{ c360.identity_initial('first_name_key') }})
            )
            or (
                count(last_name_key)
                = {{ named_records }}
                and min({{ c360.identity_initial('last_name_key') }})
                = max({{ c360.identity_initial('last_name_key') }})
            )
        ) as may_conflict
    from usable_identifiers
    group by identifier_type, identifier_value
    having count(*) > 1
),

-- values whose names may conflict, with every record holding them
suspect_identifiers as (
    select
        usable_identifiers.record_key,
        usable_identifiers.identifier_type,
        usable_identifiers.identifier_value,
        usable_identifiers.first_name_key,
        usable_identifiers.first_name_canonical,
        usable_identifiers.last_name_key,
        identifier_groups.anchor_key
    from usable_identifiers
    inner join identifier_groups
        on
            usable_identifiers.identifier_type = identifier_groups.identifier_type
            and usable_identifiers.identifier_value = identifier_groups.identifier_value
    where identifier_groups.may_conflict
),

anchor_names as (
    select
        identifier_type,
        identifier_value,
        first_name_key,
        first_name_canonical,
        last_name_key
    from suspect_identifiers
    where record_key = anchor_key
),

name_checked_identifiers as (
    select
        suspect_identifiers.*,
        coalesce({{ c360.identity_names_conflict('suspect_identifiers', 'anchor_names') }}, false)
            as conflicts_with_anchor
    from suspect_identifiers
    inner join anchor_names
        on
            suspect_identifiers.identifier_type = anchor_names.identifier_type
            and suspect_identifiers.identifier_value = anchor_names.identifier_value
    where suspect_identifiers.record_key != suspect_identifiers.anchor_key
),

-- a record whose name says it is not the anchor's person links instead to
-- the value's smallest record whose name does not conflict with its own
rerouted_identifiers as (
    select
        conflicting.record_key,
        conflicting.identifier_type,
        conflicting.identifier_value,
        min(other.record_key) as anchor_key
    from name_checked_identifiers as conflicting
    inner join suspect_identifiers as other
        on
            conflicting.identifier_type = other.identifier_type
            and conflicting.identifier_value = other.identifier_value
            and conflicting.record_key != other.record_key
            and (other.first_name_key is not null or other.last_name_key is not null)
    where
        conflicting.conflicts_with_anchor
        and not {{ c360.identity_names_conflict('conflicting', 'other') }}
    group by conflicting.record_key, conflicting.identifier_type, conflicting.identifier_value
),

identifier_links as (
    select
        identifier_groups.anchor_key,
        usable_identifiers.record_key,
        usable_identifiers.identifier_type,
        usable_identifiers.identifier_value
    from usable_identifiers
    inner join identifier_groups
        on
            usable_identifiers.identifier_type = identifier_groups.identifier_type
            and usable_identifiers.identifier_value = identifier_groups.identifier_value
    where
        not identifier_groups.may_conflict
        and usable_identifiers.record_key != identifier_groups.anchor_key
    union all
    select
        anchor_key,
        record_key,
        identifier_type,
        identifier_value
    from name_checked_identifiers
    where not conflicts_with_anchor
    union all
    select distinct
        least(anchor_key, record_key) as anchor_key,
        greatest(anchor_key, record_key) as record_key,
        identifier_type,
        identifier_value
    from rerouted_identifiers
),

deterministic_links as (
    select
        least(anchor_key, record_key) as record_key_a,
        greatest(anchor_key, record_key) as record_key_b,
        identifier_type as match_rule,
        identifier_type as matched_identifier_type,
        {{ dbt.hash('identifier_value') }} as matched_value_hash
    from identifier_links
),

full_names as (
    select distinct
        first_name_canonical,
        last_name_key
    from comparable_records
    where
        length(first_name_canonical) >= {{ min_name_length }}
        and length(last_name_key) >= {{ min_name_length }}
),

first_name_counts as (
    select
        first_name_canonical,
        count(*) as full_name_count
    from full_names
    group by first_name_canonical
),

last_name_counts as (
    select
        last_name_key,
        count(*) as full_name_count
    from full_names
    group by last_name_key
),

full_name_total as (
    select count(*) as full_name_count
    from full_names
),

expected_namesakes as (
    select
        full_names.first_name_canonical,
        full_names.last_name_key,
        1.0 * first_name_counts.full_name_count * last_name_counts.full_name_count
        / full_name_total.full_name_count as expected_count
    from full_names
    inner join first_name_counts
        on full_names.first_name_canonical = first_name_counts.first_name_canonical
    inner join last_name_counts
        on full_names.last_name_key = last_name_counts.last_name_key
    cross join full_name_total
),

name_records as (
    select
        comparable_records.record_key,
        {{ dbt.concat([
            'comparable_records.first_name_canonical', "coalesce(comparable_records.last_name_key, '')"
        ]) }} as name_value,
        comparable_records.last_name_key is not null as has_two_part_name,
        expected_namesakes.expected_count,
        comparable_records.email,
        comparable_records.phone,
        comparable_records.postal_code_key,
        comparable_records.birth_date,
        (
            comparable_records.email is null and comparable_records.phone is null
            and comparable_records.street_key is null and comparable_records.postal_code_key is null
            and comparable_records.birth_date is null
        ) as is_name_only
    from comparable_records
    left join expected_namesakes
        on
            comparable_records.first_name_canonical = expected_namesakes.first_name_canonical
            and comparable_records.last_name_key = expected_namesakes.last_name_key
    where
        (
            length(comparable_records.first_name_canonical) >= {{ min_name_length }}
            and length(comparable_records.last_name_key) >= {{ min_name_length }}
        )
        or (
            comparable_records.last_name_key is null
            and length(comparable_records.first_name_key) >= {{ 2 * min_name_length }}
        )
),

name_groups as (
    select
        name_value,
        {%- for field, column in name_only_columns.items() %}
            count(distinct {{ column }}) as {{ field }}_count,
        {%- endfor %}
        max(expected_count) as expected_namesakes,
        coalesce(
            min(case when not is_name_only then record_key end),
            min(case when has_two_part_name then record_key end)
        ) as anchor_key
    from name_records
    group by name_value
    having
        count(*) > 1
        and max(case when is_name_only then 1 else 0 end) = 1
        and max(case when has_two_part_name then 1 else 0 end) = 1
),

unambiguous_names as (
    select
        name_value,
        anchor_key
    from name_groups
    where
        expected_namesakes <= {{ name_only.get('max_expected_namesakes', 0.25) }} and
        {%- for field, limit in name_only_limits.items() %}
            {{ field }}_count <= {{ limit }} and
        {%- endfor %}
        0
        {%- for field in name_only_columns %}
            + case when {{ field }}_count > 1 then 1 else 0 end
        {%- endfor %}
        <= {{ name_only.get('max_fields_with_several_values', 1) }}
),

named_groups as (
    select
        name_value,
        min(case when has_two_part_name then record_key end) as anchor_key
    from name_records
    where has_two_part_name
    group by name_value
    having
        max(expected_count) <= {{ name_only.get('max_expected_namesakes', 0.25) }} and
        {%- for field, limit in name_only_limits.items() %}
            count(distinct {{ name_only_columns[field] }}) <= {{ limit }} and
        {%- endfor %}
        0
        {%- for field, column in name_only_columns.items() %}
            + case when count(distinct {{ column }}) > 1 then 1 else 0 end
        {%- endfor %}
        <= {{ name_only.get('max_fields_with_several_values', 1) }}
),

email_name_records as (
    select
        record_key,
        {{ dbt.concat(['mailbox_first_name_canonical', 'mailbox_last_name_key']) }} as name_value
    from comparable_records
    where mailbox_last_name_key is not null
),

name_rule_matches as (
    select
        name_records.record_key,
        unambiguous_names.anchor_key,
        'name_only' as match_rule
    from name_records
    inner join unambiguous_names
        on name_records.name_value = unambiguous_names.name_value
    where
        name_records.is_name_only
        and name_records.record_key != unambiguous_names.anchor_key
    union all
    select
        email_name_records.record_key,
        named_groups.anchor_key,
        'email_name' as match_rule
    from email_name_records
    inner join named_groups
        on email_name_records.name_value = named_groups.name_value
),

name_links as (
    select
        least(anchor_key, record_key) as record_key_a,
        greatest(anchor_key, record_key) as record_key_b,
        match_rule,
        cast(null as {{ dbt.type_string() }}) as matched_identifier_type,
        cast(null as {{ dbt.type_string() }}) as matched_value_hash
    from name_rule_matches
    where match_rule in ('{{ rules.order | join("', '") }}')
),

final as (
    select * from deterministic_links
    union all
    select * from name_links
)

select * from final
