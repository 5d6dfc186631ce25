"""Exported decks imported into a real Anki collection (the ``anki`` package)."""

import shutil
from collections import Counter
from pathlib import Path

import genanki
import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from quizapp import anki as deck_writer
from quizapp.facts import load_subject
from quizapp.generate import build_bank
from tests.conftest import SUBJECT_DIR


@pytest.fixture
def collection(tmp_path):
    col = Collection(str(tmp_path / "collection.anki2"))
    yield col
    col.close()


def import_apkg(col, path):
    request = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions())
    return col.import_anki_package(request).log


def expected_notes(bank, period):
    return [q for q in bank if q.period == period and deck_writer.included(q)]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Every period exported once through the CLI."""
    from quizapp import create_app

    out = tmp_path_factory.mktemp("decks")
    app = create_app({"CLI_ONLY": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    result = app.test_cli_runner().invoke(args=["export-anki", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_export_prints_one_line_per_deck_with_file_notes_and_cards(exported, subject, bank):
    out, output = exported
    lines = output.strip().splitlines()
    assert len(lines) == len(subject.periods)
    for period, line in zip(subject.periods, lines, strict=True):
        n = len(expected_notes(bank, period.id))
        assert line == (f"{out / f'israel-russia--{period.id}.apkg'}\t{subject.title}::{period.title}"
                        f"\tnotes {n}\tcards {n}")


@pytest.mark.parametrize("period_index", range(5))
def test_each_period_deck_imports_with_the_banks_counts_fields_and_tags(exported, subject, bank, collection,
                                                                        period_index):
    out, _ = exported
    period = subject.periods[period_index]
    log = import_apkg(collection, out / f"israel-russia--{period.id}.apkg")
    expected = expected_notes(bank, period.id)
    name = f"{subject.title}::{period.title}"
    assert name in [d.name for d in collection.decks.all_names_and_ids()]
    assert len(log.new) == len(expected)
    note_ids = collection.find_notes(f'"deck:{name}"')
    assert len(note_ids) == collection.note_count() == len(expected)
    assert collection.card_count() == len(expected)
    by_guid = {genanki.guid_for(subject.id, q.id): q for q in expected}
    for nid in note_ids:
        note = collection.get_note(nid)
        q = by_guid.pop(note.guid)
        fields = dict(note.items())
        assert fields["Source"] and fields["Period"] == period.title.replace("&", "&amp;")
        assert fields["FactId"] == q.fact_id
        assert bool(fields["Date"]) == bool(q.date)
        if q.kind == "cloze":
            assert "{{c1::" in fields["Text"] and fields["Extra"]
        else:
            assert fields["Question"] and fields["Answer"] and fields["Explanation"]
            assert bool(fields["Choices"]) == (q.format in ("choice", "order"))
        assert f"period::{q.period}" in note.tags and f"kind::{q.kind}" in note.tags
        assert {f"actor::{a}" for a in q.actors} <= set(note.tags)
    assert not by_guid


def test_note_types_and_kinds_in_a_deck(exported, collection):
    out, _ = exported
    import_apkg(collection, out / "israel-russia--1947-1966.apkg")
    names = {collection.models.get(collection.get_note(n).mid)["name"] for n in collection.find_notes("")}
    assert names == {"quizapp Q&A", "quizapp Cloze"}
    kinds = Counter(t for n in collection.find_notes("") for t in collection.get_note(n).tags if t.startswith("kind::"))
    assert "kind::tf" not in kinds
    assert {"kind::when", "kind::who", "kind::why", "kind::then", "kind::order", "kind::cloze"} <= set(kinds)


def test_importing_the_same_file_again_adds_no_notes(exported, collection):
    out, _ = exported
    path = out / "israel-russia--military.apkg"
    import_apkg(collection, path)
    notes, cards = collection.note_count(), collection.card_count()
    log = import_apkg(collection, path)
    assert not log.new
    assert (collection.note_count(), collection.card_count()) == (notes, cards)


def test_combined_file_holds_every_period_as_a_subdeck(tmp_path, runner, subject, bank, collection):
    result = runner.invoke(args=["export-anki", "--out", str(tmp_path), "--combined"])
    assert result.exit_code == 0, result.output
    import_apkg(collection, tmp_path / "israel-russia.apkg")
    names = {d.name for d in collection.decks.all_names_and_ids()}
    for period in subject.periods:
        assert f"{subject.title}::{period.title}" in names
    assert collection.note_count() == sum(deck_writer.included(q) for q in bank)


def test_changed_fact_wording_updates_the_note_in_place(tmp_path, collection):
    folder = tmp_path / "israel-russia"
    shutil.copytree(SUBJECT_DIR, folder)
    before = load_subject(folder)
    deck = deck_writer.build_deck(before.id, before.title, "1947-1966", "Recognition",
                                  build_bank(before, 0))
    first = tmp_path / "first.apkg"
    deck_writer.write_package([deck], first, timestamp=1_700_000_000)
    import_apkg(collection, first)
    count = collection.note_count()

    # the first fact of the period with a who-question, its event reworded
    asked = {q.id for q in build_bank(before, 0)}
    fact = next(f for f in before.facts_in("1947-1966") if f"{f.id}:who" in asked)
    path = Path(fact.file)
    reworded = fact.event.rstrip(".") + ", by all accounts formally."
    path.write_text(path.read_text().replace(f'event = "{fact.event}"', f'event = "{reworded}"'))
    after = load_subject(folder)
    deck = deck_writer.build_deck(after.id, after.title, "1947-1966", "Recognition", build_bank(after, 0))
    second = tmp_path / "second.apkg"
    deck_writer.write_package([deck], second, timestamp=1_700_000_600)
    log = import_apkg(collection, second)

    assert collection.note_count() == count
    assert not log.new and log.updated
    guid = genanki.guid_for("israel-russia", f"{fact.id}:who")
    [nid] = [n for n in collection.find_notes("") if collection.get_note(n).guid == guid]
    assert "by all accounts formally" in collection.get_note(nid)["Question"]


def test_unknown_period_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(args=["export-anki", "--out", str(tmp_path), "--period", "1812"])
    assert result.exit_code == 1
    assert "unknown period '1812'" in result.output
    assert not list(tmp_path.iterdir())


def test_unwritable_folder_is_a_clear_error(runner, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = runner.invoke(args=["export-anki", "--out", str(blocker / "decks")])
    assert result.exit_code == 1
    assert "cannot create output folder" in result.output


def test_identity_is_stable():
    assert deck_writer.deck_id("israel-russia", "military") == deck_writer.deck_id("israel-russia", "military")
    assert 1 << 30 <= deck_writer.deck_id("x", "y") < 1 << 31
    assert deck_writer.QA_MODEL.model_id == 1607392319


def test_web_download_is_an_apkg_attachment_that_imports(client, bank, collection, tmp_path, subject):
    response = client.get("/anki/israel-russia/military.apkg")
    assert response.status_code == 200
    assert response.mimetype == "application/apkg"
    assert response.headers["Content-Disposition"] == "attachment; filename=israel-russia--military.apkg"
    path = tmp_path / "download.apkg"
    path.write_bytes(response.data)
    import_apkg(collection, path)
    assert collection.note_count() == len(expected_notes(bank, "military"))


def test_web_download_of_all_periods(client, bank, collection, tmp_path):
    response = client.get("/anki/israel-russia.apkg")
    path = tmp_path / "all.apkg"
    path.write_bytes(response.data)
    import_apkg(collection, path)
    assert collection.note_count() == sum(deck_writer.included(q) for q in bank)


def test_pages_link_to_every_deck(client, subject):
    html = client.get("/decks").get_data(as_text=True)
    for period in subject.periods:
        assert f'href="/anki/israel-russia/{period.id}.apkg"' in html
    assert 'href="/anki/israel-russia.apkg"' in html
    assert 'href="/anki/israel-russia.apkg"' in client.get("/").get_data(as_text=True)  # the landing page
    assert client.get("/anki/israel-russia/nope.apkg").status_code == 404
