"""A page of surveys and their total in one query.

DRF's page-number pagination asks Django's Paginator, which counts the rows (one query) before
it reads the page (another): both plan and run the same visibility filter. Here the page's rows
carry the total as a window aggregate (`COUNT(*) OVER ()`, computed before LIMIT), and the
count query runs only when the page is empty (past the end, or no surveys at all).
"""

from typing import cast

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from rest_framework.pagination import PageNumberPagination

TOTAL = "page_total_rows"
# A page further than any real list (and past what the database's OFFSET holds) goes straight
# to Django's checks, which answer "invalid page" (404) after one count.
MAX_OFFSET = 2**31


class WindowCountPaginator(Paginator):
    def page(self, number) -> Page:
        try:
            wanted = max(int(number), 1)
        except (TypeError, ValueError):
            return super().page(number)  # Django's own errors for what is not a number
        bottom = (wanted - 1) * self.per_page
        if bottom >= MAX_OFFSET:
            return super().page(number)
        surveys = cast(QuerySet, self.object_list)
        rows = list(
            surveys.annotate(**{TOTAL: Window(Count("*"))})[bottom : bottom + self.per_page]
        )
        if rows:
            # Paginator.count is a cached_property: the window aggregate fills it.
            self.__dict__["count"] = getattr(rows[0], TOTAL)
            return Page(rows, self.validate_number(number), self)
        return super().page(number)


class SurveyPagination(PageNumberPagination):
    django_paginator_class = WindowCountPaginator
