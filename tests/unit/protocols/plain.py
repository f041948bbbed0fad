"""What a reason for a clinician must look like, as a check the tests share.

A reason is one or more full sentences (a capital or a digit first, a full stop, question or
exclamation mark last) and carries nothing of the code: no ``snake_case`` identifiers such as
``facing_direction``, no ``nan``, no braces or brackets of a printed dict or list, no Python
``None``/``array(``.
"""

from __future__ import annotations

import re

IDENTIFIER = re.compile(r"\b[A-Za-z]+_[A-Za-z0-9_]+\b")
NAN = re.compile(r"\bnan\b", re.IGNORECASE)
REPR = re.compile(r"[{}\[\]]|\bNone\b|\barray\(")
SENTENCE = re.compile(r"^[A-Z0-9\"'].*[.!?]$", re.DOTALL)


def sentence_problems(text: str) -> list[str]:
    """Return what is wrong with ``text`` as a plain reason (empty when it reads as sentences)."""
    problems = []
    if not SENTENCE.match(text):
        problems.append("not a full sentence (capital first, full stop last)")
    if "  " in text or text != text.strip():
        problems.append("extra spaces")
    for name, pattern in (("identifier", IDENTIFIER), ("nan", NAN), ("repr", REPR)):
        found = pattern.search(text)
        if found:
            problems.append(f"{name} {found.group(0)!r}")
    return problems


def assert_plain(reasons: list[str], *, paths: tuple[str, ...] = ()) -> None:
    """Fail with every problem of every reason; ``paths`` (files a reason names) read "the file"."""
    bad = {}
    for r in reasons:
        text = r
        for path in paths:
            text = text.replace(path, "the file")
        if problems := sentence_problems(text):
            bad[r] = problems
    assert not bad, bad
