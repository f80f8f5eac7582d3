"""The `clientbook` command's entry point: cli.main, after one head start.

`clientbook tier` on a big register reads it with a worker process beside this one
(register/worker.py). Loading the command line (typer, click, pydantic) takes this process
about 0.15 s; a worker started first imports its own modules meanwhile and is ready when
the command asks for it (worker.take_early). Whether it will be needed is guessed from the
arguments before they are parsed: `tier` and an .xlsx/.xlsm file of WORKER_FROM bytes or
more. A wrong guess costs a process that is stopped on the way out, unused.

The process then ends without the interpreter's teardown (exit_now).
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn

# tier.WORKER_FROM and fastcells.SPLIT_FROM (not imported from there: tier loads numpy,
# fastcells half of the register package; a test checks that they agree)
WORKER_FROM = 8 << 20
SPLIT_FROM = 32 << 20


def main() -> None:
    """Console-script entry point."""
    exit_now(run())


def run() -> object:
    """The command of sys.argv, with tier's worker started first when it needs one: its
    exit code (SystemExit's)."""
    early = big_tier_run(sys.argv[1:])
    if early is not None:
        from clientbook.register import worker

        worker.start_early(early or None, SPLIT_FROM)
    code: object = 0
    try:
        from clientbook import cli

        cli.main()
    except SystemExit as exc:
        code = exc.code
    finally:
        if early is not None:
            worker.stop_early()
    return code


def exit_now(code: object) -> NoReturn:
    """End the process as `sys.exit(code)` would, without the interpreter's teardown.

    Once numpy, pydantic and rich are loaded, Python's own shutdown (every module torn down,
    garbage collected) takes 0.05-0.1 s after the work is done. What that shutdown does
    that matters is done here first: threads that are not daemons are joined, the atexit
    functions run, and stdout and stderr are flushed."""
    main_thread = threading.main_thread()
    for thread in threading.enumerate():
        if thread is not main_thread and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): printed, status 1
        print(code, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`) or stream: nothing to add
            pass
    os._exit(status)


def big_tier_run(args: list[str]) -> str | None:
    """For the arguments of `tier` on a zip file named .xlsx/.xlsm of WORKER_FROM bytes or
    more (an encrypted workbook is not a zip: one process reads it): that file's name, or
    "" with --sheet (the sheet is left to the command: its worker reads nothing before
    the command asks). None otherwise. The file is the first such word that is not an
    option's value (--output NEW.xlsx)."""
    if not args or (args[0] != "tier" and args[:2] != ["--debug", "tier"]):
        return None
    words = args[args.index("tier") + 1 :]
    after_output = {i + 1 for i, word in enumerate(words) if word == "--output"}
    for i, word in enumerate(words):
        if i in after_output or word.startswith("-"):
            continue
        if not word.lower().endswith((".xlsx", ".xlsm")):
            continue
        try:
            if os.stat(word).st_size < WORKER_FROM:
                continue
            with open(word, "rb") as file:
                if file.read(4) != b"PK\x03\x04":
                    continue
        except OSError:
            continue
        sheet = any(w == "--sheet" or w.startswith("--sheet=") for w in words)
        return "" if sheet else word
    return None
