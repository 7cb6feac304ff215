"""Lead-database endpoints: campaigns.json, Request and Schedule Campaign, leads (layer 3).

Every accepted request and schedule is recorded, so tests can see what would have run.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from marketo_sync.emulator import rules
from marketo_sync.emulator.clock import add_years, central_day, lead_time, parse_iso8601
from marketo_sync.emulator.model import Campaign, Container, Lead
from marketo_sync.emulator.model_base import (
    CLONES_PER_DAY,
    DEFAULT_LEAD_FIELDS,
    LEAD_BATCH_MAX,
    OVERRIDE_MAX_TOKENS,
    REQUEST_MAX_LEADS,
    RUN_AT_MIN_DELAY,
    FolderKey,
    Record,
    atomic,
    fail,
)
from marketo_sync.emulator.model_campaigns import CampaignMixin


class LeadDbMixin(CampaignMixin):
    """Lead-database campaign endpoints and leads."""

    def _lead_campaign_record(self, c: Campaign) -> Record:
        derived = self._derived(c)
        record: Record = {"id": c.id, "name": c.name, "description": c.description,
                          "type": "trigger" if derived["type"] == "trigger" else "batch"}
        program = self._parent_program(c.parent)
        if program is not None:
            record["programId"] = program.id
            record["programName"] = program.name
        record.update({"workspaceName": self._workspace_of(c.parent), "createdAt": lead_time(c.created_at),
                       "updatedAt": lead_time(c.updated_at), "active": derived["isActive"]})
        return record

    @staticmethod
    def _page_token(offset: int) -> str:
        return base64.b32encode(f"campaigns:{offset}".encode()).decode().rstrip("=")

    @staticmethod
    def _page_offset(token: str) -> int:
        try:
            padded = token + "=" * (-len(token) % 8)
            kind, offset = base64.b32decode(padded.encode()).decode().split(":")
            if kind != "campaigns" or int(offset) < 0:
                raise ValueError
            return int(offset)
        except (ValueError, UnicodeDecodeError):
            raise fail(1001, f"Invalid value for nextPageToken: {token!r}") from None

    @atomic
    def list_campaigns(self, *, ids: list[int] | None = None, names: list[str] | None = None,
                       program_names: list[str] | None = None,
                       workspace_names: list[str] | None = None, batch_size: int = 300,
                       next_page_token: str | None = None,
                       is_triggerable: bool | None = None) -> tuple[list[Record], str | None]:
        """Lead-DB campaign records by id; returns the page and the next page's token (or None)."""
        if not isinstance(batch_size, int) or not 1 <= batch_size <= LEAD_BATCH_MAX:
            raise fail(1003, f"Invalid batchSize {batch_size!r}: must be between 1 and {LEAD_BATCH_MAX}")
        offset = self._page_offset(next_page_token) if next_page_token else 0
        wanted_ids = {int(i) for i in ids} if ids else None
        selected = []
        for c in self._candidates(wanted_ids, names):
            if wanted_ids is not None and c.id not in wanted_ids:
                continue
            if names and c.name not in names:
                continue
            if program_names:
                program = self._parent_program(c.parent)
                if program is None or program.name not in program_names:
                    continue
            if workspace_names and self._workspace_of(c.parent) not in workspace_names:
                continue
            if is_triggerable and not self._derived(c)["isRequestable"]:
                continue
            selected.append(c)
        page = selected[offset:offset + batch_size]
        more = offset + batch_size < len(selected)
        return [self._lead_campaign_record(c) for c in page], (self._page_token(offset + batch_size) if more else None)

    def _candidates(self, ids: set[int] | None, names: list[str] | None) -> list[Campaign]:
        """The campaigns a filter by ids or names can match, by id, from the indexes."""
        if ids is not None:
            return sorted((self._campaigns[i] for i in ids if i in self._campaigns), key=lambda c: c.id)
        if names:
            found = {c.id: c for name in set(names) for c in self._campaigns.where("name", name)}
            return [found[i] for i in sorted(found)]
        return self._campaigns.ordered()

    @atomic
    def get_lead_campaign(self, campaign_id: int) -> list[Record]:
        campaign = self._campaigns.get(int(campaign_id))
        if campaign is None:
            raise fail(1013, f"Campaign {campaign_id} not found")
        return [self._lead_campaign_record(campaign)]

    @staticmethod
    def _check_overrides(tokens: list[dict[str, str]] | None) -> list[Record]:
        tokens = list(tokens or [])
        if len(tokens) > OVERRIDE_MAX_TOKENS:
            raise fail(1003, f"Too many tokens: {len(tokens)}; the maximum is {OVERRIDE_MAX_TOKENS}")
        checked = []
        for index, token in enumerate(tokens):
            name = token.get("name") if isinstance(token, Mapping) else None
            if not isinstance(name, str) or not (name.startswith("{{my.") and name.endswith("}}")
                                                 and len(name) > len("{{my.}}")):
                raise fail(1003, f"Invalid token name {name!r} at tokens[{index}]: "
                                 "names must look like {{my.Name}}")
            value = token.get("value")
            checked.append({"name": name, "value": "" if value is None else str(value)})
        return checked

    @atomic
    def request_campaign(self, campaign_id: int, *, leads: list[int],
                         tokens: list[dict[str, str]] | None = None) -> list[Record]:
        """Run leads through a requestable trigger campaign; the call is recorded in ``requests()``.

        Unknown lead ids are skipped silently and the call succeeds (the docs do not define an
        error; see docs/emulator-seed.md). Tokens on a campaign whose program sits inside
        another program fail with 611, a caveat Adobe's users report.
        """
        campaign = self._campaigns.get(int(campaign_id))
        if campaign is None:
            raise fail(1013, f"Campaign {campaign_id} not found")
        derived = self._derived(campaign)
        if derived["type"] != "trigger":
            raise fail(1003, f"Campaign {campaign.id} is a {derived['type']} campaign: only trigger campaigns "
                             "with a 'Campaign is Requested' (Web Service API) trigger can be requested")
        if not rules.has_api_request_trigger(campaign.triggers):
            raise fail(1003, f"Campaign {campaign.id} has no 'Campaign is Requested' trigger with source "
                             "'Web Service API'")
        if not derived["isActive"]:
            raise fail(1003, f"Campaign {campaign.id} is not active")
        lead_ids = self._lead_ids(leads)
        overrides = self._check_overrides(tokens)
        if overrides:
            program = self._parent_program(campaign.parent)
            if program is not None and program.parent and self._parent_program(program.parent):
                raise fail(611, "System error")
        known = [lid for lid in lead_ids if lid in self._leads]
        self._requests.append({
            "campaignId": campaign.id, "leads": known,
            "unknownLeads": [lid for lid in lead_ids if lid not in self._leads],
            "tokens": overrides, "at": lead_time(self._now()), "atEpoch": self._now()})
        return [{"id": campaign.id}]

    @staticmethod
    def _lead_ids(leads: list[Any]) -> list[int]:
        if not leads:
            raise fail(1002, "Missing value for required parameter 'leads'")
        if len(leads) > REQUEST_MAX_LEADS:
            raise fail(1003, f"Too many leads: {len(leads)}; the maximum is {REQUEST_MAX_LEADS}")
        ids = []
        for lead in leads:
            raw: Any = lead.get("id") if isinstance(lead, Mapping) else lead
            try:
                ids.append(int(raw))
            except (TypeError, ValueError):
                raise fail(1003, f"Invalid lead id {raw!r}") from None
        return ids

    @atomic
    def schedule_campaign(self, campaign_id: int, *, run_at: str | None = None,
                          tokens: list[dict[str, str]] | None = None,
                          clone_to_program_name: str | None = None) -> list[Record]:
        """Schedule a batch campaign (recorded in ``schedules()``).

        ``runAt`` may be at most two years ahead, else 1042. Anything sooner than five minutes
        from now (or omitted, or in the past) is accepted and runs five minutes from now, as
        Adobe documents ("always wait a minimum of five minutes"). With ``clone_to_program_name`` the parent program is cloned beside
        itself and the copy's campaign is scheduled; its id is returned. 20 clones per
        US-Central day, then 1020.
        """
        campaign = self._campaigns.get(int(campaign_id))
        if campaign is None:
            raise fail(1013, f"Campaign {campaign_id} not found")
        ctype = self._derived(campaign)["type"]
        if ctype != "batch":
            raise fail(1003, f"Campaign {campaign.id} is a {ctype} campaign: only batch campaigns can be "
                             "scheduled" + ("; trigger campaigns are activated or requested"
                                            if ctype == "trigger" else ""))
        now = self._now()
        if run_at is None or run_at == "":
            run_at_ts = now + RUN_AT_MIN_DELAY
        else:
            try:
                run_at_ts = parse_iso8601(run_at)
            except ValueError:
                raise fail(704, f"Invalid date format for runAt: {run_at!r}") from None
            if run_at_ts > add_years(now, 2):
                raise fail(1042, f"Invalid runAt {run_at!r}: it cannot be more than 2 years in the future")
            run_at_ts = max(run_at_ts, now + RUN_AT_MIN_DELAY)
        overrides = self._check_overrides(tokens)
        scheduled = campaign
        cloned_program_id = None
        if clone_to_program_name:
            scheduled, cloned_program_id = self._clone_program_for_schedule(campaign, clone_to_program_name, now)
        scheduled.scheduled = True
        self._schedules.append({
            "campaignId": scheduled.id, "sourceCampaignId": campaign.id, "runAt": lead_time(run_at_ts),
            "runAtEpoch": run_at_ts, "tokens": overrides, "cloneToProgramName": clone_to_program_name,
            "clonedProgramId": cloned_program_id, "at": lead_time(now), "atEpoch": now,
            "day": central_day(now)})
        return [{"id": scheduled.id}]

    def _clone_program_for_schedule(self, campaign: Campaign, new_name: str, now: float) -> tuple[Campaign, int]:
        program = self._parent_program(campaign.parent)
        if program is None:
            raise fail(1003, f"Campaign {campaign.id} is not inside a program: cloneToProgramName needs one")
        today = central_day(now)
        if sum(1 for s in self._schedules if s.get("clonedProgramId") and s.get("day") == today) >= CLONES_PER_DAY:
            raise fail(1020, f"Too many clones to program: the limit of {CLONES_PER_DAY} per day is reached")
        self._check_name(new_name, what="cloneToProgramName")
        if any(p.name == new_name for p in self._programs()):
            raise fail(1017, f"A program named {new_name!r} already exists")
        mapping = self._clone_tree(program, program.parent, new_name, now)
        return self._campaigns[mapping[campaign.id]], mapping["__root__"]

    def _clone_tree(self, node: Container, parent: FolderKey | None, name: str, now: float) -> dict[Any, int]:
        """Copy a container with its sub-containers and campaigns (copies are inactive)."""
        new_id = self._next(node.kind)
        copy_node = Container.from_json(dict(node.to_json(), id=new_id, name=name, created_at=now,
                                             updated_at=now))
        copy_node.parent = parent
        self._containers[copy_node.key] = copy_node
        mapping: dict[Any, int] = {"__root__": new_id}
        for child in self._children(node.key):
            child_map = self._clone_tree(child, copy_node.key, child.name, now)
            mapping.update({k: v for k, v in child_map.items() if k != "__root__"})
        for campaign in self._children_campaigns(node.key):
            clone = self._copy_campaign(campaign, copy_node.key, campaign.name, campaign.description)
            clone.is_system = campaign.is_system
            mapping[campaign.id] = clone.id
        return mapping

    # =====================================================================================
    # leads
    # =====================================================================================
    def _lead_value(self, lead: Lead, field: str) -> Any:
        if field == "id":
            return lead.id
        if field == "createdAt":
            return lead_time(lead.created_at)
        if field == "updatedAt":
            return lead_time(lead.updated_at)
        return lead.fields.get(field)

    def _known_fields(self) -> set[str]:
        known = {"id", "email", "firstName", "lastName", "createdAt", "updatedAt"}
        for lead in self._leads.values():
            known.update(lead.fields)
        return known

    @atomic
    def get_leads(self, *, filter_type: str, filter_values: list[str],
                  fields: list[str] | None = None) -> list[Record]:
        """Leads whose ``filter_type`` field matches one of the values (email case-insensitively)."""
        if not filter_type:
            raise fail(1002, "Missing value for required parameter 'filterType'")
        values = [str(v).strip() for v in filter_values or [] if str(v).strip()]
        if not values:
            raise fail(1002, "Missing value for required parameter 'filterValues'")
        if len(values) > LEAD_BATCH_MAX:
            raise fail(1003, f"Too many filterValues: {len(values)}; the maximum is {LEAD_BATCH_MAX}")
        known = self._known_fields()
        if filter_type not in known:
            raise fail(1003, f"Invalid filterType {filter_type!r}")
        wanted = list(fields) if fields else list(DEFAULT_LEAD_FIELDS)
        unknown = [f for f in wanted if f not in known]
        if unknown:
            raise fail(1006, f"Field {unknown[0]!r} not found")
        if "id" not in wanted:
            wanted.insert(0, "id")
        folded = {v.lower() for v in values} if filter_type == "email" else set(values)
        found = []
        for _, lead in sorted(self._leads.items()):
            value = self._lead_value(lead, filter_type)
            if value is None:
                continue
            probe = str(value).lower() if filter_type == "email" else str(value)
            if probe in folded:
                found.append({f: self._lead_value(lead, f) for f in wanted})
        return found

    @atomic
    def sync_leads(self, *, leads: list[Record], action: str = "createOrUpdate",
                   lookup_field: str = "email") -> list[Record]:
        """Create or update leads, one result per input (``created``/``updated``/``skipped``)."""
        if action not in ("createOrUpdate", "createOnly", "updateOnly"):
            raise fail(1003, f"Invalid action {action!r}: expected createOrUpdate, createOnly or updateOnly")
        if not leads:
            raise fail(1002, "Missing value for required parameter 'input'")
        if len(leads) > LEAD_BATCH_MAX:
            raise fail(1003, f"Too many leads: {len(leads)}; the maximum is {LEAD_BATCH_MAX}")
        now = self._now()
        results: list[Record] = []
        for raw in leads:
            data = dict(raw)
            key = data.get(lookup_field)
            if key is None or key == "":
                results.append({"status": "skipped", "reasons": [
                    {"code": "1003", "message": f"Value for lookup field '{lookup_field}' is required"}]})
                continue
            existing = self._find_lead(lookup_field, key)
            if existing is None:
                if action == "updateOnly":
                    results.append({"status": "skipped", "reasons": [{"code": "1004", "message": "Lead not found"}]})
                    continue
                lead_fields = {k: v for k, v in data.items() if k not in ("id", "createdAt", "updatedAt")}
                lid = self._add_lead(lead_fields, now)
                results.append({"id": lid, "status": "created"})
            else:
                if action == "createOnly":
                    results.append({"status": "skipped", "reasons": [
                        {"code": "1005", "message": "Lead already exists"}]})
                    continue
                existing.fields.update({k: v for k, v in data.items() if k not in ("id", "createdAt", "updatedAt")})
                existing.updated_at = now
                results.append({"id": existing.id, "status": "updated"})
        return results

    def _find_lead(self, lookup_field: str, value: Any) -> Lead | None:
        for _, lead in sorted(self._leads.items()):
            current = self._lead_value(lead, lookup_field)
            if current is None:
                continue
            if lookup_field == "email":
                if str(current).lower() == str(value).lower():
                    return lead
            elif str(current) == str(value):
                return lead
        return None

    def _add_lead(self, spec: Mapping[str, Any], stamp: float) -> int:
        lid = self._reserve("lead", int(spec["id"])) if spec.get("id") is not None else self._next("lead")
        fields = {k: v for k, v in spec.items() if k not in ("id", "createdAt", "updatedAt")}
        self._leads[lid] = Lead(id=lid, created_at=stamp, updated_at=stamp, fields=fields)
        return lid
