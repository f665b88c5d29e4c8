"""Canonical forms for comparing conversion results by meaning, not by spelling."""

from __future__ import annotations

import json
from typing import Union

from lxml import etree


def canonical_sexpr(tree: Union[etree._Element, etree._ElementTree]) -> str:
    """A codec tree (``<sexpr>``, ``<l>``, ``<a>``, ``<s>``) as one canonical line.

    Lists are ``(...)`` with items separated by one blank; every atom and every string is
    written as a JSON string, so the bare/quoted distinction (``<a>`` vs ``<s>``, and the
    ``q`` attribute) and the original whitespace do not count. Nothing else is normalized:
    order, case and the text of every value count. Several top-level items are joined by
    one blank.
    """
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree

    def item(el: etree._Element) -> str:
        if el.tag == "l":
            return "(" + " ".join(item(child) for child in el) + ")"
        if el.tag in ("a", "s"):
            return json.dumps(el.text or "", ensure_ascii=False)
        raise ValueError(f"not a codec tree element: <{el.tag}>")

    if root.tag == "sexpr":
        return " ".join(item(child) for child in root)
    return item(root)
