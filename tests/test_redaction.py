"""Contact masking: what is hidden, what a public reader keeps, and offsets that follow."""

import pytest

from crawler.accounts import AccountError, accounts, auth_plugin_config
from crawler.redaction import mask_contact, redact
from tests.conftest import organwatch


@pytest.mark.parametrize(("text", "expected"), [
    ("WhatsApp +92 300 1234567 now", "WhatsApp +92•••67 now"),
    ("call 00923001234567", "call +92•••67"),
    ("write to donor.help@kidneyfree.example.", "write to •••@kidneyfree.example."),
    ("Telegram: @kidneyhelp88", "Telegram: @•••"),
    ("WeChat ID: kidney_cn_88", "WeChat ID: •••"),
    ("see t.me/brokerx or wa.me/923001234567", "see t.me/••• or wa.me/•••"),
    ("微信号：kidney88 | Viber +7 912 345 67 89", "微信号：••• | Viber +7•••89"),
    ("invalid but phone-shaped 0300-7654321", "invalid but phone-shaped •••21"),
    ("born 2024-01-15, price USD 62,000", "born 2024-01-15, price USD 62,000"),
    ("whatsapp us today", "whatsapp us today"),
])
def test_masks(text, expected):
    assert redact(text, "en").text == expected


@pytest.mark.parametrize(("kind", "value", "masked"), [
    ("phone", "+923001234567", "+92•••67"),
    ("email", "a.b@c.example", "•••@c.example"),
    ("messenger", "whatsapp:+923001234567", "whatsapp:+92•••67"),
    ("messenger", "telegram:kidneyhelp88", "telegram:•••"),
    ("messenger", "viber", "viber"),
])
def test_mask_contact(kind, value, masked):
    assert mask_contact(kind, value) == masked


def test_offsets_follow_the_masks():
    original = "Call +92 300 1234567 for a kidney"
    r = redact(original)
    start = original.index("kidney")
    assert r.text[r.offset(start) : r.offset(start + 6, end=True)] == "kidney"
    assert r.text[r.offset(5) : r.offset(20, end=True)] == "+92•••67"


@pytest.mark.parametrize(("env", "message"), [
    ({"ORGANWATCH_ACCOUNTS": "alice:boss", "ORGANWATCH_PASSWORD_HASH_ALICE": "pbkdf2_sha256$x"}, "role must be"),
    ({"ORGANWATCH_ACCOUNTS": "alice"}, "ORGANWATCH_PASSWORD_HASH_ALICE: missing"),
    ({"ORGANWATCH_ACCOUNTS": "Alice!:reviewer"}, "a name is"),
])
def test_bad_accounts_are_named(env, message):
    with pytest.raises(AccountError, match=message):
        accounts(env)


def test_metadata_gets_env_references_not_hashes():
    env = {"ORGANWATCH_ACCOUNTS": "bob:admin", "ORGANWATCH_PASSWORD_HASH_BOB": "pbkdf2_sha256$secret"}
    assert auth_plugin_config(env)["bob_password_hash"] == {"$env": "ORGANWATCH_PASSWORD_HASH_BOB"}
    assert "secret" not in repr(auth_plugin_config(env))


def test_account_command_prints_a_verifiable_hash(tmp_path):
    import subprocess
    import sys

    from datasette_auth_passwords.utils import verify_password

    result = subprocess.run([sys.executable, "-m", "crawler.cli", "account", "carol", "--password-stdin"],
                            input="a long enough password", capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    line = result.stdout.splitlines()[0]
    assert line.startswith("ORGANWATCH_PASSWORD_HASH_CAROL=")
    assert verify_password("a long enough password", line.split("=", 1)[1].strip("'"))


@pytest.mark.parametrize("args", [["account", "carol", "--role", "boss", "--password-stdin"],
                                  ["account", "carol", "--password-stdin"]])
def test_account_command_bad_input_exits_2(args):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "crawler.cli", *args], input="short", capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and "organwatch account:" in result.stderr


def test_serve_with_a_bad_account_exits_2(tmp_path, monkeypatch):
    db = tmp_path / "x.db"
    db.touch()
    monkeypatch.setenv("ORGANWATCH_ACCOUNTS", "dave:reviewer")
    monkeypatch.delenv("ORGANWATCH_PASSWORD_HASH_DAVE", raising=False)
    result = organwatch("serve", "--db", str(db), timeout=60)
    assert result.returncode == 2 and "ORGANWATCH_PASSWORD_HASH_DAVE" in result.stderr
