"""The options several commands share: the common ones, a report's, the filters; and the
help formatter that names the collections only when a help text is shown."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from auditor.catalog import registry
from auditor.defaults import DEFAULT_TIMEOUT
from auditor.model import Severity
from auditor.model.flux import DEFAULT_MAX_REREADS
from auditor.render import Format


class HelpFormatter(argparse.HelpFormatter):
    """Fills in the collection names and the default timeout when a help text is shown.

    They come from the catalog, not from the collection layer: ``--help`` never imports
    openstacksdk (most of a second).
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = super()._get_help_string(action)
        if text is None or "{" not in text:
            return text
        values = {
            "{core_collections}": ",".join(registry.core()),
            "{known_collections}": ",".join(sorted(registry.names())),
            "{default_timeout}": f"{DEFAULT_TIMEOUT:g}",
            "{default_max_rereads}": str(DEFAULT_MAX_REREADS),
        }
        for marker, value in values.items():
            text = text.replace(marker, value)
        return text


if TYPE_CHECKING:
    _SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:  # not subscriptable at run time
    _SubParsers = argparse._SubParsersAction


class Commands(_SubParsers):
    """The commands' parsers, each given its options only when it parses (or when
    completions are asked for: :func:`fill_commands`): a run builds its own command's
    options, not every command's (~3 ms of CPU of every start). The top-level help and
    the choice of command need only each command's name and help, given at once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fills: dict[str, Callable[[argparse.ArgumentParser], None]] = {}

    def add_command(
        self, fill: Callable[[argparse.ArgumentParser], None], name: str, **kwargs: Any
    ) -> None:
        """The command ``name`` (``kwargs``: :meth:`add_parser`'s), its options added by
        ``fill`` when it is first used."""
        self.add_parser(name, **kwargs)
        self._fills[name] = fill

    def fill(self, name: str) -> None:
        fill = self._fills.pop(name, None)
        if fill is not None:
            fill(self._name_parser_map[name])

    def fill_all(self) -> None:
        for name in list(self._fills):
            self.fill(name)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        if values:  # [command, its arguments...]; an unknown command fails in argparse
            self.fill(values[0])
        super().__call__(parser, namespace, values, option_string)


def fill_commands(parser: argparse.ArgumentParser) -> None:
    """Give every command its options now (argcomplete walks them all)."""
    for action in parser._actions:
        if isinstance(action, Commands):
            action.fill_all()


def common_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options accepted before or after the command name."""

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("common options")
    group.add_argument(
        "--os-client-config-file",
        metavar="FILE",
        default=default(None),
        help="clouds.yaml to read (default: openstacksdk's lookup: OS_CLIENT_CONFIG_FILE,"
        " ./clouds.yaml, ~/.config/openstack/clouds.yaml)",
    )
    group.add_argument(
        "--log-format",
        choices=("console", "json"),
        default=default(None),
        help="log lines on stderr: console (default) or json (for cron)",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default(0),
        help="more logs (-v info, -vv debug with HTTP traces, secrets redacted)",
    )
    group.add_argument(
        "-q", "--quiet", action="store_true", default=default(False), help="errors only"
    )
    group.add_argument(
        "--no-progress",
        action="store_true",
        default=default(None),
        help="no progress display, even on a TTY",
    )
    group.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        default=default(None),
        help="timeout of every HTTP request (default {default_timeout})",
    )
    group.add_argument(
        "--retries",
        type=int,
        metavar="N",
        default=default(None),
        help="retries of a failed page: 5xx, 429, connection errors (default 4)",
    )
    group.add_argument(
        "--deadline",
        type=float,
        metavar="SECONDS",
        default=default(None),
        help="overall time budget of inventory and audit (for cron): after it no page or"
        " retry starts and unfinished collections are reported incomplete (exit 3)",
    )
    group.add_argument(
        "--config",
        metavar="FILE",
        default=default(None),
        help="defaults of these options from this TOML file (default: AUDITOR_CONFIG, else"
        " ./auditor.toml, else [tool.auditor] of ./pyproject.toml); flags win over"
        " AUDITOR_* variables, which win over the file",
    )


def output_options(parser: argparse.ArgumentParser, *, output_note: str = "") -> None:
    """``--format`` and ``--output`` of a command that writes a report."""
    parser.add_argument(
        "--format",
        "-f",
        choices=[f.value for f in Format],
        default=None,
        help="report format (default: text on a TTY, else json)",
    )
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help=f"write the report here (mode 0600) instead of stdout ('-': stdout){output_note}",
    )


def report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", metavar="FILE", help="rules file (auditor.rules/v1 YAML)")
    output_options(parser, output_note="; on a terminal, the verdict is still printed")
    parser.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        default=None,
        help="lowest severity that makes the exit code 1 (default: error)",
    )
    parser.add_argument(
        "--history",
        metavar="DIR",
        help="keep every report as DIR/report-<UTC time>.json (mode 0600) and show what is new"
        " and what was resolved since the newest previous one",
    )
    parser.add_argument(
        "--metrics-file",
        metavar="FILE",
        help="also write Prometheus metrics here (textfile collector format, mode 0644)",
    )
    parser.add_argument(
        "--waivers",
        metavar="FILE",
        help="accepted differences (auditor.waivers/v1 YAML): the findings they match are"
        " reported as waived and do not gate the exit code until the waiver expires",
    )
    parser.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="check waiver expiry dates against this day (default: today, UTC)",
    )
    parser.add_argument(
        "--write-id-map",
        metavar="FILE",
        help="also write the source -> target id of every match here (auditor.idmap/v1 JSON,"
        " mode 0600), reusable as the rules' match.id_map; {source} in FILE: one map per"
        " source, named after its label",
    )
    parser.add_argument(
        "--no-cross-check",
        action="store_true",
        help="do not compare the services' usage counters (the quotas collection's) with"
        " what was listed (count_mismatch findings; docs/evidence.md)",
    )
    evidence_options(parser)
    filter_options(parser)


def evidence_options(parser: argparse.ArgumentParser) -> None:
    """``--evidence DIR`` and ``--sign-key FILE`` (docs/evidence.md)."""
    parser.add_argument(
        "--evidence",
        metavar="DIR",
        help="also write a sealed evidence bundle to DIR (a new or empty directory): the"
        " snapshots, rules, waivers, the report and a signed manifest; check it with"
        " 'auditor verify-evidence DIR'",
    )
    parser.add_argument(
        "--sign-key",
        metavar="FILE",
        help="sign the evidence bundle's manifest with this Ed25519 private key (PEM)",
    )


def filter_options(parser: argparse.ArgumentParser) -> None:
    """What the report shows; never what its verdict and exit code count."""
    group = parser.add_argument_group(
        "filters",
        "Show only some findings. The others are counted in the report as filtered, and the"
        " verdict and the exit code are still those of every finding: a filter never hides"
        " an error from the exit code (--fail-on, waivers and the rules' ignore decide that).",
    )
    group.add_argument(
        "--min-severity",
        choices=[s.value for s in Severity],
        default=None,
        help="show findings of this severity or above (default: all)",
    )
    group.add_argument(
        "--project",
        action="append",
        metavar="GLOB",
        default=None,
        help="show findings about a project whose name (source or target) matches GLOB"
        " (fnmatch, case-sensitive); repeat it for several",
    )
    group.add_argument(
        "--collection",
        action="append",
        metavar="NAME",
        choices=registry.names(),
        default=None,
        help="show findings of this collection; repeat it for several",
    )
