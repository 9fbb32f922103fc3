"""Access tokens: issuing and revoking them, and authenticating their bearers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.utils import get_topic

from domain import values
from domain.access import Grant, Role
from domain.audit import current_grant
from domain.errors import AlreadyExists, InvalidCommand, NotAuthenticated, NotFound
from domain.refs import token_aggregate_id
from service import access
from service.store import Store

if TYPE_CHECKING:  # the commands as values and the write model: a query loads neither
    from domain.access_token import AccessToken
    from service.command_models import IssueToken, RevokeToken


@dataclass(frozen=True)
class TokenView:
    """A token as ``token list`` shows it: to whom, what it may do, when issued and revoked."""

    name: str
    role: Role
    agencies: tuple[str, ...]
    plans: tuple[str, ...]
    person: str | None
    issued: datetime
    revoked: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role.value,
            "agencies": list(self.agencies),
            "plans": list(self.plans),
            "person": self.person,
            "issued": self.issued.isoformat(),
            "revoked": self.revoked.isoformat() if self.revoked else None,
        }


class Tokens(Store):
    """Access tokens: issued, revoked, and the grant a bearer token carries."""

    def issue_token(self, command: IssueToken) -> str:
        """Issue a token to ``command.name``; return it (the ledger keeps only its hash)."""
        current_grant().check_issues(frozenset(command.plans))
        name, role, agencies = command.name, command.role, command.agencies
        if command.person is not None:
            person = self.person(command.person)
            name = name or person.name
            agencies = agencies or ([person.agency] if person.agency else [])
            role = role or (Role.AGENCY_LEAD if person.agency else None)
        if name is None or role is None:
            raise InvalidCommand(f"{command.person} has no agency: give the token's role")
        from domain.access_token import AccessToken

        token, secret = AccessToken.issue(
            name, role, agencies, command.plans, command.person and command.person.lower()
        )
        if self._exists(token.id):
            raise AlreadyExists(
                f"a token was issued to {token.name!r} before: a name is an identity in the "
                "log, choose another"
            )
        values.check_not_confusable(token.name, self._token_names(), self.skeleton)
        self.save_atomically(token, conflict=f"a token for {token.name!r} was issued concurrently")
        return secret

    def revoke_token(self, name: str, command: RevokeToken) -> None:
        access.check_coordinates(None, "revoke tokens")
        token = self._token(name)
        current_grant().check_issues(frozenset(token.plans))  # one it could have issued
        token.revoke(command.reason)
        self.save_atomically(token, conflict=f"the token of {name!r} changed concurrently")

    def tokens(self) -> list[TokenView]:
        """Every token ever issued, in the order issued, with its role, scope, and when it was
        issued and revoked (never its secret, nor its hash)."""
        access.check_coordinates(None, "list the tokens")
        found = []
        for name in self._token_names():
            token = self._token(name)
            events = self._events_of(token.id)
            found.append(
                TokenView(
                    name=token.name,
                    role=Role(token.role),
                    agencies=tuple(token.agencies),
                    plans=tuple(token.plans),
                    person=token.person,
                    issued=events[0].timestamp,
                    revoked=next(
                        (e.timestamp for e in events if isinstance(e, type(token).Revoked)), None
                    ),
                )
            )
        return found

    def authenticate(self, token: str) -> Grant:
        """The grant a bearer token carries; ``NotAuthenticated`` for any other string."""
        from domain.access_token import holder

        name, secret = holder(token)
        try:
            found = self._token(name)
        except NotFound:
            raise NotAuthenticated("the token is not valid") from None
        return found.grant_for(secret)

    def grant_of(self, name: str) -> Grant:
        """The grant of the token issued to ``name``, while it is not revoked: for a
        session that checked the token's secret when it began (``NotAuthenticated`` once
        it is revoked, or for a name never issued)."""
        try:
            found = self._token(name)
        except NotFound:
            raise NotAuthenticated("the token is not valid") from None
        return found.grant()

    def _token_names(self) -> Iterator[str]:
        """The name of every token ever issued, from the log (tokens are few, and issued
        rarely; old ones, issued before names were normalised, included)."""
        from domain.access_token import AccessToken

        topic, start, page = get_topic(AccessToken.Issued), 1, 1000
        while True:
            found = self.read(
                partial(self.recorder.select_notifications, start, page, topics=[topic])
            )
            for issued in found:
                event: AccessToken.Issued = self.mapper.to_domain_event(issued)  # type: ignore[assignment]
                yield event.name
            if len(found) < page:
                return
            start = found[-1].id + 1

    def _token(self, name: str) -> AccessToken:
        from domain.access_token import AccessToken

        try:
            return self._get(token_aggregate_id(name), AccessToken)
        except AggregateNotFoundError:
            raise NotFound(f"no token was issued to {name!r}") from None
