"""Machine-readable reports: --log FILE and --format json, and the same data from Python."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import xlate
from xlate.cli import main
from xlate.report import MESSAGE_KEYS, SCHEMA_VERSION, Report, error_code, format_record, message_record

REPO = Path(__file__).resolve().parent.parent
XEN_DOC = Path(__file__).parent / "data" / "xen-settings.xen.xml"
FILE_KEYS = ["input", "output", "from", "to", "status", "losses", "errors"]


def read_log(path: Path) -> dict:
    doc = json.loads(path.read_text())
    assert list(doc)[:3] == ["version", "tool", "command"]
    assert doc["version"] == SCHEMA_VERSION == 1
    assert doc["tool"] == f"xlate {xlate.__version__}"
    for rec in doc["messages"]:
        assert list(rec) == list(MESSAGE_KEYS)
    for rec in doc["files"]:
        assert list(rec) == FILE_KEYS
    assert list(doc["summary"]) == ["inputs", "failed", "errors", "losses", "statuses"]
    return doc


@pytest.fixture
def tree(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.xen.xml").write_bytes(XEN_DOC.read_bytes())
    (src / "b.xen.xml").write_text("<domain type='xen'>\n  <name>b</name>\n  <vcpu>x</nam>\n</domain>\n")
    (src / "c.xen.xml").write_text("<domain type='xen'><name>c</name></domain>\n")
    return tmp_path


def test_log_of_a_batch(tree, capsys):
    log = tree / "report.json"
    code = main(["convert", "-q", "--to", "core", "--out-dir", str(tree / "out"), "--log", str(log), str(tree / "src")])
    assert code == 1
    doc = read_log(log)
    assert doc["command"] == "convert" and doc["exit_code"] == 1
    a, b, c = (str(tree / "src" / f"{n}.xen.xml") for n in "abc")
    assert [(m["code"], m["input"], m["line"]) for m in doc["messages"]] == [
        ("XEN-DROPPED", a, 4), ("XEN-DROPPED", a, 7), ("XEN-DROPPED", a, 19), ("XEN-DROPPED", a, 27),
        ("XEN-DROPPED", a, 30), ("PARSE-ERROR", b, 3),
    ]
    parse = doc["messages"][-1]
    assert parse == {
        "severity": "error", "code": "PARSE-ERROR", "kind": "ParseError",
        "message": "Opening and ending tag mismatch: vcpu line 3 and nam", "file": b, "line": 3,
        "col": 16, "path": None, "input": b,
    }
    assert doc["messages"][0]["path"] == "/domain/xen:cpu_weight"
    assert [(f["input"], f["status"], f["losses"], f["errors"]) for f in doc["files"]] == [
        (a, "written", 5, 0), (b, "failed", 0, 1), (c, "written", 0, 0),
    ]
    assert doc["files"][0]["output"] == str(tree / "out" / "a.xml")
    assert doc["summary"] == {"inputs": 3, "failed": 1, "errors": 1, "losses": 5,
                              "statuses": {"failed": 1, "written": 2}}


def test_format_json_replaces_the_text_lines(tree):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [sys.executable, "-m", "xlate", "convert", "--format", "json", "--to", "core", "src/a.xen.xml"],
        capture_output=True, cwd=tree, env=env,
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith(b'<domain type="xen">')  # the document still goes to stdout
    doc = json.loads(proc.stderr)  # stderr is exactly one JSON document
    assert [m["code"] for m in doc["messages"]] == ["XEN-DROPPED"] * 5
    assert doc["files"] == [{"input": "src/a.xen.xml", "output": None, "from": "xen", "to": "core",
                             "status": "converted", "losses": 5, "errors": 0}]
    assert doc["exit_code"] == 0


def test_json_reports_are_the_same_for_any_number_of_workers(tree):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    docs = []
    for jobs in ("1", "2"):
        proc = subprocess.run(
            [sys.executable, "-m", "xlate", "convert", "--format", "json", "-j", jobs, "--to", "core",
             "--out-dir", f"out{jobs}", "src"], capture_output=True, cwd=tree, env=env,
        )
        docs.append(proc.stderr.replace(f"out{jobs}".encode(), b"OUT"))
    assert docs[0] == docs[1]
    assert json.loads(docs[0])["summary"]["statuses"] == {"failed": 1, "written": 2}


@pytest.mark.parametrize(
    "argv, code, kind",
    [
        (["convert", "--to", "core", "{missing}"], "READ-FAILED", "ReadError"),
        (["convert", "--to", "core", "{junk}"], "UNKNOWN-FORMAT", "FormatError"),
        (["convert", "--strict", "--to", "core", "{xen}"], "XEN-DROPPED", "loss"),
        (["convert", "--check", "--to", "core", "-o", "{missing}", "{xen}"], "OUT-OF-DATE", "OutOfDate"),
        (["convert", "--to", "xen", "--out-dir", "{dir}", "{xen}"], "OUTPUT-CONFLICT", "OutputConflict"),
        (["validate", "{invalid}"], "INVALID", "ValidationError"),
        (["convert", "--from", "core", "--to", "xen", "{xen}"], "CONVERSION-FAILED", "ConversionError"),
    ],
)
def test_every_error_has_a_code(tmp_path, argv, code, kind, capsys):
    xen = tmp_path / "g.xen.xml"
    xen.write_bytes(XEN_DOC.read_bytes())
    (tmp_path / "junk.txt").write_text("hello\n")
    (tmp_path / "invalid.xml").write_text("<domain type='xen'><vcpu>2</vcpu></domain>\n")
    names = {"missing": str(tmp_path / "missing.xml"), "junk": str(tmp_path / "junk.txt"), "xen": str(xen),
             "dir": str(tmp_path), "invalid": str(tmp_path / "invalid.xml")}
    log = tmp_path / "log.json"
    assert main([a.format(**names) for a in argv] + ["-q", "--log", str(log)]) == 1
    doc = read_log(log)
    errors = [m for m in doc["messages"] if m["severity"] == "error"]
    assert errors and {(m["code"], m["kind"]) for m in errors} == {(code, kind)}
    # the text line of each record is what was printed
    assert capsys.readouterr().err.splitlines() == [format_record(m) for m in errors]


def test_python_api_gives_the_same_records(tmp_path, capsys):
    data = XEN_DOC.read_bytes()
    result = xlate.convert(data, to="core", file=str(XEN_DOC))
    from_api = [message_record(loss) for loss in result.losses]
    log = tmp_path / "log.json"
    assert main(["convert", "-q", "--to", "core", "--log", str(log), str(XEN_DOC)]) == 0
    assert read_log(log)["messages"] == from_api
    with pytest.raises(xlate.XlateError) as info:
        xlate.convert(b"<domain>\n<x></y>\n</domain>", to="core", file="bad.xml")
    rec = message_record(info.value)
    assert (rec["code"], rec["line"], rec["col"], rec["file"]) == ("PARSE-ERROR", 2, 8, "bad.xml")
    assert format_record(rec) == info.value.format()
    assert format_record(from_api[0]) == result.losses[0].format()


def test_report_object_streams_many_records_into_one_document():
    report = Report("convert", tool="xlate test")
    for i in range(5000):  # more than the in-memory spool holds
        report.add_message(message_record(xlate.ParseError(f"bad {i} \"quoted\" é", file=f"f{i}", line=i, col=1)))
        report.add_file({"input": f"f{i}", "output": None, "from": None, "to": "core", "status": "failed",
                         "losses": 0, "errors": 1})
    buf = io.StringIO()
    report.write(buf, exit_code=1)
    doc = json.loads(buf.getvalue())
    assert doc == report.to_dict(exit_code=1)
    assert len(doc["messages"]) == 5000 and doc["messages"][4999]["message"] == 'bad 4999 "quoted" é'
    assert doc["summary"] == {"inputs": 5000, "failed": 5000, "errors": 5000, "losses": 0,
                              "statuses": {"failed": 5000}}
    report.close()


def test_empty_report_is_valid_json():
    report = Report("detect", tool="t")
    buf = io.StringIO()
    report.write(buf)
    assert json.loads(buf.getvalue()) == {"version": 1, "tool": "t", "command": "detect", "messages": [],
                                          "files": [], "summary": {"inputs": 0, "failed": 0, "errors": 0,
                                                                   "losses": 0, "statuses": {}}}


def test_error_codes_follow_the_class_hierarchy():
    class MyParseError(xlate.ParseError):
        pass

    assert error_code(MyParseError("x")) == "PARSE-ERROR"
    assert error_code(xlate.LimitError("x")) == "LIMIT-EXCEEDED"
    assert error_code(xlate.XlateError("x")) == "ERROR"
    assert error_code(ValueError("x")) == "INTERNAL"


def test_validate_and_detect_reports(tmp_path, capsys):
    log = tmp_path / "v.json"
    assert main(["validate", "--log", str(log), str(XEN_DOC)]) == 0
    doc = read_log(log)
    assert doc["files"][0]["status"] == "valid" and doc["files"][0]["from"] == "xen"
    assert main(["detect", "--format", "json", str(XEN_DOC)]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-1] == f"{XEN_DOC}: xen"
    assert json.loads(captured.err)["files"][0]["status"] == "detected"
