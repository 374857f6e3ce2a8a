"""Read bounces and complaints from an mbox file (the bounce mailbox of the VERP return path)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sotong.campaigns.inbound import read_mbox


class Command(BaseCommand):
    help = "Record the bounces (RFC 3464) and complaints (RFC 5965) in an mbox file; suppress as due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="mbox file")

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        try:
            counts = read_mbox(path)
        except FileNotFoundError as exc:
            raise CommandError(f"no such mbox: {path}") from exc
        self.stdout.write(", ".join(f"{key}={value}" for key, value in counts.items()))
