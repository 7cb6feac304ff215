"""`marketo-sync ajo`: execute Adobe Journey Optimizer API-triggered campaigns.

``execute`` sends messages to real people, so it is careful in this order:

1. build and check the request locally (every reason at once; zero calls when invalid);
2. show what will be sent; ``--dry-run`` stops here (exit 0, zero calls);
3. ask for ``yes`` on a terminal (``--auto-approve`` for scripts; no terminal and no flag:
   refuse);
4. send once, retrying only what cannot duplicate a send; an answer lost after sending is
   reported as "outcome unknown" (exit 1) and not resent unless ``--retry-unknown``.

Exit 0 when AJO accepted the request (202) or answered the query, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from marketo_sync.client import ajo_payloads as payloads
from marketo_sync.client.ajo import AjoClient, AjoError, AjoOutcomeUnknown, AjoResult
from marketo_sync.client.ajo_payloads import PayloadError
from marketo_sync.client.ajo_settings import AjoSettings
from marketo_sync.constants import EXIT_ERROR, EXIT_OK
from marketo_sync.desired import yaml_loader as _yaml
from marketo_sync.errors import ConfigError, MarketoSyncError

PREVIEW_VALUE_CHARS = 60


class Refused(MarketoSyncError):
    """The operator did not approve the send (or could not be asked)."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "ajo", help="execute Adobe Journey Optimizer API-triggered campaigns",
        description="Execute Adobe Journey Optimizer API-triggered campaigns (unitary or audience), read "
        "an execution's or a schedule's status, cancel a schedule. Credentials: AJO_CLIENT_ID, "
        "AJO_CLIENT_SECRET, AJO_ORG_ID, AJO_SANDBOX (optional AJO_SCOPES, AJO_IMS_URL, AJO_BASE_URL).")
    actions = parser.add_subparsers(dest="ajo_action", metavar="ACTION")
    actions.required = True

    execute = actions.add_parser(
        "execute", help="send a campaign to listed recipients, or run/schedule it for an audience",
        description="Unitary: --recipient/--recipients-file (1-20 recipients). Audience: --audience "
        "[--execute-at WHEN]. Shows what will be sent and asks for 'yes' unless --auto-approve. Exit 0 "
        "when AJO accepted the request (HTTP 202), 1 otherwise (refused, invalid, outcome unknown).")
    execute.add_argument("--campaign-id", required=True, help="the campaign's UUID (cURL request panel)")
    who = execute.add_mutually_exclusive_group(required=True)
    who.add_argument("--recipient", action="append", metavar="NAMESPACE:USERID",
                     help="a recipient, e.g. email:jane@example.com (repeatable, at most 20)")
    who.add_argument("--recipients-file", type=Path, metavar="F.yaml",
                     help="a YAML list of recipients {type, namespace, userId, channelData, context, profile}")
    who.add_argument("--audience", metavar="ID", help="an AEP audience id: run a marketing campaign on it")
    execute.add_argument("--recipient-type", choices=payloads.RECIPIENT_TYPES, default="aep",
                         help="type of --recipient entries and of file entries without one (default: aep)")
    execute.add_argument("--context", action="append", default=[], metavar="KEY=VALUE",
                         help="a context attribute read as {{context.KEY}} (repeatable; KEY may be dotted)")
    execute.add_argument("--context-file", type=Path, metavar="F.yaml", help="a YAML mapping of context attributes")
    execute.add_argument("--execute-at", metavar="WHEN",
                         help="audience only: schedule for this ISO 8601 time (with a zone, in the future)")
    execute.add_argument("--request-id", metavar="ID",
                         help="the requestId to send (default: a new UUID; reused on every retry)")
    execute.add_argument("--dry-run", action="store_true", help="show the request and send nothing")
    execute.add_argument("--auto-approve", action="store_true",
                         help="do not ask for confirmation; required when there is no terminal")
    execute.add_argument("--retry-unknown", action="store_true",
                         help="resend with the same requestId even after an answer was lost (safe only if "
                         "Adobe deduplicates requestIds, which is unverified)")
    _add_format(execute)
    execute.set_defaults(run=run_execute)

    status = actions.add_parser("status", help="status of an audience execution (or --schedule)")
    status.add_argument("id", metavar="EXECUTION_ID")
    status.add_argument("--schedule", action="store_true", help="the id is a scheduleId")
    _add_format(status)
    status.set_defaults(run=run_status)

    cancel = actions.add_parser("cancel", help="cancel a scheduled audience execution before it fires")
    cancel.add_argument("id", metavar="SCHEDULE_ID")
    cancel.add_argument("--auto-approve", action="store_true", help="do not ask for confirmation")
    _add_format(cancel)
    cancel.set_defaults(run=run_cancel)

    health = actions.add_parser("health", help="check credentials and the service's health")
    _add_format(health)
    health.set_defaults(run=run_health)


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text, or a JSON document on stdout (default: text)")


# -- inputs ---------------------------------------------------------------------------------------
def _read_yaml(path: Path, what: str) -> Any:
    try:
        text = _yaml.read_text(path)
    except _yaml.FileRefused as error:
        raise ConfigError(f"cannot read {what} {path}: {error}") from None
    data, problems = _yaml.load(text, str(path))
    if problems:
        raise ConfigError(f"{path}: " + "; ".join(f"{p.message} (line {p.mark.line}, column {p.mark.column})"
                                                  for p in problems))
    return data


def _set_dotted(target: dict[str, Any], key: str, value: str) -> None:
    parts = key.split(".")
    if any(not p for p in parts):
        raise PayloadError([f"--context key {key!r} has an empty part"])
    node = target
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise PayloadError([f"--context {key}: {part} is already a string"])
        node = child
    node[parts[-1]] = value


def shared_context(args: argparse.Namespace) -> dict[str, Any]:
    """``--context-file`` then each ``--context KEY=VALUE`` (later wins)."""
    context: dict[str, Any] = {}
    if args.context_file is not None:
        data = _read_yaml(args.context_file, "the context file")
        if data is not None and not isinstance(data, Mapping):
            raise ConfigError(f"{args.context_file}: the context file must be a mapping of attributes")
        context.update(data or {})
    for item in args.context:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise PayloadError([f"--context {item!r} must look like KEY=VALUE"])
        _set_dotted(context, key.strip(), value)
    return context


def recipients_of(args: argparse.Namespace, context: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The recipient list; the shared context goes under each recipient's own (its keys win)."""
    recipients: list[dict[str, Any]] = []
    if args.recipient:
        for item in args.recipient:
            namespace, sep, user = item.partition(":")
            if not sep or not namespace.strip() or not user.strip():
                raise PayloadError([f"--recipient {item!r} must look like NAMESPACE:USERID (e.g. email:a@b.com)"])
            recipients.append({"type": args.recipient_type, "namespace": namespace.strip(), "userId": user.strip()})
    else:
        data = _read_yaml(args.recipients_file, "the recipients file")
        if isinstance(data, Mapping) and "recipients" in data:
            data = data["recipients"]
        if not isinstance(data, list):
            raise ConfigError(f"{args.recipients_file}: expected a list of recipients (or recipients: [...])")
        for item in data:
            entry = dict(item) if isinstance(item, Mapping) else item
            if isinstance(entry, dict):
                entry.setdefault("type", args.recipient_type)
            recipients.append(entry)
    if context:
        for entry in recipients:
            if isinstance(entry, dict):
                own = entry.get("context")
                entry["context"] = {**context, **own} if isinstance(own, Mapping) else dict(context)
    return recipients


def build_request(args: argparse.Namespace, now: Any = None) -> tuple[str, dict[str, Any]]:
    """``(kind, body)`` exactly as it will be sent; :class:`PayloadError` lists every problem."""
    request_id = args.request_id or payloads.new_request_id()
    context = shared_context(args)
    if args.audience is not None:
        body = payloads.build_audience(args.campaign_id, request_id, audience_id=args.audience,
                                       context=context or None, execute_at=args.execute_at, now=now)
        return "audience", body
    if args.execute_at is not None:
        raise PayloadError(["--execute-at applies to audience executions only (use --audience)"])
    return "unitary", payloads.build_unitary(args.campaign_id, recipients_of(args, context), request_id)


# -- output ---------------------------------------------------------------------------------------
def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= PREVIEW_VALUE_CHARS else text[:PREVIEW_VALUE_CHARS - 1] + "…"


def _flat(context: Mapping[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key, value in context.items():
        if isinstance(value, Mapping):
            out.extend(_flat(value, f"{prefix}{key}."))
        else:
            out.append(f"{prefix}{key}={_short(value)}")
    return out


def preview(kind: str, body: Mapping[str, Any], settings: AjoSettings | None) -> str:
    """What will be sent, for a human to approve."""
    lines = []
    if kind == "unitary":
        count = len(body["recipients"])
        lines.append(f"AJO unitary execution: sends campaign {body['campaignId']} to {count} "
                     f"recipient{'s' if count != 1 else ''} (real messages to real people)")
    elif "schedule" in body:
        lines.append(f"AJO audience execution: schedules campaign {body['campaignId']} for "
                     f"{body['schedule']['executeAt']}")
    else:
        lines.append(f"AJO audience execution: runs campaign {body['campaignId']} now")
    where = (f"org {settings.org_id}, sandbox {settings.sandbox}, {settings.url('/im/executions/' + kind)}"
             if settings else "AJO_* settings not configured")
    lines += [f"  target:    {where}", f"  requestId: {body['requestId']}"]
    if kind == "audience":
        lines.append(f"  audience:  {body.get('audience', {}).get('id', '(the campaign’s own)')}")
        if body.get("context"):
            lines.append(f"  context:   {', '.join(_flat(body['context']))}")
    for recipient in body.get("recipients", []):
        extra = []
        if recipient.get("channelData"):
            extra.append("channelData " + ", ".join(_flat(recipient["channelData"])))
        if recipient.get("context"):
            extra.append("context " + ", ".join(_flat(recipient["context"])))
        if recipient.get("profile"):
            extra.append("profile data")
        lines.append(f"  - {recipient['type']} {recipient['namespace']}:{recipient['userId']}"
                     + (f"  ({'; '.join(extra)})" if extra else ""))
    return "\n".join(lines) + "\n"


def confirm(stdin: TextIO, stderr: TextIO, question: str) -> None:
    """Ask for ``yes`` on a terminal; with no terminal, refuse (never assume)."""
    isatty = getattr(stdin, "isatty", None)
    if not (isatty and isatty()):
        raise Refused("refusing without confirmation: there is no terminal to ask on; review the request "
                      "(execute --dry-run) and run again with --auto-approve")
    stderr.write(f"\n{question} Only 'yes' will be accepted: ")
    stderr.flush()
    if stdin.readline().strip() != "yes":
        raise Refused("cancelled (the answer was not 'yes'); nothing was sent")


def _emit(args: argparse.Namespace, doc: Mapping[str, Any], text: str) -> None:
    if args.format == "json":
        sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(text)
    sys.stdout.flush()


def _failure_doc(error: MarketoSyncError, request_id: str | None) -> dict[str, Any]:
    if isinstance(error, AjoOutcomeUnknown):
        outcome = "unknown"
    elif isinstance(error, PayloadError):
        outcome = "invalid"
    elif isinstance(error, Refused):
        outcome = "not-approved"
    else:
        outcome = "refused" if isinstance(error, AjoError) and error.status else "failed"
    doc: dict[str, Any] = {"outcome": outcome, "error": str(error), "requestId": request_id}
    if isinstance(error, AjoError):
        doc.update(status=error.status, title=error.title, type=error.type)
    return doc


# -- commands -------------------------------------------------------------------------------------
def _settings(optional: bool = False) -> AjoSettings | None:
    try:
        return AjoSettings.from_env()
    except ConfigError:
        if optional:
            return None
        raise


def run_execute(args: argparse.Namespace) -> int:
    request_id: str | None = args.request_id
    try:
        settings = _settings(optional=args.dry_run)
        kind, body = build_request(args)
        request_id = body["requestId"]
        shown = sys.stderr if args.format == "json" else sys.stdout
        shown.write(preview(kind, body, settings))
        shown.flush()
        if args.dry_run:
            _emit(args, {"outcome": "dry-run", "kind": kind, "request": body},
                  "Dry run: nothing was sent. The request body:\n" + json.dumps(body, indent=2) + "\n")
            return EXIT_OK
        assert settings is not None
        if not args.auto_approve:
            confirm(sys.stdin, sys.stderr, "Send these messages?")
        with AjoClient(settings) as client:
            try:
                if kind == "unitary":
                    result = client.execute_unitary(body["campaignId"], body["recipients"], request_id=request_id,
                                                    retry_unknown=args.retry_unknown)
                else:
                    result = client.execute_audience(
                        body["campaignId"], audience_id=body.get("audience", {}).get("id"),
                        context=body.get("context"), execute_at=body.get("schedule", {}).get("executeAt"),
                        request_id=request_id, retry_unknown=args.retry_unknown)
            finally:
                print(client.stats.summary(), file=sys.stderr)
    except MarketoSyncError as error:
        if args.format == "json":
            _emit(args, _failure_doc(error, request_id), "")
        raise
    _emit(args, _accepted_doc(result), _accepted_text(result))
    return EXIT_OK if result.status == 202 else EXIT_ERROR


def _accepted_doc(result: AjoResult) -> dict[str, Any]:
    return {"outcome": "accepted" if result.status == 202 else "unexpected", "status": result.status,
            "requestId": result.request_id, "attempts": result.attempts, "response": result.body}


def _accepted_text(result: AjoResult) -> str:
    body = result.body
    if "scheduleId" in body:
        return (f"Scheduled (HTTP {result.status}): scheduleId {body['scheduleId']}, executeAt "
                f"{body.get('executeAt')}, requestId {result.request_id}\n")
    return (f"Accepted (HTTP {result.status}): executionId {body.get('executionId')}, requestId "
            f"{result.request_id}. Accepted is not delivered: delivery is reported by AJO's datasets "
            "or feedback webhook.\n")


def _query(args: argparse.Namespace, call: Any, text: Any) -> int:
    try:
        with AjoClient(_settings()) as client:  # type: ignore[arg-type]
            result = call(client)
    except MarketoSyncError as error:
        if args.format == "json":
            _emit(args, _failure_doc(error, None), "")
        raise
    _emit(args, {"outcome": "ok", "status": result.status, "response": result.body}, text(result.body))
    return EXIT_OK


def run_status(args: argparse.Namespace) -> int:
    if args.schedule:
        return _query(args, lambda c: c.schedule_status(args.id), lambda b: (
            f"schedule {b.get('scheduleId')}: {b.get('scheduleStatus')} (executeAt {b.get('executeAt')})"
            + (f"; execution {b['executionDetails'].get('executionId')}: {b['executionDetails'].get('status')}"
               if isinstance(b.get("executionDetails"), dict) else "") + "\n"))
    return _query(args, lambda c: c.execution_status(args.id), lambda b: (
        f"execution {b.get('executionId')}: {b.get('status')}, {b.get('targetedProfileCount', '?')} profiles "
        f"targeted (campaign {b.get('campaignId')}, created {b.get('createdAt')})\n"))


def run_cancel(args: argparse.Namespace) -> int:
    if not args.auto_approve:
        try:
            confirm(sys.stdin, sys.stderr, f"Cancel schedule {args.id}?")
        except Refused as error:
            if args.format == "json":
                _emit(args, _failure_doc(error, None), "")
            raise
    return _query(args, lambda c: c.cancel_schedule(args.id), lambda b: f"schedule {args.id} cancelled\n")


def run_health(args: argparse.Namespace) -> int:
    return _query(args, lambda c: c.health(), lambda b: f"AJO healthy: {json.dumps(b)}\n")
