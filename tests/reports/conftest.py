from tests.outcomes.conftest import past_event  # noqa: F401  (the same past event)
