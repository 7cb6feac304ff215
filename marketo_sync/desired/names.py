"""The text rules of names and descriptions (issue 15): what Marketo would not keep, and what a
reviewer could not see.

Errors (``validate`` exits 1):

* a name (campaign, previous name, token, program, folder path segment) that is blank or
  whitespace only, or starts or ends with whitespace (Marketo trims it: a second "same" campaign);
* any control character in a name: C0 (``U+0000``–``U+001F``: NUL, tab, line feed, …), DEL,
  C1 (``U+0080``–``U+009F``) and the line and paragraph separators ``U+2028``/``U+2029``;
* in a description, the same control characters except tab, line feed and carriage return:
  Marketo's description is a multi-line text box, so line breaks are kept; the others are not.

Warnings (``validate`` still exits 0), for non-ASCII names only (ASCII names skip every loop):

* an invisible or format character (Unicode category ``Cf`` such as ``U+200B ZERO WIDTH SPACE``,
  a space other than ``U+0020`` such as ``U+00A0``, and blank letters such as ``U+3164``);
* a word mixing letters of two scripts (a Cyrillic ``е`` among Latin letters), named with its
  script.

Every check is one precompiled regular expression per string, plus a character loop only for
the (rare) non-ASCII names.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from marketo_sync.desired.yaml_loader import Problem, field_name, mark_of

#: Control characters no name may hold: C0, DEL, C1, and the Unicode line/paragraph separators.
_NAME_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: What a description may not hold: the same, except tab, line feed and carriage return.
_DESCRIPTION_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")

#: Characters that render as nothing (or as a plain space) but are not in category Cf.
_INVISIBLE = frozenset("\u00a0\u034f\u115f\u1160\u17b4\u17b5\u180e\u2800\u3164\uffa0"
                       "\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                       "\u202f\u205f\u3000")
#: Scripts whose letters are confused with one another (Latin a/Cyrillic а/Greek α, …).
_CONFUSABLE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC"})
_WORD = re.compile(r"[^\W\d_]+")

_CONTROL_NAMES = {0x00: "NULL", 0x09: "CHARACTER TABULATION", 0x0A: "LINE FEED", 0x0B: "LINE TABULATION",
                  0x0C: "FORM FEED", 0x0D: "CARRIAGE RETURN", 0x1B: "ESCAPE", 0x7F: "DELETE",
                  0x85: "NEXT LINE"}


def code_point(ch: str) -> str:
    """``U+200B ZERO WIDTH SPACE``: a character as a reviewer can look it up."""
    number = ord(ch)
    name = unicodedata.name(ch, "") or _CONTROL_NAMES.get(number, "CONTROL CHARACTER")
    return f"U+{number:04X} {name}"


def _control_message(text: str, match: re.Match[str], allowed: str) -> str:
    return (f"contains the control character {code_point(match.group())} at character {match.start() + 1}: "
            f"{allowed}")


def name_errors(text: str, what: str = "a name") -> list[str]:
    """Why ``text`` cannot be a name in Marketo (empty list: it can)."""
    control = _NAME_CONTROL.search(text)
    if control is not None:
        return [_control_message(text, control, f"{what} cannot hold control characters (line breaks, tabs, "
                                 "NUL, …); remove it")]
    stripped = text.strip()
    if not stripped:
        return [f"{what} is blank (empty or only whitespace)"]
    if stripped != text:
        side = ("starts and ends" if text[0].isspace() and text[-1].isspace()
                else "starts" if text[0].isspace() else "ends")
        return [f"{what} {side} with whitespace ({text!r}): Marketo trims it, so it would not match "
                f"the name as written; write {stripped!r}"]
    return []


def description_errors(text: str) -> list[str]:
    """Control characters Marketo would not keep in a description (tab and line breaks are kept)."""
    control = _DESCRIPTION_CONTROL.search(text)
    if control is None:
        return []
    return [_control_message(text, control, "a description may hold line breaks and tabs but no other "
                             "control character; remove it")]


def name_warnings(text: str, what: str = "the name") -> list[str]:
    """What a reviewer could not see in ``text``: invisible characters and mixed-script words."""
    if text.isascii():
        return []
    warnings: list[str] = []
    seen: set[str] = set()
    for ch in text:
        if ch in seen:
            continue
        if ch in _INVISIBLE or (ord(ch) > 0x7F and unicodedata.category(ch) == "Cf"):
            seen.add(ch)
            warnings.append(f"{what} contains the invisible character {code_point(ch)} "
                            f"(at character {text.index(ch) + 1}): it looks the same in a review; "
                            "remove it unless it is meant")
    for word in _WORD.finditer(text):
        warnings.extend(_mixed_script(word.group(), what))
    return warnings


def _script(ch: str) -> str:
    return unicodedata.name(ch, "").split(" ", 1)[0]


def _mixed_script(word: str, what: str) -> list[str]:
    if word.isascii():
        return []
    scripts = [_script(ch) for ch in word]
    counted = {s: scripts.count(s) for s in set(scripts) if s in _CONFUSABLE_SCRIPTS}
    if len(counted) < 2:
        return []
    main = max(sorted(counted), key=lambda s: counted[s])
    odd = dict.fromkeys(ch for ch, s in zip(word, scripts, strict=True) if s in counted and s != main)
    return [f"{what} mixes scripts in {word!r}: {ch!r} is {code_point(ch)} ({_script(ch).title()}) among "
            f"{main.title()} letters; it looks like another letter in a review" for ch in odd]


# -- one file ---------------------------------------------------------------------------------

def check_document(document: Any) -> tuple[list[Problem], list[Problem]]:
    """Errors and warnings of every name and description of one campaign file, each placed."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    if not isinstance(document, dict):
        return errors, warnings

    def add(path: list[Any], found_errors: list[str], found_warnings: list[str]) -> None:
        # the position is looked up only for a name that has something to say (most have not)
        if found_errors or found_warnings:
            place = (mark_of(document, path), field_name(path))
            errors.extend(Problem(m, *place) for m in found_errors)
            warnings.extend(Problem(m, *place) for m in found_warnings)

    def name(path: list[Any], value: Any, what: str) -> None:
        if isinstance(value, str):
            add(path, name_errors(value, what), name_warnings(value, what))

    def folder(path: list[Any], value: Any) -> None:
        if not isinstance(value, str):
            return
        found_errors: list[str] = []
        found_warnings: list[str] = []
        for segment in value.split("/"):
            segment = segment.strip(" ")  # spaces around "/" are allowed (normalised)
            if segment:
                what = f"folder name {segment!r}"
                found_errors.extend(name_errors(segment, what))
                found_warnings.extend(name_warnings(segment, what))
        add(path, found_errors, found_warnings)

    def description(path: list[Any], value: Any) -> None:
        if isinstance(value, str):
            add(path, description_errors(value), [])

    folder(["folder"], document.get("folder"))
    program = document.get("program")
    if isinstance(program, dict):
        description(["program", "description"], program.get("description"))
    for index, token in enumerate(_list(document.get("tokens"))):
        if isinstance(token, dict):
            name(["tokens", index, "name"], token.get("name"), "a token name")
    for index, campaign in enumerate(_list(document.get("campaigns"))):
        if not isinstance(campaign, dict):
            continue
        name(["campaigns", index, "name"], campaign.get("name"), "a campaign name")
        folder(["campaigns", index, "folder"], campaign.get("folder"))
        description(["campaigns", index, "description"], campaign.get("description"))
        for previous, value in enumerate(_list(campaign.get("previous_names"))):
            name(["campaigns", index, "previous_names", previous], value, "a previous name")
    return errors, warnings


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
