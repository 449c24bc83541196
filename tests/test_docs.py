"""Docs that cannot drift: every command has help with an example and is in the README."""

from pathlib import Path

import pytest

from crawler.cli import COMMANDS, main

README = (Path(__file__).parent.parent / "README.md").read_text()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_command_help_has_an_example(command, capsys):
    with pytest.raises(SystemExit) as e:
        main([command, "--help"])
    assert e.value.code == 0
    assert f"organwatch {command}" in capsys.readouterr().out.split("examples:")[1]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_command_is_in_the_readme(command):
    assert f"organwatch {command}" in README or (command == "demo" and "make demo" in README)


def test_top_level_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert all(command in out for command in COMMANDS)
