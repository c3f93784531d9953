{#-
    Normalisation for identity resolution (models/intermediate/identity).
    Every key is built from values staging already cleaned; these macros only
    make them comparable across sources.
-#}

{#-
    A name as a matching key: lower case, accents folded, only the letters
    a-z kept ("O'Brien" → obrien, "Jean-Luc" → jeanluc, "Müller" → muller);
    null when nothing is left.
-#}
{% macro identity_name_key(expr) -%}
    nullif({{ c360.regexp_replace_all(c360.fold_accents(expr), '[^a-z]', '') }}, '')
{%- endmacro %}


{#- A postal code as a matching key: upper case, letters and digits only ("sw1a 1aa" → SW1A1AA). -#}
{% macro identity_postal_code_key(expr) -%}
    nullif(upper({{ c360.regexp_replace_all(expr, '[^A-Za-z0-9]', '') }}), '')
{%- endmacro %}


{#- An email as a matching key: staging's cleaned address without a "+tag" in the local part. -#}
{% macro identity_email_key(expr) -%}
    nullif({{ c360.regexp_replace_all('lower(trim(' ~ expr ~ '))', '[+][^@]*@', '@') }}, '')
{%- endmacro %}


{#-
    One part of a person's name held in a single field, for display
    (cleaned and capitalised per word):
      "Ray, Ricky"      → first Ricky, last Ray   (a comma means "Last, First")
      "Ricky Ray"       → first Ricky, last Ray   (otherwise "First Last")
      "Mary Ann Smith"  → first Mary, last Ann Smith
      "Ricky"           → first Ricky, no last name
    A middle name after a comma form ("Ray, Ricky J") is dropped.
    part: 'first' or 'last'.
-#}
{% macro identity_split_full_name(expr, part) -%}
    {%- set cleaned = c360.clean_text(expr) -%}
    {%- set comma = dbt.position("','", cleaned) -%}
    {%- set after_comma = c360.clean_text('substr(' ~ cleaned ~ ', ' ~ comma ~ ' + 1)') -%}
    {%- set first_word = dbt.split_part(cleaned, "' '", 1) -%}
    {%- if part == 'first' -%}
        {{ c360.initcap('case when ' ~ comma ~ ' > 0 then '
            ~ dbt.split_part(after_comma, "' '", 1) ~ ' else ' ~ first_word ~ ' end') }}
    {%- elif part == 'last' -%}
        {{ c360.initcap('case when ' ~ comma ~ ' > 0 then '
            ~ c360.clean_text('substr(' ~ cleaned ~ ', 1, ' ~ comma ~ ' - 1)')
            ~ ' else ' ~ c360.clean_text('substr(' ~ cleaned ~ ', length(' ~ first_word ~ ') + 1)') ~ ' end') }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("identity_split_full_name: part must be 'first' or 'last', got " ~ part) }}
    {%- endif -%}
{%- endmacro %}


{#-
    Composite identifier value: the parts (SQL text expressions) joined by
    '|', null unless every part is present.
-#}
{% macro identity_composite(parts) -%}
    {%- set pieces = [] -%}
    {%- for p in parts -%}
        {%- if not loop.first %}{% do pieces.append("'|'") %}{% endif -%}
        {%- do pieces.append(p) -%}
    {%- endfor -%}
    case
        when {% for p in parts %}{{ p }} is not null{% if not loop.last %} and {% endif %}{% endfor %}
            then {{ dbt.concat(pieces) }}
    end
{%- endmacro %}


{#-
    The parts of a text key built from several columns, for dbt.concat:
    every column cast to text with null as '', separated by '|'.
-#}
{% macro identity_profile_parts(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first %}{% do parts.append("'|'") %}{% endif -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '')") -%}
    {%- endfor -%}
    {{ return(parts) }}
{%- endmacro %}


{#-
    The match rules of `c360_identity.rule_order`, strongest first, split by
    kind: `deterministic` (identifier types), `fuzzy` (rules under
    c360_identity.fuzzy.rules), `score` (the fuzzy rules with an evidence
    score) and `order` (all of them, name_only and email_name included). An unknown rule
    fails compilation.
-#}
{% macro identity_rules() -%}
    {%- set identity = var('c360_identity', {}) -%}
    {%- set fuzzy_rules = identity.get('fuzzy', {}).get('rules', {}) -%}
    {%- set identifier_types = [
        'record_reference', 'crm_contact_id', 'billing_customer_id', 'web_customer_id', 'loyalty_number',
        'app_user_id', 'device_id', 'email', 'phone', 'social_handle', 'name_birth_date', 'name_address'
    ] -%}
    {%- set rules = {
        'order': identity.get('rule_order', identifier_types), 'deterministic': [], 'fuzzy': [], 'score': []
    } -%}
    {%- for rule in rules.order -%}
        {%- if rule in identifier_types -%}
            {%- do rules.deterministic.append(rule) -%}
        {%- elif rule in fuzzy_rules -%}
            {%- do rules.fuzzy.append(rule) -%}
            {%- if fuzzy_rules[rule].get('score') -%}
                {%- do rules.score.append(rule) -%}
            {%- endif -%}
        {%- elif rule not in ['name_only', 'email_name'] -%}
            {{ exceptions.raise_compiler_error("c360_identity.rule_order: '" ~ rule ~ "' is neither an identifier type, nor a rule under c360_identity.fuzzy.rules, nor name_only or email_name") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(rules) }}
{%- endmacro %}


{#-
    Columns of int_identity__records that can tie a record to another one. A
    record with none of them (a device that never logged in, a consent that
    names no one) is anonymous: no rule can link it and it becomes no
    customer. A device id is not among them: one record holds it.
-#}
{% macro identity_identifying_columns() -%}
    {{ return([
        'first_name_key', 'last_name_key', 'email', 'phone', 'birth_date', 'postal_code_key', 'street_key',
        'city_key', 'crm_contact_id', 'web_customer_id', 'loyalty_number', 'billing_customer_id',
        'app_user_id', 'social_handle', 'referenced_record_key'
    ]) }}
{%- endmacro %}

{#-
    The attributes fuzzy rules compare: a profile (int_identity__profiles) is
    one distinct combination of them.
-#}
{% macro identity_profile_columns() -%}
    {{ return([
        'first_name_key', 'first_name_canonical', 'last_name_key', 'street_key', 'postal_code_key',
        'city_key', 'country_code', 'birth_date', 'phone'
    ]) }}
{%- endmacro %}


{#-
    Similarity of two given names (name keys) in [0, 1]: the best of
      - string_similarity of the keys,
      - string_similarity of their canonical forms (nicknames seed), when given,
      - `prefix_similarity` when one key (or canonical form) starts with the
        other and the shorter has at least `prefix_min_length` letters: a
        shortened name ("pat" / "patricia", "chris" / "christina").
    Null when either key is null.
-#}
{% macro identity_given_name_similarity(a, b, a_canonical=none, b_canonical=none) -%}
    {%- set fuzzy = var('c360_identity', {}).get('fuzzy', {}) -%}
    {%- set prefix_min_length = fuzzy.get('prefix_min_length', 3) -%}
    {%- set prefix_similarity = fuzzy.get('prefix_similarity', 0.9) -%}
    greatest(
        {{ c360.string_similarity(a, b) }},
        {%- if a_canonical and b_canonical %}
        {{ c360.string_similarity(a_canonical, b_canonical) }},
        {%- endif %}
        {{ c360.identity_prefix_similarity(a, b, prefix_min_length, prefix_similarity) }}
        {%- if a_canonical and b_canonical %},
        {{ c360.identity_prefix_similarity(a_canonical, b_canonical, prefix_min_length, prefix_similarity) }}
        {%- endif %}
    )
{%- endmacro %}


{#- `similarity` when one name starts with the other, the shorter having at least `min_length` letters; else null. -#}
{% macro identity_prefix_similarity(a, b, min_length, similarity) -%}
    case
        when
            least(length({{ a }}), length({{ b }})) >= {{ min_length }}
            and (
                left({{ b }}, length({{ a }})) = {{ a }}
                or left({{ a }}, length({{ b }})) = {{ b }}
            )
            then {{ similarity }}
    end
{%- endmacro %}


{#-
    The blocking keys of profiles (int_identity__edges): one select per key,
    unioned, giving (profile_key, block_value). `keys` is
    c360_identity.fuzzy.blocking_keys: name → {columns: [...], plus at most
    one name part}:
      name_initials: true      the first letters of the canonical first name
                               and of the last name, in alphabetical order
                               (the same for swapped names and for nicknames
                               such as bill / william);
      name_prefix_length: n    the first n letters of the first name key, and
                               in a second select of the last name key (so
                               swapped names still meet).
-#}
{% macro identity_blocking_keys(relation, keys) -%}
    {%- set selects = [] -%}
    {%- for key_name, key in keys.items() -%}
        {%- if key.get('name_initials') -%}
            {%- set first = 'left(first_name_canonical, 1)' -%}
            {%- set last = 'left(last_name_key, 1)' -%}
            {%- set name_parts = [['least(' ~ first ~ ', ' ~ last ~ ')', "'|'", 'greatest(' ~ first ~ ', ' ~ last ~ ')']] -%}
        {%- elif key.get('name_prefix_length') -%}
            {%- set name_parts = [
                ['left(first_name_key, ' ~ key.name_prefix_length ~ ')'],
                ['left(last_name_key, ' ~ key.name_prefix_length ~ ')']
            ] -%}
        {%- else -%}
            {%- set name_parts = [[]] -%}
        {%- endif -%}
        {%- for name_part in name_parts -%}
            {%- set parts = ["'" ~ key_name ~ "'"] -%}
            {%- for column in key.columns -%}
                {%- do parts.append("'|'") -%}
                {%- do parts.append('cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')') -%}
            {%- endfor -%}
            {%- if name_part -%}
                {%- do parts.append("'|'") -%}
                {%- do parts.extend(name_part) -%}
            {%- endif -%}
            {%- do selects.append(
                'select profile_key, ' ~ dbt.concat(parts) ~ ' as block_value from ' ~ relation
                ~ ' where ' ~ key.columns | join(' is not null and ') ~ ' is not null'
            ) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not selects -%}
        {{ exceptions.raise_compiler_error('c360_identity.fuzzy.blocking_keys: at least one blocking key is needed') }}
    {%- endif -%}
    {{ selects | join('\n    union\n    ') }}
{%- endmacro %}


{#-
    Comma-separated names of the fields on which two records agree (null when
    none): similarity fields at or above `similarity`, agreement fields equal.
-#}
{% macro identity_agreeing_fields(relation, similarity_fields, agreement_fields, similarity) -%}
    {%- set parts = [] -%}
    {%- for field in similarity_fields -%}
        {%- do parts.append('case when ' ~ relation ~ '.' ~ field ~ '_similarity >= ' ~ similarity ~ " then '" ~ field ~ "' end") -%}
    {%- endfor -%}
    {%- for field in agreement_fields -%}
        {%- do parts.append('case when ' ~ relation ~ '.' ~ field ~ "_agrees then '" ~ field ~ "' end") -%}
    {%- endfor -%}
    nullif(concat_ws(',', {{ parts | join(', ') }}), '')
{%- endmacro %}


{#-
    The select that maps one staged table to the columns of an identity
    record (int_identity__records), from its entry in c360_identity.records:
    source_name, table_name, record_id, first_name, last_name, email, phone,
    street, street_line, postal_code, city, country_code, crm_contact_id, web_customer_id,
    loyalty_number, billing_customer_id, app_user_id, device_id,
    social_handle, birth_date, referenced_record_key, record_at. Unmapped
    columns are null; a
    full_name is split into first and last name; text is cleaned. With
    one_row_per_record_id the rows of a record are grouped: a column keeps its
    value when all rows agree on it, record_at is the earliest.
-#}
{% macro identity_mapped_records(relation, source_name, table_name, mapping) -%}
    {%- set text_columns = [
        'email', 'phone', 'street', 'street_line', 'postal_code', 'city', 'country_code',
        'crm_contact_id', 'web_customer_id', 'loyalty_number', 'billing_customer_id',
        'app_user_id', 'device_id', 'social_handle'
    ] -%}
    {%- for required in ['record_id', 'record_at'] -%}
        {%- if not mapping.get(required) -%}
            {{ exceptions.raise_compiler_error('c360_identity.records.' ~ source_name ~ '.' ~ table_name ~ ': ' ~ required ~ ' is required') }}
        {%- endif -%}
    {%- endfor -%}
    {%- set grouped = mapping.get('one_row_per_record_id', false) -%}
    {%- set record_id = c360.clean_id(mapping.record_id) -%}
    {%- set values = {} -%}
    {%- if mapping.get('full_name') -%}
        {%- do values.update({
            'first_name': c360.identity_split_full_name(mapping.full_name, 'first'),
            'last_name': c360.identity_split_full_name(mapping.full_name, 'last')
        }) -%}
    {%- else -%}
        {%- do values.update({
            'first_name': c360.clean_text(mapping.first_name) if mapping.get('first_name') else none,
            'last_name': c360.clean_text(mapping.last_name) if mapping.get('last_name') else none
        }) -%}
    {%- endif -%}
    {%- for column in text_columns -%}
        {%- do values.update({column: c360.clean_id(mapping[column]) if mapping.get(column) else none}) -%}
    {%- endfor -%}
    {%- do values.update({'birth_date': mapping.birth_date if mapping.get('birth_date') else none}) -%}
    {%- set reference = mapping.get('same_person_as') -%}
    {%- if reference -%}
        {%- if not reference.get('table') or not reference.get('column') -%}
            {{ exceptions.raise_compiler_error('c360_identity.records.' ~ source_name ~ '.' ~ table_name ~ '.same_person_as needs table (source.table) and column') }}
        {%- endif -%}
        {%- set referenced_id = c360.clean_id(reference.column) -%}
        {%- do values.update({'referenced_record_key':
            'case when ' ~ referenced_id ~ ' is not null then '
            ~ dbt.concat(["'" ~ reference.table ~ ":'", referenced_id]) ~ ' end'}) -%}
    {%- else -%}
        {%- do values.update({'referenced_record_key': none}) -%}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for column in ['first_name', 'last_name'] + text_columns + ['birth_date', 'referenced_record_key'] -%}
        {%- set expr = values[column] -%}
        {%- if expr is none -%}
            {%- set null_type = 'date' if column == 'birth_date' else dbt.type_string() -%}
            {%- do columns.append('cast(null as ' ~ null_type ~ ') as ' ~ column) -%}
        {%- elif grouped -%}
            {%- do columns.append('case when count(distinct ' ~ expr ~ ') = 1 then min(' ~ expr ~ ') end as ' ~ column) -%}
        {%- else -%}
            {%- do columns.append(expr ~ ' as ' ~ column) -%}
        {%- endif -%}
    {%- endfor -%}
    select
        '{{ source_name }}' as source_name,
        '{{ table_name }}' as table_name,
        {{ record_id }} as record_id,
        {{ columns | join(',\n        ') }},
        {% if grouped %}min({{ mapping.record_at }}){% else %}{{ mapping.record_at }}{% endif %} as record_at
    from {{ relation }}
    where {{ record_id }} is not null
    {%- if grouped %}
    group by {{ record_id }}
    {%- endif %}
{%- endmacro %}


{#-
    Evidence score of a candidate pair: for each field, the points of the
    first level whose minimum similarity the pair reaches (levels are
    [min_similarity, points] pairs, strongest first); a field missing on
    either side adds nothing. similarities maps a field to its SQL
    similarity expression (0..1, null when missing).
-#}
{% macro identity_evidence_score(levels_by_field, similarities) -%}
    {%- set terms = [] -%}
    {%- for field, levels in levels_by_field.items() -%}
        {%- set whens = [] -%}
        {%- for level in levels -%}
            {%- do whens.append('when ' ~ similarities[field] ~ ' >= ' ~ level[0] ~ ' then ' ~ level[1]) -%}
        {%- endfor -%}
        {%- do terms.append('coalesce(case ' ~ whens | join(' ') ~ ' end, 0)') -%}
    {%- endfor -%}
    {{ terms | join('\n        + ') if terms else '0' }}
{%- endmacro %}


{#-
    Whether some fuzzy rule could still accept a pair (SQL boolean), judged
    before the costly similarities are computed: a gate that never turns
    away a pair a rule accepts, so leaving out the pairs it rejects changes
    no link.
      rule_names:    the fuzzy rules, in order (c360_identity.rule_order);
      conflicting:   fields no fuzzy link may have in conflict
                     (fuzzy.never_when_conflicting);
      agrees:        field -> SQL true when the field is equal on both sides
                     (initials included);
      conflicts:     field -> SQL true when the field certainly conflicts
                     (present on both sides with different values; for
                     birth_date, no typo could explain the difference);
      similarities:  field -> SQL similarity, for fields already known;
      bounds:        field -> (may_be_exact, may_be_present), SQL for fields
                     not compared yet: the similarity can only be 1.0 when
                     may_be_exact holds, and is null unless may_be_present
                     holds.
    A rule could accept the pair when its must_agree, any_agree and
    never_when_conflicting fields hold, each min_similarity is met (or could
    be, for a field not compared yet), and its score could reach min_score:
    a field not compared yet counts its best level (or, when it cannot be
    exact, its best level below 1.0; 0 when it is missing).
-#}
{% macro identity_fuzzy_gate(rule_names, conflicting, agrees, conflicts, similarities, bounds) -%}
    {%- set fuzzy_rules = var('c360_identity', {}).get('fuzzy', {}).get('rules', {}) -%}
    {%- set rule_gates = [] -%}
    {%- for rule_name in rule_names -%}
        {%- set rule = fuzzy_rules[rule_name] -%}
        {%- set conditions = [] -%}
        {%- for field, threshold in rule.get('min_similarity', {}).items() -%}
            {%- if field in similarities -%}
                {%- do conditions.append('coalesce(' ~ similarities[field] ~ ' >= ' ~ threshold ~ ', false)') -%}
            {%- else -%}
                {%- do conditions.append('(' ~ bounds[field][1] ~ ')') -%}
                {%- if threshold >= 1.0 -%}
                    {%- do conditions.append('(' ~ bounds[field][0] ~ ')') -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
        {%- for field in rule.get('must_agree', []) -%}
            {%- do conditions.append(agrees[field]) -%}
        {%- endfor -%}
        {%- if rule.get('any_agree') -%}
            {%- set any_agree = [] -%}
            {%- for field in rule.any_agree -%}
                {%- do any_agree.append(agrees[field]) -%}
            {%- endfor -%}
            {%- do conditions.append('(' ~ any_agree | join(' or ') ~ ')') -%}
        {%- endif -%}
        {%- for field in rule.get('never_when_conflicting', []) -%}
            {%- do conditions.append('not ' ~ conflicts[field]) -%}
        {%- endfor -%}
        {%- if rule.get('score') -%}
            {%- set terms = [] -%}
            {%- for field, levels in rule.score.items() -%}
                {%- if field in similarities -%}
                    {%- do terms.append(c360.identity_evidence_score({field: levels}, {field: similarities[field]})) -%}
                {%- else -%}
                    {%- set best = [0] -%}
                    {%- set best_inexact = [0] -%}
                    {%- for level in levels -%}
                        {%- do best.append(level[1]) -%}
                        {%- if level[0] < 1.0 -%}
                            {%- do best_inexact.append(level[1]) -%}
                        {%- endif -%}
                    {%- endfor -%}
                    {%- do terms.append('case when ' ~ bounds[field][0] ~ ' then ' ~ best | max
                        ~ ' when ' ~ bounds[field][1] ~ ' then ' ~ best_inexact | max ~ ' else 0 end') -%}
                {%- endif -%}
            {%- endfor -%}
            {%- do conditions.append('(' ~ terms | join('\n            + ') ~ ') >= ' ~ rule.get('min_score', 0)) -%}
        {%- endif -%}
        {%- do rule_gates.append('(' ~ (conditions | join('\n            and ') if conditions else 'true') ~ ')') -%}
    {%- endfor -%}
    {%- set gate = [] -%}
    {%- for field in conflicting -%}
        {%- do gate.append('not ' ~ conflicts[field]) -%}
    {%- endfor -%}
    {%- do gate.append('(' ~ (rule_gates | join('\n        or ') if rule_gates else 'false') ~ ')') -%}
    {{ gate | join('\n        and ') }}
{%- endmacro %}


{#-
    True when two records' names say they are two people: both have a name,
    and no name part of one starts with the letter of the same part of the
    other (first names raw or canonical, so nicknames, initials and typos
    after the first letter agree), nor do both parts agree so when swapped,
    nor does one hold the other's last name of at least three letters (names
    written as one word: "lizwaters", "Liz Waters"). Only names that differ
    from their first letters conflict: "Palace Court" and "Cafe Roma"
    sharing a hotel's switchboard number. `a` and `b` are relation aliases
    with first_name_key, first_name_canonical and last_name_key.
-#}
{% macro identity_names_conflict(a, b) -%}
    {%- set firsts = ['first_name_key', 'first_name_canonical'] -%}
    {%- set direct = [c360.identity_initial(a ~ '.last_name_key') ~ ' = ' ~ c360.identity_initial(b ~ '.last_name_key')] -%}
    {%- set swapped_first = [] -%}
    {%- set swapped_last = [] -%}
    {%- for first in firsts -%}
        {%- for other in firsts -%}
            {%- do direct.append(c360.identity_initial(a ~ '.' ~ first) ~ ' = ' ~ c360.identity_initial(b ~ '.' ~ other)) -%}
        {%- endfor -%}
        {%- do swapped_first.append(c360.identity_initial(a ~ '.' ~ first) ~ ' = ' ~ c360.identity_initial(b ~ '.last_name_key')) -%}
        {%- do swapped_last.append(c360.identity_initial(a ~ '.last_name_key') ~ ' = ' ~ c360.identity_initial(b ~ '.' ~ first)) -%}
    {%- endfor -%}
    {%- set contained = [] -%}
    {%- for x, y in [(a, b), (b, a)] -%}
        {%- do contained.append(
            'length(' ~ x ~ '.last_name_key) >= 3 and '
            ~ dbt.position(x ~ '.last_name_key', dbt.concat(["coalesce(" ~ y ~ ".first_name_key, '')", "coalesce(" ~ y ~ ".last_name_key, '')"]))
            ~ ' > 0'
        ) -%}
    {%- endfor -%}
    (
        ({{ a }}.first_name_key is not null or {{ a }}.last_name_key is not null)
        and ({{ b }}.first_name_key is not null or {{ b }}.last_name_key is not null)
        and not coalesce({{ direct | join(' or ') }}, false)
        and not (
            coalesce({{ swapped_first | join(' or ') }}, true)
            and coalesce({{ swapped_last | join(' or ') }}, true)
            and coalesce({{ (swapped_first + swapped_last) | join(' or ') }}, false)
        )
        and not coalesce({{ contained | join(' or ') }}, false)
    )
{%- endmacro %}


{% macro identity_initial(column) -%}
    substring({{ column }}, 1, 1)
{%- endmacro %}
