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
    from clientbook.register.model import Book


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


# --- validate ------------------------------------------------------------------------


class ValidateFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def open_register(
    path: Path, sheet: str | None, password_file: Path | None
) -> tuple[Book, str | None]:
    """open_book with the password from book_password(), else a no-echo prompt on a terminal.

    Returns (book, password). Without a terminal a WrongPassword propagates (exit 2).
    """
    from clientbook.errors import WrongPassword
    from clientbook.messages import text
    from clientbook.register.read import book_password, open_book

    password = book_password(password_file)
    try:
        return open_book(path, sheet=sheet, password=password), password
    except WrongPassword:
        if password is not None or not sys.stdin.isatty():
            raise
    password = typer.prompt(
        text("validate.password_prompt", error_lang(), path=str(path)),
        hide_input=True,
        err=True,
    )
    return open_book(path, sheet=sheet, password=password), password


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
    """Check the register: every problem in one pass, each pointing at a cell.

    Exit 0 when there are no errors (1 with --strict and warnings), 1 when there are
    errors, 2 when the file cannot be used.

    Example: clientbook validate 客户名册.xlsx --annotate 检查结果.xlsx
    """
    from datetime import date

    from clientbook.annotate import annotate_copy, check_annotate_target
    from clientbook.config import load_settings
    from clientbook.render import print_annotated, print_validation
    from clientbook.validate import check_book

    set_lang(lang)
    settings = load_settings(book, config)
    if annotate is not None:
        check_annotate_target(book, annotate)
    register, password = open_register(book, sheet, password_file)
    shown = register.lang if lang is LangOption.auto else lang.value
    set_lang(LangOption(shown))
    report = check_book(register, settings.validate_, date.today())
    if annotate is not None:
        print_annotated(annotate_copy(book, report, annotate, shown, password), shown)
    print_validation(report, fmt.value, shown)
    if report.errors or (strict and report.warnings):
        raise typer.Exit(ExitStatus.FINDINGS)


# --- tier ----------------------------------------------------------------------------


# --- backup --------------------------------------------------------------------------


# --- plan ----------------------------------------------------------------------------


# --- report --------------------------------------------------------------------------


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - Ctrl-C outside a command
        sys.exit(ExitStatus.INTERRUPTED)
