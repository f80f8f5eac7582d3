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


# --- plan ----------------------------------------------------------------------------


# --- report --------------------------------------------------------------------------


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - Ctrl-C outside a command
        sys.exit(ExitStatus.INTERRUPTED)
