"""Accounts: passwords at rest."""

import pytest

from tests.conftest import PASSWORD


@pytest.mark.real_hashing
def test_passwords_are_stored_with_argon2(db):
    from jianguan.accounts.services import create_user

    user = create_user("hash-check", PASSWORD)
    assert user.password.startswith("argon2$") and user.check_password(PASSWORD)
