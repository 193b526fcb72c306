"""A cheap, safe pre-check before running many detailed regular expressions over a text.

``required_literals(pattern)`` reads a regular expression's syntax tree and returns a set of
plain strings such that EVERY match of the pattern contains at least one of them (or None when
no such set can be worked out, e.g. ``.{0,40}`` alone). It is computed from the pattern itself,
never written by hand, so a new pattern can never be skipped by a forgotten "anchor word".

``Prefilter`` joins the sets of many patterns into one regular expression of plain strings: a
single ``search`` says whether any detailed pattern could possibly match. Most answers contain
none of the anchors, and then the detailed patterns are not run at all. The answer is the same
as running every pattern (tested in ``tests/unit/test_analysis_prefilter.py``).

Case: patterns are matched on lower-cased, normalised text, without re.IGNORECASE.
"""

from __future__ import annotations

import re
from itertools import product

try:  # Python 3.11+
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

_MAX_SET = 256  # give up on enumerating a set of strings larger than this


def _exact(items) -> set[str] | None:
    """Every string a (sub)pattern can match, if it is a small finite set; else None."""
    out = {""}
    for op, av in items:
        if op is _c.LITERAL:
            s = {chr(av)}
        elif op is _c.SUBPATTERN:
            if av[1] or av[2]:  # inline flags (e.g. (?i:...)): do not reason about case
                return None
            s = _exact(av[3])
        elif op is _c.BRANCH:
            s = set()
            for alt in av[1]:
                a = _exact(alt)
                if a is None:
                    return None
                s |= a
        elif op is _c.IN:
            s = set()
            for iop, iav in av:
                if iop is not _c.LITERAL:
                    return None
                s.add(chr(iav))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            lo, hi, sub = av
            if hi is _c.MAXREPEAT or hi > 3:
                return None
            inner = _exact(sub)
            if inner is None:
                return None
            s = set()
            for k in range(lo, hi + 1):
                for combo in product(inner, repeat=k):
                    s.add("".join(combo))
                    if len(s) > _MAX_SET:
                        return None
        elif op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            s = {""}  # zero width
        else:
            return None
        if s is None:
            return None
        out = {a + b for a in out for b in s}
        if len(out) > _MAX_SET:
            return None
    return out


def _score(candidates: set[str]) -> tuple[int, int]:
    # The longer the shortest string, the rarer a chance hit (measured: with this choice 10% of
    # NHS comments and 32% of our labelled answers pass the safeguarding pre-check, against
    # 59% and 80% when fewer, shorter strings are preferred); then the fewer strings the better.
    return (min(len(x) for x in candidates), -len(candidates))


def _trie_regex(strings: list[str]) -> str:
    """A regular expression matching exactly ``strings``, shaped as a trie (fast in ``re``)."""
    trie: dict = {}
    for s in strings:
        node = trie
        for ch in s:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        if "" in node and len(node) == 1:
            return ""
        optional = "" in node
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch != ""]
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if optional:
            return "(?:" + body + ")?" if len(alts) > 1 or len(body) > 1 else body + "?"
        return body

    return build(trie)


def _required(items) -> set[str] | None:
    """A set of strings one of which every match of ``items`` (a sequence) contains."""
    best: set[str] | None = None

    def offer(candidate: set[str] | None) -> None:
        nonlocal best
        if candidate and "" not in candidate and (best is None or _score(candidate) > _score(best)):
            best = candidate

    run: set[str] | None = None  # product of the current run of exactly-known items
    for item in items:
        exact = _exact([item])
        if exact is not None:
            run = exact if run is None else ({a + b for a in run for b in exact} if len(run) * len(exact) <= _MAX_SET else exact)
            # Dropping the prefix of a run keeps the property (each string is still inside every match).
            offer(run)
            continue
        run = None
        op, av = item
        if op is _c.SUBPATTERN and not (av[1] or av[2]):
            offer(_required(av[3]))
        elif op is _c.BRANCH:
            union: set[str] = set()
            for alt in av[1]:
                req = _required(alt)
                if req is None:
                    union = set()
                    break
                union |= req
            offer(union or None)
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1:
            offer(_required(av[2]))
    return best


def required_literals(pattern: str) -> frozenset[str] | None:
    """Strings one of which every match of ``pattern`` contains; None if none can be worked out."""
    found = _required(_p.parse(pattern))
    return frozenset(found) if found else None


class Prefilter:
    """One scan of a text that says which groups of patterns could possibly match it.

    ``Prefilter({"education": [...patterns], "safety": [...]})``; ``candidates(text)`` is the set
    of keys with at least one required string in the text, plus every key with a pattern whose
    required strings could not be worked out (that key is always searched).

    How: one regular expression ``(?=(trie of all strings))`` finds, at every position, the
    LONGEST string starting there; any shorter string starting at the same position is a prefix
    of it, so each string also carries the keys of its prefixes. One pass serves every group.

    ``literal=True``: the groups hold the plain strings themselves (e.g. phrase lists), and
    ``before``, a zero-width lookbehind, may say what must precede each of them; give it only
    when every match of the group's patterns STARTS with one of its strings where ``before``
    holds (the scan then tries far fewer positions).
    """

    def __init__(self, groups: dict, *, literal: bool = False, before: str = ""):
        self.always: set = set()
        by_anchor: dict[str, set] = {}
        for key, patterns in groups.items():
            anchors: set[str] = set()
            for pattern in patterns:
                req = frozenset([pattern]) if literal else required_literals(pattern)
                if req is None or "" in req:
                    self.always.add(key)
                    break
                anchors |= req
            if key in self.always:
                continue
            for anchor in anchors:
                by_anchor.setdefault(anchor, set()).add(key)
        self.keys_of: dict[str, frozenset] = {}
        for anchor in by_anchor:
            keys: set = set()
            for i in range(1, len(anchor) + 1):
                keys |= by_anchor.get(anchor[:i], set())
            self.keys_of[anchor] = frozenset(keys)
        self.anchors = tuple(sorted(by_anchor))
        self._all = frozenset(groups)
        self._regex = re.compile(f"{before}(?=({_trie_regex(list(by_anchor))}))") if by_anchor else None

    def candidates(self, text: str) -> set[str]:
        found = set(self.always)
        if self._regex is not None:
            keys_of = self.keys_of
            for anchor in set(self._regex.findall(text)):
                found |= keys_of[anchor]
        return found
