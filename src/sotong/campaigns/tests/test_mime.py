"""The raw e-mail: headers, encodings and DKIM over both unsubscribe headers."""

from __future__ import annotations

import base64
from email import message_from_bytes, policy
from pathlib import Path

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sotong.campaigns.mime import EmailShape, build_email

SHAPE = EmailShape("성동구청", "news@sd.example.kr")


def _build() -> bytes:
    return build_email(
        SHAPE,
        to="reader@example.com",
        subject="홍길동님, 11월 성동 소식입니다 — 주민 설명회와 축제 안내",
        text="안녕하세요.\n본문",
        html="<p>안녕하세요.</p>",
        reference="c7r42",
        unsubscribe_url="https://sotong.example.kr/campaigns/u/1-2-e-abc/",
    )


def test_built_email_parses_back_to_what_was_put_in() -> None:
    message = message_from_bytes(_build(), policy=policy.default)
    assert message["Subject"] == "홍길동님, 11월 성동 소식입니다 — 주민 설명회와 축제 안내"
    assert message["From"].addresses[0].display_name == "성동구청"
    assert message["Message-ID"] == "<c7r42@sd.example.kr>"
    assert message["List-Unsubscribe"] == "<https://sotong.example.kr/campaigns/u/1-2-e-abc/>"
    assert message.get_body(("plain",)).get_content() == "안녕하세요.\n본문"
    assert message.get_body(("html",)).get_content() == "<p>안녕하세요.</p>"
    assert all(len(line) <= 998 for line in _build().split(b"\r\n"))


def test_dkim_signature_covers_both_unsubscribe_headers_and_verifies(tmp_path: Path, settings) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "dkim.pem").write_bytes(pem)
    settings.SOTONG_DKIM_DOMAIN = "sd.example.kr"
    settings.SOTONG_DKIM_SELECTOR = "s2026"
    settings.SOTONG_DKIM_PRIVATE_KEY_FILE = str(tmp_path / "dkim.pem")
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    raw = _build()

    assert raw.startswith(b"DKIM-Signature:")
    signed = message_from_bytes(raw, policy=policy.default)["DKIM-Signature"]
    headers = signed.replace(" ", "").split("h=")[1].split(";")[0].lower().split(":")
    assert "list-unsubscribe" in headers
    assert "list-unsubscribe-post" in headers
    assert dkim.verify(
        raw, dnsfunc=lambda name, timeout=5: record if name == b"s2026._domainkey.sd.example.kr." else b""
    )
    tampered = raw.replace(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click", b"List-Unsubscribe-Post: x")
    assert not dkim.verify(tampered, dnsfunc=lambda name, timeout=5: record)
