{#- Churn per month, segment, acquisition channel and region: the customers
    active (a customer, not churned) at the start of the month, those who
    entered the churned stage in it (when churn is detected, a churn window
    after the last activity), those whose last activity before a churn fell
    in it (when they really left; final once the churn windows after the
    month have passed), and the rates, over the c360_lifecycle.snapshot_weeks
    history up to the as-of date. -#}
{%- set months = ((var('c360_lifecycle', {}).get('snapshot_weeks', 156) * 7) / 30.4) | round(0, 'ceil') | int -%}
{%- set double = c360.type_double() -%}
{%- set lifecycle = var('c360_lifecycle', {}) -%}
{%- set churn_window_days = [
    lifecycle.get('churn_after_days', 240),
    lifecycle.get('subscription_churn_after_days', 45)
] | max -%}

with

stage_history as {{ c360.cte_hint('inline') }} (
    select * from {{ ref('int_customers__lifecycle_stages') }}
),

customers as (
    select * from {{ ref('customer_360') }}
),

month_numbers as (
    {{ dbt.generate_series(months) }}
),

months as (
    select
        cast({{ dbt.date_trunc('month', dbt.dateadd('month', '-(generated_number - 1)', c360.as_of_date())) }} as date)
            as month_start,
        cast(
            {{ dbt.dateadd('month', 1, dbt.date_trunc('month', dbt.dateadd('month', '-(generated_number - 1)', c360.as_of_date()))) }}
            as date
        ) as month_end
    from month_numbers
),

customer_months as (
    select
        months.month_start,
        stage_history.customer_id,
        max(
            case
                when
                    stage_history.lifecycle_stage not in ('prospect', 'churned')
                    and stage_history.entered_at <= months.month_start
                    and (stage_history.exited_at is null or stage_history.exited_at > months.month_start)
                    then 1
                else 0
            end
        ) as was_active_at_start,
        max(
            case
                when
                    stage_history.lifecycle_stage = 'churned'
                    and stage_history.entered_at >= months.month_start
                    and stage_history.entered_at < months.month_end
                    then 1
                else 0
            end
        ) as churned_in_month
    from months
    inner join stage_history
        on
            months.month_end > stage_history.entered_at
            and (stage_history.exited_at is null or months.month_start < stage_history.exited_at)
    group by months.month_start, stage_history.customer_id
),

last_activity_churns as (
    select distinct
        months.month_start,
        stage_history.customer_id
    from months
    inner join stage_history
        on
            months.month_start <= stage_history.churned_after_activity_at
            and months.month_end > stage_history.churned_after_activity_at
    where stage_history.lifecycle_stage = 'churned'
),

customer_months_churns as (
    select
        customer_months.month_start,
        customer_months.customer_id,
        customer_months.was_active_at_start,
        customer_months.churned_in_month,
        case when last_activity_churns.customer_id is not null then 1 else 0 end as left_in_month
    from customer_months
    left join last_activity_churns
        on
            customer_months.month_start = last_activity_churns.month_start
            and customer_months.customer_id = last_activity_churns.customer_id
),

grouped as (
    select
        customer_months.month_start,
        customers.segment,
        coalesce(customers.acquisition_channel, 'unknown') as acquisition_channel,
        customers.region,
        sum(customer_months.was_active_at_start) as active_at_start,
        sum(customer_months.churned_in_month) as churned,
        sum(customer_months.left_in_month) as churned_after_last_activity
    from customer_months_churns as customer_months
    inner join customers
        on customer_months.customer_id = customers.customer_id
    group by
        customer_months.month_start,
        customers.segment,
        coalesce(customers.acquisition_channel, 'unknown'),
        customers.region
),

final as (
    select
        {{ dbt.concat([
            dbt.safe_cast('month_start', dbt.type_string()), "':'", 'segment', "':'",
            'acquisition_channel', "':'", 'region'
        ]) }} as churn_month_id,
        month_start,
        segment,
        acquisition_channel,
        region,
        cast(active_at_start as {{ dbt.type_int() }}) as active_at_start,
        cast(churned as {{ dbt.type_int() }}) as churned,
        case
            when active_at_start > 0
                then {{ c360.round_double('cast(churned as ' ~ double ~ ') / active_at_start', 4) }}
        end as churn_rate,
        cast(churned_after_last_activity as {{ dbt.type_int() }}) as churned_after_last_activity,
        case
            when active_at_start > 0
                then {{ c360.round_double('cast(churned_after_last_activity as ' ~ double ~ ') / active_at_start', 4) }}
        end as last_activity_churn_rate,
        {{ dbt.dateadd('day', churn_window_days, dbt.dateadd('month', 1, 'month_start')) }} <= {{ c360.as_of_date() }}
            as is_last_activity_churn_final
    from grouped
    where active_at_start > 0 or churned > 0 or churned_after_last_activity > 0
)

select * from final
