"""Decrypting ECMA-376 agile encryption (MS-OFFCRYPTO 2.3.4.10-2.3.4.15) for every parameter set
that Office producers write, not only Windows Excel's AES-256/SHA-512.

Mac Excel and Apple Numbers write agile files with SHA-1 and AES-128 key data. msoffcrypto
compares the decrypted verifier hash and HMAC with their block padding still on (fine for
SHA-512's 64 bytes, wrong for SHA-1's 20, which pad to 32) and does not pad a short hash to the
key size with 0x36 bytes, so it calls the right password wrong and a sound file damaged. Here
every value is cut to the sizes the EncryptionInfo states, as the specification says.

The three answers are kept apart, because the user acts on them differently:
- WrongKey: the password does not unlock the file (the verifier does not match);
- Damaged: the password is right but the package cannot be decrypted into anything;
- a package that decrypts but whose HMAC does not match comes back with `integrity_ok=False`,
  for the caller to open with a warning (some producers write the HMAC differently).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from dataclasses import dataclass
from xml.etree import ElementTree

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_BLOCK_VERIFIER_INPUT = bytes.fromhex("fea7d2763b4b9e79")
_BLOCK_VERIFIER_VALUE = bytes.fromhex("d7aa0f6d3061344e")
_BLOCK_KEY_VALUE = bytes.fromhex("146e0be7abacd0d6")
_BLOCK_HMAC_KEY = bytes.fromhex("5fb2ad010cb9e1f6")
_BLOCK_HMAC_VALUE = bytes.fromhex("a0677f02b22c8433")
_SEGMENT = 4096
_HASHES = {"SHA1": "sha1", "SHA-1": "sha1", "SHA256": "sha256", "SHA-256": "sha256", "SHA384": "sha384",
           "SHA-384": "sha384", "SHA512": "sha512", "SHA-512": "sha512", "MD5": "md5"}
_MAX_SPIN_COUNT = 10_000_000  # the specification's limit: a larger count is a damaged file


class WrongKey(Exception):
    """The password does not unlock the file."""


class Damaged(Exception):
    """The file's encryption data or package cannot be read."""


class Unsupported(Exception):
    """Agile encryption with a cipher other than AES, or with a certificate instead of a password."""


@dataclass(frozen=True)
class Params:
    cipher: str
    key_bits: int
    block_size: int
    hash_name: str
    hash_size: int
    salt: bytes

    @property
    def salt_size(self) -> int:
        return len(self.salt)


@dataclass(frozen=True)
class AgileInfo:
    key_data: Params
    password_key: Params
    spin_count: int
    verifier_input: bytes
    verifier_value: bytes
    key_value: bytes
    hmac_key: bytes | None
    hmac_value: bytes | None


@dataclass(frozen=True)
class Decrypted:
    plain: bytes
    integrity_ok: bool


def is_agile(encryption_info: bytes) -> bool:
    return len(encryption_info) >= 8 and struct.unpack_from("<HH", encryption_info) == (4, 4)


def parse(encryption_info: bytes) -> AgileInfo:
    """The agile EncryptionInfo stream: version 4.4, 4 reserved bytes, then the XML descriptor."""
    if not is_agile(encryption_info):
        raise Damaged("not agile encryption")
    try:
        root = ElementTree.fromstring(encryption_info[8:].rstrip(b"\x00"))
    except ElementTree.ParseError as e:
        raise Damaged(f"encryption descriptor is not XML: {e}") from None
    key_data = _find(root, "keyData")
    integrity = _find(root, "dataIntegrity", required=False)
    encryptors = [e for e in root.iter() if _local(e.tag) == "keyEncryptor"]
    password = next((e for e in encryptors if (e.get("uri") or "").endswith("keyEncryptor/password")), None)
    if password is None:
        raise Unsupported("no password key encryptor (a certificate-protected file)")
    key = _find(password, "encryptedKey")
    try:
        return AgileInfo(
            key_data=_params(key_data), password_key=_params(key),
            spin_count=_spin_count(key.get("spinCount")),
            verifier_input=_b64(key, "encryptedVerifierHashInput"),
            verifier_value=_b64(key, "encryptedVerifierHashValue"),
            key_value=_b64(key, "encryptedKeyValue"),
            hmac_key=_b64(integrity, "encryptedHmacKey") if integrity is not None else None,
            hmac_value=_b64(integrity, "encryptedHmacValue") if integrity is not None else None,
        )
    except (TypeError, ValueError) as e:
        raise Damaged(f"encryption descriptor values: {e}") from None


def decrypt(info: AgileInfo, password: str, package: bytes) -> Decrypted:
    """The plain package of an agile-encrypted file, or WrongKey / Damaged."""
    secret = secret_key(info, password)
    plain = _decrypt_package(info.key_data, secret, package)
    return Decrypted(plain, _integrity_ok(info, secret, package))


def secret_key(info: AgileInfo, password: str) -> bytes:
    """The file's secret key, after the password is verified (MS-OFFCRYPTO 2.3.4.13)."""
    p = info.password_key
    base = _iterated_hash(p, password, info.spin_count)
    verifier_input = _aes_decrypt(_derive(p, base, _BLOCK_VERIFIER_INPUT), p.salt, info.verifier_input)[: p.salt_size]
    verifier_hash = _aes_decrypt(_derive(p, base, _BLOCK_VERIFIER_VALUE), p.salt, info.verifier_value)[: p.hash_size]
    if not hmac.compare_digest(_hash(p, verifier_input), verifier_hash):
        raise WrongKey()
    return _aes_decrypt(_derive(p, base, _BLOCK_KEY_VALUE), p.salt, info.key_value)[: info.key_data.key_bits // 8]


# --- the pieces ---------------------------------------------------------------------------------

def _decrypt_package(k: Params, secret: bytes, package: bytes) -> bytes:
    if len(package) < 8:
        raise Damaged("the encrypted package is too short")
    size = struct.unpack_from("<Q", package)[0]
    body = package[8:]
    if size > len(body) or len(body) % k.block_size:
        raise Damaged("the encrypted package is cut short")
    out = bytearray()
    for index, start in enumerate(range(0, len(body), _SEGMENT)):
        iv = _iv(k, struct.pack("<I", index))
        out += _aes_decrypt(secret, iv, body[start:start + _SEGMENT])
    return bytes(out[:size])


def _integrity_ok(info: AgileInfo, secret: bytes, package: bytes) -> bool:
    """The HMAC over the whole EncryptedPackage stream (MS-OFFCRYPTO 2.3.4.14)."""
    if info.hmac_key is None or info.hmac_value is None:
        return False
    k = info.key_data
    try:
        key = _aes_decrypt(secret, _iv(k, _BLOCK_HMAC_KEY), info.hmac_key)[: k.hash_size]
        expected = _aes_decrypt(secret, _iv(k, _BLOCK_HMAC_VALUE), info.hmac_value)[: k.hash_size]
    except Damaged:
        return False
    return hmac.compare_digest(hmac.new(key, package, k.hash_name).digest(), expected)


def _iterated_hash(p: Params, password: str, spin_count: int) -> bytes:
    h = _hash(p, p.salt + password.encode("utf-16-le"))
    for i in range(spin_count):
        h = _hash(p, struct.pack("<I", i) + h)
    return h


def _derive(p: Params, base: bytes, block_key: bytes) -> bytes:
    """H(base + blockKey) cut to the key size, or padded with 0x36 when the hash is shorter."""
    return _fit(_hash(p, base + block_key), p.key_bits // 8, b"\x36")


def _iv(k: Params, block_key: bytes) -> bytes:
    return _fit(_hash(k, k.salt + block_key), k.block_size, b"\x36")


def _fit(data: bytes, size: int, pad: bytes) -> bytes:
    return data[:size] if len(data) >= size else data + pad * (size - len(data))


def _hash(p: Params, data: bytes) -> bytes:
    return hashlib.new(p.hash_name, data).digest()


def _aes_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    if not data or len(data) % 16 or len(key) not in (16, 24, 32):
        raise Damaged("encrypted value has the wrong size")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv[:16])).decryptor()
    return decryptor.update(data) + decryptor.finalize()


# --- reading the descriptor -----------------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(root: ElementTree.Element, name: str, required: bool = True):
    found = next((e for e in root.iter() if _local(e.tag) == name), None)
    if found is None and required:
        raise Damaged(f"the encryption descriptor has no {name}")
    return found


def _b64(el: ElementTree.Element, attribute: str) -> bytes:
    value = el.get(attribute)
    if value is None:
        raise ValueError(f"{attribute} missing")
    try:
        return base64.b64decode(value, validate=False)
    except (ValueError, TypeError) as e:
        raise ValueError(f"{attribute} is not base64") from e


def _spin_count(value: str | None) -> int:
    count = int(value or "0")
    if not 0 <= count <= _MAX_SPIN_COUNT:
        raise ValueError("spinCount out of range")
    return count


def _params(el: ElementTree.Element) -> Params:
    cipher = (el.get("cipherAlgorithm") or "").upper()
    if cipher != "AES":
        raise Unsupported(f"cipher {cipher or 'none'}")
    if (el.get("cipherChaining") or "ChainingModeCBC") != "ChainingModeCBC":
        raise Unsupported("cipher chaining other than CBC")
    hash_name = _HASHES.get((el.get("hashAlgorithm") or "").upper())
    if hash_name is None:
        raise Unsupported(f"hash {el.get('hashAlgorithm')}")
    key_bits = int(el.get("keyBits") or 0)
    if key_bits not in (128, 192, 256):
        raise Damaged(f"keyBits {key_bits}")
    salt = _b64(el, "saltValue")
    return Params(cipher=cipher, key_bits=key_bits, block_size=int(el.get("blockSize") or 16),
                  hash_name=hash_name, hash_size=int(el.get("hashSize") or hashlib.new(hash_name).digest_size),
                  salt=salt)

