"""The vault: encrypted snapshots of registers, an encrypted index, restic-style pruning.

Layout of a vault folder (0700 on POSIX, every file 0600):

    index.age           age file (passphrase): JSON list of snapshots: id, time, book name,
                        size, SHA-256 and the data file that holds the content
    data/<random>.age   age file (passphrase): the register's bytes, nothing else

File names are random: they say nothing about the book or its content. Identical content
is found through the SHA-256 inside the decrypted index and stored once, so nobody holding
only the vault files can tell that two snapshots are equal. Opening the index is the
passphrase check: a mistyped passphrase fails at `create`, not at restore time.

Every data file is a standard age file: `age -d data/<file>.age > book.xlsx` restores a
register without clientbook. Each age file costs one scrypt run (about 0.7 s at age's
default work factor), so listing reads only the index: one run, however many snapshots.
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import io
import json
import os
import secrets
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel, Field, ValidationError

from clientbook.errors import TamperedSnapshot, UsageError, VaultError, WrongPassphrase
from clientbook.safe_io import fsync_dir
from clientbook.vault import age

INDEX_NAME = "index.age"
DATA_DIR = "data"
LOCK_NAME = "lock"
INDEX_FORMAT = "clientbook-vault"
INDEX_VERSION = 1
PASSPHRASE_ENV = "CLIENTBOOK_PASSPHRASE"
VAULT_ENV = "CLIENTBOOK_VAULT"

#: scrypt work factor for new age files. age's own default; tests lower it through the
#: Vault constructor (or by patching this module attribute), never through the environment.
DEFAULT_WORK_FACTOR = age.DEFAULT_WORK_FACTOR


class Snapshot(BaseModel):
    """One backup of one register: what `backup list` shows."""

    id: str
    created: datetime
    book: str = Field(description="the register's original file name")
    source: str = Field(description="the folder the register was backed up from")
    size: int
    sha256: str
    file: str = Field(description="the age file in the vault that holds the content")


class CreateResult(BaseModel):
    snapshots: list[Snapshot]
    reused: list[str] = Field(
        default_factory=list, description="ids whose content was already in the vault"
    )


class Damage(BaseModel):
    id: str
    book: str
    reason: str  # message key: error.tampered_snapshot / vault.data_missing


class VerifyReport(BaseModel):
    ok: list[Snapshot]
    damaged: list[Damage]


class PrunePolicy(BaseModel):
    """restic's --keep-* rules; 0 means the rule is off."""

    last: int = Field(0, ge=0)
    daily: int = Field(0, ge=0)
    weekly: int = Field(0, ge=0)
    monthly: int = Field(0, ge=0)
    yearly: int = Field(0, ge=0)

    def is_empty(self) -> bool:
        return not (self.last or self.daily or self.weekly or self.monthly or self.yearly)


class Selection(BaseModel):
    keep: list[Snapshot]
    forget: list[Snapshot]
    reasons: dict[str, list[str]] = Field(
        default_factory=dict, description="snapshot id → rules that keep it"
    )


class PruneResult(Selection):
    dry_run: bool
    removed_files: int = 0


# --- pure: restic's keep policy ----------------------------------------------------------


def _buckets(snapshot: Snapshot) -> dict[str, tuple[int, ...]]:
    when = snapshot.created
    iso = when.isocalendar()
    return {
        "daily": (when.year, when.month, when.day),
        "weekly": (iso.year, iso.week),
        "monthly": (when.year, when.month),
        "yearly": (when.year,),
    }


def select_survivors(snapshots: Iterable[Snapshot], policy: PrunePolicy) -> Selection:
    """Which snapshots a keep policy keeps, with restic's semantics, per book.

    Newest first: --keep-last N keeps the N newest; --keep-daily N keeps the newest snapshot
    of each of the last N days that have snapshots (weekly: ISO weeks, monthly, yearly
    likewise); a snapshot that any rule keeps survives. Like restic's default grouping by
    path, the rules apply to each book (its folder and file name) separately: two managers'
    客户名册.xlsx in two folders are two books, and keeping the last N of one never
    forgets the other's.
    """
    if policy.is_empty():
        raise UsageError("vault.no_policy")
    groups: dict[tuple[str, str], list[Snapshot]] = {}
    for snap in snapshots:
        key = (os.path.normcase(os.path.normpath(snap.source)), snap.book.casefold())
        groups.setdefault(key, []).append(snap)
    keep: list[Snapshot] = []
    forget: list[Snapshot] = []
    reasons: dict[str, list[str]] = {}
    for group in groups.values():
        group.sort(key=lambda s: (s.created, s.id), reverse=True)
        budget = {
            "daily": policy.daily,
            "weekly": policy.weekly,
            "monthly": policy.monthly,
            "yearly": policy.yearly,
        }
        last_bucket: dict[str, tuple[int, ...] | None] = dict.fromkeys(budget)
        for index, snap in enumerate(group):
            why: list[str] = []
            if index < policy.last:
                why.append("last")
            for rule, bucket in _buckets(snap).items():
                if budget[rule] > 0 and bucket != last_bucket[rule]:
                    last_bucket[rule] = bucket
                    budget[rule] -= 1
                    why.append(rule)
            if why:
                keep.append(snap)
                reasons[snap.id] = why
            else:
                forget.append(snap)
    newest_first = lambda s: (s.created, s.id)  # noqa: E731
    keep.sort(key=newest_first, reverse=True)
    forget.sort(key=newest_first, reverse=True)
    return Selection(keep=keep, forget=forget, reasons=reasons)


# --- where the vault is, and its passphrase ------------------------------------------------


def default_vault_dir() -> Path:
    """CLIENTBOOK_VAULT, else the user data folder's `vault` (platformdirs)."""
    env = os.environ.get(VAULT_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("clientbook", appauthor=False)) / "vault"


def resolve_passphrase(passphrase_file: Path | None = None) -> str | None:
    """The passphrase from --passphrase-file (first line) or CLIENTBOOK_PASSPHRASE, else None.

    An explicit file wins over the environment. None means: ask (the CLI prompts when
    there is a terminal; see `no_passphrase_error`).
    """
    if passphrase_file is not None:
        try:
            raw = passphrase_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise VaultError(
                "vault.passphrase_file", path=str(passphrase_file), reason=str(exc)
            ) from exc
        lines = raw.splitlines()
        passphrase = lines[0] if lines else ""
        if not passphrase:
            raise VaultError("vault.empty_passphrase", source=str(passphrase_file))
        return passphrase
    env = os.environ.get(PASSPHRASE_ENV)
    if env is not None:
        if not env:
            raise VaultError("vault.empty_passphrase", source=PASSPHRASE_ENV)
        return env
    return None


def no_passphrase_error() -> VaultError:
    """What to raise when no passphrase was given and there is no terminal to ask on."""
    return VaultError("vault.no_passphrase")


def open_vault(
    directory: Path | None = None,
    passphrase_file: Path | None = None,
    prompt: Callable[[Path, bool], str] | None = None,
) -> Vault:
    """The vault at `directory` (default: `default_vault_dir()`), ready to use.

    The passphrase comes from `passphrase_file`, else CLIENTBOOK_PASSPHRASE, else
    `prompt(directory, is_new_vault)` when a terminal exists (a new vault's prompt should
    ask twice); otherwise a VaultError says how to provide one. This is what `tier` calls
    to back a register up before replacing it:
    `open_vault(prompt=cli.prompt_passphrase).create(book_path)`.
    """
    folder = directory if directory is not None else default_vault_dir()
    passphrase = resolve_passphrase(passphrase_file)
    if passphrase is None:
        if prompt is None or not is_terminal():
            raise no_passphrase_error()
        passphrase = prompt(folder, not vault_exists(folder))
    return Vault(folder, passphrase)


def vault_exists(directory: Path) -> bool:
    """Whether `directory` already holds a vault (so its passphrase is set)."""
    return (directory / INDEX_NAME).is_file()


# --- file helpers ----------------------------------------------------------------------------


def _private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        path.chmod(0o700)


@contextlib.contextmanager
def _temp_file(folder: Path, prefix: str) -> Iterator[tuple[Path, IO[bytes]]]:
    """A 0600 temporary file in `folder`, removed unless the caller renamed it away."""
    fd, name = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".tmp")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield path, handle
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _finish(handle: IO[bytes]) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def _unreadable(source: Path, exc: OSError) -> VaultError:
    return VaultError("vault.book_unreadable", path=str(source), reason=exc.strerror or str(exc))


class _HashingReader:
    """Reads a file while computing its SHA-256 and size; a read error names the book.

    age.encrypt calls `readinto` with its own 1 MiB buffers: the bytes are hashed where
    they were read, without a copy.
    """

    def __init__(self, src: io.BufferedIOBase, path: Path) -> None:
        self._src = src
        self._path = path
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1, /) -> bytes:
        try:
            data = self._src.read(size)
        except OSError as exc:
            raise _unreadable(self._path, exc) from exc
        self.sha256.update(data)
        self.size += len(data)
        return data

    def readinto(self, buffer: memoryview, /) -> int:
        try:
            size = self._src.readinto(buffer)
        except OSError as exc:
            raise _unreadable(self._path, exc) from exc
        self.sha256.update(buffer[:size])
        self.size += size
        return size


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Serialise changes to one vault across processes (POSIX; elsewhere a no-op)."""
    if os.name != "posix":
        yield
        return
    import fcntl

    fd = os.open(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


# --- the vault -------------------------------------------------------------------------------


class Vault:
    """A folder of encrypted snapshots, opened with one passphrase.

    `work_factor` is the scrypt log2(N) for files this object writes (age's default, 18,
    unless a test lowers it). Reading accepts what age accepts (up to 22).
    """

    def __init__(self, directory: Path, passphrase: str, *, work_factor: int | None = None) -> None:
        if not passphrase:
            raise VaultError("vault.empty_passphrase", source="passphrase")
        self.directory = Path(directory)
        self._passphrase = passphrase
        self.work_factor = DEFAULT_WORK_FACTOR if work_factor is None else work_factor
        self._snapshots: builtins.list[Snapshot] | None = None

    # index ---------------------------------------------------------------------------

    @property
    def index_path(self) -> Path:
        return self.directory / INDEX_NAME

    def exists(self) -> bool:
        return vault_exists(self.directory)

    def _read_index(self) -> builtins.list[Snapshot]:
        if not self.exists():
            if self.directory.exists() and not self.directory.is_dir():
                raise VaultError("vault.not_a_folder", path=str(self.directory))
            return []
        chunks: list[bytes] = []
        with self.index_path.open("rb") as src:
            try:
                for chunk in age.decrypt(src, self._passphrase):
                    chunks.append(chunk)
            except age.NoMatch:
                raise WrongPassphrase(what=str(self.directory)) from None
            except age.AgeError as exc:
                raise VaultError(
                    "vault.index_damaged", path=str(self.index_path), reason=exc.detail
                ) from None
        try:
            data: dict[str, Any] = json.loads(b"".join(chunks))
            if data.get("format") != INDEX_FORMAT or data.get("version") != INDEX_VERSION:
                raise ValueError("unknown index format")
            return [Snapshot.model_validate(item) for item in data["snapshots"]]
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            raise VaultError(
                "vault.index_damaged", path=str(self.index_path), reason=str(exc)
            ) from None

    def _write_index(self, snapshots: builtins.list[Snapshot]) -> None:
        body = {
            "format": INDEX_FORMAT,
            "version": INDEX_VERSION,
            "snapshots": [s.model_dump(mode="json") for s in snapshots],
        }
        plain = json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
        with _temp_file(self.directory, ".index-") as (tmp, handle):
            age.encrypt(io.BytesIO(plain), handle, self._passphrase, work_factor=self.work_factor)
            _finish(handle)
            os.replace(tmp, self.index_path)
        fsync_dir(self.directory)
        self._snapshots = list(snapshots)

    def _index(self) -> builtins.list[Snapshot]:
        if self._snapshots is None:
            self._snapshots = self._read_index()
        return self._snapshots

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """A failing write in the vault (disk full, no permission) is one clear error."""
        try:
            yield
        except OSError as exc:
            raise VaultError(
                "vault.write_failed", path=str(self.directory), reason=exc.strerror or str(exc)
            ) from exc

    @contextlib.contextmanager
    def _changing(self) -> Iterator[builtins.list[Snapshot]]:
        """Lock the vault and read the index fresh; the caller writes it back."""
        if self.directory.is_dir() and not self.exists():
            strangers = {p.name for p in self.directory.iterdir()} - {LOCK_NAME, DATA_DIR}
            if strangers:  # never turn someone's own folder into a vault (chmod, prune)
                raise VaultError("vault.not_a_vault", path=str(self.directory))
        _private_dir(self.directory)
        _private_dir(self.directory / DATA_DIR)
        with _locked(self.directory):
            self._snapshots = None
            yield self._index()

    # snapshots ------------------------------------------------------------------------

    def list(self, book: str | None = None) -> builtins.list[Snapshot]:
        """Snapshots, oldest first; only those of `book` (a file name or path) if given."""
        snaps = sorted(self._index(), key=lambda s: s.created)  # stable: index order
        if book is not None:
            name = Path(book).name.casefold()
            snaps = [s for s in snaps if s.book.casefold() == name]
        return snaps

    def get(self, snapshot_id: str) -> Snapshot:
        """The snapshot whose id is, or starts with, `snapshot_id` (at least 4 characters)."""
        wanted = snapshot_id.strip().lower()
        matches = [s for s in self._index() if s.id == wanted]
        if not matches and len(wanted) >= 4:
            matches = [s for s in self._index() if s.id.startswith(wanted)]
        if not matches:
            raise VaultError("vault.unknown_snapshot", snapshot=snapshot_id)
        if len(matches) > 1:
            raise VaultError("vault.ambiguous_snapshot", snapshot=snapshot_id)
        return matches[0]

    def create(self, path: Path, *, now: datetime | None = None) -> Snapshot:
        """Back up one register; identical content already in the vault is not stored again."""
        return self.create_many([path], now=now).snapshots[0]

    def create_many(self, paths: Iterable[Path], *, now: datetime | None = None) -> CreateResult:
        """Back up several registers with one read and one write of the index."""
        sources = [Path(p) for p in paths]
        for source in sources:
            if source.is_dir():
                raise VaultError("register.is_directory", path=str(source))
            if not source.is_file():
                raise VaultError("vault.book_missing", path=str(source))
        when = (now or datetime.now()).astimezone()
        result = CreateResult(snapshots=[])
        with self._writing(), self._changing() as snapshots:
            snapshots = list(snapshots)
            for source in sources:
                snap, reused = self._store(source, snapshots, when)
                snapshots.append(snap)
                result.snapshots.append(snap)
                if reused:
                    result.reused.append(snap.id)
            self._write_index(snapshots)
        return result

    def _store(
        self, source: Path, existing: builtins.list[Snapshot], when: datetime
    ) -> tuple[Snapshot, bool]:
        data_dir = self.directory / DATA_DIR
        taken = {s.id for s in existing}
        snap_id = secrets.token_hex(8)
        while snap_id in taken:  # pragma: no cover - 64 random bits
            snap_id = secrets.token_hex(8)
        with _temp_file(data_dir, ".data-") as (tmp, handle):
            try:
                raw = source.open("rb")
            except OSError as exc:
                raise _unreadable(source, exc) from exc
            with raw:
                reader = _HashingReader(raw, source)
                age.encrypt(reader, handle, self._passphrase, work_factor=self.work_factor)
            digest = reader.sha256.hexdigest()
            same = [
                s
                for s in existing
                if s.sha256 == digest
                and s.size == reader.size
                and (self.directory / s.file).is_file()
            ]
            if same:
                file = same[0].file
            else:
                _finish(handle)
                file = f"{DATA_DIR}/{secrets.token_hex(16)}.age"
                os.replace(tmp, self.directory / file)
                fsync_dir(data_dir)
        snap = Snapshot(
            id=snap_id,
            created=when,
            book=source.name,
            source=str(source.resolve().parent),
            size=reader.size,
            sha256=digest,
            file=file,
        )
        return snap, bool(same)

    # reading snapshots back ----------------------------------------------------------------

    def _open_checked(self, snap: Snapshot, sink: IO[bytes] | None) -> None:
        """Decrypt `snap` completely, writing to `sink`; TamperedSnapshot unless every byte
        authenticated and the size and SHA-256 match the index."""
        path = self.directory / snap.file
        if not path.is_file():
            raise VaultError("vault.data_missing", snapshot=snap.id, path=str(path))
        sha = hashlib.sha256()
        size = 0
        with path.open("rb") as src:
            try:
                # One pass: each authenticated 1 MiB block is hashed and written from
                # age's own buffer before the next one is decrypted into it.
                for block in age.decrypt_blocks(src, self._passphrase):
                    sha.update(block)
                    size += len(block)
                    if sink is not None:
                        sink.write(block)
            except age.AgeError:
                # The index opened with this passphrase, so any failure here is damage.
                raise TamperedSnapshot(snapshot=snap.id) from None
        if size != snap.size or sha.hexdigest() != snap.sha256:
            raise TamperedSnapshot(snapshot=snap.id)

    def verify(self, snapshot_id: str) -> Snapshot:
        """Decrypt one snapshot and check every byte and its SHA-256."""
        snap = self.get(snapshot_id)
        self._open_checked(snap, None)
        return snap

    def verify_all(self) -> VerifyReport:
        """Verify every snapshot (each stored file once); damage is reported, not raised."""
        report = VerifyReport(ok=[], damaged=[])
        outcome: dict[str, str | None] = {}
        for snap in self.list():
            if snap.file not in outcome:
                try:
                    self._open_checked(snap, None)
                    outcome[snap.file] = None
                except TamperedSnapshot:
                    outcome[snap.file] = "error.tampered_snapshot"
                except VaultError as exc:
                    outcome[snap.file] = exc.key
            reason = outcome[snap.file]
            if reason is None:
                report.ok.append(snap)
            else:
                report.damaged.append(Damage(id=snap.id, book=snap.book, reason=reason))
        return report

    def restore(self, snapshot_id: str, to: Path, force: bool = False) -> Path:
        """Write a snapshot's register to `to` (a file, or a folder to put the book in).

        Through `safe_io.atomic_write`: the content goes to a temporary file beside the
        target and is renamed into place only after the whole payload authenticated and the
        SHA-256 matched. An existing file is replaced only with `force`, and not while Excel
        or WPS has it open.
        """
        from clientbook.safe_io import atomic_write, check_not_open

        snap = self.get(snapshot_id)
        target = Path(to)
        if target.is_dir():
            target = target / snap.book
        if target.exists():
            if not force:
                raise VaultError("vault.target_exists", path=str(target))
            check_not_open(target)  # replacing a workbook open in Excel/WPS would lose edits
        if not target.parent.is_dir():
            raise VaultError("vault.target_folder_missing", path=str(target.parent))

        def still_free() -> None:
            if not force and target.exists():  # appeared while we were decrypting
                raise VaultError("vault.target_exists", path=str(target))

        atomic_write(target, lambda f: self._open_checked(snap, f), before_replace=still_free)
        return target

    # pruning -----------------------------------------------------------------------------

    def prune(
        self, policy: PrunePolicy, now: datetime | None = None, dry_run: bool = False
    ) -> PruneResult:
        """Forget the snapshots no keep rule keeps, and delete data no snapshot uses.

        `now` is accepted for symmetry with `create` (restic's rules count snapshots, not
        calendar days, so the clock does not change the outcome).
        """
        del now
        if dry_run:
            chosen = select_survivors(self._index(), policy)
            return PruneResult(**chosen.model_dump(), dry_run=True)
        with self._writing(), self._changing() as snapshots:
            chosen = select_survivors(snapshots, policy)
            if chosen.forget:
                self._write_index(chosen.keep)
            used = {s.file for s in chosen.keep}
            removed = 0
            for path in sorted((self.directory / DATA_DIR).glob("*.age")):
                if f"{DATA_DIR}/{path.name}" not in used:
                    path.unlink()
                    removed += 1
        return PruneResult(**chosen.model_dump(), dry_run=False, removed_files=removed)


def is_terminal() -> bool:
    """Whether a passphrase prompt can be shown."""
    return sys.stdin is not None and sys.stdin.isatty()
