"""ECDSA signing of bundle digests, as WACZ signing does with an anonymous key: P-384 keys, the
signature over the UTF-8 bytes of the `hash` string of datapackage-digest.json, ECDSA with
SHA-256, DER encoded, base64; the public key as base64 DER SubjectPublicKeyInfo.

A signature proves that the holder of the private key signed this digest; who that is comes
from outside the bundle (publish the key's fingerprint, keep the private key offline).
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


class SigningError(ValueError):
    """A key that cannot be used: the message names the file."""


def generate_key(path: str | Path) -> str:
    """Write a new P-384 private key (PEM, PKCS#8, readable by the owner only); return its fingerprint."""
    path = Path(path)
    if path.exists():
        raise SigningError(f"{path}: already exists (will not overwrite a key)")
    key = ec.generate_private_key(ec.SECP384R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return fingerprint(public_key_b64(key))


def load_private_key(path: str | Path) -> ec.EllipticCurvePrivateKey:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SigningError(f"{path}: cannot read the key ({e.strerror}); make one with `organwatch keygen {path}`") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as e:
        raise SigningError(f"{path}: not an unencrypted PEM private key ({e})") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise SigningError(f"{path}: not an ECDSA key (got {type(key).__name__})")
    return key


def load_public_key_b64(path: str | Path) -> str:
    """A PEM public key, or the public half of a PEM private key, as base64 DER."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SigningError(f"{path}: cannot read the key ({e.strerror})") from None
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        key = load_private_key(path).public_key()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode("ascii")


def public_key_b64(key: ec.EllipticCurvePrivateKey) -> str:
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode("ascii")


def fingerprint(public_b64: str) -> str:
    return "sha256:" + hashlib.sha256(base64.b64decode(public_b64)).hexdigest()


def sign(key: ec.EllipticCurvePrivateKey, message: str) -> str:
    return base64.b64encode(key.sign(message.encode("utf-8"), ec.ECDSA(hashes.SHA256()))).decode("ascii")


def verify(public_b64: str, signature_b64: str, message: str) -> bool:
    try:
        key = serialization.load_der_public_key(base64.b64decode(public_b64, validate=True))
        if not isinstance(key, ec.EllipticCurvePublicKey):
            return False
        key.verify(base64.b64decode(signature_b64, validate=True), message.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False
