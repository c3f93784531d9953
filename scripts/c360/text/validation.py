"""How well the sentiment scorer agrees with people.

Human-labelled text: the four corpora of Hutto & Gilbert (ICWSM 2014) that
the vaderSentiment source distribution ships (additional_resources/
hutto_ICWSM_2014.tar.gz): tweets, movie reviews, Amazon review snippets and
New York Times editorial snippets, each sentence with the mean of about 20
people's ratings on -4..4. `make venv` downloads that source distribution
(requirements/sdist.txt) into .venv/share/c360/sdist; C360_VADER_SDIST points
elsewhere. Agreement: Pearson and Spearman correlation of the compound
score with the mean rating, and the accuracy of the three-way label against
the rating's sign (neutral within the same band as var c360_text, scaled to
-4..4).

The generator's own texts: its vocabulary writes every ticket message,
survey comment and social post from phrases of a known tone (negative,
neutral, positive); each phrase's tone is the truth its label is checked
against.
"""

from __future__ import annotations

import io
import os
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from c360.project import C360Error
from c360.text.sentiment import TextScorer

CORPORA = ("tweets", "movieReviewSnippets", "amazonReviewSnippets", "nytEditorialSnippets")
LABELS = ("negative", "neutral", "positive")


def sdist_path() -> Path:
    configured = os.environ.get("C360_VADER_SDIST")
    if configured:
        path = Path(configured)
    else:
        found = sorted((Path(sys.prefix) / "share" / "c360" / "sdist").glob("vadersentiment-*.tar.gz")
                       ) + sorted((Path(sys.prefix) / "share" / "c360" / "sdist").glob("vaderSentiment-*.tar.gz"))
        path = found[-1] if found else Path(sys.prefix) / "share" / "c360" / "sdist" / "vaderSentiment.tar.gz"
    if not path.is_file():
        raise C360Error(f"the vaderSentiment source distribution is not at {path}: run `make venv` "
                        "(it downloads requirements/sdist.txt) or set C360_VADER_SDIST")
    return path


def human_ratings(path: Path | None = None) -> pd.DataFrame:
    """(corpus, text, rating) of every labelled sentence."""
    path = path or sdist_path()
    with tarfile.open(path) as outer:
        member = next((m for m in outer.getmembers() if m.name.endswith("hutto_ICWSM_2014.tar.gz")), None)
        if member is None:
            raise C360Error(f"{path} holds no additional_resources/hutto_ICWSM_2014.tar.gz")
        inner_bytes = outer.extractfile(member).read()
    frames = []
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        for corpus in CORPORA:
            raw = inner.extractfile(f"hutto_ICWSM_2014/{corpus}_GroundTruth.txt").read().decode("utf-8", "replace")
            rows = [line.split("\t") for line in raw.splitlines() if line.strip()]
            frames.append(pd.DataFrame({"corpus": corpus, "rating": [float(r[1]) for r in rows],
                                        "text": ["\t".join(r[2:]) for r in rows]}))
    return pd.concat(frames, ignore_index=True)


@dataclass
class Agreement:
    name: str
    texts: int
    pearson: float | None
    spearman: float | None
    accuracy: float

    def line(self) -> str:
        corr = "" if self.pearson is None else f"Pearson r {self.pearson:.3f}, Spearman {self.spearman:.3f}, "
        return f"{self.name:<22} {self.texts:>6,} texts  {corr}label accuracy {self.accuracy:.3f}"


def _labels(values: np.ndarray, low: float, high: float) -> np.ndarray:
    return np.where(values < low, "negative", np.where(values > high, "positive", "neutral"))


def agreement_with_people(scorer: TextScorer, ratings: pd.DataFrame | None = None) -> list[Agreement]:
    """Per corpus and over all four."""
    ratings = human_ratings() if ratings is None else ratings
    scores = np.array([scorer.sentiment(text) for text in ratings["text"]])
    low, high = scorer.config.negative_below * 4, scorer.config.positive_above * 4
    people = _labels(ratings["rating"].to_numpy(), low, high)
    labels = np.array([scorer.label(score) for score in scores])
    out = []
    masks = [(c, (ratings["corpus"] == c).to_numpy()) for c in CORPORA] + [("all", np.ones(len(ratings), bool))]
    for name, mask in masks:
        s, r = pd.Series(scores[mask]), pd.Series(ratings["rating"].to_numpy()[mask])
        out.append(Agreement(name, int(mask.sum()), float(s.corr(r)), float(s.corr(r, method="spearman")),
                             float((labels[mask] == people[mask]).mean())))
    return out


def generator_phrases() -> pd.DataFrame:
    """(kind, tone, text) of every phrase the generator writes free text from."""
    from c360.generate import vocab

    rows = []
    for kind, groups in (("ticket opener", vocab.CUSTOMER_OPENERS), ("ticket body", vocab.CUSTOMER_BODIES),
                         ("ticket closing", vocab.CUSTOMER_CLOSINGS), ("survey comment", vocab.SURVEY_COMMENTS),
                         ("social post", vocab.SOCIAL_TEXTS)):
        for tone, phrases in zip(LABELS, groups, strict=True):
            rows += [(kind, tone, phrase.replace("{brand}", vocab.BRAND)) for phrase in phrases]
    return pd.DataFrame(rows, columns=["kind", "tone", "text"])


def agreement_with_generator(scorer: TextScorer, phrases: pd.DataFrame | None = None) -> Agreement:
    phrases = generator_phrases() if phrases is None else phrases
    labels = np.array([scorer.label(scorer.sentiment(text)) for text in phrases["text"]])
    return Agreement("generator phrases", len(phrases), None, None,
                     float((labels == phrases["tone"].to_numpy()).mean()))


def polar_accuracy(scorer: TextScorer, phrases: pd.DataFrame | None = None) -> float:
    """Share of the generator's negative and positive phrases whose score has the right sign."""
    phrases = generator_phrases() if phrases is None else phrases
    polar = phrases[phrases["tone"] != "neutral"]
    scores = np.array([scorer.sentiment(text) for text in polar["text"]])
    return float(((scores > 0) == (polar["tone"] == "positive").to_numpy()).mean())
