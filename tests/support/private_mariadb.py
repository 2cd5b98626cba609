"""A private MariaDB server for one test module: its own data folder, port, socket and TLS keys.

It never touches the machine's main server. `mariadb-install-db` fills a temporary folder,
`mariadbd` starts on a free port with `--require-secure-transport=ON` and a server certificate
signed by a CA made here, and tells us it is ready through the systemd notify protocol (no
polling, no sleeping). Stopping it removes the folder.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
STARTUP_SECONDS = 120


def binaries_present() -> bool:
    return Path(MARIADBD).exists() and Path(INSTALL_DB).exists()


@dataclass(frozen=True)
class Keys:
    ca: Path
    other_ca: Path  # a CA that signed nothing the server presents
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


@dataclass(frozen=True)
class PrivateServer:
    port: int
    keys: Keys
    database: str
    user: str  # password only
    x509_user: str  # password and a client certificate signed by the CA
    password: str

    def url(self, user: str | None = None, host: str = "127.0.0.1") -> str:
        return (f"mysql+mysqlconnector://{user or self.user}:{self.password}"
                f"@{host}:{self.port}/{self.database}")


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption()))


def _certificate(subject: str, key: ec.EllipticCurvePrivateKey, issuer: str,
                 issuer_key: ec.EllipticCurvePrivateKey, *, ca: bool,
                 san: list[x509.GeneralName] | None = None) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=False,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          key_cert_sign=True, crl_sign=True, encipher_only=False,
                          decipher_only=False), critical=True)
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def make_keys(folder: Path) -> Keys:
    """A CA, a server certificate for 127.0.0.1 only, a client certificate, and a stranger CA."""

    def pem(cert: x509.Certificate, name: str) -> Path:
        path = folder / name
        path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return path

    ca_key, other_key, server_key, client_key = (ec.generate_private_key(ec.SECP256R1())
                                                 for _ in range(4))
    ca = _certificate("StudentRes test CA", ca_key, "StudentRes test CA", ca_key, ca=True)
    other = _certificate("Some other CA", other_key, "Some other CA", other_key, ca=True)
    server = _certificate("studentres test server", server_key, "StudentRes test CA", ca_key,
                          ca=False, san=[x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    client = _certificate("kiosk-01", client_key, "StudentRes test CA", ca_key, ca=False)
    for key, name in ((server_key, "server-key.pem"), (client_key, "client-key.pem")):
        _write_key(key, folder / name)
    return Keys(pem(ca, "ca.pem"), pem(other, "other-ca.pem"), pem(server, "server-cert.pem"),
                folder / "server-key.pem", pem(client, "client-cert.pem"),
                folder / "client-key.pem")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def private_mariadb() -> Iterator[PrivateServer]:
    """Install, start, yield, stop and remove a TLS-only MariaDB server."""
    # Not pytest's tmp_path: mariadbd runs as `mysql` and must enter the folder.
    folder = Path(tempfile.mkdtemp(prefix="srtest-tls-"))
    as_root = os.geteuid() == 0
    run_as = ["--user=mysql"] if as_root else []
    process: subprocess.Popen[bytes] | None = None
    try:
        keys = make_keys(folder)
        password = f"tls-{os.urandom(8).hex()}"
        server = PrivateServer(_free_port(), keys, "srtls", "srtls_user", "srtls_x509",
                               password)
        (folder / "init.sql").write_text(
            f"CREATE DATABASE {server.database};\n"
            f"CREATE USER '{server.user}'@'%' IDENTIFIED VIA mysql_native_password"
            f" USING PASSWORD('{password}');\n"
            f"CREATE USER '{server.x509_user}'@'%' IDENTIFIED VIA mysql_native_password"
            f" USING PASSWORD('{password}') REQUIRE X509;\n"
            f"GRANT ALL ON {server.database}.* TO '{server.user}'@'%';\n"
            f"GRANT ALL ON {server.database}.* TO '{server.x509_user}'@'%';\n",
            encoding="utf-8",
        )
        if as_root:
            shutil.chown(folder, "mysql", "mysql")
            for path in folder.iterdir():
                shutil.chown(path, "mysql", "mysql")
        subprocess.run(
            [INSTALL_DB, "--no-defaults", *run_as, f"--datadir={folder / 'data'}",
             "--auth-root-authentication-method=socket", "--skip-test-db"],
            check=True, capture_output=True, timeout=STARTUP_SECONDS,
        )
        notify_path = folder / "notify.sock"
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
            notify.bind(str(notify_path))
            os.chmod(notify_path, 0o777)
            notify.settimeout(2)  # to notice a server that died without a word
            process = subprocess.Popen(
                [MARIADBD, "--no-defaults", *run_as, f"--datadir={folder / 'data'}",
                 f"--socket={folder / 'mysqld.sock'}", f"--pid-file={folder / 'mysqld.pid'}",
                 f"--log-error={folder / 'error.log'}", f"--port={server.port}",
                 "--bind-address=127.0.0.1,127.0.0.2", "--skip-name-resolve",
                 f"--ssl-ca={keys.ca}", f"--ssl-cert={keys.server_cert}",
                 f"--ssl-key={keys.server_key}", "--require-secure-transport=ON",
                 "--tls-version=TLSv1.2,TLSv1.3", f"--init-file={folder / 'init.sql'}",
                 "--innodb-buffer-pool-size=16M", "--max-connections=20"],
                env={**os.environ, "NOTIFY_SOCKET": str(notify_path)},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            _wait_until_ready(notify, process, folder / "error.log")
        yield server
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STARTUP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _wait_until_ready(notify: socket.socket, process: subprocess.Popen[bytes],
                      error_log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if b"READY=1" in notify.recv(4096):
                return
        except TimeoutError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"mariadbd stopped: {_tail(error_log)}")
    raise RuntimeError(f"mariadbd did not start: {_tail(error_log)}")


def _tail(path: Path) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").splitlines()[-5:])
    except OSError:
        return "(no error log)"
