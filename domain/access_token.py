"""A bearer token: issued once to a named holder with a role and a scope, revocable.

The ledger keeps only the SHA-256 of the token's secret (256 random bits: a slow hash
adds nothing), so its log and its database never hold a usable token. The token names
its holder (``<name, base64url>.<secret>``), so checking it is one aggregate read and one
constant-time comparison. A name is an identity in the log: it is never issued twice.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain import values
from domain.access import Grant, Role
from domain.errors import InvalidCommand, NotAuthenticated, RuleViolated
from domain.events import AuditedEvent
from domain.refs import token_aggregate_id

PREFIX = "rl_"


class AccessToken(Aggregate):
    class Issued(AuditedEvent, Aggregate.Created):
        """A token was issued to ``name`` with this role and scope (its secret's hash only)."""

        name: str
        role: str
        agencies: list[str]
        plans: list[str]
        secret_sha256: str
        person: str | None
        """The e-mail address of the directory's person it was issued to, if any."""

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 was issued to a name only."""
            state["person"] = None

    class Revoked(AuditedEvent):
        """The token stopped working."""

    def __init__(
        self,
        name: str,
        role: str,
        agencies: list[str],
        plans: list[str],
        secret_sha256: str,
        person: str | None,
    ) -> None:
        self.name, self.role = name, role
        self.agencies, self.plans = agencies, plans
        self.secret_sha256 = secret_sha256
        self.person = person
        self.revoked = False

    @classmethod
    def issue(
        cls,
        name: str,
        role: Role,
        agencies: list[str],
        plans: list[str],
        person: str | None = None,
    ) -> tuple[AccessToken, str]:
        """A new token for ``name``, and the token itself (shown once, never stored)."""
        name = values.person_name(name, "the token's name")
        if not name:
            raise InvalidCommand("a token needs a name: it is the actor its events record")
        if role is Role.AGENCY_LEAD and not agencies:
            raise InvalidCommand("an agency lead's token needs at least one --agency")
        for slug in agencies:
            if not values.SLUG.fullmatch(slug):
                raise InvalidCommand(
                    f"--agency {slug!r}: use the agency's slug, e.g. west-mercia-police"
                )
        secret = secrets.token_urlsafe(32)
        token = cls._create(
            cls.Issued,
            id=token_aggregate_id(name),
            name=name,
            role=role.value,
            agencies=sorted(set(agencies)),
            plans=sorted({values.plan_id(p) for p in plans}),
            secret_sha256=_digest(secret),
            person=person,
            reason=None,
            effective=None,
        )
        encoded = base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")
        return token, f"{PREFIX}{encoded}.{secret}"

    @event(Revoked)
    def revoke(self, reason: str | None, effective: None = None) -> None:
        if self.revoked:
            raise RuleViolated(f"the token of {self.name} is already revoked")
        self.revoked = True

    def grant_for(self, secret: str) -> Grant:
        """The grant, if ``secret`` is this token's and it is not revoked."""
        if not hmac.compare_digest(_digest(secret), self.secret_sha256):
            raise NotAuthenticated("the token is not valid")
        return self.grant()

    def grant(self) -> Grant:
        """The grant, while the token is not revoked (its secret checked before: a session
        signed in with it)."""
        if self.revoked:
            raise NotAuthenticated("the token is not valid")
        return Grant(self.name, Role(self.role), frozenset(self.agencies), frozenset(self.plans))


def holder(token: str) -> tuple[str, str]:
    """(name, secret) a token carries; NotAuthenticated when it is not one of ours."""
    try:
        encoded, secret = token.removeprefix(PREFIX).rsplit(".", 1)
        name = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise NotAuthenticated("the token is not valid") from None
    if not token.startswith(PREFIX) or not name or not secret:
        raise NotAuthenticated("the token is not valid")
    return name, secret


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
