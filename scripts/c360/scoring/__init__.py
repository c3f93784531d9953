"""Churn and upsell scoring, written back into the warehouse (`c360 score`).

Features come only from the point-in-time weekly snapshots
(``int_customers__weekly_snapshots``) and the order lines dated before each
as-of date; labels come from the window after it. Models are validated out of
time against a simple baseline, calibrated, explained per customer and
written back atomically to the ``<schema>_scores`` tables that dbt declares as
sources and ``customer_360`` reads on its next build.
"""
