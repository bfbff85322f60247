from decimal import Decimal

import pytest

from solvent.core.crypto import decrypt, encrypt, keyed_hash, mask
from solvent.core.domain.money import Money


def test_encryption_round_trip_and_ciphertext_hides_value() -> None:
    token = encrypt("123-45-6789")
    assert "123" not in token
    assert decrypt(token) == "123-45-6789"


def test_keyed_hash_is_stable_and_distinct() -> None:
    assert keyed_hash("a") == keyed_hash("a")
    assert keyed_hash("a") != keyed_hash("b")


def test_mask_shows_only_the_tail() -> None:
    assert mask("123456789") == "•••••6789"
    assert mask("") == ""


def test_money_refuses_floats_and_mixed_currencies() -> None:
    with pytest.raises(TypeError):
        Money(1.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cannot combine"):
        Money(Decimal("1"), "USD") + Money(Decimal("1"), "CAD")
    assert str(Money(Decimal("1234.5"), "USD")) == "1,234.50 USD"
