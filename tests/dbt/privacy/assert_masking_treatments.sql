{#-
    Every masking treatment of the privacy policy (macros/privacy) on this
    engine, on literal values: a row is a treatment that did not give what
    it should.
-#}
{%- set birth_date = 'cast(' ~ dbt.dateadd('day', -(35 * 365 + 20), c360.as_of_date()) ~ ' as date)' -%}
{%- set hashed = c360.mask("'jane.doe@example.com'", 'email', 'hash') -%}

with

checks as (
    select
        'partial email' as treatment,
        {{ c360.mask("'jane.doe@example.com'", 'email', 'partial') }} as actual,
        'j***@example.com' as expected
    union all
    select
        'partial phone',
        {{ c360.mask("'+441136097822'", 'phone', 'partial') }},
        '***7822'
    union all
    select
        'partial name',
        {{ c360.mask("'Leanne'", 'name', 'partial') }},
        'L.'
    union all
    select
        'partial street',
        {{ c360.mask("'12B Fox Avenue'", 'street_address', 'partial') }},
        'Fox Avenue'
    union all
    select
        'partial other',
        {{ c360.mask("'AP-0042'", 'account_number', 'partial') }},
        'A***'
    union all
    select
        'generalise birth date',
        {{ c360.mask(birth_date, 'birth_date', 'generalise') }},
        '30-39'
    union all
    select
        'generalise postal code',
        {{ c360.mask("'SW1A 1AA'", 'postal_code', 'generalise') }},
        'SW1'
    union all
    select
        'redact',
        {{ c360.mask("'Leanne'", 'name', 'redact') }},
        '[redacted]'
    union all
    select
        'show',
        {{ c360.mask("'Leanne'", 'name', 'show') }},
        'Leanne'
    union all
    select
        'hash is 64 hex digits',
        case when {{ c360.regexp_matches(hashed, '^[0-9a-f]{64}$') }} then 'yes' else 'no' end,
        'yes'
    union all
    select
        'hash is deterministic',
        case when {{ hashed }} = {{ c360.mask("'jane.doe@example.com'", 'email', 'hash') }} then 'yes' else 'no' end,
        'yes'
    union all
    select
        'hash tells values apart',
        case when {{ hashed }} != {{ c360.mask("'john.doe@example.com'", 'email', 'hash') }} then 'yes' else 'no' end,
        'yes'
),

nulls as (
    select
        'null stays null' as treatment,
        case
            when
                {{ c360.mask('cast(null as ' ~ dbt.type_string() ~ ')', 'email', 'partial') }} is null
                and {{ c360.mask('cast(null as ' ~ dbt.type_string() ~ ')', 'email', 'hash') }} is null
                and {{ c360.mask('cast(null as ' ~ dbt.type_string() ~ ')', 'name', 'redact') }} is null
                and {{ c360.mask('cast(null as date)', 'birth_date', 'generalise') }} is null
                then 'yes'
            else 'no'
        end as actual,
        'yes' as expected
)

select * from checks
where actual is null or actual != expected
union all
select * from nulls
where actual != expected
