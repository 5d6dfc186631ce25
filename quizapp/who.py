"""Who-questions: every actor named once in the event, blanked, with wrong choices of the same type, role
and era (the curator's where given)."""

from __future__ import annotations

from random import Random

from quizapp.asking import _question, according, disputed
from quizapp.bank import CHOICES, FREQUENT_KEY, Bank, pick, shuffled
from quizapp.bank import statement as era_statement
from quizapp.facts import Fact
from quizapp.grading import normalize_answer
from quizapp.question import Question
from quizapp.slots import NEGATION, Slot, actor_slot, fill
from quizapp.wording import (
    BLANK,
)

WHO_LEAD = {
    "person": "Who",
    "state": "Which country",
    "organization": "Which organization",
    "group": "Which group",
}


def who_questions(fact: Fact, bank: Bank, rng: Random) -> list[Question]:
    """Every actor named once in the event, against actors who could fill the same place and are wrong."""
    questions = []
    fact_actors = [bank.actor(a) for a in fact.actors]
    for n, actor in enumerate(fact_actors, start=1):
        qid = f"{fact.id}:who" + (f":{n}" if n > 1 else "")
        r = bank.rng(qid)
        hand = "who" in fact.ask and actor.id == fact.who_actor
        curated = [bank.actor(a) for a in fact.who_wrong.get(actor.id, ())]
        if hand:
            slot = Slot(0, 0, False, False, True)
            prompt = fact.ask["who"]
        else:
            if n > 1 and actor.id in bank.principal and not curated:
                continue  # "During Sharon's visit to _____, Putin ...": the subject's main actors only when they act
            if n == 1 and NEGATION.search(fact.event) and not curated:
                continue  # "_____ did not attend": most wrong answers did not attend either
            statement = era_statement(fact, bank.proper)
            shift = len(statement) - len(fact.event)
            slot = actor_slot(statement, actor, [a for a in fact_actors if a.id != actor.id])
            if slot is None or slot.start < shift:
                continue
            lead = "Which word" if slot.adjective else WHO_LEAD[actor.type]  # "Soviet" is no country
            prompt = f"{lead} fills the blank? " \
                     f"{statement[:slot.start]}{BLANK}{statement[slot.end:]}"
        if curated:  # the curator's wrong choices, read against the article; the rules still check them
            if slot.adjective and not all(a.adjective for a in curated):
                continue
            wrong = curated
        else:
            candidates = bank.fitting_actors(fact, actor, adjective=slot.adjective)
            best = actor.role_fit(candidates[0]) if candidates else 0
            fitting = [a for a in candidates if actor.role_fit(a) == best]
            if len(fitting) >= CHOICES - 1:
                near = [a for a in fitting if a.id in bank.period_actors[fact.period]]
                wrong = pick(r, near, fitting, CHOICES - 1)
            else:  # widen only when the best fit is too few, and then tier by tier: every actor of the key's own
                # role first (Medvedev beside Putin), then its side's (a Russian official), then the rest, so a
                # head of state stands among officials only where too few of its kind fit, or as the one
                # frequent key below
                wrong = []
                for tier in role_tiers(actor, candidates):
                    near = [a for a in tier if a.id in bank.period_actors[fact.period]]
                    wrong += pick(r, near, tier, CHOICES - 1 - len(wrong))
                    if len(wrong) == CHOICES - 1:
                        break
            wrong = with_frequent_key(bank, actor, candidates, wrong)
        if not hand and bank.pointer(prompt, actor, wrong):
            continue  # "During Sharon's visit to _____, Putin said": Putin gives Russia away
        if len(wrong) < CHOICES - 1 or fact.typed_who(n):
            # too few fair wrong choices (or the curator says any would be unfair): the learner types the name
            # instead, where guessing the subject's main actors would not do (the validator refuses a curator's
            # typed for a main actor or a hand-phrased question)
            if hand or slot.adjective or actor.id in bank.principal:
                continue
            answer = fill(actor, slot)
            prompt = _hedged(fact, prompt, answer, hand, bank)
            accept = sorted({n for n in (actor.name, actor.display, *actor.aliases) if n != answer})
            known = {normalize_answer(a) for a in (answer, *accept)}
            for other in fact.who_accept.get(actor.id, ()):  # the curator's other right answers (who_accept)
                if normalize_answer(other) not in known:
                    known.add(normalize_answer(other))
                    accept.append(other)
            questions.append(_question(fact, "who", qid, prompt + " Type the name.", answer, [], "typed",
                                       accept=accept, meta={"actor": actor.id, "choice_actors": [],
                                                            "adjective": False, "hand": False}))
            continue
        answer = fill(actor, slot) if not hand else actor.name
        prompt = _hedged(fact, prompt, answer, hand, bank)
        shown = {a.id: (fill(a, slot) if not hand else a.name) for a in [actor, *wrong]}
        choices = shuffled(r, list(shown.values()))
        questions.append(_question(fact, "who", qid, prompt, answer, choices, "choice", meta={
            "actor": actor.id, "choice_actors": [a.id for a in wrong], "adjective": slot.adjective,
            "hand": hand, "curated": bool(curated)}))
    return questions


def with_frequent_key(bank: Bank, actor, candidates: list, wrong: list) -> list:
    """The wrong choices with the subject's most frequent key among the candidates in them: an actor the
    subject's who-questions often have as their key (Putin, Sharon) stands also where it is wrong (beside
    Medvedev or a Russian official), so that "pick the famous one" is no way to score. Only one of the key's
    own role or side, the candidates having passed every rule of a fitting wrong choice; it takes the place of
    the drawn choice that is least often a key, so the draw (and every other question) is unchanged."""
    if len(wrong) < CHOICES - 1:
        return wrong
    def side(a) -> set[str]:
        return {r.split("-", 1)[0] for r in a.roles if "-" in r}

    near = [a for a in candidates if actor.role_fit(a) == 2 or side(actor) & side(a)]
    frequent = sorted((a for a in near if bank.key_use[a.id] >= FREQUENT_KEY),
                      key=lambda a: (-bank.key_use[a.id], a.id))
    if not frequent or frequent[0] in wrong:
        return wrong
    least = min(range(len(wrong)), key=lambda i: (bank.key_use[wrong[i].id], -i))
    return wrong[:least] + [frequent[0]] + wrong[least + 1:]


def _hedged(fact: Fact, prompt: str, answer: str, hand: bool, bank: Bank) -> str:
    """The who-prompt as the article's claim where the fact's note speaks of the key."""
    if not disputed(fact, answer):
        return prompt
    lead, mark, text = ("", "", prompt) if hand else prompt.partition("fills the blank? ")
    return lead + mark + according(text, bank.proper)


def role_tiers(actor, candidates: list) -> list[list]:
    """The candidates in tiers: those sharing a role with the actor ("russian-leader"), then those of its side
    ("russian-official"), then the rest of the fit (another kind of leader: "-leader" is also a Palestinian one)."""
    sides = {r.split("-", 1)[0] for r in actor.roles if "-" in r}
    tiers: list[list] = [[], [], []]
    for other in candidates:
        same_side = sides & {r.split("-", 1)[0] for r in other.roles if "-" in r}
        tiers[0 if actor.role_fit(other) == 2 else 1 if same_side else 2].append(other)
    return [t for t in tiers if t]
