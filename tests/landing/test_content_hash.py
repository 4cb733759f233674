"""The content hash keeps its definition: batches already in the raw zone keep matching."""

from __future__ import annotations

import hashlib

from edu_platform.landing.content_hash import BLOCK_ROWS, ContentHash


def defined_digest(items: list[tuple[str | None, ...] | str]) -> str:
    """The definition, value by value: 0x1f + UTF-8 (NUL for None) per value, 0x1e per row;
    0x1e R + the raw content per rejected item (given here as a plain string)."""
    digest = hashlib.sha256()
    for item in items:
        if isinstance(item, str):
            digest.update(b"\x1eR" + item.encode())
            continue
        for value in item:
            digest.update(b"\x1f" + (value.encode() if value is not None else b"\x00"))
        digest.update(b"\x1e")
    return digest.hexdigest()


def hashed(items: list[tuple[str | None, ...] | str]) -> str:
    content = ContentHash()
    for item in items:
        if isinstance(item, str):
            content.rejected(item)
        else:
            content.row(item)
    return content.hexdigest()


def test_rows_and_rejections_hash_as_defined() -> None:
    items: list[tuple[str | None, ...] | str] = [
        ("1210144716204", None, "ด.ญ.", "", "  ป.6 "),
        (None, None),
        ("",),
        (),
        '{"student_key": null}',
        ("a\x1fb", "c\x1ed", "\x00"),  # separators inside values hash as the bytes they are
        ("๑๒๓", "NULL"),
    ]
    assert hashed(items) == defined_digest(items)


def test_blocks_do_not_change_the_digest() -> None:
    items: list[tuple[str | None, ...] | str] = [
        (str(number), None if number % 3 else "x", "ไทย") for number in range(BLOCK_ROWS * 2 + 7)
    ]
    items.insert(BLOCK_ROWS, "rejected in the middle of a block")
    assert hashed(items) == defined_digest(items)


def test_different_content_differs() -> None:
    assert hashed([("a", None)]) != hashed([("a", "")])
    assert hashed([("a", "b")]) != hashed([("ab",)])


def test_pages_hash_as_their_own_digests_in_order() -> None:
    first, second = "a" * 64, "b" * 64
    content = ContentHash()
    content.page(first)
    content.page(second)
    expected = hashlib.sha256(f"\x1eP{first}\x1eP{second}".encode()).hexdigest()
    assert content.hexdigest() == expected
    swapped = ContentHash()
    swapped.page(second)
    swapped.page(first)
    assert swapped.hexdigest() != expected
