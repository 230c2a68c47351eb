"""E-mail drafts: addressed right, attachment intact, and never the password."""
from __future__ import annotations

import email
from email import policy

from tracker_desktop.core.routine.email_draft import MI_ADDRESS, TEP_ADDRESS, nil_return_draft, tep_draft


def test_tep_draft_attaches_the_encrypted_file_and_never_the_password(tmp_path):
    attached = tmp_path / "8864123LeaverDestinations2024.xlsx"
    attached.write_bytes(b"\xd0\xcf\x11\xe0encrypted-bytes")
    raw = tep_draft(attached, "TEP leaver destinations", "Oak School", "8864123")
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["To"] == TEP_ADDRESS
    assert msg["X-Unsent"] == "1"
    body = msg.get_body(("plain",)).get_content()
    assert "password" in body and "telephone" in body
    parts = [p for p in msg.iter_attachments()]
    assert [p.get_filename() for p in parts] == [attached.name]
    assert parts[0].get_content() == attached.read_bytes()


def test_nil_return_names_school_return_and_month():
    msg = email.message_from_bytes(nil_return_draft("In-year joiners", "October 2025", "Oak School", "8864123"),
                                   policy=policy.default)
    assert msg["To"] == MI_ADDRESS
    text = msg.get_body(("plain",)).get_content()
    for words in ("Oak School", "8864123", "In-year joiners", "October 2025"):
        assert words in text
