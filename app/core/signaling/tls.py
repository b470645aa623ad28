"""TLS for the signaling server: a configured certificate, or a self-signed one made on first run.

The self-signed certificate (ECDSA P-256, 2 years) is kept in a private folder and reused; its
SHA-256 fingerprint is shown to the investigator so a participant can compare it out of band.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.core.signaling.errors import SessionError


@dataclass(frozen=True)
class TlsIdentity:
    """A certificate and key on disk and the certificate's SHA-256 fingerprint (AA:BB:… form)."""

    certificate: Path
    private_key: Path
    fingerprint: str

    def ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            ctx.load_cert_chain(self.certificate, self.private_key)
        except (OSError, ssl.SSLError) as e:
            raise SessionError(
                "tls",
                f"cannot load TLS certificate {self.certificate} / key {self.private_key}: {e}",
            ) from e
        return ctx


def fingerprint(cert: x509.Certificate) -> str:
    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


def load_identity(certificate: Path, private_key: Path) -> TlsIdentity:
    """A configured certificate; SessionError naming the file if it is unreadable."""
    try:
        cert = x509.load_pem_x509_certificate(certificate.read_bytes())
    except (OSError, ValueError) as e:
        raise SessionError("tls", f"cannot read PEM certificate {certificate}: {e}") from e
    if not private_key.is_file():
        raise SessionError("tls", f"private key file {private_key} does not exist")
    return TlsIdentity(certificate, private_key, fingerprint(cert))


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def ensure_self_signed(folder: Path, hosts: list[str]) -> TlsIdentity:
    """Reuse ``folder/signaling.{crt,key}`` or create them for ``hosts`` (names or IPs)."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    cert_path, key_path = folder / "signaling.crt", folder / "signaling.key"
    if cert_path.is_file() and key_path.is_file():
        return load_identity(cert_path, key_path)
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys([*hosts, "localhost", "127.0.0.1"]):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tergeu signaling")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=730))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    _write_private(
        key_path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    _write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return TlsIdentity(cert_path, key_path, fingerprint(cert))


def choose_tls(
    mode: str,
    host: str,
    *,
    certificate: str,
    private_key: str,
    folder: Path,
    public_host: str | None = None,
) -> TlsIdentity | None:
    """The ``signaling.tls`` setting applied: 'auto' (TLS off loopback), 'on' or 'off'.

    A configured certificate wins; otherwise a self-signed one kept in ``folder``. 'off' is refused
    for an address other than loopback: invite links and PINs never cross a network in clear.
    """
    from app.core.signaling.server import is_loopback

    if mode not in ("auto", "on", "off"):
        raise SessionError("tls", f"signaling.tls {mode!r}: expected 'auto', 'on' or 'off'")
    loopback = is_loopback(host)
    if mode == "off":
        if not loopback:
            raise SessionError("tls_required", f"TLS cannot be off on {host!r}: not loopback")
        return None
    if certificate or private_key:
        if not (certificate and private_key):
            raise SessionError("tls", "a TLS certificate and its private key go together")
        return load_identity(Path(certificate), Path(private_key))
    if mode == "auto" and loopback:
        return None
    return ensure_self_signed(folder, [public_host or host])
