"""Separate keys, and a sealing key ring that rotates without downtime."""

import pytest
from cryptography.fernet import InvalidToken
from django.core.management import call_command

from jianguan.core.pii import decrypt, encrypt, key_id_of, keyed_hash
from jianguan.exchange.services import ingest
from jianguan.records.models import Record

ID = "11010519491231002X"


def _citizen_records(setup, inspection, n):
    records = [
        inspection(f"CZ-{i}", subject_nature="1", subject_id_type="111", subject_code=ID, subject_name="张三丰")
        for i in range(n)
    ]
    ingest(enumerate(records, 1), source=setup.source, channel="api")


def test_the_newest_key_seals_every_key_unseals_and_rotation_reseals_all(setup, inspection, settings, capsys):
    settings.SEALING_KEYS = [("k1", "a" * 40)]
    _citizen_records(setup, inspection, 7)
    sealed = list(Record.objects.values_list("subject_code_sealed", flat=True))
    assert len(sealed) == 7 and all(s.startswith("k1:") for s in sealed)

    settings.SEALING_KEYS = [("k1", "a" * 40), ("k2", "b" * 40)]  # a new key: it seals, k1 still unseals
    assert key_id_of(encrypt("x")) == "k2" and decrypt(sealed[0]) == ID
    call_command("keys", "rotate", "--batch", "3")
    assert "re-sealed 7" in capsys.readouterr().out
    resealed = list(Record.objects.values_list("subject_code_sealed", flat=True))
    assert all(s.startswith("k2:") for s in resealed)
    call_command("keys", "rotate")  # run again (as after a kill): only what is left, here nothing
    assert "re-sealed 0" in capsys.readouterr().out

    settings.SEALING_KEYS = [("k2", "b" * 40)]  # k1 retired: everything still unseals
    assert {decrypt(s) for s in resealed} == {ID}
    with pytest.raises(InvalidToken):
        decrypt(sealed[0])
    call_command("keys", "status")
    assert "k2 7" in capsys.readouterr().out


def test_values_sealed_before_key_rings_still_unseal_and_rotate(setup, inspection, settings):
    settings.SEALING_KEYS = []
    _citizen_records(setup, inspection, 2)
    legacy = Record.objects.values_list("subject_code_sealed", flat=True)[0]
    assert ":" not in legacy and decrypt(legacy) == ID
    settings.SEALING_KEYS = [("k1", "a" * 40)]
    call_command("keys", "rotate")
    assert all(s.startswith("k1:") for s in Record.objects.values_list("subject_code_sealed", flat=True))


def test_matching_hashes_use_their_own_key(settings):
    before = keyed_hash(ID)
    settings.SEALING_KEYS = [("k9", "z" * 40)]
    assert keyed_hash(ID) == before  # a new sealing key leaves matching alone
    settings.MATCHING_KEY = "m" * 40
    assert keyed_hash(ID) != before
