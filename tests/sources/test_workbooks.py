"""Merged ranges read from a sheet's XML bytes, whatever the chunks they arrive in."""

from __future__ import annotations

import io

import pytest

from edu_platform.sources import workbooks

SHEET = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="urn:x"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lt;mergeCell ref="Z1:Z9"/&gt;</t></is></c>'
    b'</row></sheetData><mergeCells count="3"><mergeCell ref="A5:A7"/>'
    b'<x:mergeCell xmlns:x="urn:x" ref="B10:C10"></x:mergeCell>'
    b'<mergeCell ref="D2"/></mergeCells></worksheet>'
)


@pytest.mark.parametrize("chunk_bytes", [1, 7, 64, 1 << 20])
def test_merge_refs_are_found_across_chunk_boundaries(monkeypatch, chunk_bytes):
    monkeypatch.setattr(workbooks, "CHUNK_BYTES", chunk_bytes)
    # the escaped look-alike inside a cell's text is not a tag
    assert list(workbooks._merge_refs(io.BytesIO(SHEET))) == ["A5:A7", "B10:C10", "D2"]
