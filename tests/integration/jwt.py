#!/usr/bin/env python3
"""jwt.py KEY USER [SECONDS]: print an HS256 JSON Web Token for USER, signed
with KEY, valid from now for SECONDS (default 3600; negative: expired), the
kind Dovecot's oauth2 passdb checks locally (introspection_mode = local)."""
import base64
import hashlib
import hmac
import json
import sys
import time


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main():
    key, user = sys.argv[1].encode(), sys.argv[2]
    secs = int(sys.argv[3]) if len(sys.argv) > 3 else 3600
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {"sub": user, "iat": min(now, now + secs) - 60, "exp": now + secs}
    if secs > 0:
        claims["nbf"] = now - 60
    signing = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    sig = hmac.new(key, signing.encode(), hashlib.sha256).digest()
    print(signing + "." + b64(sig))


if __name__ == "__main__":
    main()
