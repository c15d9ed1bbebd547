"""Whether a figure is a goal, a plan or a forecast rather than an achieved figure.

A figure is a target when a goal word (``aim to``, ``determined to``, ``objectif``, ``viser``)
stands before it in the same clause, a verb of a goal governs it ("to raise trade to $20 billion"),
a future or conditional verb opens its clause ("will", "pourrait"), or a goal word follows it
("a $20 billion target", "sont attendus"). All offsets are in the normalised view.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from etl.lexicon import Lexicon, folded
from etl.scanner import finditer_between
from etl.text import TextView, fold

#: A goal word applies to figures at most this far after it (characters).
TARGET_REACH = 100
#: A goal word right after a figure ("a $20 billion target") applies to it within this distance.
TARGET_TRAIL = 25
#: A verb of a goal ("to raise", "porter") applies to a figure at most this far after it, and at most
#: this many words after it unless a goal preposition comes right before the figure.
NEAR_TARGET_REACH = 45
NEAR_TARGET_WORDS = 2
#: A future or conditional verb ("will", "pourrait") applies to the figures after it in its clause,
#: at most this far.
MODAL_REACH = 160
_CLAUSE_END = re.compile(r"[,;:]")
_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_CLAUSE_BREAK = re.compile(r"[;]")


class TargetCue(NamedTuple):
    """The word that makes a figure a target, and whether the years before it are left to the figures
    achieved before the goal ("reached $10 billion in 2023 and aims at $20 billion"); a future verb
    leaves them to its own figures ("Until 2030, the nation may import 14 GW")."""

    start: int
    splits_periods: bool = True


def target_cue(view: TextView, lex: Lexicon, sentence_start: int, start: int, end: int,
               previous_end: int, near_from: int | None = None, headline: bool = False) -> TargetCue | None:
    """The goal word that makes the figure at ``start:end`` a target, if any.

    A goal word must be in the same clause, after the previous figure (``previous_end``), at
    most ``TARGET_REACH`` characters before (``NEAR_TARGET_REACH`` for a verb of a goal), or
    right after the figure; a future or conditional verb reaches every figure after it in its
    clause (``_modal_cue``). ``near_from``: where a verb of a goal may start, when further than
    ``NEAR_TARGET_REACH`` (the end of a change, "to increase the amount ... from 80 to 200 MW").
    In a ``headline``, "to" before a verb is a future too ("Vietnam to supply 400MW").
    """
    p = lex.patterns
    at = lex.scan(view).starts("targets")  # where a cue word may start: each pattern is tried there only
    lo = max(sentence_start, previous_end, start - TARGET_REACH)
    clause = _CLAUSE_BREAK.search(view.folded[lo:start][::-1])
    if clause:
        lo = start - clause.start()
    cues = finditer_between(p["target_cue"], view.folded, at["cues"], lo, start)
    near = start - NEAR_TARGET_REACH if near_from is None else near_from
    cues += [m for m in finditer_between(p["near_target_cue"], view.folded, at["near_cues"], max(lo, near),
                                         start)
             if _governs(view, lex, m.end(), start)]
    if cues:
        return TargetCue(max(c.start() for c in cues))
    modal = _modal_cue(view, lex, at["modal_cues"], max(sentence_start, start - MODAL_REACH), start)
    if modal is not None:
        return TargetCue(modal, splits_periods=False)
    trail = next(iter(finditer_between(p["trailing_target_cue"], view.folded, at["trailing_cues"], end,
                                       end + TARGET_TRAIL)), None)
    # a future verb after the figure must be its verb, right after it ("300 jobs will be created"), not one
    # further on ("grown 7,600ha and will finish", "300 people who attended will remember")
    if trail is not None and not re.search(r"[.;,]", view.folded[end:trail.start()]) and not (
            trail.group() in folded(lex.targets.modal_cues) and view.folded[end:trail.start()].strip()):
        return TargetCue(trail.start())
    future = p["headline_future"].search(view.norm, sentence_start, start) if headline else None
    return TargetCue(future.start()) if future else None


def _governs(view: TextView, lex: Lexicon, cue_end: int, start: int) -> bool:
    """Whether the figure at ``start`` is the object of the goal verb ending at ``cue_end``: right after
    it ("to create 500 jobs"), or after a goal preposition ("to raise trade to $20 billion"), not a
    figure of another phrase ("to raise awareness ... for 9,000 residents")."""
    words = [m.group(0).lower() for m in _WORDS.finditer(view.norm, cue_end, start)]
    prepositions = folded(lex.targets.goal_prepositions)
    return len(words) <= NEAR_TARGET_WORDS or fold(words[-1]) in prepositions


def _modal_cue(view: TextView, lex: Lexicon, at: list[int] | None, lo: int, start: int) -> int | None:
    """The future or conditional verb before the figure at ``start`` in its clause (from ``lo``, after
    the last comma), unless a verb in the past stands between them."""
    pattern = lex.patterns["modal_cue"]
    if not finditer_between(pattern, view.folded, at, lo, start):
        return None  # most figures: no such verb before them at all
    # a comma that opens a list item ("14 GW from Laos, 3.8 GW from China") does not end the clause
    commas = [m.end() for m in _CLAUSE_END.finditer(view.folded, lo, start)
              if not lex.patterns["list_item"].match(view.folded, m.end())]
    lo = commas[-1] if commas else lo
    # written in lower case: "May" is the month
    cues = [m for m in finditer_between(pattern, view.folded, at, lo, start)
            if view.norm[m.start()].islower()]
    if not cues:
        return None
    cue = cues[-1]
    words = folded(lex.targets.achieved_words)
    suffixes = lex.targets.achieved_suffixes
    auxiliaries = folded(lex.targets.future_auxiliaries)
    for i, m in enumerate(_WORDS.finditer(view.norm, cue.end(), start)):
        written = m.group(0).lower()  # accents kept: "a" (has) is not "à" (to)
        if i == 0 and written in auxiliaries:
            suffixes = ()  # "will be increased", "will have reached": the participles are future
            continue
        if written in words or (suffixes and written.endswith(suffixes) and len(written) > 4):
            return None
    return cue.start()
