"""Property tests: any text, in any state, gets a reply and never an exception."""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.surveys import sample_survey
from voice_service.conversation import Turn, handle, start

SURVEY = sample_survey()
IDS = [q.id for q in SURVEY.questions]

interesting = st.sampled_from([
    "skip", "SKIP!", "back", "?", "help", "repeat", "4", "four", "y", "nah", "a", "1 3", "😀", "🙁", "",
    " ", "\x00", "stop", "START", "🏳️‍🌈", "١", "٣", "٤/٥", "ⅳ", "\u202e", "b)", "9" * 400, "no thanks, 1",
])
texts = st.one_of(interesting, st.text(max_size=300), st.text(alphabet=st.characters(), max_size=20))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
junk_states = st.one_of(
    st.none(),
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "started": st.one_of(st.booleans(), json_values),
            "current": st.one_of(st.sampled_from(IDS), json_values),
            "history": st.one_of(st.lists(st.sampled_from(IDS + ["gone"])), json_values),
            "skipped": st.one_of(st.lists(st.sampled_from(IDS)), json_values),
            "tries": st.one_of(st.integers(), json_values),
            "finished": st.one_of(st.booleans(), json_values),
            "language": st.one_of(st.sampled_from(["en", "ar", "bn", "so", "xx"]), json_values),
        },
    ),
)


def _check(turn: Turn) -> None:
    assert isinstance(turn, Turn)
    assert isinstance(turn.reply, str) and turn.reply.strip()
    json.dumps(turn.state)  # the state is stored as JSON
    for stored in turn.store:
        assert stored.question_id in IDS
        assert stored.skipped or stored.value is not None or stored.free_text
    assert isinstance(turn.events, list)


@settings(max_examples=200, deadline=None)
@given(state=junk_states, text=texts)
def test_any_text_in_any_stored_state_gets_a_reply(state, text):
    _check(handle(SURVEY, state, text))


@settings(max_examples=150, deadline=None)
@given(messages=st.lists(texts, max_size=25))
def test_any_sequence_of_messages_keeps_the_conversation_sound(messages):
    turn = start(SURVEY)
    _check(turn)
    for text in messages:
        turn = handle(SURVEY, json.loads(json.dumps(turn.state)), text)
        _check(turn)
        if turn.finished:
            assert turn.state["finished"] and turn.state["current"] is None
        else:
            assert turn.state["current"] in IDS
        history = turn.state["history"]
        assert len(set(history)) == len(history) and turn.state["current"] not in history
        assert history == sorted(history, key=IDS.index)  # one question at a time, in order
