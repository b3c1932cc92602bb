"""Numbers from query strings and forms.

`str.isdigit()` accepts "²" and "٣", which `int()` then rejects, and a
well-formed number can still be too large for the database's integers; both
would end as a 500. These accept ASCII digits within the range only, and give
None for anything else, so the caller can ignore the filter or say 400/404.
"""

MAX_DB_INT = 2**63 - 1


def int_param(value: object, *, low: int = 0, high: int = MAX_DB_INT) -> int | None:
    text = str(value) if value is not None else ""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if low <= number <= high else None


def id_param(value: object) -> int | None:
    """A primary key: 1 to the largest 64-bit integer."""
    return int_param(value, low=1)
