"""Seed the stock djoser peer: 1,000 accounts, a DRF token and an access JWT for each, and the
request files of its (b) and (c) scenarios.

    PEER_DATABASE_URL=postgres://… python bench/peers/seed.py OUT_DIRECTORY

Run by bench/run.py in a process of its own (the peer's settings, not Canvass's).
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.peers.stock.settings"

ACCOUNTS = 1000


def main() -> int:
    out = Path(sys.argv[1])
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token
    from rest_framework_simplejwt.tokens import AccessToken

    call_command("migrate", verbosity=0, interactive=False)
    if User.objects.count() < ACCOUNTS:
        User.objects.all().delete()
        password = make_password("peer-password-123")
        User.objects.bulk_create(
            User(username=f"peer{number}", email=f"peer{number}@peer.test", password=password)
            for number in range(ACCOUNTS)
        )
    users = list(User.objects.order_by("pk")[:ACCOUNTS])
    existing = set(Token.objects.values_list("user_id", flat=True))
    Token.objects.bulk_create(
        Token(user=user, key=Token.generate_key()) for user in users if user.pk not in existing
    )
    keys = dict(Token.objects.values_list("user_id", "key"))
    out.mkdir(parents=True, exist_ok=True)
    token_lines = [f"R\tGET\t/auth/users/me/\tToken {keys[user.pk]}\t-" for user in users]
    jwt_lines = [
        f"R\tGET\t/auth/users/me/\tBearer {AccessToken.for_user(user)}\t-" for user in users
    ]
    (out / "peer_b.tsv").write_text("\n".join(token_lines) + "\n")
    (out / "peer_c.tsv").write_text("\n".join(jwt_lines) + "\n")
    print(f"peer: {len(users)} accounts, requests in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
