#!/usr/bin/env python3
"""The documentation's links: every relative link and image in README.md, docs/*.md,
jobs/README.md and slurm/README.md points at a file that exists, and every #anchor at a
heading of its target, as GitHub renders heading anchors (lowercase, spaces to '-',
punctuation other than '-' and '_' removed; a repeated heading gets -1, -2, ...).
README.md stays within 200 lines.

    python3 tests/docs/links_test.py [ROOT]

ROOT is the project's directory (default: two levels above this script). Prints what is
broken and exits 1; exits 0 when every link resolves.
"""

import re
import sys
import urllib.parse
from pathlib import Path

README_MAX_LINES = 200

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
# [text](dest "title") and ![alt](dest): dest may hold one level of balanced parentheses,
# or be written <like this>.
INLINE_LINK = re.compile(
    r"!?\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])*)\]"
    r"\(\s*(?:<(?P<angle>[^<>\n]*)>|(?P<dest>(?:[^()\s]|\([^()\s]*\))*))"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)")
REF_DEF = re.compile(r"^ {0,3}\[(?P<label>[^\]]+)\]:\s*(?:<(?P<angle>[^<>]*)>|(?P<dest>\S+))")
HTML_LINK = re.compile(r"<(?:a|img)\b[^>]*?\b(?:href|src)\s*=\s*[\"']([^\"']*)[\"']", re.I)
HTML_ANCHOR = re.compile(r"<[a-z][^>]*?\b(?:id|name)\s*=\s*[\"']([^\"']+)[\"']", re.I)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def code_spans(line):
    """Splits a line into (is_code, text) pieces: a run of n backticks opens a code span
    that the next run of exactly n backticks closes (CommonMark)."""
    pieces, i, plain = [], 0, 0
    while i < len(line):
        if line[i] != "`":
            i += 1
            continue
        j = i
        while j < len(line) and line[j] == "`":
            j += 1
        run = j - i
        k = j
        close = -1
        while k < len(line):
            if line[k] == "`":
                m = k
                while m < len(line) and line[m] == "`":
                    m += 1
                if m - k == run:
                    close = k
                    break
                k = m
            else:
                k += 1
        if close < 0:
            i = j
            continue
        pieces.append((False, line[plain:i]))
        pieces.append((True, line[j:close]))
        i = plain = close + run
    pieces.append((False, line[plain:]))
    return pieces


def without_code(line):
    """The line with each code span's text replaced by x's (links inside code are not
    links), the backticks kept so that positions still make sense."""
    return "".join(("`" + "x" * len(t) + "`") if code else t for code, t in code_spans(line))


def heading_text(raw):
    """The text GitHub renders for a heading's inline markup."""
    out = []
    for code, text in code_spans(raw):
        if code:
            out.append(text.strip() if text.strip() else text)
            continue
        text = re.sub(r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\([^)]*\)", r"\1", text)  # links, images
        text = re.sub(r"<[^>]+>", "", text)                                      # HTML tags
        text = re.sub(r"\\(.)", r"\1", text)                                     # escapes
        text = text.replace("*", "").replace("~", "")
        text = re.sub(r"(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])", "", text)          # _emphasis_
        out.append(text)
    return "".join(out)


def slug(text):
    """GitHub's heading anchor: lowercase, punctuation other than '-' and '_' removed,
    spaces to '-'."""
    text = text.strip().lower()
    text = "".join(c for c in text if c.isalnum() or c in "-_ ")
    return text.replace(" ", "-")


def markdown_lines(path):
    """(line number, line) outside fenced code blocks."""
    fence = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = FENCE.match(line)
        if fence is None:
            if m:
                fence = m.group(1)
                continue
            yield number, line
        elif m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                and not line.strip().strip(fence[0]):
            fence = None  # a closing fence: the same character, at least as long, alone


_anchor_cache = {}


def anchors(path):
    """Every anchor GitHub makes for a Markdown file: one per heading (a repeated slug gets
    -1, -2, ...) and any HTML id or name."""
    path = path.resolve()
    if path in _anchor_cache:
        return _anchor_cache[path]
    found, seen = set(), {}
    previous = None
    for _, line in markdown_lines(path):
        text = None
        m = ATX.match(line)
        if m:
            text = m.group(2) or ""
        elif previous is not None and previous.strip() and SETEXT.match(line) \
                and not ATX.match(previous) and not previous.lstrip().startswith(("|", "-", "*", ">")):
            text = previous.strip()
        if text is not None:
            base = slug(heading_text(text))
            n = seen.get(base, 0)
            found.add(base if n == 0 else f"{base}-{n}")
            seen[base] = n + 1
        for a in HTML_ANCHOR.findall(line):
            found.add(a)
        previous = line
    _anchor_cache[path] = found
    return found


def links(path):
    """(line number, destination) of every link and image in a Markdown file."""
    for number, line in markdown_lines(path):
        plain = without_code(line)
        for m in INLINE_LINK.finditer(plain):
            dest = m.group("angle") if m.group("angle") is not None else m.group("dest")
            yield number, dest
        m = REF_DEF.match(plain)
        if m:
            yield number, m.group("angle") if m.group("angle") is not None else m.group("dest")
        for dest in HTML_LINK.findall(plain):
            yield number, dest


def check(root):
    root = Path(root).resolve()
    files = [root / "README.md", *sorted((root / "docs").glob("*.md")),
             root / "jobs" / "README.md", root / "slurm" / "README.md"]
    problems = []
    for md in files:
        if not md.is_file():
            problems.append(f"{md.relative_to(root)}: missing")
            continue
        where = md.relative_to(root)
        for number, dest in links(md):
            if dest is None:
                continue
            dest = dest.strip()
            if not dest:
                problems.append(f"{where}:{number}: empty link")
                continue
            if SCHEME.match(dest) or dest.startswith("//"):
                continue  # absolute URL: not checked here
            target, _, fragment = dest.partition("#")
            target = urllib.parse.unquote(target.split("?", 1)[0])
            fragment = urllib.parse.unquote(fragment)
            if target.startswith("/"):
                resolved = root / target.lstrip("/")
            elif target:
                resolved = md.parent / target
            else:
                resolved = md
            if not resolved.exists():
                problems.append(f"{where}:{number}: {dest}: no such file {target}")
                continue
            if "#" in dest and resolved.is_file() and resolved.suffix.lower() in (".md", ".markdown"):
                if not fragment:
                    problems.append(f"{where}:{number}: {dest}: empty anchor")
                elif fragment not in anchors(resolved) and fragment.lower() not in anchors(resolved):
                    problems.append(f"{where}:{number}: {dest}: no heading #{fragment} in "
                                    f"{resolved.resolve().relative_to(root)}")
    readme = root / "README.md"
    if readme.is_file():
        count = len(readme.read_text(encoding="utf-8").splitlines())
        if count > README_MAX_LINES:
            problems.append(f"README.md: {count} lines, more than {README_MAX_LINES}: move details to docs/")
    return files, problems


def main(argv):
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent.parent
    files, problems = check(root)
    for p in problems:
        print(f"broken: {p}")
    if problems:
        print(f"links_test: {len(problems)} problem(s) in {len(files)} files")
        return 1
    print(f"links_test: every link resolves in {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
