"""Security finding 2: safeguarding overrides a respondent's visibility choice (the duty team
reads the words that raised an alert), so every survey that asks who may read the answers says
so in the question's hint."""
from __future__ import annotations

import pytest

from voice_service.config import PROJECT_ROOT
from voice_service.surveys import load_surveys

SURVEYS = load_surveys(PROJECT_ROOT / "surveys").all()
VISIBILITY = [(s, q) for s in SURVEYS for q in s.questions if q.kind == "visibility"]


def test_surveys_ask_who_may_read_the_answers():
    assert len(VISIBILITY) >= 30


@pytest.mark.parametrize("survey, question", VISIBILITY, ids=[f"{s.id}.v{s.version}" for s, _ in VISIBILITY])
def test_the_visibility_question_says_that_a_risk_of_harm_is_shared(survey, question):
    hint = (question.wording.hint or "").lower()
    assert "safe" in hint or "harm" in hint, f"{survey.id}: the hint must say that risk is shared: {hint!r}"
