#!/usr/bin/env python3
"""Forged checkpoints, their checksum recomputed (checkpoint_forge.py): every field of the
file and of each kind's partial result set to 0, one off (the largest valid value and past
it), 2^62 and 2^64 - 1 (text fields to garbage), and the file and the partial cut short.
Each is refused (status 2, one message naming the checkpoint, nothing on stdout, the file
left as it was) or, where the forged value is one the job allows, gives the result those
values make: a fresh run's, or the trusted value shown (docs/long-jobs.md).

  forged_test.py --parfold BIN --mpiexec MPIEXEC records RANKS | scalars RANKS | lines RANKS | journal RANKS

At 1 rank every forgery runs (of a list, its first element: tests/unit/checkpoint_test.cpp
forges every byte); at more ranks (under mpirun) a sample of each kind.
"""
import collections
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checkpoint_forge as F  # noqa: E402
from cli_test import check, mpi, pi_hits, power_sum, suite_main  # noqa: E402

TEXT = b"".join(b"%d alpha Beta gamma%s\n" % (i, b" delta" * (i % 3)) for i in range(40)) + b"no newline"
OTHER = b"one two\n\tthree\n"


class Job:
    """One checkpointed command in directory `d`: its finished checkpoint and result."""

    def __init__(self, opts, d, name, args, schema=None, output=None):
        self.opts, self.d, self.name, self.args, self.output = opts, d, name, args, output
        self.path = os.path.join(d, name + ".ckpt")
        self.fresh = self.run(1, self.path)
        check(self.fresh[0] in (0, 1), f"{name}: first run: {self.fresh}")
        with open(self.path, "rb") as f:
            self.good = f.read()
        self.records = F.read_records(self.good)
        self.items = int(self.records[b"items"])
        self.schema = schema or F.SCHEMAS[name]
        self.archive = F.Archive(self.records[b"partial"], self.schema)
        self.kept = self.output_bytes()

    def lane(self, k):
        """The same job writing another output file (run side by side with this one)."""
        output = f"{self.output}.{k}"
        args = [output if a == self.output else a for a in self.args]
        return Job(self.opts, self.d, f"{self.name}.lane{k}", args, self.schema, output)

    def output_bytes(self):
        if self.output is None:
            return None
        with open(self.output, "rb") as f:
            return f.read()

    def run(self, ranks, path):
        cmd = [self.opts.parfold, "--json", "--checkpoint", path] + self.args
        p = subprocess.run(mpi(self.opts, ranks, cmd) if ranks > 1 else cmd, capture_output=True, text=True,
                           timeout=120)
        start = p.stdout.find('{\n  "workload"')  # after what run's tasks printed
        result = json.loads(p.stdout[start:])["result"] if p.returncode in (0, 1) and start >= 0 else None
        return p.returncode, result, p.stdout, p.stderr

    def attempt(self, ranks, what, data, expect, slot):
        """Runs the job on checkpoint bytes `data`: refused when `expect` is None, else its
        result holds `expect` (a dict of result fields) with the fresh run's status (or
        expect["_rc"]), and what it printed before is expect["_stdout"] if given."""
        path = os.path.join(self.d, f"{self.name}.{slot}.ckpt")  # not part of the job: any name resumes
        with open(path, "wb") as f:
            f.write(data)
        rc, result, out, err = self.run(ranks, path)
        label = f"{self.name} {what} at {ranks} rank(s)"
        if expect is None:
            errors = [l for l in err.splitlines() if l.startswith("parfold: error:")]
            refused = rc == 2 and len(errors) == 1 and path in errors[0] and out == ""
            check(refused, f"{label}: not refused: {rc} {err!r}")
            with open(path, "rb") as f:
                check(f.read() == data, f"{label}: the refused checkpoint changed")
        else:
            want = {k: v for k, v in expect.items() if not k.startswith("_")}
            got = {k: result.get(k) for k in want} if result else None
            same = rc == expect.get("_rc", self.fresh[0]) and got == want
            check(same, f"{label}: {rc} {got} expected {want}: {err!r}")
            printed = out[:out.find('{\n  "workload"')]
            check(printed == expect.get("_stdout", printed), f"{label}: printed {printed!r}")
            if self.output is not None:
                check(self.output_bytes() == self.kept, f"{label}: the output changed")
        if self.output is not None:  # the next forgery starts from the finished job again
            with open(self.output, "wb") as f:
                f.write(self.kept)
            if os.path.exists(self.output + ".partial"):
                os.remove(self.output + ".partial")


def run_all(jobs_and_cases, ranks):
    """Runs (job, what, data, expect) cases; jobs without an output file run side by side.
    Says how many ran."""
    print(f"running {len(jobs_and_cases)} at {ranks} rank(s)")
    by_job = collections.defaultdict(list)
    for case in jobs_and_cases:
        by_job[case[0]].append(case)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        futures = []
        for job, cases in by_job.items():
            if job.output is not None:
                futures.append(pool.submit(lambda cs=cases: [c[0].attempt(ranks, *c[1:], 0) for c in cs]))
            else:
                futures += [pool.submit(job.attempt, ranks, *c[1:], i) for i, c in enumerate(cases)]
        for f in futures:
            f.result()


def sample(cases, ranks, per_job=1):
    """All cases at 1 rank; under mpirun the first refused and accepted ones of each kind."""
    if ranks == 1:
        return cases
    kept, seen = [], collections.Counter()
    for c in cases:
        key = (c[0].name.split(".")[0], c[3] is None)
        if seen[key] < per_job:
            seen[key] += 1
            kept.append(c)
    return kept


# ---- the file's records ------------------------------------------------------------------
def record_cases(job):
    """The file's records forged: done, items, job, each length, and cut at every byte."""
    g, n = job.good, job.items
    fresh = {k: job.fresh[1][k] for k in job.expect_keys}
    cases = [(job, "done=0", F.with_fields(g, done=b"0"), fresh)]
    for done in [n + 1, 2**62, 2**64 - 1, 2**64, 10**30]:
        cases.append((job, f"done={done}", F.with_fields(g, done=str(done).encode()), None))
    garbage = [b"abc", b"-1", b"+1", b"", b" 1", b"1 ", b"0x10", b"01", b"1e3", b"\0"]
    for text in garbage:
        cases.append((job, f"done={text!r}", F.with_fields(g, done=text), None))
        cases.append((job, f"items={text!r}", F.with_fields(g, items=text), None))
    for items in [0, n - 1, n + 1, 2**64 - 1, 2**64]:
        cases.append((job, f"items={items}", F.with_fields(g, items=str(items).encode()), None))
    cases.append((job, "job=''", F.with_fields(g, job=b""), None))
    cases.append((job, "job of another", F.with_fields(g, job=b"pi --samples=7"), None))
    cases.append((job, "empty partial", F.with_fields(g, partial=b""), None))
    for key in F.KEYS:
        size = len(job.records[key])
        for forged in [0, size - 1, size + 1, 2**62, 2**64 - 1, 2**64]:
            if forged >= 0:
                data = F.checkpoint(job.records, {key: str(forged).encode()})
                cases.append((job, f"length of {key.decode()}={forged}", data, None))
        for text in [b"abc", b"-1", b"", b"+1", b"0" + str(size).encode()]:
            cases.append((job, f"length of {key.decode()}={text!r}", F.checkpoint(job.records, {key: text}), None))
    # Cut before, at and after each record's line (every byte: tests/unit/checkpoint_test.cpp).
    starts = [m.start() for m in re.finditer(rb"^(job|items|done|partial|checksum) ", g, re.M)]
    for cut in sorted({0, 5, len(g) - 1} | {c + dc for c in starts for dc in (-1, 0, 4)}):
        cases.append((job, f"cut at byte {cut}", g[:cut], None))
    return cases


def records(opts, ranks):
    """pi's checkpoint file: every record forged, its length forged, cut at every byte."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        job = Job(opts, d, "pi", ["pi", "--samples", "20000", "--seed", "5"])
        job.expect_keys = ["hits"]
        check(job.fresh[1]["hits"] == pi_hits(20000, 5), "pi's truth")
        cases = record_cases(job)
        picked = ("done=0", "done=b'abc'", "done=18446744073709551616", "length of partial=18446744073709551615",
                  "cut at byte 5")
        run_all(cases if ranks == 1 else [c for c in cases if c[1] in picked], ranks)
        print(f"{len(cases)} forged or cut checkpoint files refused or resumed as they say")


# ---- the partial results -----------------------------------------------------------------
def field_values(kind, orig):
    if kind == "bool":
        return {0, 1, 2, 255}
    if kind == "i32":
        return {0, 1, -1, 2**31 - 1, -(2**31), orig - 1, orig + 1}
    return {v % 2**64 for v in (0, orig - 1, orig + 1, 2**62, 2**64 - 1)}


def partial_forgeries(job):
    """(what, partial bytes, decoded tree or None) for each number and length of the partial
    set to other values, and the partial cut short at some bytes."""
    a = job.archive
    data = a.data
    for path, offset, size, kind in a.fields:
        if re.search(r"\[[1-9][0-9]*\]", path):
            continue  # the first of each list stands for the others (tests/unit/checkpoint_test.cpp: all)
        orig = int.from_bytes(data[offset:offset + size], "little", signed=kind == "i32")
        for v in sorted(field_values(kind, orig) - {orig}):
            forged = F.patched(data, offset, size, v)
            tree = None if kind == "length" else F.Archive(forged, job.schema).value
            yield f"{path}={v}", forged, tree
    for cut in sorted({0, 30, 40, len(data) // 2, len(data) - 1}):
        yield f"partial cut at {cut}", data[:cut], None
    yield "a byte more", data + b"\0", None


def signed256(limbs):
    v = sum(x << (64 * i) for i, x in enumerate(limbs))
    return v - 2**256 if v >> 255 else v


# What a forged partial (decoded) must give, as docs/long-jobs.md says: None (refused), or
# the result fields that its values make (those the checkpoint is trusted for).
def pi_rule(t, paths):
    return {"hits": t} if t <= 20000 else None  # hits: at most one per sample done


def sum_rule(t, paths):
    v = signed256(t["limbs"]["elems"]) if len(t["limbs"]["elems"]) == 4 else None
    most = 11 + 3 * 10  # bits of the terms' number, 1051, and of the largest term, 1000^3
    return None if v is None or abs(v).bit_length() > most else {"value": str(v)}


def tasks_rule(t, paths):
    good = {"tasks": 10, "index_sum": [45, 0], "cost_ns": [10 * 1000, 0], "counted": 0}
    return {"tasks": 10, "index_sum": "45"} if t == good else None  # each task once, its cost exact


def count_rule(t, paths):
    sizes = [len(TEXT), len(OTHER)]
    fits = len(t) == 2 and all(c["bytes"] == s and c["lines"] <= s and c["words"] <= s // 2 + 1
                               and c["max_line"] // 8 <= s for c, s in zip(t, sizes))
    rows = [{"path": p, "lines": c["lines"], "words": c["words"], "bytes": c["bytes"], "max_line_length": c["max_line"]}
            for p, c in zip(paths, t)]
    return {"files": rows} if fits else None


def grep_count_rule(t, paths):
    fits = len(t) == 2 and all(c <= s for c, s in zip(t, [len(TEXT), len(OTHER)]))
    rows = [{"path": p, "count": c} for p, c in zip(paths, t)]
    return {"files": rows, "_rc": 0 if sum(t) > 0 else 1} if fits else None


def top_rule(t, paths):
    ends = [sum(t["lengths"][:i + 1]) for i in range(len(t["lengths"]))]
    words = [t["words"][e - n:e] for e, n in zip(ends, t["lengths"])]
    if sum(t["lengths"]) != len(t["words"]) or len(t["counts"]) != len(words) or 0 in t["lengths"]:
        return None
    valid = all(re.fullmatch(rb"[a-z0-9]+", w) for w in words) and len(set(words)) == len(words)
    if not valid or 0 in t["counts"] or sum(c * len(w) for c, w in zip(t["counts"], words)) > len(TEXT):
        return None
    rows = sorted(zip(words, t["counts"]), key=lambda wc: (-wc[1], wc[0]))[:3]
    return {"words": [{"word": w.decode(), "count": c} for w, c in rows]}


def printed_rule(t, paths):
    p = t["printed"]
    shown = sum(p["shown"]) if len(p["shown"]) == 1 else -1
    fits = (len(p["line_no"]) == 1 and len(p["shown"]) == 1 and p["shown"][0] <= p["line_no"][0] <= len(TEXT)
            and p["selected"] == shown and p["printed_any"] == (shown > 0)
            and p["last_file"] == 0 and 1 <= p["last_line"] <= p["line_no"][0] and p["after_left"] <= 1
            and len(p["held"]) <= 1 and all(h["file"] == 0 and 1 <= h["number"] <= p["line_no"][0]
                                            and h["offset"] + len(h["bytes"]) <= len(TEXT) for h in p["held"]))
    return {"selected": p["selected"], "_rc": 0 if p["selected"] else 1} if fits else None


def exec_rule(t, paths):
    return {"failed": 0}  # a finished job's output is in place: the length kept is not read


SCALARS = ("pi", "sum", "tasks", "grep_count", "exec")  # the suite `scalars`; `lines` the others


def partial_jobs(opts, d, names):
    """The finished jobs of the kinds `names`, each with its rule."""
    paths = [os.path.join(d, "text.txt"), os.path.join(d, "other.txt")]
    for path, data in zip(paths, (TEXT, OTHER)):
        with open(path, "wb") as f:
            f.write(data)
    text, grep_out, exec_out = paths[0], os.path.join(d, "g.out"), os.path.join(d, "e.out")
    kinds = [("pi", ["pi", "--samples", "20000", "--seed", "5"], pi_rule, None),
             ("sum", ["sum", "--from", "-50", "--to", "1000", "--power", "3"], sum_rule, None),
             ("tasks", ["tasks", "--count", "10", "--ms", "0.001"], tasks_rule, None),
             ("count", ["lines", "count", "-l", "-w", "-c", "-L"] + paths, count_rule, None),
             ("grep_count", ["lines", "grep", "-c", "a"] + paths, grep_count_rule, None),
             ("top", ["lines", "top", "-k", "3", "-i", "--alnum", text], top_rule, None),
             ("grep_output", ["lines", "grep", "-n", "-A1", "-B1", "delta", "--output", grep_out, text], printed_rule,
              grep_out),
             ("exec", ["lines", "exec", "--output", exec_out, "tr a-z A-Z", text], exec_rule, exec_out)]
    jobs = []
    for name, args, rule, output in kinds:
        if name not in names:
            continue
        job = Job(opts, d, name, args, output=output)
        job.expect = lambda t, rule=rule: rule(t, paths)
        check(job.expect(job.archive.value) is not None, f"{name}: the good partial is refused by the test's rules")
        jobs.append(job)
    return jobs


def done_cases(job):
    """A finished checkpoint that says less is done: refused where the partial result holds
    more than that, the result those values make where it does not."""
    n, fresh = job.items, job.fresh[1]
    hits_last = pi_hits(20000, 5) - pi_hits(19999, 5)
    expect = {  # done = n // 2, done = n - 1
        "pi": lambda: (None, {"hits": fresh["hits"] + hits_last}),  # trusted: hits <= samples done
        "tasks": lambda: (None, None),
        "count": lambda: (None, {"files": fresh["files"]}),  # n - 1: the same lines are done
        "count_bgzf": lambda: (None, {"files": fresh["files"]}),
        "top": lambda: (None, {"words": fresh["words"]}),
        "grep_output": lambda: (None, None),  # its output in place, FILE.partial gone: nothing to go on from
        "exec": lambda: (None, None),
    }.get(job.name, lambda: None)()
    if expect is None:
        return [(job, "done='abc'", F.with_fields(job.good, done=b"abc"), None)]
    return [(job, f"done={d}", F.with_fields(job.good, done=str(d).encode()), e)
            for d, e in zip((n // 2, n - 1), expect)]


def check_truths(jobs):
    """The finished jobs' results, forged from, are the truth: Python's."""
    words = [w.lower() for w in re.findall(rb"[A-Za-z0-9]+", TEXT)]
    top = sorted(collections.Counter(words).items(), key=lambda wc: (-wc[1], wc[0]))[:3]
    truths = {"pi": {"hits": pi_hits(20000, 5)}, "sum": {"value": str(power_sum(-50, 1000, 3))},
              "tasks": {"tasks": 10, "index_sum": "45"},
              "count": {"total": {"lines": TEXT.count(b"\n") + OTHER.count(b"\n"),
                                  "words": len(TEXT.split()) + len(OTHER.split()), "bytes": len(TEXT) + len(OTHER),
                                  "max_line_length": max(len(line) for line in TEXT.split(b"\n"))}},
              "grep_count": {"total": sum(b"a" in line for line in TEXT.split(b"\n") + OTHER.split(b"\n"))},
              "top": {"words": [{"word": w.decode(), "count": c} for w, c in top]},
              "grep_output": {"selected": sum(b"delta" in line for line in TEXT.split(b"\n"))}}
    for job in jobs:
        if job.output is not None:  # what the commands themselves print
            cmd = (["grep", "-n", "-A1", "-B1", "delta"] if job.name == "grep_output" else ["tr", "a-z", "A-Z"])
            truth = subprocess.run(cmd, input=TEXT, capture_output=True, check=True).stdout
            check(job.kept == truth, f"{job.name}: its output is not {cmd}'s")
        for key, value in truths.get(job.name, {}).items():
            check(job.fresh[1].get(key) == value, f"{job.name}: {key} {job.fresh[1].get(key)} is not {value}")


def partials(opts, ranks, names):
    """The partial results of the kinds `names`: each number and each length forged, the
    partial cut, less done than it holds."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        jobs = partial_jobs(opts, d, names)
        check_truths(jobs)
        cases = []
        for job in jobs:
            lanes = [job] if job.output is None else [job] + [job.lane(k) for k in (1, 2, 3)]
            for i, (what, partial, tree) in enumerate(partial_forgeries(job)):
                lane = lanes[i % len(lanes)]  # the same partial: another output file, another job
                records = {**lane.records, b"partial": partial}
                cases.append((lane, what, F.checkpoint(records), None if tree is None else job.expect(tree)))
            cases += done_cases(job)
        if "count" in names:  # a BGZF file resumes too: where its lines end is read from its members
            bgz = os.path.join(d, "text.bgz")
            with open(bgz, "wb") as f:
                f.write(subprocess.run(["bgzip", "-c"], input=TEXT * 3000, capture_output=True, check=True).stdout)
            cases += done_cases(Job(opts, d, "count_bgzf", ["lines", "count", "-z", bgz], F.SCHEMAS["count"]))
        accepted = sum(c[3] is not None for c in cases)
        run_all(sample(cases, ranks), ranks)
        print(f"{len(cases)} forged partial results: {len(cases) - accepted} refused, {accepted} as the job allows")


def scalars(opts, ranks):
    """pi, sum, tasks, lines grep -c and lines exec."""
    partials(opts, ranks, SCALARS)


def lines(opts, ranks):
    """lines count (also of a BGZF file), lines top and lines grep --output."""
    partials(opts, ranks, ("count", "top", "grep_output"))


# ---- parfold run's journal -----------------------------------------------------------------
TASKS = ["echo a", "false", "echo c"]


def journal_expect(hashes):
    """What a forged journal of TASKS must give: refused unless its tasks are TASKS as they
    ran, its counts theirs, its output's length 0 (stdout) and its held tasks well formed
    ones of tasks not recorded; else the report of its counts and output (trusted)."""

    def expect(t):
        tasks, p = t["tasks"], t["progress"]
        failed = sum(1 for x in tasks.values() if x["ok"] == 0)
        fits = (all(k < 3 and x["command_hash"] == hashes[k] and x["line"] >= 1 and x["attempts"] >= 1
                    and x["ok"] in (0, 1) for k, x in tasks.items())
                and p["failed"] == failed and p["succeeded"] == len(tasks) - failed
                and len(p["first_failures"]) == min(failed, 5) and t["output_bytes"] == 0 and t["held"] == {})
        if not fits:
            return None
        return {"succeeded": p["succeeded"], "failed": p["failed"], "output_bytes": p["out_bytes"],
                "output_fnv1a": "%016x" % p["checksum"], "_rc": 1 if failed else 0}

    return expect


def held_cases(job):
    """Task 3 ended but waited for its turn at the stop: held in the journal, printed by the
    resumed run instead of running again. Forged: another index, sizes, flags, cut short."""
    t = job.archive.value
    t["tasks"].pop(2)
    t["progress"].update(succeeded=1, out_bytes=2, checksum=F.fnv1a(b"a\n"))
    header = job.records[b"partial"][:F.ARCHIVE_HEADER]

    def journal(held):
        return F.checkpoint({**job.records, b"partial": F.encode(dict(t, held=held), job.schema, header)})

    out = b"held c\n"  # not what task 3 prints: it did not run again
    good = F.attempt_record(2, out=out)
    whole = {"succeeded": 2, "failed": 1, "output_bytes": 9, "output_fnv1a": "%016x" % F.fnv1a(b"a\n" + out),
             "_stdout": out.decode(), "_rc": 1}
    cases = [(job, "a held task", journal({2: good}), whole)]
    bad = {"held task 6": {5: F.attempt_record(5)}, "held task 2, which is recorded": {1: F.attempt_record(1)},
           "held record of another task": {2: F.attempt_record(1)},
           "held output of 2^62 bytes": {2: F.attempt_record(2, out=out, sizes=(2**62, 1, 0))},
           "held sizes past the record": {2: F.attempt_record(2, out=out, sizes=(len(out) + 1, 1, 0))},
           "held record cut": {2: good[1:]}, "held record shorter than its fixed part": {2: good[-79:]},
           "held attempt 0": {2: F.attempt_record(2, attempt=0)},
           "held passed=2": {2: F.attempt_record(2, passed=2)},
           "held runtime NaN": {2: F.attempt_record(2, runtime_s=float("nan"))}}
    cases += [(job, what, journal(held), None) for what, held in bad.items()]
    t["tasks"][7] = dict(t["tasks"][0])  # a task past the list's end
    t["progress"]["succeeded"] = 2
    cases.append((job, "task 8 of 3", journal({}), None))
    return cases


def journal(opts, ranks):
    """parfold run's journal: each number and length forged, the partial cut, held tasks."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        tasks_path = os.path.join(d, "tasks.txt")
        with open(tasks_path, "w") as f:
            f.write("\n".join(TASKS) + "\n")
        job = Job(opts, d, "run", ["run", tasks_path])
        check(job.fresh[0] == 1 and job.fresh[1]["succeeded"] == 2 and job.fresh[1]["failed"] == 1, "run's truth")
        expect = journal_expect([F.fnv1a(c.encode()) for c in TASKS])
        check(expect(job.archive.value) is not None, "run: the good journal is refused by the test's rules")
        cases = []
        for what, partial, tree in partial_forgeries(job):
            verdict = None if tree is None else expect(tree)
            if partial == b"":  # no journal: nothing recorded, the run starts over
                verdict = {k: job.fresh[1][k] for k in ("succeeded", "failed", "output_bytes", "output_fnv1a")}
            cases.append((job, what, F.checkpoint({**job.records, b"partial": partial}), verdict))
        cases += held_cases(job)
        cases.append((job, "done=1", F.with_fields(job.good, done=b"1"), None))
        accepted = sum(c[3] is not None for c in cases)
        run_all(sample(cases, ranks), ranks)
        print(f"{len(cases)} forged journals: {len(cases) - accepted} refused, {accepted} as the run allows")


def main():
    return suite_main({"records": records, "scalars": scalars, "lines": lines, "journal": journal})


if __name__ == "__main__":
    sys.exit(main())
