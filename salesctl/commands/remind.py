"""cron and mail: `remind` (each rep's today digest), and the mail helpers `report --email` uses."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from typing import Annotated

import typer

from ..errors import Invalid
from . import app_of, say

# A claim neither sent nor refreshed for this long belongs to a run that died mid-send: take it over.
STALE_CLAIM = timedelta(minutes=15)
# While a reminder is being sent its claim is re-stamped this often, so a slow relay never makes it stale.
CLAIM_REFRESH = STALE_CLAIM / 5


def remind(
    ctx: typer.Context,
    rep: Annotated[
        str | None, typer.Option("--rep", metavar="REP", help="Only this rep (default: you).")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every active rep.")] = False,
    email: Annotated[
        bool,
        typer.Option(
            "--email",
            help="Mail each rep their digest (SMTP from SALESCTL_SMTP_* or the config file).",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Print the mails that would be sent; send and record nothing."
        ),
    ] = False,
) -> int:
    """Each rep's to-do digest: overdue and due follow-ups, and what else needs a look today.

    Quiet when nobody has anything on their list (exit 0). Without --email the digests go to
    stdout, so cron's MAILTO delivers them. With --email each rep gets theirs at their address,
    at most once per rep and day even when runs overlap; a failed send is named on stderr, the
    others are still sent, and the exit code is 1.

    \b
    Example:
      salesctl remind --all --email
      salesctl remind --all --dry-run
    """
    app = app_of(ctx)
    if rep and all_:
        raise Invalid("--all", "--all", "cannot be combined with --rep")
    from ..agenda import today

    store = app.store()
    if all_:
        reps = list(store.reps(active_only=True))
    elif rep:
        reps = [store.require_rep(rep, field="--rep", active=False)]
    else:
        found = store.rep(app.current_rep_name())
        reps = [found] if found is not None else []  # a rep with no data yet has nothing due
    digests = []
    for row in reps:
        doc = today(store, app.settings, now=app.now, tz=app.tz, rep_id=row["id"])
        if doc["items"]:
            digests.append((row, doc))
    if not digests:
        return 0
    if not email and not dry_run:
        _print_digests(digests)
        return 0
    return _mail_digests(app, digests, dry_run=dry_run)


def _print_digests(digests) -> None:
    from ..mail import digest

    for n, (row, doc) in enumerate(digests):
        subject, text, _html = digest(doc, rep=row["name"])
        print(
            ("\n" if n else "") + subject + "\n" + "=" * min(len(subject), 78) + "\n" + text, end=""
        )


def _mail_digests(app, digests, *, dry_run: bool) -> int:
    from .. import mail

    settings = mail.load_settings()
    if not dry_run:
        settings.require_host(mail.config_path())
    day = app.now.astimezone(app.tz).date().isoformat()
    store = app.store(write=not dry_run)
    failed = previews = 0
    with mail.Mailer(settings) as mailer:
        for row, doc in digests:
            name = row["name"]
            if not row["email"]:
                say(
                    f"Error: reminder for {name} not sent: rep {name} has no email address; "
                    f"add one with: salesctl rep edit {name} --email ADDRESS"
                )
                failed += 1
                continue
            try:
                subject, text, html_body = mail.digest(doc, rep=name)
                msg = mail.build_message(
                    sender=settings.from_address,
                    to=[mail.recipient(row["email"], name)],
                    subject=subject,
                    text=text,
                    html_body=html_body,
                    now=app.now,
                )
            except mail.MailError as exc:
                say(f"Error: reminder for {name} not sent: {exc}")
                failed += 1
                continue
            if dry_run:
                sent = store.reminder(row["id"], day)
                if sent is not None and sent["sent_at"]:
                    from ..dates import to_local_iso
                    from ..views.lead import short_time

                    at = short_time(to_local_iso(sent["sent_at"], app.tz))
                    say(
                        f"{name}: today's reminder was already sent at {at}; it would not be sent again"
                    )
                    continue
                previews += 1
                print(("=" * 72 + "\n" if previews > 1 else "") + mail.preview(msg))
                continue
            failed += not _send_once(app, store, mailer, row, day, msg)
    return 1 if failed else 0


def _send_once(app, store, mailer, row, day: str, msg) -> bool:
    """Claim (rep, day), send while keeping the claim fresh, then stamp it sent; release the claim if
    sending fails. False on failure."""
    from ..mail import MailError

    with store.write():
        claimed = store.claim_reminder(row["id"], day, stale_after=STALE_CLAIM)
    if not claimed:
        return True  # another run has sent it or is sending it right now
    try:
        with _claim_kept(store, row["id"], day):
            mailer.send(msg)
    except BaseException as exc:
        with store.write():
            store.release_reminder(row["id"], day)
        if isinstance(exc, MailError):
            say(f"Error: reminder for {row['name']} ({row['email']}) not sent: {exc}")
            return False
        raise
    with store.write():
        store.mark_reminder_sent(row["id"], day)
    return True


@contextmanager
def _claim_kept(store, rep_id: int, day: str):
    """Re-stamp the claim every CLAIM_REFRESH from a helper thread while the body (one send) runs.

    The helper uses the run's connection: the sending thread does not touch the database until the
    helper has stopped."""
    import threading

    stop = threading.Event()

    def keep() -> None:
        while not stop.wait(CLAIM_REFRESH.total_seconds()):
            try:
                with store.write():
                    store.refresh_reminder(rep_id, day)
            except Exception:  # noqa: BLE001 - a missed refresh is retried; the send must not fail for it
                continue

    keeper = threading.Thread(target=keep, name="salesctl-claim", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join()


def check_addresses(addresses: list[str]) -> list[str]:
    """`--email ADDR…` checked up front: a typo stops the command before anything is written or sent."""
    from .. import model

    return list(dict.fromkeys(model.check_email(a, field="--email") for a in addresses))


def email_report(app, doc: dict, addresses: list[str]) -> int:
    """`report --email ADDR…`: one mail per address (HTML with a plain-text part); 1 if any failed.

    `addresses` come from `check_addresses`: the caller checks them before it writes anything."""
    from .. import mail
    from ..views.html import period_label, report_html, report_text, show

    settings = mail.load_settings()
    settings.require_host(mail.config_path())
    team = doc["team"]
    # ASCII "to", not the en dash of the page title: non-ASCII mid-subject can fold badly in Python's email.
    who = mail.one_line(doc.get("rep") or "Team", 60)
    subject = (
        f"{who} report {period_label(doc).replace(' – ', ' to ')}: {team['won_count']} won"
        f" ({show(team['won_amount'], 'money', doc['currency'])}), {team['lost_count']} lost"
    )
    text, html_body = report_text(doc), report_html(doc)
    failed = 0
    with mail.Mailer(settings) as mailer:
        for address in addresses:  # each address once, in the order given
            try:
                mailer.send(
                    mail.build_message(
                        sender=settings.from_address,
                        to=[mail.recipient(address)],
                        subject=subject,
                        text=text,
                        html_body=html_body,
                        now=app.now,
                    )
                )
            except mail.MailError as exc:
                say(f"Error: report to {address} not sent: {exc}")
                failed += 1
    return 1 if failed else 0


def register(app: typer.Typer) -> None:
    app.command("remind")(remind)
