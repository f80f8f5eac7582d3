"""A second Python process for work that would otherwise wait for the GIL.

`tier` on a big register reads, scores and writes in Python code that holds the GIL, so a
thread beside it only takes turns. A Worker is a child Python process, on the other core,
that runs module-level clientbook functions in the order they are submitted and sends
each result back pickled; a job's result is waited for only when it is needed. Used for
the last part of the client sheet's rows (fastcells) and the writer's first pass
(first_pass), in that order; for `clientbook tier` on a big register the worker is started
first thing, by launch.py, and the command takes it (take_early).

The child is started with `python -c` (not multiprocessing, whose spawn start re-imports
the caller's main script: a user's unguarded script would run twice). Requests and answers
are length-prefixed pickles on the child's stdin and stdout, between this process and its
own child only. If the child cannot start or dies, every job fails and its caller does the
work itself.
"""

from __future__ import annotations

import gc
import importlib
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import IO, Any, TypeVar

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

T = TypeVar("T")

_SERVE = "from clientbook.register.worker import serve; serve()"
_LENGTH = 8  # bytes of the little-endian length before each pickle
_PIPE_SIZE = 1 << 20
_THEN = "--"  # in the child's arguments: the modules to import first, this, those to preload


class WorkerFailed(Exception):
    """The job did not run, or raised in the child."""


class Worker:
    """A child Python process running submitted jobs one after the other."""

    def __init__(self, preload: tuple[str, ...] = (), imports: tuple[str, ...] = ()) -> None:
        """`imports`: clientbook modules the first job needs, imported by the child as it
        starts, before it waits for a job; `preload`: those the later jobs need, imported
        by the child in the background from then on (the first job mostly waits for
        inflated bytes, and a worker started early mostly waits for its first job)."""
        self._lock = threading.Lock()
        self._pending: list[Future[Any]] = []  # submitted, not answered, in order
        self._process: subprocess.Popen[bytes] | None = None
        first = [m for m in imports if m.startswith("clientbook.")]
        later = [m for m in preload if m.startswith("clientbook.")]
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _SERVE, *first, _THEN, *later],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            return
        assert self._process.stdout is not None
        _widen_pipe(self._process.stdout)
        self._reader = threading.Thread(
            target=self._read_answers,
            args=(self._process.stdout,),
            name="clientbook-worker",
            daemon=True,
        )
        self._reader.start()

    def submit(self, function: Callable[..., T], *args: Any) -> Future[T]:
        """Run `function(*args)` in the child (a module-level clientbook function)."""
        return self.submit_named(function.__module__, function.__qualname__, *args)

    def submit_named(self, module: str, name: str, *args: Any) -> Future[Any]:
        """submit() for a function named by its module and name, not imported here."""
        job: Future[Any] = Future()
        with self._lock:
            process = self._process
            if process is None or process.stdin is None or not module.startswith("clientbook."):
                job.set_exception(WorkerFailed("no worker"))
                return job
            self._pending.append(job)
            request = pickle.dumps((module, name, args), protocol=pickle.HIGHEST_PROTOCOL)
            try:
                process.stdin.write(len(request).to_bytes(_LENGTH, "little") + request)
                process.stdin.flush()
            except (OSError, ValueError):
                self._pending.remove(job)
                job.set_exception(WorkerFailed("the worker has stopped"))
        return job

    def _read_answers(self, stdout: IO[bytes]) -> None:
        try:
            while True:
                head = stdout.read(_LENGTH)
                if len(head) < _LENGTH:
                    break
                data = stdout.read(int.from_bytes(head, "little"))
                kind, value = pickle.loads(data)  # our own child's answer
                with self._lock:
                    job = self._pending.pop(0) if self._pending else None
                if job is None:
                    break
                if kind == "ok":
                    job.set_result(value)
                else:
                    job.set_exception(WorkerFailed(value))
        except Exception:  # a broken pipe or a torn answer: the jobs fail below
            pass
        with self._lock:
            pending, self._pending = self._pending, []
        for job in pending:
            job.set_exception(WorkerFailed("the worker has stopped"))

    def finish(self) -> None:
        """No more jobs: the child ends once it has answered, while this process goes on
        (close() then only reaps it)."""
        with self._lock:
            process = self._process
            if process is not None and process.stdin is not None:
                try:
                    process.stdin.close()
                except OSError:  # the child has gone: close() reaps it
                    pass

    def close(self, *, kill: bool = False) -> None:
        """No more jobs: the child ends once it has answered (at once with `kill`, as when
        the caller fails or is interrupted, or if it does not end)."""
        with self._lock:
            process, self._process = self._process, None
        if process is None:
            return
        try:
            if kill:
                process.kill()
            if process.stdin is not None:
                process.stdin.close()
            process.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        self._reader.join()
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self.close(kill=exc_type is not None)


def _widen_pipe(pipe: IO[bytes]) -> None:
    """A pipe of 1 MiB instead of 64 KiB where Linux allows it: the parent's reading thread
    takes the GIL once per pipeful, and the main thread, busy in regular expressions, lets
    it have it only every few milliseconds (a 6 MB answer took 0.2 s to cross)."""
    setpipe = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if setpipe is None:
        return
    try:
        fcntl.fcntl(pipe.fileno(), setpipe, _PIPE_SIZE)
    except OSError:  # over /proc/sys/fs/pipe-max-size: the default size works too
        pass


# --- tier's worker, started before the command line is parsed --------------------------

# What `tier`'s jobs import: the first job's (fastcells.read_tail) as the worker starts,
# the second's (first_pass.prepare_guessed) in the background from then on.
TIER_IMPORTS = ("clientbook.register.fastcells", "clientbook.register.read")
TIER_PRELOAD = ("clientbook.register.first_pass",)


@dataclass
class Early:
    """A worker launch.py started, with its job when it has one."""

    worker: Worker
    path: str | None  # the register of the job (fastcells.tier_tail_early), if any
    job: Future[Any]


_early: list[Early] = []


def start_early(path: str | None, split_from: int = 0) -> None:
    """Start tier's worker now (launch.py: before typer and pydantic load), reading the
    last part of `path`'s client sheet if given (fastcells.tier_tail_early, `split_from`
    its SPLIT_FROM), for the command to take with take_early() once it knows what it
    needs."""
    if _early:
        return
    worker = Worker(TIER_PRELOAD, TIER_IMPORTS)
    job: Future[Any] = Future()
    if path is None:
        job.set_result(None)
    else:
        job = worker.submit_named(
            "clientbook.register.fastcells", "tier_tail_early", path, split_from
        )
    _early.append(Early(worker, path, job))


def take_early() -> Early | None:
    """What start_early() started, now the caller's to close; None if nothing (or if it
    was taken)."""
    return _early.pop() if _early else None


def tier_worker() -> Worker:
    """A worker for tier's jobs: the one started early, else a new one."""
    early = take_early()
    return early.worker if early is not None else Worker(TIER_PRELOAD, TIER_IMPORTS)


def stop_early() -> None:
    """Stop a worker start_early() started that nothing took."""
    while _early:
        _early.pop().worker.close(kill=True)


def serve() -> None:
    """The child: run each request (module, function, args) and answer it, until EOF."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    modules = sys.argv[1:]
    then = modules.index(_THEN) if _THEN in modules else len(modules)
    _import_all(modules[:then])
    if modules[then + 1 :]:
        threading.Thread(target=_import_all, args=(modules[then + 1 :],), daemon=True).start()
    # Answers are sent by a thread, in order, so that the next job starts while the parent
    # takes in a big answer.
    answers: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    sender = threading.Thread(target=_send, args=(answers, stdout), daemon=True)
    sender.start()
    while True:
        head = stdin.read(_LENGTH)
        if len(head) < _LENGTH:
            answers.put(None)
            sender.join()
            # Every answer is written and flushed, and nothing else is held: ending here
            # spares the parent, which waits for this process, a teardown of every object
            # the jobs made (60 ms after a big register).
            os._exit(0)
        module, name, args = pickle.loads(stdin.read(int.from_bytes(head, "little")))
        # The jobs make hundreds of thousands of objects and no cycles: without the cyclic
        # collector, as in the parent (read.gc_paused), else each collection walks them all.
        gc.disable()
        try:
            function = getattr(importlib.import_module(module), name)
            answer: tuple[str, Any] = ("ok", function(*args))
        except Exception as exc:  # sent back: the caller does the work itself
            answer = ("error", f"{type(exc).__name__}: {exc}")
        finally:
            gc.enable()
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        answers.put(len(data).to_bytes(_LENGTH, "little") + data)


def _send(answers: queue.SimpleQueue[bytes | None], stdout: IO[bytes]) -> None:
    try:
        while (data := answers.get()) is not None:
            stdout.write(data)
            stdout.flush()
    except OSError:  # the parent has gone: nothing to answer
        os._exit(0)


def _import_all(modules: list[str]) -> None:
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception:  # the job that needs it imports it again and reports the error
            pass
