"""Every command and option is documented in the README, so the docs cannot drift."""

from __future__ import annotations

import click

from reconcile.cli import main
from tests.conftest import ROOT


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in sorted(main.commands.items()):
        assert f"reconcile {name}" in readme, f"README does not show `reconcile {name}`"
        assert command.help, f"`reconcile {name}` has no help text"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"`reconcile {name} {param.opts[0]}` has no help text"
