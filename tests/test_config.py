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
