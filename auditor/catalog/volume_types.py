"""Cinder volume types (block storage v3), with their extra specs, QoS and encryption.

``GET /types`` lists only the public types unless an admin asks ``is_public=None``
(cinder.api.api_utils ``_parse_is_public``: absent means public only, the
string ``None`` both). It is paged at ``osapi_max_limit`` with limit and marker,
its next link under ``volume_type_links`` (singular: Cinder's types view).
An admin's answer carries ``extra_specs`` and ``qos_specs_id``. The QoS specs
are ``GET /qos-specs`` (admin); a type's encryption is ``GET
/types/{id}/encryption``, which answers the one encryption object itself, not
wrapped, and ``{}`` for a type without encryption; a private type's projects
are ``GET /types/{id}/os-volume-type-access``.

A volume is compared with its type too: moved to a type without encryption, or
whose QoS limits are lower, it is an error.
"""

from __future__ import annotations

from typing import Any

from auditor.catalog import compute_checks
from auditor.catalog.common import DESCRIPTION, ID, NAME, is_public
from auditor.catalog.identity import PROJECTS
from auditor.catalog.lookups import Reading
from auditor.catalog.policies import ChangeSink, Custom
from auditor.catalog.sources import api, derived
from auditor.catalog.spec import (
    FAN_OUT_KEY,
    CollectionSpec,
    Family,
    FanOut,
    Field,
    Lookup,
    Owner,
    Request,
)
from auditor.catalog.text import fmt
from auditor.catalog.transforms import object_or_none
from auditor.catalog.types import NOBJ, NSTR, NSTRS, OBJECT, TEXT, TEXT_OR_NULL, schema
from auditor.model import Severity

JSON = dict[str, Any]


def _private(volume_type: JSON) -> bool:
    return volume_type.get("is_public") is False


VOLUME_TYPES = Request(
    "block-storage.types",
    "block-storage",
    "/types",
    "volume_types",
    links="volume_type_links",
    query={"is_public": "None"},
    microversioned=True,
    keep=("id", "name"),
    shapes={"id": TEXT, "name": TEXT, "extra_specs": OBJECT, "qos_specs_id": TEXT_OR_NULL},
)
QOS_SPECS = Request(
    "block-storage.qos_specs",
    "block-storage",
    "/qos-specs",
    "qos_specs",
    microversioned=True,
    keep=("id", "name", "consumer", "specs"),
)
# One request per type: Cinder says which types are encrypted nowhere else.
TYPE_ENCRYPTION = Request(
    "block-storage.type_encryption",
    "block-storage",
    "/types/{id}/encryption",
    "",
    microversioned=True,
    fan_out=FanOut(VOLUME_TYPES),
    keep=("volume_type_id", "provider", "cipher", "key_size", "control_location"),
)
# Public types have no access list (Cinder answers 404 for them).
TYPE_ACCESS = Request(
    "block-storage.type_access",
    "block-storage",
    "/types/{id}/os-volume-type-access",
    "volume_type_access",
    microversioned=True,
    fan_out=FanOut(VOLUME_TYPES, select=_private),
    keep=("volume_type_id", "project_id"),
)

ENCRYPTION_PARTS = ("provider", "cipher", "key_size", "control_location")
QOS_PARTS = ("name", "consumer", "specs")


def _by_type(reading: Reading, key: str, type_key: str) -> dict[str, list[JSON]]:
    out: dict[str, list[JSON]] = {}
    for entry in reading.lookups.listing(key):
        type_id = entry.get(type_key) or entry.get(FAN_OUT_KEY)
        if type_id:
            out.setdefault(str(type_id), []).append(entry)
    return out


def _encryption(raw: JSON, reading: Reading) -> JSON | None:
    found = reading.index(
        "encryption", lambda: _by_type(reading, TYPE_ENCRYPTION.key, "volume_type_id")
    ).get(str(raw["id"]))
    if not found or not found[0].get("provider"):
        return None
    return {part: found[0].get(part) for part in ENCRYPTION_PARTS}


def _qos(raw: JSON, reading: Reading) -> JSON | None:
    qos_id = raw.get("qos_specs_id")
    if not qos_id:
        return None
    specs = reading.index(
        "qos", lambda: {str(q["id"]): q for q in reading.lookups.listing(QOS_SPECS.key)}
    )
    found = specs.get(str(qos_id))
    if found is None:
        return {"name": None, "consumer": None, "specs": {}}
    return {
        "name": found.get("name"),
        "consumer": found.get("consumer"),
        "specs": dict(found.get("specs") or {}),
    }


def _access_ids(raw: JSON, reading: Reading) -> list[str]:
    if not _private(raw):
        return []
    entries = reading.index(
        "access", lambda: _by_type(reading, TYPE_ACCESS.key, "volume_type_id")
    ).get(str(raw["id"]), [])
    return sorted({str(e["project_id"]) for e in entries if e.get("project_id")})


def _access_names(raw: JSON, reading: Reading) -> list[str]:
    lookups = reading.lookups
    return sorted(lookups.project_name(p) or p for p in _access_ids(raw, reading))


# -- comparisons --------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def qos_lowered(was: JSON | None, now: JSON | None) -> list[str]:
    """The QoS limits of ``now`` lower than those of ``was`` (or imposed where there were
    none): ``key a -> b``."""
    s_specs = (was or {}).get("specs") or {}
    t_specs = (now or {}).get("specs") or {}
    lowered = []
    for key in sorted(t_specs):
        s_value, t_value = _number(s_specs.get(key)), _number(t_specs[key])
        if t_value is None:
            continue
        if s_value is None and key not in s_specs:
            lowered.append(f"{key} none -> {t_specs[key]}")
        elif s_value is not None and t_value < s_value:
            lowered.append(f"{key} {s_specs[key]} -> {t_specs[key]}")
    return lowered


def extra_specs(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """Extra specs lost or changed (warning: the scheduler places the volumes elsewhere),
    gained (info)."""
    s_specs, t_specs = s.get("extra_specs"), t.get("extra_specs")
    if s_specs is None or t_specs is None or s_specs == t_specs:
        return
    changed = sorted(k for k in s_specs if k in t_specs and s_specs[k] != t_specs[k])
    lost = sorted(k for k in s_specs if k not in t_specs)
    gained = sorted(k for k in t_specs if k not in s_specs)
    if changed or lost:
        parts = [f"{k} {fmt(s_specs[k])} -> {fmt(t_specs[k])}" for k in changed]
        parts += [f"{k} lost" for k in lost]
        message = f"extra specs differ ({'; '.join(parts)})"
        ch.add("extra_specs", s_specs, t_specs, Severity.WARNING, message)
    elif gained:
        ch.add("extra_specs", s_specs, t_specs, Severity.INFO, f"gained extra specs {fmt(gained)}")


def encryption(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """Encryption lost (error: new volumes of the type are written in clear), changed
    (warning), gained (info)."""
    was, now = s.get("encryption"), t.get("encryption")
    if was == now:
        return
    if was and not now:
        message = f"lost its encryption (was {_encryption_text(was)})"
        ch.add("encryption", was, now, Severity.ERROR, message)
    elif now and not was:
        ch.add("encryption", was, now, Severity.INFO, f"is now encrypted ({_encryption_text(now)})")
    elif was and now:
        message = f"encryption changed from {_encryption_text(was)} to {_encryption_text(now)}"
        ch.add("encryption", was, now, Severity.WARNING, message)


def _encryption_text(value: JSON) -> str:
    return " ".join(str(value[p]) for p in ENCRYPTION_PARTS if value.get(p) is not None)


def qos(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """QoS limits lowered or imposed (error), otherwise changed (warning)."""
    was, now = s.get("qos"), t.get("qos")
    s_limits = (was or {}).get("specs") or {}
    t_limits = (now or {}).get("specs") or {}
    lowered = qos_lowered(was, now)
    if lowered:
        message = f"QoS limits are lower ({'; '.join(lowered)})"
        ch.add("qos", was, now, Severity.ERROR, message)
    elif s_limits != t_limits or (was or {}).get("consumer") != (now or {}).get("consumer"):
        message = f"QoS changed from {fmt(s_limits or None)} to {fmt(t_limits or None)}"
        ch.add("qos", was, now, Severity.WARNING, message)


def _types_by_name(ch: ChangeSink, side: str) -> dict[str, JSON]:
    def build() -> dict[str, JSON]:
        items = getattr(ch.ctx, f"{side}_items").get("volume_types", {})
        return {str(i.get("name")): i for i in items.values()}

    found: dict[str, JSON] = ch.ctx.index(f"volume_types.{side}.by_name", build)
    return found


def volume_type(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """A volume on another type (warning), which has no encryption where the source's had
    (error) or lower QoS limits (error): known when the volume types are in the diff."""
    was, now = s.get("volume_type"), t.get("volume_type")
    if was == now or ch.ctx.rules.name("volume_types", was) == now:
        return
    message = f"volume type changed from {fmt(was)} to {fmt(now)}"
    ch.add("volume_type", was, now, Severity.WARNING, message)
    if not ch.ctx.complete.get("volume_types", False):
        return
    s_type = _types_by_name(ch, "source").get(str(was))
    t_type = _types_by_name(ch, "target").get(str(now))
    if s_type is None or t_type is None:
        return
    if s_type.get("encryption") and not t_type.get("encryption"):
        message = f"is now of volume type {fmt(now)}, which has no encryption ({fmt(was)} had)"
        ch.add("volume_type.encryption", True, False, Severity.ERROR, message)
    lowered = qos_lowered(s_type.get("qos"), t_type.get("qos"))
    if lowered:
        message = f"is now of volume type {fmt(now)}, whose QoS is lower ({'; '.join(lowered)})"
        ch.add("volume_type.qos", s_type.get("qos"), t_type.get("qos"), Severity.ERROR, message)


ENCRYPTION = schema(
    type=["object", "null"],
    required=list(ENCRYPTION_PARTS),
    properties={
        "provider": {"$ref": "#/$defs/nullableString"},
        "cipher": {"$ref": "#/$defs/nullableString"},
        "key_size": {"type": ["integer", "null"]},
        "control_location": {"$ref": "#/$defs/nullableString"},
    },
    additionalProperties=False,
)
QOS = schema(
    type=["object", "null"],
    required=list(QOS_PARTS),
    properties={
        "name": {"$ref": "#/$defs/nullableString"},
        "consumer": {"$ref": "#/$defs/nullableString"},
        "specs": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    additionalProperties=False,
)

VOLUME_TYPES_SPEC = CollectionSpec(
    name="volume_types",
    noun="volume type",
    family=Family.BLOCK_STORAGE,
    owner=Owner.CLOUD,
    requests=(VOLUME_TYPES,),
    lookups=(Lookup(QOS_SPECS), Lookup(TYPE_ENCRYPTION), Lookup(TYPE_ACCESS), Lookup(PROJECTS)),
    docs="collections-storage.md#volume-types",
    doc="Listed with is_public=None, so an admin sees the private types too; the QoS specs,"
    " each type's encryption and each private type's access list are admin requests of"
    " their own.",
    fields=(
        ID,
        NAME,
        DESCRIPTION,
        is_public("is_public", "False for a private type."),
        Field(
            "extra_specs",
            api("extra_specs", then=object_or_none),
            NOBJ,
            "Extra specs (volume_backend_name, capabilities...); null when not shown.",
            Custom(extra_specs, "lost or changed: warning; gained: info"),
        ),
        Field(
            "qos_specs_id",
            api("qos_specs_id"),
            NSTR,
            "Id of its QoS specs (null: none).",
        ),
        Field(
            "qos",
            derived(_qos, "qos_specs_id"),
            QOS,
            "{name, consumer, specs} of its QoS specs; null without.",
            Custom(qos, "limits lowered or imposed: error; other change: warning"),
        ),
        Field(
            "encryption",
            derived(_encryption, "id"),
            ENCRYPTION,
            "{provider, cipher, key_size, control_location}; null when not encrypted.",
            Custom(encryption, "lost: error; changed: warning; gained: info"),
        ),
        Field(
            "access",
            derived(_access_names, "is_public", "id"),
            NSTRS,
            "Sorted names of the projects a private type is shared with.",
            Custom(
                compute_checks.flavor_access,
                "no longer shared with a project: error",
                ("projects",),
            ),
        ),
        Field(
            "access_ids",
            derived(_access_ids, "is_public", "id"),
            NSTRS,
            "Sorted ids of those projects (compared through the project matches).",
        ),
    ),
)

SPECS = (VOLUME_TYPES_SPEC,)
