"""Seed files: the example instance, and clear errors (file, line, field) for bad seeds."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from marketo_sync.emulator.backend import MarketoBackend
from marketo_sync.emulator.clock import ManualClock
from marketo_sync.emulator.seed import SeedError, backend_from_seed, example_seed_path, read_seed_file


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "seed.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def load(tmp_path: Path, text: str) -> MarketoBackend:
    return backend_from_seed(write(tmp_path, text), clock=ManualClock("2026-02-01T12:00:00Z"))


# -- the example instance ------------------------------------------------------------------------

def test_example_instance_matches_the_shared_layout() -> None:
    backend = backend_from_seed(example_seed_path())
    parents = {c["id"]: c["parent"] for c in backend.export_state()["campaigns"]}  # system ones carry no folder
    campaigns = {(parents[c["id"]][1], parents[c["id"]][0], c["name"]): c
                 for c in backend.browse_campaigns(max_return=200)}
    summary = {key: (c["type"], c["isActive"], c["isRequestable"], c["isSystem"]) for key, c in campaigns.items()}
    assert summary == {
        ("Folder", 1101, "Webinar Reminder Template"): ("trigger", True, True, False),
        ("Folder", 1101, "Onboarding Step Template"): ("trigger", False, False, False),
        ("Folder", 1101, "Form Fill Follow-up Template"): ("trigger", False, False, False),
        ("Folder", 1101, "Empty Flow Template"): ("trigger", False, False, False),
        ("Folder", 1101, "Newsletter Batch Template"): ("batch", False, False, False),
        # the webinar program template (in Templates): its reminder is inactive, as a template's is
        ("Program", 1104, "Send Webinar Reminder"): ("trigger", False, False, False),
        ("Program", 1102, "01 - Registration Confirmation"): ("trigger", True, False, False),
        ("Program", 1103, "01 - Registration Confirmation"): ("trigger", True, False, False),
        ("Folder", 1103, "Monthly Newsletter - November"): ("batch", False, False, False),
        ("Folder", 1103, "Monthly Newsletter - December"): ("batch", False, False, False),
        ("Folder", 1104, "Data Hygiene - Fix Country Values"): ("batch", False, False, False),
        ("Folder", 1104, "Score - Web Visit"): ("trigger", True, False, False),
        ("Folder", 1104, "Legacy Lead Routing"): ("trigger", False, False, False),
        ("Folder", 1105, "Process Bounced Emails"): ("batch", False, False, True),
        ("Folder", 1105, "Process Unsubscribes"): ("batch", False, False, True),
    }
    assert all(c["description"] for c in campaigns.values())
    flows = {c["name"]: [s["activityTypeName"] for s in c["flow"]["steps"]]
             for c in backend.browse_campaigns(folder=(1101, "Folder"), include_flow=True)}
    assert flows == {"Webinar Reminder Template": ["Send Email"], "Onboarding Step Template": ["Send Email", "Wait"],
                     "Form Fill Follow-up Template": ["Send Email", "Change Data Value"],
                     "Empty Flow Template": [], "Newsletter Batch Template": ["Send Email"]}
    [template] = backend.browse_campaigns(folder=(1104, "Program"), include_flow=True)
    rules = backend.get_campaign_smart_list(template["id"], include_rules=True)[0]["rules"]
    assert [t["name"] for t in rules["triggers"]] == ["Campaign is Requested"]
    assert [s["activityTypeName"] for s in template["flow"]["steps"]] == ["Send Email"]
    tokens = backend.get_tokens((1104, "Program"))[0]["tokens"]
    assert [t["name"] for t in tokens] == ["WebinarTitle", "JoinLink", "WebinarImage"]  # the tutorial's
    roots = [(f["name"], f["folderType"], f["isSystem"]) for f in backend.browse_folders(max_depth=0)]
    assert roots == [("Marketing Activities", "Zone", True), ("Design Studio", "Zone", True)]
    assert backend.get_folders_by_name("Emails")[0]["folderType"] == "Email"
    leads = backend.get_leads(filter_type="id", filter_values=[str(i) for i in range(1002200, 1002210)])
    assert [lead["email"] for lead in leads] == [f"lead{i}@example.com" for i in range(10)]
    assert all(lead["firstName"] for lead in leads)
    may = backend.get_tokens((1103, "Program"))[0]["tokens"]
    assert [t["name"] for t in may] == ["WebinarTitle", "JoinLink"]


# -- the format ----------------------------------------------------------------------------------

def test_a_small_seed_with_nested_programs_generated_campaigns_and_defaults(tmp_path: Path) -> None:
    backend = load(tmp_path, """
        folders:
          - name: Marketing Activities
            folders:
              - name: Programs
                programs:
                  - name: Nurture 2026
                    type: Engagement
                    status: "on"
                    tokens: [{name: Offer, type: number, value: "10"}, {name: Launch, type: date, value: 2026-05-14}]
                    folders:
                      - name: Streams
                        campaigns:
                          - name: Stream {n:03d}
                            count: 3
                            filters: [{name: Member of Program, program: Nurture 2026}]
                    campaigns:
                      - name: Enter Nurture
                        triggers: [{name: Added to List, list: Nurture Entrants}]
                        flow: [{action: Add to List, list: In Nurture}]
                        qualificationRuleType: interval
                        qualificationRuleInterval: 2
                        qualificationRuleUnit: week
                        isCommunicationLimitEnabled: false
        leads:
          - {email: someone@example.com, firstName: Sam, company: Example Corp, birthDate: 1990-04-01}
    """)
    program = backend.get_program_by_name("Nurture 2026")[0]
    assert (program["type"], program["status"], program["channel"]) == ("Engagement", "on", "Operational")
    streams = backend.get_folders_by_name("Streams")[0]
    names = [c["name"] for c in backend.browse_campaigns(folder=(streams["id"], "Folder"))]
    assert names == ["Stream 001", "Stream 002", "Stream 003"]
    enter = backend.get_campaign_by_name("Enter Nurture")[0]
    assert (enter["qualificationRuleType"], enter["qualificationRuleInterval"], enter["qualificationRuleUnit"]) == \
        ("interval", 2, "week")
    assert enter["isCommunicationLimitEnabled"] is False and enter["parentProgramId"] == program["id"]
    assert enter["createdAt"] == "2026-02-01T12:00:00Z+0000"  # no createdAt in the seed: the clock
    lead = backend.get_leads(filter_type="email", filter_values=["someone@example.com"],
                             fields=["company"])[0]
    assert lead["company"] == "Example Corp" and lead["id"] >= 1_000_000
    tokens = backend.get_tokens((program["id"], "Program"))[0]["tokens"]
    assert [(t["name"], t["value"]) for t in tokens] == [("Offer", "10"), ("Launch", "2026-05-14")]
    assert backend.get_leads(filter_type="email", filter_values=["someone@example.com"],
                             fields=["birthDate"])[0]["birthDate"] == "1990-04-01"
    json.dumps(backend.export_state())  # YAML dates are stored as text, so the state stays JSON


def test_rules_expand_to_api_shapes(tmp_path: Path) -> None:
    backend = load(tmp_path, """
        folders:
          - name: Marketing Activities
            campaigns:
              - name: Routing
                triggers:
                  - name: Data Value Changes
                    attribute: Lead Status
                    conditions: [{attribute: New Value, operator: is not, values: [Disqualified, Junk]}]
                filters: [{name: Job Title, operator: contains, job title: [VP, Director]}]
                filterMatchType: custom
                filterCustomRuleLogic: "1"
                flow:
                  - action: Change Owner
                    new owner: Sales Queue
                    choices:
                      - {if: {name: Country, operator: is, values: [France, Germany]}, new owner: EMEA Queue}
    """)
    rules = backend.get_campaign_smart_list(backend.get_campaign_by_name("Routing")[0]["id"], include_rules=True)[0]["rules"]
    assert rules["filterMatchType"] == "custom" and rules["filterCustomRuleLogic"] == "1"
    trigger = rules["triggers"][0]
    assert [(c["activityAttributeName"], c["operator"], c["values"], c["isPrimary"]) for c in trigger["conditions"]] == [
        ("Attribute", "is", ["Lead Status"], True), ("New Value", "is not", ["Disqualified", "Junk"], False)]
    job_filter = rules["filters"][0]
    assert (job_filter["ruleType"], job_filter["operator"]) == ("Attribute", "contains")
    assert job_filter["conditions"][0]["attributeName"] == "Job Title"
    assert job_filter["conditions"][0]["values"] == ["VP", "Director"]
    step = backend.get_campaign_by_name("Routing")[0]["flow"]["steps"][0]
    assert [(c["default"], c["attributes"][0]["value"]) for c in step["stepChoice"]] == [
        (False, "EMEA Queue"), (True, "Sales Queue")]
    rule = step["stepChoice"][0]["rule"]
    assert (rule["name"], rule["operator"], rule["ruleType"], rule["values"]) == \
        ("Country", "is", "Attribute", ["France", "Germany"])
    assert "rule" not in step["stepChoice"][1]
    clone = backend.clone_campaign(backend.get_campaign_by_name("Routing")[0]["id"], name="Routing 2",
                                   folder=(backend.browse_folders(max_depth=0)[0]["id"], "Folder"))[0]
    cloned_step = backend.get_campaign(clone["id"])[0]["flow"]["steps"][0]
    assert [c["rule"] for c in cloned_step["stepChoice"] if not c["default"]] == [rule]
    assert {c["id"] for c in cloned_step["stepChoice"]}.isdisjoint({c["id"] for c in step["stepChoice"]})


# -- errors name the file, the line and the field -------------------------------------------------

@pytest.mark.parametrize(("text", "line", "fragment"), [
    ("""
     folders:
       - name: Marketing Activities
         campaigns:
           - name: Typo
             triggers:
               - {name: Fills Out Froms}
     """, 7, "campaigns[0].triggers[0].name: unknown trigger 'Fills Out Froms'"),
    ("""
     folders:
       - name: Marketing Activities
         campaigns:
           - name: Flowless
             triggers: [Fills Out Form]
             active: true
     """, 5, "campaigns[0].active: a campaign without a flow step cannot be active"),
    ("""
     folders:
       - name: Marketing Activities
         campaigns:
           - name: Batch
             filters: [Country]
             flow: [Send Email]
             active: true
     """, 5, "campaigns[0].active: only a campaign with a trigger can be active"),
    ("""
     folders:
       - name: Marketing Activities
         campaigns:
           - {name: Twin}
           - {name: Twin}
     """, 6, "campaigns[1].name: campaign 'Twin' already exists in 'Marketing Activities'"),
    ("""
     folders:
       - name: Marketing Activities
         colour: blue
     """, 3, "folders[0].colour: unknown key"),
    ("""
     folders:
       - name: Marketing Activities
         campaigns:
           - name: Mail
             flow: [{action: Send Emails, email: X}]
     """, 6, "flow[0].action: unknown flow action 'Send Emails'"),
    ("""
     folders:
       - name: Marketing Activities
         campaigns:
           - name: Mail
             flow: [{action: Send Email, template: X}]
     """, 6, "flow[0].template: flow action 'Send Email' has no attribute 'template'"),
    ("""
     folders:
       - name: Marketing Area
     """, 3, "folders[0].name: a top-level folder must be one of Marketing Activities, Design Studio"),
    ("""
     folders:
       - name: Design Studio
         campaigns: [{name: Lost}]
     """, 3, "folders[0].campaigns: smart campaigns live in Marketing Activities only"),
    ("""
     folders:
       - name: Marketing Activities
         programs:
           - name: P
             tokens: [{name: "{{my.Title}}", type: text, value: x}]
     """, 6, "tokens[0].name: use the bare name"),
    ("""
     folders:
       - name: Marketing Activities
         programs:
           - name: P
             tokens: [{name: Title, type: colour, value: x}]
     """, 6, "tokens[0].type: expected one of"),
    ("""
     folders:
       - name: Marketing Activities
         id: 7
         folders: [{name: A, id: 7}]
     """, 5, "folders[0].folders[0].id: Folder id 7 is used twice"),
    ("""
     folders:
       - name: Marketing Activities
         campaigns:
           - {name: "Batch", count: 3}
     """, 5, "campaigns[0].count: needs a name with {n}"),
    ("""
     folders: []
     leads:
       - {email: a@example.com}
       - {email: A@example.com}
     """, 5, "leads[1].email: 'A@example.com' is used by another lead"),
    ("""
     folders:
       - name: Marketing Activities
         campaigns:
           - name: ""
     """, 5, "campaigns[0].name: cannot be blank"),
])
def test_seed_errors_name_file_line_and_field(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SeedError) as failure:
        read_seed_file(path)
    message = str(failure.value)
    assert message.startswith(f"{path}, line {line}: "), message
    assert fragment in message, message


def test_unreadable_and_invalid_yaml_files(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="cannot read seed file"):
        read_seed_file(tmp_path / "missing.yaml")
    with pytest.raises(SeedError, match="not valid YAML"):
        read_seed_file(write(tmp_path, "folders: [\n"))
    with pytest.raises(SeedError, match="seed: expected a mapping"):
        read_seed_file(write(tmp_path, "- just a list\n"))
