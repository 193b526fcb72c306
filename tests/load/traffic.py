"""Mixed traffic against real web and clock processes, and the checks on what reached the database.

Used by tests/load/test_load_mixed.py (a short run in the suite, PostgreSQL only) and by
bench/bench_load.py (`--minutes N`, the long run). The load generator is plain threads with
`requests` (one `requests.Session` per virtual person), bounded in time and in requests: loopback
only, it stops by itself.

Who takes part (each a thread, a little think time between requests):

* form respondents: open their private link, answer free-text questions page by page (each
  answer's words unique), look at the check page, switch language now and then;
* chat respondents: the same questions as a web chat;
* texters: signed Twilio webhooks from their own number, one in five delivered twice (a
  Twilio retry, same MessageSid);
* staff: sign in once, then the meetings list and meeting pages (each view audited);

while two clock processes (tests/load/clock_loop.py) send scheduled texts that come due
throughout the run. Requests alternate between the web servers, as a load balancer would.

What must hold afterwards (check_database): no 5xx and no failed request; every answer
acknowledged to a respondent (a redirect after the POST) stored with exactly the words sent, one
stored row per acknowledged POST, one current answer per question; every acknowledged text
recorded once; every scheduled text due during the run sent exactly once.
"""
from __future__ import annotations

import itertools
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator
from urllib3.util.retry import Retry

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
AUTH_TOKEN = "test-auth-token"  # tests.support.processes.service_env
SIGNED_URL = "http://localhost/sms/inbound"  # PUBLIC_BASE_URL there + the path
STAFF_PASSWORD = "load test password 1"
MAX_REQUESTS_PER_PERSON = 5_000  # a bound besides time
#: One number per person sent a scheduled text (the dispatcher keeps 12 hours between two texts to one
#: person); the texters have 07700 900500-599.
SCHEDULED_NUMBERS = [n for n in range(1000) if not 500 <= n < 600]
TEXT_GAP = 2.5  # seconds between texts from one number: under the 30-a-minute webhook limit


def browser_session() -> requests.Session:
    """A `requests.Session` that, like a browser, sends a GET again once when the server closed
    the idle keep-alive connection just as the request went out (gunicorn.conf.py: idle connections
    close after 5 s; the reset says nothing about the service). POSTs are never sent again: a lost POST
    is a failure the checks must see."""
    session = requests.Session()
    again = Retry(total=1, connect=1, read=1, status=0, other=0, allowed_methods={"GET"}, raise_on_status=False)
    session.mount("http://", HTTPAdapter(max_retries=again))
    return session


# -- the people -----------------------------------------------------------------------------------

@dataclass
class Population:
    forms: list[tuple[int, str]]  # (invitation id, token)
    chats: list[tuple[int, str]]
    texters: list[tuple[int, str]]  # (invitation id, phone)
    staff: list[str]  # emails
    meeting_refs: list[str]
    questions: list[str]  # free-text question ids, shown to everyone
    scheduled: list[int]  # scheduled_message ids due during the run
    fake_start: datetime  # the clocks' time at the start of the run


def decent_time(after: datetime, seconds: float) -> datetime:
    """A moment after `after` from which `seconds` (plus a margin) are outside quiet hours."""
    from voice_service.scheduling.calendar import is_allowed_time, next_allowed_time
    from voice_service.scheduling.planner import ScheduleSettings

    rules = ScheduleSettings().quiet_rules
    moment = after
    for _ in range(30):
        start = next_allowed_time(moment, rules) + timedelta(hours=1)
        if all(is_allowed_time(start + timedelta(seconds=s), rules) for s in (0, seconds / 2, seconds + 300)):
            return start
        moment = start + timedelta(hours=6)
    raise RuntimeError("no decent sending time found in a month")


def build_population(survey_id: str = "cp_conference_parent", *, forms: int = 8, chats: int = 3, texters: int = 6,
                     staff: int = 2, scheduled: int = 80, seconds: float = 25.0) -> Population:
    """Invented people in the current app's database (committed). Phones from 07700 900xxx only."""
    from tests.support.factories import make_invitation, make_meeting, make_participant, make_user
    from voice_service.extensions import db
    from voice_service.models import ScheduledMessage, utcnow
    from voice_service.surveys import registry
    from flask import current_app

    survey = registry(current_app).get(survey_id)
    questions = [q.id for q in survey.questions if q.kind == "free_text" and not q.follow_up_of]
    fake_start = decent_time(utcnow() + timedelta(days=1), seconds)
    people = itertools.count()
    refs: list[str] = []

    def invite(channel: str, phone: str | None, days_ahead: int = 30):
        meeting = make_meeting(days_ahead=days_ahead)
        refs.append(meeting.meeting_ref)
        n = next(people)
        participant = make_participant(meeting, role="parent", name=f"Load Parent {n}", phone=phone, channel=channel)
        invitation, token = make_invitation(participant, survey_id, days_valid=days_ahead + 5, channel=channel)
        return invitation, token

    form_people = [(i.id, t) for i, t in (invite("web", None) for _ in range(forms))]
    chat_people = [(i.id, t) for i, t in (invite("web", None) for _ in range(chats))]
    texting = []
    for n in range(texters):
        phone = f"+447700900{500 + n:03d}"
        invitation, _ = invite("sms", phone)
        texting.append((invitation.id, phone))
    due_ids = []
    scheduled = min(scheduled, len(SCHEDULED_NUMBERS))
    window = max(seconds - 5, 1)
    for n in range(scheduled):
        invitation, _ = invite("sms", f"+447700900{SCHEDULED_NUMBERS[n]:03d}")
        row = ScheduledMessage(invitation_id=invitation.id, kind="invite", sequence=0,
                               due_at=fake_start + timedelta(seconds=window * n / max(scheduled, 1)))
        db.session.add(row)
        db.session.flush()
        due_ids.append(row.id)
    emails = []
    for n in range(staff):
        user = make_user(role="chair", team="north", password=STAFF_PASSWORD, email=f"load-chair-{n}@example.invalid")
        emails.append(user.email)
    db.session.commit()
    return Population(form_people, chat_people, texting, emails, refs[: forms + chats + texters], questions,
                      due_ids, fake_start)


# -- what happened --------------------------------------------------------------------------------

@dataclass
class Record:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    failures: list[str] = field(default_factory=list)  # 5xx and broken requests
    failure_details: list[str] = field(default_factory=list)
    answers: list[tuple[int, str, str]] = field(default_factory=list)  # acknowledged (invitation, question, words)
    texts: dict[str, str] = field(default_factory=dict)  # acknowledged MessageSid -> reply
    repeated_replies: list[tuple[str, str, str]] = field(default_factory=list)  # (sid, first reply, retry's reply)
    started: float = 0.0
    finished: float = 0.0

    def call(self, kind: str, session: requests.Session, method: str, url: str, **kwargs) -> requests.Response | None:
        began = time.perf_counter()
        try:
            response = session.request(method, url, timeout=30, allow_redirects=False, **kwargs)
        except requests.RequestException as error:
            with self.lock:
                self.failures.append(f"{kind}: {type(error).__name__}")
                self.failure_details.append(f"{kind} {method}: {error}"[:300])
            return None
        took = time.perf_counter() - began
        with self.lock:
            self.latencies[kind].append(took)
            self.statuses[kind][response.status_code] += 1
            if response.status_code >= 500:
                self.failures.append(f"{kind}: {response.status_code}")
        return response

    def summary(self) -> dict:
        seconds = max(self.finished - self.started, 1e-9)
        every = [t for values in self.latencies.values() for t in values]
        kinds = {kind: {"requests": len(values), **percentiles(values),
                        "statuses": dict(sorted(self.statuses[kind].items()))}
                 for kind, values in sorted(self.latencies.items())}
        return {"seconds": round(seconds, 1), "requests": len(every), "per_second": round(len(every) / seconds, 1),
                **percentiles(every), "failures": len(self.failures), "answers_acknowledged": len(self.answers),
                "texts_acknowledged": len(self.texts), "by_kind": kinds}


def percentiles(values: list[float]) -> dict:
    if len(values) < 2:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50_ms": round(cuts[49] * 1000, 1), "p95_ms": round(cuts[94] * 1000, 1), "p99_ms": round(cuts[98] * 1000, 1)}


def _csrf(response: requests.Response | None) -> str | None:
    if response is None or response.status_code != 200:
        return None
    found = CSRF.search(response.text)
    return (found.group(1) or found.group(2)) if found else None


# -- the virtual people ---------------------------------------------------------------------------

def form_person(servers, invitation_id: int, token: str, questions: list[str], record: Record, stop: threading.Event,
                seed: int) -> None:
    rnd = random.Random(seed)
    session = browser_session()
    bases = itertools.cycle(servers)
    for n in range(MAX_REQUESTS_PER_PERSON):
        if stop.is_set():
            return
        base = next(bases)
        record.call("form start", session, "GET", f"{base}/r/{token}")
        question = rnd.choice(questions)
        url = f"{base}/r/{token}/q/{question}"
        token_value = _csrf(record.call("form page", session, "GET", url))
        if token_value:
            words = f"load {invitation_id}-{n}: we would like more time with the children, {rnd.randrange(10**6)}"
            posted = record.call("form answer", session, "POST", url, data={"csrf_token": token_value, "answer": words})
            if posted is not None and posted.status_code in (302, 303):
                with record.lock:
                    record.answers.append((invitation_id, question, words))
        if n % 4 == 3:
            record.call("check page", session, "GET", f"{base}/r/{token}/check")
        if n % 10 == 9 and token_value:
            record.call("language", session, "POST", f"{base}/r/{token}/language",
                        data={"csrf_token": token_value, "language": "en", "next": f"/r/{token}/check"})
        stop.wait(rnd.uniform(0.05, 0.3))


def chat_person(servers, invitation_id: int, token: str, record: Record, stop: threading.Event, seed: int) -> None:
    rnd = random.Random(seed)
    session = browser_session()
    bases = itertools.cycle(servers)
    replies = ("2", "yes", "I would like the meeting to be shorter", "skip", "3", "no", "they listen to me sometimes")
    for _ in range(MAX_REQUESTS_PER_PERSON):
        if stop.is_set():
            return
        base = next(bases)
        page = record.call("chat page", session, "GET", f"{base}/r/{token}/chat")
        token_value = _csrf(page)
        if token_value:
            record.call("chat message", session, "POST", f"{base}/r/{token}/chat",
                        data={"csrf_token": token_value, "message": rnd.choice(replies)})
        stop.wait(rnd.uniform(0.2, 0.6))


def texter(servers, phone: str, record: Record, stop: threading.Event, seed: int) -> None:
    rnd = random.Random(seed)
    session = browser_session()
    bases = itertools.cycle(servers)
    validator = RequestValidator(AUTH_TOKEN)
    bodies = ("hello", "2", "yes", "we need help with the school run", "4", "skip", "no", "the plan is not clear to us")
    for n in range(MAX_REQUESTS_PER_PERSON):
        if stop.is_set():
            return
        sid = f"SM{seed:08x}{n:024x}"
        params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "0" * 32, "From": phone,
                  "To": "+447700900999", "Body": rnd.choice(bodies), "NumMedia": "0", "ApiVersion": "2010-04-01"}
        headers = {"X-Twilio-Signature": validator.compute_signature(SIGNED_URL, params)}
        deliveries = 2 if n % 5 == 4 else 1  # a Twilio retry of the same message
        for _ in range(deliveries):
            response = record.call("sms webhook", session, "POST", f"{next(bases)}/sms/inbound", data=params, headers=headers)
            if response is not None and response.status_code == 200:
                with record.lock:
                    if sid in record.texts and record.texts[sid] != response.text:
                        record.repeated_replies.append((sid, record.texts[sid], response.text))
                    record.texts.setdefault(sid, response.text)
        stop.wait(TEXT_GAP + rnd.uniform(0, 0.5))


def staff_person(servers, email: str, refs: list[str], record: Record, stop: threading.Event, seed: int) -> None:
    rnd = random.Random(seed)
    session = browser_session()
    bases = itertools.cycle(servers)
    base = next(bases)
    token_value = _csrf(record.call("sign-in page", session, "GET", f"{base}/staff/sign-in"))
    signed_in = record.call("sign in", session, "POST", f"{base}/staff/sign-in",
                            data={"csrf_token": token_value, "email": email, "password": STAFF_PASSWORD})
    if signed_in is None or signed_in.status_code not in (302, 303):
        with record.lock:
            record.failures.append(f"sign in: {getattr(signed_in, 'status_code', None)}")
        return
    for n in range(MAX_REQUESTS_PER_PERSON):
        if stop.is_set():
            return
        base = next(bases)
        if n % 3 == 0:
            record.call("staff meetings", session, "GET", f"{base}/staff/meetings?scope=all")
        else:
            record.call("staff meeting page", session, "GET", f"{base}/staff/meetings/{rnd.choice(refs)}")
        stop.wait(rnd.uniform(0.1, 0.4))


def warm_up(servers: list[str], population: Population) -> None:
    """Each kind of page once on each server, not recorded: templates compiled, pools filled."""
    session = browser_session()
    token = population.forms[0][1]
    for base in servers:
        for path in (f"/r/{token}", f"/r/{token}/q/{population.questions[0]}", f"/r/{token}/check", "/staff/sign-in",
                     f"/r/{population.chats[0][1]}/chat", "/healthz"):
            session.get(base + path, timeout=30)


def run_traffic(servers: list[str], population: Population, seconds: float) -> Record:
    """Every virtual person at once for `seconds`; returns what was asked and answered."""
    warm_up(servers, population)
    record = Record()
    stop = threading.Event()
    threads = []
    seeds = itertools.count(1)
    for invitation_id, token in population.forms:
        threads.append(threading.Thread(target=form_person, args=(servers, invitation_id, token, population.questions,
                                                                   record, stop, next(seeds))))
    for invitation_id, token in population.chats:
        threads.append(threading.Thread(target=chat_person, args=(servers, invitation_id, token, record, stop, next(seeds))))
    for _, phone in population.texters:
        threads.append(threading.Thread(target=texter, args=(servers, phone, record, stop, next(seeds))))
    for email in population.staff:
        threads.append(threading.Thread(target=staff_person, args=(servers, email, population.meeting_refs, record, stop,
                                                                    next(seeds))))
    record.started = time.monotonic()
    for thread in threads:
        thread.daemon = True
        thread.start()
    stop.wait(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=40)
    record.finished = time.monotonic()
    if any(thread.is_alive() for thread in threads):
        record.failures.append("a virtual person did not stop")
    return record


def reference_rate(servers: list[str], seconds: float, threads: int) -> dict:
    """The same number of threads asking GET /healthz (one SELECT 1) as fast as they can: what
    these servers do with no work of ours, for the ratio."""
    record = Record()
    stop = threading.Event()

    def ask(seed: int) -> None:
        session = browser_session()
        bases = itertools.cycle(servers)
        while not stop.is_set():
            record.call("healthz", session, "GET", f"{next(bases)}/healthz")

    workers = [threading.Thread(target=ask, args=(n,), daemon=True) for n in range(threads)]
    record.started = time.monotonic()
    for w in workers:
        w.start()
    stop.wait(seconds)
    stop.set()
    for w in workers:
        w.join(timeout=40)
    record.finished = time.monotonic()
    return record.summary()


# -- the processes --------------------------------------------------------------------------------

@contextmanager
def clocks(database_url: str, fake_start: datetime, seconds: float, count: int = 2):
    """`count` clock processes dispatching due texts for `seconds`; yields a list filled with
    each one's totals (JSON) when it stops."""
    import json

    real_start = time.time()
    procs = [subprocess.Popen(
        [sys.executable, "-m", "tests.load.clock_loop", database_url, fake_start.isoformat(), str(real_start), str(seconds)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
    ) for _ in range(count)]
    results: list[dict] = []
    try:
        for proc in procs:  # traffic starts once every clock is up (their start-up is not the load)
            proc.stdout.readline()
        yield results
    finally:
        for proc in procs:
            try:
                out, err = proc.communicate(timeout=seconds + 60)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
            lines = [line for line in out.splitlines() if line.startswith("{")]
            results.append({**(json.loads(lines[-1]) if lines else {"errors": "no report"}),
                            "exit": proc.returncode, "stderr": err[-2000:]})


@contextmanager
def web_servers(database_url: str, count: int = 2, log_dir: str | None = None, **env):
    """`count` gunicorn servers (one worker, four threads each) on loopback; yields their base URLs."""
    from tests.support.processes import gunicorn

    with ExitStack() as stack:
        bases = []
        for n in range(count):
            log_path = f"{log_dir}/gunicorn-{n}.log" if log_dir else None
            _proc, base = stack.enter_context(gunicorn(database_url, workers=1, log_path=log_path, **env))
            bases.append(base)
        yield bases


# -- the checks -----------------------------------------------------------------------------------

def finish_dispatch(population: Population, seconds: float) -> None:
    """One last dispatch at the end of the run's window: what was due must all be out now."""
    from voice_service.messaging import compose_scheduled, get_sender
    from voice_service.scheduling.dispatch import dispatch_due
    from flask import current_app

    dispatch_due(get_sender(current_app), compose_scheduled, now=population.fake_start + timedelta(seconds=seconds + 1))


def check_database(population: Population, record: Record) -> list[str]:
    """Everything acknowledged is stored exactly once; nothing sent twice. Returns the problems."""
    from voice_service.extensions import db
    from voice_service.models import Answer, Message, ScheduledMessage

    db.session.expire_all()
    problems: list[str] = []
    form_ids = [i for i, _ in population.forms]
    stored = Counter(
        (a.invitation_id, a.question_id, a.free_text)
        for a in db.session.scalars(select(Answer).where(Answer.invitation_id.in_(form_ids)))
    )
    acknowledged = Counter(record.answers)
    lost = [a for a in acknowledged if stored[a] < acknowledged[a]]
    extra = [a for a in stored if stored[a] > acknowledged[a]]
    if lost:
        problems.append(f"{len(lost)} acknowledged answers not stored exactly as sent, e.g. {lost[:2]}")
    if extra:
        problems.append(f"{len(extra)} answers stored more often than acknowledged, e.g. {extra[:2]}")
    # the current answer to each question is the last one the person was told was saved
    last_sent = {(i, q): w for i, q, w in record.answers}
    current = {(a.invitation_id, a.question_id): a.free_text for a in db.session.scalars(
        select(Answer).where(Answer.invitation_id.in_(form_ids), Answer.is_current.is_(True)))}
    wrong = [k for k, words in last_sent.items() if current.get(k) != words]
    if wrong:
        problems.append(f"{len(wrong)} questions whose current answer is not the last one saved, e.g. {wrong[:2]}")
    every = [i for i, _ in population.forms + population.chats] + [i for i, _ in population.texters]
    doubled = db.session.execute(
        select(Answer.invitation_id, Answer.question_id, func.count()).where(
            Answer.invitation_id.in_(every), Answer.is_current.is_(True))
        .group_by(Answer.invitation_id, Answer.question_id).having(func.count() > 1)).all()
    if doubled:
        problems.append(f"{len(doubled)} questions with more than one current answer, e.g. {doubled[:2]}")
    # texts: each acknowledged MessageSid recorded once, retries answered alike
    sids = list(record.texts)
    held = Counter(db.session.scalars(select(Message.provider_sid).where(Message.provider_sid.in_(sids))))
    missing = [s for s in sids if held[s] != 1]
    if missing:
        problems.append(f"{len(missing)} acknowledged texts not recorded exactly once, e.g. {missing[:2]}")
    if record.repeated_replies:
        problems.append(f"{len(record.repeated_replies)} retried texts answered differently the second time")
    # the clocks: every scheduled text due in the run sent, each exactly once
    states = Counter(db.session.scalars(select(ScheduledMessage.state).where(ScheduledMessage.id.in_(population.scheduled))))
    if states != Counter({"sent": len(population.scheduled)}):
        problems.append(f"scheduled texts not all sent: {dict(states)}")
    per_step = db.session.execute(
        select(Message.scheduled_message_id, func.count()).where(Message.scheduled_message_id.in_(population.scheduled))
        .group_by(Message.scheduled_message_id)).all()
    twice = [sid for sid, n in per_step if n != 1]
    if twice or len(per_step) != len(population.scheduled):
        problems.append(f"scheduled texts sent other than once: {len(twice)} twice, {len(population.scheduled) - len(per_step)} never")
    if record.failures:
        problems.append(f"{len(record.failures)} failed requests: {Counter(record.failures).most_common(5)} "
                        f"{record.failure_details[:3]}")
    other = {kind: {s: n for s, n in c.items() if s not in (200, 204, 302, 303)} for kind, c in record.statuses.items()}
    other = {k: v for k, v in other.items() if v}
    if other:
        problems.append(f"unexpected statuses: {other}")
    return problems


