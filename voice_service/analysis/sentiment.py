"""Question-aware sentiment: ``positive``, ``neutral`` or ``negative``.

Chosen by measurement (``flask analyse evaluate --labels tests/data/labelled_answers.jsonl``:
3-class macro-F1 on 381 invented answers, VADER alone 0.40, TextBlob alone 0.39, these rules
0.64, rules + trained model 0.79 by 5-fold CV; on the NHS set VADER 0.46, rules 0.48, trained
model 0.70). Plain VADER reads children's and parents' answers
poorly ("I don't feel safe at home" is barely negative, "nothing" is neutral whatever the
question, "my sw never comes" has no negative word). The rules here, in order:

1. A non-answer ("nothing", "no", "nobody", "don't know") takes its sentiment from the question:
   to "What could be better?" or "Who makes you feel unsafe?" it is ``neutral``; "nothing" to
   "What is going well?" is ``negative``; "don't know" is ``neutral``.
2. A possible safeguarding disclosure is ``negative``.
3. Otherwise: VADER's compound score on the normalised text (text-speak expanded) plus domain
   cues that VADER lacks (weights below), with a neutral band. A trained model, when one is
   given to ``pipeline.classify``, replaces step 3 (see ``model.py``).

TextBlob is not used: the team measured it at 18/40 against a careful reader (VADER 26/40), and
it adds nothing here that the rules do not (``evaluate.py`` prints both for comparison).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .codebook import Normalised, normalise
from .prefilter import Prefilter
from .questions import non_answer, question_kind

LABELS = ("positive", "neutral", "negative")

# (pattern on normalised text, weight). Negative weights for things children and parents say
# when something is wrong that VADER's general lexicon misses or underrates.
CUES: list[tuple[str, float]] = [
    (r"(not|don't|never|isn't|doesn't|didn't|ain't|no longer) (feel |feel very |really |very )?(safe|listened to|heard|happy|nice|fair|kind|good|okay|ok|helpful|enough)", -0.9),
    (r"(nobody|no one|no-one|never|doesn't|don't|didn't|won't|not) (ever )?(listen|listens|listened|asks|asked|explains|explained|tells|told|calls|called|rings|rang|replies|replied|comes|came|visits|visited|turns up|turned up|helps|helped|cares|answers|answered|gets back|got back|understands|understood|bothers|bothered|shows up)", -0.8),
    (r"(ignore|ignores|ignored|ignoring)", -0.7),
    (r"(unsafe|scared|frightened|afraid|worried|anxious|lonely|upset|stressed|confused|confusing|embarrassed|bored|excluded|bullied|cancelled|canceled|rubbish|useless|unfair|racist|damp|mould|mouldy|overcrowded)", -0.6),
    (r"(too many|so many|keep changing|keeps changing|kept changing|changed again|new social worker again|(\d+|three|four|five|six|loads of) (different )?social workers)", -0.6),
    (r"(still waiting|waiting (list|for|ages|months|weeks)|took (ages|months|weeks|forever)|long wait|too long|too late|last minute|the night before|on the day)", -0.6),
    (r"(miss|missing) (my|mum|dad|home|them|him|her)", -0.5),
    (r"(want|wanna|wish|would like) (to )?(go home|go back home|live with|see (my )?\w+ more|more contact)", -0.3),
    (r"(don't|didn't|do not) (know|understand) (why|what|how|who|when)|no idea why|(don't|didn't) understand", -0.6),
    (r"(don't|do not|didn't|never) (like|enjoy|want)", -0.6),
    (r"(hate|hated|hates|can't stand)", -0.7),
    (r"(not enough|no help|no support|nothing has (changed|happened)|nothing changes|no one (helps|cares))", -0.6),
    (r"(sad|crying|cry|lonely|angry|stress|worry|worries|nightmares)", -0.4),
    # Positive cues.
    (r"(i|i'm|we|we're|am|feel|feels|felt) (really |very |so |totally |always )?(safe|settled|happy|happier|listened to|heard|supported|looked after|cared for|included)", 0.8),
    (r"(listens|listened|listen) to (me|us|what)", 0.6),
    (r"(helps|helped|help) (me|us)", 0.5),
    (r"(kind|lovely|brilliant|amazing|great|helpful|supportive|fab|fantastic|the best|nice|caring|patient|understanding|friendly)", 0.5),
    (r"(like|love|loved|enjoy|enjoyed|likes|loves) (it|my|the|going|being|living|seeing|her|him|them|that|when|school|football)", 0.5),
    (r"(thank|thanks|thank you|grateful)", 0.5),
    (r"(much |a lot |loads )?better (now|than before|since)", 0.6),
    (r"(explained|explains) (everything|it|things|well|clearly)", 0.5),
    (r"(asked|ask|asks) (me )?(what i (want|wanted|think|thought)|my (views|opinion))", 0.4),
]

# One pass over the text: leftmost match first and, at one position, the earliest cue in CUES
# (so "not happy" is read before "happy" can be).
_CUE_RE = re.compile(
    r"(?<![\w'])(?:" + "|".join(f"(?P<c{i}>{p})" for i, (p, _) in enumerate(CUES)) + r")(?![\w'])"
)
_CUE_WEIGHTS = {f"c{i}": w for i, (_, w) in enumerate(CUES)}
# Which cues could match a text at all (prefilter.py); the one-pass regex is then built from
# those cues only, in the same order, which finds exactly the same matches (a cue that cannot
# match anywhere never takes part in a match).
_CUE_PREFILTER = Prefilter({f"c{i}": [p] for i, (p, _) in enumerate(CUES)})


@lru_cache(maxsize=2048)
def _cue_regex(groups: tuple[int, ...]) -> re.Pattern[str]:
    return re.compile(
        r"(?<![\w'])(?:" + "|".join(f"(?P<c{i}>{CUES[i][0]})" for i in groups) + r")(?![\w'])"
    )

NEGATIVE_AT = -0.25
POSITIVE_AT = 0.3


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def vader_compound(text: str) -> float:
    return float(_vader().polarity_scores(text)["compound"])


@dataclass
class SentimentResult:
    label: str
    source: str  # "rule:non-answer", "rule:safeguarding", "vader+cues", "model:<version>"
    score: float = 0.0
    cues: list[str] = field(default_factory=list)

    def evidence(self) -> dict:
        return {"label": self.label, "source": self.source, "score": round(self.score, 3), "cues": self.cues}


def cue_score(norm: Normalised, prefilter: bool = True) -> tuple[float, list[str]]:
    total = 0.0
    cues: list[str] = []
    if prefilter:
        possible = _CUE_PREFILTER.candidates(norm.text)
        if not possible:
            return total, cues
        regex = _cue_regex(tuple(sorted(int(g[1:]) for g in possible)))
    else:
        regex = _CUE_RE
    for m in regex.finditer(norm.text):
        total += _CUE_WEIGHTS[m.lastgroup or ""]
        words = norm.original_span(m.start(), m.end()).strip()
        if words and words not in cues:
            cues.append(words)
    return total, cues


def rule_sentiment(text: str | Normalised, question: str | None = None, safeguarding: bool = False) -> SentimentResult | None:
    """Steps 1 and 2: the rules that hold whatever a model says. None when no rule applies."""
    norm = text if isinstance(text, Normalised) else normalise(text)
    kind = question_kind(question)
    na = non_answer(norm.original)
    if na is not None:
        if na == "none" and kind == "good":
            return SentimentResult("negative", "rule:non-answer to a 'what is good' question")
        return SentimentResult("neutral", f"rule:non-answer ({na}) to a '{kind}' question")
    if safeguarding:
        return SentimentResult("negative", "rule:possible safeguarding disclosure", -1.0)
    return None


def lexicon_sentiment(text: str | Normalised, question: str | None = None) -> SentimentResult:
    """Step 3 without a model: VADER on normalised text plus domain cues."""
    norm = text if isinstance(text, Normalised) else normalise(text)
    compound = vader_compound(norm.text)
    cues_total, cues = cue_score(norm)
    score = compound + cues_total
    if score <= NEGATIVE_AT:
        label = "negative"
    elif score >= POSITIVE_AT:
        label = "positive"
    else:
        label = "neutral"
    return SentimentResult(label, "vader+cues", score, cues)


def sentiment(text: str | Normalised, question: str | None = None, safeguarding: bool = False) -> SentimentResult:
    """Sentiment of an answer, read together with its question."""
    norm = text if isinstance(text, Normalised) else normalise(text)
    return rule_sentiment(norm, question, safeguarding) or lexicon_sentiment(norm, question)
