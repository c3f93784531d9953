{#-
    Links between two identity records (record_key_a < record_key_b), one row
    per linked pair with its strongest rule and the evidence.

    Deterministic: records sharing a non-blocked identifier value are linked
    as a star, each to the smallest record_key holding the value.

    Fuzzy: records are reduced to profiles (distinct combinations of the
    compared attributes); profiles that share a blocking key
    (`c360_identity.fuzzy.blocking_keys`, blocks above `max_block_size`
    skipped) are compared, and a pair is accepted by the first fuzzy rule of
    `c360_identity.rule_order` it satisfies. An accepted pair links the two
    profiles' representative records (smallest record_key), and the other
    records of a profile to its representative. Fuzzy links between records
    that already share a non-blocked identifier are left out.
-#}
{%- set identity = var('c360_identity', {}) -%}
{%- set fuzzy = identity.get('fuzzy', {}) -%}
{%- set fuzzy_rules = fuzzy.get('rules', {}) -%}
{%- set identifier_types = [
    'record_reference', 'crm_contact_id', 'billing_customer_id', 'web_customer_id', 'loyalty_number', 'app_user_id',
    'device_id', 'email', 'phone', 'social_handle', 'name_birth_date', 'name_address'
] -%}
{%- set rule_order = identity.get('rule_order', identifier_types) -%}
{%- set deterministic_rules = [] -%}
{%- set ordered_fuzzy_rules = [] -%}
{%- set score_rules = [] -%}
{%- for rule in rule_order -%}
    {%- if rule in identifier_types -%}
        {%- do deterministic_rules.append(rule) -%}
    {%- elif rule in fuzzy_rules -%}
        {%- do ordered_fuzzy_rules.append(rule) -%}
        {%- if fuzzy_rules[rule].get('score') -%}
            {%- do score_rules.append(rule) -%}
        {%- endif -%}
    {%- elif rule == 'name_only' -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("c360_identity.rule_order: '" ~ rule ~ "' is neither an identifier type, nor a rule under c360_identity.fuzzy.rules, nor name_only") }}
    {%- endif -%}
{%- endfor -%}
{%- set name_only = identity.get('name_only', {}) -%}
{%- set name_only_limits = name_only.get('max_distinct', {}) -%}
{%- set name_only_columns = {
    'email': 'email', 'phone': 'phone', 'postal_code': 'postal_code_key', 'birth_date': 'birth_date'
} -%}
{%- set min_name_length = identity.get('min_name_key_length', 2) -%}
{%- set similarity_fields = ['first_name', 'last_name', 'street'] -%}
{%- set agreement_fields = ['birth_date', 'postal_code', 'city', 'country_code', 'phone'] -%}
{%- set agreement_columns = {
    'birth_date': 'birth_date', 'postal_code': 'postal_code_key', 'city': 'city_key',
    'country_code': 'country_code', 'phone': 'phone'
} -%}
{%- set agreement_similarity = fuzzy.get('agreement_similarity', 0.8) -%}
{%- set birth_date_typo_similarity = fuzzy.get('birth_date_typo_similarity', 0.85) -%}
{%- set birth_date_similarity = c360.string_similarity(
    'cast(profile_a.birth_date as ' ~ dbt.type_string() ~ ')',
    'cast(profile_b.birth_date as ' ~ dbt.type_string() ~ ')'
) -%}
{#- a typo, not another person: nearly the same text, at most a year apart (not 1950 / 1980) -#}
{%- set birth_date_is_typo = birth_date_similarity ~ ' >= ' ~ birth_date_typo_similarity
    ~ ' and abs(' ~ dbt.datediff('profile_a.birth_date', 'profile_b.birth_date', 'year') ~ ') <= 1' -%}
{#- evidence-score rules: the similarity each scored field is read from -#}
{%- set score_similarities = {
    'first_name': 'first_name_similarity',
    'last_name': 'last_name_similarity',
    'street': 'street_similarity',
    'birth_date': 'case when birth_date_conflicts then 0.0 else birth_date_similarity end',
    'postal_code': 'case when postal_code_agrees then 1.0 when postal_code_conflicts then 0.0 end',
    'city': 'case when city_agrees then 1.0 when city_conflicts then 0.0 end',
    'phone': 'case when phone_agrees then 1.0 when phone_conflicts then 0.0 end',
    'country_code': 'case when country_code_agrees then 1.0 when country_code_conflicts then 0.0 end',
} -%}
{%- set profile_columns = [
    'first_name_key', 'first_name_canonical', 'last_name_key', 'street_key', 'postal_code_key',
    'city_key', 'country_code', 'birth_date', 'phone'
] -%}

{%- for rule_name in score_rules %}
    {%- for field in fuzzy_rules[rule_name].score if field not in score_similarities %}
        {{ exceptions.raise_compiler_error('c360_identity.fuzzy.rules.' ~ rule_name ~ '.score: unknown field ' ~ field ~ '; known: ' ~ score_similarities.keys() | join(', ')) }}
    {%- endfor %}
{%- endfor %}
with

records as (
    select * from {{ ref('int_identity__records') }}
),

identifiers as (
    select * from {{ ref('int_identity__identifiers') }}
),

nicknames as (
    select * from {{ ref('nicknames') }}
),

usable_identifiers as (
    select
        record_key,
        identifier_type,
        identifier_value
    from identifiers
    where
        not is_blocked
        and identifier_type in ('{{ deterministic_rules | join("', '") }}')
),

blocked_contact_points as (
    select
        record_key,
        max(case when identifier_type = 'email' then 1 else 0 end) as is_email_blocked,
        max(case when identifier_type = 'phone' then 1 else 0 end) as is_phone_blocked
    from identifiers
    where identifier_type in ('email', 'phone') and is_blocked
    group by record_key
),

-- the compared attributes of every record; a blocked email or phone is no evidence
comparable_records as (
    select
        records.record_key,
        records.first_name_key,
        records.first_name_canonical,
        records.last_name_key,
        records.street_key,
        records.postal_code_key,
        records.city_key,
        records.country_code,
        records.birth_date,
        case when coalesce(blocked_contact_points.is_phone_blocked, 0) = 0 then records.phone end as phone,
        case when coalesce(blocked_contact_points.is_email_blocked, 0) = 0 then records.email end as email
    from records
    left join blocked_contact_points
        on records.record_key = blocked_contact_points.record_key
),

profiled_records as (
    select
        *,
        {{ dbt.hash(dbt.concat(c360.identity_profile_parts(profile_columns))) }} as profile_key
    from comparable_records
),

grouped_profiles as (
    select
        profile_key,
        min(record_key) as representative_key,
        {%- for column in profile_columns %}
            min({{ column }}) as {{ column }},
        {%- endfor %}
        count(*) as record_count
    from profiled_records
    group by profile_key
),

-- a last name read as a given name, for records whose first and last names are swapped
profiles as (
    select
        grouped_profiles.*,
        coalesce(nicknames.canonical_name, grouped_profiles.last_name_key) as last_name_canonical
    from grouped_profiles
    left join nicknames
        on grouped_profiles.last_name_key = nicknames.nickname
),

-- fuzzy matching needs a name; each rule decides which parts must be there
named_profiles as (
    select * from profiles
    where first_name_key is not null or last_name_key is not null
),

-- deterministic: a star per shared identifier value
identifier_groups as (
    select
        identifier_type,
        identifier_value,
        min(record_key) as anchor_key
    from usable_identifiers
    group by identifier_type, identifier_value
    having count(*) > 1
),

deterministic_links as (
    select
        identifier_groups.anchor_key as record_key_a,
        usable_identifiers.record_key as record_key_b,
        usable_identifiers.identifier_type as match_rule,
        usable_identifiers.identifier_type as matched_identifier_type,
        {{ dbt.hash('usable_identifiers.identifier_value') }} as matched_value_hash
    from usable_identifiers
    inner join identifier_groups
        on
            usable_identifiers.identifier_type = identifier_groups.identifier_type
            and usable_identifiers.identifier_value = identifier_groups.identifier_value
    where usable_identifiers.record_key != identifier_groups.anchor_key
),

-- fuzzy: candidate profile pairs from blocking keys
blocking_keys as (
    {{ c360.identity_blocking_keys('named_profiles', fuzzy.get('blocking_keys', {})) }}
),

block_sizes as (
    select
        block_value,
        count(*) as profile_count
    from blocking_keys
    group by block_value
),

usable_blocks as (
    select blocking_keys.*
    from blocking_keys
    inner join block_sizes
        on blocking_keys.block_value = block_sizes.block_value
    where
        block_sizes.profile_count > 1
        and block_sizes.profile_count <= {{ fuzzy.get('max_block_size', 50) }}
),

candidate_pairs as (
    select
        block_a.profile_key as profile_key_a,
        block_b.profile_key as profile_key_b
    from usable_blocks as block_a
    inner join usable_blocks as block_b
        on
            block_a.block_value = block_b.block_value
            and block_a.profile_key < block_b.profile_key
    union
    -- a profile with several records: is the profile itself evidence enough?
    select
        profile_key as profile_key_a,
        profile_key as profile_key_b
    from named_profiles
    where record_count > 1
),

-- name_only: a record with a name and nothing else to compare joins the
-- records of the same name, unless the name is common or its records look
-- like several people. The name is first_name_canonical followed by
-- last_name_key, so a name written as one word ("Bethanymartinez", a social
-- display name) meets its two-part form; a group needs a two-part name.
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

-- how many people are expected to bear a full name if first and last names
-- were drawn independently: (names with this first name) x (names with this
-- last name) / (all names)
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

name_only_links as (
    select
        least(unambiguous_names.anchor_key, name_records.record_key) as record_key_a,
        greatest(unambiguous_names.anchor_key, name_records.record_key) as record_key_b,
        'name_only' as match_rule
    from name_records
    inner join unambiguous_names
        on name_records.name_value = unambiguous_names.name_value
    where
        name_records.is_name_only
        and name_records.record_key != unambiguous_names.anchor_key
),

-- every profile pair to score: fuzzy candidates and the ends of the other links
rule_linked_pairs as (
    select
        record_key_a,
        record_key_b
    from deterministic_links
    {%- if 'name_only' in rule_order %}
        union all
        select
            record_key_a,
            record_key_b
        from name_only_links
    {%- endif %}
),

rule_linked_profile_pairs as (
    select
        least(profile_a.profile_key, profile_b.profile_key) as profile_key_a,
        greatest(profile_a.profile_key, profile_b.profile_key) as profile_key_b
    from rule_linked_pairs
    inner join profiled_records as profile_a
        on rule_linked_pairs.record_key_a = profile_a.record_key
    inner join profiled_records as profile_b
        on rule_linked_pairs.record_key_b = profile_b.record_key
),

pairs_to_score as (
    select * from candidate_pairs
    union
    select * from rule_linked_profile_pairs
),

similarities as (
    select
        pairs_to_score.profile_key_a,
        pairs_to_score.profile_key_b,
        {{ c360.identity_given_name_similarity(
            'profile_a.first_name_key', 'profile_b.first_name_key',
            'profile_a.first_name_canonical', 'profile_b.first_name_canonical'
        ) }} as straight_first_name_similarity,
        {{ c360.string_similarity('profile_a.last_name_key', 'profile_b.last_name_key') }}
            as straight_last_name_similarity,
        {{ c360.identity_given_name_similarity(
            'profile_a.first_name_key', 'profile_b.last_name_key',
            'profile_a.first_name_canonical', 'profile_b.last_name_canonical'
        ) }} as swapped_first_name_similarity,
        {{ c360.identity_given_name_similarity(
            'profile_a.last_name_key', 'profile_b.first_name_key',
            'profile_a.last_name_canonical', 'profile_b.first_name_canonical'
        ) }} as swapped_last_name_similarity,
        (
            (
                left(profile_a.first_name_key, 1) = left(profile_b.first_name_key, 1)
                or left(profile_a.first_name_canonical, 1) = left(profile_b.first_name_canonical, 1)
            )
            and left(profile_a.last_name_key, 1) = left(profile_b.last_name_key, 1)
        ) as straight_initials_agree,
        (
            (
                left(profile_a.first_name_key, 1) = left(profile_b.last_name_key, 1)
                or left(profile_a.first_name_canonical, 1) = left(profile_b.last_name_canonical, 1)
            )
            and (
                left(profile_a.last_name_key, 1) = left(profile_b.first_name_key, 1)
                or left(profile_a.last_name_canonical, 1) = left(profile_b.first_name_canonical, 1)
            )
        ) as swapped_initials_agree,
        {%- for field in agreement_fields %}
            {%- set column = agreement_columns[field] %}
            coalesce(profile_a.{{ column }} = profile_b.{{ column }}, false) as {{ field }}_agrees,
            {%- if field == 'birth_date' %}
                coalesce(
                    profile_a.birth_date != profile_b.birth_date
                    and not ({{ birth_date_is_typo }}),
                    false
                ) as birth_date_conflicts,
            {%- else %}
                coalesce(profile_a.{{ column }} != profile_b.{{ column }}, false) as {{ field }}_conflicts,
            {%- endif %}
        {%- endfor %}
        {{ birth_date_similarity }} as birth_date_similarity,
        {{ c360.string_similarity('profile_a.street_key', 'profile_b.street_key') }} as street_similarity
    from pairs_to_score
    inner join profiles as profile_a
        on pairs_to_score.profile_key_a = profile_a.profile_key
    inner join profiles as profile_b
        on pairs_to_score.profile_key_b = profile_b.profile_key
),

oriented as (
    select
        *,
        coalesce(
            swapped_first_name_similarity + swapped_last_name_similarity
            > straight_first_name_similarity + straight_last_name_similarity,
            false
        ) as is_name_transposed
    from similarities
),

scored as (
    select
        profile_key_a,
        profile_key_b,
        is_name_transposed,
        case
            when is_name_transposed then swapped_first_name_similarity else straight_first_name_similarity
        end as first_name_similarity,
        case
            when is_name_transposed then swapped_last_name_similarity else straight_last_name_similarity
        end as last_name_similarity,
        coalesce(
            case when is_name_transposed then swapped_initials_agree else straight_initials_agree end,
            false
        ) as initials_agrees,
        {%- for field in agreement_fields %}
            {{ field }}_agrees,
            {{ field }}_conflicts,
        {%- endfor %}
        birth_date_similarity,
        street_similarity
    from oriented
),

evidence as (
    select
        {%- for rule_name in score_rules %}
            {{ c360.identity_evidence_score(fuzzy_rules[rule_name].score, score_similarities) }}
                as {{ rule_name }}_score,
        {%- endfor %}
        scored.*
    from scored
),

ruled as (
    select
        *,
        case
            {%- for field in fuzzy.get('never_when_conflicting', []) %}
                when {{ field }}_conflicts then null
            {%- endfor %}
            {%- for rule_name in ordered_fuzzy_rules %}
                {%- set rule = fuzzy_rules[rule_name] %}
                {%- set conditions = [] %}
                {%- for field, threshold in rule.get('min_similarity', {}).items() %}
                    {%- do conditions.append(field ~ '_similarity >= ' ~ threshold) %}
                {%- endfor %}
                {%- for field, threshold in rule.get('never_below', {}).items() %}
                    {%- do conditions.append('coalesce(' ~ field ~ '_similarity >= ' ~ threshold ~ ', true)') %}
                {%- endfor %}
                {%- for field in rule.get('must_agree', []) %}
                    {%- do conditions.append(field ~ '_agrees') %}
                {%- endfor %}
                {%- if rule.get('any_agree') %}
                    {%- do conditions.append('(' ~ rule.any_agree | join('_agrees or ') ~ '_agrees)') %}
                {%- endif %}
                {%- for field in rule.get('never_when_conflicting', []) %}
                    {%- do conditions.append('not ' ~ field ~ '_conflicts') %}
                {%- endfor %}
                {%- if rule.get('score') %}
                    {%- do conditions.append(rule_name ~ '_score >= ' ~ rule.get('min_score', 0)) %}
                {%- endif %}
                when {{ conditions | join(' and ') if conditions else 'false' }} then '{{ rule_name }}'
            {%- endfor %}
        end as fuzzy_rule,
        {#- the first score rule's points, shown on the edge #}
        {%- if score_rules %}
            {{ score_rules[0] }}_score as evidence_score
        {%- else %}
            cast(null as {{ dbt.type_int() }}) as evidence_score
        {%- endif %}
    from evidence
),

accepted_pairs as (
    select
        candidate_pairs.profile_key_a,
        candidate_pairs.profile_key_b,
        ruled.fuzzy_rule
    from candidate_pairs
    inner join ruled
        on
            candidate_pairs.profile_key_a = ruled.profile_key_a
            and candidate_pairs.profile_key_b = ruled.profile_key_b
    where ruled.fuzzy_rule is not null
),

fuzzy_links as (
    select
        least(profile_a.representative_key, profile_b.representative_key) as record_key_a,
        greatest(profile_a.representative_key, profile_b.representative_key) as record_key_b,
        accepted_pairs.fuzzy_rule as match_rule
    from accepted_pairs
    inner join profiles as profile_a
        on accepted_pairs.profile_key_a = profile_a.profile_key
    inner join profiles as profile_b
        on accepted_pairs.profile_key_b = profile_b.profile_key
    where accepted_pairs.profile_key_a != accepted_pairs.profile_key_b
    union all
    select
        profiles.representative_key as record_key_a,
        profiled_records.record_key as record_key_b,
        accepted_pairs.fuzzy_rule as match_rule
    from accepted_pairs
    inner join profiles
        on accepted_pairs.profile_key_a = profiles.profile_key
    inner join profiled_records
        on profiles.profile_key = profiled_records.profile_key
    where
        accepted_pairs.profile_key_a = accepted_pairs.profile_key_b
        and profiled_records.record_key != profiles.representative_key

    {%- if 'name_only' in rule_order %}
        union all
        select * from name_only_links
    {%- endif %}
),

shared_identifier_pairs as (
    select distinct
        fuzzy_links.record_key_a,
        fuzzy_links.record_key_b
    from fuzzy_links
    inner join usable_identifiers as identifier_a
        on fuzzy_links.record_key_a = identifier_a.record_key
    inner join usable_identifiers as identifier_b
        on
            fuzzy_links.record_key_b = identifier_b.record_key
            and identifier_a.identifier_type = identifier_b.identifier_type
            and identifier_a.identifier_value = identifier_b.identifier_value
),

fuzzy_edges as (
    select
        fuzzy_links.record_key_a,
        fuzzy_links.record_key_b,
        fuzzy_links.match_rule,
        cast(null as {{ dbt.type_string() }}) as matched_identifier_type,
        cast(null as {{ dbt.type_string() }}) as matched_value_hash
    from fuzzy_links
    left join shared_identifier_pairs
        on
            fuzzy_links.record_key_a = shared_identifier_pairs.record_key_a
            and fuzzy_links.record_key_b = shared_identifier_pairs.record_key_b
    where shared_identifier_pairs.record_key_a is null
),

all_links as (
    select * from deterministic_links
    union all
    select * from fuzzy_edges
),

ranked_links as (
    select
        *,
        case match_rule
            {%- for rule in rule_order %}
                when '{{ rule }}' then {{ loop.index }}
            {%- endfor %}
        end as rule_rank
    from all_links
),

strongest_links as (
    select
        *,
        row_number() over (
            partition by record_key_a, record_key_b
            order by rule_rank, matched_value_hash
        ) as link_order
    from ranked_links
),

final as (
    select
        strongest_links.record_key_a,
        strongest_links.record_key_b,
        strongest_links.match_rule,
        strongest_links.rule_rank,
        strongest_links.match_rule in ('{{ deterministic_rules | join("', '") }}') as is_deterministic,
        strongest_links.matched_identifier_type,
        strongest_links.matched_value_hash,
        scored.first_name_similarity,
        scored.last_name_similarity,
        scored.street_similarity,
        scored.birth_date_similarity,
        scored.is_name_transposed,
        scored.evidence_score,
        {{ c360.identity_agreeing_fields('scored', similarity_fields, agreement_fields, agreement_similarity) }}
            as agreeing_fields
    from strongest_links
    inner join profiled_records as record_a
        on strongest_links.record_key_a = record_a.record_key
    inner join profiled_records as record_b
        on strongest_links.record_key_b = record_b.record_key
    left join ruled as scored
        on
            least(record_a.profile_key, record_b.profile_key) = scored.profile_key_a
            and greatest(record_a.profile_key, record_b.profile_key) = scored.profile_key_b
    where strongest_links.link_order = 1
)

select * from final
