"""``recledger serve``: the HTTP API and the pages, with uvicorn."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from adapters.cli.app import CliState, app, run


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="The port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    ssl_certfile: Annotated[
        Path | None, typer.Option(help="Serve over TLS with this certificate (PEM).")
    ] = None,
    ssl_keyfile: Annotated[Path | None, typer.Option(help="The certificate's key (PEM).")] = None,
) -> None:
    """Serve the JSON API (/api, OpenAPI at /openapi.json, docs at /docs) and the pages on
    the configured database until interrupted. Every request needs a token."""
    import uvicorn

    state: CliState = ctx.obj
    run(ctx, lambda ledger: None)  # open (or create) the ledger once, before the workers
    if state.ledger is not None:
        state.ledger.close()
    # The workers read their settings from the environment: the same for all of them.
    os.environ["RECLEDGER_DB"] = state.settings.db
    if ssl_certfile is not None:
        os.environ["RECLEDGER_SECURE_COOKIES"] = "1"
    scheme = "https" if ssl_certfile else "http"
    typer.echo(f"serving on {scheme}://{host}:{port}/ (Ctrl-C to stop)", err=True)
    uvicorn.run(
        "adapters.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
        ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
        log_level="warning",
    )
