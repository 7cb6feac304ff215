"""The conformance kit: exercise, inside a scratch folder, every endpoint and rule marketo-sync
relies on, and report how the instance's answers differ from what the tool expects.

``expect`` (shapes and comparisons), ``steps`` (the steps, in order), ``scratch`` (what was
created and its removal), ``kit`` (prepare, plan, run, clean up), ``report`` (text and JSON).
It talks to Marketo only through ``marketo_sync.client``; it never requests or schedules a
campaign and never creates a lead. See docs/conformance.md.
"""

from marketo_sync.conformance.kit import Kit, KitOptions
from marketo_sync.conformance.report import Report, render_text

__all__ = ["Kit", "KitOptions", "Report", "render_text"]
