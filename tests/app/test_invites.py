from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from app.core.invites import MAX_PIN_ATTEMPTS, InviteBook, parse_join_link
from app.core.signaling.errors import InviteError


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def book(clock: Clock) -> InviteBook:
    return InviteBook(now=clock)


def issue(book: InviteBook, action: str = "A1", pid: str = "w1", role: str = "witness"):
    return book.issue(
        action_id=action,
        participant_id=pid,
        role=role,
        display_name="Айгерим",
        base_url="https://10.0.0.5:8765",
        ttl=timedelta(minutes=30),
    )


def wrong(pin: str) -> str:
    return f"{(int(pin) + 1) % 10**6:06d}"


def test_issue_gives_token_link_and_pin_and_stores_only_hashes(book: InviteBook) -> None:
    issued = issue(book)
    assert len(issued.token) >= 43 and len(issued.pin) == 6 and issued.pin.isdigit()
    assert parse_join_link(issued.link) == ("https://10.0.0.5:8765", "A1", issued.token)
    stored = book.invites("A1")[0]
    assert issued.token not in repr(stored) and issued.pin not in repr(stored)
    assert issued.token not in repr(issued) and issued.pin not in repr(issued)
    assert stored.token_hash != issued.token and stored.pin_hash != issued.pin.encode()


def test_redeem_with_right_pin_consumes_token(book: InviteBook) -> None:
    issued = issue(book)
    assert book.check("A1", issued.token).participant_id == "w1"
    invite = book.redeem("A1", issued.token, issued.pin)
    assert invite.used_at is not None
    with pytest.raises(InviteError) as e:
        book.redeem("A1", issued.token, issued.pin)
    assert e.value.code == "used"


def test_expired_token_refused(book: InviteBook, clock: Clock) -> None:
    issued = issue(book)
    clock.now += timedelta(minutes=30)
    with pytest.raises(InviteError) as e:
        book.check("A1", issued.token)
    assert e.value.code == "expired" and "expired" in e.value.message


def test_revoked_token_refused(book: InviteBook) -> None:
    issued = issue(book)
    book.revoke(issued.invite.invite_id)
    with pytest.raises(InviteError) as e:
        book.redeem("A1", issued.token, issued.pin)
    assert e.value.code == "revoked"


def test_foreign_token_refused(book: InviteBook) -> None:
    other = issue(book, action="B7")
    with pytest.raises(InviteError) as e:
        book.check("A1", other.token)
    assert e.value.code == "foreign"


def test_unknown_token_refused(book: InviteBook) -> None:
    issue(book)
    with pytest.raises(InviteError) as e:
        book.check("A1", "x" * 43)
    assert e.value.code == "unknown"


def test_wrong_pin_counts_down_then_locks(book: InviteBook) -> None:
    issued = issue(book)
    for left in range(MAX_PIN_ATTEMPTS - 1, 0, -1):
        with pytest.raises(InviteError) as e:
            book.redeem("A1", issued.token, wrong(issued.pin))
        assert (e.value.code, e.value.attempts_left) == ("pin_wrong", left)
    with pytest.raises(InviteError) as e:
        book.redeem("A1", issued.token, wrong(issued.pin))
    assert e.value.code == "pin_locked"
    # even the right PIN is refused once locked
    with pytest.raises(InviteError) as e:
        book.redeem("A1", issued.token, issued.pin)
    assert e.value.code == "pin_locked"


def test_reconnect_credential_bound_to_action_and_dies_with_revocation(book: InviteBook) -> None:
    issued = issue(book)
    invite = book.redeem("A1", issued.token, issued.pin)
    credential = book.issue_credential(invite)
    assert book.check_credential("A1", credential).participant_id == "w1"
    with pytest.raises(InviteError) as e:
        book.check_credential("B7", credential)
    assert e.value.code == "foreign"
    book.revoke(invite.invite_id)
    with pytest.raises(InviteError) as e:
        book.check_credential("A1", credential)
    assert e.value.code == "unknown_credential"


def test_unknown_role_and_bad_link_rejected(book: InviteBook) -> None:
    with pytest.raises(ValueError, match="unknown role 'judge'"):
        issue(book, role="judge")
    with pytest.raises(ValueError, match="not a Tergeu join link"):
        parse_join_link("https://x/a/A1/join")


def test_qr_code_written_owner_only(book: InviteBook, tmp_path) -> None:
    import cv2

    issued = issue(book)
    path = issued.qr_png(tmp_path / "invite.png")
    assert path.stat().st_mode & 0o777 == 0o600
    # the ArUco-based detector: the classic one misses ~3 % of random links (measured, 300 links)
    text, _, _ = cv2.QRCodeDetectorAruco().detectAndDecode(cv2.imread(str(path)))
    assert text == issued.link
    assert issued.qr_svg().startswith("<svg")


def test_secrets_never_reach_log(book: InviteBook, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    issued = issue(book)
    for _ in range(2):
        with pytest.raises(InviteError):
            book.redeem("A1", issued.token, wrong(issued.pin))
    book.redeem("A1", issued.token, issued.pin)
    assert issued.token not in caplog.text and issued.pin not in caplog.text


def test_book_kept_on_disk_survives_a_restart(clock: Clock, tmp_path) -> None:
    path = tmp_path / "state" / "invites.json"
    book = InviteBook(now=clock, path=path)
    used = issue(book, pid="w1")
    fresh = issue(book, pid="w2")
    invite = book.redeem("A1", used.token, used.pin)
    credential = book.issue_credential(invite)
    with pytest.raises(InviteError):
        book.redeem("A1", fresh.token, wrong(fresh.pin))
    assert path.stat().st_mode & 0o077 == 0
    text = path.read_text()
    for secret in (used.token, used.pin, fresh.token, credential):
        assert secret not in text  # hashes only

    again = InviteBook(now=clock, path=path)  # the hub process started again
    assert again.check_credential("A1", credential).participant_id == "w1"
    with pytest.raises(InviteError) as e:
        again.check("A1", used.token)
    assert e.value.code == "used"
    assert again.attempts_left(again.check("A1", fresh.token)) == MAX_PIN_ATTEMPTS - 1
    assert again.redeem("A1", fresh.token, fresh.pin).participant_id == "w2"
    revoked = again.invite_of("A1", "w1")
    assert revoked is not None
    again.revoke(revoked.invite_id)
    with pytest.raises(InviteError) as e:
        InviteBook(now=clock, path=path).check_credential("A1", credential)
    assert e.value.code == "unknown_credential"


def test_unreadable_book_named(tmp_path) -> None:
    path = tmp_path / "invites.json"
    path.write_text('{"format": "something-else"}')
    with pytest.raises(InviteError) as e:
        InviteBook(path=path)
    assert e.value.code == "book_unreadable" and str(path) in e.value.message
