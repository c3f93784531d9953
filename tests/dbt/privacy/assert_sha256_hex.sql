{#-
    The unkeyed SHA-256 the erasure register is made of (macro sha256_hex)
    gives the standard digest on this engine, UTF-8 text included: a row is
    a value whose digest differs.
-#}

with

checks as (
    select
        'abc' as input,
        {{ c360.sha256_hex("'abc'") }} as actual,
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' as expected
    union all
    select
        'record key',
        {{ c360.sha256_hex("'crm.contacts:CON-0000012'") }},
        'a98c6068ed72acd42b725ff2da187317393e0abec4bdfc68c82ac3e8ab1c6a6b'
    union all
    select
        'utf-8',
        {{ c360.sha256_hex("'Müller'") }},
        'a78429899bb825ce667d25d92e2cde488f8a7d6871bb2be7365601cad6b0a8f2'
)

select * from checks
where actual is null or actual != expected
