"""The user's config file: defaults, overrides, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_coach.config import ConfigError, ListenSettings, load_config
from voice_coach.script.model import Settings


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "none.toml")
    assert config.listen.raised_voice_db == 8.0
    assert config.privacy.keep_recordings is False


def test_values_are_read_and_ints_become_floats(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[couple]\nnames = "Anna,Bram"\n[listen]\nraised_voice_db = 10\n')
    config = load_config(path)
    assert config.couple.names == "Anna,Bram"
    assert config.listen.raised_voice_db == 10.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[listen]\nraised_voice = 10\n", "unknown key 'raised_voice'"),
        ("[sound]\nmic = 1\n", "unknown section [sound]"),
        ("[listen]\nbreathing_pause = 'yes'\n", "'breathing_pause' should be bool, not str"),
        ("[listen\n", "cannot read the config file"),
    ],
)
def test_mistakes_name_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_script_settings_override_only_what_they_set() -> None:
    merged = ListenSettings().with_overrides(
        Settings(raised_voice_db=6.0, breathing_pause=False).overrides()
    )
    assert merged.raised_voice_db == 6.0 and merged.breathing_pause is False
    assert merged.pace_target == ListenSettings().pace_target


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("pace_window = 0", "pace_window"),
        ("pace_window = -1", "pace_window"),
        ("pace_window = nan", "pace_window"),
        ("echo_tail = nan", "echo_tail"),
        ("echo_tail = inf", "echo_tail"),
        ("raised_voice_db = -3", "raised_voice_db"),
        ("raised_voice_db = nan", "raised_voice_db"),
        ("silence_margin_db = -inf", "silence_margin_db"),
        ("pace_target = 0", "pace_target"),
        ("pace_nudges_per_turn = -1", "pace_nudges_per_turn"),
        ("breathing_cooldown = -5.0", "breathing_cooldown"),
    ],
)
def test_numbers_out_of_range_name_key_file_and_range(tmp_path: Path, line: str, key: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[listen]\n{line}\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert str(path) in message and f"'{key}'" in message and "up to" in message
    assert "\n" not in message


def test_a_negative_device_timeout_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[audio]\ndevice_timeout = -1\n")
    with pytest.raises(ConfigError, match=r"'device_timeout' = -1\.0 is out of range"):
        load_config(path)


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xef\xbb\xbf[couple]\nnames = 'Anna,Bram'\n")
    assert load_config(path).couple.names == "Anna,Bram"


def test_the_defaults_are_inside_their_ranges() -> None:
    from voice_coach.config import RANGES, Config

    config = Config()
    for name, allowed in RANGES.items():
        section, key = name.split(".")
        assert allowed.allows(getattr(getattr(config, section), key)), name
