"""The README's Python example runs, and its two commands are the ones CI uses."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_python_example_runs(monkeypatch, capsys) -> None:
    monkeypatch.chdir(ROOT)
    block = re.search(r"```python\n(.*?)```", _readme(), re.S)
    assert block is not None
    exec(compile(block.group(1), "README.md", "exec"), {})
    assert "same-story" in capsys.readouterr().out


def test_ci_runs_readme_command_2() -> None:
    commands = re.findall(r"```sh\n(python3 -m venv .*?)\n```", _readme())
    assert len(commands) == 2
    assert commands[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "reconcile scan samples/articles -o reports" in commands[0]
