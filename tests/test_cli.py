"""The validate, bank and load commands."""

import json
import shutil
from pathlib import Path

import sqlalchemy as sa

from quizapp.models import Question, db
from tests.conftest import SUBJECT_DIR


def test_validate_accepts_the_real_subject(runner, subject):
    result = runner.invoke(args=["validate", str(SUBJECT_DIR)])
    assert result.exit_code == 0
    assert f": valid: {len(subject.facts)} facts in 5 periods, {len(subject.actors)} actors" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_validate_reports_every_fault_with_file_and_line(runner, tmp_path):
    broken = tmp_path / "israel-russia"
    shutil.copytree(SUBJECT_DIR, broken)
    path = broken / "facts-1947-1966.toml"
    text = path.read_text()
    text = text.replace('date = "1948-05-17"', 'date = "1948-05-32"', 1)
    text = text.replace('actors = ["joseph-stalin"', 'actors = ["stalin"', 1)
    path.write_text(text)
    result = runner.invoke(args=["validate", str(broken)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith(str(path))]
    assert len(lines) == 2
    assert any("fact 'ussr-recognizes-israel': field 'date'" in line for line in lines)
    assert any("fact 'stalin-dies': field 'actors': unknown actor 'stalin'" in line for line in lines)
    assert "2 error(s); nothing was loaded." in result.output


def test_bank_json_lists_every_question_with_the_documented_fields(runner, bank):
    result = runner.invoke(args=["bank", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert len(data) == len(bank)
    for field in ("id", "fact_id", "kind", "period", "prompt", "answer", "choices", "explanation", "quote"):
        assert field in data[0]
    assert runner.invoke(args=["bank", "--json"]).output == result.output


def test_bank_prints_counts_per_period_and_kind(runner, bank):
    result = runner.invoke(args=["bank"])
    assert result.exit_code == 0
    header, *rows = result.output.splitlines()
    assert header.split() == ["period", "when", "who", "why", "then", "order", "tf", "cloze", "total"]
    all_row = next(r for r in rows if r.startswith("all"))
    assert all_row.split()[-1] == str(len(bank))


def test_load_is_idempotent(runner, bank):
    result = runner.invoke(args=["load"])
    assert result.exit_code == 0
    assert f"unchanged {len(bank)}" in result.output


def test_a_broken_fact_file_loads_nothing(runner, tmp_path, app):
    broken = tmp_path / "israel-russia"
    shutil.copytree(SUBJECT_DIR, broken)
    (broken / "facts-military.toml").write_text(
        (broken / "facts-military.toml").read_text().replace('period = "military"', 'period = "navy"', 1))
    # and a valid change in another file, which must not be loaded either: every event there gets a new word
    bilateral = broken / "facts-bilateral.toml"
    bilateral.write_text(bilateral.read_text().replace('event = "', 'event = "Reportedly, '))
    before = db.session.execute(sa.select(sa.func.count()).select_from(Question)).scalar()
    result = runner.invoke(args=["load", str(broken)])
    assert result.exit_code == 1
    assert "unknown period 'navy'" in result.output
    db.session.expire_all()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Question)).scalar() == before
    assert not db.session.execute(sa.select(Question.id).where(Question.prompt.contains("Reportedly"))).first()


MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


def test_lint_passes_the_real_bank(runner):
    result = runner.invoke(args=["lint"])
    assert result.exit_code == 0, result.output
    assert "flags: none" in result.output


def test_lint_prints_each_flag_with_rule_and_reason_and_fails(runner, tmp_path):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    with open(folder / "facts.toml", "a", encoding="utf-8") as f:
        f.write('''
[[fact]]
id = "leaky-year"
period = "early"
date = "1925"
actors = ["syldavia", "atlantis"]
event = "Syldavia and Atlantis signed the Treaty of 1925 that year."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."
''')
    result = runner.invoke(args=["lint", str(folder)])
    assert result.exit_code == 1
    flags = [line for line in result.output.splitlines() if ": leaky-year:when:" in line]
    assert any(line.startswith(f"{folder / 'facts.toml'}:") and ": giveaway: leaky-year:when: the prompt contains "
               "the year" in line for line in flags)
    assert any(": dangling-reference: " in line for line in flags)
    assert "flags: dangling-reference" in result.output


def test_lint_honours_waivers_and_lists_its_rules(runner, tmp_path):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    with open(folder / "facts.toml", "a", encoding="utf-8") as f:
        f.write('''
[[fact]]
id = "named-year"
period = "early"
date = "1925"
actors = ["syldavia", "atlantis"]
event = "Syldavia and Atlantis signed the Treaty of 1925."
quote = "In 1925, Syldavia signed a trade treaty with Atlantis."
waive = [{ rule = "giveaway", reason = "the treaty bears its year" }]
skip = ["cloze"]
''')
    result = runner.invoke(args=["lint", str(folder)])
    assert result.exit_code == 0 and "waived: " in result.output and "named-year" not in result.output
    shown = runner.invoke(args=["lint", "--waived", str(folder)])
    assert "(waived: the treaty bears its year)" in shown.output
    rules = runner.invoke(args=["lint", "--rules"])
    assert rules.exit_code == 0 and "also-true" in rules.output and "tf-balance" in rules.output
