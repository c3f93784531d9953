"""Text analytics: sentiment and topic tags for every free text, written back
to the warehouse by `c360 enrich`, and the sentiment scorer's validation
against human-labelled text (`c360 bench sentiment`)."""
