"""How a CLI command gets its actor and scope: ``--as-user NAME`` or ``--system``, never a default."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from mowakaba.accounts.models import User
from mowakaba.accounts.scope import SYSTEM, Scope, scope_for_user


def add_scope_arguments(parser: ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--as-user", metavar="USERNAME", help="act with this user's rights and territory")
    group.add_argument("--system", action="store_true", help="act as the system (every territory), journalled")


def resolve_scope(options: dict[str, Any], *, required: bool = True) -> tuple[User | None, Scope]:
    if options.get("system"):
        return None, SYSTEM
    username = options.get("as_user")
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user named {username!r}")
        return user, scope_for_user(user)
    if required:
        raise CommandError("say whose rights to use: --as-user USERNAME or --system")
    return None, SYSTEM
