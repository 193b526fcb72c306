"""Trends for QA and the Family Advisory Group: suppressed aggregates and redacted quotes only.

/insights/            the trends page (admin, qa, family_advisory): response rates and coverage,
                      themes and sentiment, charts with tables and summaries, shareable redacted
                      quotes. Nothing finer than a month, no names, ids or references, every
                      count under SUPPRESSION_THRESHOLD hidden (with secondary suppression).
/insights/review      the review queue (qa, admin only): answers waiting for a person.
/insights/review/<id> confirm or correct one answer's themes, sentiment and flag.
/insights/review/feedback/<id>  the same for feedback from another source (other_voices.py).
/insights/quotes      quotes waiting for a person to approve them for sharing (qa, admin only).
/insights/quotes/<id> approve (perhaps taking out more words) or withhold one quote.
Every view of answers in the review queue is written to the audit log, one event per answer,
and the review queue keeps to the meeting page's visibility rule (store.review.answers_visible_to).
"""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, get_flashed_messages, redirect, render_template, request, url_for
from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import RadioField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from voice_service import audit, auth, other_voices
from voice_service.analysis import quote_approval, report, review, suppression, trends
from voice_service.analysis.language import language_name
from voice_service.extensions import db
from voice_service.store import quotes
from voice_service.store import review as store_review
from voice_service.forms.base import ServiceForm
from voice_service.models import utcnow
from voice_service.vocab import SENTIMENTS, STAFF_ROLES

log = logging.getLogger(__name__)

bp = Blueprint("insights", __name__, url_prefix="/insights")

PERIODS = {"1": "This month", "3": "The last 3 months", "6": "The last 6 months", "12": "The last 12 months",
           "24": "The last 24 months"}
DEFAULT_PERIOD = "12"
REVIEW_ROLES = ("qa", "admin")


class _SignOutForm(ServiceForm):
    """The sign-out button in the staff header (its view is staff.sign_out)."""


class ReviewForm(ServiceForm):
    themes = SelectMultipleField("Themes", widget=GovCheckboxesInput(), validate_choice=True)
    sentiment = RadioField("Sentiment", widget=GovRadioInput(),
                           validators=[InputRequired("Choose the sentiment of the answer")],
                           choices=[SelectChoice(s, trends.SENTIMENT_LABELS[s]) for s in SENTIMENTS])
    safeguarding = RadioField("Could this be a safeguarding disclosure?", widget=GovRadioInput(),
                              validators=[InputRequired("Choose yes if a person should read this answer today")],
                              choices=[SelectChoice("yes", "Yes, a person must read it today"), SelectChoice("no", "No")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from voice_service.analysis.codebook import THEME_IDS

        self.themes.choices = [SelectChoice(t, trends.THEME_LABELS.get(t, t)) for t in THEME_IDS]


class QuoteForm(ServiceForm):
    decision = RadioField("May this quote be shared outside QA?", widget=GovRadioInput(),
                          validators=[InputRequired("Choose whether this quote may be shared")],
                          choices=[SelectChoice("approved", "Yes, share it in the words above"),
                                   SelectChoice("withheld", "No, do not share it")])
    text = TextAreaField("The quote as it will be shared", widget=GovTextArea(), validators=[
        Length(max=trends.QUOTE_LENGTH, message=f"Shorten the quote to {trends.QUOTE_LENGTH} characters or fewer")])


@bp.context_processor
def insights_context():
    """The staff layout's header, with the insights pages in its menu."""
    user = auth.current_user()
    nav = []
    try:
        from voice_service.web.staff import staff_context

        nav = list(staff_context().get("staff_nav", []))
    except Exception:  # the staff menu is a convenience here; the page works without it
        log.debug("staff menu unavailable on insights pages")
    endpoint = request.endpoint or ""
    if user is not None:
        nav.append({"href": url_for("insights.dashboard"), "text": "Trends", "active": endpoint == "insights.dashboard"})
        nav.append({"href": url_for("insights.you_said_we_did"), "text": "You said, we did",
                    "active": endpoint == "insights.you_said_we_did"})
        if user.role in REVIEW_ROLES:
            nav.append({"href": url_for("insights.review_queue"), "text": "Review queue",
                        "active": endpoint.startswith("insights.review")})
            nav.append({"href": url_for("insights.quotes_queue"), "text": "Quotes to approve",
                        "active": endpoint.startswith("insights.quote")})
            nav.append({"href": url_for("pack.index"), "text": "Monthly pack", "active": endpoint.startswith("pack.")})
    return {"staff_user": user, "staff_roles": STAFF_ROLES, "staff_nav": nav,
            "sign_out_form": _SignOutForm(prefix="signout")}


@bp.app_template_filter("count_or_c")
def count_or_c(value) -> str:
    """A count with thousands separators, or [c] when it is hidden."""
    return "[c]" if value is None else f"{int(value):,}"


@bp.app_template_global("rate")
def rate(numerator, denominator):
    """A share, or None when either count is hidden (see suppression.rate)."""
    return suppression.rate(numerator, denominator)


@bp.app_template_global("minutes")
def minutes(value) -> str:
    """A duration in minutes, in words: "45 minutes", "3.5 hours", "none yet"."""
    if value is None:
        return "none yet"
    if value < 120:
        return f"{value:.0f} minutes"
    return f"{value / 60:.1f} hours"


@bp.app_template_filter("rate_or_c")
def rate_or_c(value) -> str:
    return "[c]" if value is None else f"{value * 100:.0f}%"


def _period(choice: str) -> tuple[str, str]:
    now = utcnow().astimezone(report.queries.LONDON)
    last = f"{now.year}-{now.month:02d}"
    months = int(choice)
    first = last
    for _ in range(months - 1):
        first = trends.previous_month(first)
    return first, last


@bp.get("/")
def dashboard():
    """Suppressed trends for the chosen period (a whole number of months up to this one)."""
    choice = request.args.get("period", DEFAULT_PERIOD)
    errors = None
    if choice not in PERIODS:
        errors = {"titleText": "There is a problem",
                  "errorList": [{"text": "Choose a period from the list", "href": "#period"}]}
        choice = DEFAULT_PERIOD
    first, last = _period(choice)
    threshold = int(current_app.config["SUPPRESSION_THRESHOLD"])
    ttl = float(current_app.config.get("INSIGHTS_CACHE_SECONDS", 300))
    data = report.cached_trends(current_app._get_current_object(), first, last, threshold, ttl)
    user = auth.current_user()
    can_review = user is not None and user.role in REVIEW_ROLES
    return render_template(
        "insights/dashboard.html", t=data, periods=PERIODS, period=choice, errors=errors,
        quotes_waiting=quotes.waiting_count() if can_review else 0,
        quotes_counted_up_to=quotes.WAITING_COUNTED_UP_TO,
        form_has_errors=bool(errors), can_review=can_review,
        page_title="Trends: what children and families tell us",
    )


@bp.get("/review")
def review_queue():
    """Answers waiting for a QA officer (qa and admin only). Each answer shown is audited."""
    auth.require_role(*REVIEW_ROLES)
    page = _page_number()
    flagged_only = request.args.get("flagged") == "1"
    user = auth.current_user()
    waiting = review.queue(user.role, page=page, flagged_only=flagged_only)
    feedback = review.feedback_queue(page=page, flagged_only=flagged_only)
    for answer in waiting.answers:
        audit.record(user, "answer_viewed_in_review_queue", answer)
    for item in feedback.items:
        audit.record(user, "source_feedback_viewed_in_review_queue", item)
    db.session.commit()
    pages = max((max(waiting.total, feedback.total) + review.PER_PAGE - 1) // review.PER_PAGE, 1)
    return render_template(
        "insights/review_queue.html", answers=waiting.answers, total=waiting.total, held_back=waiting.held_back,
        feedback=feedback.items, feedback_total=feedback.total, sources=other_voices.SOURCES,
        review_reasons=other_voices.REVIEW_REASONS, page=page, pages=pages,
        flagged_only=flagged_only, theme_labels=trends.THEME_LABELS, sentiment_labels=trends.SENTIMENT_LABELS,
        done=get_flashed_messages(category_filter=["reviewed"]), page_title="Review queue", language_name=language_name,
    )


@bp.route("/review/<int:answer_id>", methods=["GET", "POST"])
def review_answer(answer_id: int):
    """One answer's words, with the suggestions to confirm or correct (qa and admin only)."""
    auth.require_role(*REVIEW_ROLES)
    answer = store_review.reviewable(answer_id, auth.current_user().role)
    if answer is None:  # unknown, or words its writer chose this role may not read
        abort(404)
    question = review.question_text(answer)
    return _review(answer, f"Answer {answer.id}", review.suggested(answer),
                   lambda user, decision: review.apply_review(answer, user, decision, question),
                   "answer_viewed_for_review", question=question, words=answer.free_text,
                   redacted=answer.redacted_text, flagged=answer.safeguarding_flag)


@bp.route("/review/feedback/<int:feedback_id>", methods=["GET", "POST"])
def review_feedback(feedback_id: int):
    """One piece of feedback from another source, to confirm or correct (qa and admin only)."""
    auth.require_role(*REVIEW_ROLES)
    item = review.feedback_for_review(feedback_id)
    if item is None:
        abort(404)
    return _review(item, f"Feedback {item.id}", review.feedback_suggested(item),
                   lambda user, decision: review.apply_feedback_review(item, user, decision),
                   "source_feedback_viewed_for_review", source_label=other_voices.SOURCES.get(item.source, item.source),
                   reason=other_voices.REVIEW_REASONS.get(item.review_reason or ""),
                   words=item.text, redacted=item.redacted_text,
                   flagged=item.safeguarding)


def _review(subject, what: str, suggested: review.Decision, apply, viewed: str, **shown):
    """The review page of an answer or a piece of feedback: the form starts from the suggestions;
    a saved decision is committed, the trends' cache cleared and any alert it raised notified."""
    user = auth.current_user()
    form = ReviewForm()
    if request.method == "GET":
        form.themes.data, form.sentiment.data = list(suggested.themes), suggested.sentiment
        form.safeguarding.data = "yes" if suggested.safeguarding else "no"
    elif form.validate_on_submit():
        outcome = apply(user, review.Decision(tuple(form.themes.data or ()), form.sentiment.data,
                                              form.safeguarding.data == "yes"))
        db.session.commit()
        report.clear_cache(current_app._get_current_object())
        if outcome.new_alert is not None:
            _notify(outcome.new_alert)
        flash(f"{what} reviewed: {outcome.confirmed} themes confirmed, {outcome.added} added, "
              f"{outcome.rejected} removed.", "reviewed")
        return redirect(url_for("insights.review_queue"))
    audit.record(user, viewed, subject)
    db.session.commit()
    errors = wtforms_errors(form, {"titleText": "There is a problem"}) if form.errors else None
    evidence = subject.analysis_evidence if isinstance(subject.analysis_evidence, dict) else {}
    return render_template(
        "insights/review_answer.html", form=form, errors=errors, form_has_errors=bool(errors),
        heading=f"Review {what.lower()}", page_title=f"Review {what.lower()}", theme_labels=trends.THEME_LABELS,
        sentiment_labels=trends.SENTIMENT_LABELS, theme_evidence=evidence.get("themes") or {},
        flag_evidence=evidence.get("safeguarding") or [], **shown,
        interpreter_language=language_name(evidence.get("language")) if evidence.get("needs_interpreter") else None,
    )


def _page_number() -> int:
    try:
        return min(max(int(request.args.get("page", "1")), 1), 100_000)
    except ValueError:
        return 1


@bp.get("/quotes")
def quotes_queue():
    """Quotes nobody has decided about yet (qa and admin only). Each one shown is audited."""
    auth.require_role(*REVIEW_ROLES)
    user = auth.current_user()
    page = _page_number()
    answers, total = quotes.awaiting(page=page)
    shown = [(a, quote_approval.quotable_text(a)) for a in answers]
    for answer in answers:
        audit.record(user, "answer_viewed_for_quote_approval", answer)
    db.session.commit()
    pages = max((total + quotes.PER_PAGE - 1) // quotes.PER_PAGE, 1)
    return render_template("insights/quotes_queue.html", shown=shown, total=total, page=page, pages=pages,
                           done=get_flashed_messages(category_filter=["quote"]), page_title="Quotes to approve")


@bp.route("/quotes/<int:answer_id>", methods=["GET", "POST"])
def quote_decision(answer_id: int):
    """Approve a quote, perhaps taking out more words, or withhold it (qa and admin only)."""
    auth.require_role(*REVIEW_ROLES)
    user = auth.current_user()
    answer = quotes.awaiting_answer(answer_id)
    if answer is None:  # unknown, decided already, or not one that could be quoted
        abort(404)
    form = QuoteForm()
    if request.method == "GET":
        form.text.data = quote_approval.quotable_text(answer)
    elif form.validate_on_submit():
        try:
            quote_approval.decide(answer, user, quote_approval.QuoteDecision(form.decision.data, form.text.data))
        except ValueError:
            form.text.errors = [*form.text.errors, "Give the words to share, or choose not to share this quote"]
        else:
            db.session.commit()
            report.clear_cache(current_app._get_current_object())
            shared = form.decision.data == "approved"
            flash(f"Quote {answer.id} {'approved for sharing' if shared else 'will not be shared'}.", "quote")
            return redirect(url_for("insights.quotes_queue"))
    audit.record(user, "answer_viewed_for_quote_approval", answer)
    db.session.commit()
    errors = wtforms_errors(form, {"titleText": "There is a problem"}) if form.errors else None
    return render_template("insights/quote_decision.html", answer=answer, form=form, errors=errors,
                           form_has_errors=bool(errors), theme_labels=trends.THEME_LABELS,
                           page_title=f"Approve quote {answer.id}"), 400 if errors else 200


def _notify(alert) -> None:
    try:
        from voice_service.alerts import notify_duty_team

        notify_duty_team(alert)
    except Exception:  # the alert is open in the inbox; the escalation job chases it
        log.exception("duty team notification failed", extra={"alert_id": alert.id})


@bp.get("/you-said-we-did")
def you_said_we_did():
    """What the service did about what children and families said: published actions, in plain
    words only (for the Family Advisory Group and the Children in Care Council)."""
    from voice_service.store.learning import published_actions

    return render_template("insights/you_said_we_did.html", actions=published_actions(),
                           page_title="You said, we did: what we changed")
