"""Folders, programs and My Tokens: the tree every asset hangs from (backend layer 1).

Folder and program ids are separate id spaces, so containers are keyed by ``(id, kind)``.
Paths, ``parentProgramId`` and "can this folder hold campaigns" are computed from the tree.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from marketo_sync.emulator.clock import asset_time, parse_iso8601
from marketo_sync.emulator.model import (
    CAMPAIGN_FOLDER_TYPES,
    FOLDER,
    MARKETING_ACTIVITIES,
    PROGRAM,
    TOKEN_TYPES,
    Campaign,
    Container,
)
from marketo_sync.emulator.model_base import (
    DESCRIPTION_MAX,
    MAX_RETURN,
    NAME_MAX,
    TOKEN_NAME_MAX,
    BackendCore,
    FolderKey,
    Record,
    atomic,
    fail,
)


class TreeMixin(BackendCore):
    """Folders, programs and My Tokens of the instance."""

    @staticmethod
    def _key(folder: FolderKey | Mapping[str, Any]) -> FolderKey:
        fid: Any
        ftype: Any
        fid, ftype = (folder.get("id"), folder.get("type", FOLDER)) if isinstance(folder, Mapping) else folder
        kind = str(ftype).strip().capitalize()
        if kind not in (FOLDER, PROGRAM):
            raise fail(1003, f"Invalid folder type {ftype!r}: expected 'Folder' or 'Program'")
        try:
            return (int(fid), kind)
        except (TypeError, ValueError):
            raise fail(1003, f"Invalid folder id {fid!r}") from None

    def _get(self, folder: FolderKey | Mapping[str, Any] | None) -> Container | None:
        return None if folder is None else self._containers.get(self._key(folder))

    def _ancestors(self, key: FolderKey | None) -> list[Container]:
        """The container and its ancestors, nearest first."""
        chain = []
        while key is not None:
            node = self._containers[key]
            chain.append(node)
            key = node.parent
        return chain

    def _root(self, key: FolderKey) -> Container:
        return self._ancestors(key)[-1]

    def _api_path(self, key: FolderKey) -> str:
        """``/Marketing Activities/<workspace>/...``: the workspace is the second element."""
        chain = list(reversed(self._ancestors(key)))
        names = [n.name for n in chain]
        if len(names) == 1:
            return f"/{names[0]}"
        return "/" + "/".join([names[0], chain[0].workspace, *names[1:]])

    def _workspace_of(self, key: FolderKey) -> str:
        """The workspace of a container (and of the campaigns it holds)."""
        return self._containers[key].workspace

    def _user_path(self, key: FolderKey) -> str:
        return "/".join(n.name for n in reversed(self._ancestors(key)))

    def _parent_program(self, key: FolderKey) -> Container | None:
        return next((n for n in self._ancestors(key) if n.kind == PROGRAM), None)

    def _children(self, key: FolderKey) -> list[Container]:
        return self._containers.where("parent", key)

    def _children_campaigns(self, key: FolderKey) -> list[Campaign]:
        return self._campaigns.where("parent", key)

    def _descendants(self, key: FolderKey, max_depth: int) -> list[tuple[Container, int]]:
        """Pre-order walk below ``key`` down to ``max_depth`` levels (the root itself excluded)."""
        found: list[tuple[Container, int]] = []
        if max_depth <= 0:
            return found
        for child in self._children(key):
            found.append((child, 1))
            found.extend((node, depth + 1) for node, depth in self._descendants(child.key, max_depth - 1))
        return found

    def _can_hold_campaigns(self, node: Container) -> bool:
        return self._root(node.key).name == MARKETING_ACTIVITIES and node.folder_type in CAMPAIGN_FOLDER_TYPES

    def _url(self, node: Container) -> str:
        prefix = "PG" if node.kind == PROGRAM else "MF"
        return f"https://{self._ui_hosts[0]}/#{prefix}{node.id}A1"

    def _volatile_host(self) -> str:
        """Marketo's ``computedUrl`` host changes between reads of the same asset: so does ours."""
        self._reads += 1
        return self._ui_hosts[self._reads % len(self._ui_hosts)]

    @staticmethod
    def _paging(offset: int, max_return: int, *, limit: int = MAX_RETURN, name: str = "maxReturn") -> None:
        if not isinstance(max_return, int) or not 1 <= max_return <= limit:
            raise fail(1003, f"Invalid {name} {max_return!r}: must be between 1 and {limit}")
        if not isinstance(offset, int) or offset < 0:
            raise fail(1003, f"Invalid offset {offset!r}: must be 0 or more")

    @staticmethod
    def _parse_filter_date(value: str | None, what: str) -> float | None:
        if value is None or value == "":
            return None
        try:
            return parse_iso8601(value)
        except ValueError:
            raise fail(704, f"Invalid date format for {what}: {value!r}") from None

    # -- validation shared by writes -------------------------------------------------------------
    @staticmethod
    def _check_name(name: Any, *, what: str = "name", max_len: int = NAME_MAX) -> str:
        if not isinstance(name, str) or not name.strip():
            raise fail(701, f"{what} cannot be blank")
        if len(name) > max_len:
            raise fail(709, f"{what} is {len(name)} characters long; the maximum is {max_len}")
        return name

    @staticmethod
    def _check_description(description: Any) -> str | None:
        if description is None:
            return None
        if len(str(description)) > DESCRIPTION_MAX:
            raise fail(709, f"description is {len(str(description))} characters long; "
                            f"the maximum is {DESCRIPTION_MAX}")
        return str(description)

    def _parent_node(self, folder: FolderKey | Mapping[str, Any] | None) -> Container:
        """The folder (or program) a new asset goes into: 701 when not given, 710 when unknown."""
        if folder is None:
            raise fail(701, "folder cannot be blank")
        node = self._get(folder)
        if node is None:
            fid, kind = self._key(folder)
            raise fail(710, f"Parent folder not found: {kind} {fid}")
        return node

    def _campaign_parent(self, folder: FolderKey | Mapping[str, Any] | None) -> Container:
        node = self._parent_node(folder)
        if not self._can_hold_campaigns(node):
            raise fail(711, f"Incompatible folder type: {node.kind} {node.id} ({node.folder_type!r} in "
                            f"{self._root(node.key).name}) cannot hold smart campaigns")
        return node

    def _check_unique_campaign_name(self, parent: FolderKey, name: str, exclude: int | None = None) -> None:
        for other in self._children_campaigns(parent):
            if other.name == name and other.id != exclude:
                raise fail(709, f"A smart campaign named {name!r} already exists in "
                                f"{self._user_path(parent)!r} (id {other.id})")

    def _campaign_for_write(self, campaign_id: int, action: str) -> Campaign:
        campaign = self._campaigns.get(int(campaign_id))
        if campaign is None:
            raise fail(702, f"Smart campaign {campaign_id} not found")
        if campaign.is_system:
            raise fail(709, f"Cannot {action} smart campaign {campaign_id}: it is a system campaign")
        return campaign

    # =====================================================================================
    # folders and programs
    # =====================================================================================
    def _folder_record(self, node: Container) -> Record:
        parent = {"id": node.parent[0], "type": node.parent[1]} if node.parent else None
        return {
            "id": node.id, "name": node.name, "description": node.description,
            "createdAt": asset_time(node.created_at), "updatedAt": asset_time(node.updated_at),
            "url": self._url(node), "folderId": {"id": node.id, "type": node.kind},
            "folderType": node.folder_type, "parent": parent, "path": self._api_path(node.key),
            "isArchive": node.is_archive, "isSystem": node.is_system,
            "accessZoneId": self._workspaces.get(node.workspace, 1), "workspace": node.workspace,
        }

    @staticmethod
    def _in_workspace(node: Container, workspace: str | None) -> bool:
        """The ``workSpace`` filter: no value keeps every workspace."""
        return workspace is None or workspace == "" or node.workspace == workspace

    @atomic
    def get_folder(self, folder: FolderKey) -> list[Record]:
        node = self._get(folder)
        return [self._folder_record(node)] if node else []

    @atomic
    def get_folders_by_name(self, name: str, *, type: str | None = None,
                            root: FolderKey | None = None,
                            workspace: str | None = None) -> list[Record]:
        """Every folder (and program) with exactly this name, optionally of one type, below ``root``
        and in one workspace; each workspace has its own "Marketing Activities", so several match."""
        kind = self._key((0, type))[1] if type else None
        if root is not None:
            root_node = self._get(root)
            if root_node is None:
                return []
            candidates = [node for node, _ in self._descendants(root_node.key, 10_000)]
        else:
            candidates = self._containers.where("name", name)
        return [self._folder_record(n) for n in candidates
                if n.name == name and (kind is None or n.kind == kind) and self._in_workspace(n, workspace)]

    @atomic
    def browse_folders(self, *, root: FolderKey | None = None, max_depth: int = 2,
                       offset: int = 0, max_return: int = 20,
                       workspace: str | None = None) -> list[Record]:
        """The root and its descendants down to ``max_depth`` levels (0 = the root only), pre-order.

        Without ``root``, every top-level area (Marketing Activities, Design Studio) of every
        workspace is a root; ``workspace`` keeps one workspace's folders.
        """
        self._paging(offset, max_return)
        if not isinstance(max_depth, int) or max_depth < 0:
            raise fail(1003, f"Invalid maxDepth {max_depth!r}: must be 0 or more")
        if root is not None:
            node = self._get(root)
            roots = [node] if node else []
        else:
            roots = self._containers.where("parent", None)  # areas are folders: ordered by id
        flat: list[Container] = []
        for top in roots:
            flat.append(top)
            flat.extend(n for n, _ in self._descendants(top.key, max_depth))
        flat = [n for n in flat if self._in_workspace(n, workspace)]
        return [self._folder_record(n) for n in flat[offset:offset + max_return]]

    @atomic
    def get_folder_content(self, folder: FolderKey, *, offset: int = 0,
                           max_return: int = 20) -> list[Record]:
        """Direct children: folders, then programs, then smart campaigns, each ordered by id."""
        self._paging(offset, max_return)
        node = self._get(folder)
        if node is None:
            return []
        items = [{"id": c.id, "type": c.kind} for c in self._children(node.key)]
        items += [{"id": c.id, "type": "Smart Campaign"} for c in self._children_campaigns(node.key)]
        return items[offset:offset + max_return]

    @atomic
    def create_folder(self, *, name: str, parent: FolderKey | None,
                      description: str | None = None) -> list[Record]:
        self._check_name(name)
        if parent is None:
            raise fail(701, "parent cannot be blank")
        parent_node = self._get(parent)
        if parent_node is None:
            fid, kind = self._key(parent)
            raise fail(710, f"Parent folder not found: {kind} {fid}")
        description = self._check_description(description)
        for sibling in self._children(parent_node.key):
            if sibling.name == name:
                raise fail(709, f"A folder named {name!r} already exists in {self._user_path(parent_node.key)!r}")
        key = self._add_container({"kind": FOLDER, "name": name, "description": description or "",
                                   "isSystem": False}, parent_node.key, self._now())
        return [self._folder_record(self._containers[key])]

    def _folder_for_write(self, folder: FolderKey, action: str) -> Container:
        node = self._get(folder)
        if node is None:
            fid, kind = self._key(folder)
            raise fail(702, f"Folder not found: {kind} {fid}")
        if node.kind == PROGRAM:
            raise fail(709, f"Cannot {action} program {node.id} through the folder API; use the programs API")
        if node.is_system:
            raise fail(709, f"Cannot {action} folder {node.id}: it is a system folder")
        return node

    @atomic
    def update_folder(self, folder: FolderKey, *, name: str | None = None, description: str | None = None,
                      is_archive: bool | None = None) -> list[Record]:
        """``POST /folder/{id}.json``: rename, describe, archive. Programs and system folders: 709."""
        node = self._folder_for_write(folder, "update")
        if name is not None:
            self._check_name(name)
        if name is not None and node.parent is not None:  # roots are refused by _folder_for_write
            if any(s.name == name and s.key != node.key for s in self._children(node.parent)):
                raise fail(709, f"A folder named {name!r} already exists in {self._user_path(node.parent)!r}")
        description = self._check_description(description)
        if name is not None:
            node.name = name
        if description is not None:
            node.description = description
        if is_archive is not None:
            node.is_archive = bool(is_archive)
        node.updated_at = self._now()
        return [self._folder_record(node)]

    @atomic
    def delete_folder(self, folder: FolderKey) -> list[Record]:
        """``POST /folder/{id}/delete.json``: only empty, non-system folders (else 709)."""
        node = self._folder_for_write(folder, "delete")
        if self._children(node.key) or self._children_campaigns(node.key):
            raise fail(709, f"Cannot delete folder {node.id}: it is not empty")
        del self._containers[node.key]
        return [{"id": node.id}]

    def _program_record(self, node: Container, *, browse: bool = False) -> Record:
        """Adobe's examples: ``headStart`` on every record; browse answers carry no tags or costs."""
        parent = self._containers[node.parent] if node.parent else None
        folder = ({"type": parent.kind, "value": parent.id, "folderName": parent.name} if parent else None)
        record: Record = {
            "id": node.id, "name": node.name, "description": node.description,
            "createdAt": asset_time(node.created_at), "updatedAt": asset_time(node.updated_at),
            "url": self._url(node), "type": node.program_type, "channel": node.channel,
            "folder": folder, "status": node.status, "workspace": node.workspace, "headStart": False,
        }
        if not browse:
            record.update(tags=copy.deepcopy(node.tags), costs=copy.deepcopy(node.costs))
        return record

    def _programs(self) -> list[Container]:
        return [c for c in self._containers.ordered() if c.kind == PROGRAM]  # programs come last, by id

    @atomic
    def get_program(self, program_id: int) -> list[Record]:
        node = self._containers.get((int(program_id), PROGRAM))
        return [self._program_record(node)] if node else []

    @atomic
    def get_program_by_name(self, name: str) -> list[Record]:
        return [self._program_record(p) for p in self._containers.where("name", name) if p.kind == PROGRAM][:1]

    @atomic
    def browse_programs(self, *, offset: int = 0, max_return: int = 20,
                        filter_type: str | None = None,
                        filter_values: list[str] | None = None,
                        earliest_updated_at: str | None = None, latest_updated_at: str | None = None,
                        status: str | None = None) -> list[Record]:
        """Programs by id; ``filter_type`` id/programId, folderId (direct parent folder), workspace;
        optional updatedAt window (bad dates: 704) and ``status`` (on/off/locked/unlocked)."""
        self._paging(offset, max_return)
        programs = self._programs()
        earliest = self._parse_filter_date(earliest_updated_at, "earliestUpdatedAt")
        latest = self._parse_filter_date(latest_updated_at, "latestUpdatedAt")
        programs = [p for p in programs
                    if (earliest is None or int(p.updated_at) >= earliest)
                    and (latest is None or int(p.updated_at) <= latest)
                    and (not status or p.status == status)]
        if filter_type:
            values = [str(v).strip() for v in (filter_values or [])]
            if not values:
                raise fail(701, "filterValues cannot be blank")
            ftype = filter_type.strip().lower()
            if ftype in ("id", "programid"):
                programs = [p for p in programs if str(p.id) in values]
            elif ftype == "folderid":
                programs = [p for p in programs if p.parent and str(p.parent[0]) in values]
            elif ftype == "workspace":
                programs = [p for p in programs if p.workspace in values]
            else:
                raise fail(1003, f"Invalid filterType {filter_type!r}: expected id, programId, folderId "
                                 "or workspace")
        return [self._program_record(p, browse=True) for p in programs[offset:offset + max_return]]

    # =====================================================================================
    # My Tokens
    # =====================================================================================
    def _token_folder(self, folder: FolderKey, *, code: int) -> Container:
        node = self._get(folder)
        if node is None:
            fid, kind = self._key(folder)
            raise fail(code, f"Folder not found: {kind} {fid}")
        return node

    def _tokens_record(self, node: Container, only: str | None = None) -> list[Record]:
        """``[{folder, tokens}]``; ``only`` keeps just the token of that name (the upsert answer)."""
        url = self._url(node)
        tokens = [dict(t, computedUrl=url) for t in node.tokens if only is None or t["name"] == only]
        return [{"folder": {"type": node.kind, "value": node.id}, "tokens": tokens}]

    @atomic
    def get_tokens(self, folder: FolderKey) -> list[Record]:
        """The folder's own tokens (not inherited ones). Unknown folder -> 702."""
        return self._tokens_record(self._token_folder(folder, code=702))

    @atomic
    def upsert_token(self, folder: FolderKey, *, name: str, type: str, value: str) -> list[Record]:
        """Create or replace the token called ``name``; answers with that token, as Adobe's example."""
        node = self._token_folder(folder, code=710)
        self._check_name(name, max_len=TOKEN_NAME_MAX)
        if not isinstance(type, str) or not type.strip():
            raise fail(701, "type cannot be blank")
        token_type = type.strip().lower()
        if token_type not in TOKEN_TYPES:
            raise fail(709, f"Token type {type!r} cannot be created through the API; allowed: "
                            + ", ".join(TOKEN_TYPES))
        if value is None or (isinstance(value, str) and value == ""):
            raise fail(701, "value cannot be blank")
        value = self._check_token_value(token_type, str(value))
        now = self._now()
        for token in node.tokens:
            if token["name"] == name:
                token.update(type=token_type, value=value)
                break
        else:
            node.tokens.append({"name": name, "type": token_type, "value": value})
        node.updated_at = now
        return self._tokens_record(node, only=name)

    @staticmethod
    def _check_token_value(token_type: str, value: str) -> str:
        try:
            if token_type == "date":
                parse_iso8601(value)
                if len(value) != 10:
                    raise ValueError
            elif token_type == "number":
                float(value)
            elif token_type == "score":
                number = int(value)
                if not -(2**31) <= number < 2**31:
                    raise ValueError
        except ValueError:
            expected = {"date": "a date yyyy-MM-dd", "number": "a number",
                        "score": "a signed 32-bit integer"}[token_type]
            raise fail(709, f"Invalid value {value!r} for a {token_type} token: expected {expected}") from None
        return value

    @atomic
    def delete_token(self, folder: FolderKey, *, name: str, type: str) -> list[Record]:
        node = self._token_folder(folder, code=710)
        if not name:
            raise fail(701, "name cannot be blank")
        if not type:
            raise fail(701, "type cannot be blank")
        for index, token in enumerate(node.tokens):
            if token["name"] == name and token["type"] == type.strip().lower():
                del node.tokens[index]
                node.updated_at = self._now()
                return [{"id": node.id}]
        raise fail(702, f"Token {name!r} of type {type!r} not found in {node.kind} {node.id}")

    # -- building (seeds and test helpers) ----------------------------------------------------------
    def _add_container(self, node: Mapping[str, Any], parent: FolderKey | None, stamp: float) -> FolderKey:
        """A root is in ``node["workspace"]`` (default: the primary one); a child in its parent's."""
        kind = node["kind"]
        if parent is None:
            workspace = node.get("workspace") or self.workspace
            self._workspaces.setdefault(workspace, max(self._workspaces.values(), default=0) + 1)
            if any(c.name == node["name"] and c.workspace == workspace
                   for c in self._containers.where("parent", None)):
                raise ValueError(f"workspace {workspace!r} already has a root {node['name']!r}")
        else:
            workspace = self._containers[parent].workspace
        cid = self._reserve(kind, node["id"]) if node.get("id") is not None else self._next(kind)
        if (cid, kind) in self._containers:
            raise ValueError(f"{kind} id {cid} is used twice")
        if kind == PROGRAM:
            folder_type = "Program"
        elif node.get("folderType"):
            folder_type = node["folderType"]
        elif parent is None:
            folder_type = "Zone"
        else:
            parent_type = self._containers[parent].folder_type
            folder_type = "Marketing Folder" if parent_type in CAMPAIGN_FOLDER_TYPES else parent_type
        self._containers[(cid, kind)] = Container(
            id=cid, kind=kind, name=node["name"], parent=parent, folder_type=folder_type,
            created_at=stamp, updated_at=stamp, description=node.get("description") or "",
            is_system=bool(node.get("isSystem", parent is None)), is_archive=bool(node.get("isArchive", False)),
            tokens=[dict(t) for t in node.get("tokens", [])],
            program_type=node.get("type", "") if kind == PROGRAM else "",
            channel=node.get("channel", "") if kind == PROGRAM else "",
            status=node.get("status", "") if kind == PROGRAM else "",
            tags=[dict(t) for t in node.get("tags", [])], costs=copy.deepcopy(node.get("costs")),
            workspace=workspace,
            assets=[dict(a) for a in node.get("assets", [])])
        return (cid, kind)
