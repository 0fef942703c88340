"""salesctl.mail against a real SMTP server: settings, TLS verification, safe headers, the digest."""

from __future__ import annotations

import os
import textwrap
from datetime import UTC, datetime

import pytest

from salesctl import mail
from salesctl.errors import SalesError

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def item(
    lead_id,
    name,
    *reasons,
    company=None,
    days_overdue=0,
    next_step=None,
    value=None,
    currency="CNY",
):
    return {
        "lead_id": lead_id,
        "name": name,
        "company": company,
        "owner": "王芳",
        "stage": "quoted",
        "reasons": list(reasons),
        "next_at": "2026-11-24T09:00:00+00:00" if days_overdue else None,
        "next_step": next_step,
        "days_overdue": days_overdue,
        "value": value,
        "currency": currency,
        "key": False,
    }


TODAY = {
    "as_of": "2026-11-26T10:00:00+00:00",
    "rep": "王芳",
    "items": [
        item(
            7,
            "李伟",
            "overdue",
            company="北京智造",
            days_overdue=2,
            next_step="发报价",
            value=50000,
        ),
        item(3, "Acme <script>", "overdue", "stalled", days_overdue=1),
        item(9, "张敏", "due_today", company="上海贸易"),
        item(4, "Globex", "no_next_step"),
    ],
}


def send(settings, msg):
    with mail.Mailer(settings) as mailer:
        mailer.send(msg)


def digest_message(rep="王芳", address="wang.fang@example.com", doc=TODAY):
    subject, text, html = mail.digest(doc, rep=rep)
    return mail.build_message(
        sender="Sales <robot@example.com>",
        to=[mail.recipient(address, rep)],
        subject=subject,
        text=text,
        html_body=html,
        now=NOW,
    )


def settings_for(server, monkeypatch, tls="none", **extra):
    for name, value in server.env(tls, **extra).items():
        monkeypatch.setenv(name, value)
    return mail.load_settings()


# --- the digest, end to end through a real server ---------------------------------------------------


def test_digest_arrives_with_counts_in_subject_both_parts_and_cjk_intact(smtp_server, monkeypatch):
    server = smtp_server()
    send(settings_for(server, monkeypatch), digest_message())

    [got] = server.received
    assert got.rcpt_tos == ["wang.fang@example.com"]
    assert got.mail_from == "robot@example.com"
    # 2 items are overdue, 1 is due today, 1 more (no next step) needs a look.
    assert (
        got.message["Subject"]
        == "王芳: 2 overdue, 1 due today, 1 more to look at (salesctl 2026-11-26)"
    )
    assert got.message["To"].addresses[0].display_name == "王芳"
    for part in (got.text, got.html):
        for fragment in (
            "李伟",
            "北京智造",
            "发报价",
            "张敏",
            "上海贸易",
            "Globex",
            "2 days overdue",
        ):
            assert fragment in part
    # Lead text is escaped in HTML: a name cannot add markup or script to the mail.
    assert "<script>" not in got.html and "Acme &lt;script&gt;" in got.html
    assert (
        got.text.index("李伟") < got.text.index("张敏") < got.text.index("Globex")
    )  # overdue, due, the rest


def test_digest_of_only_due_items_says_zero_overdue():
    doc = {**TODAY, "items": [item(9, "张敏", "due_today")]}
    subject, text, _ = mail.digest(doc, rep="bob")
    assert "0 overdue, 1 due today" in subject and "more to look at" not in subject
    assert "Overdue" not in text and "Due today" in text


def test_a_name_with_a_newline_cannot_inject_a_header(smtp_server, monkeypatch):
    server = smtp_server()
    evil_rep = "bob\r\nBcc: thief@evil.example\r\nSubject: win"
    doc = {**TODAY, "items": [item(1, "Lead\nBcc: thief@evil.example", "overdue", days_overdue=1)]}
    send(
        settings_for(server, monkeypatch),
        digest_message(rep=evil_rep, address="bob@example.com", doc=doc),
    )

    [got] = server.received
    assert got.rcpt_tos == ["bob@example.com"]  # nobody else received it
    assert got.message.get_all("Bcc") is None
    assert len(got.message.get_all("Subject")) == 1 and len(got.message.get_all("To")) == 1
    assert (
        "\n" not in got.message["Subject"] and "thief@evil.example" in got.message["Subject"]
    )  # shown, inert
    assert "thief@evil.example" in got.text  # the lead name is body text, not a header


def test_an_address_with_a_newline_is_refused_not_repaired():
    with pytest.raises(mail.MailError, match="not a usable email address"):
        mail.recipient("bob@example.com\r\nBcc: thief@evil.example", "bob")


def test_dry_run_preview_shows_headers_and_both_parts_decoded():
    shown = mail.preview(digest_message())
    assert "To: 王芳 <wang.fang@example.com>" in shown
    assert "Subject: 王芳: 2 overdue, 1 due today" in shown
    assert "--- text/plain ---" in shown and "--- text/html ---" in shown and "北京智造" in shown


# --- TLS --------------------------------------------------------------------------------------------


def test_starttls_refuses_an_untrusted_certificate_and_accepts_it_with_the_cafile(
    smtp_server, tls_cert, monkeypatch
):
    server = smtp_server(starttls=tls_cert)

    settings = settings_for(server, monkeypatch, tls="starttls")
    with pytest.raises(mail.MailError, match="certificate .* is not trusted.*SALESCTL_SMTP_CAFILE"):
        send(settings, digest_message())
    assert server.received == []

    settings = settings_for(
        server, monkeypatch, tls="starttls", SALESCTL_SMTP_CAFILE=str(tls_cert.cert)
    )
    send(settings, digest_message())
    [got] = server.received
    assert "李伟" in got.text


def test_a_server_without_starttls_is_an_error_never_plain_text(smtp_server, monkeypatch):
    server = smtp_server()  # plain SMTP: no STARTTLS in its EHLO
    with pytest.raises(mail.MailError, match="does not offer STARTTLS; not sending in plain text"):
        send(settings_for(server, monkeypatch, tls="starttls"), digest_message())
    assert server.received == []


def test_implicit_tls_is_verified_too(smtp_server, tls_cert, monkeypatch):
    server = smtp_server(implicit_tls=tls_cert)
    with pytest.raises(mail.MailError, match="not trusted"):
        send(settings_for(server, monkeypatch, tls="ssl"), digest_message())
    send(
        settings_for(server, monkeypatch, tls="ssl", SALESCTL_SMTP_CAFILE=str(tls_cert.cert)),
        digest_message(),
    )
    assert len(server.received) == 1


def test_login_over_starttls_with_the_password_from_the_private_config_file(
    smtp_server, tls_cert, tmp_path, monkeypatch
):
    server = smtp_server(starttls=tls_cert, password="s3cret-pw")
    config = tmp_path / "config.toml"
    config.write_text(
        textwrap.dedent(f"""\
        [smtp]
        host = "127.0.0.1"
        port = {server.port}
        user = "robot@example.com"
        password = "s3cret-pw"
        cafile = "{tls_cert.cert}"
        """),
        encoding="utf-8",
    )
    config.chmod(0o600)
    monkeypatch.setenv("SALESCTL_CONFIG", str(config))

    settings = mail.load_settings()
    assert (settings.tls, settings.from_address) == ("starttls", "robot@example.com")
    send(settings, digest_message())
    assert server.logins == [("robot@example.com", "s3cret-pw")]
    assert len(server.received) == 1


def test_a_wrong_password_is_reported_as_a_refused_login(smtp_server, tls_cert, monkeypatch):
    server = smtp_server(starttls=tls_cert, password="right")
    settings = settings_for(
        server,
        monkeypatch,
        tls="starttls",
        SALESCTL_SMTP_CAFILE=str(tls_cert.cert),
        SALESCTL_SMTP_USER="robot",
        SALESCTL_SMTP_PASSWORD="wrong",
    )
    with pytest.raises(mail.MailError, match="refused the login for robot"):
        send(settings, digest_message())
    assert server.received == []


def test_no_password_over_an_unencrypted_connection(smtp_server, monkeypatch):
    server = smtp_server()
    settings = settings_for(
        server, monkeypatch, tls="none", SALESCTL_SMTP_USER="robot", SALESCTL_SMTP_PASSWORD="pw"
    )
    with pytest.raises(
        mail.MailError, match="refusing to send the SMTP password over an unencrypted"
    ):
        send(settings, digest_message())


def test_server_down_names_the_server_and_the_reason(monkeypatch):
    from smtp_server import free_port

    monkeypatch.setenv("SALESCTL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SALESCTL_SMTP_PORT", str(free_port()))  # nothing listens there
    monkeypatch.setenv("SALESCTL_SMTP_TLS", "none")
    with pytest.raises(
        mail.MailError,
        match=r"cannot connect to the SMTP server 127\.0\.0\.1:\d+: Connection refused",
    ):
        send(mail.load_settings(), digest_message())


# --- settings ---------------------------------------------------------------------------------------


def write_config(path, body, mode=0o600):
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620])
def test_a_config_file_others_can_read_or_write_is_refused(tmp_path, monkeypatch, mode):
    config = write_config(
        tmp_path / "config.toml", '[smtp]\nhost = "smtp.example.com"\npassword = "pw"\n', mode
    )
    monkeypatch.setenv("SALESCTL_CONFIG", str(config))
    with pytest.raises(
        SalesError, match=rf"config file {config} is open to other users.*chmod 600 {config}"
    ):
        mail.load_settings()


def test_the_default_config_file_is_in_the_user_config_folder(monkeypatch, tmp_path):
    # conftest points XDG_CONFIG_HOME at tmp_path / "xdg-config"
    path = mail.config_path()
    assert path == tmp_path / "xdg-config" / "salesctl" / "config.toml"
    path.parent.mkdir(parents=True)
    write_config(path, '[smtp]\nhost = "relay.example.com"\ntls = "ssl"\n')
    settings = mail.load_settings()
    assert (settings.host, settings.tls, settings.port) == ("relay.example.com", "ssl", 465)


def test_environment_overrides_the_file_key_by_key(tmp_path, monkeypatch):
    config = write_config(
        tmp_path / "c.toml",
        """\
        [smtp]
        host = "file.example.com"
        port = 2525
        from = "File <file@example.com>"
        """,
    )
    monkeypatch.setenv("SALESCTL_CONFIG", str(config))
    monkeypatch.setenv("SALESCTL_SMTP_HOST", "env.example.com")
    settings = mail.load_settings()
    assert (settings.host, settings.port, settings.from_address) == (
        "env.example.com",
        2525,
        "File <file@example.com>",
    )


def test_no_file_and_no_environment_means_not_configured(monkeypatch):
    settings = mail.load_settings()
    assert settings.host is None and settings.tls == "starttls" and settings.port == 587
    with pytest.raises(SalesError, match="SMTP is not configured: set SALESCTL_SMTP_HOST"):
        settings.require_host(mail.config_path())


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("SALESCTL_SMTP_TLS", "tls13", "is not a TLS mode"),
        ("SALESCTL_SMTP_PORT", "smtp", "is not a port number"),
        ("SALESCTL_SMTP_PORT", "70000", "is not a port number"),
        ("SALESCTL_SMTP_CAFILE", "/nonexistent/ca.pem", "is not a file"),
        ("SALESCTL_SMTP_FROM", "robot", "is not an email address"),
    ],
)
def test_bad_settings_name_the_variable_and_value(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(SalesError, match=f'{name}: "{value}" {message}'):
        mail.load_settings()


def test_a_typo_in_the_config_file_is_named(tmp_path, monkeypatch):
    config = write_config(tmp_path / "c.toml", '[smtp]\nhots = "x"\n')
    monkeypatch.setenv("SALESCTL_CONFIG", str(config))
    with pytest.raises(SalesError, match='"hots" is not an SMTP setting'):
        mail.load_settings()


def test_invalid_toml_names_the_file(tmp_path, monkeypatch):
    config = write_config(tmp_path / "c.toml", "[smtp\n")
    monkeypatch.setenv("SALESCTL_CONFIG", str(config))
    with pytest.raises(SalesError, match=f"config file {config} is not valid TOML"):
        mail.load_settings()


def test_mail_module_loads_nothing_heavy_at_import():
    import subprocess
    import sys

    code = "import sys, salesctl.mail; print(sorted(m for m in ('rich', 'typer', 'sqlite_utils') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "rep", ["欧阳娜娜" * 20, "Bartholomew Alexander Fitzgerald-Montgomery the Third of Lancaster"]
)
def test_a_long_name_survives_header_folding(smtp_server, monkeypatch, rep):
    server = smtp_server()
    send(settings_for(server, monkeypatch), digest_message(rep=rep))
    [got] = server.received
    # 57 characters of the name are kept, then "..." (60 in all); the counts follow with single spaces.
    assert (
        got.message["Subject"]
        == rep[:57] + "...: 2 overdue, 1 due today, 1 more to look at (salesctl 2026-11-26)"
    )
