"""Bearer-token authentication: simplejwt's, with each token's signature checked once per process.

Decoding and verifying an HS256 token is about a tenth of an upload's CPU in the web process, and a client
sends the same access token with every request for its lifetime (at most 15 minutes). A token that passed
the full check is kept, by its exact bytes, until it expires; a hit re-checks only the expiry. Everything
that can change while a token lives is checked on every request as before, in ``get_user``: the user
still exists, is active, and has not changed the password since the token was issued (CHECK_REVOKE_TOKEN).
"""

import threading
import time

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.tokens import Token

# Tokens kept per process; past this the cache is emptied and refills with the tokens in use.
MAX_CACHED_TOKENS = 4096


class CachedJWTAuthentication(JWTAuthentication):
    _verified: dict[bytes, tuple[Token, float]] = {}
    _lock = threading.Lock()

    def get_validated_token(self, raw_token: bytes) -> Token:
        now = time.time()
        hit = self._verified.get(raw_token)
        if hit is not None and now < hit[1]:
            return hit[0]
        token = super().get_validated_token(raw_token)  # the full check; raises InvalidToken
        expires = float(token["exp"])
        with self._lock:
            if len(self._verified) >= MAX_CACHED_TOKENS:
                self._verified.clear()
            self._verified[raw_token] = (token, expires)
        return token
