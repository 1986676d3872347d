"""Password hashers: Argon2id with the parameters Canvass chose (bench/README.md)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's recommended minimum: 19 MiB of memory, 2 passes, 1 lane.

    Django's defaults (100 MiB, 2 passes, 8 lanes) cost about half a second and 100 MiB per
    login on a 2-core server: the login route would then be the easiest way to exhaust the
    workers' CPU and memory. OWASP's Password Storage Cheat Sheet lists m=19 MiB, t=2, p=1 as
    the first of its equivalent minimum configurations; it costs about 50 ms here. The
    algorithm name stays `argon2`, so existing hashes verify and are re-hashed with these
    parameters at their owner's next login (`must_update`).
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
