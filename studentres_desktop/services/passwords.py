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
        try:
            if stored.startswith(PREFIX):
                return bcrypt.checkpw(_prehash(password), stored[len(PREFIX):].encode("ascii"))
            if stored.startswith("$2"):
                raw = password.encode("utf-8")
                if len(raw) > 72 or b"\x00" in raw:
                    # Cannot have been hashed by plain bcrypt; still spend the same work.
                    bcrypt.checkpw(b"x", stored.encode("ascii"))
                    return False
                return bcrypt.checkpw(raw, stored.encode("ascii"))
        except (ValueError, UnicodeError):
            return False
        return False

    def needs_rehash(self, stored: str) -> bool:
        if not stored.startswith(PREFIX):
            return True
        parts = stored[len(PREFIX):].split("$")
        return len(parts) < 3 or parts[2] != f"{self.rounds:02d}"

    def dummy_hash(self) -> str:
        """A hash at the current cost for unknown accounts, so they cost the same work."""
        with self._dummy_lock:
            if self._dummy is None:
                self._dummy = self.hash("not a real password: equalises login time")
            return self._dummy


def _prehash(password: str) -> bytes:
    mac = hmac.new(_PREHASH_KEY, password.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(mac)
