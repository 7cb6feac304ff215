"""Smart campaigns through the asset API (backend layer 2).

``type``, ``status``, ``isActive``/``isRequestable`` and ``parentProgramId`` are derived on
every read (``_derived``); writes enforce Marketo's rules: unique names within a parent,
activation preconditions, system campaigns untouchable, clones created inactive.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from marketo_sync.emulator import rules
from marketo_sync.emulator.clock import asset_time
from marketo_sync.emulator.model import Campaign
from marketo_sync.emulator.model_base import FolderKey, Record, atomic, fail
from marketo_sync.emulator.model_tree import TreeMixin


def _copy_fields(fields: Record) -> Record:
    """A copy that deep-copies only nested values: a whole deepcopy per record slowed browse down."""
    return {k: copy.deepcopy(v) if isinstance(v, dict | list) else v for k, v in fields.items()}


class CampaignMixin(TreeMixin):
    """Smart campaigns through the asset API."""

    def _derived(self, c: Campaign) -> Record:
        ctype = rules.campaign_type(c.triggers, c.filters)
        active = c.is_active and ctype == "trigger"
        if ctype == "trigger":
            status = "Active" if active else "Inactive"
        elif ctype == "batch" and c.recurrence.get("intervalType"):
            status = "Recurring Run"
        elif ctype == "batch" and c.scheduled:
            status = "Single Run"
        else:
            status = "Never Run"
        return {"type": ctype, "isActive": active, "status": status,
                "isRequestable": active and rules.has_api_request_trigger(c.triggers)}

    def _campaign_record(self, c: Campaign, include_flow: bool, host: str) -> Record:
        derived = self._derived(c)
        record: Record = {
            "id": c.id, "name": c.name, "description": c.description,
            "createdAt": asset_time(c.created_at), "updatedAt": asset_time(c.updated_at)}
        if not c.is_system:  # Adobe's by-id example of a system campaign has no folder
            record["folder"] = {"id": c.parent[0], "type": c.parent[1]}
        record.update({
            "status": derived["status"], "type": derived["type"], "isSystem": c.is_system,
            "isActive": derived["isActive"], "isRequestable": derived["isRequestable"],
            "isCommunicationLimitEnabled": c.is_communication_limit_enabled,
            "recurrence": _copy_fields(c.recurrence),
            "qualificationRuleType": c.qualification_rule_type,
        })
        if c.qualification_rule_type == "interval":
            record["qualificationRuleInterval"] = c.qualification_rule_interval
            record["qualificationRuleUnit"] = c.qualification_rule_unit
        if c.max_members is not None:
            record["maxMembers"] = c.max_members
        record.update({"workspace": self._workspace_of(c.parent), "smartListId": c.smart_list_id, "flowId": c.flow_id})
        program = self._parent_program(c.parent)
        if program is not None:
            record["parentProgramId"] = program.id
        record["computedUrl"] = f"https://{host}/#SC{c.id}A1"
        if include_flow:
            record["flow"] = {"steps": copy.deepcopy(c.flow)}
        return record

    def _records(self, campaigns: Iterable[Campaign], include_flow: bool = True) -> list[Record]:
        host = self._volatile_host()
        return [self._campaign_record(c, include_flow, host) for c in campaigns]

    @atomic
    def get_campaign(self, campaign_id: int, include_flow: bool = True) -> list[Record]:
        campaign = self._campaigns.get(int(campaign_id))
        return self._records([campaign], include_flow) if campaign else []

    @atomic
    def get_campaign_by_name(self, name: str, include_flow: bool = True) -> list[Record]:
        """Exact name, first match by id. Names with a comma never match."""
        if not name or "," in name:
            return []
        first = self._campaigns.first_where("name", name)
        return self._records([first], include_flow) if first else []

    @atomic
    def browse_campaigns(self, *, folder: FolderKey | None = None, offset: int = 0,
                         max_return: int = 20, is_active: bool | None = None,
                         earliest_updated_at: str | None = None,
                         latest_updated_at: str | None = None,
                         include_flow: bool = False) -> list[Record]:
        """Campaigns ordered by id; ``folder`` keeps only its direct children; ``is_active=True``
        keeps only active ones (false means no filter, as the spec's "Default false")."""
        self._paging(offset, max_return)
        earliest = self._parse_filter_date(earliest_updated_at, "earliestUpdatedAt")
        latest = self._parse_filter_date(latest_updated_at, "latestUpdatedAt")
        if earliest is not None and latest is not None and earliest > latest:
            raise fail(1003, "earliestUpdatedAt must be before latestUpdatedAt")
        end = offset + max_return
        if folder is None and not is_active and earliest is None and latest is None:
            page = self._campaigns.ordered(offset, end)  # the whole instance, one slice of the index
        else:
            candidates = (self._campaigns.where("parent", self._key(folder)) if folder is not None
                          else self._campaigns.ordered())
            page = list(itertools.islice(
                (c for c in candidates
                 if not (is_active and not self._derived(c)["isActive"])
                 and not (earliest is not None and int(c.updated_at) < earliest)
                 and not (latest is not None and int(c.updated_at) > latest)), offset, end))
        return self._records(page, include_flow) if page else []

    @atomic
    def create_campaign(self, *, name: str, folder: FolderKey | None,
                        description: str | None = None) -> list[Record]:
        """An empty campaign (type default, cannot be activated); a smart list and flow of its own."""
        self._check_name(name)
        parent = self._campaign_parent(folder)
        description = self._check_description(description)
        self._check_unique_campaign_name(parent.key, name)
        now = self._now()
        campaign = Campaign(id=self._next("campaign"), name=name, parent=parent.key, created_at=now,
                            updated_at=now, smart_list_id=self._next("smartList"), flow_id=self._next("flow"),
                            description=description or "")
        self._campaigns[campaign.id] = campaign
        return self._records([campaign], include_flow=False)  # SmartCampaignResponse: no flow

    @atomic
    def update_campaign(self, campaign_id: int, *, name: str | None = None,
                        description: str | None = None) -> list[Record]:
        campaign = self._campaign_for_write(campaign_id, "update")
        if name is not None:
            self._check_name(name)
            self._check_unique_campaign_name(campaign.parent, name, exclude=campaign.id)
        description = self._check_description(description)
        if name is not None:
            campaign.name = name
        if description is not None:
            campaign.description = description
        campaign.updated_at = self._now()
        return self._records([campaign], include_flow=False)

    @atomic
    def clone_campaign(self, campaign_id: int, *, name: str, folder: FolderKey | None,
                       description: str | None = None) -> list[Record]:
        """A copy of the smart list, flow and settings, created INACTIVE and never scheduled."""
        source = self._campaign_for_write(campaign_id, "clone")
        self._check_name(name)
        parent = self._campaign_parent(folder)
        description = self._check_description(description)
        self._check_unique_campaign_name(parent.key, name)
        clone = self._copy_campaign(source, parent.key, name, description or "")
        return self._records([clone], include_flow=False)

    def _copy_campaign(self, source: Campaign, parent: FolderKey, name: str, description: str) -> Campaign:
        now = self._now()
        clone = Campaign(
            id=self._next("campaign"), name=name, parent=parent, created_at=now, updated_at=now,
            smart_list_id=self._next("smartList"), flow_id=self._next("flow"), description=description,
            qualification_rule_type=source.qualification_rule_type,
            qualification_rule_interval=source.qualification_rule_interval,
            qualification_rule_unit=source.qualification_rule_unit,
            is_communication_limit_enabled=source.is_communication_limit_enabled,
            max_members=source.max_members, filter_match_type=source.filter_match_type,
            filter_custom_rule_logic=source.filter_custom_rule_logic,
            triggers=rules.copy_with_new_ids(source.triggers, self._next),
            filters=rules.copy_with_new_ids(source.filters, self._next),
            flow=rules.copy_with_new_ids(source.flow, self._next))
        self._campaigns[clone.id] = clone
        return clone

    @atomic
    def delete_campaign(self, campaign_id: int) -> list[Record]:
        campaign = self._campaign_for_write(campaign_id, "delete")
        if self._derived(campaign)["isActive"]:
            raise fail(709, f"Cannot delete smart campaign {campaign.id}: it is active; deactivate it first")
        del self._campaigns[campaign.id]
        return [{"id": campaign.id}]

    def _activation_problem(self, c: Campaign) -> str | None:
        ctype = rules.campaign_type(c.triggers, c.filters)
        if ctype == "batch":
            return "it is a batch campaign (filters only, no trigger); batch campaigns are scheduled, not activated"
        if not c.triggers:
            return "its smart list has no trigger"
        if not c.flow:
            return "its flow has no step"
        errors = rules.rule_errors(c.triggers + c.filters)
        if errors:
            return "its smart list has errors: " + "; ".join(errors)
        return None

    @atomic
    def activate_campaign(self, campaign_id: int) -> list[Record]:
        campaign = self._campaign_for_write(campaign_id, "activate")
        if campaign.is_active:
            raise fail(709, f"Cannot activate smart campaign {campaign.id}: it is already active")
        problem = self._activation_problem(campaign)
        if problem:
            raise fail(709, f"Cannot activate smart campaign {campaign.id}: {problem}")
        campaign.is_active = True
        campaign.updated_at = self._now()
        return [{"id": campaign.id}]

    @atomic
    def deactivate_campaign(self, campaign_id: int) -> list[Record]:
        campaign = self._campaign_for_write(campaign_id, "deactivate")
        if not self._derived(campaign)["isActive"]:
            raise fail(709, f"Cannot deactivate smart campaign {campaign.id}: it is not active")
        campaign.is_active = False
        campaign.updated_at = self._now()
        return [{"id": campaign.id}]

    def _smart_list_record(self, c: Campaign, include_rules: bool) -> Record:
        record: Record = {
            "id": c.smart_list_id, "name": c.name, "description": "",
            "createdAt": asset_time(c.created_at), "updatedAt": asset_time(c.updated_at),
            "url": f"https://{self._ui_hosts[0]}/#SL{c.smart_list_id}A1",
            "folder": {"id": c.parent[0], "type": c.parent[1]}, "workspace": self._workspace_of(c.parent),
        }
        if include_rules:
            rules_record: Record = {"filterMatchType": c.filter_match_type,
                                    "triggers": copy.deepcopy(c.triggers), "filters": copy.deepcopy(c.filters)}
            if c.filter_match_type == "custom" and c.filter_custom_rule_logic:
                rules_record["filterCustomRuleLogic"] = c.filter_custom_rule_logic
            record["rules"] = rules_record
        return record

    @atomic
    def get_campaign_smart_list(self, campaign_id: int, include_rules: bool = False) -> list[Record]:
        c = self._campaigns.get(int(campaign_id))
        return [self._smart_list_record(c, include_rules)] if c else []

    @atomic
    def get_smart_list(self, smart_list_id: int, include_rules: bool = False) -> list[Record]:
        """``GET /rest/asset/v1/smartList/{id}.json``: a campaign's smart list by its ``smartListId``."""
        c = next((c for c in self._campaigns.values() if c.smart_list_id == int(smart_list_id)), None)
        return [self._smart_list_record(c, include_rules)] if c else []

    # -- catalogue of smart-list rules (newer API; flow steps: model_flows) ----
    @atomic
    def get_rule_types(self) -> list[Record]:
        """``GET /smartCampaign/rules.json``: the trigger and filter catalogue."""
        return [rules.rule_catalogue()]

    # -- building (seeds and test helpers: an active campaign may be seeded) ------------------------
    def _add_campaign_spec(self, parent: FolderKey, spec: Mapping[str, Any], stamp: float, *,
                           sibling_names: set[str] | None = None) -> int:
        """Build a campaign from a normalised seed spec. ``sibling_names`` (the names already used
        in ``parent``, kept up to date) makes bulk building linear instead of quadratic."""
        name = spec["name"]
        if sibling_names is None:
            sibling_names = {c.name for c in self._campaigns.where("parent", parent)}
        if name in sibling_names:
            raise ValueError(f"campaign name {name!r} is used twice in {self._user_path(parent)!r}")
        cid = self._reserve("campaign", spec["id"]) if spec.get("id") is not None else self._next("campaign")
        if cid in self._campaigns:
            raise ValueError(f"campaign id {cid} is used twice")
        where = f"campaign {name!r}"
        triggers = [rules.expand_rule(r, trigger=True, next_id=self._next, where=f"{where}.triggers[{i}]")
                    for i, r in enumerate(spec.get("triggers", []))]
        filters = [rules.expand_rule(r, trigger=False, next_id=self._next, where=f"{where}.filters[{i}]")
                   for i, r in enumerate(spec.get("filters", []))]
        flow = [rules.expand_step(s, next_id=self._next, where=f"{where}.flow[{i}]")
                for i, s in enumerate(spec.get("flow", []))]
        campaign = Campaign(
            id=cid, name=name, parent=parent, created_at=stamp, updated_at=stamp,
            smart_list_id=self._next("smartList"), flow_id=self._next("flow"),
            description=spec.get("description") or "", is_system=bool(spec.get("isSystem", False)),
            qualification_rule_type=spec.get("qualificationRuleType", "once"),
            qualification_rule_interval=spec.get("qualificationRuleInterval"),
            qualification_rule_unit=spec.get("qualificationRuleUnit"),
            is_communication_limit_enabled=bool(spec.get("isCommunicationLimitEnabled", True)),
            max_members=spec.get("maxMembers"),
            recurrence=dict({"weekdayOnly": False}, **(spec.get("recurrence") or {})),
            filter_match_type=spec.get("filterMatchType", "all"),
            filter_custom_rule_logic=spec.get("filterCustomRuleLogic"),
            triggers=triggers, filters=filters, flow=flow, scheduled=bool(spec.get("scheduled", False)))
        if spec.get("active"):
            problem = self._activation_problem(campaign)
            if problem:
                raise ValueError(f"campaign {name!r} cannot be active: {problem}")
            campaign.is_active = True
        self._campaigns[cid] = campaign
        sibling_names.add(name)
        return cid
