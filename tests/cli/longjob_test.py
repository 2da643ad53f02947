#!/usr/bin/env python3
"""End-to-end tests of long jobs: checkpoint and resume, stop signals, --timeout, a rank
that dies, and odd shapes (more ranks than chunks, one chunk, idle ranks).

  longjob_test.py --parfold BIN --mpiexec MPIEXEC checkpoint RANKS | checkpoint_refused
                                                  | timeout | rank_killed | rank_lost_checkpoint
                                                  | odd_shapes RANKS
"""
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import (FAILURES, SCHEDULES, check, is_open_mpi, make_texts, mpi, pi_hits, power_sum, reference_top,  # noqa: E402
                      rank_pids, run, suite_main)  # noqa: E402

EXIT_STOPPED, EXIT_TIMEOUT = 75, 124
STOP_SIGNALS = [signal.SIGUSR1, signal.SIGTERM, signal.SIGINT]


def command(opts, args, ranks):
    cmd = [opts.parfold] + args
    return mpi(opts, ranks, cmd) if ranks > 1 else cmd


def result_of(stdout):
    return json.loads(stdout)["result"]


def catches_usr1(pid):
    """True when process `pid` handles SIGUSR1 (its SigCgt mask in /proc)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            mask = next(int(l.split()[1], 16) for l in f if l.startswith("SigCgt:"))
    except (OSError, StopIteration):
        return False
    return bool(mask & (1 << (signal.SIGUSR1 - 1)))


def signals_caught(p, ranks):
    """True while parfold (every rank, under mpirun) runs and handles the stop signals."""
    if p.poll() is not None:
        return False
    pids = [p.pid] if ranks == 1 else rank_pids(p.pid)
    return len(pids) == ranks and all(catches_usr1(pid) for pid in pids)


def wait_until_signals_caught(p, ranks, timeout=30):
    """Waits until parfold handles the stop signals: a signal before that would kill a
    process still starting, which is not what is tested here."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and p.poll() is None and not signals_caught(p, ranks):
        time.sleep(0.01)
    return signals_caught(p, ranks)


def stop_at_first_segment(opts, args, ranks, sig, what):
    """Runs parfold with `args`; once every rank handles the stop signals, sends `sig`
    (under mpirun to mpirun, which forwards SIGUSR1): the stop lands at the end of one of
    the first segments (the first holds a 4096th of the job, or a chunk per worker, each
    next at most 4 times the last). Requires status 75 and the stop message; returns the
    fraction of the items done."""
    path = args[args.index("--checkpoint") + 1]
    p = subprocess.Popen(command(opts, args, ranks), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    caught = wait_until_signals_caught(p, ranks, 60)  # 60 s: a hang guard; parfold starts within a second
    check(caught, f"{what}: not {ranks} running rank(s) that handle the stop signals before the stop")
    p.send_signal(sig)
    out, err = p.communicate(timeout=120)
    name = signal.Signals(sig).name
    check(p.returncode == EXIT_STOPPED and f"parfold: stopped by {name}: the checkpoint {path} holds" in err
          and out == "", f"{what}: {name} at a first segment: exit {p.returncode} {err[-800:]!r}")
    held = re.search(r"holds (\d[\d,]*) of (\d[\d,]*) items? ", err)
    check(held is not None, f"{what}: no item counts in {err!r}")
    return int(held[1].replace(",", "")) / int(held[2].replace(",", "")) if held else 1.0


def interrupted_then_resumed(opts, job, ranks, path, rng, what, first_signal):
    """Runs `job` with --checkpoint saved at every segment, stops it at its first segment,
    resumes it on another rank count and stops it again at its first segment, then lets it
    finish: every job is stopped twice, at a known point. Returns the final report."""
    fractions = []
    for attempt in range(2):
        r = ranks if attempt == 0 else max(1, ranks - 1)  # resume on other rank counts too
        # Small chunks for lines: a segment is at least a chunk per worker.
        args = ["--json", "--checkpoint", path, "--checkpoint-every", "0.001s"] + \
            (["--chunk", "64Ki"] if job[0] == "lines" else []) + ["--threads",
                str(rng.choice([1, 2, 3])), "--schedule", rng.choice(SCHEDULES)] + job
        sig = STOP_SIGNALS[(first_signal + attempt) % 3] if r == 1 else signal.SIGUSR1  # mpirun forwards USR1
        fractions.append(stop_at_first_segment(opts, args, r, sig, f"{what} stop {attempt + 1}"))
    check(0 < fractions[0] <= fractions[1] < 1, f"{what}: the stops held {fractions} of the items")
    args = ["--json", "--checkpoint", path, "--threads", str(rng.choice([1, 2, 3]))] + job
    p = subprocess.run(command(opts, args, ranks), capture_output=True, text=True, timeout=120)
    check(p.returncode == 0 and p.stdout, f"{what}: resumed run: exit {p.returncode}: {p.stderr[-800:]!r}")
    check(not [n for n in os.listdir(os.path.dirname(path)) if ".tmp." in n], f"{what}: temporary file left")
    return json.loads(p.stdout) if p.returncode == 0 and p.stdout else None


def cube_sum(a, b):
    """Sum of i**3 for a <= i <= b, closed form: S(n) = (n(n+1)/2)**2, odd in i."""
    s = lambda n: (n * (n + 1) // 2) ** 2  # noqa: E731
    return s(b) - s(a - 1) if a > 0 else s(b) - s(-a)


def wc_truth(paths):
    """lines count's result, from wc's own numbers."""
    rows = []
    for path in paths:
        n = subprocess.run(["wc", "-l", "-w", "-c", path], capture_output=True, text=True,
                           env=dict(os.environ, LC_ALL="C")).stdout.split()
        rows.append({"path": path, "lines": int(n[0]), "words": int(n[1]), "bytes": int(n[2])})
    total = {k: sum(r[k] for r in rows) for k in ("lines", "words", "bytes")}
    return {"files": rows, "total": total}


def grep_count_truth(pattern, paths):
    """lines grep -c -i's result, from GNU grep -c -i -E on each file."""
    counts = [int(subprocess.run(["grep", "-a", "-c", "-i", "-E", pattern, p], capture_output=True, text=True,
                                 env=dict(os.environ, LC_ALL="C")).stdout) for p in paths]
    return {"pattern": pattern, "files": [{"path": p, "count": c} for p, c in zip(paths, counts)], "total": sum(counts)}


def top_truth(paths, k):
    """lines top's result, from Python's Counter (cli_test.reference_top)."""
    rows = reference_top(paths, k, False, False).decode(errors="replace").splitlines()
    return {"words": [{"word": w, "count": int(n)} for n, w in (r.split(" ", 1) for r in rows)]}


def checkpoint(opts, ranks):
    ranks = int(ranks)
    rng = random.Random(1000 + ranks)
    with tempfile.TemporaryDirectory() as d:
        texts = make_texts(d)
        big = os.path.join(d, "big.txt")  # long enough to stop twice mid-run
        with open(big, "wb") as f:
            for _ in range(12):
                for t in texts:
                    with open(t, "rb") as src:
                        f.write(src.read())
        texts = texts + [big]
        selected = os.path.join(d, "selected.txt")
        grep_n = subprocess.run(["grep", "-a", "-n", "-E", "th[aeiou]"] + texts, capture_output=True,
                                env=dict(os.environ, LC_ALL="C")).stdout
        pi = ["pi", "--samples", "6e7", "--seed", "7"]
        jobs = [  # (job, the result's truth, independent of parfold but for pi)
            # CPU-bound (--spin): its time does not shrink with more workers than cores.
            (["tasks", "--count", "300", "--ms", "10", "--cost", "random", "--spin"],
             lambda r: r["tasks"] == 300 and r["index_sum"] == str(300 * 299 // 2)),
            # No closed form for Philox's hits (cli_test.pi_hits is too slow at 6e7): an
            # uninterrupted run; expect_truths checks a smaller pi against pi_hits.
            (pi, lambda r, whole=result_of(run(opts, ["--json"] + pi, check_rc=0).stdout): r == whole),
            (["sum", "--from", "-5e7", "--to", "2e8", "--power", "3"],
             lambda r: r["value"] == str(cube_sum(-5 * 10**7, 2 * 10**8))),
            (["lines", "count"] + texts, lambda r: r == wc_truth(texts)),
            (["lines", "top", "-k", "15"] + texts, lambda r: r == top_truth(texts, 15)),
            (["lines", "grep", "-c", "-i", "th[aeiou]"] + texts, lambda r: r == grep_count_truth("th[aeiou]", texts)),
            # Printing into --output FILE: the file, complete, equal to grep's output.
            (["lines", "grep", "-a", "-n", "th[aeiou]", "--output", selected] + texts, None),
        ]
        for n, (job, truth) in enumerate(jobs):
            what = f"ranks={ranks} {' '.join(job[:4])}"
            path = os.path.join(d, "job.ckpt")
            if os.path.exists(path):
                os.remove(path)
            report = interrupted_then_resumed(opts, job, ranks, path, rng, what, n)
            got = report["result"] if report else None
            check(report and report["config"].get("resumed_items", 0) > 0, f"{what}: resumed_items missing")
            if truth:
                check(got is not None and truth(got), f"{what}: resumed result {got} differs from the truth")
            else:
                with open(selected, "rb") as f:
                    check(f.read() == grep_n and grep_n, f"{what}: --output differs from grep -n's output")
                check(not os.path.exists(selected + ".partial"), f"{what}: {selected}.partial left")
            # A finished checkpoint answers at once with the same result.
            again = run(opts, ["--json", "--checkpoint", path] + job, check_rc=0)
            if truth:
                check(truth(result_of(again.stdout)), f"{what}: rerun of a finished checkpoint")
            else:
                check(read_and_remove(selected) == grep_n, f"{what}: a finished checkpoint's rerun changed it")
            print(f"{what}: stopped twice at a first segment, resumed, equal to the truth")
        # Under the workload's truths too (Python big integers, Philox written in the test).
        check(expect_truths(opts, d, ranks, rng), "truths")


def read_and_remove(path):
    with open(path, "rb") as f:
        data = f.read()
    os.remove(path)
    return data


def expect_truths(opts, d, ranks, rng):
    path = os.path.join(d, "truth.ckpt")
    ok = True
    for job, field, truth in ((["pi", "--samples", "40001", "--seed", "3"], "hits", pi_hits(40001, 3)),
                              (["sum", "--from", "-777", "--to", "1e4", "--power", "3"], "value",
                               str(power_sum(-777, 10**4, 3)))):
        if os.path.exists(path):
            os.remove(path)
        p = run(opts, ["--json", "--checkpoint", path, "--checkpoint-every", "0.001s"] + job, ranks, check_rc=0)
        ok = ok and p.returncode == 0 and result_of(p.stdout)[field] == truth
    return ok


def checkpoint_refused(opts):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "c.ckpt")
        run(opts, ["--checkpoint", path, "pi", "--samples", "1e5"], check_rc=0)
        with open(path, "rb") as f:
            good = f.read()

        def refused(args, needle, what):
            p = run(opts, ["--checkpoint", path] + args, check_rc=2)
            check(needle in p.stderr and p.stderr.count("parfold: error:") == 1 and p.stdout == "",
                  f"{what}: {p.stderr!r}")

        refused(["pi", "--samples", "2e5"], "belongs to another job", "other parameters")
        # The same job spelled otherwise is the same job: the parsed values count.
        for spelling in (["--samples", "100000"], ["--samples", "100k"], ["--samples=1e5"]):
            p = run(opts, ["--checkpoint", path, "pi"] + spelling, check_rc=0)
            check("resumed" in p.stdout, f"{spelling} taken for another job: {p.stderr!r}")
        refused(["pi", "--samples", "1e5", "--seed", "1"], "belongs to another job", "other seed")
        refused(["sum", "--to", "1e5"], "belongs to another job", "other workload")
        for name, data in (("truncated", good[: len(good) // 2]), ("corrupt", good[:40] + b"X" + good[41:]),
                           ("empty", b""), ("foreign", b"hello\n")):
            with open(path, "wb") as f:
                f.write(data)
            refused(["pi", "--samples", "1e5"], "delete it to start over", name)
        # Input files: another size, another modification time, other contents.
        text = os.path.join(d, "in.txt")
        with open(text, "w") as f:
            f.write("one two\nthree\n" * 1000)
        os.remove(path)
        run(opts, ["--checkpoint", path, "lines", "count", text], check_rc=0)
        st = os.stat(text)
        with open(text, "r+") as f:
            f.write("ONE")  # same size, other contents
        os.utime(text, ns=(st.st_atime_ns, st.st_mtime_ns))  # even with the old time
        refused(["lines", "count", text], "belongs to another job", "other contents")
        os.utime(text, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
        refused(["lines", "count", text], "belongs to another job", "other mtime")
        # Printing grep lines cannot resume exactly: said, not pretended.
        p = run(opts, ["--checkpoint", os.path.join(d, "g.ckpt"), "lines", "grep", "one", text], check_rc=2)
        check("prints lines as it goes" in p.stderr and "--output FILE" in p.stderr, f"grep printing: {p.stderr!r}")
        # --output with a checkpoint whose FILE.partial is gone or shorter than recorded.
        out, gpath = os.path.join(d, "sel.txt"), os.path.join(d, "g.ckpt")
        grep = ["lines", "grep", "-a", "-n", "one", "--output", out, text]
        run(opts, ["--checkpoint", gpath] + grep, check_rc=0)
        with open(gpath, "rb") as f:
            finished = f.read()
        for name, partial in (("missing", None), ("short", b"1:")):
            if partial is not None:
                with open(out + ".partial", "wb") as f:
                    f.write(partial)
            os.remove(out)
            # A finished checkpoint whose FILE is gone: nothing to resume from.
            p = run(opts, ["--checkpoint", gpath] + grep, check_rc=2)
            check("cannot be used" in p.stderr and "delete the checkpoint" in p.stderr, f"{name} partial: {p.stderr!r}")
            with open(out, "wb") as f:
                f.write(b"")
        check(open(gpath, "rb").read() == finished, "a refused resume changed the checkpoint")
        p = run(opts, ["--checkpoint", "/nonexistent/dir/x.ckpt", "pi", "--samples", "10"], check_rc=2)
        check("does not exist" in p.stderr, f"checkpoint dir: {p.stderr!r}")
        for bad in ("0", "-3s", "abc", "5x", ""):
            p = run(opts, ["--timeout", bad, "pi", "--samples", "10"], check_rc=2)
            check("--timeout" in p.stderr, f"--timeout {bad!r}: {p.stderr!r}")
    print("checkpoints of other jobs, corrupt or truncated ones are refused")


def timeout(opts):
    job = ["tasks", "--count", "2000", "--ms", "10"]  # ~10 s on 2 threads
    for ranks in (1, 3):
        # 124 under mpirun too: every rank exits 124 and mpirun passes it on; under Hydra
        # rank 0 ends the job with MPI_Abort(124). run()'s 120 s timeout is the hang guard.
        p = run(opts, ["--threads", "2", "--timeout", "1s"] + job, ranks if ranks > 1 else None)
        check(p.returncode == EXIT_TIMEOUT, f"timeout ranks={ranks}: exit {p.returncode}")
        check("--timeout of 1 s exceeded" in p.stderr, f"timeout message: {p.stderr[-500:]!r}")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "t.ckpt")
        # With a checkpoint the stop ends main on every rank (no signal for Hydra to forward): 124.
        for ranks in (1, 3):
            if os.path.exists(path):
                os.remove(path)
            p = run(opts, ["--threads", "2", "--json", "--timeout", "1.5s", "--checkpoint", path] + job,
                    ranks if ranks > 1 else None)
            check(p.returncode == EXIT_TIMEOUT and "--timeout exceeded: the checkpoint" in p.stderr,
                  f"timeout with checkpoint ranks={ranks}: exit {p.returncode} {p.stderr!r}")
        p = run(opts, ["--threads", "3", "--json", "--checkpoint", path] + job, check_rc=0)
        got = result_of(p.stdout)
        check(got["tasks"] == 2000 and got["index_sum"] == str(2000 * 1999 // 2), f"resumed after timeout: {got}")
    print("--timeout ends jobs with status 124, after the checkpoint when there is one")


def output_stopped(opts):
    """`lines grep --output FILE` stopped without a checkpoint (a signal, --timeout, a
    signal to mpirun) leaves neither FILE nor a temporary file behind."""
    with tempfile.TemporaryDirectory() as d:
        big = os.path.join(d, "big.txt")
        with open(big, "wb") as f:
            f.write(b"the quick brown fox\njumps over\nthe lazy dog\n" * 3_000_000)  # ~130 MB
        out = os.path.join(d, "out", "sel.txt")
        os.makedirs(os.path.dirname(out))
        job = ["lines", "grep", "-a", "-n", "the", "--output", out, big]
        for ranks, sig in ((1, signal.SIGINT), (1, signal.SIGTERM), (2, signal.SIGUSR1), (3, signal.SIGTERM)):
            p = subprocess.Popen(command(opts, ["--threads", "1"] + job, ranks), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
            # Once the temporary file exists (rank 0 opened it), stop the job.
            deadline = time.monotonic() + 30
            while not os.listdir(os.path.dirname(out)) and time.monotonic() < deadline and p.poll() is None:
                time.sleep(0.01)
            p.send_signal(sig)
            _, err = p.communicate(timeout=60)
            what = f"ranks={ranks} {signal.Signals(sig).name}"
            # mpirun forwards SIGUSR1 and passes on the ranks' 128 + N; it turns SIGTERM
            # into its own teardown and exits 1; Hydra forwards SIGTERM and exits with the
            # number of the signal the ranks died of (docs/exit-status.md#under-a-launcher).
            want = 128 + sig if ranks == 1 or sig == signal.SIGUSR1 else 1 if is_open_mpi(opts) else sig
            check(p.returncode == want, f"{what}: exit {p.returncode}, want {want}: {err[-600:]!r}")
            if ranks == 1:
                check(f"stopped by {signal.Signals(sig).name}; {out} was not written" in err, f"{what}: {err!r}")
            check(os.listdir(os.path.dirname(out)) == [], f"{what}: left {os.listdir(os.path.dirname(out))}")
        p = run(opts, ["--threads", "1", "--timeout", "0.5s"] + job, check_rc=EXIT_TIMEOUT)
        check(os.listdir(os.path.dirname(out)) == [], f"--timeout: left {os.listdir(os.path.dirname(out))}")
        # With a checkpoint, the resumed run says on stderr that it resumed (stdout is grep's).
        ckpt = os.path.join(d, "grep.ckpt")
        run(opts, ["--threads", "1", "--chunk", "1Mi", "--checkpoint", ckpt, "--checkpoint-every", "0.05s",
                   "--timeout", "0.5s"] + job, check_rc=EXIT_TIMEOUT)
        p = run(opts, ["--threads", "2", "--checkpoint", ckpt] + job, check_rc=0)
        check(p.stdout == "" and "parfold: resumed from the checkpoint: " in p.stderr and " bytes were done before" in p.stderr,
              f"resumed --output: {p.stdout[:100]!r} {p.stderr!r}")
    print("a stopped lines grep --output leaves nothing half-written; resumed, it says so")


def ended_within(p, seconds, hung):
    """`p`'s (stdout, stderr) once it ended; killed, and the check `hung` failed, when it
    did not end within `seconds`."""
    try:
        return p.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        p.kill()
        check(False, hung)
        return p.communicate()


def rank_killed(opts):
    """A rank killed with SIGKILL mid-run ends the job (the survivors exit 1), with a
    message naming what failed; mpirun exits 137, Hydra 9."""
    for ranks in (2, 3):
        for schedule in ("static", "dynamic"):
            cmd = command(opts, ["--threads", "1", "--schedule", schedule, "--progress", "tasks", "--count", "3000",
                                 "--ms", "10"], ranks)
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            first = p.stderr.readline()  # rank 0's first progress line: every rank runs the job
            check(first.startswith("tasks: "), f"ranks={ranks}: progress line {first!r}")
            kids = rank_pids(p.pid)
            check(len(kids) == ranks, f"ranks={ranks}: found processes {kids}")
            victim = kids[-1] if kids else None
            if victim:
                os.kill(int(victim), signal.SIGKILL)
            out, err = ended_within(p, 60, f"ranks={ranks} {schedule}: hung after a rank was killed")
            # Open MPI's mpirun passes on the killed rank's status, 128 + 9; Hydra the signal, 9.
            want = 128 + signal.SIGKILL if is_open_mpi(opts) else signal.SIGKILL
            check(p.returncode == want, f"ranks={ranks} {schedule}: exit {p.returncode} after a rank was killed, "
                  f"want {want}")
            said = err + out  # Hydra prints its report on stdout
            check("signal 9" in said or "Killed" in said, f"ranks={ranks} {schedule}: message {said[-600:]!r}")
    print("a killed rank ends the job with a message")


def wait_for_lines(path, n, proc, what):
    """Polls until `path` holds `n` lines (what the tasks print), or `proc` ended."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if os.path.exists(path):
            with open(path) as f:
                if sum(1 for _ in f) >= n:
                    return True
        time.sleep(0.02)
    check(False, f"{what}: the tasks never wrote {n} lines to {path}")
    return False


def lost_rank_run(opts, d, victim):
    """`run --checkpoint` of 200 tasks on 3 ranks x 2 threads; rank `victim` is SIGKILLed
    once 20 tasks started (each task writes 'start INDEX RANK PID-OF-ITS-RANK' first).
    Returns (status, stdout, stderr)."""
    log, ckpt = os.path.join(d, "runs"), os.path.join(d, "ck")
    tasks = os.path.join(d, "tasks.txt")
    with open(tasks, "w") as f:
        for i in range(200):
            f.write(f"echo start {i} $PARFOLD_RANK $PPID >> {log}; sleep 0.05; echo task {i}\n")
    # No periodic save within the test: what the checkpoint holds was saved at the loss.
    args = ["run", "--checkpoint", ckpt, "--checkpoint-every", "1h", "--threads", "2", tasks]
    p = subprocess.Popen(command(opts, args, 3), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if wait_for_lines(log, 20, p, f"rank {victim} killed"):
        with open(log) as f:
            pids = {int(w[2]): int(w[3]) for w in (l.split() for l in f)}
        check(victim in pids, f"no task ran on rank {victim} among the first: {pids}")
        if victim in pids:
            os.kill(pids[victim], signal.SIGKILL)
    out, err = ended_within(p, 60, f"rank {victim} killed: the survivors hung")
    return p.returncode, out, err


def rank_lost_checkpoint(opts):
    """A rank SIGKILLed under `run --checkpoint`: the others start nothing new, rank 0
    saves what finished (said once), and the resumed run runs again only the tasks that
    were running (3 ranks x 2 threads: 6) and those the lost rank ended in its last
    moments, their record not yet sent (one per worker: 2); rank 0 lost: rank 1 says
    that the checkpoint holds only what its last save held."""
    for victim in (1, 2, 0):
        with tempfile.TemporaryDirectory() as d:
            rc, out, err = lost_rank_run(opts, d, victim)
            said = [l for l in err.splitlines() if "ended without a word" in l]
            check(len(said) == 1 and f"rank {victim} (pid " in said[0],
                  f"rank {victim} killed: parfold said {said!r}\n{err[-800:]}")
            check(rc == 128 + signal.SIGKILL, f"rank {victim} killed: mpirun's status {rc}, want 137")
            ckpt = os.path.join(d, "ck")
            if victim != 0:
                check(said and re.search(r"the checkpoint \S+ holds \d+ of 200 tasks", said[0]),
                      f"rank {victim} killed: no word on the checkpoint: {said!r}")
            else:
                check(said and "holds what its last save held" in said[0], f"rank 0 killed: {said!r}")
                continue  # nothing was saved: a rerun starts over
            resumed = run(opts, ["run", "--checkpoint", ckpt, "--threads", "2",
                                 os.path.join(d, "tasks.txt")], ranks=3, check_rc=0)
            with open(os.path.join(d, "runs")) as f:
                starts = [int(l.split()[1]) for l in f]
            ran = {i: starts.count(i) for i in range(200)}
            check(all(n >= 1 for n in ran.values()), f"rank {victim} killed: tasks never ran")
            twice = sorted(i for i, n in ran.items() if n > 1)
            check(len(twice) <= 8, f"rank {victim} killed: {len(twice)} tasks ran twice: {twice}")
            whole = "".join(f"task {i}\n" for i in range(200))
            check(out + resumed.stdout == whole, f"rank {victim} killed: the two runs printed "
                  f"{len(out)} + {len(resumed.stdout)} bytes, not each task once in order")
    print("a lost rank: the survivors stop, rank 0 saves what finished, a rerun goes on")


def odd_shapes(opts, ranks):
    ranks = int(ranks)
    cases = [
        (["pi", "--samples", "3"], "hits", lambda: pi_hits(3, 0)),  # fewer items than workers
        (["sum", "--from", "5", "--to", "5", "--power", "2"], "value", lambda: "25"),  # one item
        (["sum", "--to", "1000", "--power", "3"], "value", lambda: str(power_sum(0, 1000, 3))),
    ]
    for args, field, truth in cases:
        for schedule in SCHEDULES:
            for extra in ([], ["--chunk", "1e9"], ["--chunk", "1"]):  # one chunk; one item per chunk
                full = ["--json", "--threads", "3", "--schedule", schedule] + extra + args
                p = run(opts, full, ranks if ranks > 1 else None, check_rc=0)
                if p.returncode == 0:
                    j = json.loads(p.stdout)
                    check(j["result"][field] == truth(), f"ranks={ranks} {full}: {j['result']}")
                    idle = [w for w in j["workers"] if w["chunks"] == 0]
                    check(sum(w["items"] for w in j["workers"]) == j["config"]["items"], f"{full}: items")
                    if extra == ["--chunk", "1e9"]:
                        # static: one block per worker (a chunk each); otherwise one chunk in all.
                        workers, items = j["config"]["workers"], j["config"]["items"]
                        chunks = min(items, workers) if schedule == "static" else 1
                        check(j["config"]["chunks"] == chunks and len(idle) == workers - chunks,
                              f"{full}: {j['config']} idle {len(idle)}")
    with tempfile.TemporaryDirectory() as d:  # no items at all, with a checkpoint and --output
        empty, out = os.path.join(d, "empty.txt"), os.path.join(d, "sel.txt")
        open(empty, "wb").close()
        for what in ("fresh run", "rerun of the finished checkpoint"):
            run(opts, ["--checkpoint", os.path.join(d, "c.ckpt"), "lines", "grep", "--output", out, "x", empty],
                ranks if ranks > 1 else None, check_rc=1)  # 1: no line selected, as grep
            left = sorted(os.listdir(d))
            check(left == ["c.ckpt", "empty.txt", "sel.txt"] and os.path.getsize(out) == 0, f"empty input, {what}: {left}")
    print(f"odd shapes at {ranks} rank(s)")


if __name__ == "__main__":
    sys.exit(suite_main(globals()))
