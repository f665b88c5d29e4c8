"""Semantic diff: compare two VM configurations by meaning, whatever their formats.

Both inputs are read into the hub (Xen XML), so an SEXPR config compares with a core or Xen
XML document directly. What does not carry meaning is ignored: formatting, comments,
namespace prefixes, attribute order, the order of differently named sibling elements, the
case of UUIDs and MAC addresses, and the unit of memory sizes (``<memory unit='MiB'>512``
equals ``<memory>524288``, after libvirt's ``virScaleInteger``). The order of same-named
siblings does carry meaning (disks, interfaces) and is compared position by position.

Every difference has the path of what differs, an XPath-like ``/domain/devices/disk[2]/@type``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple, Union

from lxml import etree

from .context import Context, Options
from .limits import Limits
from .limits import resolve as resolve_limits
from .losses import Loss

XEN_NS = "urn:xlate:xen:1"
Data = Union[bytes, str]

# libvirt elements holding a scaled integer whose default unit is KiB
_SCALED_KIB = frozenset({
    "memory", "currentMemory", "maxMemory", "hard_limit", "soft_limit", "swap_hard_limit",
    "min_guarantee",
})
_POWERS = {"k": 1, "m": 2, "g": 3, "t": 4, "p": 5, "e": 6}
_MAX_SHOWN = 120  # characters of an element shown for "only in A/B"


@dataclass(frozen=True)
class Difference:
    """One difference. ``a`` is None when the item is only in B, ``b`` when only in A."""

    path: str
    a: Optional[str]
    b: Optional[str]

    @property
    def kind(self) -> str:
        return "only-b" if self.a is None else "only-a" if self.b is None else "changed"

    def format(self) -> str:
        """``~ PATH: A -> B`` (changed), ``- PATH: A`` (only in A), ``+ PATH: B`` (only in B)."""
        if self.a is None:
            return f"+ {self.path}: {_show(self.b)}"
        if self.b is None:
            return f"- {self.path}: {_show(self.a)}"
        return f"~ {self.path}: {_show(self.a)} -> {_show(self.b)}"

    def to_dict(self) -> Dict[str, Optional[str]]:
        return {"path": self.path, "kind": self.kind, "a": self.a, "b": self.b}


@dataclass
class DiffResult:
    """The outcome of :func:`diff`: the differences and what reading each side reported."""

    differences: List[Difference]
    src_a: str
    src_b: str
    losses_a: List[Loss] = field(default_factory=list)
    losses_b: List[Loss] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not self.differences


def _show(value: Optional[str]) -> str:
    if value is None:
        return ""
    if value == "" or value != value.strip():
        return repr(value)
    return value


def diff(
    a: Data, b: Data, *, src_a: Optional[str] = None, src_b: Optional[str] = None,
    file_a: Optional[str] = None, file_b: Optional[str] = None, ignore_xen: bool = False,
    limits: Optional[Limits] = None,
) -> DiffResult:
    """Compare two configurations by meaning; formats are detected unless given.

    ``ignore_xen`` compares only what core XML carries (what libvirt sees): Xen-only settings
    in the ``xen:`` namespace are left out on both sides. ``limits`` bounds each input
    (:class:`xlate.Limits`; default: its documented defaults).
    """
    from .api import read_hub

    options = Options(limits=resolve_limits(limits))
    ctx_a, ctx_b = Context(options=options, file=file_a), Context(options=options, file=file_b)
    hub_a, fmt_a = read_hub(a, src=src_a, ctx=ctx_a)
    hub_b, fmt_b = read_hub(b, src=src_b, ctx=ctx_b)
    return DiffResult(diff_trees(hub_a, hub_b, ignore_xen=ignore_xen), fmt_a, fmt_b,
                      list(ctx_a.losses), list(ctx_b.losses))


def diff_trees(
    a: Union[etree._ElementTree, etree._Element], b: Union[etree._ElementTree, etree._Element],
    *, ignore_xen: bool = False,
) -> List[Difference]:
    """The differences between two hub trees, in document order of A (then B's extras)."""
    ra = a.getroot() if isinstance(a, etree._ElementTree) else a
    rb = b.getroot() if isinstance(b, etree._ElementTree) else b
    out: List[Difference] = []
    if ra.tag != rb.tag:
        out.append(Difference("/", _summary(ra), _summary(rb)))
        return out
    _compare(ra, rb, "/" + _name(ra), out, ignore_xen)
    return out


def _compare(ea: etree._Element, eb: etree._Element, path: str, out: List[Difference], ignore_xen: bool) -> None:
    scaled = etree.QName(ea).localname in _SCALED_KIB and etree.QName(ea).namespace is None
    aa, ab = _attributes(ea, ignore_xen, scaled), _attributes(eb, ignore_xen, scaled)
    for key in sorted(set(aa) | set(ab), key=lambda k: (aa.get(k) or ab[k])[2]):
        va, vb = aa.get(key), ab.get(key)
        if va is None or vb is None or va[0] != vb[0]:
            name = (va or vb)[2]  # type: ignore[index]
            out.append(Difference(f"{path}/@{name}", va and va[1], vb and vb[1]))
    if scaled:
        (na, ta), (nb, tb) = _scaled(ea), _scaled(eb)
    else:
        ta, tb = _text(ea), _text(eb)
        na, nb = _normal_text(ea, ta), _normal_text(eb, tb)
    if na != nb:
        out.append(Difference(path, ta, tb))
    groups_a, groups_b = _children(ea, ignore_xen), _children(eb, ignore_xen)
    for key in list(groups_a) + [k for k in groups_b if k not in groups_a]:
        la, lb = groups_a.get(key, []), groups_b.get(key, [])
        name = _name((la or lb)[0])
        many = max(len(la), len(lb)) > 1
        for i in range(max(len(la), len(lb))):
            sub = f"{path}/{name}[{i + 1}]" if many else f"{path}/{name}"
            ca = la[i] if i < len(la) else None
            cb = lb[i] if i < len(lb) else None
            if ca is not None and cb is not None:
                _compare(ca, cb, sub, out, ignore_xen)
            else:
                out.append(Difference(sub, ca is not None and _summary(ca) or None,
                                      cb is not None and _summary(cb) or None))


def _name(el: etree._Element) -> str:
    q = etree.QName(el)
    if q.namespace is None:
        return q.localname
    if q.namespace == XEN_NS:
        return f"xen:{q.localname}"
    return f"{el.prefix}:{q.localname}" if el.prefix else q.text


def _attr_name(qname: str, el: etree._Element) -> str:
    q = etree.QName(qname)
    if q.namespace is None:
        return q.localname
    if q.namespace == XEN_NS:
        return f"xen:{q.localname}"
    for prefix, uri in el.nsmap.items():
        if uri == q.namespace and prefix:
            return f"{prefix}:{q.localname}"
    return q.text


def _attributes(el: etree._Element, ignore_xen: bool, scaled: bool) -> Dict[str, Tuple[str, str, str]]:
    """qualified name -> (normalized value, value as written, name as shown)."""
    found: Dict[str, Tuple[str, str, str]] = {}
    for qname, value in el.attrib.items():
        if ignore_xen and qname.startswith("{" + XEN_NS + "}"):
            continue
        if scaled and qname == "unit":
            continue  # folded into the value
        name = _attr_name(qname, el)
        found[qname] = (_normal_attr(el, name, value), value, name)
    return found


def _normal_attr(el: etree._Element, name: str, value: str) -> str:
    local = etree.QName(el).localname
    if local == "mac" and name == "address":
        return value.strip().lower()
    return value


def _text(el: etree._Element) -> str:
    return (el.text or "").strip()


def _normal_text(el: etree._Element, text: str) -> str:
    if etree.QName(el).localname == "uuid" and etree.QName(el).namespace is None:
        return text.replace("-", "").replace(" ", "").lower()
    return text


def _scaled(el: etree._Element) -> Tuple[str, str]:
    """(size in bytes, or the text when it is not a valid size; the size as written)."""
    text = _text(el)
    unit = el.get("unit")
    shown = f"{text} {unit}" if unit else f"{text} KiB"
    factor = _unit_factor(unit)
    if factor is None or not text.isdigit():
        return text + "|" + (unit or ""), shown
    return str(int(text) * factor), shown


def _unit_factor(unit: Optional[str]) -> Optional[int]:
    """Bytes per unit as libvirt's virScaleInteger reads it; None for an unknown unit."""
    if not unit:
        return 1024
    u = unit.lower()
    if u in ("b", "byte", "bytes"):
        return 1
    power = _POWERS.get(u[0])
    if power is None:
        return None
    if len(u) == 1 or u[1:] == "ib":
        return 1024 ** power
    if u[1:] == "b":
        return 1000 ** power
    return None


def _children(el: etree._Element, ignore_xen: bool) -> Dict[str, List[etree._Element]]:
    groups: Dict[str, List[etree._Element]] = {}
    for child in el.iterchildren(tag=etree.Element):
        if ignore_xen and etree.QName(child).namespace == XEN_NS:
            continue
        groups.setdefault(child.tag, []).append(child)
    return groups


def _summary(el: etree._Element) -> str:
    """A leaf's text, else the element as one line of compact XML (cut at a readable length)."""
    if not el.attrib and len(el) == 0 and _text(el):
        return _text(el)
    copy = etree.fromstring(etree.tostring(el))
    for node in copy.iter():
        if isinstance(node.tag, str):
            node.text = node.text.strip() if node.text else node.text
        node.tail = None
    for bad in [n for n in copy.iter() if not isinstance(n.tag, str)]:
        parent = bad.getparent()
        if parent is not None:
            parent.remove(bad)
    text = etree.tostring(copy, encoding="unicode").replace(f' xmlns:xen="{XEN_NS}"', "")
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"
