{#-
    Links between two identity records (record_key_a < record_key_b), one row
    per linked pair with its strongest rule and the evidence.

    Links come from rules that need no scoring (int_identity__rule_links:
    shared identifiers, name_only) and from fuzzy rules: a candidate profile
    pair accepted by a fuzzy rule (int_identity__profile_pairs) links the two
    profiles' representative records, and the other records of a profile to
    its representative. Fuzzy links between records that already share a
    non-blocked identifier are left out. Every edge carries the similarities
    and agreeing fields of its two records' profiles.
-#}
{%- set rules = c360.identity_rules() -%}
{%- if rules.order | length > 89 -%}
    {{ exceptions.raise_compiler_error("c360_identity.rule_order: at most 89 rules") }}
{%- endif -%}
{%- set rank_keys = [] -%}
{%- set rank_rules = [] -%}
{%- for rule in rules.order -%}
    {%- do rank_keys.append("when '" ~ rule ~ "' then '" ~ (loop.index + 10) ~ "'") -%}
    {%- do rank_rules.append("when " ~ loop.index ~ " then '" ~ rule ~ "'") -%}
{%- endfor -%}
{%- set rank_keys = rank_keys | join(' ') -%}
{%- set rank_rules = rank_rules | join(' ') -%}
with

profiled_records as {{ c360.cte_hint('inline') }} (
    select * from {{ ref('int_identity__record_profiles') }}
),

profiles as {{ c360.cte_hint('inline') }} (
    select * from {{ ref('int_identity__profiles') }}
),

profile_pairs as {{ c360.cte_hint('inline') }} (
    select * from {{ ref('int_identity__profile_pairs') }}
),

rule_links as {{ c360.cte_hint('inline') }} (
    select * from {{ ref('int_identity__rule_links') }}
),

-- the identifiers deterministic rules link on
usable_identifiers as (
    select
        record_key,
        identifier_type,
        identifier_value
    from {{ ref('int_identity__identifiers') }}
    where identifier_type in ('{{ rules.deterministic | join("', '") }}') and not is_blocked
),

accepted_pairs as (
    select
        profile_key_a,
        profile_key_b,
        fuzzy_rule
    from profile_pairs
    where is_candidate and fuzzy_rule is not null
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
),

-- each fuzzy link's identifiers, from either end: the joins follow the
-- links, never pairing every two records that share a value
link_identifiers as (
    select
        fuzzy_links.record_key_a,
        fuzzy_links.record_key_b,
        identifiers.identifier_type,
        identifiers.identifier_value,
        'a' as link_end
    from fuzzy_links
    inner join usable_identifiers as identifiers
        on fuzzy_links.record_key_a = identifiers.record_key
    union all
    select
        fuzzy_links.record_key_a,
        fuzzy_links.record_key_b,
        identifiers.identifier_type,
        identifiers.identifier_value,
        'b' as link_end
    from fuzzy_links
    inner join usable_identifiers as identifiers
        on fuzzy_links.record_key_b = identifiers.record_key
),

-- one row per value both ends share; fuzzy_edges only asks whether there is one
shared_identifier_pairs as (
    select
        record_key_a,
        record_key_b
    from link_identifiers
    group by record_key_a, record_key_b, identifier_type, identifier_value
    having count(distinct link_end) = 2
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
    select * from rule_links
    union all
    select * from fuzzy_edges
),

-- The strongest link of each pair: the lowest rule_rank, then the lowest
-- value hash, found by one grouping on a sortable text key (rank + 10 in
-- two digits, then the hash) rather than a window over every link. The rule
-- and the identifier type follow from the rank: a deterministic rule is its
-- identifier type.
strongest_links as (
    select
        record_key_a,
        record_key_b,
        min(
            {{ dbt.concat([
                "case match_rule " ~ rank_keys ~ " end",
                "coalesce(matched_value_hash, '')"
            ]) }}
        ) as link_key
    from all_links
    group by record_key_a, record_key_b
),

decoded_links as (
    select
        record_key_a,
        record_key_b,
        cast(substring(link_key, 1, 2) as {{ dbt.type_int() }}) - 10 as rule_rank,
        nullif(substring(link_key, 3, 64), '') as matched_value_hash
    from strongest_links
),

ruled_links as (
    select
        record_key_a,
        record_key_b,
        rule_rank,
        matched_value_hash,
        case rule_rank {{ rank_rules }} end as match_rule
    from decoded_links
),

final as (
    select
        ruled_links.record_key_a,
        ruled_links.record_key_b,
        ruled_links.match_rule,
        ruled_links.rule_rank,
        ruled_links.match_rule in ('{{ rules.deterministic | join("', '") }}') as is_deterministic,
        case
            when ruled_links.match_rule in ('{{ rules.deterministic | join("', '") }}') then ruled_links.match_rule
        end as matched_identifier_type,
        ruled_links.matched_value_hash,
        scored.first_name_similarity,
        scored.last_name_similarity,
        scored.street_similarity,
        scored.birth_date_similarity,
        scored.is_name_transposed,
        scored.evidence_score,
        scored.agreeing_fields
    from ruled_links
    inner join profiled_records as record_a
        on ruled_links.record_key_a = record_a.record_key
    inner join profiled_records as record_b
        on ruled_links.record_key_b = record_b.record_key
    left join profile_pairs as scored
        on
            least(record_a.profile_key, record_b.profile_key) = scored.profile_key_a
            and greatest(record_a.profile_key, record_b.profile_key) = scored.profile_key_b
)

select * from final
