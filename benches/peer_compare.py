#!/usr/bin/env python3
"""leakscope against the secret scanner Kingfisher, in one run: accuracy on
the labelled secret examples, then speed, memory and credential findings on
a generated export with its ground truth.

Labelled examples. Each example of Nosey Parker's and Kingfisher's labelled sets
(`../shared/testdata/labelled/`) is written to a file of its own; both tools
scan the folder once with their defaults (Kingfisher without network
validation and without merging equal secrets across files, so every file's
finding is counted). An example counts as detected when the tool reports
any credential in its file (leakscope: a `secret.*` rule). Negatives that
the same set also lists as a positive (exactly, or but for quote marks) are
left out, as in `tests/labelled.rs`.

This is the tool-level view (did it report anything?), next to the test's
rule-level one (did the rule for that kind report it?): it measures both
tools the same way, including the kinds leakscope has no rule for.
Kingfisher runs twice: at its default confidence (medium) and at `-c low`.

Generated export. The first MB megabytes of `benches/compare.sh`'s export
(`$WORK/events.ndjson`, made by `leakscope-corpus --seed 1`) and its planted
values (`truth.jsonl`). Each tool scans it on one thread; Kingfisher only
looks for credentials, so only credentials are compared: a planted
credential is found when a reported value on its line contains it or lies
inside it (a bearer token is planted as the token, a URL's password as the
password), and a reported credential is right when it matches a planted one
so. Kingfisher reports line 0 for the findings in a very large file (seen on
500 MB, not on 100 MB); those are matched against the values planted
anywhere in the slice. leakscope's PII findings are left out of this count.

    benches/peer_compare.py [--leakscope target/release/leakscope] [--mb 100]

Needs Kingfisher (`pip install kingfisher-bin`) and GNU time.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT.parent / "shared" / "testdata" / "labelled"
SOURCES = ["secrets-noseyparker.jsonl", "secrets-kingfisher-v1.jsonl"]


def examples(source):
    """(text, should_flag) of one set, without negatives that repeat a positive."""
    rows = [json.loads(line) for line in open(LABELLED / source, encoding="utf-8")]
    unquoted = lambda r: r["text"].replace('"', "").replace("'", "")
    positives = {unquoted(r) for r in rows if r["should_flag"]}
    return [
        (r["text"], bool(r["should_flag"]))
        for r in rows
        if r["should_flag"] or unquoted(r) not in positives
    ]


def write_examples(folder, items):
    folder.mkdir(parents=True)
    for i, (text, _) in enumerate(items):
        (folder / f"{i:05}.txt").write_text(text, encoding="utf-8")


def index_of(path):
    return int(Path(path).stem)


ENV = dict(os.environ, LEAKSCOPE_KEY=os.environ.get("LEAKSCOPE_KEY", "peer-compare-key"))
KINGFISHER = ["kingfisher", "scan", "--no-validate", "--no-dedup", "--git-history", "none",
              "-f", "jsonl", "-q", "--max-file-size", "0"]  # else files over 256 MB are skipped


def leakscope_cmd(binary):
    return [binary, "scan", "--format", "jsonl", "-q", "--preset", "none", "--reveal"]


def scan(cmd, out_path):
    """Runs a scanner that prints JSON Lines, its output to `out_path`;
    returns (the printed objects, seconds, peak MB)."""
    stats = Path(out_path).with_suffix(".time")
    with open(out_path, "w") as out:
        run = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", str(stats), *cmd],
                             stdout=out, stderr=subprocess.PIPE, text=True, env=ENV)
    objects = [json.loads(line) for line in open(out_path, encoding="utf-8")]
    # leakscope exits 1 and Kingfisher 200/205 when they find something.
    if run.returncode not in (0, 1, 200, 205) and not objects:
        sys.exit(f"{cmd[0]} failed ({run.returncode}): {run.stderr.strip()}")
    secs, kb = stats.read_text().split()[-2:]
    return objects, float(secs), int(kb) / 1024


def credentials(objects):
    """(path, line, value) of each credential a leakscope or Kingfisher run
    reported (other lines, such as Kingfisher's summary, are passed over).
    Kingfisher's snippets are the raw bytes, so escapes inside JSON
    strings are decoded as leakscope's values are."""
    for f in objects:
        if "finding" in f:
            k = f["finding"]
            yield k["path"], k["line"], json_unescaped(k["snippet"])
        elif str(f.get("rule", "")).startswith("secret."):  # a leakscope finding
            yield f["path"], f["record"], f["value"]


def score(items, hits):
    pos = [i for i, (_, flag) in enumerate(items) if flag]
    neg = [i for i, (_, flag) in enumerate(items) if not flag]
    found = sum(i in hits for i in pos)
    flagged = sum(i in hits for i in neg)
    return found, len(pos), flagged, len(neg)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--leakscope", default=str(ROOT / "target" / "release" / "leakscope"))
    ap.add_argument("--mb", type=int, default=100, help="megabytes of the export to scan")
    ap.add_argument("--work", default=os.environ.get("WORK", "/tmp/leakscope-bench"))
    args = ap.parse_args()
    if not LABELLED.exists():
        sys.exit(f"{LABELLED} is absent (the shared test data sits beside the project)")
    if not shutil.which("kingfisher"):
        sys.exit("kingfisher is needed: pip install kingfisher-bin")
    version = subprocess.run(["kingfisher", "--version"], capture_output=True, text=True).stdout.strip()
    labelled(args, version)
    export(args, version)


def labelled(args, version):
    print(f"{'set':<30} {'tool':<25} {'positives found':>16} {'recall':>7} {'negatives flagged':>18} {'rate':>6} {'time':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for source in SOURCES:
            items = examples(source)
            folder = Path(tmp) / source.removesuffix(".jsonl")
            write_examples(folder, items)
            for tool, cmd in [
                ("leakscope", leakscope_cmd(args.leakscope)),
                (version, KINGFISHER),
                (f"{version} -c low", KINGFISHER + ["-c", "low"]),
            ]:
                objects, took, _ = scan(cmd + [str(folder)], Path(tmp) / "out.jsonl")
                hits = {index_of(path) for path, _, _ in credentials(objects)}
                found, npos, flagged, nneg = score(items, hits)
                print(f"{source:<30} {tool:<25} {found:>7} of {npos:<6} {found / npos:>7.3f}"
                      f" {flagged:>8} of {nneg:<7} {flagged / max(nneg, 1):>6.3f} {took:>6.1f}s")


def planted_secrets(work, lines):
    """{line: [value]} of the credentials planted in the first `lines` lines."""
    truth = {}
    for row in map(json.loads, open(Path(work) / "truth.jsonl", encoding="utf-8")):
        if row["file"] == "events.ndjson" and row["line"] <= lines and row["rule"].startswith("secret."):
            truth.setdefault(row["line"], []).append((row["rule"], row["value"]))
    return truth


def json_unescaped(text):
    """A snippet read from inside a JSON string, with its escapes decoded
    (Kingfisher reports the raw bytes; the planted values are decoded)."""
    try:
        return json.loads(f'"{text}"')
    except ValueError:
        return text.replace("\\n", "\n").replace('\\"', '"').replace("\\/", "/")


def compare_values(truth, reported):
    """(planted found, planted, reported right, reported, {kind: planted missed})
    for {line: [(kind, value)]} planted and {line: [value]} reported. Values
    reported on line 0 (Kingfisher gives no line numbers in files it
    streams) are matched against the values planted anywhere."""
    anywhere = reported.get(0, [])
    in_reported = Grams(anywhere)
    in_planted = Grams([v for planted in truth.values() for _, v in planted])
    missed = {}
    for line, planted in truth.items():
        for kind, v in planted:
            if not any(overlaps(v, r) for r in reported.get(line, [])) and not in_reported.overlapped_by(v):
                missed[kind] = missed.get(kind, 0) + 1
    planted = sum(map(len, truth.values()))
    right = sum(any(overlaps(v, r) for _, v in truth.get(line, []))
                for line, rs in reported.items() if line != 0 for r in rs)
    right += sum(map(in_planted.overlapped_by, anywhere))
    return planted - sum(missed.values()), planted, right, sum(map(len, reported.values())), missed


def overlaps(a, b):
    return a in b or b in a


class Grams:
    """Values indexed by every GRAM-byte piece, to find the ones that overlap
    a value without comparing it with all of them (values shorter than GRAM
    are too short to place without a line, and never match)."""

    GRAM = 10

    def __init__(self, values):
        self.values, self.index = values, {}
        for i, v in enumerate(values):
            for at in range(len(v) - self.GRAM + 1):
                self.index.setdefault(v[at:at + self.GRAM], set()).add(i)

    def overlapped_by(self, value):
        """Whether some indexed value contains `value` or lies inside it."""
        if any(value in self.values[i] for i in self.index.get(value[:self.GRAM], ())):
            return True
        pieces = {value[at:at + self.GRAM] for at in range(len(value) - self.GRAM + 1)}
        return any(self.values[i] in value for i in set().union(*(self.index.get(p, ()) for p in pieces)))


def export(args, version):
    source = Path(args.work) / "events.ndjson"
    if not source.exists():
        print(f"\nno export at {source}: run benches/compare.sh first (or set WORK)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        slice_path = Path(tmp) / "events.ndjson"
        with open(source, "rb") as src, open(slice_path, "wb") as dst:
            data = src.read(args.mb * 1_000_000)
            dst.write(data[: data.rfind(b"\n") + 1])
        lines = data[: data.rfind(b"\n") + 1].count(b"\n")
        truth = planted_secrets(args.work, lines)
        runs = {}
        for tool, cmd in [("leakscope -j1", leakscope_cmd(args.leakscope)), (f"{version} -j1", KINGFISHER)]:
            objects, secs, mb = scan(cmd + ["-j", "1", str(slice_path)], Path(tmp) / "out.jsonl")
            reported = {}
            for _, line, value in credentials(objects):
                reported.setdefault(line, []).append(value)
            runs[tool] = (secs, mb, reported)
        size = slice_path.stat().st_size / 1e6
        print(f"\nexport: first {size:.0f} MB of {source} ({lines} events, "
              f"{sum(map(len, truth.values()))} planted credentials); credentials only")
        print(f"{'tool':<25} {'time':>7} {'MB/s':>6} {'peak':>7} {'planted found':>16} {'recall':>7}"
              f" {'reported right':>17} {'precision':>9}")
        for tool, (secs, mb, reported) in runs.items():
            found, planted, right, total, missed = compare_values(truth, reported)
            print(f"{tool:<25} {secs:>6.2f}s {size / secs:>6.0f} {mb:>5.0f}MB {found:>7} of {planted:<6}"
                  f" {found / max(planted, 1):>7.3f} {right:>7} of {total:<7} {right / max(total, 1):>9.3f}")
            if missed:
                print("  missed (planted as): " + ", ".join(f"{k} {n}" for k, n in sorted(missed.items())))


if __name__ == "__main__":
    main()
