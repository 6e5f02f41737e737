"""Settings come from ASSISTANT_* variables; a bad value is one line naming the variable."""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.errors import ConfigError


def test_defaults_and_overrides(monkeypatch, tmp_path):
    for name in ("DATA_DIR", "CHROMA_URL", "CHROMA_HOST", "LLM", "LLM_MAX_TOKENS", "TOP_K"):
        monkeypatch.delenv(f"ASSISTANT_{name}", raising=False)
    default = Settings.from_env()
    assert default.llm == "none" and default.chroma_url == "" and default.llm_max_tokens == 512
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("ASSISTANT_LLM_MAX_TOKENS", "64")
    settings = Settings.from_env()
    assert settings.data_dir == tmp_path and settings.sqlite_path == tmp_path / "index.sqlite"
    assert settings.chroma_url == "http://127.0.0.1:8000" and settings.llm_max_tokens == 64
    assert default.mend_slips and not Settings.from_env().with_(mend_slips=False).mend_slips
    monkeypatch.setenv("ASSISTANT_MEND_SLIPS", "Off")
    assert not Settings.from_env().mend_slips


@pytest.mark.parametrize(
    ("name", "value"),
    [("TOP_K", "many"), ("LLM_MAX_TOKENS", "0"), ("MAX_FILE_MB", "-1"), ("LLM", "gpt"), ("CHUNK_OVERLAP", "500"), ("MEND_SLIPS", "maybe")],
)
def test_bad_values_are_one_line_naming_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(f"ASSISTANT_{name}", value)
    with pytest.raises(ConfigError) as info:
        Settings.from_env()
    assert f"ASSISTANT_{name}" in str(info.value) and "\n" not in str(info.value)
