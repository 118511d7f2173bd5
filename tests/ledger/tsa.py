"""A real RFC 3161 time-stamping authority for tests, backed by the ``openssl ts`` CLI."""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

__all__ = ["POLICY", "REPLY_TYPE", "LocalTsa", "local_tsa", "openssl_reply", "serve_tsa"]

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
POLICY = "1.3.6.1.4.1.99999.3161.1"

# (status, content type, body) for a request body.
Responder = Callable[[bytes], tuple[int, str, bytes]]

# openssl increments the serial file in place; concurrent replies would race on it.
_SERIAL_LOCK = threading.Lock()

_TSA_CONFIG = """\
[tsa]
default_tsa = casetrail_tsa

[casetrail_tsa]
dir = {dir}
serial = $dir/tsaserial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = {policy}
other_policies = 1.3.6.1.4.1.99999.3161.2
digests = {digests}
accuracy = secs:1, millisecs:0, microsecs:0
clock_precision_digits = 0
ordering = no
tsa_name = yes
ess_cert_id_chain = yes
ess_cert_id_alg = sha256
"""

_TSA_EXTENSIONS = """\
[tsa_cert]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


@dataclass(frozen=True)
class LocalTsa:
    url: str
    ca_cert: Path
    tsa_cert: Path
    config: Path


def _openssl(*args: str | Path) -> None:
    subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True, timeout=30)


_KEYS = {
    "ec": ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"),
    "rsa": ("-newkey", "rsa:2048", "-nodes"),
}


def _make_pki(workdir: Path, key: str) -> None:
    new_key = _KEYS[key]
    _openssl(
        "req", "-x509", *new_key, "-keyout", workdir / "ca.key", "-out", workdir / "ca.pem",
        "-days", "2", "-subj", "/CN=casetrail test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    _openssl(
        "req", "-new", *new_key, "-keyout", workdir / "tsa.key", "-out", workdir / "tsa.csr",
        "-subj", "/CN=casetrail test TSA",
    )  # fmt: skip
    (workdir / "tsa_ext.cnf").write_text(_TSA_EXTENSIONS, encoding="ascii")
    _openssl(
        "x509", "-req", "-in", workdir / "tsa.csr", "-CA", workdir / "ca.pem",
        "-CAkey", workdir / "ca.key", "-set_serial", "2", "-days", "1",
        "-extfile", workdir / "tsa_ext.cnf", "-extensions", "tsa_cert",
        "-out", workdir / "tsa.pem",
    )  # fmt: skip
    (workdir / "tsaserial").write_text("01\n", encoding="ascii")


@contextlib.contextmanager
def serve_tsa(respond: Responder) -> Iterator[str]:
    """Serve ``respond`` over HTTP POST on 127.0.0.1; yield the URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            status, content_type, body = respond(self.rfile.read(length))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            # Keep test output clean; failures surface through the client.
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # A short poll interval keeps shutdown() from stalling each test for half a second.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="local-tsa", daemon=True
    )
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}/tsa"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def openssl_reply(config: Path, query: bytes) -> bytes:
    """Answer a DER TimeStampReq with ``openssl ts -reply``; return the DER TimeStampResp."""
    with tempfile.TemporaryDirectory(dir=config.parent) as scratch:
        request, reply = Path(scratch) / "req.tsq", Path(scratch) / "resp.tsr"
        request.write_bytes(query)
        with _SERIAL_LOCK:
            done = subprocess.run(
                ["openssl", "ts", "-reply", "-config", str(config),
                 "-queryfile", str(request), "-out", str(reply)],
                capture_output=True, timeout=30, check=False,
            )  # fmt: skip
        # A refused request still yields a (rejection) response and exit status 0.
        if done.returncode != 0 or not reply.exists():
            raise RuntimeError(f"openssl ts -reply failed: {done.stderr.decode(errors='replace')}")
        return reply.read_bytes()


@contextlib.contextmanager
def local_tsa(
    workdir: Path,
    *,
    digests: tuple[str, ...] = ("sha256", "sha384", "sha512"),
    key: str = "ec",
) -> Iterator[LocalTsa]:
    """Create a throwaway CA and TSA under ``workdir`` and serve RFC 3161 over HTTP.

    ``key`` is the type of both keys: "ec" (P-256) or "rsa" (2048 bits). The TSA certificate
    carries extendedKeyUsage critical timeStamping, as RFC 3161 section 2.3 requires.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    _make_pki(workdir, key)
    config = workdir / "tsa.cnf"
    config.write_text(
        _TSA_CONFIG.format(dir=workdir, policy=POLICY, digests=", ".join(digests)),
        encoding="utf-8",
    )

    def respond(query: bytes) -> tuple[int, str, bytes]:
        try:
            return 200, REPLY_TYPE, openssl_reply(config, query)
        except RuntimeError as exc:
            return 500, "text/plain", str(exc).encode()

    with serve_tsa(respond) as url:
        yield LocalTsa(
            url=url, ca_cert=workdir / "ca.pem", tsa_cert=workdir / "tsa.pem", config=config
        )
