"""Walking due rows in primary-key batches: the sweeps' loop (emails and webhooks)."""

from collections.abc import Callable, Iterator

from django.db.models import QuerySet


def due_pks(due: Callable[[], QuerySet], batch_size: int) -> Iterator[int]:
    """The primary keys of `due()`, re-asked every `batch_size` rows (each batch sees the
    clock and the claims as they are then), in order, each once."""
    last_pk = 0
    while True:
        pks = list(
            due().filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not pks:
            return
        yield from pks
        last_pk = pks[-1]
