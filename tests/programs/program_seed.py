"""A webinar template program added to the example instance (the emulator's backend helpers).

The example instance has its own ``Webinar Program Template`` (one requestable reminder, for the
demo); these tests add a richer one beside it (a confirmation and a flowless survey too), under
another name since program names are unique in an instance."""

from __future__ import annotations

from typing import Any

TEMPLATES = (1101, "Folder")
TEMPLATE_NAME = "Webinar Test Template"
TEMPLATE_PATH = f"Marketing Activities/Templates/{TEMPLATE_NAME}"
WEBINARS = "Marketing Activities/Webinars"
REQUESTED = {"name": "Campaign is Requested", "source": "Web Service API"}


def add_template_program(server: Any, name: str = TEMPLATE_NAME) -> int:
    """The template: three My Tokens, a requestable reminder, a confirmation and a flowless survey."""
    backend = server.backend
    key = backend.add_program(TEMPLATES, name, type="Event", channel="Webinar",
                              description="Clone me for each webinar", tokens=[
                                  {"name": "WebinarTitle", "type": "text", "value": "TBD"},
                                  {"name": "JoinLink", "type": "text", "value": "https://webinars.example.com/join/tbd"},
                                  {"name": "WebinarImage", "type": "text",
                                   "value": "https://webinars.example.com/img/banner.png"}])
    backend.add_campaign(key, "Send Webinar Reminder", description="Sends the webinar reminder",
                         triggers=[REQUESTED], flow=[{"action": "Send Email", "email": "Webinar Reminder"}])
    backend.add_campaign(key, "01 - Registration Confirmation", description="Confirms the registration",
                         triggers=[{"name": "Fills Out Form", "form": "Webinar Registration Form"}],
                         flow=[{"action": "Send Email", "email": "Registration Confirmation"}])
    backend.add_campaign(key, "Post-event Survey", description="Not built yet", triggers=[REQUESTED])
    return int(key[0])


def webinar_file(name: str = "2026-04 Product Launch Webinar", *, folder: str = WEBINARS,
                 template: str = TEMPLATE_PATH, extra_campaigns: str = "", active: str = "true",
                 campaign: str = "Send Webinar Reminder") -> str:
    return (f"folder: {folder}/{name}\n"
            "program:\n"
            f"  template: {template}\n"
            f"  description: {name} (launch)\n"
            "tokens:\n"
            f"  - {{name: WebinarTitle, type: text, value: '{name}'}}\n"
            "  - {name: JoinLink, type: text, value: 'https://webinars.example.com/join/tbd'}\n"
            "  - {name: WebinarImage, type: text, value: 'https://webinars.example.com/img/banner.png'}\n"
            "campaigns:\n"
            f"  - name: {campaign}\n"
            "    description: Reminder for registrants\n"
            f"    active: {active}\n" + extra_campaigns)


def write(project: Any, files: dict[str, str]) -> None:
    folder = project.root / "campaigns"
    folder.mkdir(exist_ok=True)
    for name, body in files.items():
        (folder / name).write_text(body, encoding="utf-8")


def programs_named(server: Any, name: str) -> list[Any]:
    return [c for c in server.backend._containers.values() if c.kind == "Program" and c.name == name]


def writes(server: Any) -> list[str]:
    return [f"{c['method']} {c['path']}" for c in server.calls() if c["kind"] == "api" and c["method"] != "GET"]
