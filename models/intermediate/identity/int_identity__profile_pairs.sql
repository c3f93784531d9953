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
    Candidates that no fuzzy rule could accept whatever their names turn out
    to be are left out before the names are compared (the two gates below).
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

{%- set straight_initials = '(
            (
                left(profile_a.first_name_key, 1) = left(profile_b.first_name_key, 1)
                or left(profile_a.first_name_canonical, 1) = left(profile_b.first_name_canonical, 1)
            )
            and left(profile_a.last_name_key, 1) = left(profile_b.last_name_key, 1)
        )' -%}
{%- set swapped_initials = '(
            (
                left(profile_a.first_name_key, 1) = left(profile_b.last_name_key, 1)
                or left(profile_a.first_name_canonical, 1) = left(profile_b.last_name_canonical, 1)
            )
            and (
                left(profile_a.last_name_key, 1) = left(profile_b.first_name_key, 1)
                or left(profile_a.last_name_canonical, 1) = left(profile_b.first_name_canonical, 1)
            )
        )' -%}

{%- for rule_name in rules.score %}
    {%- for field in fuzzy_rules[rule_name].score if field not in score_similarities %}
        {{ exceptions.raise_compiler_error('c360_identity.fuzzy.rules.' ~ rule_name ~ '.score: unknown field ' ~ field ~ '; known: ' ~ score_similarities.keys() | join(', ')) }}
    {%- endfor %}
{%- endfor %}
{#- Two gates leave out, before the names are compared, the candidate pairs
    no fuzzy rule could accept whatever their names turn out to be
    (c360.identity_fuzzy_gate): the first from equal and missing values
    alone (two birth dates that conflict, a shared name with nothing else to
    compare), the second once street and birth date are compared. Pairs
    linked by another rule are always scored. -#}
{%- set name_columns = ['first_name_key', 'first_name_canonical', 'last_name_key', 'last_name_canonical'] -%}
{#- the columns each name's similarity compares, straight and swapped -#}
{%- set name_pairs = {
    'first_name': [('first_name_key', 'first_name_key'), ('first_name_canonical', 'first_name_canonical'),
                   ('first_name_key', 'last_name_key'), ('first_name_canonical', 'last_name_canonical')],
    'last_name': [('last_name_key', 'last_name_key'), ('last_name_key', 'first_name_key'),
                  ('last_name_canonical', 'first_name_canonical')],
    'street': [('street_key', 'street_key')],
} -%}
{%- set bounds = {
    'birth_date': ('coalesce(profile_a.birth_date = profile_b.birth_date, false)',
                   'profile_a.birth_date is not null and profile_b.birth_date is not null')
} -%}
{%- for field, column_pairs in name_pairs.items() -%}
    {%- set equalities = [] -%}
    {%- set presences = [] -%}
    {%- for column_a, column_b in column_pairs -%}
        {#- string_similarity compares the first 255 characters -#}
        {%- do equalities.append('coalesce(left(profile_a.' ~ column_a ~ ', 255) = left(profile_b.' ~ column_b ~ ', 255), false)') -%}
        {%- do presences.append('(profile_a.' ~ column_a ~ ' is not null and profile_b.' ~ column_b ~ ' is not null)') -%}
    {%- endfor -%}
    {#- a prefix scoring 1.0 would make a name exact without being equal -#}
    {%- set exact = 'true' if field != 'street' and fuzzy.get('prefix_similarity', 0.9) >= 1.0
        else '(' ~ equalities | join(' or ') ~ ')' -%}
    {%- do bounds.update({field: (exact, '(' ~ presences | join(' or ') ~ ')')}) -%}
{%- endfor -%}
{%- set raw_agrees = {'initials': 'coalesce(' ~ straight_initials ~ ' or ' ~ swapped_initials ~ ', false)'} -%}
{%- set raw_conflicts = {
    'birth_date': 'coalesce(profile_a.birth_date != profile_b.birth_date and abs('
        ~ dbt.datediff('profile_a.birth_date', 'profile_b.birth_date', 'year') ~ ') > 1, false)'
} -%}
{%- set raw_similarities = {} -%}
{%- set compared_agrees = {'initials': 'coalesce(straight_initials_agree or swapped_initials_agree, false)'} -%}
{%- set compared_conflicts = {} -%}
{%- for field in agreement_fields -%}
    {%- set column = agreement_columns[field] -%}
    {%- do raw_agrees.update({field: 'coalesce(profile_a.' ~ column ~ ' = profile_b.' ~ column ~ ', false)'}) -%}
    {%- do compared_agrees.update({field: field ~ '_agrees'}) -%}
    {%- do compared_conflicts.update({field: field ~ '_conflicts'}) -%}
    {%- if field != 'birth_date' -%}
        {%- do raw_conflicts.update({field: 'coalesce(profile_a.' ~ column ~ ' != profile_b.' ~ column ~ ', false)'}) -%}
        {%- do raw_similarities.update({
            field: 'case when ' ~ raw_agrees[field] ~ ' then 1.0 when ' ~ raw_conflicts[field] ~ ' then 0.0 end'
        }) -%}
    {%- endif -%}
{%- endfor -%}
{%- set first_gate = c360.identity_fuzzy_gate(
    rules.fuzzy, fuzzy.get('never_when_conflicting', []), raw_agrees, raw_conflicts, raw_similarities,
    {'first_name': bounds.first_name, 'last_name': bounds.last_name, 'street': bounds.street, 'birth_date': bounds.birth_date}
) -%}
{%- set compared_similarities = {} -%}
{%- for field, expression in score_similarities.items() if field not in ['first_name', 'last_name'] -%}
    {%- do compared_similarities.update({field: expression}) -%}
{%- endfor -%}
{%- set second_gate = c360.identity_fuzzy_gate(
    rules.fuzzy, fuzzy.get('never_when_conflicting', []), compared_agrees, compared_conflicts, compared_similarities,
    {'first_name': ('first_name_may_be_exact', 'first_name_may_be_present'),
     'last_name': ('last_name_may_be_exact', 'last_name_may_be_present')}
) -%}
{#- the compared fields each later step passes on -#}
{%- set compared_columns -%}
    {%- for field in agreement_fields %}
        {{ field }}_agrees,
        {{ field }}_conflicts,
    {%- endfor %}
        birth_date_similarity,
        street_similarity
{%- endset -%}
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
        max(candidate_flag) = 1 as is_candidate,
        min(candidate_flag) = 0 as is_rule_linked
    from flagged_pairs
    group by profile_key_a, profile_key_b
),

compared as (
    select
        pairs_to_score.profile_key_a,
        pairs_to_score.profile_key_b,
        pairs_to_score.is_candidate,
        pairs_to_score.is_rule_linked,
        {%- for side in ['a', 'b'] %}
            {%- for column in name_columns %}
                profile_{{ side }}.{{ column }} as {{ column }}_{{ side }},
            {%- endfor %}
        {%- endfor %}
        {%- for field in ['first_name', 'last_name'] %}
            {{ bounds[field][0] }} as {{ field }}_may_be_exact,
            {{ bounds[field][1] }} as {{ field }}_may_be_present,
        {%- endfor %}
        {{ straight_initials }} as straight_initials_agree,
        {{ swapped_initials }} as swapped_initials_agree,
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
    where
        pairs_to_score.is_rule_linked
        or (
            {{ first_gate }}
        )
),

similarities as {{ c360.cte_hint('materialize') }} (
    select
        profile_key_a,
        profile_key_b,
        is_candidate,
        {{ c360.identity_given_name_similarity(
            'first_name_key_a', 'first_name_key_b', 'first_name_canonical_a', 'first_name_canonical_b'
        ) }} as straight_first_name_similarity,
        {{ c360.string_similarity('last_name_key_a', 'last_name_key_b') }} as straight_last_name_similarity,
        {#- names that agree as written cannot agree better swapped: not compared #}
        {%- for name_a, name_b in [('first', 'last'), ('last', 'first')] %}
            case
                when first_name_key_a = first_name_key_b and last_name_key_a = last_name_key_b then null
                else {{ c360.identity_given_name_similarity(
                    name_a ~ '_name_key_a', name_b ~ '_name_key_b',
                    name_a ~ '_name_canonical_a', name_b ~ '_name_canonical_b'
                ) }}
            end as swapped_{{ name_a }}_name_similarity,
        {%- endfor %}
        straight_initials_agree,
        swapped_initials_agree,
        {{ compared_columns }}
    from compared
    where
        is_rule_linked
        or (
            {{ second_gate }}
        )
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
        {{ compared_columns }}
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
