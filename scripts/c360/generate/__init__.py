"""Deterministic demo-data generator for the Alder & Pine customer 360.

Use :func:`generate_dataset`; see ``python -m c360.generate.bench`` for timing.
"""

from .generator import GENERATOR_VERSION, generate_dataset

__all__ = ["GENERATOR_VERSION", "generate_dataset"]
