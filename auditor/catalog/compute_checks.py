"""Comparisons of compute fields whose meaning no generic policy holds.

A server's flavor is compared by size (and by renamed name when the sizes
are the same), its boot image by renamed name; a private flavor's access
list through the project matches (names alone are ambiguous across
domains); a keypair's fingerprint says whose key it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from auditor.catalog.policies import ChangeSink
from auditor.catalog.text import beside, fmt
from auditor.model import Severity

JSON = dict[str, Any]

FLAVOR_PARTS = ("vcpus", "ram", "disk")
FLAVOR_UNITS = (("vcpus", "vCPU"), ("ram", "MiB RAM"), ("disk", "GiB disk"))


def flavor_text(flavor: JSON) -> str | None:
    """``m1.small (1 vCPU, 2048 MiB RAM, 20 GiB disk)``."""
    if not flavor:
        return None
    sizes = [f"{flavor[k]} {unit}" for k, unit in FLAVOR_UNITS if isinstance(flavor.get(k), int)]
    name = str(flavor.get("name") or "unnamed flavor")
    return f"{name} ({', '.join(sizes)})" if sizes else name


def image_text(image: JSON | None) -> str | None:
    """``debian-12 (its id)``; None without an image (the value reads as none)."""
    if not image:
        return None
    name = image.get("name")
    return beside(str(name), image.get("id")) if name else str(image.get("id"))


def _resized(s_flavor: JSON, t_flavor: JSON, smaller: bool) -> list[str]:
    return [
        f"{k} {s_flavor.get(k)} -> {t_flavor.get(k)}"
        for k in FLAVOR_PARTS
        if isinstance(s_flavor.get(k), int)
        and isinstance(t_flavor.get(k), int)
        and (t_flavor[k] < s_flavor[k] if smaller else t_flavor[k] > s_flavor[k])
    ]


def server_flavor(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """A smaller flavor (error), a larger one (info), the same size renamed (info)."""
    s_flavor, t_flavor = s.get("flavor") or {}, t.get("flavor") or {}
    expected = ch.ctx.rules.name("flavors", s_flavor.get("name"))
    t_name = t_flavor.get("name")
    if s_flavor != t_flavor:  # else the same size: only the name may be unexpected
        smaller = _resized(s_flavor, t_flavor, smaller=True)
        larger = [] if smaller else _resized(s_flavor, t_flavor, smaller=False)
        if smaller or larger:
            instead = f", expected {expected}" if expected and expected != t_name else ""
            texts = (flavor_text(s_flavor), flavor_text(t_flavor))
            which, severity = ("smaller", Severity.ERROR) if smaller else ("larger", Severity.INFO)
            sizes = "; ".join(smaller or larger)
            message = f"has a {which} flavor {fmt(t_name)}{instead} ({sizes})"
            ch.add("flavor", s_flavor, t_flavor, severity, message, texts=texts)
            return
    if expected != t_name and expected and t_name:
        ch.add(
            "flavor.name",
            expected,
            t_name,
            Severity.INFO,
            f"has flavor {t_name}, expected {expected} (the same size)",
        )


def boot_image(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """Boots from a volume instead of an image (or the reverse), or from another image."""
    s_image, t_image = s.get("image"), t.get("image")
    if bool(s_image) != bool(t_image):
        texts = (image_text(s_image), image_text(t_image))
        ch.add(
            "image",
            s_image,
            t_image,
            Severity.WARNING,
            "now boots from a volume (had an image)"
            if s_image
            else f"now boots from image {fmt((t_image or {}).get('name'))}",
            texts=texts,
        )
    elif s_image and t_image:
        s_name = ch.ctx.rules.name("images", s_image.get("name"))
        t_name = t_image.get("name")
        if s_name and t_name and s_name != t_name:
            texts = (image_text(s_image), image_text(t_image))
            message = f"boots from image {t_name}, expected {s_name}"
            ch.add("image", s_image, t_image, Severity.WARNING, message, texts=texts)


def lost_addresses(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """Every address lost (a renumbered server keeps its addresses, on other networks)."""
    if s.get("addresses") and not t.get("addresses"):
        ch.add(
            "addresses",
            sorted(s["addresses"]),
            [],
            Severity.WARNING,
            f"has no network address (had some on {fmt(sorted(s['addresses']))})",
        )


PINNING_SPECS = ("hw:cpu_policy", "hw:mem_page_size")
"""Extra specs whose loss silently drops a guest's dedicated CPUs or huge pages."""


def extra_specs(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """Extra specs that differ (warning: a changed hw:* or aggregate_instance_extra_specs:*
    key, any other); a lost hw:cpu_policy or hw:mem_page_size is an error: the guests
    silently lose their dedicated CPUs or huge pages. Null (before compute 2.61) is
    unknown."""
    s_specs, t_specs = s.get("extra_specs"), t.get("extra_specs")
    if s_specs is None or t_specs is None or s_specs == t_specs:
        return
    lost = [k for k in PINNING_SPECS if k in s_specs and k not in t_specs]
    for key in lost:
        message = f"lost extra spec {key}={s_specs[key]}"
        ch.add(f"extra_specs.{key}", s_specs[key], None, Severity.ERROR, message)
    keys = sorted(
        k for k in set(s_specs) | set(t_specs) if s_specs.get(k) != t_specs.get(k) and k not in lost
    )
    if keys:
        message = f"extra specs differ ({fmt(keys)})"
        ch.add("extra_specs", s_specs, t_specs, Severity.WARNING, message)


def _lost_access(ch: ChangeSink, s: JSON, t: JSON) -> Iterable[tuple[str, str]]:
    """(target project id or expected name, label) of each project the flavor lost."""
    ctx = ch.ctx
    if ctx.complete.get("projects", False):
        mapping = ctx.maps.get("projects", {})
        actual = set(t.get("access_ids") or [])
        # A source project without a counterpart is a project finding of its own.
        expected = sorted({mapping[p] for p in s.get("access_ids") or [] if p in mapping})
        return [
            (pid, ctx.counterpart_label("projects", pid)) for pid in expected if pid not in actual
        ]
    rename = ctx.rules.name
    names = {str(rename("projects", n)) for n in s.get("access") or []}
    have = set(t.get("access") or [])
    return [(name, name) for name in sorted(names - have)]


def _gained_access(ch: ChangeSink, s: JSON, t: JSON) -> list[str]:
    ctx = ch.ctx
    if not ctx.complete.get("projects", False):
        return []
    mapping = ctx.maps.get("projects", {})
    expected = {mapping[p] for p in s.get("access_ids") or [] if p in mapping}
    counterparts = ctx.counterparts.get("projects", frozenset())
    return sorted(
        ctx.counterpart_label("projects", p)
        for p in t.get("access_ids") or []
        if p not in expected and p in counterparts
    )


def flavor_access(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """A private flavor no longer shared with a project's counterpart (error; the
    project's scorecard row counts it), or shared with another one (info)."""
    # A public target flavor is every project's: only private ones can lose a project.
    if s.get("is_public", True) or t.get("is_public", True) or not ch.wanted("access"):
        return
    lost = list(_lost_access(ch, s, t))
    if lost:
        ch.add(
            "access",
            [key for key, _label in lost],
            None,
            Severity.ERROR,
            f"is no longer shared with project(s) {fmt([label for _key, label in lost])}",
            texts=(", ".join(beside(label, key) for key, label in lost), None),
        )
        if ch.ctx.complete.get("projects", False):
            ch.affects(key for key, _label in lost)
    gained = _gained_access(ch, s, t)
    if gained:
        ch.add("access", None, gained, Severity.INFO, f"is now shared with {fmt(gained)} too")


def fingerprint(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """Another public key: the tenant's private key no longer opens its servers."""
    if s.get("fingerprint") != t.get("fingerprint"):
        owner = f"{t.get('domain') or '-'}/{t.get('user') or t.get('user_id')}"
        ch.add(
            "fingerprint",
            s.get("fingerprint"),
            t.get("fingerprint"),
            Severity.ERROR,
            f"of user {owner} holds a different public key (fingerprint"
            f" {fmt(t.get('fingerprint'))}, was {fmt(s.get('fingerprint'))}): the private key"
            " the tenant has no longer opens its servers",
        )


def _reason(value: Any, lead: str = "") -> str:
    return f" ({lead}{value})" if isinstance(value, str) and value else ""


def server_lock(s: JSON, t: JSON, ch: ChangeSink) -> None:
    """Locked in the source, no longer in the target: error (non-admin users may again
    stop, rebuild or delete it); locked only in the target: info; still locked for
    another reason (both known, compute 2.73+): info. Null (below compute 2.9, or a
    snapshot that does not say) is unknown."""
    was, now = s.get("locked"), t.get("locked")
    if was is True and now is False:
        why = _reason(s.get("locked_reason"), "it was locked: ")
        ch.add(
            "locked",
            True,
            False,
            Severity.ERROR,
            f"is no longer locked{why}: non-admin users may stop, rebuild or delete it again",
        )
    elif was is False and now is True:
        ch.add(
            "locked", False, True, Severity.INFO, f"is now locked{_reason(t.get('locked_reason'))}"
        )
    elif was is True and now is True:
        before, after = s.get("locked_reason"), t.get("locked_reason")
        if isinstance(before, str) and isinstance(after, str) and before != after:
            ch.add(
                "locked_reason",
                before,
                after,
                Severity.INFO,
                f"is locked for another reason: {fmt(after)} (was {fmt(before)})",
            )
