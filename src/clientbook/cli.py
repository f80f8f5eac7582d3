"""The command line: parse options, call one library function, hand the result to render.

No rule, score or file format lives here. Every ClientbookError is caught once, in
`_SafeGroup.invoke`, printed as one line on stderr, and turned into exit code 2.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from clientbook.errors import ClientbookError, ExitStatus

if TYPE_CHECKING:
    pass


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

    if book is not None and not book.exists():
        from clientbook.errors import UnusableFile

        raise UnusableFile("register.not_found", path=str(book))
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
    """新建空白客户名册 / Write a new, empty register: styled headers, dropdowns, holdings.

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


class ValidateFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def _on_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _prompt_book_password(path: Path) -> str:
    """Ask for a workbook's password without echo (stderr, so stdout stays data)."""
    from clientbook.messages import text

    try:
        answer: str = typer.prompt(
            text("validate.password_prompt", error_lang(), path=str(path)),
            hide_input=True,
            err=True,
        )
    except typer.Abort:  # Ctrl-C or end of input at the prompt: exit 130, not 1
        raise KeyboardInterrupt from None
    return answer


def book_password_or_prompt(path: Path, password_file: Path | None) -> str | None:
    """The workbook password from the environment or file, else asked on a terminal when
    the workbook is encrypted; None when none is needed or none can be asked."""
    from clientbook.register.read import book_password, is_encrypted

    password = book_password(password_file)
    if password is None and _on_terminal() and is_encrypted(path):
        password = _prompt_book_password(path)
    return password


@app.command("validate")
def validate_command(
    book: Annotated[Path, typer.Argument(help="名册文件 / register (.xlsx, .xlsm)")],
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="客户表名称 / client sheet name")
    ] = None,
    fmt: Annotated[
        ValidateFormat, typer.Option("--format", help="输出格式 / output format")
    ] = ValidateFormat.table,
    annotate: Annotated[
        Path | None,
        typer.Option("--annotate", help="写出标注副本 / write a marked-up copy to OUT.xlsx"),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="有警告也返回 1 / exit 1 on warnings too")
    ] = False,
    lang: Annotated[
        LangOption, typer.Option("--lang", help="语言 / language (auto = the register's)")
    ] = LangOption.auto,
    password_file: Annotated[
        Path | None,
        typer.Option("--password-file", help="工作簿密码文件 / file holding the book password"),
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="配置文件 / config file")] = None,
) -> None:
    """检查名册，逐个单元格列出问题 / Check the register: every problem, at its cell.

    退出码 0 无错误，1 有错误（--strict 时警告也算），2 文件无法使用。
    Exit 0 when there are no errors (1 with --strict and warnings), 1 when there are
    errors, 2 when the file cannot be used.

    Example: clientbook validate 客户名册.xlsx --annotate 检查结果.xlsx
    """
    from datetime import date

    from clientbook.config import load_settings
    from clientbook.messages import text
    from clientbook.render import print_validation
    from clientbook.validate import check_book

    set_lang(lang)
    settings = load_settings(book, config)
    if annotate is not None:
        from clientbook.annotate import check_annotate_target  # openpyxl: only when needed

        check_annotate_target(book, annotate)
    from clientbook.register.read import open_book
    from clientbook.render import working

    password = book_password_or_prompt(book, password_file)
    with working(text("validate.working", error_lang(), path=str(book))):
        register = open_book(book, sheet=sheet, password=password)
        shown = register.lang if lang is LangOption.auto else lang.value
        set_lang(LangOption(shown))
        report = check_book(register, settings.validate_, date.today())
    if annotate is not None:
        from clientbook.annotate import annotate_copy
        from clientbook.render import print_annotated

        print_annotated(annotate_copy(book, report, annotate, shown, password), shown)
    print_validation(report, fmt.value, shown)
    if report.errors or (strict and report.warnings):
        raise typer.Exit(ExitStatus.FINDINGS)


# --- tier ----------------------------------------------------------------------------


# What the last `tier` made and no longer needs, kept until the process ends: the console
# entry point ends it without freeing anything (launch.exit_now), and freeing 100,000
# clients on the way took 0.05 s. Emptied (and unfrozen) when the next `tier` starts: tests
# run many in one process.
_RETAINED: list[object] = []


class TierFormat(StrEnum):
    table = "table"
    json = "json"


@app.command("tier")
def tier_command(
    book: Annotated[Path, typer.Argument(help="名册文件 / register (.xlsx, .xlsm)")],
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="客户工作表名 / client sheet name")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", help="写入新文件，原文件不动 / write a new file instead"),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只显示结果，不写入 / show the result, write nothing")
    ] = False,
    no_backup: Annotated[
        bool, typer.Option("--no-backup", help="改写前不备份 / do not back up the old file")
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="即使 Excel/WPS 打开了文件 / even if Excel/WPS has it open"),
    ] = False,
    output_format: Annotated[
        TierFormat, typer.Option("--format", help="输出格式 / output format")
    ] = TierFormat.table,
    lang: Annotated[LangOption, typer.Option("--lang", help="语言 / language")] = LangOption.auto,
    password_file: Annotated[
        Path | None,
        typer.Option("--password-file", help="工作簿密码文件 / workbook password file"),
    ] = None,
    passphrase_file: Annotated[
        Path | None,
        typer.Option("--passphrase-file", help="备份口令文件 / vault passphrase file"),
    ] = None,
    vault: Annotated[
        Path | None, typer.Option("--vault", help="备份库文件夹 / vault folder")
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="配置文件 / config file")] = None,
) -> None:
    """客户分层、潜力×易达评分与排名，写回名册 7 列 / Segment, score and rank the book.

    Writes 客户层级 (tier), 潜力分, 易达分, 优先级得分, 优先级象限, 优先排名, 优先级说明 into
    the client sheet; an encrypted backup of the old file goes into the vault first.

    Example: clientbook tier book.xlsx --dry-run
    """
    import contextlib
    import gc

    from clientbook.register.fastcells import read_ahead
    from clientbook.register.read import gc_paused
    from clientbook.register.schema import TIER_FIELDS

    _RETAINED.clear()
    gc.unfreeze()
    # A big register's last rows are read now, by a worker process, while the rest loads;
    # the worker is stopped on the way out, whatever happens. The command makes millions of
    # objects and no cycles: no cyclic collection meanwhile.
    ahead = read_ahead(book, sheet, TIER_FIELDS)
    with ahead if ahead is not None else contextlib.nullcontext(), gc_paused():
        from datetime import date

        from clientbook.config import load_settings
        from clientbook.render import (
            print_tier_done,
            print_tier_json,
            print_tier_summary,
            tier_progress,
        )
        from clientbook.tier import Lang, tier_register

        set_lang(lang)
        settings = load_settings(book, config)
        in_place = not (dry_run or output is not None)
        snapshots: list[Any] = []
        backup = None
        opened = None
        if in_place and not no_backup:
            # Settle the passphrase before the long work: ask now, or stop saying how to give one.
            # A register that is not there (or not a workbook) is said first: a passphrase
            # would not help.
            from clientbook.errors import VaultError
            from clientbook.register.read import check_register
            from clientbook.safe_io import check_writable
            from clientbook.vault import store

            check_writable(book)
            check_register(book)

            if store.resolve_passphrase(passphrase_file) is None and not store.is_terminal():
                raise VaultError("tier.no_passphrase")
            opened = _open_vault(vault, passphrase_file, lang)

            def backup(path: Path) -> None:
                snapshots.append(opened.create(path))

        asked: Lang | None = (
            None if lang is LangOption.auto else "en" if lang is LangOption.en else "zh"
        )
        with tier_progress(error_lang()) as progress:
            run = tier_register(
                book,
                settings.tier,
                date.today(),
                sheet=sheet,
                password=book_password_or_prompt(book, password_file),
                output=output,
                dry_run=dry_run,
                force=force,
                backup=backup,
                lang=asked,
                progress=progress,
                breakdown=output_format is TierFormat.json,  # the table shows no breakdown
                stream=output_format is TierFormat.json,
                ahead=ahead,
                retain=_RETAINED,
            )
        shown = run.result.lang
        if output_format is TierFormat.json:
            print_tier_json(run.result, run.client_slices())
        else:
            print_tier_summary(run.result, shown)
        print_tier_done(
            run.write,
            shown,
            new_file=output is not None,
            snapshot=snapshots[0].id if snapshots else None,
            vault=opened.directory if opened is not None else None,
            no_backup=in_place and no_backup,
        )
        # What it made and kept (_RETAINED) out of the collector's sight once it is on again:
        # it would walk every client once more (0.08 s at 100,000).
        gc.freeze()


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

    def ask(prompt: str) -> str:
        # on stderr, like every message: `backup list --format json > x.json` stays clean
        try:
            answer: str = typer.prompt(prompt, hide_input=True, err=True)
        except typer.Abort:  # Ctrl-C or end of input at the prompt: exit 130, not 1
            raise KeyboardInterrupt from None
        return answer

    if not new:
        return ask(text("vault.prompt", lang))
    while True:
        first = ask(text("vault.prompt_new", lang, path=directory))
        if ask(text("vault.prompt_confirm", lang)) == first:
            return first
        typer.echo(text("vault.prompt_mismatch", lang), err=True)


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
    """备份名册到加密备份库 / Back up registers into the vault as encrypted snapshots.

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
    """列出备份快照 / List the snapshots in the vault (oldest first).

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
    """校验快照 / Decrypt snapshots and check every byte and the SHA-256 (all when no id is given).

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
    """从快照恢复名册 / Restore a snapshot's register; never overwrites a file without --force.

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
    """按保留规则清理旧快照 / Forget old snapshots by restic's keep rules, per book.

    Data files no surviving snapshot uses are deleted.

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
    from clientbook.render import utf8_streams

    utf8_streams()  # redirected output is UTF-8 on every platform, never a crash
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - Ctrl-C outside a command
        sys.exit(ExitStatus.INTERRUPTED)
