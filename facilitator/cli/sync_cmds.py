"""review share | review join | sync: the shared review folder from the command line."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from facilitator.cli import reviews
from facilitator.cli.context import Context, UserError, pass_context
from facilitator.cli.output import echo, echo_progress

if TYPE_CHECKING:
    from facilitator.sync import SyncReport

PASSPHRASE_ENV = "FACILITATOR_PASSPHRASE"

passphrase_file_option = click.option(
    "--passphrase-file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help=f"Read the review passphrase from this file (first line). Env: {PASSPHRASE_ENV}.",
)


def _passphrase(source: Path | None, *, confirm: bool) -> str:
    if source is not None:
        from facilitator.files import read_bounded

        try:  # a passphrase is a line: /dev/zero or a huge file must not be read whole
            lines = read_bounded(source, 64 * 1024).decode("utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"cannot read the passphrase file {source}: {exc}") from None
        return lines[0] if lines else ""
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    if not sys.stdin.isatty():
        raise UserError(
            f"no passphrase: give --passphrase-file or set {PASSPHRASE_ENV}, or run in a terminal"
        )
    return click.prompt("Review passphrase", hide_input=True, confirmation_prompt=confirm, err=True)


def _echo_report(obj: Context, report: SyncReport, *, quiet_if_idle: bool = False) -> None:
    if quiet_if_idle and not report.moved:
        return  # nothing moved and nothing changed: said already
    try:
        label = obj.store.review(report.review).label
    except Exception:  # noqa: BLE001 - a review not yet pulled has no label
        label = report.review[:8]
    for line in report.lines():
        stream_err = line.startswith("problem:") or line.startswith("Share unreachable")
        echo(f"{label}: {line}", err=stream_err)
    _offer_purge(obj, report.review, label)
    if report.stuck:
        echo(
            f"{label}: problem: ops announced on the share have not arrived after "
            f"{min(g.rounds for g in report.stuck)} syncs; is the other laptop's file-sync "
            "engine still copying? 'facilitator sync --recheck' reads everything again",
            err=True,
        )


class _ProgressLine:
    """One line on stderr, rewritten in place, for a pull that takes a while (a join)."""

    def __init__(self) -> None:
        self.last = 0.0

    def __call__(self, progress) -> None:  # noqa: ANN001 - a sync Progress
        now = time.monotonic()
        done = progress.segments_read >= progress.segments_total
        if progress.elapsed_s < 1 or (now - self.last < 0.5 and not done):
            return
        self.last = now
        echo_progress(f"Joining: {progress.text()}".ljust(70), done=done)


def _offer_purge(obj: Context, review: str, label: str) -> None:
    """Another laptop purged this review and left its marker in the share: say so."""
    from facilitator.sync.purge import read_marker, shared_folder

    shared = shared_folder(obj.store, review)
    marker = read_marker(shared[0], review, shared[1]) if shared else None
    if marker is None:
        return
    echo(
        f"{label}: another laptop purged this review on {marker.purged_at[:10]}; to remove it "
        f"from this laptop too, run 'facilitator review purge {label}'",
        err=True,
    )


@click.command("share")
@click.argument("review_ref", metavar="REVIEW")
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path, dir_okay=True))
@passphrase_file_option
@pass_context
def review_share(obj: Context, review_ref: str, folder: Path, passphrase_file: Path | None):
    """Publish a review to a shared folder, protected by a passphrase you choose.

    Other laptops join with 'facilitator review join DIR' and the same passphrase.
    """
    from facilitator.sync import SyncError, share_review

    review_id = obj.review_id(review_ref)
    passphrase = _passphrase(passphrase_file, confirm=True)
    try:
        report = share_review(obj.store, review_id, folder, passphrase)
    except SyncError as exc:
        raise UserError(str(exc)) from None
    _echo_report(obj, report)


@click.command("join")
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path, dir_okay=True))
@passphrase_file_option
@pass_context
def review_join(obj: Context, folder: Path, passphrase_file: Path | None) -> None:
    """Take a shared review into this laptop (asks for its passphrase); prints its id."""
    from facilitator.sync import SyncError, WrongPassphrase, join_share

    passphrase = _passphrase(passphrase_file, confirm=False)
    try:
        report = join_share(obj.store, folder, passphrase, progress=_ProgressLine())
    except WrongPassphrase:
        raise UserError("wrong passphrase for this shared review; nothing was changed") from None
    except SyncError as exc:
        raise UserError(str(exc)) from None
    echo(report.review)
    for line in report.lines():
        echo(line, err=True)


@click.command("sync")
@click.argument("review_ref", metavar="REVIEW", required=False)
@click.option("--watch", is_flag=True, help="Keep syncing until interrupted (Ctrl-C).")
@click.option(
    "--recheck",
    is_flag=True,
    help="Read every file on the share again (known and refused ones too), to be sure.",
)
@click.option(
    "--interval",
    default=5.0,
    show_default=True,
    type=click.FloatRange(0.5, 3600),
    help="Seconds between syncs with --watch.",
)
@pass_context
def sync_cmd(
    obj: Context, review_ref: str | None, watch: bool, recheck: bool, interval: float
) -> None:
    """Sync shared reviews with their folders: prints what moved and any problems.

    Exits with status 1 when the share is unreachable or a file was refused, and when ops
    the share announces for another laptop are still missing after several syncs.
    """
    from facilitator.sync import SyncError, engine_for, shared_reviews

    if review_ref:
        targets = [obj.store.resolve("reviews", review_ref)]
    else:
        targets = shared_reviews(obj.store)
        if not targets:
            raise UserError("no review is shared yet: use 'facilitator review share REVIEW DIR'")
    try:
        engines = [engine_for(obj.store, review) for review in targets]
    except SyncError as exc:
        raise UserError(str(exc)) from None
    if not watch:
        failed = False
        for engine in engines:
            report = engine.sync(recheck=recheck)
            _echo_report(obj, report)
            failed |= not report.reachable or bool(report.problems) or bool(report.stuck)
        if failed:
            sys.exit(1)
        return
    last_state: dict[str, tuple] = {}
    with _stop_on_signal() as stop:
        echo(f"Syncing every {interval:g} s; press Ctrl-C to stop.", err=True)
        while not stop.is_set():
            for engine in engines:
                report = engine.sync(recheck=recheck)
                seen = (
                    report.reachable,
                    tuple(report.problems),
                    report.pending,
                    tuple((g.device, g.epoch, g.first, g.last) for g in report.gaps),
                    tuple(skew.short() for skew in report.clocks),
                )
                changed = last_state.get(engine.review) != seen
                last_state[engine.review] = seen
                _echo_report(obj, report, quiet_if_idle=not changed)
            recheck = False  # once is enough
            stop.wait(interval)
    echo("Stopped.", err=True)


@contextmanager
def _stop_on_signal() -> Iterator[threading.Event]:
    """Ctrl-C (or SIGTERM) asks the watch loop to stop once the sync under way has finished.
    A KeyboardInterrupt raised at a random point could be swallowed (inside a finaliser, say)
    and leave the loop running; a flag cannot be lost. A second Ctrl-C interrupts at once,
    for a share that hangs."""
    stop = threading.Event()

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


reviews.review.add_command(review_share)
reviews.review.add_command(review_join)

COMMANDS = [sync_cmd]
