"""Heat v1 (service type ``orchestration``): stacks, with parameters and outputs.

``GET /v1/{tenant_id}/stacks?global_tenant=True`` lists every project's
stacks to an admin (policy ``stacks:global_index``; each item then says its
``project``); it is paged with ``limit`` and ``marker``, and a page as long
as the ``limit`` asked links the next one in a top-level ``links`` list (no
limit asked: every stack at once). Nested and hidden stacks are not listed.
The listing has no parameters and no outputs: one ``GET /stacks/{id}`` per
stack (Heat redirects it, 302, to ``/stacks/{name}/{id}``, which an admin may
read in any project) answers ``{"stack": {...}}`` with them.

``OS::``-prefixed parameters (``OS::stack_id``, ``OS::project_id``...) are the
stack's own ids: not compared. Hidden parameters read ``******``.
"""

from __future__ import annotations

import json
from typing import Any

from auditor.catalog.common import ID, owned_by_project
from auditor.catalog.identity import OWNERS
from auditor.catalog.lookups import Reading
from auditor.catalog.policies import ChangeSink, Custom, CustomCheck, Exact
from auditor.catalog.sources import api, derived
from auditor.catalog.spec import CollectionSpec, Family, FanOut, Field, Lookup, Owner, Request
from auditor.catalog.text import fmt
from auditor.catalog.types import NBOOL, NSTR, OBJECT, STR_MAP, TEXT, TEXT_OR_NULL, nullable
from auditor.model import Severity
from auditor.secrets import mask_mapping

JSON = dict[str, Any]

SERVICE = "orchestration"

STACKS = Request(
    f"{SERVICE}.stacks",
    SERVICE,
    "/stacks",
    "stacks",
    links="links",
    all_projects="global_tenant",
    # Heat has no page cap: without a limit it answers every stack, and links no page.
    page_size=1000,
    keep=("id", "stack_name", "project"),
    shapes={"stack_name": TEXT, "stack_status": TEXT},
)
STACK = Request(
    f"{SERVICE}.stack",
    SERVICE,
    "/stacks/{id}",
    "stack",
    fan_out=FanOut(STACKS),
    shapes={"parameters": OBJECT, "stack_status": TEXT, "template_description": TEXT_OR_NULL},
)

NSTR_MAP = nullable(STR_MAP)

PSEUDO = "OS::"
"""The prefix of the parameters Heat sets itself (the stack's own ids and name)."""


def _project(raw: JSON, reading: Reading) -> str | None:
    """The owning project, as the all-projects listing says it (the show does not)."""
    index: dict[str, JSON] = reading.index(
        "stacks", lambda: {str(s["id"]): s for s in reading.lookups.listing(STACKS.key)}
    )
    listed = index.get(str(raw.get("id")), {})
    project = listed.get("project")
    return str(project) if project else None


def _parameters(value: Any) -> dict[str, str] | None:
    """The template's parameters (``OS::`` ones left out), secret-looking ones masked: a
    parameter not declared ``hidden`` is answered in clear."""
    if not isinstance(value, dict):
        return None
    return mask_mapping(
        {str(k): _text(v) for k, v in value.items() if not str(k).startswith(PSEUDO)}
    )


def _outputs(value: Any) -> dict[str, str] | None:
    """``[{output_key, output_value}]`` -> {key: value as text} (JSON for a non-string),
    secret-looking ones masked."""
    if not isinstance(value, list):
        return None
    return mask_mapping(
        {
            str(o["output_key"]): _text(o.get("output_value"))
            for o in value
            if isinstance(o, dict) and o.get("output_key") is not None
        }
    )


def _outputs_back(value: Any) -> list[JSON]:
    """How Heat answers outputs: a list of ``{output_key, output_value, description}``."""
    return [
        {"output_key": k, "output_value": v, "description": ""} for k, v in (value or {}).items()
    ]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _values(field: str, what: str) -> CustomCheck:
    """Key by key: a lost key is an error, a value that is not the source's after the rules'
    URL renaming a warning."""

    def check(s: JSON, t: JSON, ch: ChangeSink) -> None:
        if not ch.wanted(field):
            return
        rules = ch.ctx.rules
        was, now = s.get(field) or {}, t.get(field) or {}
        for key in sorted(was):
            name = f"{field}.{key}"
            if key not in now:
                ch.add(name, was[key], None, Severity.ERROR, f"lost {what} {key}")
                continue
            expected = rules.url(was[key])
            if now[key] != expected and now[key] != was[key]:
                ch.add(
                    name,
                    was[key],
                    now[key],
                    Severity.WARNING,
                    f"{what} {key} changed from {fmt(was[key])} to {fmt(now[key])}",
                )

    return check


def stack_status(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """A stack in a ``*_FAILED`` status on the target is an error, whatever the source's;
    one still ``*_IN_PROGRESS`` a warning."""
    now = str(t.get("status") or "")
    reason = t.get("status_reason")
    because = f": {reason}" if reason else ""
    if now.endswith("_FAILED"):
        message = f"is in status {now}{because}"
        ch.add("status", s.get("status"), now, Severity.ERROR, message)
    elif now.endswith("_IN_PROGRESS"):
        ch.add("status", s.get("status"), now, Severity.WARNING, f"is still in status {now}")


STACKS_SPEC = CollectionSpec(
    name="stacks",
    noun="stack",
    family=Family.ORCHESTRATION,
    owner=Owner.PROJECT,
    requests=(STACK,),
    lookups=(*OWNERS, Lookup(STACKS)),
    optional=True,
    docs="collections-apps.md#stacks",
    doc=(
        "Top-level stacks only (nested ones belong to their parent's resources);"
        " an old-brand URL in a parameter or an output is residue."
    ),
    fields=(
        ID,
        Field(
            "name",
            api("stack_name"),
            NSTR,
            "Stack name.",
            residue=True,
        ),
        *owned_by_project(source=derived(_project, "id")),
        Field(
            "status",
            api("stack_status"),
            NSTR,
            "CREATE_COMPLETE, UPDATE_FAILED... (action_status).",
            Custom(stack_status, "`*_FAILED` on the target: error; `*_IN_PROGRESS`: warning"),
        ),
        Field("status_reason", api("stack_status_reason"), NSTR, "Why it is in that status."),
        Field(
            "template_description",
            api("template_description"),
            NSTR,
            "The template's description.",
            Exact(Severity.WARNING, "template description", blank=""),
            residue=True,
        ),
        Field(
            "disable_rollback",
            api("disable_rollback"),
            NBOOL,
            "True when a failed create is not rolled back.",
            Exact(Severity.INFO, "disable rollback"),
        ),
        Field(
            "parameters",
            api("parameters", then=_parameters),
            NSTR_MAP,
            "Parameter values (hidden ones read ******, secret-looking ones masked), OS:: ones"
            " left out.",
            Custom(_values("parameters", "parameter"), "lost: error; changed: warning"),
            residue=True,
        ),
        Field(
            "outputs",
            api("outputs", then=_outputs, back=_outputs_back),
            NSTR_MAP,
            "Output values (JSON text when not a string; secret-looking ones masked).",
            Custom(_values("outputs", "output"), "lost: error; changed: warning"),
            residue=True,
        ),
    ),
)

SPECS = (STACKS_SPEC,)
