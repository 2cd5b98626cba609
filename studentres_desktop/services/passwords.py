"""Password hashing with bcrypt, pre-hashed so that length never matters.

bcrypt reads at most 72 bytes and bcrypt 5 raises ValueError beyond that, so a 40-letter
password of accented characters would crash or be cut short. Every password is first reduced to
base64(HMAC-SHA256(password)), 44 ASCII bytes, and that is what bcrypt sees. The stored form is
"bcrypt-hmac-sha256$" followed by the bcrypt hash. A plain "$2b$…" hash, as the original design
wrote, is still accepted and upgraded on the next successful login.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading

import bcrypt

PREFIX = "bcrypt-hmac-sha256$"
# Domain separation, not a secret: the hashes must verify on every workstation and after restarts.
_PREHASH_KEY = b"studentres-desktop/password-prehash/v1"
DEFAULT_ROUNDS = 12
# A bcrypt hash ends with 31 characters of digest; what comes before is its cost and salt.
DIGEST_CHARS = 31


class PasswordHasher:
    def __init__(self, rounds: int = DEFAULT_ROUNDS) -> None:
        if not 4 <= rounds <= 31:
            raise ValueError("bcrypt cost must be between 4 and 31")
        self.rounds = rounds
        self._dummy: str | None = None
        self._dummy_lock = threading.Lock()

    def hash(self, password: str) -> str:
        digest = bcrypt.hashpw(_prehash(password), bcrypt.gensalt(self.rounds))
        return PREFIX + digest.decode("ascii")

    def verify(self, password: str, stored: str) -> bool:
        """True when the password matches; never raises for odd input or odd stored values."""
        setting = stored[:-DIGEST_CHARS] if len(stored) > DIGEST_CHARS else stored
        proof = self.proof(password, setting)
        return bool(proof) and hmac.compare_digest(proof.encode(), stored.encode())

    def proof(self, password: str, setting: str) -> str:
        """The hash this password gives with a stored hash's cost and salt (its setting).

        It equals the stored hash exactly when the password is right, so a server can compare
        the two without ever handing out the hash. Always does one bcrypt computation; "" when
        the setting is unusable.
        """
        try:
            if setting.startswith(PREFIX):
                digest = bcrypt.hashpw(_prehash(password), setting[len(PREFIX):].encode("ascii"))
                return PREFIX + digest.decode("ascii")
            if setting.startswith("$2"):
                raw = password.encode("utf-8")
                if len(raw) > 72 or b"\x00" in raw:
                    # Cannot have been hashed by plain bcrypt; still spend the same work.
                    bcrypt.hashpw(b"x", setting.encode("ascii"))
                    return ""
                return bcrypt.hashpw(raw, setting.encode("ascii")).decode("ascii")
        except (ValueError, UnicodeError):
            return ""
        return ""

    def needs_rehash(self, stored: str) -> bool:
        if not stored.startswith(PREFIX):
            return True
        parts = stored[len(PREFIX):].split("$")
        return len(parts) < 3 or parts[2] != f"{self.rounds:02d}"

    def dummy_setting(self) -> str:
        """The setting of the dummy hash: what an unknown account's proof is computed with."""
        return self.dummy_hash()[:-DIGEST_CHARS]

    def dummy_hash(self) -> str:
        """A hash at the current cost for unknown accounts, so they cost the same work."""
        with self._dummy_lock:
            if self._dummy is None:
                self._dummy = self.hash("not a real password: equalises login time")
            return self._dummy


def _prehash(password: str) -> bytes:
    mac = hmac.new(_PREHASH_KEY, password.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(mac)
