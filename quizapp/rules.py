"""The quality rules every generated question must pass, named, one function each.

``RULES`` is the one table: the generator withholds any question a rule flags (unless its fact
waives the rule with a reason), and ``quizapp lint`` prints every flag. A question rule takes the
question, its fact and the bank's indexes and returns a one-line reason, or ``None`` when the
question passes. A bank rule looks at all questions of the bank at once and yields the flagged ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from quizapp.bank_rules import (
    cloze_repeat,
    hand_phrased_asked,
    key_frequency,
    length_balance,
    order_repeat,
    tf_balance,
)
from quizapp.facts import Fact
from quizapp.question import Flag, Question
from quizapp.wording import (
    BLANK,
    STOPWORDS,
    TITLES,
    content_words,
    mentions,
    opposite_in,
    similarity,
    stems,
    years_in,
)

if TYPE_CHECKING:
    from quizapp.bank import Bank

LENGTH_CUE = 1.25  # a key this much longer than every wrong choice stands out
DANGLING = ("that year", "the same year", "the following year", "the previous year", "this period",
            "that period", "that time", "this time", "the same time", "at the time", "the above")
# A key alone hedged, or alone unqualified among absolute claims, stands out by its register.
HEDGES = re.compile(r"(?i)\b(?:(?:could|may|might)(?! not| never| actually)|possibly|perhaps|probably|likely|"
                    r"at least|in part|partly|partially|some|somewhat|to some extent|apparently|seemingly|"
                    r"reportedly)\b")
ABSOLUTES = re.compile(r"(?i)\b(?:always|never|all|only|completely|entirely|totally|wholly|fully|every|none)\b")


@dataclass(frozen=True)
class Rule:
    name: str
    summary: str
    check: Callable | None = None  # (question, fact, bank) -> reason | None
    check_bank: Callable | None = None  # (questions, bank) -> Iterator[(question, reason)]


def one_blank(q: Question, fact: Fact, bank: Bank) -> str | None:
    if q.prompt.count(BLANK) > 1:
        return f"{q.prompt.count(BLANK)} blanks in one question"
    return None


def blank_grammar(q: Question, fact: Fact, bank: Bank) -> str | None:
    text = q.prompt if BLANK in q.prompt else ""
    if not text:
        return None
    at = text.index(BLANK)
    before, after = text[:at], text[at + len(BLANK):]
    if re.search(r"[\w-]$", before) or re.match(r"(?:-|[^\W_]|'(?!s\b))", after):
        return "the blank cuts a word or sits inside a compound"
    if q.kind == "who" and not q.meta.get("adjective"):
        if re.search(r"(?i)(?:^|\s)(the|a|an)\s$", before):
            return "an article before the blank fits only some choices"
        if re.match(r"\s+[A-Z][a-z]", after) and not re.match(r"\s+I{1,3}\b", after):
            return "the blank sits inside a longer name"
    if q.kind == "who":
        actors = [q.meta.get("actor"), *q.meta.get("choice_actors", [])]
        if q.meta.get("adjective") and not all(bank.actor(a).adjective for a in actors if a):
            return "an adjective blank with a choice that has no adjective form"
    return None


def cloze_key(q: Question, fact: Fact, bank: Bank) -> str | None:
    if q.kind != "cloze":
        return None
    words = q.answer.split()
    if len(words) > 1 and words[0].casefold() in ("a", "an"):
        words = words[1:]  # the article the blank took in: "signed _____" for "an arms deal"
    if not 1 <= len(words) <= 3:
        return f"key of {len(words)} words: nobody types it exactly"
    if all(w.casefold() in STOPWORDS for w in words):
        return f"key {q.answer!r} is only trivial words"
    return None


def distractor_fit(q: Question, fact: Fact, bank: Bank) -> str | None:
    wrong = list(q.meta.get("choice_actors", []))
    if q.meta.get("swap") == "actor":
        wrong.append(q.meta["actor"])
    if not wrong:
        return None
    answer = bank.actor(q.meta.get("actor", fact.actors[0]) if q.kind == "who" else fact.actors[0])
    first, last = bank.years_of(fact)
    for aid in wrong:
        other = bank.actor(aid)
        if other.type != answer.type:
            return f"{other.name} is a {other.type}, the answer a {answer.type}"
        if not other.active_in(first, last):
            return f"{other.name} did not exist or hold its role at the fact's date"
        if not other.shares_role(answer) and not q.meta.get("curated"):  # a curator may cross roles
            return f"{other.name} ({', '.join(other.roles)}) cannot fill the role of {answer.name}"
    return None


def also_true(q: Question, fact: Fact, bank: Bank) -> str | None:
    siblings = bank.siblings[fact.id]
    if q.kind == "who" or q.meta.get("swap") == "actor":
        named = bank.mentioned_in_quotes(fact) | {a for s in siblings for a in s.actors} | set(fact.also_true)
        wrong = q.meta.get("choice_actors", []) + ([q.meta["actor"]] if q.meta.get("swap") == "actor" else [])
        for aid in wrong:
            if aid in named or aid in fact.actors:
                return f"{bank.actor(aid).name} also takes part in this event (its sentences or a sibling fact)"
    years = list(q.meta.get("wrong_years", [])) + ([q.meta["year"]] if q.meta.get("swap") == "year" else [])
    if years and fact.date:
        contested = years_in(fact.note) | {int(y) for y in fact.also_true if y.isdigit()}
        for year in years:
            if fact.date.contains_year(year):
                return f"{year} is inside the event's own span"
            if year in contested:
                return f"{year} is the year the note gives: contested, never wrong"
            for s in siblings:
                if s.date and s.date.contains_year(year):
                    return f"{year} is the date of '{s.id}', which says the same of the same actor"
    if q.kind in ("why", "then"):
        own = [fact.event, *(fact.cause_texts if q.kind == "why" else fact.consequence_texts)]
        for choice in q.choices:
            if choice == q.answer:
                continue
            for text in own:
                if similarity(choice, text) >= 0.6:
                    return f"a distractor says what this fact says: {choice[:60]!r}"
            for s in siblings:
                if choice in s.cause_texts + s.consequence_texts:
                    return f"a distractor comes from '{s.id}', a fact about the same actors saying the same"
    return None


def giveaway(q: Question, fact: Fact, bank: Bank) -> str | None:
    prompt = q.prompt
    if q.kind == "when" and q.format in ("choice", "year") and re.fullmatch(r"\d{4}", q.answer) \
            and re.search(rf"(?<!\d){q.answer}(?!\d)", prompt):
        return "the prompt contains the year it asks for"
    if q.kind in ("who",) and not q.meta.get("hand"):
        actor = bank.actor(q.meta["actor"])
        if mentions(prompt.replace(BLANK, " "), actor):
            return f"the prompt still names {actor.name}"
        shapes = [len(c.split()) == 1 for c in q.choices if c != q.answer]
        if actor.type == "person" and len(shapes) >= 2 and len(set(shapes)) == 1 \
                and shapes[0] != (len(q.answer.split()) == 1):
            return "the answer alone is written in a different shape (full name or short)"
        cue = bank.pointer(prompt, actor, [bank.actor(a) for a in q.meta.get("choice_actors", [])])
        if cue:
            return f"'{cue}' in the prompt points at {actor.name} and at no other choice"
        before = prompt[:prompt.index(BLANK)] if BLANK in prompt else ""
        for title in TITLES:
            if before.endswith(title + " "):
                return f"'{title}' before the blank points at one choice"
    if q.kind == "cloze":
        rest = prompt.replace(BLANK, " ")
        if re.search(rf"(?i)(?<!\w){re.escape(q.answer)}(?!\w)", rest):
            return "the prompt shows the blanked words elsewhere"
    if q.kind in ("why", "then"):
        words = content_words(prompt) - bank.common_words
        shared = (content_words(q.answer) - bank.common_words) & words
        others = [len((content_words(c) - bank.common_words) & words) for c in q.choices if c != q.answer]
        if len(shared) >= 2 and len(shared) > max(others, default=0) + 1 or shared and not any(others):
            return f"the key alone repeats the prompt's words ({', '.join(sorted(shared)[:4])})"
    return None


def cloze_echo(q: Question, fact: Fact, bank: Bank) -> str | None:
    if q.kind != "cloze":
        return None
    rest = q.prompt.removeprefix("Fill in the blank. ").replace(BLANK, " ")
    shared = stems(q.answer) & stems(rest) - {st for w in bank.common_words for st in stems(w)}
    if shared:  # the subject's everyday words ("Soviet" in "Soviet Jews") say nothing of the key
        return f"the sentence already has the key's word ({', '.join(sorted(shared))}): it predicts the blank"
    opposite = opposite_in(q.answer, rest) if len(q.answer.split()) == 1 else None
    if opposite:
        return f"'{opposite}' in the sentence predicts its opposite {q.answer!r} in the blank"
    return None


def order_reference(q: Question, fact: Fact, bank: Bank) -> str | None:
    if q.kind != "order":
        return None
    facts = [bank.facts[f] for f in q.meta["facts"]]
    for i, a in enumerate(facts):
        for b in facts[i + 1:]:
            shared = bank.cross_reference(a, b)
            if shared:
                return f"'{a.id}' and '{b.id}' name the same thing ({shared}): one tells when the other was"
    return None


def principal_key(q: Question, fact: Fact, bank: Bank) -> str | None:
    if q.kind == "who" and q.format == "choice" and q.meta.get("actor") in bank.principal \
            and not q.meta.get("curated") and not bank.principal & set(q.meta.get("choice_actors", [])):
        return f"the key {q.answer!r} is the only principal actor of the subject among uncurated wrong choices: " \
            "the only choice on the subject"
    if q.kind == "cloze":
        for aid in sorted(bank.principal):
            actor = bank.actor(aid)
            if mentions(q.answer, actor):
                return f"the key {q.answer!r} names {actor.name}, a principal actor of the subject: " \
                    "the default guess of any blank"
    return None


def hedge_cue(q: Question, fact: Fact, bank: Bank) -> str | None:
    if q.kind not in ("why", "then") or q.format != "choice":
        return None
    wrong = [c for c in q.choices if c != q.answer]
    if not wrong:
        return None
    hedge = HEDGES.search(q.answer)
    if hedge and not any(HEDGES.search(c) for c in wrong):
        return f"the key alone is hedged ('{hedge.group()}'): its register gives it away"
    if not ABSOLUTES.search(q.answer) and all(ABSOLUTES.search(c) for c in wrong):
        return "every wrong choice makes an absolute claim (always, never, only...) and the key alone does not"
    return None


def length_cue(q: Question, fact: Fact, bank: Bank) -> str | None:
    if q.kind not in ("why", "then") or q.format != "choice":
        return None
    longest = max((len(c) for c in q.choices if c != q.answer), default=0)
    if longest and len(q.answer) > LENGTH_CUE * longest:
        return f"the key ({len(q.answer)} characters) is far longer than every wrong choice (at most {longest})"
    return None


def disputed_key(q: Question, fact: Fact, bank: Bank) -> str | None:
    if q.kind in ("cloze", "who") and isinstance(q.answer, str) and fact.note and \
            re.search(rf"(?i)(?<!\w){re.escape(q.answer)}(?!\w)", fact.note):
        return f"the note speaks of the key {q.answer!r}: if it disputes it, the key may be wrong by history"
    return None


def restates_event(q: Question, fact: Fact, bank: Bank) -> str | None:
    if q.kind in ("why", "then") and similarity(q.answer, fact.event) >= 0.8:
        return "the key restates the event"
    return None


def dangling_reference(q: Question, fact: Fact, bank: Bank) -> str | None:
    text = q.prompt.casefold()
    for phrase in DANGLING:
        if re.search(rf"(?<!\w){phrase}(?!\w)", text):
            return f"'{phrase}' points at something the question does not show"
    return None


def unsupported_date(q: Question, fact: Fact, bank: Bank) -> str | None:
    if q.kind not in ("when", "order"):
        return None
    facts = [bank.facts[f] for f in q.meta.get("facts", [fact.id])]
    for f in facts:
        if f.askable_date is None:
            return f"'{f.id}' has no exact date from the article to ask"
    return None


def tf_plausible(q: Question, fact: Fact, bank: Bank) -> str | None:
    if q.kind != "tf" or q.answer != "False":
        return None
    if q.meta.get("swap") == "year":
        year = q.meta["year"]
        period = bank.periods[fact.period]
        if not period.start <= year <= period.end:
            return f"{year} lies outside the period: absurd on its face"
        for aid in fact.actors:
            if not bank.actor(aid).active_in(year):
                return f"{bank.actor(aid).name} did not exist in {year}: absurd on its face"
    if not q.meta.get("swap"):
        return "a false statement with nothing swapped"
    return None


def order_precise(q: Question, fact: Fact, bank: Bank) -> str | None:
    if q.kind != "order":
        return None
    facts = [bank.facts[f] for f in q.meta["facts"]]
    undated = [f.id for f in facts if f.date is None]
    if undated:
        return f"'{undated[0]}' has no date"
    for i, a in enumerate(facts):
        for b in facts[i + 1:]:
            if a.date.overlaps(b.date):
                return f"'{a.id}' and '{b.id}' may have happened at the same time"
    return None


RULES: dict[str, Rule] = {rule.name: rule for rule in (
    Rule("one-blank", "One blank per question.", one_blank),
    Rule("blank-grammar", "A blank never cuts a word, sits inside a name or leaves an article that fits only "
         "some choices; an adjective blank gets adjective choices.", blank_grammar),
    Rule("cloze-key", "Cloze keys are one to three words, not only trivial ones.", cloze_key),
    Rule("distractor-fit", "Wrong actors are of the answer's type, share its role and existed at the fact's "
         "date.", distractor_fit),
    Rule("also-true", "No wrong choice is also right: not an actor, year, cause or consequence of this event, "
         "of a sibling fact saying the same, or a year the note contests.", also_true),
    Rule("giveaway", "The prompt does not give the answer: not its year, name, words or a title that fits one "
         "choice.", giveaway),
    Rule("length-cue", "A why or what-followed key is not far longer than every wrong choice.", length_cue),
    Rule("length-balance", "Across a kind, the key is the longest choice no more often than 40% of the time.",
         check_bank=length_balance),
    Rule("key-frequency", "An actor offered in at least 6 multiple-choice who-questions is the key of at most 60% "
         "of them.", check_bank=key_frequency),
    Rule("disputed-key", "A key the fact's note speaks of is asked only once a curator has waived it: the note "
         "must not dispute it.", disputed_key),
    Rule("restates-event", "A cause or consequence is not the event in other words.", restates_event),
    Rule("dangling-reference", "No 'that year' or 'this period' pointing outside the question.",
         dangling_reference),
    Rule("unsupported-date", "Only exact dates from the article are asked or ordered.", unsupported_date),
    Rule("tf-plausible", "A false statement swaps one thing, into something that could have been.",
         tf_plausible),
    Rule("order-precise", "Chronology only among events whose dates cannot overlap.", order_precise),
    Rule("tf-balance", "True and false statements are 50% ± 5% of each period.", check_bank=tf_balance),
    Rule("order-repeat", "No two chronology questions on the same set of events.", check_bank=order_repeat),
    Rule("cloze-echo", "A cloze sentence does not already hold the key's words (or their stems) or its plain "
         "opposite (West ... East).", cloze_echo),
    Rule("cloze-repeat", "No two cloze questions share a key, and no cloze repeats its fact's typed "
         "who-question.", check_bank=cloze_repeat),
    Rule("order-reference", "No chronology item names another item's event or key name, which tells their order.",
         order_reference),
    Rule("principal-key", "A who-question whose key is a principal actor of the subject has curated wrong "
         "choices; a cloze key never names one.", principal_key),
    Rule("hedge-cue", "A why or what-followed key is not the only hedged choice, nor the only one without an "
         "absolute claim.", hedge_cue),
    Rule("hand-phrased", "A curator's hand-phrased question always becomes a question.",
         check_bank=hand_phrased_asked),
)}


def check_question(q: Question, fact: Fact, bank: Bank) -> list[Flag]:
    """Every flag the question rules raise on one question, marked waived where the fact waives the rule."""

    flags = []
    for rule in RULES.values():
        if rule.check is None:
            continue
        reason = rule.check(q, fact, bank)
        if reason:
            waiver = next((w.reason for w in fact.waivers if w.rule == rule.name), "")
            flags.append(Flag(rule.name, q, reason, waiver))
    return flags


def check_bank(questions: list[Question], bank: Bank) -> list[Flag]:
    """Flags of the rules that look at the bank as a whole."""

    flags = []
    for rule in RULES.values():
        if rule.check_bank is None:
            continue
        for q, reason in rule.check_bank(questions, bank):
            fact = bank.facts[q.fact_id]
            waiver = next((w.reason for w in fact.waivers if w.rule == rule.name), "")
            flags.append(Flag(rule.name, q, reason, waiver))
    return flags

