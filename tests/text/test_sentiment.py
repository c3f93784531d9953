"""The sentiment scorer against human ratings and the generator's known tones,
and topic tagging on planted texts. No warehouse needed."""

from __future__ import annotations

import pytest

from c360.project import C360Error
from c360.text import validation
from c360.text.config import TextConfig, read_competitors, read_topics
from c360.text.sentiment import TextScorer, label


@pytest.fixture(scope="module")
def scorer(project_dir) -> TextScorer:
    return TextScorer(TextConfig.load(project_dir))


@pytest.fixture(scope="module")
def people(scorer):
    return {agreement.name: agreement for agreement in validation.agreement_with_people(scorer)}


def test_the_human_rated_corpora_are_all_there():
    ratings = validation.human_ratings()
    counts = ratings.groupby("corpus").size().to_dict()
    # Hutto & Gilbert (2014): 4,200 tweets, 10,605 movie, 3,708 Amazon and 5,190 NYT snippets
    assert counts == {"tweets": 4200, "movieReviewSnippets": 10605, "amazonReviewSnippets": 3708,
                      "nytEditorialSnippets": 5190}
    assert ratings["rating"].between(-4, 4).all()


def test_sentiment_agrees_with_people_on_tweets(people):
    # measured: Pearson r 0.872, label accuracy 0.885 (the paper reports r = 0.881)
    tweets = people["tweets"]
    assert tweets.pearson > 0.85
    assert tweets.spearman > 0.8
    assert tweets.accuracy > 0.85


def test_sentiment_agrees_with_people_on_longer_text(people):
    # measured over all 23,703 sentences: Pearson r 0.540, label accuracy 0.615;
    # each corpus on its own is positively correlated, reviews and editorials less so
    assert people["all"].pearson > 0.5
    assert people["all"].accuracy > 0.58
    for corpus in ("movieReviewSnippets", "amazonReviewSnippets", "nytEditorialSnippets"):
        assert people[corpus].pearson > 0.4, corpus


def test_sentiment_agrees_with_the_tone_the_generator_wrote(scorer):
    # measured: 0.603 of the 78 phrases get their tone's label (chance: 1/3); the
    # negative and positive ones get the right sign 0.769 of the time
    assert validation.agreement_with_generator(scorer).accuracy > 0.55
    assert validation.polar_accuracy(scorer) > 0.7


def test_labels_follow_the_thresholds():
    assert [label(v, -0.05, 0.05) for v in (-0.5, -0.05, 0.0, 0.05, 0.5)] == [
        "negative", "neutral", "neutral", "neutral", "positive"]


@pytest.mark.parametrize(("text", "topics"), [
    ("I was charged twice on my invoice", {"billing"}),
    ("The parcel arrived late and the lamp was broken", {"delivery", "product_defect"}),
    ("Cancelled my membership, switching to Brightmart.", {"cancellation_intent", "competitor_mention"}),
    ("Support was super helpful, love it", {"praise"}),
    ("Is COASTLINE cheaper?", {"competitor_mention"}),
    ("A coastal walk and an uncancellable plan", set()),
    ("Please help me reset my password", {"account_access"}),
    ("", set()),
])
def test_topics_are_tagged_on_word_boundaries(scorer, text, topics):
    assert {match.topic for match in scorer.topics(text)} == topics


def test_a_topic_is_tagged_once_with_its_first_keyword(scorer):
    matches = scorer.topics("refund please, I was charged and the payment failed")
    assert [(m.topic, m.keyword) for m in matches] == [("billing", "charged")]


def test_bad_seeds_are_refused_with_the_line(tmp_path):
    topics = tmp_path / "topic_keywords.csv"
    topics.write_text("topic,keyword\nbilling,refund\nBilling Issues,refund\n")
    with pytest.raises(C360Error, match="line 3"):
        read_topics(topics)
    topics.write_text("topic,keyword\ncompetitor_mention,rival\n")
    with pytest.raises(C360Error, match="competitors"):
        read_topics(topics)
    topics.write_text("topic,words\nbilling,refund\n")
    with pytest.raises(C360Error, match="expected the columns"):
        read_topics(topics)
    competitors = tmp_path / "competitors.csv"
    competitors.write_text("competitor,alias\nBrightmart,brightmart\nBrightmart,brightmart\n")
    with pytest.raises(C360Error, match="line 3"):
        read_competitors(competitors)


def test_a_missing_source_distribution_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("C360_VADER_SDIST", str(tmp_path / "missing.tar.gz"))
    with pytest.raises(C360Error, match="make venv"):
        validation.human_ratings()


def test_bench_sentiment_prints_the_figures(people):
    import json

    from click.testing import CliRunner

    from c360.cli import cli

    result = CliRunner().invoke(cli, ["bench", "sentiment", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    tweets = next(row for row in figures["people"] if row["name"] == "tweets")
    assert tweets["pearson"] == pytest.approx(people["tweets"].pearson)
    assert figures["generator"]["texts"] == 78
    assert 0 < figures["generator_sign_accuracy"] <= 1
