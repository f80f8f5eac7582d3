"""Formula-injection guard for every CSV or Excel export of user data.

A cell that starts with = + - @ (or a tab / carriage return) is taken as a formula by
Excel, WPS and LibreOffice when the file is opened; a client's name or note such as
`=HYPERLINK(...)` must stay text. The OWASP advice is a leading apostrophe.
"""

from __future__ import annotations

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """`text` made safe for a spreadsheet cell: a leading apostrophe before a trigger."""
    return "'" + text if text.startswith(_TRIGGERS) else text


def neutralise_cell(value: object) -> object:
    """Like `neutralise` for strings; numbers, dates and None pass unchanged."""
    return neutralise(value) if isinstance(value, str) else value
