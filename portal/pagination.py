"""Lists shown a page at a time without ever counting them: counting every match costs as
much as reading them all, and would be the only part of a page that grows with the data."""

import re
from dataclasses import dataclass

from django.db.models import Model, QuerySet

# Page numbers as they come from a request; anything else is page 1.
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")


@dataclass(frozen=True)
class ListPage[T]:
    object_list: list[T]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def is_whole_list(self) -> bool:
        return self.number == 1 and not self.has_next


def page_of[M: Model](items: "QuerySet[M]", number: str | None, size: int) -> ListPage[M]:
    """Page `number` of `items`, read with one row more than a page holds to learn whether
    another page follows."""
    page = int(number) if number and PAGE_NUMBER.fullmatch(number) else 1
    start = (page - 1) * size
    rows = list(items[start : start + size + 1])
    return ListPage(rows[:size], page, has_next=len(rows) > size)
