"""Free text whose tone follows a person's latent health."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .vocab import CUSTOMER_BODIES, CUSTOMER_CLOSINGS, CUSTOMER_OPENERS, SOCIAL_TEXTS, SURVEY_COMMENTS

NEGATIVE, NEUTRAL, POSITIVE = 0, 1, 2


def tone(rng: np.random.Generator, health: np.ndarray, noise: float = 0.6) -> np.ndarray:
    """Negative / neutral / positive tone from latent health plus noise."""
    return np.digitize(health + rng.normal(0.0, noise, len(health)), [-0.7, 0.7])


def _pick(rng: np.random.Generator, groups: tuple[tuple[str, ...], ...], mood: np.ndarray) -> pa.Array:
    """One phrase of the tone group ``mood`` per row."""
    sizes = np.array([len(g) for g in groups])
    starts = np.cumsum(sizes) - sizes
    flat = pa.array([s for g in groups for s in g])
    return flat.take(pa.array(starts[mood] + (rng.random(len(mood)) * sizes[mood]).astype(np.int64)))


def customer_message(rng: np.random.Generator, mood: np.ndarray) -> pa.Array:
    """A support message written by the customer: opener, request, closing."""
    return pc.binary_join_element_wise(
        _pick(rng, CUSTOMER_OPENERS, mood), _pick(rng, CUSTOMER_BODIES, mood),
        _pick(rng, CUSTOMER_CLOSINGS, mood), " ")


def survey_comment(rng: np.random.Generator, mood: np.ndarray) -> pa.Array:
    """A survey verbatim."""
    return _pick(rng, SURVEY_COMMENTS, mood)


def social_post(rng: np.random.Generator, mood: np.ndarray, brand: pa.Array) -> pa.Array:
    """A social media post about ``brand``."""
    templates = _pick(rng, SOCIAL_TEXTS, mood)
    parts = pc.split_pattern(templates, "{brand}", max_splits=1)
    return pc.binary_join_element_wise(pc.list_element(parts, 0), brand, pc.list_element(parts, 1), "")
