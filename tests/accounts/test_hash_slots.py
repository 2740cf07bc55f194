"""Password hashes are bounded machine-wide (PASSWORD_HASH_CONCURRENCY): a login burst
leaves cores to everybody else."""

from __future__ import annotations

import threading
import time

import pytest

from matchmaker.accounts.hashing import hash_slot


@pytest.mark.parametrize("slots", [1, 2])
def test_no_more_hashes_at_once_than_the_slots(app, tmp_path, monkeypatch, slots):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_CONCURRENCY", slots)
    monkeypatch.setitem(app.config, "PASSWORD_HASH_LOCK_DIR", str(tmp_path))
    inside, most, lock = [0], [0], threading.Lock()

    def login():
        with app.app_context(), hash_slot():  # each opens its own lock files, as a process
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.2)  # the hash
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=login) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert most[0] == slots


def test_a_login_still_checks_the_password_under_the_bound(client, make_user, monkeypatch, app):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_CONCURRENCY", 1)
    user = make_user()
    wrong = client.post("/login", data={"email": user.email, "password": "not-it-at-all"})
    assert wrong.status_code != 302
    right = client.post("/login", data={"email": user.email, "password": "correct-horse-battery"})
    assert right.status_code == 302
