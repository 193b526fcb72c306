"""The small survey with every question kind that the engine, SMS and clock tests share
(the shape surveys/*.toml load into)."""
from __future__ import annotations

from voice_service.surveys import Option, Question, Survey, Wording

SCALE = (
    Option("1", "Very unhappy", "😢"), Option("2", "Unhappy", "🙁"), Option("3", "OK", "😐"),
    Option("4", "Happy", "🙂"), Option("5", "Very happy", "😀"),
)


def sample_survey(**overrides) -> Survey:
    """A small survey with every question kind (the shape surveys/*.toml load into)."""
    q = Question
    questions = (
        q("feel", "scale", Wording("How do you feel about the meeting?", "How do you feel about the meeting?"), SCALE),
        q("feel_why", "free_text", Wording("Why?", "Why did you choose that?"), follow_up_of="feel"),
        q("know_why", "yes_no", Wording("Do you know why we are meeting?", "Do you know why we are meeting?"), (
            Option("yes", "Yes", None, ("y",)), Option("no", "No", None, ("n",)),
            Option("not_sure", "Not sure", None, ("ns", "dont know", "don't know")),
        )),
        q("where", "single_choice", Wording("Where would you like to talk?", "Where would you like to talk?"), (
            Option("home", "At home"), Option("school", "At school"), Option("phone", "By phone", None, ("call",)),
        )),
        q("helps", "multiple_choice", Wording("What helps you?", "What helps you?"), (
            Option("friends", "Friends"), Option("family", "Family"), Option("school", "School"), Option("clubs", "Clubs"),
        )),
        q("say", "free_text", Wording("Anything else?", "Is there anything else you want to say?")),
        q("visibility", "visibility", Wording("Who may see?", "Who may see your answers?"), (
            Option("chair_only", "Only the chair"), Option("meeting", "The meeting"),
            Option("worker_and_chair", "Worker and chair"),
        )),
        q("advocate", "advocate", Wording("Would you like help?", "Would you like help to give your views?"), (
            Option("advocate", "An advocate"), Option("speak_to_chair", "Talk to the chair alone"),
            Option("no_thanks", "No, thank you"),
        )),
    )
    fields = dict(
        id="test_survey", version=1, title="Your views", roles=("parent",), age_bands=("adult",),
        meeting_types=("cp_conference",), languages=("en",), draft_languages=(), easy_read=False,
        one_question_per_page=False, intro="Intro", closing="Closing",
        signposting=("Childline 0800 1111",), questions=questions,
        sms={
            "invite": "{service}: your views before the meeting on {meeting_date}: {link} or reply to this text to answer here",
            "reminder": "{service}: a reminder: {link} or reply to this text to answer here",
            "close": "{service}: thank you, the questions have now closed.",
            "thanks": "Thank you. Your answers have been saved. {service}",
            "you_said_we_did": "{service}: what happened after the meeting: {link}",
            "safeguarding_reply": "Thank you for telling us. If you want to talk, call {phone} or Childline 0800 1111.",
        },
        sms_max_segments={"invite": 2, "reminder": 2, "close": 1, "thanks": 1, "you_said_we_did": 2, "safeguarding_reply": 1},
    )
    fields.update(overrides)
    return Survey(**fields)
