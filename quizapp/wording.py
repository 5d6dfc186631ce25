"""Words and sentences: the text helpers that questions and their quality rules share (no Flask)."""

from __future__ import annotations

import re
from functools import lru_cache

from quizapp.facts import Actor, FactDate, normalize_text

BLANK = "_____"
STOPWORDS = frozenset("""
a an the and or but if of to in on at by for with from as into onto over under about after before during
since until than that this these those there their its it is was were be been being are has have had do did
does not no nor so such which who whom whose what when where why how also both either each other another
any all some more most much many very can could would should will shall may might must his her him he she they
them we us our you your i me my new between against among upon within without through
while whether according article this then later own same
""".split())
# Titles that, written before a name, would point at the answer: the blank takes them in.
TITLES = ("Prime Minister", "Foreign Minister", "Defense Minister", "President", "Premier", "Czar", "Tsar",
          "Ambassador", "Sheikh", "Chairman", "General", "King", "Minister", "Secretary")
# Words that open a sentence and are never names, whatever their case in the source.
OPENERS = {"The", "A", "An", "After", "Before", "During", "When", "While", "Following", "In", "On", "At",
           "As", "Since", "Unlike", "Despite", "Meeting", "Once", "Over", "With", "According", "From", "By",
           "For", "This", "These", "That", "Its", "Their", "Although", "Even", "Two", "Three", "Nine", "Some",
           "Many", "Several", "Both", "Up", "Under", "Between", "Within", "Only", "It", "There", "Of"}
YEAR_RE = re.compile(r"(?<!\d)(1[6-9]\d\d|20\d\d)(?!\d)")


@lru_cache(maxsize=1 << 16)
def content_words(text: str) -> frozenset[str]:
    """The words that carry meaning, folded, with a plain plural 's' dropped (cached: the generator asks the
    same texts again and again)."""
    words = re.findall(r"[a-z0-9]+", normalize_text(text).casefold())
    return frozenset(w[:-1] if len(w) > 4 and w.endswith("s") and not w.endswith("ss") else w
                     for w in words if w not in STOPWORDS and len(w) > 2)


def similarity(a: str, b: str, ignore: set[str] | frozenset[str] = frozenset()) -> float:
    """Share of the smaller text's content words found in the other (0..1), leaving out the ``ignore``d."""
    wa, wb = content_words(a) - ignore, content_words(b) - ignore
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def years_in(text: str) -> set[int]:
    return {int(y) for y in YEAR_RE.findall(text)}


def mentions(text: str, actor: Actor) -> list[tuple[int, int]]:
    """Every non-overlapping, whole-word, case-insensitive mention of the actor, as (start, end)."""
    spans: list[tuple[int, int]] = []
    folded = text.lower()
    for name in actor.names:  # longest first, so "Soviet Union" wins over "Soviet"
        if name.lower() not in folded:
            continue  # most names are not in most texts: a substring test spares the pattern
        for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE):
            if all(m.end() <= s or m.start() >= e for s, e in spans):
                spans.append((m.start(), m.end()))
    return sorted(spans)


def decade_part(first: int, last: int) -> str | None:
    """A loose span within one decade as people write it: 'the 1990s', 'the early 1980s', 'the mid-1840s',
    'the late 1960s'; None for a span across decades or one no such phrase covers."""
    decade = first - first % 10
    if last - last % 10 != decade:
        return None
    a, b = first % 10, last % 10
    if (a, b) == (0, 9) or (a <= 1 and b == 9):
        return f"the {decade}s"
    if b <= 4:
        return f"the early {decade}s"
    if a >= 3 and b <= 7:
        return f"the mid-{decade}s"
    if a >= 5:
        return f"the late {decade}s"
    return None


def written_date(date: FactDate) -> str:
    """How a sentence opens with the date: 'On 17 May 1963', 'In May 1963', 'In 1963', 'Between 1970 and 1973'."""
    if date.until and date.approx and (decade := decade_part(date.year, date.until)):
        return f"In {decade}"
    if date.until:
        return f"{'Roughly between' if date.approx else 'Between'} {date.year} and {date.until}"
    if date.approx:
        return f"Around {date.year}"
    return ("On " if date.day else "In ") + date.display()


def lower_opener(event: str, proper: set[str]) -> str:
    """The event without its sentence capital, unless its first word is a name."""
    if any(" " in name and event.startswith(name) for name in proper):
        return event  # "Defense News estimated ..."
    first, _, rest = event.partition(" ")
    bare = re.sub(r"(?:['’]s)?\W*$", "", first)  # "Syria's" is a name
    if bare in OPENERS or (bare not in proper and bare[:1].isupper() and bare.lower() != bare):
        if bare in OPENERS or bare not in proper:
            return first[:1].lower() + first[1:] + (" " + rest if rest else "")
    return event


def dated_statement(event: str, date: FactDate | None, proper: set[str]) -> str:
    """'In 1948, the Soviet Union recognized …' without lowercasing proper names."""
    if date is None:
        return event
    return f"{written_date(date)}, {lower_opener(event, proper)}"


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


_PRESENT = re.compile(r"(?i)^(?:is|are|has|have|does|do)$")
_PAST = re.compile(r"(?i)^(?:was|were|had|did|[a-z]{3,}ed|arose|began|became|broke|brought|bought|came|chose|cut|"
                   r"drew|fell|fought|gave|grew|held|kept|knew|led|left|lost|made|meant|met|paid|put|ran|rose|said|saw|sent|"
                   r"sold|sought|spread|stood|struck|took|told|went|won|withheld|wrote)$")


def present_tense(event: str) -> bool:
    """Whether the event's first finite verb is in the present ("Russia takes ...", "it is common ...",
    "... has largely not been exploited"): a standing condition, not a happening. The first tense marker
    decides: is/are/has/have/does/do, or a verb in -s after a one-word subject ("Israel gives"), against
    was/were/had/did, a verb in -ed or a common irregular past; a participle after a comma ("Russia,
    estimated at ...") marks nothing; with no marker at all ("The Russians continue to ..."), the present."""
    tokens = re.findall(r"[\w'’-]+|,", event)
    for i, word in enumerate(tokens):
        before = tokens[i - 1] if i else ""
        if _PRESENT.match(word):
            return True
        if _PAST.match(word) and not (before == "," and word.endswith("ed")):
            return False
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if i == 1 and re.fullmatch(r"[a-z]{2,}[^s'’]s", word) and before[:1].isupper() and before not in OPENERS \
                and not (_PAST.match(after) or _PRESENT.match(after)):  # "Western sanctions were": a plural noun
            return True
    return True


# Pairs whose one half, in a sentence, predicts the other in a blank ("West ... or toward the _____").
OPPOSITES = {frozenset(p) for p in (
    ("east", "west"), ("eastern", "western"), ("north", "south"), ("northern", "southern"), ("left", "right"),
    ("first", "second"), ("first", "last"), ("upper", "lower"), ("rise", "fall"), ("increase", "decrease"),
    ("import", "export"), ("imports", "exports"), ("victory", "defeat"), ("win", "lose"), ("won", "lost"),
    ("open", "closed"), ("before", "after"), ("friend", "enemy"), ("friends", "enemies"),
)}


def stem(word: str) -> str:
    """A rough stem of a folded word, enough to see "doctors" in "Doctors' Plot" or "attack" in "attacked"."""
    word = re.sub(r"['’]s?$", "", word.casefold())
    for ending in ("ations", "ation", "ings", "ing", "ies", "ed", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 4 and not word.endswith("ss"):
            return word[:-len(ending)] + ("y" if ending == "ies" else "")
    return word


def stems(text: str, shortest: int = 5) -> set[str]:
    """The stems of the words of at least ``shortest`` letters, stopwords left out."""
    words = re.findall(r"[a-z0-9]+(?:['’]s?)?", normalize_text(text).casefold())
    return {stem(w) for w in words if len(re.sub(r"['’]s?$", "", w)) >= shortest and w not in STOPWORDS}


def opposite_in(key: str, text: str) -> str | None:
    """A word of the text that is the plain opposite of the (one-word) key, if any."""
    words = set(re.findall(r"[a-z]+", normalize_text(text).casefold()))
    for word in re.findall(r"[a-z]+", normalize_text(key).casefold()):
        for pair in OPPOSITES:
            if word in pair:
                other = next(iter(pair - {word}))
                if other in words:
                    return other
    return None
