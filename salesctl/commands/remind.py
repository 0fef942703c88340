"""cron and mail: `remind` (each rep's today digest; the claim → send → release protocol is in mail.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import Invalid, SalesError
from ..i18n import N_, _, error_prefix, message, speaking
from . import app_of, say


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
        raise Invalid("--all", "--all", N_("cannot be combined with --rep"))
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
        doc["recycled"] = _recycled(app, store, row["id"])
        if doc["items"] or doc["recycled"]:
            digests.append((row, doc))
    if not digests:
        return 0
    if not email and not dry_run:
        _print_digests(digests)
        _mark_told(app, [d for _row, d in digests])
        return 0
    if not dry_run:  # on a team server a rep mails only their own digest (docs/team.md)
        store.require_owner_unless_own([row["id"] for row, _doc in digests], "remind")
    return _mail_digests(app, digests, dry_run=dry_run)


def _recycled(app, store, rep_id: int) -> list[dict]:
    """Leads `pool recycle` took from the rep since their last digest (docs/pool.md)."""
    from ..dates import to_local_iso

    return [
        {
            "assignment_id": r["id"],
            "lead_id": r["lead_id"],
            "name": r["name"],
            "company": r["company"],
            "stage": r["stage"],
            "at": to_local_iso(r["at"], app.tz),
            "reason": r["reason"],
        }
        for r in store.recycle_notices(rep_id)
    ]


def _mark_told(app, docs: list[dict]) -> None:
    """The digests that went out told their reps of these recycles: the next ones do not repeat them."""
    told = [n["assignment_id"] for doc in docs for n in doc.get("recycled", [])]
    if told:
        with app.write() as store:
            store.mark_notified(told, app.now_db)


def _print_digests(digests) -> None:
    from ..mail import digest
    from ..render import cell_width

    for n, (row, doc) in enumerate(digests):
        with speaking(
            row["lang"]
        ):  # each rep's digest in their own language (docs/chinese.md, Mail)
            subject, text, _html = digest(doc, rep=row["name"])
        print(
            ("\n" if n else "")
            + subject
            + "\n"
            + "=" * min(cell_width(subject), 78)  # a Chinese character is two cells wide
            + "\n"
            + text,
            end="",
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
                _not_sent(
                    name,
                    SalesError(
                        N_(
                            "rep {name} has no email address; add one with: salesctl rep edit {name} --email ADDRESS"
                        ),
                        name=name,
                    ),
                )
                failed += 1
                continue
            try:
                with speaking(row["lang"]):  # the rep's own language (docs/chinese.md, Mail)
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
                _not_sent(name, exc)
                failed += 1
                continue
            if dry_run:
                sent = store.reminder(row["id"], day)
                if sent is not None and sent["sent_at"]:
                    from ..dates import to_local_iso
                    from ..i18n import moment

                    at = moment(to_local_iso(sent["sent_at"], app.tz), int(day[:4]))
                    say(
                        _(
                            "{name}: today's reminder was already sent at {at}; it would not be sent again"
                        ).format(name=name, at=at)
                    )
                    continue
                previews += 1
                print(("=" * 72 + "\n" if previews > 1 else "") + mail.preview(msg))
                continue
            try:
                sent = mail.send_reminder_once(store, mailer, row["id"], day, msg)
            except mail.MailError as exc:
                _not_sent(f"{name} ({row['email']})", exc)
                failed += 1
                continue
            if sent:
                _mark_told(app, [doc])
    return 1 if failed else 0


def _not_sent(who: str, error: SalesError) -> None:
    """`Error: reminder for NAME not sent: REASON` on stderr, in the command's language."""
    say(
        error_prefix()
        + " "
        + _("reminder for {name} not sent: {reason}").format(name=who, reason=message(error))
    )


def register(app: typer.Typer) -> None:
    app.command("remind")(remind)
