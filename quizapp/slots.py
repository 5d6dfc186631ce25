"""Where an actor's mention sits in a sentence, and how a blank there must be filled."""

from __future__ import annotations

import re
from dataclasses import dataclass

from quizapp.facts import Actor
from quizapp.wording import (
    TITLES,
    capitalize,
    mentions,
)

# Nouns a name qualifies ("the Hamas government", "the Putin era"): a blank there takes an adjective, not a name.
ATTRIBUTIVE_HEADS = {
    "government", "era", "embassy", "army", "leadership", "regime", "policy", "policies", "position", "authorities",
    "delegation", "side", "forces", "officials", "representatives", "representative", "movement", "people",
    "administration", "ministry", "leaders", "leader", "president", "prime", "foreign", "state", "interests",
    "territory", "territories", "camp", "bloc", "plan", "proposal", "initiative", "approach", "attitude", "media",
    "economy", "market", "companies", "company", "industry", "industries", "citizens", "immigrants", "tourists",
}


# Words that make a statement negative: put another actor in and it may well be true too.
NEGATION = re.compile(r"(?i)\b(?:(?:did|does|do|has|have|had|was|were|is|are) not|never|refrained|avoided|neither|"
                      r"failed to)\b")


@dataclass(frozen=True)
class Slot:
    """Where an actor's one mention sits in a sentence, and how a blank there must be filled."""

    start: int
    end: int
    adjective: bool  # "the _____ embassy" takes "Soviet", not "the Soviet Union"
    article: bool  # the blank took in a "the" before the name
    sentence_start: bool
    determined: bool = False  # a "the" with its modifier stands before the blank: "the US-backed _____"


def _plural_aliases(actor: Actor) -> set[str]:
    """'Soviets', 'Israelis': forms that name a people, not the state, so a name cannot take their place."""
    return {a.casefold() for a in actor.aliases if a.endswith("s") and not actor.name.endswith("s")}


def actor_slot(text: str, actor: Actor, others: list[Actor]) -> Slot | None:
    """The actor's single mention as a blank: titles and a leading "the" go into the blank; a mention
    inside another actor's name, a plural people ("Soviets") or a second mention gives no slot."""
    spans = mentions(text, actor)
    if len(spans) != 1:
        return None
    start, end = spans[0]
    for other in others:
        for s, e in mentions(text, other):
            if s <= start and end <= e and (s, e) != (start, end):
                return None  # "Soviet" inside "Soviet Jews"
    word = text[start:end]
    if word.casefold() in _plural_aliases(actor):
        return None
    if re.match(r"[\w-]", text[end:end + 1]) or text[end:end + 1] == "-" or re.search(r"[\w-]$", text[:start]):
        return None  # glued to another word: "Czechoslovak-Egyptian"
    adjective = bool(actor.adjective) and word.casefold() == actor.adjective.casefold() and \
        word.casefold() != actor.name.casefold()
    before = text[:start]
    article = False
    if re.search(r"(?i)(?:^|\s)an? $", before) or re.search(r"(?i)\bformer $", before):
        return None  # "an _____ debt" fits only some choices; "former _____" wants the title it lost
    if not adjective:
        for title in TITLES:
            if before.endswith(title + " "):
                start -= len(title) + 1
                before = text[:start]
                break
        if re.search(r"(?i)(?:^|\s)the $", before):
            if actor.type == "person":
                return None  # "the Putin era": a name used as an adjective
            start -= 4
            article = True
        if re.search(r"(?:\d|\b(?:million|thousand|hundred|dozens?|many|several|some|few))\s$", before):
            return None  # "1.5 million _____": a number before a name
        follower = re.match(r"\s+([A-Z][\w'’-]*)", text[end:])
        if follower and follower.group(1) not in ("I", "II"):
            return None  # "the _____ Compound": a blank inside a longer name
        head = re.match(r"\s+([a-z]+)", text[end:])
        if head and head.group(1) in ATTRIBUTIVE_HEADS:
            return None  # "the Hamas government": a name used as an adjective
    sentence_start = not text[:start].strip()
    determined = not article and bool(re.search(r"(?i)\bthe\s+[\w'’-]+\s$", text[:start]))
    return Slot(start, end, adjective, article, sentence_start, determined)


def fill(actor: Actor, slot: Slot) -> str:
    """The choice that fills the slot: the adjective, or the name with its article where the slot has one
    (where the text's "the" stands before another word, "the US-backed _____", the bare name)."""
    text = actor.adjective if slot.adjective else actor.name if slot.determined else actor.display
    return capitalize(text) if slot.sentence_start else text
