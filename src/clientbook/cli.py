"""The command line: parse options, call one library function, hand the result to render.

No rule, score or file format lives here. Every ClientbookError is caught once, in
`_SafeGroup.invoke`, printed as one line on stderr, and turned into exit code 2.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from clientbook.errors import ClientbookError, ExitStatus


class LangOption(StrEnum):
    auto = "auto"
    zh = "zh"
    en = "en"


class _State:
    """Per-invocation settings the error handler needs (set by the root callback)."""

    debug = False
    lang = "auto"


STATE = _State()


def error_lang() -> str:
    """Language for a message printed before (or without) reading a register."""
    if STATE.lang in ("zh", "en"):
        return STATE.lang
    env = os.environ.get("CLIENTBOOK_LANG") or os.environ.get("LANG", "")
    return "en" if env.lower().startswith("en") else "zh"


class _SafeGroup(TyperGroup):
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ClientbookError as exc:
            if STATE.debug:
                raise
            typer.echo(exc.render(error_lang()), err=True)
            raise typer.Exit(ExitStatus.UNUSABLE) from None
        except KeyboardInterrupt:
            if STATE.debug:
                raise
            from clientbook.messages import text

            typer.echo(text("error.interrupted", error_lang()), err=True)
            raise typer.Exit(ExitStatus.INTERRUPTED) from None


app = typer.Typer(
    cls=_SafeGroup,
    name="clientbook",
    help="clientbook：用你的 Excel 客户名册管理客户包 / run your client book from your register.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback()
def _root(
    debug: Annotated[
        bool, typer.Option("--debug", help="出错时显示完整堆栈 / show tracebacks")
    ] = False,
) -> None:
    STATE.debug = debug
    STATE.lang = "auto"


def set_lang(lang: LangOption) -> None:
    STATE.lang = lang.value


config_app = typer.Typer(
    cls=_SafeGroup, help="配置 / settings (clientbook.toml)", no_args_is_help=True
)
app.add_typer(config_app, name="config")


@config_app.command("show")
def config_show(
    book: Annotated[
        Path | None, typer.Argument(help="名册文件（读取其旁边的 clientbook.toml）/ register")
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="配置文件 / config file")] = None,
) -> None:
    """Print the effective settings as TOML.

    Example: clientbook config show book.xlsx
    """
    from clientbook.config import load_settings
    from clientbook.render import print_settings

    print_settings(load_settings(book, config))


# --- init ----------------------------------------------------------------------------


@app.command("init")
def init_command(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="新名册的路径（默认当前文件夹下的 客户名册.xlsx / client_register.xlsx）"
            " / where to write the new register",
            show_default=False,
        ),
    ] = None,
    lang: Annotated[
        LangOption,
        typer.Option(
            "--lang", help="表头语言 / header language (auto follows CLIENTBOOK_LANG/LANG)"
        ),
    ] = LangOption.auto,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="覆盖已有文件（原文件另存为 .old.xlsx）/ replace an existing file"
        ),
    ] = False,
) -> None:
    """Write a new, empty client register: styled headers, dropdowns, holdings sheet.

    Example: clientbook init 客户名册.xlsx --lang zh
    """
    from clientbook.init import create_register, sheet_name
    from clientbook.messages import text

    set_lang(lang)
    chosen = error_lang()
    result = create_register(path if path is not None else Path("."), chosen, force)
    key = "init.created" if result.previous is None else "init.created_replaced"
    sheet = sheet_name("clients", chosen)
    message = text(key, chosen, path=result.path, previous=result.previous, sheet=sheet)
    typer.echo(message, err=True)


# --- validate ------------------------------------------------------------------------


# --- tier ----------------------------------------------------------------------------


# --- backup --------------------------------------------------------------------------


class _BackupGroup(_SafeGroup):
    """`clientbook backup BOOK...` is short for `clientbook backup create BOOK...`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["create", *args]
        result: list[str] = super().parse_args(ctx, args)
        return result


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


backup_app = typer.Typer(
    cls=_BackupGroup,
    help=(
        "加密备份库 / encrypted vault of register snapshots (age format). "
        "clientbook backup BOOK 等同于 / is short for: clientbook backup create BOOK"
    ),
    no_args_is_help=True,
)
app.add_typer(backup_app, name="backup")

VaultOpt = Annotated[
    Path | None,
    typer.Option(
        "--vault",
        help="备份库文件夹 / vault folder (default: CLIENTBOOK_VAULT or the user data folder)",
    ),
]
PassFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--passphrase-file",
        help="口令文件（第一行）/ file whose first line is the passphrase "
        "(else CLIENTBOOK_PASSPHRASE, else a prompt)",
    ),
]
LangOpt = Annotated[LangOption, typer.Option("--lang", help="语言 / language")]


def prompt_passphrase(directory: Path, new: bool) -> str:
    """Ask for the vault passphrase without echo; twice for a new vault (also for `tier`)."""
    from clientbook.messages import text

    lang = error_lang()
    if new:
        result: str = typer.prompt(
            text("vault.prompt_new", lang, path=directory),
            hide_input=True,
            confirmation_prompt=text("vault.prompt_confirm", lang),
        )
    else:
        result = typer.prompt(text("vault.prompt", lang), hide_input=True)
    return result


def _open_vault(vault: Path | None, passphrase_file: Path | None, lang: LangOption) -> Any:
    from clientbook.vault.store import open_vault

    set_lang(lang)
    return open_vault(vault, passphrase_file, prompt_passphrase)


@backup_app.command("create")
def backup_create(
    books: Annotated[list[Path], typer.Argument(help="要备份的名册 / registers to back up")],
    vault: VaultOpt = None,
    passphrase_file: PassFileOpt = None,
    lang: LangOpt = LangOption.auto,
) -> None:
    """Back up registers into the vault as encrypted snapshots.

    Example: clientbook backup create book.xlsx   (or: clientbook backup book.xlsx)
    """
    from clientbook.render import print_backup_created

    opened = _open_vault(vault, passphrase_file, lang)
    print_backup_created(opened.create_many(books), opened.directory, error_lang())


@backup_app.command("list")
def backup_list(
    book: Annotated[str | None, typer.Argument(help="只列出该名册 / only this book")] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="输出格式 / output format")
    ] = OutputFormat.table,
    vault: VaultOpt = None,
    passphrase_file: PassFileOpt = None,
    lang: LangOpt = LangOption.auto,
) -> None:
    """List the snapshots in the vault (oldest first).

    Example: clientbook backup list book.xlsx --format json
    """
    from clientbook.render import print_snapshots

    opened = _open_vault(vault, passphrase_file, lang)
    print_snapshots(opened.list(book), output.value, error_lang())


@backup_app.command("verify")
def backup_verify(
    snapshot: Annotated[str | None, typer.Argument(help="快照编号 / snapshot id")] = None,
    all_: Annotated[bool, typer.Option("--all", help="校验全部 / verify every snapshot")] = False,
    vault: VaultOpt = None,
    passphrase_file: PassFileOpt = None,
    lang: LangOpt = LangOption.auto,
) -> None:
    """Decrypt snapshots and check every byte and the SHA-256 (all when no id is given).

    Example: clientbook backup verify --all
    """
    from clientbook.errors import UsageError, VaultError
    from clientbook.render import print_verified, print_verify_report

    if snapshot is not None and all_:
        raise UsageError("vault.verify_args")
    opened = _open_vault(vault, passphrase_file, lang)
    if snapshot is not None:
        print_verified(opened.verify(snapshot), error_lang())
    else:
        report = opened.verify_all()
        print_verify_report(report, error_lang())
        if report.damaged:
            ids = ", ".join(bad.id[:8] for bad in report.damaged)
            raise VaultError("vault.verify_failed", count=len(report.damaged), snapshots=ids)


@backup_app.command("restore")
def backup_restore(
    snapshot: Annotated[str, typer.Argument(help="快照编号 / snapshot id")],
    to: Annotated[
        Path | None,
        typer.Option("--to", help="恢复到的文件或文件夹 / file or folder (default: here)"),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="覆盖已有文件 / replace an existing file")
    ] = False,
    vault: VaultOpt = None,
    passphrase_file: PassFileOpt = None,
    lang: LangOpt = LangOption.auto,
) -> None:
    """Restore a snapshot's register; never overwrites a file without --force.

    Example: clientbook backup restore 3f9a1c2e --to restored.xlsx
    """
    from clientbook.render import print_restored

    opened = _open_vault(vault, passphrase_file, lang)
    target = opened.restore(snapshot, to if to is not None else Path.cwd(), force=force)
    print_restored(snapshot, target, error_lang())


@backup_app.command("prune")
def backup_prune(
    keep_last: Annotated[int, typer.Option("--keep-last", min=0, help="最近 N 个")] = 0,
    keep_daily: Annotated[int, typer.Option("--keep-daily", min=0, help="最近 N 天各一")] = 0,
    keep_weekly: Annotated[int, typer.Option("--keep-weekly", min=0, help="最近 N 周各一")] = 0,
    keep_monthly: Annotated[int, typer.Option("--keep-monthly", min=0, help="最近 N 个月各一")] = 0,
    keep_yearly: Annotated[int, typer.Option("--keep-yearly", min=0, help="最近 N 年各一")] = 0,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只显示，不删除 / show, change nothing")
    ] = False,
    vault: VaultOpt = None,
    passphrase_file: PassFileOpt = None,
    lang: LangOpt = LangOption.auto,
) -> None:
    """Forget old snapshots with restic's keep rules, per book, and delete unused data.

    Example: clientbook backup prune --keep-daily 7 --keep-weekly 4 --keep-monthly 12
    """
    from clientbook.render import print_prune
    from clientbook.vault.store import PrunePolicy

    policy = PrunePolicy(
        last=keep_last,
        daily=keep_daily,
        weekly=keep_weekly,
        monthly=keep_monthly,
        yearly=keep_yearly,
    )
    opened = _open_vault(vault, passphrase_file, lang)
    print_prune(opened.prune(policy, dry_run=dry_run), error_lang())


# --- plan ----------------------------------------------------------------------------


# --- report --------------------------------------------------------------------------


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - Ctrl-C outside a command
        sys.exit(ExitStatus.INTERRUPTED)
