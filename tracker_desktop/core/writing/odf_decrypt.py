"""Password-protected OpenDocument files (.ods), as LibreOffice writes them (ODF 1.2 section 3.4
of Part 3, "Encryption"): each encrypted part of the zip is deflated, then encrypted with a key
derived from the password by PBKDF2-HMAC-SHA1 over a start key (SHA-256 of the password for
AES-256-CBC; SHA-1 for the older Blowfish CFB, 64-bit feedback), with a checksum of its first 1,024 bytes that
tells a right password from a wrong one. The manifest (META-INF/manifest.xml) states every
parameter per part.

LibreOffice 24.2 and later can also write AES-256-GCM with Argon2id ("ODF 1.3 extended"); that
is recognised and explained, not decrypted.
"""
from __future__ import annotations

import base64
import hashlib
import importlib
import io
import zipfile
import zlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from xml.etree import ElementTree

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
_AES256_CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
_BLOWFISH = _NS + "#blowfish"
_SHA256 = "http://www.w3.org/2000/09/xmldsig#sha256"
_SHA256_ALT = "http://www.w3.org/2001/04/xmlenc#sha256"
_SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
_PBKDF2 = "PBKDF2"
_MAX_ITERATIONS = 10_000_000


class WrongKey(Exception):
    """The password does not unlock the file."""


class Damaged(Exception):
    """The encrypted file cannot be read."""


class Unsupported(Exception):
    """An ODF encryption this module does not decrypt (AES-GCM with Argon2id, or OpenPGP keys)."""


@dataclass(frozen=True)
class _Entry:
    path: str
    size: int
    checksum_type: str
    checksum: bytes
    algorithm: str
    iv: bytes
    derivation: str
    iterations: int
    salt: bytes
    key_size: int
    start_key: str


_SMALL = 1 << 20  # a manifest or mimetype part is tiny: a larger one is not read (zip bombs)


def is_encrypted_odf(data: bytes) -> bool:
    """True for an OpenDocument zip whose manifest lists encrypted parts."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if "META-INF/manifest.xml" not in z.namelist() or z.getinfo("META-INF/manifest.xml").file_size > _SMALL:
                return False
            return b"encryption-data" in z.read("META-INF/manifest.xml")
    except Exception:  # hostile zips raise many kinds (unknown versions, bad CRCs, zlib errors): not an ODF
        return False


def odf_kind(data: bytes) -> str:
    """The mimetype of an OpenDocument zip ('' when it has none)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if "mimetype" not in z.namelist() or z.getinfo("mimetype").file_size > _SMALL:
                return ""
            return z.read("mimetype").decode("ascii", "replace").strip()
    except Exception:  # as above: a damaged zip has no mimetype we can trust
        return ""


def decrypt_odf(data: bytes, password: str) -> bytes:
    """The same OpenDocument file with every part decrypted and the manifest's encryption data
    removed, in memory; WrongKey, Damaged or Unsupported otherwise."""
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
        manifest = source.read("META-INF/manifest.xml")
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as e:
        raise Damaged(f"not a readable OpenDocument zip: {type(e).__name__}") from None
    entries = {e.path: e for e in _entries(manifest)}
    if not entries:
        raise Damaged("no encrypted part in the manifest")
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w") as target:
        names = source.namelist()
        if "mimetype" in names:  # first and stored, as ODF requires
            target.writestr(zipfile.ZipInfo("mimetype"), source.read("mimetype"), compress_type=zipfile.ZIP_STORED)
        for name in names:
            if name in ("mimetype", "META-INF/manifest.xml"):
                continue
            raw = source.read(name)
            entry = entries.get(name)
            target.writestr(name, _decrypt_entry(entry, password, raw) if entry else raw,
                            compress_type=zipfile.ZIP_DEFLATED)
        target.writestr("META-INF/manifest.xml", _plain_manifest(manifest), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def check_password(data: bytes, password: str) -> None:
    """WrongKey unless the password unlocks the file (checked on its smallest encrypted part)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            entries = _entries(source.read("META-INF/manifest.xml"))
            if not entries:
                raise Damaged("no encrypted part in the manifest")
            entry = min(entries, key=lambda e: e.size)
            _decrypt_entry(entry, password, source.read(entry.path))
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as e:
        raise Damaged(f"not a readable OpenDocument zip: {type(e).__name__}") from None


def _decrypt_entry(entry: _Entry, password: str, raw: bytes) -> bytes:
    key = _key(entry, password)
    if entry.algorithm == _AES256_CBC:
        if not raw or len(raw) % 16:
            raise Damaged(f"{entry.path}: encrypted size")
        decryptor = Cipher(algorithms.AES(key), modes.CBC(entry.iv)).decryptor()
        padded = decryptor.update(raw) + decryptor.finalize()
        pad = padded[-1]
        deflated = padded[:-pad] if 1 <= pad <= 16 else padded
    else:  # Blowfish CFB, the ODF 1.0/1.1 default
        deflated = _blowfish_cfb_decrypt(key, entry.iv, raw)
    if entry.checksum and not _checksum_ok(entry, deflated):
        raise WrongKey()
    try:
        return zlib.decompress(deflated, -15)
    except zlib.error:
        if entry.checksum:  # the checksum said the password was right: the part is damaged
            raise Damaged(f"{entry.path}: not deflate data") from None
        raise WrongKey() from None


def _checksum_ok(entry: _Entry, deflated: bytes) -> bool:
    kind = entry.checksum_type.rsplit("#", 1)[-1].lower()
    algorithm = "sha256" if "sha256" in kind else "sha1"
    part = deflated[:1024] if kind.endswith("1k") else deflated
    return hashlib.new(algorithm, part).digest() == entry.checksum


def _key(entry: _Entry, password: str) -> bytes:
    if entry.derivation != _PBKDF2:
        raise Unsupported(f"key derivation {entry.derivation}")
    start = entry.start_key
    if start in (_SHA256, _SHA256_ALT) or start.endswith("sha256"):
        start_key = hashlib.sha256(password.encode("utf-8")).digest()
    elif start == _SHA1 or start.endswith("sha1") or not start:
        start_key = hashlib.sha1(password.encode("utf-8")).digest()
    else:
        raise Unsupported(f"start key {start}")
    return hashlib.pbkdf2_hmac("sha1", start_key, entry.salt, entry.iterations, entry.key_size)


def _blowfish_cfb_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """Blowfish in CFB mode with 64-bit feedback, as LibreOffice's "Blowfish CFB" is."""
    # cryptography before 43 keeps Blowfish among the main algorithms, before 47 CFB among the main modes.
    blowfish = _decrepit("algorithms", "Blowfish", algorithms)
    cfb = _decrepit("modes", "CFB", modes)
    try:
        decryptor = Cipher(blowfish(key), cfb(iv)).decryptor()
    except Exception as e:  # an OpenSSL built without Blowfish
        raise Unsupported(f"Blowfish is not available ({type(e).__name__})") from None
    return decryptor.update(data) + decryptor.finalize()


def _entries(manifest: bytes) -> list[_Entry]:
    try:
        root = ElementTree.fromstring(manifest)
    except ElementTree.ParseError as e:
        raise Damaged(f"manifest is not XML: {e}") from None
    found = []
    for entry in root.iter(f"{{{_NS}}}file-entry"):
        data = entry.find(f"{{{_NS}}}encryption-data")
        if data is None:
            continue
        algorithm = data.find(f"{{{_NS}}}algorithm")
        derivation = data.find(f"{{{_NS}}}key-derivation")
        start = data.find(f"{{{_NS}}}start-key-generation")
        if algorithm is None or derivation is None:
            raise Damaged("encryption data without algorithm or key derivation")
        name = _attr(algorithm, "algorithm-name")
        if name not in (_AES256_CBC, _BLOWFISH, "Blowfish CFB"):
            raise Unsupported(f"algorithm {name}")
        derivation_name = _attr(derivation, "key-derivation-name")
        if derivation_name != _PBKDF2:
            raise Unsupported(f"key derivation {derivation_name}")
        iterations = int(_attr(derivation, "iteration-count") or 0)
        if not 1 <= iterations <= _MAX_ITERATIONS:
            raise Damaged("iteration count out of range")
        found.append(_Entry(
            path=_attr(entry, "full-path"), size=int(_attr(entry, "size") or 0),
            checksum_type=_attr(data, "checksum-type"), checksum=_b64(_attr(data, "checksum")),
            algorithm=_AES256_CBC if name == _AES256_CBC else _BLOWFISH,
            iv=_b64(_attr(algorithm, "initialisation-vector")),
            derivation=derivation_name, iterations=iterations, salt=_b64(_attr(derivation, "salt")),
            key_size=int(_attr(derivation, "key-size") or (32 if name == _AES256_CBC else 16)),
            start_key=_attr(start, "start-key-generation-name") if start is not None else "",
        ))
    return found


def _attr(el: ElementTree.Element, name: str) -> str:
    return el.get(f"{{{_NS}}}{name}") or ""


def _b64(value: str) -> bytes:
    try:
        return base64.b64decode(value)
    except (ValueError, TypeError):
        raise Damaged("a manifest value is not base64") from None


def _plain_manifest(manifest: bytes) -> bytes:
    root = ElementTree.fromstring(manifest)
    for entry in root.iter(f"{{{_NS}}}file-entry"):
        for data in entry.findall(f"{{{_NS}}}encryption-data"):
            entry.remove(data)
        size = entry.get(f"{{{_NS}}}size")
        if size is not None:
            del entry.attrib[f"{{{_NS}}}size"]
    ElementTree.register_namespace("manifest", _NS)
    return ElementTree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _decrepit(kind: str, name: str, main: ModuleType) -> Any:
    """`name` from cryptography's module of old ciphers, or from `main` in versions from before it moved there.

    Looked up by name because which module holds it depends on the installed version, which a type
    checker cannot know."""
    try:
        return getattr(importlib.import_module(f"cryptography.hazmat.decrepit.ciphers.{kind}"), name)
    except (ImportError, AttributeError):
        return getattr(main, name)
