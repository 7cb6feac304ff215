"""The conformance workflow: one session, one kit run, its report (what the command calls).

The kit gets its own client on the session's settings and limits, with a session whose REST
answers are recorded (``AnswerRecorder``) so the kit can compare envelopes the normal client
does not keep. ``approve`` sees the plan of calls before anything is created and raises to
refuse; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable

from marketo_sync.client import MarketoApi, MarketoClient
from marketo_sync.client.transport import AnswerRecorder
from marketo_sync.config import Environment, Project
from marketo_sync.conformance import Kit, KitOptions, Report
from marketo_sync.workflows.session import open_session


def run_conformance(project: Project, environment: Environment, options: KitOptions, *,
                    approve: Callable[[str], None], suffix: str | None = None) -> Report:
    """Resolve the paths (reads only), let ``approve`` see the plan, run the kit, clean up."""
    with open_session(project, environment) as session:
        recorder = AnswerRecorder()
        http = recorder.session()
        try:
            with MarketoClient(session.client.settings, limits=session.client.limits, session=http) as client:
                kit = Kit(MarketoApi(client), recorder, options, suffix=suffix)
                kit.prepare()
                approve(kit.describe())
                return kit.run()
        finally:
            http.close()
