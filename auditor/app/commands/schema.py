"""``auditor schema``: the JSON Schema of a document."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from auditor.app.exits import EXIT_OK
from auditor.schemas import load_schema
from auditor.secrets import Redactor


def run(args: argparse.Namespace, redactor: Redactor, stdout: TextIO) -> int:
    stdout.write(json.dumps(load_schema(args.document), indent=2) + "\n")
    return EXIT_OK
