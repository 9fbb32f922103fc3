"""The operator's kit stays true: docs/operations.md and docs/deploy/.

Every ``recledger`` command line they quote parses with the real command line; every
variable they name is a setting; the systemd units are well formed and run recledger; the
nginx site lets through every body recledger takes and streams it; and the PostgreSQL
set-up they describe, followed on a scratch database, runs the ledger as the application
role (tests/e2e/test_operator_kit_postgres.py).
"""

from __future__ import annotations

import datetime
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import typer
import typer.core
import typer.main

from adapters.cli import app, where_click_reads_them
from adapters.settings import Settings
from adapters.settings_reference import setting_variables
from adapters.web.limits import COMMAND_BODY, UPLOAD_BODY, UPLOADS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
DEPLOY = DOCS / "deploy"
OPERATIONS = DOCS / "operations.md"
ENV_EXAMPLE = DEPLOY / "recledger.env.example"
NGINX = DEPLOY / "nginx-recledger.conf"
UNITS = {name: DEPLOY / f"recledger-{name}.service" for name in ("serve", "project")}
KIT = [OPERATIONS, ENV_EXAMPLE, NGINX, *UNITS.values()]
ENV_FILE = "/etc/recledger/recledger.env"
"""Where the operations page installs the example, and the units read it."""


# What the kit says


def shell_lines(markdown: str) -> list[str]:
    """The lines of the page's shell blocks, continued lines joined."""
    blocks = re.findall(r"^```(?:sh|bash|console)\n(.*?)^```", markdown, re.S | re.M)
    return [line for block in blocks for line in block.replace("\\\n", " ").splitlines()]


def recledger_args(line: str) -> list[str] | None:
    """The arguments of a command line that runs recledger (after any VAR=value), or None."""
    words = shlex.split(line, comments=True)
    while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=\S*", words[0]):
        words.pop(0)
    if words and Path(words[0]).name == "recledger":
        return words[1:]
    return None


def unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file: its sections in order, each key's values (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if section := re.fullmatch(r"\[(\w+)\]", line):
            current = sections.setdefault(section[1], {})
            continue
        key, equals, value = line.partition("=")
        assert current is not None and equals, f"{path.name}:{number}: not KEY=value: {raw!r}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def exec_start(name: str) -> list[str]:
    (line,) = unit(UNITS[name])["Service"]["ExecStart"]
    return shlex.split(line)


def env_example() -> dict[str, str]:
    pairs = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, equals, value = line.partition("=")
            assert equals, f"not KEY=value: {line!r}"
            pairs[key.strip()] = value.strip()
    return pairs


def kit_commands() -> list[tuple[str, list[str]]]:
    """Every recledger command line of the kit (the page's shell blocks, the units'
    ExecStart): where it is, and its arguments."""
    found = []
    for line in shell_lines(OPERATIONS.read_text(encoding="utf-8")):
        args = recledger_args(line)
        if args is not None:
            found.append((f"operations.md: {line.strip()}", args))
    for name, path in UNITS.items():
        found.append((f"{path.name}: ExecStart", exec_start(name)[1:]))
    return found


def kit_mentions() -> list[list[str]]:
    """The commands the page's prose names in code (`recledger serve --workers 2`, `recledger
    app-role`): their words, which need not give every required argument."""
    page = OPERATIONS.read_text(encoding="utf-8")
    return [shlex.split(code)[1:] for code in re.findall(r"`(recledger [^`]+)`", page)]


def parse(args: list[str]) -> typer.Context:
    """Parse ``recledger ARGS`` as the command line does, running nothing: every group's
    and command's options, arguments and their types are checked (a usage error raises
    ``typer.TyperException``, as the CLI would exit 2)."""
    command = typer.main.get_command(app)
    context = command.make_context("recledger", where_click_reads_them(list(args)))
    while isinstance(command, typer.core.TyperGroup):
        rest = [*getattr(context, "_protected_args", []), *context.args]
        assert rest, f"recledger {shlex.join(args)}: names no command"
        name, found, rest = command.resolve_command(context, rest)
        assert name is not None and found is not None
        command, context = found, found.make_context(name, rest, parent=context)
    return context


def parses(args: list[str]) -> None:
    """Fail the test, naming the command line, unless ``recledger ARGS`` parses."""
    try:
        parse(args)
    except typer.TyperException as error:
        pytest.fail(f"recledger {shlex.join(args)}: {error}")


def size(text: str) -> int:
    """An nginx size (``2m``, ``512k``, bytes) in bytes."""
    number, unit_ = re.fullmatch(r"(\d+)([kKmMgG]?)", text).groups()  # type: ignore[union-attr]
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit_.lower()]


def nginx_tls_server() -> tuple[str, dict[str, str]]:
    """The TLS server block of the site, without its locations; and each exact location's
    body."""
    text = re.sub(r"#[^\n]*", "", NGINX.read_text(encoding="utf-8"))
    servers = re.findall(r"server\s*\{((?:[^{}]|\{[^{}]*\})*)\}", text)
    (tls,) = [server for server in servers if re.search(r"listen\s+[^;]*\bssl\b", server)]
    locations = dict(re.findall(r"location\s+=\s*(\S+)\s*\{([^{}]*)\}", tls))
    return re.sub(r"location[^{]*\{[^{}]*\}", "", tls), locations


def directive(block: str, name: str) -> list[str]:
    return [value.strip() for value in re.findall(rf"(?:^|[;{{\s]){name}\s+([^;]+);", block)]


# The command lines


COMMANDS = kit_commands()


def test_the_kit_quotes_the_commands_an_operator_needs() -> None:
    named = {next((a for a in args if not a.startswith("-")), "") for _, args in COMMANDS}
    needed = {"serve", "project", "app-role", "token", "backup", "checkpoint", "verify"}
    assert needed | {"rebuild", "head", "restore", "export-log"} <= named


@pytest.mark.parametrize("args", [args for _, args in COMMANDS], ids=[w for w, _ in COMMANDS])
def test_every_recledger_command_in_the_kit_parses_with_the_cli(args: list[str]) -> None:
    parses(args)


@pytest.mark.parametrize("args", kit_mentions(), ids=shlex.join)
def test_every_recledger_command_the_page_names_exists_with_its_options(args: list[str]) -> None:
    with pytest.raises(typer.Exit):  # its help: the command and the options given exist
        try:
            parse([*args, "--help"])
        except typer.TyperException as error:
            pytest.fail(f"recledger {shlex.join(args)}: {error}")


def test_a_command_the_cli_does_not_have_is_refused_by_the_check() -> None:
    for wrong in (["serve", "--listen", "0.0.0.0"], ["app-role"], ["backupp", "-o", "x"]):
        with pytest.raises(typer.TyperException):
            parse(wrong)


# The variables


def test_every_recledger_variable_the_kit_names_is_a_setting() -> None:
    settings = setting_variables()
    for path in KIT:
        named = set(re.findall(r"\bRECLEDGER_[A-Z0-9_]+\b", path.read_text(encoding="utf-8")))
        assert named - settings.keys() == set(), f"{path.name} names variables no setting reads"


def test_the_environment_example_sets_only_settings_the_model_accepts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    example = env_example()
    assert example.keys() <= setting_variables().keys()
    for variable in setting_variables():
        monkeypatch.delenv(variable, raising=False)
    for key, value in example.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert Path(settings.signing_key).is_absolute(), "a service's key path must not depend on cwd"
    assert settings.secure_cookies, "behind the TLS proxy the session cookie must be Secure"


def test_the_environment_example_holds_no_secret() -> None:
    example = env_example()
    assert urlsplit(example["RECLEDGER_DB"]).password is None
    assert "RECLEDGER_TOKEN" not in example
    assert "PRIVATE KEY" not in ENV_EXAMPLE.read_text(encoding="utf-8")


def test_the_page_names_only_kit_files_that_exist_and_every_one_of_them() -> None:
    page = OPERATIONS.read_text(encoding="utf-8")
    named = set(re.findall(r"deploy/([\w.-]+)", page))
    assert named == {path.name for path in DEPLOY.iterdir()}
    assert "environment.md" in page


def test_the_readme_points_to_the_operations_and_environment_pages() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/operations.md" in readme and "docs/environment.md" in readme


# The systemd units


@pytest.mark.parametrize("name", sorted(UNITS))
def test_each_unit_is_well_formed_and_runs_recledger(name: str) -> None:
    sections = unit(UNITS[name])
    assert list(sections) == ["Unit", "Service", "Install"]
    service = sections["Service"]
    words = exec_start(name)
    assert Path(words[0]).is_absolute() and Path(words[0]).name == "recledger"
    assert parse(words[1:]).info_name == name
    assert service["EnvironmentFile"] == [ENV_FILE]
    assert service["User"] == ["recledger"], "the services never run as root"
    assert service["Restart"] == ["on-failure"]
    assert sections["Install"]["WantedBy"] == ["multi-user.target"]


def test_the_server_starts_after_the_projection_worker_it_wants_so_stops_before_it() -> None:
    serve = unit(UNITS["serve"])["Unit"]
    assert "recledger-project.service" in " ".join(serve["After"]).split()
    assert "recledger-project.service" in " ".join(serve["Wants"]).split()
    assert env_example()["RECLEDGER_PROJECTIONS"] == "worker"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_finds_nothing_wrong_in_the_units(tmp_path: Path) -> None:
    recledger = shutil.which("recledger") or str(Path(sys.executable).with_name("recledger"))
    if not Path(recledger).is_file():
        pytest.skip("no installed recledger to stand for /opt/recledger/bin/recledger")
    for path in UNITS.values():
        text = path.read_text(encoding="utf-8").replace(exec_start("serve")[0], recledger)
        (tmp_path / path.name).write_text(text.replace(exec_start("project")[0], recledger))
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(map(str, tmp_path.iterdir()))],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")


# The reverse proxy


def test_nginx_lets_through_every_body_the_server_takes() -> None:
    server, locations = nginx_tls_server()
    (default,) = directive(server, "client_max_body_size")
    assert size(default) >= COMMAND_BODY
    for path in UPLOADS:
        (upload,) = directive(locations[path], "client_max_body_size")
        assert size(upload) >= UPLOAD_BODY, f"{path}: the upload cap is {UPLOAD_BODY:,} bytes"
    largest = max(size(v) for block in [server, *locations.values()]
                  for v in directive(block, "client_max_body_size"))  # fmt: skip
    assert largest >= max(COMMAND_BODY, UPLOAD_BODY)


def test_nginx_streams_bodies_and_passes_what_the_server_reads() -> None:
    server, locations = nginx_tls_server()
    assert directive(server, "proxy_request_buffering") == ["off"]
    assert directive(server, "proxy_http_version") == ["1.1"]
    headers = {value.split()[0].lower() for value in directive(server, "proxy_set_header")}
    assert {"host", "x-forwarded-for", "x-forwarded-proto"} <= headers
    for block in locations.values():  # a location's own proxy_set_header would drop them
        assert not directive(block, "proxy_set_header")


def test_nginx_proxies_to_where_the_server_unit_listens() -> None:
    context = parse(exec_start("serve")[1:])
    text = NGINX.read_text(encoding="utf-8")
    (upstream,) = re.findall(r"upstream\s+\w+\s*\{\s*server\s+([^;\s]+)", text)
    assert upstream == f"{context.params['host']}:{context.params['port']}"


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_site(tmp_path: Path) -> None:
    key, cert = _self_signed(tmp_path)
    site = NGINX.read_text(encoding="utf-8")
    for directive_, path in (("ssl_certificate", cert), ("ssl_certificate_key", key)):
        site = re.sub(rf"\b{directive_}\s+[^;]+;", f"{directive_} {path};", site)
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "logs").mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    done = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
         "-e", str(tmp_path / "logs" / "error.log")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def _self_signed(where: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ledger.example.org")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    key_path, cert_path = where / "privkey.pem", where / "fullchain.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path
