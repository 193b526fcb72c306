"""Public forms and web chat behind a private link (/r/<token>): the pages.

No account, no sign-in: the token in the link is the only key, and only its hash is stored.
Every page submit saves that answer at once (voice_service.answers.save_answer), so closing the
browser loses nothing and opening the link again carries on where the person left off.

An unknown link answers 404, an expired or closed one 410, each with a plain page that says who
to contact and nothing about any child or meeting (``web/visit.py`` resolves the link and draws
the pages). Unknown links count against a per-address limit, so guessing is slow; over the
limit the answer is 429 with a plain page.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from govuk_frontend_wtf.main import wtforms_errors
from sqlalchemy import inspect as sa_inspect
from werkzeug.exceptions import RequestEntityTooLarge

from voice_service import journey
from voice_service.answers import notify, record_choice, save_answer
from voice_service.extensions import db
from voice_service.forms import ActionForm, LanguageForm, build_question_form, given_from_form, with_default_options
from voice_service.invitations import mark_completed, mark_opened
from voice_service.journey import CHECK, START, Given
from voice_service.surveys import Survey
from voice_service.web.visit import Visit, link_guard, meeting_words, open_visit, page_url, problem_title, render_page


bp = Blueprint("public", __name__)
log = logging.getLogger(__name__)


# Pages ---------------------------------------------------------------------------------------

@bp.route("/r/<token>")
@link_guard
def start(token: str):
    """The start page: who is asking and why, then Start (or Carry on, for someone coming back)."""
    visit = open_visit(token)
    if visit.invitation.participant.meeting.outcome_recorded_at is not None and visit.answers:
        return redirect(url_for("you_said.page", token=token))  # after the meeting: what was decided
    if visit.completed:
        return redirect(url_for("public.done", token=token))
    mark_opened(visit.invitation)
    db.session.commit()
    carry_on = journey.resume_page(visit.survey, visit.answers) if visit.answers else None
    first = journey.next_page(visit.survey, visit.answers, START)
    return render_page(
        visit, "public/start.html", page_title=visit.survey.title,
        start_url=page_url(visit, carry_on or first), carrying_on=bool(carry_on),
        chat_url=url_for("public.chat", token=token) if _chat_available() else None,
        **meeting_words(visit),
    )


@bp.route("/r/<token>/q/<question_id>", methods=["GET", "POST"])
@link_guard
def question(token: str, question_id: str):
    """One question. POST saves the answer at once, then goes to the next page.

    A question that is not shown to this person (or does not exist) sends them to where they
    are up to. After the answers are sent they can still be changed until the link closes:
    each change is saved the same way (earlier answers are kept) and leads back to the check page.
    """
    visit = open_visit(token)
    question = visit.question(question_id)
    if question is None or not journey.is_visible(visit.survey, visit.answers, question_id):
        return redirect(page_url(visit, journey.resume_page(visit.survey, visit.answers)))
    # After sending, answers can still be changed until the link closes (the survey says so).
    changing = request.args.get("change") == "1" or visit.completed
    current = visit.rows.get(question_id)
    if visit.locked(question_id):
        # The chair read this before the meeting: it is not changed afterwards (nothing saved).
        log.info("change refused: meeting started", extra={"invitation_id": visit.invitation.id})
        return render_page(visit, "public/locked.html", status=409 if request.method == "POST" else 200,
                     page_title=_("This answer can no longer be changed"),
                     question=question, back_url=page_url(visit, CHECK), **meeting_words(visit))
    if request.method == "GET":
        form = build_question_form(
            question, easy_read=visit.easy_read, max_free_text=current_app.config["MAX_FREE_TEXT"],
            formdata=None, given=visit.answers.get(question_id), revision=str(current.id) if current else "",
        )
        return _question_page(visit, question, form, changing)

    form = build_question_form(question, easy_read=visit.easy_read, max_free_text=current_app.config["MAX_FREE_TEXT"])
    skipping = request.form.get("skip") == "1" and not question.required
    if not skipping and not form.validate():
        return _question_page(visit, question, form, changing, status=200)
    given = Given(skipped=True) if skipping else given_from_form(form)
    # The page carries the id of the answer it showed; another window may have saved since.
    seen = form.revision.raw_data[0] if form.revision.raw_data else None
    other_window = (
        seen is not None and current is not None and str(current.id) != seen
        and visit.answers.get(question_id) != given
    )
    answer = _save(visit, question_id, given)
    visit.answers[question_id] = given

    following = journey.next_page(visit.survey, visit.answers, question_id)
    args: dict = {}
    if changing:
        if following != CHECK and following not in visit.answers:
            args["change"] = "1"  # a follow-up just appeared: ask it, then back to checking
        else:
            following = CHECK
    if answer.flagged:
        args["notice"] = "help"
    elif other_window:
        args["notice"] = "other-window"
    return redirect(page_url(visit, following, **args))


def _question_page(visit: Visit, question, form, changing: bool, status: int = 200, session_problem: bool = False):
    back = CHECK if changing else journey.previous_page(visit.survey, visit.answers, question.id)
    errors = wtforms_errors(form, {"titleText": _("There is a problem")}) if form.errors else None
    if session_problem:
        errors = {
            "titleText": _("There is a problem"),
            "errorList": [{"text": _("Your answer has not been saved yet. Check it, then press Continue again."),
                           "href": "#answer"}],
        }
    return render_page(
        visit, "public/question.html", status=status, form=form, question=question,
        page_title=journey.question_text(question, visit.easy_read),
        form_has_errors=bool(errors), errors=errors,
        progress=journey.progress(visit.survey, visit.answers, question.id),
        back_url=page_url(visit, back), changing=changing,
        read_aloud=visit.easy_read,
    )


@dataclass(frozen=True)
class Saved:
    answer_id: int
    flagged: bool  # its words raised a safeguarding alert


def _save(visit: Visit, question_id: str, given: Given) -> Saved:
    """Store the answer with what it means for who sees it and who to call: one commit, then
    the duty team is told of any alert it raised."""
    invitation = visit.invitation
    record_choice(invitation, visit.question(question_id), given.value, given.skipped)
    source_question = visit.source.question(question_id)
    raised: list = []
    answer = save_answer(
        invitation, question_id, value=given.value, free_text=given.free_text, skipped=given.skipped,
        channel="web", question_text=source_question.wording.web if source_question else None,
        alerts=raised,
    )
    flagged, invitation_id = bool(answer.safeguarding_flag), invitation.id
    db.session.commit()
    # read from the identity, not the expired row: nothing is loaded again after the commit
    saved = Saved(answer_id=sa_inspect(answer).identity[0], flagged=flagged)
    log.info("answer saved", extra={"invitation_id": invitation_id, "answer_id": saved.answer_id})
    for alert in raised:
        notify(alert)
    return saved


@bp.route("/r/<token>/check", methods=["GET", "POST"])
@link_guard
def check(token: str):
    """Check your answers, with a change link per question. POST sends them (once)."""
    visit = open_visit(token)
    form = ActionForm()
    if visit.completed and request.method == "POST" and form.validate():
        # Sent already (a second press, or a second tab): nothing to do, and we say so.
        return redirect(url_for("public.done", token=token, notice="already-sent"))
    missing = journey.missing_required(visit.survey, visit.answers)
    if request.method == "POST" and form.validate():
        if not missing:
            mark_completed(visit.invitation)
            db.session.commit()
            log.info("answers sent", extra={"invitation_id": visit.invitation.id})
            return redirect(url_for("public.done", token=token))
    errors = None
    if request.method == "POST" and missing:
        errors = {
            "titleText": _("There is a problem"),
            "errorList": [
                {"text": _("Answer this question: %(question)s",
                           question=journey.question_text(visit.question(qid), visit.easy_read)),
                 "href": page_url(visit, qid, change="1")}
                for qid in missing
            ],
        }
    rows = journey.check_rows(_with_defaults(visit.survey), visit.answers, easy_read=visit.easy_read)
    return render_page(
        visit, "public/check.html", form=form, rows=rows, errors=errors, form_has_errors=bool(errors),
        page_title=_("Check your answers"), back_url=page_url(visit, journey.previous_page(visit.survey, visit.answers, CHECK)),
        visibility_label=_visibility_words(visit), locked_ids=visit.locked_ids,
    )


def _with_defaults(survey: Survey) -> Survey:
    return replace(survey, questions=tuple(with_default_options(q) for q in survey.questions))


def _visibility_words(visit: Visit) -> str | None:
    """The words of the option the person chose for who may see their answers, in their language."""
    chosen = visit.invitation.visibility
    if not chosen:
        return None
    for question in visit.survey.questions:
        if question.kind == "visibility":
            option = with_default_options(question).option(chosen)
            if option is not None:
                return option.label
    from voice_service.forms.question import visibility_labels

    return visibility_labels().get(chosen)


def _done_context(visit: Visit) -> dict:
    return {
        "closing": visit.survey.closing,
        "signposting": visit.survey.signposting,
        "visibility_label": _visibility_words(visit),
        "advocate_requested": visit.invitation.advocate_requested,
        "speak_to_chair_alone": visit.invitation.speak_to_chair_alone,
        **meeting_words(visit),
    }


@bp.route("/r/<token>/done")
@link_guard
def done(token: str):
    """Confirmation: what happens next, and where to get help."""
    visit = open_visit(token)
    if not visit.completed:
        return redirect(page_url(visit, journey.resume_page(visit.survey, visit.answers)))
    return render_page(visit, "public/done.html", page_title=_("You have sent your views"),
                 already=request.args.get("notice") == "already-sent", **_done_context(visit))


@bp.route("/r/<token>/language", methods=["POST"])
@link_guard
def language(token: str):
    """Switch language. Answers are kept (they are stored already); back to the same page."""
    visit = open_visit(token)
    form = LanguageForm()
    chosen = form.language.data
    if form.validate() and chosen in visit.languages:
        visit.invitation.language = chosen
        db.session.commit()
    return redirect(_same_link_page(form.next.data or "", url_for("public.start", token=token)))


_PAGE_PATH = re.compile(r"[A-Za-z0-9_\-/]*")
_PAGE_QUERY = re.compile(r"[A-Za-z0-9_\-=&]*")


def _same_link_page(target: str, prefix: str) -> str:
    """`target` when it is a page behind this same link (plain path, simple query), else the
    link's start page: never another site, never a header broken by a line end."""
    path, _, query = target.partition("?")
    if not (path == prefix or path.startswith(prefix + "/")) or "/.." in path or "//" in path:
        return prefix
    if not _PAGE_PATH.fullmatch(path) or not _PAGE_QUERY.fullmatch(query):
        return prefix
    return f"{path}?{query}" if query else path


# Web chat ------------------------------------------------------------------------------------

def _chat_available() -> bool:
    return True


@dataclass(frozen=True)
class ChatLine:
    who: str  # "service" | "person"
    text: str


def _chat_history(visit: Visit, state: dict | None) -> list[ChatLine]:
    """The conversation so far, rebuilt from the engine state and the saved answers.

    Nothing but the answers is stored: the person's words stay encrypted in the answer rows.
    """
    from voice_service.conversation import question_prompt

    lines: list[ChatLine] = []
    if not isinstance(state, dict):
        return lines
    for question_id in state.get("history", []):
        question = visit.survey.question(question_id)
        if question is None:
            continue
        lines.append(ChatLine("service", question_prompt(visit.survey, question, visit.language)))
        given = visit.answers.get(question_id)
        if given is None or given.skipped:
            lines.append(ChatLine("person", _("(skipped)")))
        else:
            words = given.free_text or ", ".join(journey.answer_labels(with_default_options(question), Given(value=given.value)))
            lines.append(ChatLine("person", words))
    return lines


@bp.route("/r/<token>/chat", methods=["GET", "POST"])
@link_guard
def chat(token: str):
    """The same questions as a chat, through the conversation engine and the one turn function
    (voice_service.turns) that serve SMS.

    Each line is stored (encrypted, like a text) and read for risk, then the turn is applied and
    committed with it; the page shows the reply. Works without JavaScript (a plain form post).
    """
    from voice_service import conversation, safety_net, turns
    from voice_service.forms import ChatForm
    from voice_service.models import Message

    visit = open_visit(token)
    invitation = visit.invitation
    service = conversation.ServiceInfo(name=current_app.config["SERVICE_NAME"], phone=current_app.config["SERVICE_PHONE"],
                                       channel="webchat")
    form = ChatForm(limit=current_app.config["MAX_FREE_TEXT"])
    state = invitation.conversation_state
    if isinstance(state, dict):
        state = {**state, "language": visit.language}  # follow the language switcher
    reply, notice = None, None
    if visit.completed and not conversation.is_active(state):
        return redirect(url_for("public.done", token=token))
    if request.method == "POST" and form.validate():
        words = form.message.data.strip()
        line = Message(direction="inbound", channel="webchat", invitation=invitation, body=words, status="received")
        db.session.add(line)
        turn = turns.next_turn(visit.source, invitation, words, service, language=visit.language)
        applied = turns.apply_turn(invitation, visit.source, turn, words=words, channel="webchat",
                                   message=line, wording="sms")
        reply = safety_net.reply_with_care(turn.reply, applied.risk, invitation) if applied.risk.crisis else turn.reply
        line.reply_body = reply
        invitation_id = invitation.id
        db.session.commit()
        log.info("chat line answered", extra={"invitation_id": invitation_id})
        safety_net.notify_all(applied.risk)
        for stored in turn.store:
            visit.answers[stored.question_id] = Given(value=stored.value, free_text=stored.free_text, skipped=stored.skipped)
        state = turn.state
        notice = "help" if applied.risk.flagged else None  # acknowledged as the form does
        form = ChatForm(formdata=None, limit=current_app.config["MAX_FREE_TEXT"])
    elif not conversation.is_active(state) and not (isinstance(state, dict) and state.get("finished")):
        turn = conversation.start(visit.source, visit.language, service)
        invitation.conversation_state = turn.state
        mark_opened(invitation)
        db.session.commit()
        state, reply = turn.state, turn.reply
    elif conversation.is_active(state):
        question = visit.survey.question(conversation.current_question_id(state))
        reply = conversation.question_prompt(visit.survey, question, visit.language) if question else None
    errors = wtforms_errors(form, {"titleText": _("There is a problem")}) if form.errors else None
    return render_page(
        visit, "public/chat.html", form=form, history=_chat_history(visit, state), reply=reply,
        finished=isinstance(state, dict) and state.get("finished") is True, notice=notice,
        errors=errors, form_has_errors=bool(errors), page_title=_("Chat"),
        form_url=page_url(visit, journey.resume_page(visit.survey, visit.answers)),
        back_url=url_for("public.start", token=token),
    )


# Problems ------------------------------------------------------------------------------------

@bp.errorhandler(CSRFError)
def csrf_problem(error):
    """A missing or stale security token: ask again kindly, with their answer still on the page."""
    token = (request.view_args or {}).get("token")
    question_id = (request.view_args or {}).get("question_id")
    if token and question_id and request.endpoint == "public.question":
        visit = open_visit(token)
        question = visit.question(question_id)
        if question is not None:
            form = build_question_form(question, easy_read=visit.easy_read,
                                       max_free_text=current_app.config["MAX_FREE_TEXT"])
            # A fresh security token is in the new form; what they chose or wrote is kept.
            return _question_page(visit, question, form, request.args.get("change") == "1",
                                  status=400, session_problem=True)
    back = url_for("public.start", token=token) if token else None
    response = make_response(render_template("public/problem.html", kind="session", back_url=back,
                                             page_title=problem_title("session")), 400)
    return response


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    token = (request.view_args or {}).get("token")
    back = url_for("public.start", token=token) if token else None
    return make_response(render_template("public/problem.html", kind="too_large", back_url=back,
                                         page_title=problem_title("too_large")), 413)


@bp.errorhandler(429)
def too_many(error):
    return make_response(render_template("public/problem.html", kind="too_many",
                                         page_title=problem_title("too_many")), 429)
