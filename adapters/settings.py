"""Settings, read from the environment (``RECLEDGER_*``) and overridden by CLI options.

A pydantic model that reads its variables itself, as pydantic-settings' ``BaseSettings``
would with ``env_prefix="RECLEDGER_"`` and nothing else (no ``.env`` file, no secrets
directory): a variable's name in any case; a field with aliases read from the first alias
set; what is given to the constructor over the environment; a value the field cannot take
refused by pydantic's validation, with the field's name. pydantic-settings itself (its
sources, dotenv, asyncio) cost every command ~40 ms to start, for six variables.
"""

from __future__ import annotations

import getpass
import os
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from pydantic.fields import FieldInfo

ENV_PREFIX = "RECLEDGER_"


def _login_name() -> str:
    """The login name of whoever runs recledger (`unknown` where there is none)."""
    try:
        return getpass.getuser()
    except OSError:  # no login name in some containers
        return "unknown"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True, populate_by_name=True)

    def __init__(self, **values: Any) -> None:
        """The values given, over those of the environment."""
        super().__init__(**{**from_environment(), **values})

    db: str = Field(
        default="ledger.db",
        description="The event store, with the read models beside it: a SQLite file path or "
        "sqlite:///PATH; postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME[?schema=NAME]; or "
        "'memory:' for a throwaway in-memory store. Of a PostgreSQL URL's query only schema is "
        "read: libpq's own variables give what the URL does not (PGPASSFILE, PGSSLMODE).",
    )
    actor: str = Field(
        default_factory=_login_name,
        description="Who the command line records as acting, when no token is given (a "
        "token's holder acts under the token's name, as every API request does).",
    )
    signing_key: str = Field(
        default="recledger-signing-key.pem",
        validation_alias=AliasChoices("RECLEDGER_SIGNING_KEY", "RECLEDGER_CHECKPOINT_KEY"),
        description="The ledger's Ed25519 key (PEM), kept outside the database: it signs "
        "every write and every checkpoint, and keys the read models' digests. Made (mode "
        "0600) by the first process that opens a new ledger; a ledger whose writes are signed "
        "refuses to open without it. A relative path is from the working directory.",
    )
    token: str | None = Field(
        default=None,
        description="A bearer token (`recledger token add`) for the command line: act with its "
        "holder's role and scope. A secret: keep it out of files others can read.",
    )
    secure_cookies: bool = Field(
        default=False,
        description="Mark the pages' session cookie Secure: set it where the pages are served "
        "over TLS, by a reverse proxy too (`recledger serve --ssl-certfile` sets it itself).",
    )
    smtp_url: str | None = Field(
        default=None,
        description="The mail server `recledger remind` sends through: "
        "smtp://[USER:PASSWORD@]HOST[:PORT][?starttls=true] (login after STARTTLS where asked) "
        "or smtps://... (TLS from the start). A secret where it holds a password.",
    )
    mail_from: str = Field(
        default="recledger@localhost",
        description="The sender of the reminders (`recledger remind`).",
    )
    base_url: str | None = Field(
        default=None,
        description="Where the pages are served (https://ledger.example.org): reminders link "
        "each item to its page there.",
    )
    projections: Literal["inline", "worker"] = Field(
        default="inline",
        description="Who keeps the read models current: 'inline', every command and query "
        "catches them up itself; 'worker', a long-lived `recledger project` process does, "
        "so commands do not wait for them and reads say how far behind the log they are.",
    )


def variables(name: str, field: FieldInfo) -> list[str]:
    """The environment variables a field is read from, the first the one to write."""
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return [choice for choice in alias.choices if isinstance(choice, str)]
    if isinstance(alias, str):
        return [alias]
    return [f"{ENV_PREFIX}{name}".upper()]


def from_environment() -> dict[str, str]:
    """Each setting's value in the environment, by field, where it is set there."""
    environment = {name.lower(): value for name, value in os.environ.items()}
    found: dict[str, str] = {}
    for name, field in Settings.model_fields.items():
        for variable in variables(name, field):
            if variable.lower() in environment:
                found[name] = environment[variable.lower()]
                break
    return found
