"""The built-in scripts in scripts/nl and scripts/en: well formed, paired, speakable.

These checks read the YAML directly (with the project's YAML 1.2 loader) and hold it
against the fields of `voice_coach.script.model`, so they do not depend on the script
loader. `voice-coach validate scripts/` is the loader's own, stricter check.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from voice_coach.lang import PHRASES, language
from voice_coach.script import kinds, model
from voice_coach.script.load import load_script
from voice_coach.yaml12 import load_yaml

ROOT = Path(__file__).resolve().parent.parent / "scripts"

PAIRS = {
    "avond-checkin": "evening-checkin",
    "spiegelen": "mirroring",
    "vertraagd-praten": "slow-talking",
    "herstelgesprek": "repair",
    "dankbaarheid": "gratitude",
    "waardenkaart": "shared-values",
    "ademhaling": "breathing",
    "ons-patroon": "our-pattern",
}
"""Each Dutch script id and its English counterpart."""

ANSWER_PAIRS = {
    "ja": "yes",
    "nee": "no",
    "verder": "continue",
    "stoppen": "stop",
    "uitademen": "exhale",
    "vierkant": "box",
    "zucht": "sigh",
}
"""Dutch answer words and the English word that must stand in the same place."""

PATTERNS = {
    "slow-exhale": {"inhale": 4.0, "exhale": 6.0},
    "box": {"inhale": 4.0, "hold": 4.0, "exhale": 4.0, "hold_out": 4.0},
    "sigh": {"inhale": 2.0, "exhale": 6.0, "double_inhale": True},
}
"""Breathing patterns by name, in seconds (for the duration estimate only)."""

TOP_KEYS = {
    "id",
    "title",
    "language",
    "description",
    "spoken",
    "voice",
    "settings",
    "phrases",
    "steps",
}
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
# What a TTS voice reads badly or not at all: digits, brackets, symbols, ellipses, emoji.
UNSPEAKABLE_RE = re.compile(r"[0-9()\[\]<>/\\&%*#@+=_~^|]|\.\.\.|…|[^\x00-\u024f\u2019]")

CHARS_PER_SECOND = 17.0
"""Characters the coach's voice speaks per second at rate 1.0 (Piper joe-medium ran
18.7 including its own pauses; rounded down for Dutch's longer words)."""


def _fields(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)} - {"line"}


STEP_FIELDS: dict[str, set[str]] = {
    "say": set(),
    "pause": set(),
    "breathe": _fields(model.Breathe) | {"pattern"},
    "turn": _fields(model.Turn),
    "mirror": _fields(model.Mirror),
    "ask": _fields(model.Ask),
    "repeat": _fields(model.Repeat),
    "calibrate": _fields(model.Calibrate),
    "summary": _fields(model.Summary),
    "rate": _fields(model.Rate),
    "recap": set(),
}
REQUIRED: dict[str, set[str]] = {
    "rate": {"prompt"},
    "turn": {"speaker", "seconds"},
    "mirror": {"sender", "receiver", "seconds"},
    "ask": {"prompt", "answers"},
    "repeat": {"times", "steps"},
}


def _files() -> list[Path]:
    return sorted(ROOT.glob("*/*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    data = load_yaml(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path}: top level must be a mapping"
    return data


SCRIPTS = {path: _load(path) for path in _files()}
BY_ID = {data["id"]: data for data in SCRIPTS.values()}


def _kind(step: dict[str, Any]) -> tuple[str, Any]:
    assert isinstance(step, dict) and len(step) == 1, f"a step is one key: {step!r}"
    ((kind, body),) = step.items()
    return kind, body


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    assert isinstance(value, list) and value, f"text must be a string or a list: {value!r}"
    assert all(isinstance(v, str) and v.strip() for v in value), value
    return list(value)


def _walk(steps: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Every step, nested ones (ask answers, repeat) included, in order."""
    out = []
    for step in steps:
        kind, body = _kind(step)
        out.append((kind, body))
        if kind == "ask":
            for branch in body["answers"].values():
                out.extend(_walk(branch))
        elif kind == "repeat":
            out.extend(_walk(body["steps"]))
    return out


def _spoken(data: dict[str, Any]) -> list[str]:
    """All text the coach speaks from this script (phrase overrides excluded)."""
    texts: list[str] = []
    for kind, body in _walk(data["steps"]):
        if kind in ("say", "end") and body is not True:
            texts += _texts(body)
        elif isinstance(body, dict):
            texts += _texts(body.get("prompt")) + _texts(body.get("intro"))
            texts += _texts(body.get("low")) + _texts(body.get("high"))
    return texts


def _shape(steps: list[dict[str, Any]], lang: str) -> list[Any]:
    """Step kinds and every number and role, with answer words put into Dutch."""
    to_nl = {en: nl for nl, en in ANSWER_PAIRS.items()}
    shape: list[Any] = []
    for step in steps:
        kind, body = _kind(step)
        if kind == "ask":
            answers = [
                (to_nl.get(word, word) if lang == "en" else word, _shape(branch, lang))
                for word, branch in body["answers"].items()
            ]
            default = body.get("default")
            default = to_nl.get(default, default) if lang == "en" else default
            shape.append((kind, body.get("timeout"), default, answers))
        elif kind == "repeat":
            plain = sorted((k, v) for k, v in body.items() if k != "steps")
            shape.append((kind, plain, _shape(body["steps"], lang)))
        elif kind == "pause":
            shape.append((kind, body))
        elif isinstance(body, dict):
            words = ("prompt", "intro", "low", "high")  # texts differ between languages
            plain = {k: v for k, v in body.items() if k not in words}
            shape.append((kind, sorted(plain.items()), "prompt" in body, "intro" in body))
        else:
            shape.append((kind,))
    return shape


def _speech_seconds(text: str, rate: float) -> float:
    sentences = max(1, len(re.findall(r"[.!?]", text)))
    return len(text) / (CHARS_PER_SECOND * rate) + sentences * 0.35 / rate


def _plan_seconds(steps: list[dict[str, Any]], code: str, rate: float, talk: float) -> float:
    """Planned seconds of `steps`: coach speech, silences, and turns filled to `talk`
    (1.0: every turn runs its full time; 0.5: turns end halfway on silence). Asks take
    their first (default) answer."""
    lang = language(code)

    def say(key: str) -> float:
        values = {"name": "Alex", "sender": "Alex", "receiver": "Sam", "count": "vier"}
        values |= {"low": "ver van elkaar", "high": "heel dicht bij elkaar", "top": "vijf"}
        return _speech_seconds(lang.phrase(key, **values, value="zeven"), rate)

    total = 0.0
    for step in steps:
        kind, body = _kind(step)
        prompt = " ".join(_texts(body.get("prompt"))[:1]) if isinstance(body, dict) else ""
        if kind in ("say", "end") and body is not True:
            total += _speech_seconds(_texts(body)[0], rate)
        elif kind == "pause":
            total += float(body)
        elif kind == "turn":
            close = say("turn_end_both" if body["speaker"] == "both" else "turn_end")
            total += _speech_seconds(prompt, rate) + talk * body["seconds"] + close
        elif kind == "mirror":
            one_round = (
                say("mirror_send")
                + talk * body["seconds"]
                + say("mirror_reflect")
                + talk * body.get("mirror_seconds", body["seconds"])
                + say("mirror_check")
                + 3.0  # the sender's yes
            )
            rounds = body.get("rounds", 1)
            loop = rounds * one_round + (rounds - 1) * say("mirror_more")
            closing = [("mirror_summarize", rounds > 1)] + [
                (f"mirror_{part}", body.get(part, False)) for part in ("validate", "empathize")
            ]
            for key, done in closing:  # the receiver sums up, validates, empathises
                if done:
                    loop += say(key) + talk * body.get("mirror_seconds", body["seconds"])
            directions = 2 if body.get("swap") else 1
            total += say("mirror_open") + directions * loop + say("mirror_swap")
        elif kind == "breathe":
            phases = {**PATTERNS.get(body.get("pattern", ""), {}), **body}
            cycle = sum(float(phases.get(k, 0.0)) for k in ("inhale", "hold", "exhale", "hold_out"))
            cycle += 1.0 if phases.get("double_inhale") else 0.0
            intro = _texts(body.get("intro"))
            total += _speech_seconds(intro[0], rate) if intro else say("breathe_intro")
            total += phases.get("cycles", 3) * cycle + say("breathe_done")
        elif kind == "ask":
            answer = body.get("default", next(iter(body["answers"])))
            chosen = body["answers"][answer]
            total += _speech_seconds(prompt, rate) + 3.0 + _plan_seconds(chosen, code, rate, talk)
        elif kind == "repeat":
            total += body["times"] * _plan_seconds(body["steps"], code, rate, talk)
        elif kind == "calibrate":
            total += say("calibrate_open") + body.get("seconds", 20) + say("calibrate_done")
        elif kind == "summary":
            total += 4 * say("summary_talk")
        elif kind == "rate":
            labels = say("rate_labels") if "low" in body else 0.0
            one = say("rate_ask") + 3.0 + say("rate_heard")  # asked, a number, thanks
            total += _speech_seconds(prompt, rate) + labels + 2 * one
        elif kind == "recap":
            total += say("recap_count") + say("recap_even")
        elif kind == "onboarding":  # a first evening
            total += sum(say(f"onboarding{part}") for part in ("", "_safety", "_commands"))
    return total


def planned_minutes(data: dict[str, Any], talk: float) -> float:
    """Planned length of a whole script in minutes (see `_plan_seconds`)."""
    rate = float(data.get("voice", {}).get("rate", 0.85))
    return _plan_seconds(data["steps"], data["language"], rate, talk) / 60.0


@pytest.fixture(params=sorted(SCRIPTS), ids=lambda p: f"{p.parent.name}/{p.name}")
def script(request: pytest.FixtureRequest) -> tuple[Path, dict[str, Any]]:
    return request.param, SCRIPTS[request.param]


def test_all_sixteen_scripts_are_there() -> None:
    assert sorted(BY_ID) == sorted([*PAIRS, *PAIRS.values()])
    assert len(SCRIPTS) == 16


def test_ids_are_unique_and_match_file_and_language(script: tuple[Path, dict[str, Any]]) -> None:
    path, data = script
    assert set(data) <= TOP_KEYS, f"{path}: unknown keys {set(data) - TOP_KEYS}"
    assert ID_RE.match(data["id"]), data["id"]
    assert path.stem == data["id"]
    assert data["language"] == path.parent.name
    assert [d["id"] for d in SCRIPTS.values()].count(data["id"]) == 1
    assert data["title"].strip() and data["description"].strip()


def test_steps_use_only_the_model_fields(script: tuple[Path, dict[str, Any]]) -> None:
    path, data = script
    assert data["steps"], f"{path}: no steps"
    for kind, body in _walk(data["steps"]):
        assert kind in kinds.STEP_KINDS, f"{path}: unknown step '{kind}'"
        if kind == "say" or (kind == "end" and body is not True):
            _texts(body)
        elif kind == "pause":
            assert isinstance(body, (int, float)) and 0 < body <= 60
        elif kind in ("end", "recap", "onboarding"):
            assert body in ({}, None, True)
        elif kind == "summary":
            assert body in ({}, None, True) or set(body) <= STEP_FIELDS["summary"]
        else:
            assert isinstance(body, dict), f"{path}: {kind} needs a mapping"
            assert set(body) <= STEP_FIELDS[kind], f"{path}: {kind}: {set(body)}"
            assert REQUIRED.get(kind, set()) <= set(body), f"{path}: {kind} misses fields"
        if kind == "breathe" and "pattern" in body:
            assert body["pattern"] in PATTERNS
        for role in ("speaker", "sender", "receiver"):
            if isinstance(body, dict) and role in body:
                assert body[role] in (("A", "B", "both") if role == "speaker" else ("A", "B"))
        if kind == "mirror":
            assert body["sender"] != body["receiver"]


def test_settings_and_voice_use_only_the_model_fields(
    script: tuple[Path, dict[str, Any]],
) -> None:
    path, data = script
    assert set(data.get("voice", {})) <= {"rate"}
    assert 0.7 <= data["voice"]["rate"] <= 0.85, f"{path}: the coach speaks slowly"
    settings = data.get("settings", {})
    assert set(settings) <= _fields(model.Settings), f"{path}: {set(settings)}"
    if "breathing" in settings:
        assert set(settings["breathing"]) <= STEP_FIELDS["breathe"]


def test_phrase_overrides_exist_and_use_their_own_placeholders(
    script: tuple[Path, dict[str, Any]],
) -> None:
    path, data = script
    for key, value in data.get("phrases", {}).items():
        assert key in PHRASES, f"{path}: no coach phrase '{key}'"
        allowed = set(PLACEHOLDER_RE.findall(PHRASES[key]))
        for text in _texts(value):
            assert set(PLACEHOLDER_RE.findall(text)) <= allowed, f"{path}: {key}: {text}"


def test_script_text_uses_only_partner_placeholders(script: tuple[Path, dict[str, Any]]) -> None:
    path, data = script
    for text in [*_spoken(data), data["title"], data["description"]]:
        assert set(PLACEHOLDER_RE.findall(text)) <= {"A", "B"}, f"{path}: {text}"
        assert text.count("{") == text.count("}"), f"{path}: {text}"


def test_spoken_text_is_speakable(script: tuple[Path, dict[str, Any]]) -> None:
    path, data = script
    texts = _spoken(data) + [t for v in data.get("phrases", {}).values() for t in _texts(v)]
    for text in texts:
        bad = UNSPEAKABLE_RE.findall(PLACEHOLDER_RE.sub("", text))
        assert not bad, f"{path}: {bad} in: {text}"
        assert "  " not in text.strip(), f"{path}: {text!r}"


def test_every_turn_has_a_prompt_or_follows_one(script: tuple[Path, dict[str, Any]]) -> None:
    path, data = script

    def check(steps: list[dict[str, Any]]) -> None:
        previous = ""
        for step in steps:
            kind, body = _kind(step)
            if kind == "turn":
                assert body.get("prompt") or previous == "say", f"{path}: turn without prompt"
            if kind == "ask":
                for branch in body["answers"].values():
                    check(branch)
            if kind != "pause":
                previous = kind

    check(data["steps"])


def test_turn_timing_follows_the_domain(script: tuple[Path, dict[str, Any]]) -> None:
    path, data = script
    for kind, body in _walk(data["steps"]):
        if kind in ("turn", "mirror"):
            assert 15 <= body["seconds"] <= 90, f"{path}: {kind} of {body['seconds']} s"
            if body["seconds"] >= 45:
                assert body.get("warn_before") == 10, f"{path}: long {kind} without warning"
            assert 4 <= body.get("end_on_silence", 6) <= 8, f"{path}: {body}"


def test_asks_name_their_answers_and_avoid_command_words(
    script: tuple[Path, dict[str, Any]],
) -> None:
    path, data = script
    lang = language(data["language"])
    command_words = set(lang.command_words())
    for kind, body in _walk(data["steps"]):
        if kind != "ask":
            continue
        prompt = " ".join(_texts(body["prompt"])).lower()
        assert len(body["answers"]) >= 2, f"{path}: an ask needs a choice"
        for word, branch in body["answers"].items():
            assert isinstance(word, str), f"{path}: answer {word!r} is not a word"
            assert re.search(rf"\b{re.escape(word)}\b", prompt), f"{path}: '{word}' not in prompt"
            assert word not in command_words, f"{path}: '{word}' is also a spoken command"
            assert branch, f"{path}: answer '{word}' has no steps"


def test_conversations_carry_the_first_evening(script: tuple[Path, dict[str, Any]]) -> None:
    """The safety pointer belongs to a couple's first evening (the `onboarding` step, said
    once per couple), not to every nightly ritual; the language pack's words carry it."""
    path, data = script
    kinds = {kind for kind, _ in _walk(data["steps"])}
    if not kinds & {"turn", "mirror"}:
        return
    assert "onboarding" in kinds, f"{path}: a conversation without the first evening's words"
    lang = language(data["language"])
    safety = " ".join(lang.phrases["onboarding_safety"]).lower()
    helper = {"nl": "huisarts", "en": "doctor"}[data["language"]]
    safe = {"nl": "niet veilig", "en": "safe"}[data["language"]]
    assert helper in safety and safe in safety
    assert "therapeut" in " ".join(lang.phrases["onboarding"]).lower() or "therapist" in " ".join(
        lang.phrases["onboarding"]
    )


def test_scripts_never_tell_the_couple_to_say_a_command(
    script: tuple[Path, dict[str, Any]],
) -> None:
    """The commands are the engine's to mention: only when something can hear them."""
    path, data = script
    lang = language(data["language"])
    text = " ".join(_spoken(data)).lower()
    for word in ("stop", "pauze", "pause", "herhaal", "repeat"):
        assert not re.search(rf"\b(zeg|say)\b[^.?!]*\b{word}\b", text), f"{path}: {word}"
    assert "stop" in " ".join(lang.phrases["onboarding_commands"]).lower()


def test_scripts_do_not_repeat_the_engine_phrases(script: tuple[Path, dict[str, Any]]) -> None:
    path, data = script
    engine = {t.lower() for texts in language(data["language"]).phrases.values() for t in texts}
    for text in _spoken(data):
        assert text.lower() not in engine, f"{path}: says an engine phrase: {text}"


@pytest.mark.parametrize("nl_id", sorted(PAIRS))
def test_dutch_and_english_have_the_same_structure(nl_id: str) -> None:
    nl, en = BY_ID[nl_id], BY_ID[PAIRS[nl_id]]
    assert nl["language"] == "nl" and en["language"] == "en"
    assert _shape(nl["steps"], "nl") == _shape(en["steps"], "en")
    assert nl.get("voice") == en.get("voice")
    assert nl.get("settings") == en.get("settings")
    assert set(nl.get("phrases", {})) == set(en.get("phrases", {}))
    for step_nl, step_en in zip(_walk(nl["steps"]), _walk(en["steps"]), strict=True):
        # Same number of alternative wordings, so both languages vary alike.
        if step_nl[0] == "say":
            assert len(_texts(step_nl[1])) == len(_texts(step_en[1]))


LIMITS = {"avond-checkin": (5.0, 10.5), "evening-checkin": (5.0, 10.5), "ademhaling": (3.5, 8.0)}


@pytest.mark.parametrize("script_id", sorted(BY_ID))
def test_planned_length_is_realistic(script_id: str) -> None:
    low, high = LIMITS.get(script_id, LIMITS.get(_nl(script_id), (5.0, 20.0)))
    data = BY_ID[script_id]
    assert planned_minutes(data, talk=0.6) >= low, f"{script_id} is too short"
    assert planned_minutes(data, talk=1.0) <= high, f"{script_id} is too long"


def _nl(script_id: str) -> str:
    return {en: nl for nl, en in PAIRS.items()}.get(script_id, script_id)


def test_the_script_loader_accepts_every_file() -> None:
    for path in SCRIPTS:
        script = load_script(path)
        assert script.id == SCRIPTS[path]["id"]
        assert len(script.steps) == len(SCRIPTS[path]["steps"])
