"""Program writes: create, clone, update and delete programs (backend layer 4).

Why a layer of its own: a program write touches everything below it (the tree, the campaigns
inside, their smart lists and flows, My Tokens), so it sits on top of the other layers and
reuses their copying and checking rather than repeating it. The reads of programs live with
the tree (``model_tree``). Rules follow Adobe's documentation; where Adobe is silent the choice is
listed in ``docs/emulator-seed.md`` ("Behaviour choices").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marketo_sync.emulator.model import FOLDER, MARKETING_ACTIVITIES, PROGRAM, Campaign, Container
from marketo_sync.emulator.model_base import FolderKey, Record, atomic, fail
from marketo_sync.emulator.model_leaddb import LeadDbMixin

#: Program types as real answers spell them, keyed by every accepted spelling (the Swagger enum
#: ``default|event|webinar|nurture`` included).
PROGRAM_TYPES = {
    "default": "Default", "program": "Default", "event": "Event", "event with webinar": "Event with Webinar",
    "webinar": "Event with Webinar", "engagement": "Engagement", "nurture": "Engagement", "email": "Email",
}
#: Local assets that make a program unclonable (Adobe: push and in-app messages,
#: reports, social assets).
UNCLONABLE_ASSETS = ("Push Notification", "In-App Message", "Report", "Social App")
#: Program types that may hold a program: only email programs nest, inside these (Adobe's programs page).
EMAIL_PROGRAM_PARENTS = ("Default", "Event", "Event with Webinar")
CHANGE_PROGRAM_STATUS = 104  # flow action id; a channel change is refused while a step uses it (1173)


#: The channel catalogue of ``channels.json``: (name, applicableProgramType), as a fresh
#: subscription ships them (channels.md shows the record shape, ``"applicableProgramType": "program"``).
DEFAULT_CHANNELS = (("Blog", "program"), ("Content", "program"), ("Email Blast", "program"),
                    ("Online Advertising", "program"), ("Webinar", "event"), ("Tradeshow", "event"),
                    ("Nurture", "nurture"), ("Email Send", "email"))
#: The applicableProgramType of a program type (a seeded program's channel joins the catalogue).
CHANNEL_PROGRAM_TYPES = {"Default": "program", "Event": "event", "Event with Webinar": "event",
                         "Engagement": "nurture", "Email": "email"}
PROGRESSION = (("Not in Program", 0, False), ("Member", 10, False), ("Engaged", 20, True))


def _initial_status(program_type: str) -> str:
    """Engagement programs start ``off``, email programs ``unlocked``; the rest have no status."""
    return {"Engagement": "off", "Email": "unlocked"}.get(program_type, "")


class ProgramsMixin(LeadDbMixin):
    """``programs.json`` (create), ``program/{id}.json`` (update), ``clone.json``, ``delete.json``."""

    # -- checks -------------------------------------------------------------------------------
    def _program_for_write(self, program_id: int, action: str) -> Container:
        node = self._containers.get((int(program_id), PROGRAM))
        if node is None:
            raise fail(702, f"Program {program_id} not found; cannot {action} it")
        return node

    def _check_unique_program_name(self, name: str, exclude: int | None = None) -> None:
        """Program names are unique across the whole instance, not only within a folder."""
        for other in self._programs():
            if other.name == name and other.id != exclude:
                raise fail(709, f"Program name {name!r} is already in use (program {other.id} in "
                                f"{self._user_path(other.parent) if other.parent else '/'!r})")

    def _check_free_sibling_name(self, parent: FolderKey, name: str, exclude: FolderKey | None = None) -> None:
        for sibling in self._children(parent):
            if sibling.name == name and sibling.key != exclude:
                raise fail(709, f"A {sibling.kind.lower()} named {name!r} already exists in "
                                f"{self._user_path(parent)!r}")

    def _program_parent(self, folder: FolderKey | Mapping[str, Any] | None, program_type: str) -> Container:
        """A program lives in a Marketing Activities folder; only an email program may sit in a
        Default/Event program. Anything else is 711, an unknown folder 710."""
        node = self._parent_node(folder)
        if self._root(node.key).name != MARKETING_ACTIVITIES:
            raise fail(711, f"Incompatible folder type: {node.kind} {node.id} is in "
                            f"{self._root(node.key).name}; programs live in {MARKETING_ACTIVITIES}")
        if node.kind == PROGRAM and not (program_type == "Email" and node.program_type in EMAIL_PROGRAM_PARENTS):
            raise fail(711, f"Incompatible folder type: a {program_type} program cannot be placed in "
                            f"{node.program_type} program {node.id}; use a folder")
        enclosing = self._parent_program(node.key) if node.kind == FOLDER else None
        if enclosing is not None:
            raise fail(711, f"Incompatible folder type: folder {node.id} is inside program {enclosing.id}; "
                            "programs are placed in folders outside programs")
        return node

    def _subtree(self, key: FolderKey) -> list[Container]:
        """The container and every container below it."""
        return [self._containers[key], *(node for node, _ in self._descendants(key, 10_000))]

    # -- channels (read only) -----------------------------------------------------------------
    @atomic
    def get_channels(self, *, offset: int = 0, max_return: int = 20) -> list[Record]:
        """``GET /channels.json``: the default catalogue plus any channel a program uses, by name.

        Program create does not check a channel against it (an emulator choice: Adobe documents
        that a channel applies to one program type, not the error for a mismatch)."""
        self._paging(offset, max_return)
        catalogue = dict(DEFAULT_CHANNELS)
        for program in self._programs():
            if program.channel and program.channel not in catalogue:
                catalogue[program.channel] = CHANNEL_PROGRAM_TYPES.get(program.program_type, "program")
        records = [{"id": index, "name": name, "applicableProgramType": kind,
                    "progressionStatuses": [{"name": status, "step": step, "description": None, "hidden": False,
                                             "success": success} for status, step, success in PROGRESSION]}
                   for index, (name, kind) in enumerate(catalogue.items(), 1)]
        return records[offset:offset + max_return]

    # -- create -------------------------------------------------------------------------------
    @atomic
    def create_program(self, *, name: str, folder: FolderKey | Mapping[str, Any] | None, type: str | None,
                       channel: str | None, description: str | None = None,
                       tags: list[Record] | None = None, costs: list[Record] | None = None) -> list[Record]:
        """``POST /programs.json``: an empty program (no campaigns, no tokens)."""
        self._check_name(name)
        if not type or not str(type).strip():
            raise fail(701, "type cannot be blank")
        if not channel or not str(channel).strip():
            raise fail(701, "channel cannot be blank")
        program_type = PROGRAM_TYPES.get(str(type).strip().lower())
        if program_type is None:
            raise fail(1003, f"Invalid program type {type!r}: expected Default, Event, Event with Webinar, "
                             "Engagement or Email")
        parent = self._program_parent(folder, program_type)
        description = self._check_description(description)
        self._check_unique_program_name(name)
        self._check_free_sibling_name(parent.key, name)
        key = self._add_container({"kind": PROGRAM, "name": name, "type": program_type,
                                   "channel": str(channel).strip(), "description": description or "",
                                   "status": _initial_status(program_type), "tags": self._check_tags(tags),
                                   "costs": self._check_costs(costs)}, parent.key, self._now())
        return [self._program_record(self._containers[key])]

    @staticmethod
    def _check_tags(tags: list[Record] | None) -> list[Record]:
        out = []
        for tag in tags or []:
            if not isinstance(tag, Mapping) or not tag.get("tagType") or tag.get("tagValue") in (None, ""):
                raise fail(1003, f"Invalid tag {tag!r}: expected {{\"tagType\": ..., \"tagValue\": ...}}")
            out.append({"tagType": str(tag["tagType"]), "tagValue": str(tag["tagValue"])})
        return out

    @staticmethod
    def _check_costs(costs: list[Record] | None) -> list[Record] | None:
        if costs is None:
            return None
        out = []
        for cost in costs:
            if not isinstance(cost, Mapping) or cost.get("startDate") in (None, "") or cost.get("cost") is None:
                raise fail(1003, f"Invalid cost {cost!r}: expected {{\"startDate\": ..., \"cost\": n}}")
            try:
                amount = int(cost["cost"])
            except (TypeError, ValueError):
                raise fail(1003, f"Invalid cost amount {cost['cost']!r}: expected a whole number") from None
            entry: Record = {"startDate": str(cost["startDate"]), "cost": amount}
            if cost.get("note") is not None:
                entry["note"] = str(cost["note"])
            out.append(entry)
        return out

    # -- clone --------------------------------------------------------------------------------
    @atomic
    def clone_program(self, program_id: int, *, name: str, folder: FolderKey | Mapping[str, Any] | None,
                      description: str | None = None) -> list[Record]:
        """``POST /program/{id}/clone.json``: the program with its folders, My Tokens and
        campaigns (new ids, the same smart lists and flows, every copy inactive).

        709 for a name used by any program, for a folder of another workspace, for unclonable
        contents (push/in-app messages, reports, social assets) and for a program holding
        programs; 710/711 for the folder.
        """
        source = self._program_for_write(program_id, "clone")
        self._check_name(name)
        parent = self._program_parent(folder, source.program_type)
        if parent.workspace != source.workspace:
            raise fail(709, f"Cannot clone program {source.id} of workspace {source.workspace!r} into "
                            f"{parent.kind} {parent.id} of workspace {parent.workspace!r}: a clone stays "
                            "in the workspace of its source")
        description = self._check_description(description)
        self._check_unique_program_name(name)
        self._check_free_sibling_name(parent.key, name)
        subtree = self._subtree(source.key)
        unclonable = [f"{a['type']} {a['name']!r}" for node in subtree for a in node.assets
                      if a["type"] in UNCLONABLE_ASSETS]
        if unclonable:
            raise fail(709, f"Cannot clone program {source.id}: it contains assets that cannot be cloned: "
                            + ", ".join(unclonable))
        nested = [node for node in subtree[1:] if node.kind == PROGRAM]
        if nested:
            raise fail(709, f"Cannot clone program {source.id}: it contains program {nested[0].id} "
                            f"({nested[0].name!r}); program names are unique, clone it separately")
        mapping = self._clone_tree(source, parent.key, name, self._now())
        clone = self._containers[(mapping["__root__"], PROGRAM)]
        if description is not None:
            clone.description = description
        clone.status = _initial_status(clone.program_type) if clone.status == "on" else clone.status
        return [self._program_record(clone)]

    # -- update -------------------------------------------------------------------------------
    @atomic
    def update_program(self, program_id: int, *, name: str | None = None, description: str | None = None,
                       channel: str | None = None, tags: list[Record] | None = None,
                       costs: list[Record] | None = None, costs_destructive_update: bool = False) -> list[Record]:
        """``POST /program/{id}.json``: name, description, channel, tags (replaced per tag type),
        costs (appended, or replaced with ``costsDestructiveUpdate``). The type is fixed."""
        node = self._program_for_write(program_id, "update")
        if name is not None:
            self._check_name(name)
            self._check_unique_program_name(name, exclude=node.id)
            if node.parent is not None:
                self._check_free_sibling_name(node.parent, name, exclude=node.key)
        description = self._check_description(description)
        new_tags = self._check_tags(tags) if tags is not None else None
        new_costs = self._check_costs(costs) if costs is not None else None
        if channel is not None:
            if not channel.strip():
                raise fail(701, "channel cannot be blank")
            if channel.strip() != node.channel and self._uses_change_program_status(node):
                raise fail(1173, f"Cannot change the channel of program {node.id}: a campaign inside it "
                                 "uses a Change Program Status flow step")
        if name is not None:
            node.name = name
        if description is not None:
            node.description = description
        if channel is not None:
            node.channel = channel.strip()
        if new_tags is not None:
            replaced = {t["tagType"] for t in new_tags}
            node.tags = [t for t in node.tags if t["tagType"] not in replaced] + new_tags
        if new_costs is not None:
            node.costs = new_costs if costs_destructive_update else (node.costs or []) + new_costs
        node.updated_at = self._now()
        return [self._program_record(node)]

    def _uses_change_program_status(self, node: Container) -> bool:
        return any(step.get("activityTypeId") == CHANGE_PROGRAM_STATUS
                   for c in self._campaigns_within(node.key) for step in c.flow)

    def _campaigns_within(self, key: FolderKey) -> list[Campaign]:
        """The campaigns of the container and of every container below it (from the parent index)."""
        return [c for node in self._subtree(key) for c in self._campaigns.where("parent", node.key)]

    # -- delete -------------------------------------------------------------------------------
    @atomic
    def delete_program(self, program_id: int) -> list[Record]:
        """``POST /program/{id}/delete.json``: the program and everything in it, refused (709)
        while a campaign inside is active."""
        node = self._program_for_write(program_id, "delete")
        keys = {c.key for c in self._subtree(node.key)}
        inside = self._campaigns_within(node.key)
        active = [c for c in inside if self._derived(c)["isActive"]]
        if active:
            names = ", ".join(f"{c.id} ({c.name!r})" for c in sorted(active, key=lambda c: c.id))
            raise fail(709, f"Cannot delete program {node.id}: smart campaign {names} is active; "
                            "deactivate it first")
        for campaign in inside:
            del self._campaigns[campaign.id]
        for key in keys:
            del self._containers[key]
        return [{"id": node.id}]
