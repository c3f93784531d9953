{#-
    Connected components and the guarded merge of identity clusters.

    Identity resolution links records by edges; a customer is a connected
    component of that graph. Components are found by iterating a
    minimum-label step with pointer jumping (FastSV-style hooking and
    shortcutting) until no label changes. A recursive CTE is not used: it is
    not portable (Spark has none) and cannot stop on "nothing changed".

    How the iteration runs ("work plans")
    -------------------------------------
    A model that needs components creates a plan with `c360.cc_plan(name)`
    and passes it to the macros below. Every intermediate result is a *stage*:

    * iterative mode - `dbt run` / `build` / `retry` of the model itself,
      which must be materialized as a table (`dbt show` of it is refused).
      While the model is rendered at execution time, each stage is created
      as a real work table (`create table ... as`, through `run_query`)
      named `<model>__cc_<stage>` in the model's schema. After every round
      the number of changed labels is counted; the loop stops when it is
      zero and fails the model when `max_iterations` rounds did not reach a
      fixpoint. Tiers are read from the data. The model's final `select`
      reads the last work table; every other work table is dropped as soon
      as it is used up, and the model's post-hook
      `c360.cc_drop_work_relations(this)` drops the last one. A run that
      fails midway may leave work tables behind; the next run replaces them.
    * inline mode - everything else: parsing, `dbt compile`, docs, sqlfluff
      and dbt unit tests (whose inputs are CTEs, not tables). Nothing is
      written to the warehouse. The same stage SQL becomes a chain of CTEs
      with the loops unrolled a fixed number of times: `inline_iterations`
      rounds per component search and `inline_tiers` tiers of edges. A round
      changes nothing once a fixpoint is reached, so the result is exact
      when the graph converges within the unrolled rounds (chains of up to
      about 2^(inline_iterations - 2) records) and has at most
      `inline_tiers` tiers: small test graphs, not a full warehouse.

    Both modes run exactly the same step SQL; only the loop driver differs.
    All SQL here is plain ANSI (joins, group by, union, window functions,
    least/greatest) and runs unchanged on DuckDB, PostgreSQL and Spark.

    Settings come from the var `c360_identity_clusters` (dbt_project.yml).
-#}


{#- ------------------------------------------------------------------ -#}
{#- Settings                                                            -#}
{#- ------------------------------------------------------------------ -#}

{% macro identity_cluster_settings() %}
    {%- set settings = {
        'max_iterations': 40,
        'max_per_customer': {
            'crm_contact_id': 2,
            'billing_customer_id': 2,
            'web_customer_id': 2,
            'loyalty_number': 2,
            'app_user_id': 2,
            'email': 6,
            'phone': 4,
        },
        'conflicting_identifier_types': [
            'birth_date', 'crm_contact_id', 'billing_customer_id', 'web_customer_id',
            'loyalty_number', 'app_user_id', 'social_handle',
        ],
        'inline_iterations': 8,
        'inline_tiers': 4,
    } -%}
    {%- do settings.update(var('c360_identity_clusters', {}) or {}) -%}
    {{ return(settings) }}
{% endmacro %}


{#- ------------------------------------------------------------------ -#}
{#- Work plans: stages as work tables (iterative) or CTEs (inline)      -#}
{#- ------------------------------------------------------------------ -#}

{#- Iterative only when this model itself is being materialized. -#}
{% macro cc_plan(name, max_iterations=none, inline_iterations=none) %}
    {%- set settings = c360.identity_cluster_settings() -%}
    {%- set is_model_run = execute and model is not none and model.resource_type == 'model' -%}
    {%- if is_model_run and flags.WHICH == 'show' -%}
        {%- do exceptions.raise_compiler_error(
            this ~ ' computes connected components while it is built: query the built table instead of `dbt show`'
        ) -%}
    {%- endif -%}
    {%- set iterative = is_model_run and flags.WHICH in ['run', 'build', 'retry'] -%}
    {%- if iterative and config.get('materialized') != 'table' -%}
        {#- The post-hook drops the work table the model selects from. -#}
        {%- do exceptions.raise_compiler_error(
            this ~ ' uses connected components and must be materialized as a table'
        ) -%}
    {%- endif -%}
    {%- set plan = {
        'name': name,
        'iterative': iterative,
        'ctes': [],
        'max_iterations': (max_iterations or settings['max_iterations']) | int,
        'inline_iterations': (inline_iterations or settings['inline_iterations']) | int,
        'rounds': {},
    } -%}
    {{ return(plan) }}
{% endmacro %}


{#- The work table of one stage: `<model>__cc_<stage>` next to the model. -#}
{% macro cc_work_relation(model_relation, stage) %}
    {{ return(api.Relation.create(
        database=model_relation.database,
        schema=model_relation.schema,
        identifier=model_relation.identifier ~ '__cc_' ~ stage,
        type='table',
    )) }}
{% endmacro %}


{#- A stage: a work table created now, or a CTE appended to the plan. Returns its name. -#}
{% macro cc_stage(plan, stage, sql) %}
    {%- if plan.iterative -%}
        {%- set relation = c360.cc_work_relation(this, stage) -%}
        {%- do adapter.drop_relation(relation) -%}
        {%- do run_query(get_create_table_as_sql(False, relation, sql)) -%}
        {{ return(relation) }}
    {%- else -%}
        {%- set cte_name = plan.name ~ '__' ~ stage -%}
        {%- do plan.ctes.append(cte_name ~ ' as (\n' ~ sql ~ '\n)') -%}
        {{ return(cte_name) }}
    {%- endif -%}
{% endmacro %}


{#- Drop a stage that is no longer needed (iterative mode only). -#}
{% macro cc_release(plan, relation) %}
    {%- if plan.iterative -%}
        {%- do adapter.drop_relation(relation) -%}
    {%- endif -%}
{% endmacro %}


{#- First value of a one-row query (iterative mode only). -#}
{% macro cc_scalar(sql) %}
    {%- set result = run_query(sql) -%}
    {{ return(result.columns[0].values()[0]) }}
{% endmacro %}


{#-
    The plan's CTEs, to place right after the model's `with`: empty in
    iterative mode, else every stage as a CTE followed by a comma.
-#}
{% macro cc_ctes(plan) %}
    {%- if plan.ctes | length > 0 -%}
        {{ plan.ctes | join(',\n\n') }},
    {%- endif -%}
{% endmacro %}


{#-
    The stage a model selects from. In iterative mode it is renamed to
    `<model>__cc_result`, which the model's post-hook drops.
-#}
{% macro cc_result(plan, relation) %}
    {%- if plan.iterative -%}
        {%- set searches = [] -%}
        {%- for search, rounds in plan.rounds.items() -%}
            {%- do searches.append(search ~ ': ' ~ rounds) -%}
        {%- endfor -%}
        {%- if searches -%}
            {%- do log(this.identifier ~ ': connected components converged (rounds per search: '
                ~ searches | join(', ') ~ ')', info=true) -%}
        {%- endif -%}
        {%- set result = c360.cc_work_relation(this, 'result') -%}
        {%- if relation.identifier != result.identifier -%}
            {%- do adapter.drop_relation(result) -%}
            {%- do adapter.rename_relation(relation, result) -%}
        {%- endif -%}
        {{ return(result) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{% endmacro %}


{#-
    Post-hook of every model that uses a plan: drops its result work table.
    Every other work table is dropped as soon as it is no longer needed; a
    run that fails midway may leave some `<model>__cc_*` tables behind, and
    the next run replaces them.
-#}
{% macro cc_drop_work_relations(model_relation) %}
    {%- if execute -%}
        {%- do adapter.drop_relation(c360.cc_work_relation(model_relation, 'result')) -%}
    {%- endif -%}
{% endmacro %}


{#- ------------------------------------------------------------------ -#}
{#- Connected components                                                -#}
{#- ------------------------------------------------------------------ -#}

{#-
    Connected components of an undirected graph.

    edges_sql: a select with columns node_key_a, node_key_b (duplicates,
        both directions and self-loops are allowed).
    nodes_sql: optional select with a column node_key, for nodes that may
        have no edge (they become components of their own).
    integer_keys: true when the keys are already integers (the rounds then
        run on them directly, and nodes_sql is not supported).
    Returns a stage with one row per node: node_key, component_key, where
    component_key is the smallest node_key of the node's component.

    The rounds run on integer surrogate keys: node_id numbers the nodes in
    node_key order, so the smallest node_id of a component is its smallest
    node_key. Only nodes with an edge take part; the others are their own
    component and are added back with the node keys at the end.

    Each round every node takes the smallest of: its grandparent (pointer
    jumping), the smallest grandparent among its neighbours, and the same
    for its parent ("hooking"). Labels only decrease and stay inside the
    component; at a fixpoint every node points at the component's smallest
    node. Rounds grow with the logarithm of the longest path.
-#}
{% macro connected_components(plan, name, edges_sql, nodes_sql=none, integer_keys=false) %}
    {%- if integer_keys and nodes_sql is not none -%}
        {%- do exceptions.raise_compiler_error('connected_components: nodes_sql needs integer_keys=false') -%}
    {%- endif -%}
    {%- if integer_keys -%}
        {%- set id_links = c360.cc_stage(plan, name ~ '_links', c360.cc_links_sql(edges_sql)) -%}
    {%- else -%}
        {#- Surrogate keys in node_key order, for every node of the result. -#}
        {%- set keys_sql -%}
select
    node_key,
    row_number() over (order by node_key) as node_id
from (
    select node_key_a as node_key
    from ({{ edges_sql }}) as edges
    where node_key_a <> node_key_b
    union
    select node_key_b as node_key
    from ({{ edges_sql }}) as edges
    where node_key_a <> node_key_b
    {%- if nodes_sql is not none %}
    union
    select node_key from ({{ nodes_sql }}) as nodes
    {%- endif %}
) as all_nodes
where node_key is not null
        {%- endset -%}
        {%- set keys = c360.cc_stage(plan, name ~ '_keys', keys_sql) -%}
        {%- set id_edges = c360.cc_stage(plan, name ~ '_id_edges', c360.cc_node_ids_sql(
            '(' ~ edges_sql ~ ')', 'node_key_a', 'node_key_b', keys, 'node_key_a', 'node_key_b')) -%}
        {%- set id_links = c360.cc_stage(plan, name ~ '_links', c360.cc_links_sql('select * from ' ~ id_edges)) -%}
        {%- do c360.cc_release(plan, id_edges) -%}
    {%- endif -%}

    {#- Start every node at its smallest neighbour (or itself): one hop for free. -#}
    {%- set initial_sql -%}
select
    node_key_a as node_key,
    least(node_key_a, min(node_key_b)) as component_key
from {{ id_links }}
group by node_key_a
    {%- endset -%}
    {%- set ns = namespace(labels=c360.cc_stage(plan, name ~ '_r0', initial_sql), converged=false, rounds=0) -%}

    {%- if plan.iterative -%}
        {%- for round in range(1, plan.max_iterations + 1) -%}
            {%- set next_labels = c360.cc_stage(plan, name ~ '_r' ~ round, c360.cc_round_sql(ns.labels, id_links)) -%}
            {%- set changed = c360.cc_scalar(c360.cc_changed_sql(next_labels)) | int -%}
            {%- do c360.cc_release(plan, ns.labels) -%}
            {%- set ns.labels = next_labels -%}
            {%- set ns.rounds = round -%}
            {%- if changed == 0 -%}
                {%- set ns.converged = true -%}
                {%- break -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if not ns.converged -%}
            {%- do exceptions.raise_compiler_error(
                'connected components "' ~ name ~ '" of ' ~ this ~ ' did not converge in '
                ~ plan.max_iterations ~ ' rounds; raise c360_identity_clusters.max_iterations'
            ) -%}
        {%- endif -%}
        {%- do c360.cc_release(plan, id_links) -%}
    {%- else -%}
        {%- for round in range(1, plan.inline_iterations + 1) -%}
            {%- set ns.labels = c360.cc_stage(plan, name ~ '_r' ~ round, c360.cc_round_sql(ns.labels, id_links)) -%}
        {%- endfor -%}
        {%- set ns.rounds = plan.inline_iterations -%}
    {%- endif -%}
    {%- do plan.rounds.update({name: ns.rounds}) -%}

    {%- if integer_keys -%}
        {%- set result = ns.labels -%}
    {%- else -%}
        {#- Back to node keys; nodes without an edge are their own component. -#}
        {%- set result_sql -%}
select
    keys.node_key,
    coalesce(component_keys.node_key, keys.node_key) as component_key
from {{ keys }} as keys
left join {{ ns.labels }} as labels
    on keys.node_id = labels.node_key
left join {{ keys }} as component_keys
    on labels.component_key = component_keys.node_id
        {%- endset -%}
        {%- set result = c360.cc_stage(plan, name ~ '_components', result_sql) -%}
        {%- do c360.cc_release(plan, keys) -%}
        {%- do c360.cc_release(plan, ns.labels) -%}
    {%- endif -%}
    {{ return(result) }}
{% endmacro %}


{#- Each edge of edges_sql in both directions, once, without self-loops. -#}
{% macro cc_links_sql(edges_sql) %}
    {%- set sql -%}
select distinct
    node_key_a,
    node_key_b
from (
    select
        node_key_a,
        node_key_b
    from ({{ edges_sql }}) as edges
    union all
    select
        node_key_b as node_key_a,
        node_key_a as node_key_b
    from ({{ edges_sql }}) as edges
) as both_directions
where node_key_a <> node_key_b
    {%- endset -%}
    {{ return(sql) }}
{% endmacro %}


{#-
    The rows of `relation` with the surrogate ids (from the stage `keys`:
    node_key, node_id) of its columns key_a and key_b, as id_a and id_b;
    keep_columns keeps the relation's own columns. Rows whose keys have no
    id are left out.
-#}
{% macro cc_node_ids_sql(relation, key_a, key_b, keys, id_a, id_b, keep_columns=false) %}
    {%- set sql -%}
select
    {%- if keep_columns %}
    keyed.*,
    {%- endif %}
    keys_a.node_id as {{ id_a }},
    keys_b.node_id as {{ id_b }}
from {{ relation }} as keyed
inner join {{ keys }} as keys_a
    on keyed.{{ key_a }} = keys_a.node_key
inner join {{ keys }} as keys_b
    on keyed.{{ key_b }} = keys_b.node_key
    {%- endset -%}
    {{ return(sql) }}
{% endmacro %}


{#-
    One round: hooking on the neighbours' grandparents plus pointer jumping.
    is_changed flags the nodes whose label the round lowered.
-#}
{% macro cc_round_sql(labels, links) %}
    {%- set sql -%}
with

grandparents as (
    select
        child.node_key,
        child.component_key as parent_key,
        parent.component_key as grandparent_key
    from {{ labels }} as child
    inner join {{ labels }} as parent
        on child.component_key = parent.node_key
),

neighbour_minimum as (
    select
        links.node_key_a as node_key,
        min(grandparents.grandparent_key) as hook_key
    from {{ links }} as links
    inner join grandparents
        on links.node_key_b = grandparents.node_key
    group by links.node_key_a
),

candidates as (
    select
        node_key,
        grandparent_key as candidate_key,
        parent_key as previous_key
    from grandparents
    union all
    select
        node_key,
        hook_key as candidate_key,
        cast(null as {{ dbt.type_bigint() }}) as previous_key
    from neighbour_minimum
    union all
    select
        grandparents.parent_key as node_key,
        neighbour_minimum.hook_key as candidate_key,
        cast(null as {{ dbt.type_bigint() }}) as previous_key
    from grandparents
    inner join neighbour_minimum
        on grandparents.node_key = neighbour_minimum.node_key
)

select
    node_key,
    min(candidate_key) as component_key,
    min(candidate_key) < max(previous_key) as is_changed
from candidates
group by node_key
    {%- endset -%}
    {{ return(sql) }}
{% endmacro %}


{#- Labels a round lowered (every node has its previous label in the round). -#}
{% macro cc_changed_sql(next_labels) %}
    {%- set sql -%}
select count(*) as changed_count
from {{ next_labels }}
where is_changed
    {%- endset -%}
    {{ return(sql) }}
{% endmacro %}


{#- ------------------------------------------------------------------ -#}
{#- Guarded merge of identity clusters                                  -#}
{#- ------------------------------------------------------------------ -#}

{#-
    Merges records into clusters tier by tier and returns a stage with the
    guard decisions: one row per (edge, identifier type) an over-merge guard
    acted on.

    Tiers: edges ordered by strength, deterministic before fuzzy, then by
    rule_rank (1 = strongest); all edges of one (is_deterministic,
    rule_rank) form one tier. Starting from single records, each tier's
    edges merge the components built by the stronger tiers:

    1. Edge check: an edge that on its own would join two components into
       one that breaks a guard is rejected.
    2. The remaining edges of the tier are merged (connected components of
       the component graph) into candidate clusters.
    3. Cluster check: a candidate cluster that breaks a guard is not formed;
       all of this tier's edges inside it are dropped and its components -
       built from stronger evidence - are kept as they were.

    Guards, for each identifier type (non-blocked identifiers only; birth
    dates come from the records). A merge can only break a guard when it
    adds values: the merged cluster holds more distinct values of the type
    than its largest part, i.e. no single part already holds them all.
    * max_per_customer: the merged cluster would hold more distinct values
      than `max_per_customer[type]`;
    * conflicting identifiers (fuzzy tiers only, types in
      `conflicting_identifier_types`): any added value, e.g. a second birth
      date or a second CRM contact.

    The first tier, when deterministic (the strongest rule), is never
    dropped: its violations are reported with is_edge_dropped = false.

    The clusters are then the connected components of all edges that were
    not dropped (see int_identity__clusters). Those are exactly the
    components the last tier leaves: every kept edge either lies inside a
    component or joined two in its tier, and every join was made by kept
    edges. With keep_components (iterative mode only), they are kept as the
    work table `<model>__cc_components` (record_key, component_key - the
    smallest record_key of its component -, invocation_id) for a later model
    of the same dbt invocation (c360.cc_kept_components).
-#}
{% macro identity_guarded_merge(plan, records_sql, identifiers_sql, edges_sql, keep_components=false) %}
    {%- set settings = c360.identity_cluster_settings() -%}
    {%- set limits = settings['max_per_customer'] or {} -%}
    {%- set conflict_types = settings['conflicting_identifier_types'] or [] -%}
    {%- set guarded_types = (limits.keys() | list + conflict_types) | unique | sort -%}

    {#- Tiers are numbered over the few distinct strengths, not by sorting every edge. -#}
    {%- set tiered_edges_sql -%}
select
    edges.record_key_a,
    edges.record_key_b,
    edges.match_rule,
    edges.rule_rank,
    edges.is_deterministic,
    tiers.tier
from ({{ edges_sql }}) as edges
inner join (
    select
        is_deterministic,
        rule_rank,
        dense_rank() over (
            order by case when is_deterministic then 0 else 1 end, rule_rank
        ) as tier
    from (
        select distinct
            is_deterministic,
            rule_rank
        from ({{ edges_sql }}) as edges
        where record_key_a <> record_key_b
    ) as strengths
) as tiers
    on
        edges.is_deterministic = tiers.is_deterministic
        and edges.rule_rank = tiers.rule_rank
where edges.record_key_a <> edges.record_key_b
    {%- endset -%}
    {%- set ranked_edges = c360.cc_stage(plan, 'ranked_edges', tiered_edges_sql) -%}

    {#-
        The merge runs on integer surrogate keys of the linked records,
        numbered in record_key order: the smallest node_id of a component is
        its smallest record_key. Records without an edge never merge. Every
        edge's records are records (a relationships test on the edges).
    -#}
    {%- set keys_sql -%}
select
    record_key as node_key,
    row_number() over (order by record_key) as node_id
from (
    select record_key_a as record_key from {{ ranked_edges }}
    union
    select record_key_b as record_key from {{ ranked_edges }}
) as linked
    {%- endset -%}
    {%- set keys = c360.cc_stage(plan, 'keys', keys_sql) -%}

    {%- set tiered_edges = c360.cc_stage(plan, 'edges', c360.cc_node_ids_sql(
        ranked_edges, 'record_key_a', 'record_key_b', keys, 'node_id_a', 'node_id_b', keep_columns=true)) -%}
    {%- do c360.cc_release(plan, ranked_edges) -%}

    {%- set record_values_sql -%}
select distinct
    keys.node_id as node_key,
    record_values.identifier_type,
    record_values.identifier_value
from (
    select
        record_key,
        identifier_type,
        identifier_value
    from ({{ identifiers_sql }}) as identifiers
    where
        identifier_value is not null
        and not coalesce(is_blocked, false)
        and identifier_type in (
            {%- for identifier_type in guarded_types %}'{{ identifier_type }}'{{ ', ' if not loop.last }}{% endfor -%}
            {{- "''" if guarded_types | length == 0 -}}
        )
    {%- if 'birth_date' in guarded_types %}
    union all
    select
        record_key,
        'birth_date' as identifier_type,
        cast(birth_date as {{ dbt.type_string() }}) as identifier_value
    from ({{ records_sql }}) as records
    where birth_date is not null
    {%- endif %}
) as record_values
inner join {{ keys }} as keys
    on record_values.record_key = keys.node_key
    {%- endset -%}
    {%- set record_values = c360.cc_stage(plan, 'values', record_values_sql) -%}

    {%- set guard_rules_sql -%}
{%- for identifier_type in guarded_types %}
select
    '{{ identifier_type }}' as identifier_type,
    cast({{ limits[identifier_type] if identifier_type in limits else 'null' }} as {{ dbt.type_int() }}) as max_per_customer,
    {{ 'true' if identifier_type in conflict_types else 'false' }} as is_conflict_type
{{ 'union all' if not loop.last }}
{%- endfor %}
{%- if guarded_types | length == 0 %}
select
    cast(null as {{ dbt.type_string() }}) as identifier_type,
    cast(null as {{ dbt.type_int() }}) as max_per_customer,
    false as is_conflict_type
where 1 = 0
{%- endif %}
    {%- endset -%}
    {%- set guard_rules = c360.cc_stage(plan, 'rules', guard_rules_sql) -%}

    {%- set initial_labels_sql -%}
select
    node_id as node_key,
    node_id as component_key
from {{ keys }}
    {%- endset -%}
    {%- set ns = namespace(labels=c360.cc_stage(plan, 'start_labels', initial_labels_sql), decisions=[]) -%}

    {%- if plan.iterative -%}
        {%- set tier_rows = run_query('select distinct tier from ' ~ tiered_edges ~ ' order by tier') -%}
        {%- set tiers = tier_rows.columns[0].values() | map('int') | list -%}
        {%- if tiers | length == 0 -%}
            {#- No edges: one empty tier gives the decisions their columns. -#}
            {%- set tiers = [0] -%}
        {%- endif -%}
    {%- else -%}
        {%- set tiers = range(1, (settings['inline_tiers'] | int) + 1) | list -%}
    {%- endif -%}

    {%- for tier in tiers -%}
        {%- set stage = 't' ~ tier ~ '_' -%}
        {%- set pair_key = c360.cc_pair_key('component_key_a', 'component_key_b') -%}

        {#- The tier's edges with the components their records are in. -#}
        {%- set tier_edges_sql -%}
select
    edges.record_key_a,
    edges.record_key_b,
    edges.match_rule,
    edges.rule_rank,
    edges.is_deterministic,
    edges.tier,
    labels_a.component_key as component_key_a,
    labels_b.component_key as component_key_b,
    (edges.tier = 1 and edges.is_deterministic) as is_protected
from {{ tiered_edges }} as edges
inner join {{ ns.labels }} as labels_a
    on edges.node_id_a = labels_a.node_key
inner join {{ ns.labels }} as labels_b
    on edges.node_id_b = labels_b.node_key
where edges.tier = {{ tier }}
        {%- endset -%}
        {%- set tier_edges = c360.cc_stage(plan, stage ~ 'edges', tier_edges_sql) -%}

        {#- Each component the tier's edges would merge: its number of values of each guarded type. -#}
        {%- set value_counts_sql -%}
select
    labels.component_key,
    record_values.identifier_type,
    count(distinct record_values.identifier_value) as value_count
from (
    select component_key_a as component_key from {{ tier_edges }}
    where component_key_a <> component_key_b
    union
    select component_key_b as component_key from {{ tier_edges }}
    where component_key_a <> component_key_b
) as merged_components
inner join {{ ns.labels }} as labels
    on merged_components.component_key = labels.component_key
inner join {{ record_values }} as record_values
    on labels.node_key = record_values.node_key
group by labels.component_key, record_values.identifier_type
        {%- endset -%}
        {%- set value_counts = c360.cc_stage(plan, stage ~ 'value_counts', value_counts_sql) -%}

        {#- 1. Edge check: each pair of components on its own. -#}
        {%- set pair_members_sql -%}
select distinct
    {{ pair_key }} as group_key,
    component_key_a as component_key
from {{ tier_edges }}
where component_key_a <> component_key_b and not is_protected
union
select distinct
    {{ pair_key }} as group_key,
    component_key_b as component_key
from {{ tier_edges }}
where component_key_a <> component_key_b and not is_protected
        {%- endset -%}
        {%- set pair_violations = c360.cc_stage(plan, stage ~ 'pair_guards',
            c360.cc_guard_violations_sql(pair_members_sql, ns.labels, record_values, value_counts, guard_rules,
                tier_edges)) -%}

        {%- set candidate_edges_sql -%}
select tier_edges.*
from {{ tier_edges }} as tier_edges
left join (
    select distinct group_key from {{ pair_violations }}
) as rejected
    on {{ c360.cc_pair_key('tier_edges.component_key_a', 'tier_edges.component_key_b') }} = rejected.group_key
where
    tier_edges.component_key_a <> tier_edges.component_key_b
    and rejected.group_key is null
        {%- endset -%}
        {%- set candidate_edges = c360.cc_stage(plan, stage ~ 'candidates', candidate_edges_sql) -%}

        {#- 2. Candidate clusters: components of the component graph. -#}
        {%- set candidate_labels = c360.connected_components(
            plan,
            stage ~ 'cc',
            'select component_key_a as node_key_a, component_key_b as node_key_b from ' ~ candidate_edges,
            integer_keys=true,
        ) -%}

        {#- 3. Cluster check: each candidate cluster as a whole. -#}
        {%- set cluster_members_sql -%}
select
    component_key as group_key,
    node_key as component_key
from {{ candidate_labels }}
        {%- endset -%}
        {%- set cluster_violations = c360.cc_stage(plan, stage ~ 'cluster_guards',
            c360.cc_guard_violations_sql(cluster_members_sql, ns.labels, record_values, value_counts, guard_rules,
                tier_edges)) -%}

        {%- set decisions_sql -%}
select
    tier_edges.tier,
    tier_edges.match_rule,
    tier_edges.rule_rank,
    tier_edges.is_deterministic,
    tier_edges.record_key_a,
    tier_edges.record_key_b,
    tier_edges.component_key_a,
    tier_edges.component_key_b,
    least(tier_edges.component_key_a, tier_edges.component_key_b) as cluster_key,
    'edge' as guard_scope,
    violations.guard,
    violations.identifier_type,
    violations.limit_value,
    violations.observed_count,
    violations.largest_component_count,
    true as is_edge_dropped
from {{ tier_edges }} as tier_edges
inner join {{ pair_violations }} as violations
    on {{ c360.cc_pair_key('tier_edges.component_key_a', 'tier_edges.component_key_b') }} = violations.group_key
union all
select
    candidate_edges.tier,
    candidate_edges.match_rule,
    candidate_edges.rule_rank,
    candidate_edges.is_deterministic,
    candidate_edges.record_key_a,
    candidate_edges.record_key_b,
    candidate_edges.component_key_a,
    candidate_edges.component_key_b,
    candidate_labels.component_key as cluster_key,
    'cluster' as guard_scope,
    violations.guard,
    violations.identifier_type,
    violations.limit_value,
    violations.observed_count,
    violations.largest_component_count,
    not candidate_edges.is_protected as is_edge_dropped
from {{ candidate_edges }} as candidate_edges
inner join {{ candidate_labels }} as candidate_labels
    on candidate_edges.component_key_a = candidate_labels.node_key
inner join {{ cluster_violations }} as violations
    on candidate_labels.component_key = violations.group_key
        {%- endset -%}
        {%- set decisions = c360.cc_stage(plan, stage ~ 'decisions', decisions_sql) -%}
        {%- do ns.decisions.append(decisions) -%}

        {#- Components after this tier: candidate clusters that passed (or are protected). -#}
        {%- set next_labels_sql -%}
select
    labels.node_key,
    coalesce(accepted_merges.candidate_key, labels.component_key) as component_key
from {{ ns.labels }} as labels
left join (
    select
        candidate_labels.node_key,
        candidate_labels.component_key as candidate_key
    from {{ candidate_labels }} as candidate_labels
    left join (
        select distinct decisions.cluster_key
        from {{ decisions }} as decisions
        where decisions.guard_scope = 'cluster' and decisions.is_edge_dropped
    ) as blocked
        on candidate_labels.component_key = blocked.cluster_key
    where blocked.cluster_key is null
) as accepted_merges
    on labels.component_key = accepted_merges.node_key
        {%- endset -%}
        {%- set next_labels = c360.cc_stage(plan, stage ~ 'labels', next_labels_sql) -%}

        {%- for finished in [tier_edges, value_counts, pair_violations, candidate_edges, candidate_labels,
                             cluster_violations, ns.labels] -%}
            {%- do c360.cc_release(plan, finished) -%}
        {%- endfor -%}
        {%- set ns.labels = next_labels -%}
    {%- endfor -%}

    {#- Back to record keys. -#}
    {%- set result_sql -%}
select
    decisions.tier,
    decisions.match_rule,
    decisions.rule_rank,
    decisions.is_deterministic,
    decisions.record_key_a,
    decisions.record_key_b,
    keys_a.node_key as component_key_a,
    keys_b.node_key as component_key_b,
    cluster_keys.node_key as cluster_key,
    decisions.guard_scope,
    decisions.guard,
    decisions.identifier_type,
    decisions.limit_value,
    decisions.observed_count,
    decisions.largest_component_count,
    decisions.is_edge_dropped
from (
{%- for decisions in ns.decisions %}
    select * from {{ decisions }}
    {{ 'union all' if not loop.last }}
{%- endfor %}
) as decisions
inner join {{ keys }} as keys_a
    on decisions.component_key_a = keys_a.node_id
inner join {{ keys }} as keys_b
    on decisions.component_key_b = keys_b.node_id
inner join {{ keys }} as cluster_keys
    on decisions.cluster_key = cluster_keys.node_id
    {%- endset -%}
    {%- set result = c360.cc_stage(plan, 'result', result_sql) -%}

    {%- if keep_components and plan.iterative -%}
        {%- set components_sql -%}
select
    keys.node_key as record_key,
    component_keys.node_key as component_key,
    '{{ invocation_id }}' as invocation_id
from {{ ns.labels }} as labels
inner join {{ keys }} as keys
    on labels.node_key = keys.node_id
inner join {{ keys }} as component_keys
    on labels.component_key = component_keys.node_id
        {%- endset -%}
        {#- Known to dbt's relation cache, which a later model consults. -#}
        {%- do adapter.cache_added(c360.cc_stage(plan, 'components', components_sql)) -%}
    {%- endif -%}
    {%- for finished in ns.decisions + [tiered_edges, record_values, guard_rules, ns.labels, keys] -%}
        {%- do c360.cc_release(plan, finished) -%}
    {%- endfor -%}
    {{ return(result) }}
{% endmacro %}


{#-
    The components an identity_guarded_merge(keep_components=true) of the
    model `merge_relation` kept in this dbt invocation, or none: in inline
    mode, when that model did not run in this invocation (the components
    may be stale: a later run of it alone, a retry) or when it kept none (no
    edges). Only linked records are listed.
-#}
{% macro cc_kept_components(plan, merge_relation) %}
    {%- if not plan.iterative -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set kept = c360.cc_work_relation(merge_relation, 'components') -%}
    {%- set existing = adapter.get_relation(database=kept.database, schema=kept.schema, identifier=kept.identifier) -%}
    {%- if existing is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set current = c360.cc_scalar(
        "select count(*) from " ~ existing ~ " where invocation_id = '" ~ invocation_id ~ "'") | int -%}
    {{ return(existing if current > 0 else none) }}
{% endmacro %}


{#- An unambiguous key for an unordered pair of integer keys (below 2^31). -#}
{% macro cc_pair_key(key_a, key_b) %}
    {{- return('cast(least(' ~ key_a ~ ', ' ~ key_b ~ ') as ' ~ dbt.type_bigint() ~ ') * 2147483648 + greatest('
        ~ key_a ~ ', ' ~ key_b ~ ')') -}}
{% endmacro %}


{#-
    Groups of components (a pair, or a candidate cluster) that break a
    guard: one row per (group, identifier type). members_sql selects
    distinct group_key, component_key; value_counts holds each member
    component's number of values of each type.

    A first pass finds the few groups that might break a guard from their
    components' own numbers of values: a group holds at most their sum, and
    its largest component exactly their maximum, so it needs a sum above
    that maximum and above the limit (or, for a conflict, values in two of
    its components). Only those groups are then checked value by value.
-#}
{% macro cc_guard_violations_sql(members_sql, labels, record_values, value_counts, guard_rules, tier_edges) %}
    {%- set sql -%}
with

tier_kind as (
    select max(case when is_deterministic then 0 else 1 end) as is_fuzzy_tier
    from {{ tier_edges }}
),

members as (
    {{ members_sql | indent(4) }}
),

group_bounds as (
    select
        members.group_key,
        value_counts.identifier_type,
        sum(value_counts.value_count) as value_sum,
        max(value_counts.value_count) as largest_value_count
    from members
    inner join {{ value_counts }} as value_counts
        on members.component_key = value_counts.component_key
    group by members.group_key, value_counts.identifier_type
),

suspect_groups as (
    select distinct group_bounds.group_key
    from group_bounds
    inner join {{ guard_rules }} as guard_rules
        on group_bounds.identifier_type = guard_rules.identifier_type
    cross join tier_kind
    where {{ c360.cc_guard_broken('group_bounds.value_sum', 'group_bounds.largest_value_count') }}
),

member_values as (
    select distinct
        members.group_key,
        members.component_key,
        record_values.identifier_type,
        record_values.identifier_value
    from members
    inner join suspect_groups
        on members.group_key = suspect_groups.group_key
    inner join {{ labels }} as labels
        on members.component_key = labels.component_key
    inner join {{ record_values }} as record_values
        on labels.node_key = record_values.node_key
),

component_counts as (
    select
        group_key,
        component_key,
        identifier_type,
        count(*) as value_count
    from member_values
    group by group_key, component_key, identifier_type
),

largest_components as (
    select
        group_key,
        identifier_type,
        max(value_count) as largest_component_count
    from component_counts
    group by group_key, identifier_type
),

group_counts as (
    select
        group_key,
        identifier_type,
        count(distinct identifier_value) as observed_count
    from member_values
    group by group_key, identifier_type
)

select
    group_counts.group_key,
    group_counts.identifier_type,
    case
        when group_counts.observed_count > guard_rules.max_per_customer then 'max_per_customer'
        else 'conflicting_identifiers'
    end as guard,
    guard_rules.max_per_customer as limit_value,
    group_counts.observed_count,
    largest_components.largest_component_count
from group_counts
inner join largest_components
    on
        group_counts.group_key = largest_components.group_key
        and group_counts.identifier_type = largest_components.identifier_type
inner join {{ guard_rules }} as guard_rules
    on group_counts.identifier_type = guard_rules.identifier_type
cross join tier_kind
where {{ c360.cc_guard_broken('group_counts.observed_count', 'largest_components.largest_component_count') }}
    {%- endset -%}
    {{ return(sql) }}
{% endmacro %}


{#-
    A group breaks its type's guard: it holds more values than its largest
    component (the merge adds some), and more than the limit or, in a fuzzy
    tier, any added value of a conflicting type. Reads guard_rules and
    tier_kind.
-#}
{% macro cc_guard_broken(value_count, largest_count) %}
    {{- return(
        '(' ~ value_count ~ ' > ' ~ largest_count ~ ' and ('
        ~ value_count ~ ' > guard_rules.max_per_customer'
        ~ ' or (guard_rules.is_conflict_type and tier_kind.is_fuzzy_tier = 1)))'
    ) -}}
{% endmacro %}
