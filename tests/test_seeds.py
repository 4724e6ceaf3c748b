"""mils_core.seeds: one seed derivation for the loop and every generator.

The pinned values were computed with the two functions this one replaced (the loop's
``derive_seed`` and mils-llm's ``mix_seed``): changing them would change every run's seeds.
"""

from __future__ import annotations

import pytest

from mils_core.seeds import derive_seed

PINNED = [
    ((0, "img-1"), 63, 753321725392442545),
    ((42, "explore", 3), 63, 5967026944780948707),
    ((7, "gen", 1, 0, 2), 63, 8760659228836551763),
    (("a",), 31, 1243332042),
    ((123, 456), 31, 1420490863),
    ((), 63, 7183457195969485844),
    ((0, "x"), 16, 23246),
]


@pytest.mark.parametrize(("parts", "bits", "expected"), PINNED)
def test_pinned_values(parts: tuple[object, ...], bits: int, expected: int) -> None:
    assert derive_seed(*parts, bits=bits) == expected


def test_default_is_63_bits_and_equals_the_loop() -> None:
    from mils_core import loop

    for parts, bits, expected in PINNED:
        if bits == 63:
            assert derive_seed(*parts) == expected == loop.derive_seed(*parts)


def test_range_and_stability() -> None:
    for bits in (1, 8, 31, 63, 64):
        values = [derive_seed("run", i, bits=bits) for i in range(200)]
        assert all(0 <= v < (1 << bits) for v in values)
        assert values == [derive_seed("run", i, bits=bits) for i in range(200)]
    assert derive_seed("a", "b") != derive_seed("b", "a")
    assert derive_seed(1, "x") == derive_seed("1", "x")  # parts are joined as text


@pytest.mark.parametrize("bits", [0, 65, -1, True, 3.0])
def test_bad_bits(bits: object) -> None:
    with pytest.raises(ValueError, match="bits must be an integer from 1 to 64"):
        derive_seed("x", bits=bits)  # type: ignore[arg-type]
