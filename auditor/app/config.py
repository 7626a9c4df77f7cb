"""Defaults of the command line's options from a TOML file and ``AUDITOR_*`` variables.

Precedence, option by option: a flag on the command line, else its environment
variable (``AUDITOR_FAIL_ON`` for ``--fail-on``), else the configuration file, else
the built-in default. The file is ``--config FILE``, else ``AUDITOR_CONFIG``, else
``./auditor.toml``, else the ``[tool.auditor]`` table of ``./pyproject.toml``; its
keys are the options' long names (``fail-on = "warning"``), relative paths in it are
relative to the file. A key a command does not have is ignored by that command; an
unknown key, a value of the wrong type or out of its choices is bad input (exit 2) on
one line naming the file or the variable and the key.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from auditor.errors import BadInputError
from auditor.model import Severity

FILE_NAME = "auditor.toml"
PYPROJECT = "pyproject.toml"
CONFIG_VARIABLE = "AUDITOR_CONFIG"
ENV_PREFIX = "AUDITOR_"
MAX_CONFIG_CHARS = 1_000_000
"""A configuration file is a few lines: anything larger is refused unread."""


class SettingsError(BadInputError):
    """A configuration file or an ``AUDITOR_*`` variable is wrong (exit code 2)."""


@dataclass(frozen=True)
class Setting:
    """An option whose default an operator may set in the file or the environment."""

    key: str
    """Its name in the file: the long option without its dashes (``fail-on``)."""
    kind: str
    """``str``, ``path`` (relative to the file), ``choice``, ``int``, ``float``
    (positive), ``bool``, ``list`` (of strings; comma-separated in a variable)."""
    default: Any = None
    """Its value when nothing sets it."""
    choices: Callable[[], tuple[str, ...]] | None = None
    """The values allowed (of each element, for a list)."""
    env: bool = True
    """False: no ``AUDITOR_*`` variable (another variable already plays that part)."""

    @property
    def dest(self) -> str:
        return self.key.replace("-", "_")

    @property
    def variable(self) -> str:
        return ENV_PREFIX + self.key.upper().replace("-", "_")


def _severities() -> tuple[str, ...]:
    return tuple(s.value for s in Severity)


def _formats() -> tuple[str, ...]:
    from auditor.render import Format

    return tuple(f.value for f in Format)


def _collections() -> tuple[str, ...]:
    from auditor.catalog.registry import names

    return names()


SETTINGS = (
    # OS_CLIENT_CONFIG_FILE, openstacksdk's own variable, is the environment's say.
    Setting("os-client-config-file", "path", env=False),
    Setting("log-format", "choice", "console", lambda: ("console", "json")),
    Setting("no-progress", "bool", False),
    Setting("timeout", "float"),
    Setting("retries", "int", 4),
    Setting("deadline", "float"),
    Setting("collections", "str"),
    Setting("rules", "path"),
    Setting("format", "choice", None, _formats),
    Setting("fail-on", "choice", Severity.ERROR.value, _severities),
    Setting("history", "path"),
    Setting("metrics-file", "path"),
    Setting("waivers", "path"),
    Setting("min-severity", "choice", None, _severities),
    Setting("project", "list", None),
    Setting("collection", "list", None, _collections),
)
"""Every option with a configurable default, in the order the documentation lists them."""

BY_KEY = {s.key: s for s in SETTINGS}


@dataclass(frozen=True)
class ConfigFile:
    """The configuration file found, and its settings (checked, paths made absolute)."""

    path: str | None
    values: Mapping[str, Any]


def apply(
    args: argparse.Namespace, environ: Mapping[str, str], *, client_config_env: bool = False
) -> ConfigFile:
    """Fill in every option of ``args`` that no flag set: from ``environ`` (the
    ``AUDITOR_*`` variables), else the configuration file, else its default.
    ``client_config_env``: OS_CLIENT_CONFIG_FILE is set (it beats the file's
    ``os-client-config-file``, as a variable does)."""
    config = find(getattr(args, "config", None), environ)
    for setting in SETTINGS:
        if not hasattr(args, setting.dest) or getattr(args, setting.dest) is not None:
            continue
        value = environ.get(setting.variable) if setting.env else None
        if value:
            setattr(args, setting.dest, parse_text(setting, value, setting.variable))
        elif setting.key == "os-client-config-file" and client_config_env:
            continue
        elif setting.key in config.values:
            setattr(args, setting.dest, config.values[setting.key])
        else:
            setattr(args, setting.dest, setting.default)
    return config


def find(flag: str | None, environ: Mapping[str, str]) -> ConfigFile:
    """The configuration file: ``--config``, ``AUDITOR_CONFIG``, ``./auditor.toml``, the
    ``[tool.auditor]`` table of ``./pyproject.toml``, or none."""
    named = flag or environ.get(CONFIG_VARIABLE) or None
    if named is not None:
        return load(named, _read(named, required=True) or "", table=None)
    text = _read(FILE_NAME, required=False)
    if text is not None:
        return load(FILE_NAME, text, table=None)
    text = _read(PYPROJECT, required=False)
    if text is not None and "tool.auditor" in text:
        return load(PYPROJECT, text, table=("tool", "auditor"))
    return ConfigFile(None, {})


def _read(path: str, *, required: bool) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(MAX_CONFIG_CHARS + 1)
    except FileNotFoundError:
        if required:
            raise SettingsError(f"{path}: no such configuration file") from None
        return None
    except IsADirectoryError:
        raise SettingsError(f"{path}: is a directory, not a configuration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: unreadable ({exc})") from None
    if len(text) > MAX_CONFIG_CHARS:
        raise SettingsError(f"{path}: over {MAX_CONFIG_CHARS} characters, not a configuration")
    return text


def load(path: str, text: str, table: tuple[str, ...] | None) -> ConfigFile:
    """The settings of a configuration file's text (``table``: where they are in it)."""
    # Imported when there is a file to read: most runs have none.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    try:
        doc: Any = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from None
    where = ""
    for name in table or ():
        where = f"{where}.{name}" if where else name
        doc = doc.get(name, {}) if isinstance(doc, dict) else None
        if not isinstance(doc, dict):
            raise SettingsError(f"{path}: [{where}] is not a table")
    base = os.path.dirname(os.path.abspath(path))
    values: dict[str, Any] = {}
    for key, value in doc.items():
        setting = BY_KEY.get(key)
        name = f"{where}.{key}" if where else key
        if setting is None:
            known = ", ".join(BY_KEY)
            raise SettingsError(f"{path}: {name}: unknown key (known: {known})")
        values[key] = parse_value(setting, value, f"{path}: {name}", base)
    return ConfigFile(path, values)


def parse_text(setting: Setting, text: str, origin: str) -> Any:
    """The value of an environment variable's text."""
    if setting.kind == "bool":
        lowered = text.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"{origin}: {text!r} is not a boolean (true or false)")
    if setting.kind == "list":
        return parse_value(setting, [p.strip() for p in text.split(",") if p.strip()], origin)
    if setting.kind in ("int", "float"):
        try:
            number = int(text) if setting.kind == "int" else float(text)
        except ValueError:
            raise SettingsError(f"{origin}: {text!r} is not a number") from None
        return parse_value(setting, number, origin)
    return parse_value(setting, text, origin)


def parse_value(setting: Setting, value: Any, origin: str, base: str | None = None) -> Any:
    """A value of the file (or a variable's, converted), checked against its setting;
    ``base``: the directory relative paths are relative to."""
    kind = setting.kind
    if kind == "bool":
        if not isinstance(value, bool):
            raise SettingsError(f"{origin}: expected true or false, got {value!r}")
        return value
    if kind in ("int", "float"):
        allowed = int if kind == "int" else (int, float)
        if isinstance(value, bool) or not isinstance(value, allowed):
            raise SettingsError(f"{origin}: expected a number, got {value!r}")
        if kind == "int" and value < 0:
            raise SettingsError(f"{origin}: must be 0 or more")
        if kind == "float" and not value > 0:
            raise SettingsError(f"{origin}: must be a positive number of seconds")
        return value
    if kind == "list":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
            raise SettingsError(f"{origin}: expected a list of names, got {value!r}")
        for item in items:
            _check_choice(setting, item, origin)
        return list(items)
    if kind == "str" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = ",".join(value)  # collections = ["servers", "volumes"]
    if not isinstance(value, str) or not value:
        raise SettingsError(f"{origin}: expected a non-empty string, got {value!r}")
    if kind == "choice":
        _check_choice(setting, value, origin)
    if kind == "path" and base is not None:
        return os.path.normpath(os.path.join(base, os.path.expanduser(value)))
    return value


def _check_choice(setting: Setting, value: str, origin: str) -> None:
    if setting.choices is not None and value not in setting.choices():
        allowed = ", ".join(setting.choices())
        raise SettingsError(f"{origin}: {value!r} is not one of {allowed}")
