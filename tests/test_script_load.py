"""The script loader: good files become model objects, bad ones give exact places."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_coach.script import kinds, model
from voice_coach.script.errors import Problem, ScriptError
from voice_coach.script.load import check_file, check_paths, load_script

DATA = Path(__file__).parent / "data"
GOOD = DATA / "good"
BAD = DATA / "bad"

# Every bad fixture with every problem the loader must report: (line, column, words
# the message must contain). Lines and columns are 1-based and exact.
EXPECTED: dict[str, list[tuple[int, int, str]]] = {
    "syntax.yaml": [(6, 13, "YAML syntax error: mapping values are not allowed here")],
    "not-mapping.yaml": [(1, 1, "top of a script should be a mapping")],
    "missing-keys.yaml": [
        (2, 1, "missing 'id'"),
        (2, 1, "missing 'title'"),
        (2, 1, "missing 'language'"),
        (2, 1, "missing 'steps'"),
    ],
    "unknown-key.yaml": [(2, 1, "unknown key 'tittle' in the script; did you mean 'title'?")],
    "unknown-step.yaml": [
        (6, 5, "unknown step kind 'sya'; did you mean 'say'?"),
        (7, 37, "unknown key 'promt' in turn; did you mean 'prompt'?"),
    ],
    "wrong-type.yaml": [
        (5, 12, "pause should be a number of seconds, found text 'twee'"),
        (6, 53, "should be a number of seconds, found text '6'; write it without quotes"),
        (7, 10, "say should be text or a list of texts, found the number 42"),
        (8, 31, "repeat 'steps' should be a list of steps"),
    ],
    "durations.yaml": [
        (5, 12, "pause should be more than 0 seconds, found 0"),
        (6, 33, "turn 'seconds' should be more than 0 seconds, found -5"),
        (7, 23, "breathe 'inhale' should be more than 0 seconds, found 0"),
        (7, 34, "breathe 'cycles' should be at least 1, found 0"),
    ],
    "warn-before.yaml": [
        (5, 50, "turn 'warn_before' (30 s) should be smaller than 'seconds' (30 s)"),
        (6, 64, "mirror 'warn_before' (25 s) should be smaller than the turn (20 s)"),
    ],
    "placeholder.yaml": [
        (5, 17, "unknown placeholder {name} in phrase 'mirror_check'; use {sender}"),
        (7, 10, "unknown placeholder {a} in say; did you mean {A}?"),
        (8, 45, "unknown placeholder {partner} in turn 'prompt'; use {A}, {B}"),
    ],
    "language.yaml": [(3, 11, "unsupported language 'de'; expected one of: nl, en")],
    "bad-id.yaml": [(1, 5, "may hold only lowercase letters, digits and single dashes")],
    "mirror-same.yaml": [(5, 35, "mirror 'receiver' should be the other partner")],
    "ask-empty.yaml": [(7, 16, "ask 'answers' is empty")],
    "duplicate-key.yaml": [(4, 1, "key 'title' appears twice (first on line 2)")],
    "indent.yaml": [
        (5, 10, "turn should be a mapping (key: value lines), found an empty value"),
        (6, 5, "'speaker' belongs inside 'turn': indent it under 'turn:'"),
        (7, 5, "'seconds' belongs inside 'turn'"),
    ],
    "new-keys.yaml": [
        (5, 21, "turn 'speaker' should be A, B or both, found text 'beide'"),
        (5, 54, "turn 'pace_target' should be more than 0 syllables per second, found 0"),
        (5, 74, "turn 'breathing_pause' should be true or false, found text 'nee'"),
        (6, 67, "ask 'default' should be one of its answers ('ja', 'nee')"),
        (7, 30, "repeat 'swap' should be true or false, found text 'ja'"),
        (7, 41, "repeat 'start' should be A, B, alternate or random, found text 'om-en-om'"),
        (8, 27, "unknown key 'tempo' in summary; expected one of: talk, pauses, pace"),
        (9, 61, "mirror 'validate' should be true or false, found the number 1"),
        (10, 17, "onboarding should be true or a text, found the number 5"),
    ],
    "many.yaml": [
        (1, 5, "did you mean 'veel-fouten'?"),
        (2, 8, "'title' should be text, found a list"),
        (3, 11, "unsupported language 'fr'"),
        (4, 15, "voice 'rate' should be at most 1.5, found 3"),
        (5, 29, "settings 'raised_voice_db' should be more than 0 dB, found -2"),
        (5, 48, "settings 'pace_feedback' should be true or false, found text 'ja'"),
        (5, 75, "unknown breathing pattern 'boxx'; did you mean 'box'?"),
        (6, 11, "unknown phrase 'mirror_chek'; did you mean 'mirror_check'?"),
        (8, 10, "say is empty"),
        (9, 12, "pause should be more than 0 seconds, found -1"),
        (10, 21, "turn 'speaker' should be A, B or both, found text 'C'"),
        (10, 33, "turn 'seconds' should be more than 0 seconds, found 0"),
        (11, 5, "mirror is missing 'receiver'"),
        (12, 46, "unknown step kind 'sya'; did you mean 'say'?"),
        (12, 68, "ask 'timeout' should be more than 0 seconds, found 0"),
        (13, 21, "repeat 'times' should be a whole number, found 1.5"),
        (13, 33, "repeat 'steps' is empty"),
        (14, 14, "summary should be true or a mapping with talk, pauses and pace, found false"),
        (16, 5, "'pause' is a step of its own: start it on a new line with '- '"),
    ],
}


def test_every_bad_fixture_has_expectations() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in BAD.glob("*.yaml"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_fixture_reports_every_problem_at_its_place(name: str) -> None:
    checked = check_file(BAD / name)
    assert checked.script is None
    got = [(p.line, p.column) for p in checked.problems]
    assert got == [(line, column) for line, column, _ in EXPECTED[name]], checked.problems
    for problem, (_, _, words) in zip(checked.problems, EXPECTED[name], strict=True):
        assert words in problem.message
        assert problem.path == str(BAD / name)


def test_problem_lines_read_path_line_column_message() -> None:
    problem = Problem("s.yaml", 3, 7, "unknown key 'x'")
    assert str(problem) == "s.yaml:3:7: unknown key 'x'"
    assert str(Problem("gone.yaml", 0, 0, "no such file")) == "gone.yaml: no such file"


def test_load_script_raises_with_all_problems_listed() -> None:
    with pytest.raises(ScriptError) as info:
        load_script(BAD / "many.yaml")
    assert len(info.value.problems) == len(EXPECTED["many.yaml"])
    lines = str(info.value).splitlines()
    assert lines[0].startswith(f"{BAD / 'many.yaml'}:1:5: ")
    assert len(lines) == len(EXPECTED["many.yaml"])


def test_full_script_builds_every_step_kind() -> None:
    script = load_script(GOOD / "full.yaml")
    assert (script.id, script.title, script.language) == ("alles-erin", "Alles erin", "nl")
    assert script.rate == 0.8
    assert script.path == str(GOOD / "full.yaml")
    built = {kinds.kind_of(step).name for step in script.steps}
    assert built == set(kinds.STEP_KINDS)
    first, variants = script.steps[0], script.steps[1]
    assert first == model.Say(text=("Welkom {A} en {B}.",), line=23)
    assert isinstance(variants, model.Say) and len(variants.text) == 2
    assert script.steps[3] == model.Pause(seconds=1.5, line=26)


def test_breathing_patterns_give_defaults_that_numbers_override() -> None:
    steps = load_script(GOOD / "full.yaml").steps
    explicit, empty, bare, sigh, slow = steps[4:9]
    assert explicit == model.Breathe(inhale=4, hold=0, exhale=6, cycles=3, line=27)
    assert empty == model.Breathe(line=28)
    assert bare == model.Breathe(line=29)
    assert sigh == model.Breathe(
        inhale=2, exhale=6, double_inhale=True, cycles=2, intro=("We zuchten samen.",), line=30
    )
    assert (slow.inhale, slow.exhale, slow.hold_out) == (4, 8, 1)  # type: ignore[union-attr]
    settings = load_script(GOOD / "full.yaml").settings
    assert settings.breathing == model.Breathe(
        inhale=4, hold=4, exhale=4, hold_out=4, cycles=4, line=18
    )


SUMMARY_LINE, END_LINE, PACE_SUMMARY_LINE = 68, 76, 77
"""Where full.yaml's summaries and its last `end` are."""


def test_short_forms_of_calibrate_and_summary() -> None:
    steps = load_script(GOOD / "full.yaml").steps
    assert steps[9] == model.Calibrate(seconds=20, line=32)
    assert steps[10] == model.Calibrate(line=33)
    assert steps[11] == model.Calibrate(
        seconds=15, prompt=("Vertel elkaar wat je vandaag at.",), line=34
    )
    summaries = [step for step in steps if isinstance(step, model.Summary)]
    assert summaries == [
        model.Summary(line=SUMMARY_LINE),
        model.Summary(line=SUMMARY_LINE + 1),
        model.Summary(talk=True, pauses=False, pace=True, line=PACE_SUMMARY_LINE),
    ]


def test_end_with_and_without_last_words() -> None:
    steps = load_script(GOOD / "full.yaml").steps
    end = steps.index(model.End(line=END_LINE))
    ask = steps[end - 1]
    assert isinstance(ask, model.Ask)
    assert dict(ask.answers)["nee"] == (
        model.End(text=("Dan stoppen we hier.",), line=END_LINE - 2),
    )


def test_a_rating_and_a_recap() -> None:
    steps = load_script(GOOD / "full.yaml").steps
    assert steps[18] == model.Recap(line=66)
    assert steps[19] == model.Rate(
        prompt=("Hoe was het vanavond, van één tot tien?",),
        scale=10,
        low="slecht",
        high="heel fijn",
        first="B",
        timeout=6,
        line=67,
    )


def test_end_with_a_wrong_value_points_at_it(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + "  - say: hoi\n  - end: 5\n  - end: '{C} stopt.'\n")
    problems = check_file(path).problems
    assert [(p.line, p.column) for p in problems] == [(6, 10), (7, 10)]
    assert "end" in problems[0].message
    assert "{C}" in problems[1].message


def test_turns_mirrors_asks_and_repeats() -> None:
    steps = load_script(GOOD / "full.yaml").steps
    assert steps[12] == model.Turn(
        speaker="A",
        seconds=60,
        prompt=("{A}, hoe was je dag?",),
        warn_before=10,
        end_on_silence=6,
        line=35,
    )
    assert steps[13].warn_before is None and steps[13].end_on_silence is None  # type: ignore[union-attr]
    assert steps[14] == model.Mirror(sender="A", receiver="B", seconds=45, rounds=2, line=42)
    mirror = steps[15]
    assert isinstance(mirror, model.Mirror)
    assert (mirror.mirror_seconds, mirror.corrections, mirror.swap) == (40, 1, True)
    ask = steps[16]
    assert isinstance(ask, model.Ask)
    assert [word for word, _ in ask.answers] == ["ja", "nee", "misschien"]
    assert ask.answers[0][1] == (model.Say(text=("Goed, we gaan door.",), line=56),)
    assert ask.answers[2][1] == ()
    assert steps[17] == model.Repeat(
        times=2,
        steps=(model.Say(text=("Nog een keer.",), line=64), model.Pause(seconds=1, line=65)),
        line=61,
    )


def test_settings_and_phrase_overrides() -> None:
    script = load_script(GOOD / "full.yaml")
    assert script.settings.raised_voice_db == 7.0
    assert script.settings.pace_feedback is False
    assert script.settings.pace_nudges_per_turn == 2
    assert dict(script.phrases) == {
        "mirror_check": ("{sender}, klopt het zo?",),
        "turn_end": ("Dank je, {name}.", "Mooi, {name}."),
    }


def test_english_yes_and_no_answers_stay_words_and_anchors_merge() -> None:
    script = load_script(GOOD / "english-yes-no.yaml")
    ask = script.steps[3]
    assert isinstance(ask, model.Ask)
    assert [word for word, _ in ask.answers] == ["yes", "no"]
    assert ask.answers[1][1] == ()  # `no:` with nothing after it: no steps
    turn = script.steps[1]
    assert turn == model.Turn(
        speaker="A", seconds=45, warn_before=10, prompt=("{A}, how was your day?",), line=10
    )


def _write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


HEAD = "id: t\ntitle: T\nlanguage: nl\nsteps:\n"


def test_mirror_drops_the_default_warning_for_short_turns(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + "  - mirror: {sender: B, receiver: A, seconds: 8}\n")
    mirror = load_script(path).steps[0]
    assert isinstance(mirror, model.Mirror) and mirror.warn_before is None


def test_voice_rate_defaults_to_085(tmp_path: Path) -> None:
    assert load_script(_write(tmp_path, HEAD + "  - pause: 1\n")).rate == 0.85


def test_two_step_kinds_in_one_item_and_field_outside_its_step(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + "  - say: hoi\n    pause: 1\n  - turn: {speaker: A}\n")
    problems = check_file(path).problems
    assert [(p.line, p.column) for p in problems] == [(6, 5), (7, 5)]
    assert "'pause' is a step of its own" in problems[0].message
    assert "turn is missing 'seconds'" in problems[1].message


def test_phrase_placeholders_follow_the_phrase(tmp_path: Path) -> None:
    text = (
        HEAD.replace(
            "steps:",
            'phrases:\n  summary_talk: "{A} {a_time}, {B} {b_time}"\n'
            '  pace_nudge: "{Name}, rustig."\nsteps:',
        )
        + "  - pause: 1\n"
    )
    problems = check_file(_write(tmp_path, text)).problems
    assert [(p.line, p.column, p.message) for p in problems] == [
        (6, 15, "unknown placeholder {Name} in phrase 'pace_nudge'; did you mean {name}?")
    ]


def test_stray_brace_and_non_string_answer(tmp_path: Path) -> None:
    text = HEAD + ('  - say: "Hallo {A"\n  - ask: {prompt: Klaar, answers: {true: [], 1: []}}\n')
    problems = check_file(_write(tmp_path, text)).problems
    assert [(p.line, p.column) for p in problems] == [(5, 10), (6, 36), (6, 46)]
    assert "unmatched '{'" in problems[0].message
    assert "a key should be a word, found true" in problems[1].message
    assert "found the number 1" in problems[2].message


def test_extension_keys_hold_anchors_and_are_ignored(tmp_path: Path) -> None:
    text = "x-welkom: &w {say: Welkom}\n" + HEAD + "  - *w\n  - *w\n"
    steps = load_script(_write(tmp_path, text)).steps
    assert steps == (model.Say(text=("Welkom",), line=1), model.Say(text=("Welkom",), line=1))


def test_duplicate_ids_point_at_the_second_file_and_name_the_first() -> None:
    report = check_paths([BAD / "dup"])
    assert [str(p) for p in report.problems] == [
        f"{BAD / 'dup' / 'two.yaml'}:1:5: id 'zelfde' is already used by "
        f"{BAD / 'dup' / 'one.yaml'}; give each script its own id"
    ]


# -- hostile files: one clean problem each, never an exception -------------------------


def _alias_bomb() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


def _step_bomb() -> str:
    lines = [
        HEAD.rstrip("\n").replace("steps:", ""),
        "x-0: &s0 [" + ", ".join(["{say: lol}"] * 9) + "]",
    ]
    lines += [
        f"x-{i}: &s{i} [" + ", ".join([f"{{repeat: {{times: 9, steps: *s{i - 1}}}}}"] * 9) + "]"
        for i in range(1, 10)
    ]
    return "\n".join([*lines, "steps: *s9"]) + "\n"


HOSTILE: dict[str, tuple[bytes, int, int, str]] = {
    "binary": (bytes(range(256)) * 64, 1, 1, "not a text file"),
    "empty": (b"", 1, 1, "the file is empty"),
    "comments-only": (b"# nothing here\n", 1, 1, "the file is empty"),
    "huge": (b"a: " + b"x" * (10 * 1024 * 1024) + b"\n", 1, 1, "larger than 128 KB"),
    # The problem points at the first list deeper than the cap (the 50th bracket).
    "deep-lists": (b"steps: " + b"[" * 10_000 + b"]" * 10_000 + b"\n", 1, 57, "nested more"),
    "deep-mappings": (
        "".join("  " * i + f"k{i}:\n" for i in range(300)).encode(),
        50,
        99,
        "nested more than 50 levels",
    ),
    "alias-bomb": (_alias_bomb().encode(), 6, 5, "expands to more than 100000 values"),
    # Points at the first anchor whose value would expand past the cap (x-4).
    "step-bomb": (_step_bomb().encode(), 9, 6, "expands to more than 100000 values"),
    "self-alias": (
        (HEAD.replace("steps:\n", "") + "steps: &s [{repeat: {times: 1, steps: *s}}]\n").encode(),
        4,
        8,
        "used inside the value of its own anchor",
    ),
    "latin-1": ("id: café\n".encode("latin-1"), 1, 8, "not valid UTF-8 text (byte 0xe9)"),
    "control-char": (b"id: t\ntitle: a\x07b\n", 2, 9, "control character U+0007"),
    "python-tag": (
        b"id: !!python/object/apply:os.system ls\ntitle: T\nlanguage: nl\nsteps: [{pause: 1}]\n",
        1,
        5,
        "unsupported YAML tag '!!python/object/apply:os.system'",
    ),
    "two-documents": (b"id: a\n---\nid: b\n", 2, 1, "holds one YAML document"),
    "tabs": (b"id: a\nsteps:\n\t- say: x\n", 3, 1, "indent with spaces, not tabs"),
}


@pytest.mark.timeout(20)
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_gives_one_clean_problem(tmp_path: Path, name: str) -> None:
    data, line, column, words = HOSTILE[name]
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(data)
    checked = check_file(path)
    assert checked.script is None
    first = checked.problems[0]
    assert (first.line, first.column) == (line, column), checked.problems
    assert words in first.message
    assert len(checked.problems) == 1


def test_a_folder_or_a_missing_file_is_one_problem(tmp_path: Path) -> None:
    assert check_file(tmp_path).problems == [
        Problem(str(tmp_path), 0, 0, "is a folder, not a script file")
    ]
    missing = tmp_path / "nope.yaml"
    assert check_file(missing).problems == [Problem(str(missing), 0, 0, "no such file")]
