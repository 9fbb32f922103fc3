"""Settings, read from the environment (``RECLEDGER_*``) and overridden by CLI options."""

from __future__ import annotations

import getpass
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _login_name() -> str:
    try:
        return getpass.getuser()
    except OSError:  # no login name in some containers
        return "unknown"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RECLEDGER_", populate_by_name=True)

    db: str = Field(
        default="ledger.db",
        description="Event store: a SQLite file path or sqlite:/// URL, a postgresql:// URL, "
        "or 'memory:' for a throwaway in-memory store.",
    )
    actor: str = Field(default_factory=_login_name, description="Who is making the changes.")
    signing_key: str = Field(
        default="recledger-signing-key.pem",
        validation_alias=AliasChoices("RECLEDGER_SIGNING_KEY", "RECLEDGER_CHECKPOINT_KEY"),
        description="The ledger's Ed25519 key (PEM), kept outside the database: it signs "
        "every write and every checkpoint, and keys the read models' digests; made with a "
        "new ledger.",
    )
    token: str | None = Field(
        default=None,
        description="A bearer token (recledger token add): act with its holder's role and scope.",
    )
    secure_cookies: bool = Field(
        default=False, description="Mark the session cookie Secure (set when serving over TLS)."
    )
    projections: Literal["inline", "worker"] = Field(
        default="inline",
        description="Who keeps the read models current: 'inline', every command and query "
        "catches them up itself; 'worker', a long-lived `recledger project` process does, "
        "so commands do not wait for them and reads say how far behind the log they are.",
    )
