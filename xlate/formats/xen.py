"""Xen XML: libvirt-style domain XML plus Xen-only settings in the ``xen:`` namespace.

This is the hub itself: reading parses, writing serializes. The vocabulary is documented in
docs/mapping.md and defined by schemas/xen.xsd.
"""

from __future__ import annotations

from lxml import etree

from ..context import Context
from ..xmlio import parse_xml, serialize_xml


def read(data: bytes, ctx: Context) -> etree._ElementTree:
    return parse_xml(data, file=ctx.file, limits=ctx.options.limits)


def write(hub: etree._ElementTree, ctx: Context) -> bytes:
    return serialize_xml(hub, pretty=ctx.options.pretty)
