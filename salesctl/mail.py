"""Mail: SMTP settings, safe messages, the today digest and a verifying SMTP sender. Only mail commands import it.

Safety rules kept here, in one place:
- the password comes from the environment or a private config file, never from a command-line argument;
- `starttls` and `ssl` verify the server certificate (system CAs plus SALESCTL_SMTP_CAFILE); a server
  that does not offer STARTTLS is an error, never a silent fallback to plain text;
- headers are built from sanitised one-line text by `email.message.EmailMessage`, so user text (a lead
  or rep name with a newline) cannot add a header; RFC 2047 encoded words (`=?utf-8?q?=0D=0ABcc:…?=`)
  are removed from user text first, because Python's email package decodes them into real line breaks;
- every address is exactly one plain address (model.email_problem), so one recipient is one mailbox.
"""

from __future__ import annotations

import html
import os
import re
import smtplib
import ssl
import stat
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from pathlib import Path

from . import model
from .errors import Invalid, SalesError, printable
from .i18n import N_, _, current, moment, money, stage
from .i18n import day as table_day
from .views.lead import owner_reason

TLS_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
SMTP_KEYS = ("host", "port", "user", "password", "from", "tls", "cafile")
TIMEOUT_S = 30

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# An RFC 2047 encoded word, `=?charset?encoding?text?=`: header parsers decode it, line breaks included.
_ENCODED_WORD = re.compile(r"=\?[^?]*\?[^?]*\?.*?\?=", re.DOTALL)


class MailError(SalesError):
    """A message that could not be sent (the reason is the message)."""


# --- settings --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None = None
    port: int = 587
    user: str | None = None
    password: str | None = None
    sender: str | None = None
    tls: str = "starttls"
    cafile: str | None = None

    @property
    def from_address(self) -> str:
        """The From header: SALESCTL_SMTP_FROM, else the login when it is an address, else salesctl@localhost."""
        if self.sender:
            return self.sender
        if self.user and "@" in self.user:
            return self.user
        return "salesctl@localhost"

    def require_host(self, config: Path) -> None:
        if not self.host:
            raise SalesError(
                N_(
                    "SMTP is not configured: set SALESCTL_SMTP_HOST (and SALESCTL_SMTP_FROM, …) or host in the [smtp] table of {config} (chmod 600)"
                ),
                config=config,
            )


def config_path() -> Path:
    """$SALESCTL_CONFIG, else config.toml in the user config folder (~/.config/salesctl/ on Linux)."""
    if os.environ.get("SALESCTL_CONFIG"):
        return Path(os.environ["SALESCTL_CONFIG"]).expanduser()
    from platformdirs import user_config_path

    return user_config_path("salesctl", appauthor=False) / "config.toml"


def read_config(path: Path) -> dict:
    """The [smtp] table of the user config file; {} when there is no file. A file others can read is refused."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return {}
    if (
        os.name == "posix" and info.st_mode & 0o077
    ):  # Windows has no such mode bits: ACLs guard the profile
        raise SalesError(
            N_(
                "config file {path} is open to other users (mode {mode}); it may hold the SMTP password, so salesctl will not read it: run chmod 600 {path}"
            ),
            path=path,
            mode=stat.filemode(info.st_mode),
        )
    import tomllib

    try:
        with path.open("rb") as f:
            document = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise SalesError(
            N_("config file {path} is not valid TOML: {reason}"), path=path, reason=str(exc)
        ) from None
    except UnicodeDecodeError:
        raise SalesError(N_("config file {path} is not UTF-8 text"), path=path) from None
    smtp = document.get("smtp", {})
    if not isinstance(smtp, dict):
        raise Invalid(
            f"{path}: smtp",
            smtp,
            N_("is not a table"),
            N_("write [smtp] on its own line, then key = value lines"),
        )
    unknown = sorted(set(smtp) - set(SMTP_KEYS))
    if unknown:
        raise Invalid(
            f"{path}: [smtp]",
            unknown[0],
            N_("is not an SMTP setting"),
            N_("keys: {choices}"),
            choices=", ".join(SMTP_KEYS),
        )
    return smtp


def load_settings(environ: dict | None = None) -> SmtpSettings:
    """SMTP settings: each SALESCTL_SMTP_<KEY> in the environment overrides the same key in the config file."""
    env = os.environ if environ is None else environ
    path = config_path()
    values = {key: str(value) for key, value in read_config(path).items()}
    for key in SMTP_KEYS:
        if env.get(f"SALESCTL_SMTP_{key.upper()}"):
            values[key] = env[f"SALESCTL_SMTP_{key.upper()}"]
    tls = values.get("tls", "starttls").strip().lower()
    if tls not in TLS_MODES:
        raise Invalid(
            "SALESCTL_SMTP_TLS",
            values["tls"],
            N_("is not a TLS mode"),
            N_("use starttls (default), ssl, or none"),
        )
    port = values.get("port", "").strip() or str(DEFAULT_PORTS[tls])
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise Invalid(
            "SALESCTL_SMTP_PORT",
            port,
            N_("is not a port number"),
            N_("e.g. 587 for starttls, 465 for ssl"),
        )
    cafile = values.get("cafile") or None
    if cafile and not Path(cafile).expanduser().is_file():
        raise Invalid(
            "SALESCTL_SMTP_CAFILE",
            cafile,
            N_("is not a file"),
            N_("give the PEM file of the CA to trust"),
        )
    sender = values.get("from") or None
    if sender is not None:
        found = getaddresses([sender])
        if (
            _CONTROL.search(sender)
            or _ENCODED_WORD.search(sender)
            or len(found) != 1
            or model.email_problem(found[0][1])
        ):
            raise Invalid(
                "SALESCTL_SMTP_FROM",
                sender,
                N_("is not an email address"),
                N_('one, e.g. "Sales <sales@example.com>"'),
            )
    for key in ("host", "user"):
        if values.get(key) and _CONTROL.search(values[key]):
            raise Invalid(
                f"SALESCTL_SMTP_{key.upper()}", values[key], N_("contains control characters")
            )
    return SmtpSettings(
        host=(values.get("host") or "").strip() or None,
        port=int(port),
        user=values.get("user") or None,
        password=values.get("password") or None,
        sender=sender,
        tls=tls,
        cafile=str(Path(cafile).expanduser()) if cafile else None,
    )


# --- messages --------------------------------------------------------------------------------------


def one_line(text: object, limit: int = 120) -> str:
    """User text made safe for a header: control characters and line breaks become spaces, encoded words
    are removed (and any `=?` left that could start one), length bounded. The result is a plain value
    for `email.headerregistry`: nothing in it is decoded again."""
    line = _ENCODED_WORD.sub("", _CONTROL.sub(" ", str(text)))
    while "=?" in line:
        line = line.replace("=?", "?")
    line = line.strip()
    # An ASCII ellipsis: a non-ASCII one would make an encoded word where Python's header folder doubles spaces.
    return line if len(line) <= limit else line[: limit - 3] + "..."


def recipient(address: str, name: str | None = None) -> Address:
    """A To address: exactly one mailbox (an address stored before validation is refused, not repaired);
    the display name is the one-line text of `name`."""
    if model.email_problem(address.strip()):
        raise MailError(
            N_('"{address}" is not a usable email address (one address like name@example.com)'),
            address=printable(address),
        )
    local, _, domain = address.strip().rpartition("@")
    try:
        return Address(display_name=one_line(name) if name else "", username=local, domain=domain)
    except (ValueError, IndexError) as exc:
        raise MailError(
            N_('"{address}" is not a usable email address ({reason})'),
            address=printable(address),
            reason=str(exc),
        ) from None


def build_message(
    *, sender: str, to: list[Address], subject: str, text: str, html_body: str, now: datetime
) -> EmailMessage:
    """A multipart/alternative message: plain text first, HTML as the richer alternative."""
    msg = EmailMessage()
    msg["Subject"] = one_line(subject, limit=200)
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = format_datetime(now)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(
        "salesctl", domain=one_line(domain)
    )  # a domain: no slow DNS lookup
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: tells mail robots not to reply
    # quoted-printable keeps every line 7-bit: safe through any relay, CJK intact once decoded.
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html_body, subtype="html", charset="utf-8", cte="quoted-printable")
    return msg


def preview(msg: EmailMessage) -> str:
    """What --dry-run prints: the headers and both parts as a reader sees them (decoded, not wire-encoded)."""
    lines = [f"{name}: {value}" for name, value in msg.items()]
    for part in msg.iter_parts():
        lines += ["", f"--- {part.get_content_type()} ---", part.get_content().rstrip("\n")]
    return "\n".join(lines) + "\n"


# --- the today digest --------------------------------------------------------------------------------
# Written in the language `_()` speaks when it is built: `remind` builds each rep's inside
# `i18n.speaking(rep's lang)` (docs/chinese.md, Mail).

REASON_WORDS = {
    "overdue": N_("overdue"),
    "due_today": N_("due today"),
    "new_untouched": N_("new, untouched"),
    "stalled": N_("stalled"),
    "closing_soon": N_("closing soon"),
    "no_next_step": N_("no next step"),
    "after_sale": N_("after-sale follow-up"),
    "recycle_soon": N_("returns to the pool"),
}


def digest_counts(doc: dict) -> tuple[int, int, int]:
    """(overdue, due today, everything else) in a today document."""
    items = doc.get("items", [])
    overdue = sum("overdue" in i["reasons"] for i in items)
    due = sum("due_today" in i["reasons"] and "overdue" not in i["reasons"] for i in items)
    return overdue, due, len(items) - overdue - due


def digest(doc: dict, *, rep: str) -> tuple[str, str, str]:
    """A rep's today list as (subject, plain text, HTML). The subject says how many are overdue and due today."""
    overdue, due, other = digest_counts(doc)
    day = (doc.get("as_of") or "")[:10]
    summary = _("{overdue} overdue, {due} due today").format(overdue=overdue, due=due)
    if other:
        summary += _(", {other} more to look at").format(other=other)
    recycled = doc.get("recycled") or []
    if recycled:
        summary += _(", {n} returned to the pool").format(n=len(recycled))
    # The name goes first: Python's header folder can double a space when it folds just before an encoded word.
    subject = one_line(
        _("{rep}: {summary} (salesctl {day})").format(
            rep=one_line(rep, 60), summary=summary, day=day
        ),
        limit=200,
    )
    sections = _sections(doc.get("items", []))
    if recycled:  # docs/pool.md: the rep hears of the leads the pool took back
        sections.append(("recycled", _("Returned to the pool"), recycled))
    return (
        subject,
        _digest_text(rep, day, summary, sections),
        _digest_html(rep, day, summary, sections),
    )


_SECTION_COLOURS = {"overdue": "#b00020", "due_today": "#b26a00"}


def _sections(items: list[dict]) -> list[tuple[str, str, list[dict]]]:
    """(key, title, items) of each non-empty section."""
    overdue = [i for i in items if "overdue" in i["reasons"]]
    due = [i for i in items if "due_today" in i["reasons"] and "overdue" not in i["reasons"]]
    rest = [i for i in items if "overdue" not in i["reasons"] and "due_today" not in i["reasons"]]
    return [
        (key, title, group)
        for key, title, group in (
            ("overdue", _("Overdue"), overdue),
            ("due_today", _("Due today"), due),
            ("also", _("Also"), rest),
        )
        if group
    ]


def _who(item: dict) -> str:
    return item["name"] + (f" ({item['company']})" if item.get("company") else "")


def _details(item: dict, year: int | None) -> list[str]:
    """What the digest says of one lead, amounts and times as tables show them (money_style, Chinese
    dates without this year's number; English keeps ISO)."""
    if "assignment_id" in item:  # a lead `pool recycle` took back
        return [
            _("on {day}").format(day=moment(item["at"], year)),
            owner_reason(item.get("reason")),
        ]
    parts = []
    days = item.get("days_overdue")
    if days:
        late = _("{days} day overdue") if days == 1 else _("{days} days overdue")
        parts.append(late.format(days=days))
    if item.get("next_at"):
        parts.append(_("due {when}").format(when=moment(item["next_at"], year)))
    if item.get("next_step"):
        parts.append(_("next: {step}").format(step=item["next_step"]))
    parts.append(stage(str(item.get("stage", ""))))
    if item.get("value") is not None:
        parts.append(money(item["value"], item.get("currency")))
    extra = [
        _("returns to the pool on {day}").format(
            day=table_day(item["recycle_on"], None if current() == "en" else year)
        )
        if r == "recycle_soon" and item.get("recycle_on")
        else (_(REASON_WORDS[r]) if r in REASON_WORDS else r)
        for r in item["reasons"]
        if r not in ("overdue", "due_today")
    ]
    if extra:
        parts.append(_(", ").join(extra))
    if item.get("key"):
        parts.append(_("key customer"))
    return parts


def _year(day: str) -> int | None:
    return int(day[:4]) if day[:4].isdigit() else None


def _digest_text(rep: str, day: str, summary: str, sections) -> str:
    out = [
        _("Today's list for {rep} ({day}): {summary}.").format(rep=rep, day=day, summary=summary),
        "",
    ]
    for _key, title, items in sections:
        out.append(title)
        for item in items:
            out.append(f"  #{item['lead_id']} {_who(item)}")
            out.append("      " + " · ".join(_details(item, _year(day))))
        out.append("")
    out.append(_("Open it with: salesctl today"))
    return "\n".join(out) + "\n"


def _digest_html(rep: str, day: str, summary: str, sections) -> str:
    e = html.escape
    cell = "padding:4px 8px;border-bottom:1px solid #e5e5e5;vertical-align:top"
    lang = current()
    fonts = {
        "zh-Hant": "'PingFang TC','Microsoft JhengHei','Noto Sans CJK TC',",
        "zh-Hans": "'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',",
    }.get(lang, "")
    heading = _("Today's list for {rep}").format(rep=rep)
    out = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"></head>'
        f'<body style="font-family:Helvetica,Arial,{fonts}sans-serif;color:#222;font-size:14px">',
        f'<h2 style="font-size:18px;margin:0 0 4px">{e(heading)}</h2>',
        f'<p style="margin:0 0 12px;color:#555">{e(_("{day}: {summary}").format(day=day, summary=summary))}</p>',
    ]
    for key, title, items in sections:
        colour = _SECTION_COLOURS.get(key, "#333")
        out.append(f'<h3 style="font-size:15px;margin:12px 0 4px;color:{colour}">{e(title)}</h3>')
        out.append('<table style="border-collapse:collapse;width:100%">')
        for item in items:
            out.append(
                f'<tr><td style="{cell};white-space:nowrap;color:#777">#{item["lead_id"]}</td>'
                f'<td style="{cell}"><b>{e(_who(item))}</b><br>'
                f'<span style="color:#555">{e(" · ".join(_details(item, _year(day))))}</span></td></tr>'
            )
        out.append("</table>")
    out.append(
        f'<p style="color:#777;font-size:12px;margin-top:16px">{e(_("Open it with: salesctl today"))}</p>'
    )
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# --- sending ---------------------------------------------------------------------------------------


class Mailer:
    """One SMTP session for a run, opened on the first send, reopened after a failure.

    Use as a context manager; `send` raises MailError with a reason a user can act on.
    """

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def _where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()  # verifies the certificate and the host name
        if self.settings.cafile:
            try:
                context.load_verify_locations(cafile=self.settings.cafile)
            except (ssl.SSLError, OSError) as exc:
                raise MailError(
                    N_("SALESCTL_SMTP_CAFILE {file} is not a PEM certificate ({reason})"),
                    file=self.settings.cafile,
                    reason=str(exc),
                ) from None
        return context

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.tls == "none" and s.password:
            raise MailError(
                N_(
                    "refusing to send the SMTP password over an unencrypted connection (SALESCTL_SMTP_TLS=none is for a local relay without login; use starttls or ssl)"
                )
            )
        try:
            if s.tls == "ssl":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT_S, context=self._context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_S)
            try:
                smtp.ehlo()
                if s.tls == "starttls":
                    if not smtp.has_extn("starttls"):
                        raise MailError(
                            N_(
                                "the SMTP server {where} does not offer STARTTLS; not sending in plain text (set SALESCTL_SMTP_TLS=ssl for a TLS port, or none only for a local relay)"
                            ),
                            where=self._where(),
                        )
                    smtp.starttls(context=self._context())
                    smtp.ehlo()
                if s.user:
                    smtp.login(s.user, s.password or "")
            except BaseException:
                smtp.close()
                raise
        except MailError:
            raise
        except ssl.SSLCertVerificationError as exc:
            raise MailError(
                N_(
                    "the certificate of {where} is not trusted ({reason}); if your relay uses a company CA, set SALESCTL_SMTP_CAFILE to its PEM file"
                ),
                where=self._where(),
                reason=str(exc.verify_message or exc),
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError(
                N_("{where} refused the login for {user}: {reply}"),
                where=self._where(),
                user=s.user,
                reply=_reply(exc),
            ) from None
        except UnicodeEncodeError:
            raise MailError(
                N_("Python's smtplib can only log in with an ASCII user name and password")
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise MailError(
                N_("{where} does not offer login (AUTH); unset SALESCTL_SMTP_USER"),
                where=self._where(),
            ) from None
        except (smtplib.SMTPException, ssl.SSLError) as exc:
            raise MailError(
                N_("SMTP session with {where} failed: {reply}"),
                where=self._where(),
                reply=_reply(exc),
            ) from None
        except TimeoutError:
            raise MailError(
                N_("no answer from the SMTP server {where} within {seconds} s"),
                where=self._where(),
                seconds=TIMEOUT_S,
            ) from None
        except OSError as exc:
            raise MailError(
                N_("cannot connect to the SMTP server {where}: {reason}"),
                where=self._where(),
                reason=exc.strerror or str(exc),
            ) from None
        return smtp

    def send(self, msg: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            refused = self._smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            self._reset_after_error()
            reasons = "; ".join(f"{addr}: {_reply(err)}" for addr, err in exc.recipients.items())
            raise MailError(
                N_("{where} refused the recipient ({reasons})"),
                where=self._where(),
                reasons=reasons,
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()  # the session may be broken: the next message opens a fresh one
            raise MailError(
                N_("sending through {where} failed: {reply}"),
                where=self._where(),
                reply=_reply(exc),
            ) from None
        if refused:
            reasons = "; ".join(f"{addr}: {_reply(err)}" for addr, err in refused.items())
            raise MailError(
                N_("{where} refused some recipients ({reasons})"),
                where=self._where(),
                reasons=reasons,
            )

    def _reset_after_error(self) -> None:
        try:
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.close()


def _reply(exc: object) -> str:
    """The server's words from an smtplib error or reply tuple, decoded."""
    if isinstance(exc, tuple) and len(exc) == 2:
        code, text = exc
    else:
        code, text = getattr(exc, "smtp_code", None), getattr(exc, "smtp_error", None)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if code is None or text is None:
        return str(exc) or type(exc).__name__
    return f"{code} {one_line(text, 200)}"


# A claim neither sent nor refreshed for this long belongs to a run that died mid-send: take it over.
STALE_CLAIM = timedelta(minutes=15)
# While a reminder is being sent its claim is re-stamped this often, so a slow relay never makes it stale.
CLAIM_REFRESH = STALE_CLAIM / 5


def send_reminder_once(store, mailer: Mailer, rep_id: int, day: str, msg: EmailMessage) -> bool:
    """Claim (rep, day), send while keeping the claim fresh, then stamp it sent (True); release the claim
    and raise `MailError` if sending fails. Nothing happens (False) when another run has sent it or is
    sending it."""
    with store.write():
        claimed = store.claim_reminder(rep_id, day, stale_after=STALE_CLAIM)
    if not claimed:
        return False  # another run has sent it or is sending it right now
    try:
        with _claim_kept(store, rep_id, day):
            mailer.send(msg)
    except BaseException:
        with store.write():
            store.release_reminder(rep_id, day)
        raise
    with store.write():
        store.mark_reminder_sent(rep_id, day)
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
    return list(dict.fromkeys(model.check_email(a, field="--email") for a in addresses))


def email_report(doc: dict, addresses: list[str], *, now: datetime) -> list[tuple[str, MailError]]:
    """`report --email ADDR…`: one mail per address (HTML with a plain-text part), each address once,
    in the order given. Returns the (address, error) of each mail not sent.

    `addresses` come from `check_addresses`: the caller checks them before it writes anything."""
    from .views.html import period_label, report_html, report_text, show

    settings = load_settings()
    settings.require_host(config_path())
    team = doc["team"]
    # ASCII "to", not the en dash of the page title: non-ASCII mid-subject can fold badly in Python's email.
    # In the command's language, as the report itself (docs/chinese.md, Mail).
    who = one_line(doc.get("rep") or _("Team"), 60)
    subject = _("{who} report {period}: {won} won ({amount}), {lost} lost").format(
        who=who,
        period=period_label(doc).replace(" – ", _(" to ")),
        won=team["won_count"],
        amount=show(team["won_amount"], "money", doc["currency"]),
        lost=team["lost_count"],
    )
    text, html_body = report_text(doc), report_html(doc)
    failed = []
    with Mailer(settings) as mailer:
        for address in addresses:
            try:
                mailer.send(
                    build_message(
                        sender=settings.from_address,
                        to=[recipient(address)],
                        subject=subject,
                        text=text,
                        html_body=html_body,
                        now=now,
                    )
                )
            except MailError as exc:
                failed.append((address, exc))
    return failed
