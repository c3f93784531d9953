{#-
    Profile pairs compared by the fuzzy rules, one row per pair
    (profile_key_a <= profile_key_b), with every similarity, agreement and
    conflict, the evidence score and the first fuzzy rule of
    `c360_identity.rule_order` the pair satisfies.

    Candidates come from blocking: profiles sharing a blocking key
    (`c360_identity.fuzzy.blocking_keys`, blocks above `max_block_size`
    skipped), and a profile with several records paired with itself (is the
    profile itself evidence enough?). Pairs linked by another rule
    (int_identity__rule_links) are scored too, so every edge shows its
    evidence, but only candidates (`is_candidate`) become fuzzy links.
-#}
{%- set identity = var('c360_identity', {}) -%}
{%- set fuzzy = identity.get('fuzzy', {}) -%}
{%- set fuzzy_rules = fuzzy.get('rules', {}) -%}
{%- set rules = c360.identity_rules() -%}
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
{%- set names_agree = 'profile_a.first_name_key = profile_b.first_name_key'
    ~ ' and profile_a.last_name_key = profile_b.last_name_key' -%}
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

{%- for rule_name in rules.score %}
    {%- for field in fuzzy_rules[rule_name].score if field not in score_similarities %}
        {{ exceptions.raise_compiler_error('c360_identity.fuzzy.rules.' ~ rule_name ~ '.score: unknown field ' ~ field ~ '; known: ' ~ score_similarities.keys() | join(', ')) }}
    {%- endfor %}
{%- endfor %}
with

profiles as {{ c360.cte_hint('inline') }} (
    select * from {{ ref('int_identity__profiles') }}
),

profiled_records as {{ c360.cte_hint('inline') }} (
    select * from {{ ref('int_identity__record_profiles') }}
),

rule_links as {{ c360.cte_hint('inline') }} (
    select * from {{ ref('int_identity__rule_links') }}
),

named_profiles as (
    select * from profiles
    where first_name_key is not null or last_name_key is not null
),

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

rule_linked_profile_pairs as (
    select
        least(profile_a.profile_key, profile_b.profile_key) as profile_key_a,
        greatest(profile_a.profile_key, profile_b.profile_key) as profile_key_b
    from rule_links
    inner join profiled_records as profile_a
        on rule_links.record_key_a = profile_a.record_key
    inner join profiled_records as profile_b
        on rule_links.record_key_b = profile_b.record_key
),

flagged_pairs as (
    select
        profile_key_a,
        profile_key_b,
        1 as candidate_flag
    from candidate_pairs
    union all
    select
        profile_key_a,
        profile_key_b,
        0 as candidate_flag
    from rule_linked_profile_pairs
),

pairs_to_score as (
    select
        profile_key_a,
        profile_key_b,
        max(candidate_flag) = 1 as is_candidate
    from flagged_pairs
    group by profile_key_a, profile_key_b
),

similarities as {{ c360.cte_hint('materialize') }} (
    select
        pairs_to_score.profile_key_a,
        pairs_to_score.profile_key_b,
        pairs_to_score.is_candidate,
        {{ c360.identity_given_name_similarity(
            'profile_a.first_name_key', 'profile_b.first_name_key',
            'profile_a.first_name_canonical', 'profile_b.first_name_canonical'
        ) }} as straight_first_name_similarity,
        {{ c360.string_similarity('profile_a.last_name_key', 'profile_b.last_name_key') }}
            as straight_last_name_similarity,
        {#- names that agree as written cannot agree better swapped: not compared #}
        {%- for name_a, name_b in [('first', 'last'), ('last', 'first')] %}
            case
                when {{ names_agree }} then null
                else {{ c360.identity_given_name_similarity(
                    'profile_a.' ~ name_a ~ '_name_key', 'profile_b.' ~ name_b ~ '_name_key',
                    'profile_a.' ~ name_a ~ '_name_canonical', 'profile_b.' ~ name_b ~ '_name_canonical'
                ) }}
            end as swapped_{{ name_a }}_name_similarity,
        {%- endfor %}
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
        is_candidate,
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
        {%- for rule_name in rules.score %}
            {{ c360.identity_evidence_score(fuzzy_rules[rule_name].score, score_similarities) }}
                as {{ rule_name }}_score,
        {%- endfor %}
        scored.*
    from scored
),

final as (
    select
        *,
        case
            {%- for field in fuzzy.get('never_when_conflicting', []) %}
                when {{ field }}_conflicts then null
            {%- endfor %}
            {%- for rule_name in rules.fuzzy %}
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
        {%- if rules.score %}
            {{ rules.score[0] }}_score as evidence_score
        {%- else %}
            cast(null as {{ dbt.type_int() }}) as evidence_score
        {%- endif %},
        {{ c360.identity_agreeing_fields('evidence', similarity_fields, agreement_fields, agreement_similarity) }}
            as agreeing_fields
    from evidence
)

select * from final
