"""Encrypted backups of registers: age v1 files in a vault folder (see store.py)."""

from clientbook.vault.store import (
    CreateResult,
    PrunePolicy,
    PruneResult,
    Selection,
    Snapshot,
    Vault,
    VerifyReport,
    default_vault_dir,
    open_vault,
    resolve_passphrase,
    select_survivors,
    vault_exists,
)

__all__ = [
    "CreateResult",
    "PrunePolicy",
    "PruneResult",
    "Selection",
    "Snapshot",
    "Vault",
    "VerifyReport",
    "default_vault_dir",
    "open_vault",
    "resolve_passphrase",
    "select_survivors",
    "vault_exists",
]
