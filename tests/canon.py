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


XEN_NS = "urn:xlate:xen:1"

#: libvirt's implicit devices and live-only elements: removed from both sides (docs/mapping.md,
#: "Comparing with libvirt's corpus"). Each entry: (XPath relative to <domain>, why).
_IMPLICIT = (
    ("devices/disk/backingStore[not(node()) and not(@*)]", "live XML: the (empty) backing chain"),
    ("devices/disk/address[@type='drive']", "drive address libvirt assigns from the target name"),
    ("devices/controller[@type='ide' and @index='0' and count(@*) = 2 and not(node())]",
     "the IDE controller implied by IDE disks"),
    ("devices/memballoon[@model='xen' and count(@*) = 1 and not(node())]", "the implied Xen balloon"),
    ("devices/input[(@type='mouse' or @type='keyboard') and (@bus='ps2' or @bus='xen')"
     " and count(@*) = 2 and not(node())]", "default PS/2 (HVM) or Xen (PV) mouse and keyboard"),
    ("devices/console[target/@type='serial']", "console that copies serial port 0 (HVM)"),
)


def canonical_xml(
    tree: Union[etree._Element, etree._ElementTree, bytes, str], *, drop_xen: bool = True
) -> str:
    """Domain XML in a canonical, indented form for comparing by meaning.

    Normalized: attribute order; whitespace between elements; element order among siblings
    (a stable sort by tag, so the order of disks, of interfaces, of boot devices... counts);
    ``xen:`` elements (dropped unless ``drop_xen=False``); and libvirt's implicit defaults and
    live-only parts (``_IMPLICIT``, plus: ``placement='static'`` on ``<vcpu>``, ``type='rom'``
    on ``<loader>``, a missing ``unit`` on memory sizes means KiB, a graphics ``listen``
    attribute is the same as its ``<listen type='address'>`` child, ``port='-1'`` implies
    ``autoport='yes'``, and VNC passwords are not compared since libvirt never prints them).
    Text content (a kernel command line with its blanks) is compared as it is.
    """
    if isinstance(tree, (bytes, str)):
        data = tree.encode("utf-8") if isinstance(tree, str) else tree
        root = etree.fromstring(data, etree.XMLParser(remove_blank_text=True, resolve_entities=False))
    else:
        src = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
        root = etree.fromstring(etree.tostring(src), etree.XMLParser(remove_blank_text=True))

    if drop_xen:
        for el in root.xpath("//x:*", namespaces={"x": XEN_NS}):
            el.getparent().remove(el)
    for path, _why in _IMPLICIT:
        for el in root.xpath(path):
            el.getparent().remove(el)
    for el in root.xpath("vcpu[@placement='static']"):
        del el.attrib["placement"]
    for el in root.xpath("os/loader[@type='rom']"):
        del el.attrib["type"]
    for el in root.xpath("memory[not(@unit)] | currentMemory[not(@unit)]"):
        el.set("unit", "KiB")
    for g in root.xpath("devices/graphics"):
        listen = g.attrib.pop("listen", None)
        if listen is not None and not g.xpath("listen[@type='address' and @address=$a]", a=listen):
            etree.SubElement(g, "listen", type="address", address=listen)
        g.attrib.pop("passwd", None)
        if g.get("port") == "-1" and g.get("type") == "vnc":
            g.set("autoport", "yes")

    def build(el: etree._Element) -> etree._Element:
        out = etree.Element(el.tag, dict(sorted(el.attrib.items())))
        text = el.text if el.text and (len(el) == 0 or el.text.strip()) else None
        out.text = text
        for child in sorted((c for c in el if isinstance(c.tag, str)), key=lambda c: c.tag):
            out.append(build(child))
        return out

    canon = build(root)
    etree.cleanup_namespaces(canon)
    etree.indent(canon, space="  ")
    return etree.tostring(canon, encoding="unicode") + "\n"
