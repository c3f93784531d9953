"""Sentiment and topic tags of one text.

Sentiment is VADER's compound score (vaderSentiment: a rule-based model whose
lexicon ships inside the package, so nothing is downloaded), in [-1, 1];
the label follows the thresholds of var c360_text. Topics are the seed
topic_keywords' topics with a keyword in the text, plus `competitor_mention`
when the text names an alias of the seed competitors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import version

from c360.text.config import COMPETITOR_TOPIC, TextConfig

SCORER = "vader"


def scorer_version() -> str:
    return f"vaderSentiment-{version('vaderSentiment')}"


def label(score: float, negative_below: float, positive_above: float) -> str:
    if score < negative_below:
        return "negative"
    if score > positive_above:
        return "positive"
    return "neutral"


def _pattern(keyword: str) -> str:
    if keyword.endswith("*"):
        return r"\b" + re.escape(keyword[:-1]) + r"\w*"
    return r"\b" + re.escape(keyword) + r"\b"


@dataclass(frozen=True)
class Match:
    topic: str
    keyword: str


class TextScorer:
    def __init__(self, config: TextConfig) -> None:
        self.config = config

    @cached_property
    def _vader(self):
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        return SentimentIntensityAnalyzer()

    @cached_property
    def _matchers(self) -> list[tuple[str, str, re.Pattern]]:
        matchers = [(topic, keyword, re.compile(_pattern(keyword), re.IGNORECASE))
                    for topic, keywords in self.config.topics.items() for keyword in keywords]
        matchers += [(COMPETITOR_TOPIC, alias, re.compile(_pattern(alias), re.IGNORECASE))
                     for alias in self.config.competitors]
        return matchers

    def sentiment(self, text: str) -> float:
        return float(self._vader.polarity_scores(text)["compound"])

    def label(self, score: float) -> str:
        return label(score, self.config.negative_below, self.config.positive_above)

    def topics(self, text: str) -> list[Match]:
        """One match per topic (its first keyword found, in seed order)."""
        found: dict[str, Match] = {}
        for topic, keyword, pattern in self._matchers:
            if topic not in found and pattern.search(text):
                found[topic] = Match(topic, keyword)
        return list(found.values())
