"""The README and the manual in docs/: every link resolves (files, and headings for #anchors), and
every command the README shows exists (make targets, gatelab commands and their options, tools)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """A heading's anchor as GitHub writes it: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {slug(m.group(1)) for m in re.finditer(r"^#+ (.+)$", page.read_text(), flags=re.M)}


def broken_links(page: Path) -> list[str]:
    out = []
    for target in LINK.findall(page.read_text()):
        if re.match(r"[a-z]+://|mailto:", target):
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            out.append(f"{target}: no such file")
        elif anchor and anchor not in anchors(file):
            out.append(f"{target}: no heading #{anchor} in {file.name}")
    return out


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_link_resolves(page):
    assert broken_links(page) == []


def test_a_broken_link_and_a_missing_anchor_are_seen(tmp_path):
    (tmp_path / "a.md").write_text("# Top\n\n## Some heading: here\n\n[ok](#some-heading-here) [x](b.md) [y](a.md#nope)\n")
    assert broken_links(tmp_path / "a.md") == ["b.md: no such file", "a.md#nope: no heading #nope in a.md"]


def test_the_readme_is_short_and_the_manual_has_its_pages():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 250
    for name in ("teachers", "practitioners", "classroom", "jupyter", "performance", "security", "architecture",
                 "decisions"):
        assert (ROOT / "docs" / f"{name}.md").exists(), name


def readme_commands() -> list[list[str]]:
    """The shell lines of the README's ``sh`` blocks, as words, comments left out."""
    text = (ROOT / "README.md").read_text()
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            words = shlex.split(line.split(" #")[0].split(">")[0])
            if words:
                lines.append(words)
    return lines


def test_every_command_the_readme_shows_exists():
    from cli import build_parser

    targets = set(re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(), flags=re.M))
    parser = build_parser()
    seen = 0
    for words in readme_commands():
        if words[0] == "make":
            assert words[1] in targets, words
        elif words[0].endswith("bin/gatelab"):
            # parse_known_args: the subcommand and every option must be known; --help would exit
            args = [w for w in words[1:] if w != "--help"]
            _, unknown = parser.parse_known_args(args)
            assert unknown == [], (words, unknown)
        elif words[0] == "python":
            assert (ROOT / words[1]).exists(), words
        else:
            raise AssertionError(f"the README shows a command this test does not know: {words}")
        seen += 1
    assert seen >= 10
