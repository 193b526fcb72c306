"""One conversation turn, applied: the one way SMS, WhatsApp and the web chat store what a
message led to, so the channels cannot drift apart.

The engine (voice_service.conversation, pure) decides what a message means; `apply_turn` makes
it so, in the caller's transaction:
1. each answer the turn stores, through answers.save_answer (analysis and any alert with it);
2. what a choice means for the invitation (answers.record_choice: who may see the answers, an
   advocate, speaking to the chair alone), the same rule the web form uses;
3. the engine's state on the invitation; opened, completed (completion re-plans the reminders);
4. the message's own words read for risk (voice_service.safety_net), whatever the engine made
   of them: a disclosure typed in reply to a number question is not lost.
Nothing is committed here: the caller commits once, then calls safety_net.notify_all(risk).
"""
from __future__ import annotations

from dataclasses import dataclass

from voice_service import conversation, safety_net
from voice_service.answers import record_choice, save_answer
from voice_service.invitations import mark_completed, mark_opened
from voice_service.models import Answer, Invitation, Message


@dataclass(frozen=True)
class Applied:
    answers: list[Answer]
    risk: safety_net.Risk
    finished: bool


def next_turn(survey, invitation: Invitation, words: str, service: conversation.ServiceInfo,
              language: str | None = None) -> conversation.Turn:
    """The engine's answer to `words`: the conversation goes on, or starts (a first message is
    read as "hello"). `language` follows a language switcher (the web chat)."""
    state = invitation.conversation_state
    if isinstance(state, dict) and language:
        state = {**state, "language": language}
    if conversation.is_active(state) or (isinstance(state, dict) and state.get("finished")):
        return conversation.handle(survey, state, words, service)
    return conversation.start(survey, language or invitation.language or "en", service)


def apply_turn(invitation: Invitation, survey, turn: conversation.Turn, *, words: str, channel: str,
               message: Message | None = None, wording: str = "sms") -> Applied:
    """Store what `turn` says for `invitation` (in the caller's transaction) and read the
    message's words for risk. `wording` is which of a question's wordings the person saw."""
    alerts: list = []
    saved: list[Answer] = []
    for stored in turn.store:
        question = survey.question(stored.question_id)
        answer = save_answer(
            invitation, stored.question_id, value=stored.value, free_text=stored.free_text, skipped=stored.skipped,
            channel=channel, question_text=getattr(question.wording, wording) if question else None,
            provider_message_id=message.provider_sid if message is not None else None, alerts=alerts,
        )
        record_choice(invitation, question, stored.value, stored.skipped)
        saved.append(answer)
    invitation.conversation_state = dict(turn.state)
    if "started" in turn.events:
        mark_opened(invitation)
    if turn.finished and "finished" in turn.events:
        mark_completed(invitation)
    risk = safety_net.read_for_risk(words, message=message, invitation=invitation, answers=saved, alerts=alerts)
    return Applied(saved, risk, turn.finished)
