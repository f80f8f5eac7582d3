"""The one error tree: every user mistake is a ClientbookError carrying a message key."""

from __future__ import annotations

from enum import IntEnum
from typing import Any


class ExitStatus(IntEnum):
    OK = 0
    FINDINGS = 1  # validate found errors (or warnings with --strict)
    UNUSABLE = 2  # a user's mistake: bad file, wrong password, bad config...
    INTERRUPTED = 130


class ClientbookError(Exception):
    """A problem the user can fix; rendered as one line from messages.py."""

    key = "error.generic"

    def __init__(self, key: str | None = None, **params: Any) -> None:
        self.key = key or type(self).key
        self.params = params
        super().__init__(self.key, params)

    def render(self, lang: str) -> str:
        from clientbook.messages import text

        return text(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.render("en")


class UnusableFile(ClientbookError):
    """The file cannot be used as a register (missing, not a workbook, hostile...)."""

    key = "error.unusable_file"


class WrongPassword(UnusableFile):
    """The workbook is encrypted and the password is missing or wrong."""

    key = "error.wrong_password"


class NoHeaderRow(UnusableFile):
    """No row in the first 20 matches enough known column names."""

    key = "error.no_header_row"


class FileLocked(ClientbookError):
    """Excel or WPS has the workbook open."""

    key = "error.file_locked"


class ConfigError(ClientbookError):
    """An invalid setting in clientbook.toml."""

    key = "error.config"


class UsageError(ClientbookError):
    """Arguments that do not fit together."""

    key = "error.usage"


class VaultError(ClientbookError):
    """A vault or snapshot problem."""

    key = "error.vault"


class WrongPassphrase(VaultError):
    """The vault passphrase does not open the vault or snapshot."""

    key = "error.wrong_passphrase"


class TamperedSnapshot(VaultError):
    """A snapshot failed authentication or its checksum."""

    key = "error.tampered_snapshot"


class WriteError(ClientbookError):
    """The register cannot be updated as asked; it was left unchanged."""

    key = "write.error"


class InitError(ClientbookError):
    """`clientbook init` cannot write the new register."""

    key = "init.write_failed"


class RegisterExists(InitError):
    """`clientbook init` would overwrite an existing file (use --force)."""

    key = "init.exists"
