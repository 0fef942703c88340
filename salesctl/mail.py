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
from .money import format_major
from .views.lead import short_time

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
                f"SMTP is not configured: set SALESCTL_SMTP_HOST (and SALESCTL_SMTP_FROM, …) or "
                f"host in the [smtp] table of {config} (chmod 600)"
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
            f"config file {path} is open to other users (mode {stat.filemode(info.st_mode)}); it may hold the "
            f"SMTP password, so salesctl will not read it: run chmod 600 {path}"
        )
    import tomllib

    try:
        with path.open("rb") as f:
            document = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise SalesError(f"config file {path} is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise SalesError(f"config file {path} is not UTF-8 text") from None
    smtp = document.get("smtp", {})
    if not isinstance(smtp, dict):
        raise Invalid(
            f"{path}: smtp",
            smtp,
            "is not a table",
            "write [smtp] on its own line, then key = value lines",
        )
    unknown = sorted(set(smtp) - set(SMTP_KEYS))
    if unknown:
        raise Invalid(
            f"{path}: [smtp]", unknown[0], "is not an SMTP setting", "keys: " + ", ".join(SMTP_KEYS)
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
            "is not a TLS mode",
            "use starttls (default), ssl, or none",
        )
    port = values.get("port", "").strip() or str(DEFAULT_PORTS[tls])
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise Invalid(
            "SALESCTL_SMTP_PORT", port, "is not a port number", "e.g. 587 for starttls, 465 for ssl"
        )
    cafile = values.get("cafile") or None
    if cafile and not Path(cafile).expanduser().is_file():
        raise Invalid(
            "SALESCTL_SMTP_CAFILE", cafile, "is not a file", "give the PEM file of the CA to trust"
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
                "is not an email address",
                'one, e.g. "Sales <sales@example.com>"',
            )
    for key in ("host", "user"):
        if values.get(key) and _CONTROL.search(values[key]):
            raise Invalid(
                f"SALESCTL_SMTP_{key.upper()}", values[key], "contains control characters"
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
            f'"{printable(address)}" is not a usable email address (one address like name@example.com)'
        )
    local, _, domain = address.strip().rpartition("@")
    try:
        return Address(display_name=one_line(name) if name else "", username=local, domain=domain)
    except (ValueError, IndexError) as exc:
        raise MailError(f'"{printable(address)}" is not a usable email address ({exc})') from None


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

REASON_WORDS = {
    "overdue": "overdue",
    "due_today": "due today",
    "new_untouched": "new, untouched",
    "stalled": "stalled",
    "closing_soon": "closing soon",
    "no_next_step": "no next step",
    "after_sale": "after-sale follow-up",
    "recycle_soon": "returns to the pool",
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
    recycled = doc.get("recycled") or []
    summary = (
        f"{overdue} overdue, {due} due today"
        + (f", {other} more to look at" if other else "")
        + (f", {len(recycled)} returned to the pool" if recycled else "")
    )
    # The name goes first: Python's header folder can double a space when it folds just before an encoded word.
    subject = one_line(f"{one_line(rep, 60)}: {summary} (salesctl {day})", limit=200)
    sections = _sections(doc.get("items", []))
    if recycled:  # docs/pool.md: the rep hears of the leads the pool took back
        sections.append(("Returned to the pool", recycled))
    return (
        subject,
        _digest_text(rep, day, summary, sections),
        _digest_html(rep, day, summary, sections),
    )


def _sections(items: list[dict]) -> list[tuple[str, list[dict]]]:
    overdue = [i for i in items if "overdue" in i["reasons"]]
    due = [i for i in items if "due_today" in i["reasons"] and "overdue" not in i["reasons"]]
    rest = [i for i in items if "overdue" not in i["reasons"] and "due_today" not in i["reasons"]]
    return [
        (title, group)
        for title, group in (("Overdue", overdue), ("Due today", due), ("Also", rest))
        if group
    ]


def _who(item: dict) -> str:
    return item["name"] + (f" ({item['company']})" if item.get("company") else "")


def _details(item: dict) -> list[str]:
    if "assignment_id" in item:  # a lead `pool recycle` took back
        return [f"on {short_time(item['at'])}", str(item.get("reason") or "")]
    parts = []
    if item.get("days_overdue"):
        parts.append(
            f"{item['days_overdue']} day{'s' if item['days_overdue'] != 1 else ''} overdue"
        )
    if item.get("next_at"):
        parts.append("due " + short_time(item["next_at"]))
    if item.get("next_step"):
        parts.append("next: " + str(item["next_step"]))
    parts.append(str(item.get("stage", "")))
    if item.get("value") is not None:
        parts.append(format_major(item["value"], item.get("currency")))
    extra = [
        REASON_WORDS.get(r, r) + (f" on {item['recycle_on']}" if r == "recycle_soon" else "")
        for r in item["reasons"]
        if r not in ("overdue", "due_today")
    ]
    if extra:
        parts.append(", ".join(extra))
    if item.get("key"):
        parts.append("key customer")
    return parts


def _digest_text(rep: str, day: str, summary: str, sections) -> str:
    out = [f"Today's list for {rep} ({day}): {summary}.", ""]
    for title, items in sections:
        out.append(title)
        for item in items:
            out.append(f"  #{item['lead_id']} {_who(item)}")
            out.append("      " + " · ".join(_details(item)))
        out.append("")
    out.append("Open it with: salesctl today")
    return "\n".join(out) + "\n"


def _digest_html(rep: str, day: str, summary: str, sections) -> str:
    e = html.escape
    cell = "padding:4px 8px;border-bottom:1px solid #e5e5e5;vertical-align:top"
    out = [
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        '<body style="font-family:Helvetica,Arial,sans-serif;color:#222;font-size:14px">',
        f'<h2 style="font-size:18px;margin:0 0 4px">Today\'s list for {e(rep)}</h2>',
        f'<p style="margin:0 0 12px;color:#555">{e(day)}: {e(summary)}</p>',
    ]
    for title, items in sections:
        colour = {"Overdue": "#b00020", "Due today": "#b26a00"}.get(title, "#333")
        out.append(f'<h3 style="font-size:15px;margin:12px 0 4px;color:{colour}">{e(title)}</h3>')
        out.append('<table style="border-collapse:collapse;width:100%">')
        for item in items:
            out.append(
                f'<tr><td style="{cell};white-space:nowrap;color:#777">#{item["lead_id"]}</td>'
                f'<td style="{cell}"><b>{e(_who(item))}</b><br>'
                f'<span style="color:#555">{e(" · ".join(_details(item)))}</span></td></tr>'
            )
        out.append("</table>")
    out.append(
        '<p style="color:#777;font-size:12px;margin-top:16px">Open it with: salesctl today</p>'
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
                    f"SALESCTL_SMTP_CAFILE {self.settings.cafile} is not a PEM certificate ({exc})"
                ) from None
        return context

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.tls == "none" and s.password:
            raise MailError(
                "refusing to send the SMTP password over an unencrypted connection "
                "(SALESCTL_SMTP_TLS=none is for a local relay without login; use starttls or ssl)"
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
                            f"the SMTP server {self._where()} does not offer STARTTLS; not sending in plain text "
                            "(set SALESCTL_SMTP_TLS=ssl for a TLS port, or none only for a local relay)"
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
                f"the certificate of {self._where()} is not trusted ({exc.verify_message or exc}); if your relay "
                "uses a company CA, set SALESCTL_SMTP_CAFILE to its PEM file"
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError(
                f"{self._where()} refused the login for {s.user}: {_reply(exc)}"
            ) from None
        except UnicodeEncodeError:
            raise MailError(
                "Python's smtplib can only log in with an ASCII user name and password"
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise MailError(
                f"{self._where()} does not offer login (AUTH); unset SALESCTL_SMTP_USER"
            ) from None
        except (smtplib.SMTPException, ssl.SSLError) as exc:
            raise MailError(f"SMTP session with {self._where()} failed: {_reply(exc)}") from None
        except TimeoutError:
            raise MailError(
                f"no answer from the SMTP server {self._where()} within {TIMEOUT_S} s"
            ) from None
        except OSError as exc:
            raise MailError(
                f"cannot connect to the SMTP server {self._where()}: {exc.strerror or exc}"
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
            raise MailError(f"{self._where()} refused the recipient ({reasons})") from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()  # the session may be broken: the next message opens a fresh one
            raise MailError(f"sending through {self._where()} failed: {_reply(exc)}") from None
        if refused:
            reasons = "; ".join(f"{addr}: {_reply(err)}" for addr, err in refused.items())
            raise MailError(f"{self._where()} refused some recipients ({reasons})")

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
    who = one_line(doc.get("rep") or "Team", 60)
    subject = (
        f"{who} report {period_label(doc).replace(' – ', ' to ')}: {team['won_count']} won"
        f" ({show(team['won_amount'], 'money', doc['currency'])}), {team['lost_count']} lost"
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
