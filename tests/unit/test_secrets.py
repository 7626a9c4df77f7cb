"""Keeping secrets out: masked metadata, and redaction of known values and shapes."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.secrets import MASK, Redactor, looks_secret, mask_mapping


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "db_password",
        "adminPass",
        "ROOT_PASSWD",
        "api_key",
        "api-key",
        "aws_secret_access_key",
        "x-auth-token",
        "private_key",
        "app_credential",
        "passphrase",
    ],
)
def test_secret_looking_keys_are_recognised(key: str) -> None:
    assert looks_secret(key)


@pytest.mark.parametrize("key", ["role", "backup", "owner", "migrated_from_id", "image_name"])
def test_ordinary_keys_are_not_secret(key: str) -> None:
    assert not looks_secret(key)


def test_mask_mapping_masks_only_secret_values() -> None:
    masked = mask_mapping({"role": "web", "db_password": "hunter2", "api_key": "k-123"})

    assert masked == {"role": "web", "db_password": MASK, "api_key": MASK}


def test_mask_mapping_of_nothing_is_empty() -> None:
    assert mask_mapping(None) == {}


def test_known_secret_values_are_redacted_anywhere_in_text() -> None:
    redactor = Redactor()
    redactor.add(["s3cr3t-Pa55word!", "app-cred-secret-value"])

    text = "user admin:s3cr3t-Pa55word! then app-cred-secret-value."

    assert redactor.redact(text) == "user admin:*** then ***."


def test_short_values_are_not_learnt_as_secrets() -> None:
    redactor = Redactor()
    redactor.add(["pw", None, ""])

    assert redactor.redact("the pw column") == "the pw column"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("X-Auth-Token: gAAAAAB-abc", "X-Auth-Token: ***"),
        ("'X-Subject-Token': 'gAAAAAB-abc'", "'X-Subject-Token': '***'"),
        ("Authorization: Bearer eyJhbGciOi", "Authorization: ***"),
        ('{"password": "s3cret", "name": "admin"}', '{"password": "***", "name": "admin"}'),
        ('{"metadata": {"db_password": "hunter2"}}', '{"metadata": {"db_password": "***"}}'),
        ("{'adminPass': 'Zx81'}", "{'adminPass': '***'}"),
        ("https://x/?token=abc&limit=2", "https://x/?token=***&limit=2"),
    ],
)
def test_secret_shapes_are_redacted(text: str, expected: str) -> None:
    assert Redactor().redact(text) == expected


def test_redact_value_masks_secret_keys_and_known_values_in_nested_data() -> None:
    redactor = Redactor()
    redactor.add(["s3cr3t-Pa55word!"])
    value = {
        "auth": {"password": "s3cr3t-Pa55word!", "username": "admin"},
        "notes": ["uses s3cr3t-Pa55word!", 3],
    }

    assert redactor.redact_value(value) == {
        "auth": {"password": MASK, "username": "admin"},
        "notes": ["uses ***", 3],
    }


def test_mask_mapping_copies_mappings_of_known_plain_keys_alike() -> None:
    """Mappings whose keys were all seen plain are copied whole (the fast path): the same
    copy, a new dict each time; a secret key among them is still masked."""
    first = {"role": "web", "owner": "ops"}
    assert mask_mapping(first) == first
    again = {"owner": "dev", "role": "db"}
    copied = mask_mapping(again)
    assert copied == again and copied is not again and list(copied) == ["owner", "role"]
    assert mask_mapping({"role": "x", "db_password": "p"}) == {"role": "x", "db_password": MASK}
    assert mask_mapping({"role": "x", "db_password": "p"}) == {"role": "x", "db_password": MASK}
    odd: Any = {1: "a"}  # not from JSON: keys made text, as before
    assert mask_mapping(odd) == {"1": "a"}
