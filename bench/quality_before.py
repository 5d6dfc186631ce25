"""Today's question-quality rules over the bank an earlier version generated.

    .venv/bin/python -m bench.quality_before [COMMIT]      (default: 8d79a65, before the evidence schema)

The earlier code builds its bank from its own facts in a temporary git worktree; each of its questions is
then judged by every rule of ``quizapp.rules`` against today's facts of the same id (today's actor eras,
roles and notes, today's dates). The counts per rule go to bench/results/quality_before.json.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from pathlib import Path

from quizapp.facts import load_subject
from quizapp.generate import Bank, Question, generate
from quizapp.rules import check_bank, check_question

ROOT = Path(__file__).resolve().parent.parent
SUBJECT = "questions/israel-russia"
BUILD = """import json, sys
sys.path.insert(0, sys.argv[1])
from quizapp.facts import load_subject
from quizapp.generate import build_bank
print(json.dumps([q.to_dict() for q in build_bank(load_subject(sys.argv[1] + '/{subject}'), 0)]))
"""


def old_bank(commit: str) -> tuple[list[dict], dict, dict]:
    """The earlier bank, its actors' names -> ids and its events -> fact ids."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), commit], check=True)
        try:
            out = subprocess.run([sys.executable, "-c", BUILD.format(subject=SUBJECT), str(tree)],
                                 check=True, capture_output=True, text=True, cwd=tmp).stdout
            subject = tomllib.loads((tree / SUBJECT / "subject.toml").read_text())
            events = {}
            for path in (tree / SUBJECT).glob("*.toml"):
                for fact in tomllib.loads(path.read_text()).get("fact", []):
                    events[fact["event"]] = fact["id"]
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)
    names = {v["name"]: k for k, v in subject["actor"].items()}
    return json.loads(out), names, events


def meta_of(d: dict, names: dict, events: dict) -> dict | None:
    """What the rules need to know of an earlier question, read back from its text."""
    if d["kind"] == "who":
        if d["answer"] not in names or any(c not in names for c in d["choices"]):
            return None
        return {"actor": names[d["answer"]], "choice_actors": [names[c] for c in d["choices"] if c != d["answer"]],
                "adjective": False, "hand": "_____" not in d["prompt"]}
    if d["kind"] == "when" and d["format"] == "choice" and d["answer"].isdigit():
        return {"wrong_years": [int(c) for c in d["choices"] if c != d["answer"]]}
    if d["kind"] == "tf" and d["answer"] == "False":
        year = re.match(r"False: this happened in (.+?), not in (.+?)\.", d["explanation"])
        actor = re.match(r"False: it was (.+?), not (.+?)\.", d["explanation"])
        if year:
            return {"swap": "year", "year": int(re.search(r"\d{4}", year.group(2)).group())}
        if actor and actor.group(2) in names:
            return {"swap": "actor", "actor": names[actor.group(2)]}
    if d["kind"] == "order":
        facts = [events.get(e) for e in d["answer"]]
        return {"facts": facts} if None not in facts else None
    return {}


def main(commit: str = "8d79a65") -> dict:
    old, names, events = old_bank(commit)
    subject = load_subject(ROOT / SUBJECT)
    bank = Bank(subject, 0)
    counts, flagged, judged = Counter(), set(), []
    for d in old:
        meta = meta_of(d, names, events)
        if d["fact_id"] not in bank.facts or meta is None or \
                any(f not in bank.facts for f in meta.get("facts", [])) or \
                any(a not in subject.actors for a in meta.get("choice_actors", [])):
            continue
        q = Question(**{k: v for k, v in d.items() if k in Question.__dataclass_fields__}, meta=meta)
        judged.append(q)
        for flag in check_question(q, bank.facts[q.fact_id], bank):
            counts[flag.rule] += 1
            flagged.add(q.id)
    for flag in check_bank(judged, bank):
        counts[flag.rule] += 1
        flagged.add(flag.question.id)
    questions, flags = generate(subject, 0)
    result = {
        "before": {"commit": commit, "questions": len(old), "judged": len(judged),
                   "flagged_questions": len(flagged), "flags_per_rule": dict(sorted(counts.items()))},
        "now": {"questions": len(questions), "withheld_or_flagged": len({f.question.id for f in flags
                                                                         if not f.waived}),
                "waived": sum(bool(f.waived) for f in flags),
                "flags_per_rule": dict(sorted(Counter(f.rule for f in flags if not f.waived).items()))},
    }
    out = ROOT / "bench" / "results" / "quality_before.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main(*sys.argv[1:2])
