"""Write docs/rules.md, the rules file reference, from the rules JSON Schema.

    python docs/gen_rules_reference.py          # rewrite docs/rules.md
    python docs/gen_rules_reference.py --check  # exit 1 if docs/rules.md is stale

The schema (auditor/schemas/rules.schema.json, its collection names completed
from the catalog: ``auditor schema rules``) is what the auditor validates rules
files against, so the reference cannot drift from the code: the tests run --check.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "docs" / "rules.md"
EXAMPLE = REPO / "playbooks" / "files" / "rules.yaml"

Node = dict[str, Any]


def resolve(node: Node, schema: Node) -> Node:
    """``node`` with its ``$ref`` (into ``$defs``) merged in; its own keys win."""
    ref = node.get("$ref")
    if not ref:
        return node
    target = schema
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return {**resolve(target, schema), **{k: v for k, v in node.items() if k != "$ref"}}


def type_of(node: Node, schema: Node) -> str:
    if node.get("$ref") == "#/$defs/collection":
        return "collection name"
    node = resolve(node, schema)
    if "const" in node:
        return f"`{json.dumps(node['const'])}`"
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    kind = node.get("type", "any")
    if kind == "array":
        items = node.get("items", {})
        if resolve(items, schema).get("type") == "object":
            return "list of mappings"
        inner = type_of(items, schema)
        return f"list of {inner}s" if inner in ("string", "collection name") else f"list of {inner}"
    if kind == "object":
        return "mapping"
    return str(kind)


def constraints(node: Node, schema: Node) -> str:
    node = resolve(node, schema)
    out = []
    if node.get("minItems"):
        out.append(f"at least {node['minItems']} item(s)")
    if node.get("uniqueItems"):
        out.append("no duplicates")
    if node.get("minLength"):
        out.append("not empty")
    if "pattern" in node.get("propertyNames", {}):
        out.append(f"keys match `{node['propertyNames']['pattern']}`")
    if "$ref" in node.get("propertyNames", {}):
        out.append("keys are collection names")
    values = node.get("additionalProperties")
    if isinstance(values, dict) and node.get("type") == "object" and not node.get("properties"):
        out.append(f"values: {type_of(values, schema)}")
    return "; ".join(out)


def rows(node: Node, schema: Node, path: str, required: bool) -> Iterator[list[str]]:
    kind = type_of(node, schema)
    node = resolve(node, schema)
    if path:
        yield [
            f"`{path}`",
            kind,
            "yes" if required else "",
            " ".join(filter(None, [node.get("description", ""), constraints(node, schema)])),
        ]
    if node.get("type") == "object":
        needed = set(node.get("required", []))
        for name, child in node.get("properties", {}).items():
            yield from rows(child, schema, f"{path}.{name}" if path else name, name in needed)
    if node.get("type") == "array":
        items = resolve(node.get("items", {}), schema)
        if items.get("type") == "object":
            needed = set(items.get("required", []))
            for name, child in items.get("properties", {}).items():
                yield from rows(child, schema, f"{path}[].{name}", name in needed)


def cell(text: str) -> str:
    """Table cell text: no HTML is meant, so angle brackets are shown as such."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\n", " ")


FOLDS = """## Folds: projects merged on purpose

Sometimes the migration merges several source projects into one target
project: a customer of both legacy clouds gets one tenant in the new one
(`cw-acme` of Cloudwatt and `nm-acme` of Numergy become `ocb-acme`), or a
staging tenant joins its production project. Say so in the rules:

```yaml
version: 1
rename:
  regions: {fr1: ocb-fr1, nm1: ocb-fr1}
  domains: {cloudwatt: ocb, numergy: ocb}
  names:
    - {collections: [projects, servers, volumes], pattern: '^(cw|nm)-(.*)$', replace: 'ocb-\\2'}
fold:
  - into: ocb-acme                  # the target project
    projects: [cw-acme, nm-acme]    # the source projects merged into it (any source)
```

and audit the sources together (`auditor audit --source cloudwatt@fr1 --source
numergy@nm1 --target ocb@ocb-fr1 --rules rules.yaml`, or one source when the
projects were in one cloud). Each folded project is matched with the target
project its fold names, whatever the renames say, and compared as a fold:

- the target project must hold the **union** of their resources: each server,
  volume, network... of either source project is matched inside it as usual,
  and two of them claiming one target resource (both had a `web` server that
  became `ocb-web`) is still `ambiguous` (one source) or a `conflict` (two
  sources);
- what a project has one of is compared **once for the fold**: each quota
  limit must allow the **sum** of the source projects' usage (error below it;
  a warning below the largest limit one of them had alone), and the target's
  `default` security group must hold the union of their `default` groups'
  rules;
- a fold's project is not compared on its description (one target project
  cannot carry both); everything else is, for each source project.

A fold is a declaration, never a guess. Several source projects landing on
one target project *without* a fold (the renames happen to give both the
same name) is an error: `ambiguous` within one source, `conflict` across
sources, with the `fold:` entry to add if the merge was meant. Their
resources are then **not paired** (one `ambiguous` finding per collection
says how many), because nothing says which target resource is whose.

The rules are checked: a fold needs at least two source projects, and a
source project may be in one fold only (`fold[1].projects[0]: 'nm-acme' is
already folded into 'ocb-acme' (fold[0])`). A fold whose projects a source
does not have is not an error: in a merger, each source has only some of them.

## Ignoring items whatever their case

`ignore.items` globs are case-sensitive, as Keystone, Nova and Neutron names
are. Add `ignore_case: true` to an entry to leave out `TMP-1` and `Tmp-2`
with `tmp-*`:

```yaml
ignore:
  items:
    - {collection: servers, name: 'tmp-*', ignore_case: true}
```
"""


DNS = """## DNS names: `rename.dns`

DNS names are not renamed by a regex per collection but by their suffix: the
rebranding moved a domain, and everything under it moved with it. With

```yaml
rename:
  dns: {cloudwatt.com: orange-business.com}
```

the zone `acme.cloudwatt.com.` is looked for as `acme.orange-business.com.`
(within its project's counterpart), the record set `www.acme.cloudwatt.com.`
(A) as `www.acme.orange-business.com.` (A) in that zone, and a record's data
naming a host under the old suffix (a CNAME, MX, NS, SRV or PTR target, a
TXT string such as an SPF `include:`) is expected to name it under the new
one: a record left at the old name is a lost record (an error) and, with
`residue.patterns`, residue (an error in DNS data). Suffixes compare
case-insensitively, with or without the final dot; the longest one that
holds a name wins; `rename.names` entries naming `dns_zones` or
`dns_recordsets` still apply after it. Addresses (A, AAAA) are not renamed:
they must be addresses the target project owns (its floating IPs, ports or
servers' addresses, when those collections are listed).
"""


def render(schema: Node, example: str) -> str:
    collections = resolve({"$ref": "#/$defs/collection"}, schema)["enum"]
    lines = [
        "<!-- Generated by docs/gen_rules_reference.py from"
        " auditor/schemas/rules.schema.json: do not edit by hand. -->",
        "",
        "# Rules reference",
        "",
        f"{schema['description']}",
        "",
        f"A rules file is YAML, `{schema['title']}`. It is validated strictly before any"
        " cloud is contacted: an unknown key, a wrong type, a regular expression that"
        " does not compile or a replacement naming a group its pattern lacks is an"
        " error naming the file, the line and the key (exit code 2)."
        " `auditor schema rules` prints the JSON Schema this page is generated from.",
        "",
        "## Keys",
        "",
        "| key | type | required | meaning |",
        "|---|---|---|---|",
    ]
    lines += [
        "| " + " | ".join(cell(c) for c in row) + " |" for row in rows(schema, schema, "", True)
    ]
    lines += [
        "",
        "`[]` marks the keys of each mapping in a list.",
        "",
        "## Collections",
        "",
        "Wherever a key takes collection names, they are: "
        + ", ".join(f"`{c}`" for c in collections)
        + ".",
        "",
        FOLDS,
        DNS,
        "## Example",
        "",
        "The example rules of the playbooks (`playbooks/files/rules.yaml`):",
        "",
        "```yaml",
        example.rstrip("\n"),
        "```",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if docs/rules.md is stale")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from auditor.schemas import load_schema

    text = render(load_schema("rules"), EXAMPLE.read_text())
    if args.check:
        if OUTPUT.read_text() != text:
            print(f"{OUTPUT} is stale: run python docs/gen_rules_reference.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
