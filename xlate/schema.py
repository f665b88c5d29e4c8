"""Schema validation of core and Xen domain XML, with messages a person can act on.

The schemas live in ``schemas/``: ``core.xsd`` (libvirt-style domain XML, after libvirt's
``domaincommon.rng``, https://libvirt.org/formatdomain.html), ``xen.xsd`` (xlate's ``xen:``
settings) and ``xen-domain.xsd`` (both together). Validation is two-speed:

* fast path: lxml's compiled XMLSchema (libxml2) says yes or no, plus a cheap walk of the tree for
  the counts XSD 1.0 cannot express next to wildcards ("exactly one <name>", "at most one
  <memory>") and for where each ``xen:`` setting may appear;
* slow path, only for invalid documents: the ``xmlschema`` package validates again because its
  error objects are structured (element, validator, expected children); each one is turned into
  one plain sentence with the element's path and line.
"""

from __future__ import annotations

import difflib
import functools
import re
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple, Union

from lxml import etree

from .errors import UsageError, ValidationError

XEN_NS = "urn:xlate:xen:1"
LIBVIRT_XEN_NS = "http://libvirt.org/schemas/domain/xen/1.0"
XS_NS = "http://www.w3.org/2001/XMLSchema"

#: format name -> schema file (in :func:`schema_dir`)
SCHEMA_FILES: Dict[str, str] = {"core": "core.xsd", "xen": "xen-domain.xsd"}

XEN_ONLY_HINT = "convert with --to xen, or to core with --keep-xen to keep it in <metadata>"

Tree = Union[etree._ElementTree, etree._Element]


# --------------------------------------------------------------------------------------------
# Locating and loading the schemas
# --------------------------------------------------------------------------------------------

def schema_dir() -> Path:
    """The folder holding the ``.xsd`` files.

    Installed: ``xlate/_schemas`` (package data). Source checkout: ``<repo>/schemas``.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_schemas", here.parent / "schemas"):
        if (candidate / "core.xsd").is_file():
            return candidate
    raise FileNotFoundError(
        f"xlate's schemas are missing: neither {here / '_schemas'} nor {here.parent / 'schemas'}"
        " holds core.xsd"
    )


def schema_path(fmt: str) -> Path:
    """Path of the schema that validates format ``fmt`` ("core" or "xen")."""
    try:
        name = SCHEMA_FILES[fmt]
    except KeyError:
        raise UsageError(
            f"no schema for format {fmt!r}; schemas exist for: {', '.join(SCHEMA_FILES)}"
        ) from None
    return schema_dir() / name


@functools.lru_cache(maxsize=None)
def _lxml_schema(fmt: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(schema_path(fmt)), parser))


@functools.lru_cache(maxsize=None)
def _xmlschema_schema(fmt: str):
    import xmlschema  # ~0.2 s to import: only on the slow (invalid) path

    # local: includes and imports resolve to our files only, never the network.
    return xmlschema.XMLSchema(str(schema_path(fmt)), allow="local", defuse="always")


@functools.lru_cache(maxsize=None)
def _xen_parents() -> Dict[str, FrozenSet[str]]:
    """``xen:`` setting -> core elements it may appear in, from xen.xsd's appinfo."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    doc = etree.parse(str(schema_dir() / "xen.xsd"), parser)
    out: Dict[str, FrozenSet[str]] = {}
    for el in doc.getroot().iterfind(f"{{{XS_NS}}}element"):
        info = el.find(f"{{{XS_NS}}}annotation/{{{XS_NS}}}appinfo[@source='urn:xlate:parents']")
        name = el.get("name")
        if name is not None:
            out[name] = frozenset((info.text or "").split()) if info is not None else frozenset()
    return out


# --------------------------------------------------------------------------------------------
# Counts the schema cannot express
# --------------------------------------------------------------------------------------------

# (grandparent, parent) -> (children required exactly once, children allowed at most once).
# Follows the <interleave> of domaincommon.rng: <optional> = at most once, bare ref = exactly once.
_DEVICE_COMMON = ("alias", "acpi", "address")
_CHARDEV_ONCE = ("protocol", "log", "target") + _DEVICE_COMMON
_COUNTS: Dict[Tuple[str, str], Tuple[Tuple[str, ...], Tuple[str, ...]]] = {
    ("", "domain"): (
        ("name",),
        ("uuid", "genid", "title", "description", "metadata", "cpu", "bootloader",
         "bootloader_args", "os", "clock", "memory", "maxMemory", "currentMemory",
         "memoryBacking", "vcpu", "vcpus", "iothreads", "iothreadids", "defaultiothread",
         "blkiotune", "memtune", "cputune", "numatune", "resource", "features", "on_poweroff",
         "on_reboot", "on_crash", "on_lockfailure", "pm", "perf", "idmap", "devices", "keywrap",
         "launchSecurity"),
    ),
    ("domain", "os"): (
        ("type",),
        ("loader", "nvram", "firmware", "kernel", "initrd", "root", "cmdline", "dtb", "bootmenu",
         "smbios", "bios", "acpi", "init", "initdir", "inituser", "initgroup"),
    ),
    ("domain", "features"): (
        (),
        ("pae", "apic", "acpi", "hap", "viridian", "privnet", "xen", "pvspinlock", "vmport",
         "pmu", "htm", "nested-hv", "ccf-assist", "gic", "smm", "hyperv", "kvm", "capabilities",
         "ioapic", "hpt", "vmcoreinfo", "msrs", "cfpc", "sbbc", "ibs", "tcg"),
    ),
    ("features", "xen"): ((), ("e820_host", "passthrough")),
    ("domain", "cpu"): ((), ("model", "vendor", "topology", "numa", "cache", "maxphysaddr")),
    ("domain", "cputune"): (
        (),
        ("shares", "global_period", "global_quota", "period", "quota", "emulator_period",
         "emulator_quota", "iothread_period", "iothread_quota", "emulatorpin", "emulatorsched"),
    ),
    ("domain", "pm"): ((), ("suspend-to-mem", "suspend-to-disk")),
    ("domain", "devices"): ((), ("emulator", "watchdog", "memballoon", "nvram", "iommu", "vsock")),
    ("devices", "disk"): (
        ("target",),
        ("driver", "source", "backingStore", "mirror", "auth", "boot", "backenddomain",
         "readonly", "shareable", "transient", "serial", "encryption", "iotune", "geometry",
         "blockio", "wwn", "vendor", "product") + _DEVICE_COMMON,
    ),
    ("devices", "interface"): (
        (),
        ("source", "mac", "script", "downscript", "target", "guest", "model", "driver", "backend",
         "link", "mtu", "coalesce", "bandwidth", "vlan", "virtualport", "filterref", "tune",
         "teaming", "portOptions", "backenddomain", "boot", "rom") + _DEVICE_COMMON,
    ),
    ("interface", "bandwidth"): ((), ("inbound", "outbound")),
    ("devices", "hostdev"): (
        ("source",),
        ("driver", "teaming", "boot", "rom", "readonly", "shareable") + _DEVICE_COMMON,
    ),
    ("devices", "controller"): ((), ("driver", "master", "model", "target", "pcihole64") + _DEVICE_COMMON),
    ("devices", "input"): ((), ("driver", "source") + _DEVICE_COMMON),
    ("devices", "sound"): ((), ("audio",) + _DEVICE_COMMON),
    ("devices", "graphics"): (
        (),
        ("gl", "audio", "image", "jpeg", "zlib", "playback", "streaming", "clipboard", "mouse",
         "filetransfer"),
    ),
    ("devices", "video"): ((), ("driver", "model") + _DEVICE_COMMON),
    ("devices", "console"): ((), _CHARDEV_ONCE),
    ("devices", "serial"): ((), _CHARDEV_ONCE),
    ("devices", "parallel"): ((), _CHARDEV_ONCE),
    ("devices", "channel"): (("target",), ("protocol", "log") + _DEVICE_COMMON),
    ("devices", "memballoon"): ((), ("stats", "driver") + _DEVICE_COMMON),
}


def _local(el: etree._Element) -> Optional[str]:
    """Local name of an unqualified element; None for namespaced elements and non-elements."""
    tag = el.tag
    if not isinstance(tag, str) or tag.startswith("{"):
        return None
    return tag


def _check_counts(root: etree._Element, file: Optional[str]) -> List[ValidationError]:
    problems: List[ValidationError] = []
    for parent in root.iter():
        name = _local(parent)
        if name is None:
            continue
        gp = parent.getparent()
        rule = _COUNTS.get(("" if gp is None else (_local(gp) or ""), name))
        if rule is None:
            continue
        required, at_most_once = rule
        seen: Dict[str, etree._Element] = {}
        for child in parent:
            cname = _local(child)
            if cname is None or (cname not in required and cname not in at_most_once):
                continue
            if cname in seen:
                first = seen[cname].sourceline
                where = f" (first at line {first})" if first else ""
                problems.append(_error(
                    f"duplicate <{cname}> in <{name}>{where}; at most one is allowed",
                    child, file))
            else:
                seen[cname] = child
        for cname in required:
            if cname not in seen:
                problems.append(_error(f"<{name}> has no <{cname}>; exactly one is required",
                                       parent, file))
        if gp is None and name == "domain" and "os" not in seen and "bootloader" not in seen:
            problems.append(_error(
                "<domain> has no <os>; it is required (Xen PV guests may use <bootloader> instead)",
                parent, file))
    return problems


def _check_xen_placement(root: etree._Element, file: Optional[str]) -> List[ValidationError]:
    """Each ``xen:`` setting only inside the core elements xen.xsd lists for it."""
    parents = _xen_parents()
    problems: List[ValidationError] = []
    for el in root.iter(f"{{{XEN_NS}}}*"):
        parent = el.getparent()
        pname = None if parent is None else _local(parent)
        if pname is None or pname == "metadata":
            continue  # nested in another xen: element, kept in <metadata>, or the document element
        allowed = parents.get(etree.QName(el).localname)
        if allowed and pname not in allowed:
            problems.append(_error(
                f"{_show(el)} cannot appear in <{pname}>; it belongs in "
                + " or ".join(f"<{p}>" for p in sorted(allowed)),
                el, file))
    return problems


# --------------------------------------------------------------------------------------------
# The entry point
# --------------------------------------------------------------------------------------------

def validate_tree(tree: Tree, fmt: str, *, file: Optional[str] = None) -> List[ValidationError]:
    """Validate ``tree`` as ``fmt`` ("core" or "xen"); an empty list means valid.

    Each problem is a :class:`ValidationError` with a plain-words message, the element's path
    (e.g. ``/domain/devices/disk[2]/target``) and its line when the tree was parsed from text.
    """
    if fmt not in SCHEMA_FILES:
        schema_path(fmt)  # raises UsageError naming the known formats
    schema = _lxml_schema(fmt)
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    problems: List[ValidationError] = []
    if not schema.validate(root):
        problems.extend(_explain(root, fmt, file, schema.error_log))
    problems.extend(_check_counts(root, file))
    if fmt == "xen":
        problems.extend(_check_xen_placement(root, file))
    return _sorted_unique(problems)


def _sorted_unique(problems: Iterable[ValidationError]) -> List[ValidationError]:
    seen = set()
    out = []
    for p in problems:
        key = (p.path, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    out.sort(key=lambda p: (p.line is None, p.line or 0))
    return out


# --------------------------------------------------------------------------------------------
# The slow path: one sentence per schema error
# --------------------------------------------------------------------------------------------

def _explain(root: etree._Element, fmt: str, file: Optional[str], lxml_log) -> List[ValidationError]:
    try:
        schema = _xmlschema_schema(fmt)
        errors = list(schema.iter_errors(root, use_location_hints=False))
    except (ImportError, ValueError, OSError):  # pragma: no cover - fall back to libxml2's report
        schema, errors = None, []
    problems: List[ValidationError] = []
    subjects = set()
    for err in errors:
        subject, problem = _translate(err, schema, root, fmt, file)
        if subject is not None:
            if subject in subjects:
                continue  # one value, one message (xmlschema may report a facet and its base)
            subjects.add(subject)
        problems.append(problem)
    if not problems:
        # The engines disagree (should not happen): report what libxml2 said, cleaned up.
        for entry in lxml_log:
            message = re.sub(r"^Element '[^']*'(, attribute '[^']*')?: ", "", entry.message)
            problems.append(ValidationError(message, file=file, line=entry.line or None,
                                            path=entry.path or None))
    return problems


def _translate(err, schema, root: etree._Element, fmt: str, file: Optional[str]):
    """(subject or None, error): subject identifies the value a value error is about."""
    elem = err.elem if isinstance(getattr(err, "elem", None), etree._Element) else root
    validator = err.validator
    kind = type(validator).__name__
    reason = err.reason or ""
    invalid_child = getattr(err, "invalid_child", None)

    if isinstance(invalid_child, etree._Element):
        return None, _unexpected_child(invalid_child, elem, validator, fmt, file)
    if kind == "XsdAnyElement" and _ns(elem) == XEN_NS:
        if fmt == "core":
            return None, _xen_only(elem, file)
        known = ", ".join(sorted(_xen_parents()))
        return None, _error(f"unknown Xen setting {_show(elem)}; known settings: {known}",
                            elem, file)
    if getattr(err, "expected", None) and "not complete" in reason:
        wanted = " or ".join(f"<{n}>" for n in _names(err.expected, fmt))
        return None, _error(f"{_show(elem)} is incomplete: expected {wanted}", elem, file)
    if reason.startswith("missing required attribute"):
        name = _quoted(reason)
        return None, _error(f"{_show(elem)} is missing required attribute '{name}'", elem, file)
    if "attribute not allowed" in reason:
        name = _quoted(reason)
        allowed = sorted(k for k in getattr(validator, "keys", lambda: [])() if isinstance(k, str))
        message = f"unexpected attribute '{name}' on {_show(elem)}"
        if allowed:
            message += "; allowed: " + ", ".join(allowed)
        return None, _error(message, elem, file)
    if reason.startswith("character data"):
        text = (elem.text or "").strip() or next(
            ((c.tail or "").strip() for c in elem if (c.tail or "").strip()), "")
        return (id(elem), "#text"), _error(
            f"{_show(elem)} cannot contain text (found {_value(text)})", elem, file)
    m = re.match(r"attribute (\S+?)=(['\"])(.*?)\2: ", reason, re.S)
    if m:
        attr, value = m.group(1), m.group(3)
        declared = _declared_type(schema, elem, attr)
        what = _describe(declared) if declared is not None else _describe(validator)
        return (id(elem), attr), _error(
            f"attribute '{attr}' of {_show(elem)}: {_value(value)} is not {what}", elem, file)
    if _is_simple_validator(validator):
        value = err.obj if isinstance(err.obj, str) else (elem.text or "")
        declared = _declared_type(schema, elem, None)
        what = _describe(declared) if declared is not None else _describe(validator)
        return (id(elem), "#text"), _error(
            f"{_show(elem)}: {_value(value.strip())} is not {what}", elem, file)
    if elem is root and "not an element of the schema" in reason:
        return None, _error(f"the document element is {_show(elem)}; expected <domain>", elem, file)
    return None, _error(f"{_show(elem)}: {reason.rstrip('.')}", elem, file)


_FIND_PREFIX = {XEN_NS: "xen", LIBVIRT_XEN_NS: "lxen"}


def _declared_type(schema, elem: etree._Element, attr: Optional[str]):
    """The simple type the schema declares for ``elem``'s attribute ``attr`` (or its text)."""
    if schema is None:
        return None
    steps = []
    node: Optional[etree._Element] = elem
    while node is not None:
        qname = etree.QName(node)
        if qname.namespace is None:
            steps.append(qname.localname)
        elif qname.namespace in _FIND_PREFIX:
            steps.append(f"{_FIND_PREFIX[qname.namespace]}:{qname.localname}")
        else:
            return None
        node = node.getparent()
    try:
        decl = schema.find("/" + "/".join(reversed(steps)),
                           namespaces={v: k for k, v in _FIND_PREFIX.items()})
    except Exception:  # best effort: a path the schema's XPath engine cannot follow
        return None
    if decl is None:
        return None
    xtype = decl.type
    if attr is not None:
        declared = getattr(xtype, "attributes", {}).get(attr)
        return declared.type if declared is not None else None
    if xtype.is_simple():
        return xtype
    content = getattr(xtype, "content", None)
    return content if content is not None and content.is_simple() else None


def _unexpected_child(child, parent, validator, fmt, file) -> ValidationError:
    if _ns(child) == XEN_NS and _ns(parent) is None:
        if fmt == "core":
            return _xen_only(child, file)
        allowed = _xen_parents().get(etree.QName(child).localname)
        where = (" or ".join(f"<{p}>" for p in sorted(allowed)) if allowed
                 else "<domain>, <os>, <features>, <devices> or a device element")
        return _error(f"{_show(child)} cannot appear in {_show(parent)}; it belongs in {where}",
                      child, file)
    names = _names(_particles(validator), fmt)
    message = f"unexpected element {_show(child)} in {_show(parent)}"
    if names:
        message += "; expected one of: " + ", ".join(names)
        guess = difflib.get_close_matches(etree.QName(child).localname, names, n=1)
        if guess:
            message += f" (did you mean <{guess[0]}>?)"
    else:
        message += f"; {_show(parent)} takes no child elements"
    return _error(message, child, file)


def _xen_only(el: etree._Element, file: Optional[str]) -> ValidationError:
    return _error(f"{_show(el)} is a Xen-only setting; core XML cannot carry it ({XEN_ONLY_HINT})",
                  el, file)


def _particles(validator) -> list:
    iter_elements = getattr(validator, "iter_elements", None)
    return list(iter_elements()) if iter_elements else []


def _names(particles: Sequence, fmt: str) -> List[str]:
    """Display names of the elements a content model accepts."""
    out: List[str] = []
    for p in particles:
        kind = type(p).__name__
        if kind == "XsdAnyElement":
            namespaces = getattr(p, "namespace", ()) or ()
            if XEN_NS in namespaces and fmt == "xen":
                label = "any xen: setting"
            elif XEN_NS in namespaces:
                continue  # core: the Xen extension point can never match
            else:
                label = "any element"
        else:
            qname = getattr(p, "name", None)
            if not qname:
                continue
            local = qname.rsplit("}", 1)[-1]
            if qname.startswith(f"{{{LIBVIRT_XEN_NS}}}"):
                label = f"xen:{local} (libvirt's Xen namespace)"
            elif qname.startswith(f"{{{XEN_NS}}}"):
                label = f"xen:{local}"
            else:
                label = local
        if label not in out:
            out.append(label)
    return out


# ---- describing a simple type in words ------------------------------------------------------

_BUILTIN_WORDS = {
    "string": "text", "token": "text", "integer": "an integer", "int": "an integer",
    "long": "an integer", "short": "an integer", "unsignedInt": "an unsigned integer",
    "unsignedLong": "an unsigned integer", "unsignedShort": "an integer from 0 to 65535",
    "positiveInteger": "a positive integer", "dateTime": "a date and time (YYYY-MM-DDThh:mm:ss)",
}


def _is_simple_validator(v) -> bool:
    kind = type(v).__name__
    return "Facet" in kind or kind in ("XsdAtomicRestriction", "XsdAtomicBuiltin", "XsdUnion",
                                       "XsdList")


def _describe(validator) -> str:
    """Words completing "'VALUE' is not ..." for a simple type (or the facet that failed)."""
    node = validator
    while node is not None:  # the nearest documented type, walking out of anonymous members
        doc = _documentation(node)
        if doc:
            return doc
        if type(node).__name__ in ("XsdAttribute", "XsdElement", "XsdAttributeGroup"):
            break
        node = getattr(node, "parent", None)
    kind = type(validator).__name__
    enumeration = getattr(validator, "enumeration", None)
    if enumeration:
        return "one of " + ", ".join(str(v) for v in enumeration)
    if kind == "XsdUnion":
        parts = [_describe(m) for m in getattr(validator, "member_types", [])]
        return " or ".join(p for p in parts if p) or "valid here"
    if kind == "XsdAtomicRestriction":
        low, high = getattr(validator, "min_value", None), getattr(validator, "max_value", None)
        if low is not None and high is not None:
            return f"a number from {low} to {high}"
        if low is not None:
            return f"a number of at least {low}"
        if high is not None:
            return f"a number of at most {high}"
        patterns = getattr(validator, "patterns", None)
        if patterns:
            return "of the form " + " or ".join(patterns.regexps)
    if kind == "XsdPatternFacets":
        return "of the form " + " or ".join(getattr(validator, "regexps", []))
    bound = getattr(validator, "value", None)
    if kind.startswith("XsdMin"):
        return f"a number of at least {bound}"
    if kind.startswith("XsdMax"):
        return f"a number of at most {bound}"
    name = getattr(validator, "local_name", None) or ""
    if name in _BUILTIN_WORDS:
        return _BUILTIN_WORDS[name]
    base = getattr(validator, "primitive_type", None)
    return _BUILTIN_WORDS.get(getattr(base, "local_name", None) or "", "valid here")


def _documentation(node) -> Optional[str]:
    annotation = getattr(node, "annotation", None)
    if annotation is None or not getattr(node, "name", None):
        return None
    for doc in getattr(annotation, "documentation", ()) or ():
        text = " ".join((doc.text or "").split())
        if text:
            return text
    return None


# ---- small helpers ---------------------------------------------------------------------------

def _ns(el: etree._Element) -> Optional[str]:
    tag = el.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else None


def _name(el: etree._Element) -> str:
    qname = etree.QName(el)
    if qname.namespace is None:
        return qname.localname
    prefix = el.prefix or ("xen" if qname.namespace in (XEN_NS, LIBVIRT_XEN_NS) else None)
    return f"{prefix}:{qname.localname}" if prefix else f"{{{qname.namespace}}}{qname.localname}"


def _show(el: etree._Element) -> str:
    return f"<{_name(el)}>"


def element_path(el: etree._Element) -> str:
    """``/domain/devices/disk[2]/target``: index only where a name repeats among siblings."""
    parts = []
    node: Optional[etree._Element] = el
    while node is not None:
        parent = node.getparent()
        step = _name(node)
        if parent is not None:
            same = [c for c in parent if c.tag == node.tag]
            if len(same) > 1:
                step += f"[{same.index(node) + 1}]"
        parts.append(step)
        node = parent
    return "/" + "/".join(reversed(parts))


def _error(message: str, el: etree._Element, file: Optional[str]) -> ValidationError:
    return ValidationError(message, file=file, line=el.sourceline, path=element_path(el))


def _quoted(reason: str) -> str:
    m = re.search(r"'([^']*)'", reason)
    return m.group(1) if m else "?"


def _value(text: str, limit: int = 60) -> str:
    shown = text if len(text) <= limit else text[: limit - 3] + "..."
    return repr(shown) if "'" not in shown else f'"{shown}"'
