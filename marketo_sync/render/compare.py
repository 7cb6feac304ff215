"""Views of a :class:`~marketo_sync.plan.compare.Comparison`: text, markdown and JSON.

:func:`compare_data` is the JSON document (versioned); text and markdown are views of it. Every
value is written as JSON (quoted, control characters escaped) and every name or path from
Marketo or the files is made inert: escaped for a terminal, in code spans for markdown.
Ids are shown beside each campaign and never listed as a difference.
"""

from __future__ import annotations

import json
from typing import Any

from marketo_sync.plan.compare import Compared, Comparison
from marketo_sync.render.common import cell, inert, md_inline, value_text

FORMAT_VERSION = "1"
#: Markdown lists at most this many differing objects (the JSON document has them all).
MARKDOWN_ITEMS = 200


def _item_data(item: Compared, comparison: Comparison) -> dict[str, Any]:
    left, right = comparison.left, comparison.right
    data: dict[str, Any] = {"name": item.name, "location": item.location,
                            "paths": {left: item.left_path, right: item.right_path}}
    if item.kind == "campaign":
        data["ids"] = {left: item.left_id, right: item.right_id}
    data["same"] = item.same
    data["differences"] = [{"field": d.field, "values": {left: d.left, right: d.right},
                            **({"details": list(d.details)} if d.details else {})} for d in item.differences]
    return data


def compare_data(comparison: Comparison) -> dict[str, Any]:
    """The comparison as data: every compared campaign and token, with what differs."""
    left, right = comparison.left, comparison.right
    return {
        "format_version": FORMAT_VERSION,
        "same": comparison.same,
        "environments": [left, right],
        "instances": {left: comparison.left_instance, right: comparison.right_instance},
        "read_calls": {left: comparison.read_calls[0], right: comparison.read_calls[1]},
        "campaigns": [_item_data(c, comparison) for c in comparison.campaigns],
        "tokens": [_item_data(t, comparison) for t in comparison.tokens],
    }


def _counts(comparison: Comparison) -> str:
    def part(items: tuple[Compared, ...], word: str) -> str:
        differing = sum(1 for i in items if not i.same)
        return f"{differing} of {len(items)} {word}{'' if len(items) == 1 else 's'}"
    return f"{part(comparison.campaigns, 'campaign')} and {part(comparison.tokens, 'token')} differ"


def _headline(comparison: Comparison) -> str:
    return "same" if comparison.same else "differ"


def _subject(item: Compared, comparison: Comparison) -> tuple[str, str]:
    """(``path/name`` in the left environment, what to add: the right path when it differs, ids)."""
    if item.kind == "token":
        where = f"{inert(item.left_path)} {{{{my.{inert(item.name)}}}}}"
    else:
        where = f"{inert(item.left_path)}/{inert(item.name)}"
    extra = []
    if item.right_path != item.left_path:
        extra.append(f"in {comparison.right}: {inert(item.right_path)}")
    if item.kind == "campaign":
        def shown(env: str, campaign_id: int | None) -> str:
            return f"{env} id {campaign_id}" if campaign_id is not None else f"{env}: missing"
        extra.append(f"{shown(comparison.left, item.left_id)}, {shown(comparison.right, item.right_id)}")
    return where, "; ".join(extra)


def _difference_line(field: str, left: Any, right: Any, comparison: Comparison) -> str:
    if field == "exists":
        return f"only in {comparison.left if left else comparison.right}"
    return f"{field}: {comparison.left} {value_text(left)}, {comparison.right} {value_text(right)}"


def render_compare_text(comparison: Comparison) -> str:
    out = [f"compare {comparison.left} ({inert(comparison.left_instance)}) with {comparison.right} "
           f"({inert(comparison.right_instance)}): {_headline(comparison)}",
           f"{_counts(comparison)}; ids are shown, never compared.", ""]
    for item in (*comparison.campaigns, *comparison.tokens):
        if item.same:
            continue
        where, extra = _subject(item, comparison)
        out.append(f"  ~ {where}" + (f"  ({extra})" if extra else ""))
        for difference in item.differences:
            if difference.field == "rules":
                out.append(f"      rules: triggers, filters or flow steps differ ({len(difference.details)})")
                out.extend(f"        - {inert(line)}" for line in difference.details)
            else:
                out.append(f"      {_difference_line(difference.field, difference.left, difference.right, comparison)}")
        out.append(f"      ({inert(item.location)})")
    same = sum(1 for i in (*comparison.campaigns, *comparison.tokens) if i.same)
    out.append(f"{same} campaign(s) and token(s) are the same in both instances.")
    return "\n".join(out) + "\n"


def render_compare_markdown(comparison: Comparison) -> str:
    left, right = md_inline(comparison.left), md_inline(comparison.right)
    out = [f"## marketo-sync compare: `{left}` and `{right}` {_headline(comparison)}", "",
           f"`{left}` on `{md_inline(comparison.left_instance)}`, `{right}` on "
           f"`{md_inline(comparison.right_instance)}`: {_counts(comparison)}. Ids are shown, never compared.", ""]
    differing = [i for i in (*comparison.campaigns, *comparison.tokens) if not i.same]
    if differing:
        out += [f"| object | field | `{left}` | `{right}` |", "|---|---|---|---|"]
        for item in differing[:MARKDOWN_ITEMS]:
            where, extra = _subject(item, comparison)
            subject = f"`{cell(where)}`" + (f"<br>`{cell(extra)}`" if extra else "")
            for difference in item.differences:
                if difference.field == "exists":
                    values = ("present" if difference.left else "**missing**",
                              "present" if difference.right else "**missing**")
                elif difference.field == "rules":
                    values = (f"`{cell(inert('; '.join(difference.details)), 600)}`", "")
                else:
                    values = (f"`{cell(value_text(difference.left))}`", f"`{cell(value_text(difference.right))}`")
                out.append(f"| {subject} | `{difference.field}` | {values[0]} | {values[1]} |")
        if len(differing) > MARKDOWN_ITEMS:
            out.append("")
            out.append(f"… and {len(differing) - MARKDOWN_ITEMS} more (see `--format json`).")
    return "\n".join(out) + "\n"


def render_compare_json(comparison: Comparison) -> str:
    return json.dumps(compare_data(comparison), indent=2, ensure_ascii=False) + "\n"


COMPARE_RENDERERS = {"text": render_compare_text, "markdown": render_compare_markdown,
                     "json": render_compare_json}
