#!/usr/bin/env python3
"""GNU parallel's way of writing a job (issue 26, section 1), with real GNU parallel as the
truth: every command line of FORMS runs under `parallel -k` and under `parfold run` (at
RANKS ranks, 1 and 3 threads each); stdout, stderr and the exit status must be byte for
byte the same. Then what parfold refuses by name (status 2, one message).

  parallel_forms_test.py --parfold BIN --mpiexec MPIEXEC forms RANKS
  parallel_forms_test.py --parfold BIN refusals
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import check, mpi, suite_main  # noqa: E402
from parallel_ref_test import ENV, PARALLEL, require_parallel  # noqa: E402

# (arguments after `parallel -k` / `parfold run`, standard input). Files are made by
# make_files() in the working directory. `--header=:`, not `--header :`: mpirun reads a
# lone ':' as the end of one program's arguments (docs/run.md says so).
FORMS = [
    (["echo", "{.}", "{/}", "{//}", "{/.}", ":::", "a/b.c/d.tar.gz", ".bashrc", "a/.hidden", "x",
      "noext/", "/abs/f.e", "/f", "a//b//", "a.b/c", "dots..", "/"], b""),
    (["echo", "{}", ":::", "a", "b", ":::", "1", "2", ":::", "X", "Y"], b""),
    (["echo", "{2}-{1}", ":::", "a", "b", ":::+", "1", "2", "3"], b""),
    (["echo", "{1}{2}", ":::", "a", "b", "c", ":::+", "1", "2"], b""),
    (["--link", "echo", ":::", "a", "b", ":::", "1", "2"], b""),
    (["gzip", "-c", "-9", ":::", "f1"], b""),  # the command's own options stay its own
    # Quoting: spaces, quotes, $, backquotes, globs, a newline, leading dashes, non-ASCII.
    (["echo", ":::", "-n", "a b", "$HOME", "it's", "`id`", "$(id)", "x\ny", "*", "", "--", "\\", "é",
      "a=b", "tab\there"], b""),
    (["printf", "[%s]", ":::", "a b", "  lead", "trail  ", "-e", "$(echo hi)"], b""),
    (["--colsep", ",", "--header=:", "echo", "{v}={n}", "{1}", "::::", "h.csv"], b""),
    (["--colsep", ",", "echo", "{2}", "{-1}", "{1.}", "::::", "h.csv", ":::", "q"], b""),
    (["--colsep", " +", "echo", "{2}/{1}", "::::", "spaced.txt"], b""),
    (["--header=:", "echo", "{x}", "{y}", ":::", "x", "1", "2", ":::", "y", "3"], b""),
    (["--tag", "echo", ":::", "a", "b", ":::", "1"], b""),
    (["--tagstring", "T{}", "echo x; echo y >&2", ":::", "a", "b c"], b""),
    (["echo", "{#}", ":::", "a", "b", "c"], b""),
    ([":::", "echo a", "echo b; echo c >&2"], b""),  # no command: the arguments are commands
    (["echo", "::::", "f1", "f2"], b""),
    (["echo", "{1}", "{3}", ":::", "a", ":::", "b"], b""),
    (["echo", "{1/}", "{2//}", "{1/.}", ":::", "a/b.c", ":::", "c/d"], b""),
    (["echo", ":::"], b""),  # no arguments: no task, status 0
    (["echo", "{}", "::::", "-"], b"from stdin\nline two\n"),
    (["echo", "x{}y", "::::", "empty-line.txt"], b""),  # an empty line is an empty argument
    (["echo {a} {0} {} {1x} {-} {0.}", ":::", "x.y"], b""),  # braces that are no replacement string
    (["--dry-run", "echo", "{}", "{.}.png", ":::", "my photo.jpg", "", "it's", "a=b", "-x"], b""),
    (["sh", "-c", "exit 0", ":::", "a"], b""),
    # With --colsep the columns are the arguments: of {}, of --tag, and at the end.
    (["--colsep", ",", "echo", ":::", "1,2", "3"], b""),
    (["--colsep", ",", "--tag", "echo", "{}", "::::", "h.csv"], b""),
    # --header's names count the headers' columns; a row may be wider or narrower.
    (["--colsep", ",", "--header=:", "echo", "{h1}+{h2}+{x}", "::::", "ragged.csv", ":::", "x", "7", "8"], b""),
    # An empty source beside others is one empty argument.
    (["echo", "{1}-{2}", ":::", ":::", "a", "b"], b""),
    (["echo", "{1}-{2}", "::::", "/dev/null", ":::", "a", "b"], b""),
    (["echo", ":::", "a", "--", ":::"], b""),
    (["echo", "{1}-{2}", ":::", "a", "b", ":::+"], b""),
    (["--header=:", "echo", "{1}", "{2}", ":::", "a", ":::", "b", "3", "4"], b""),
    # An empty tag still gets its TAB; an option's value that looks like a separator.
    (["--tag", "echo", ":::", ""], b""),
    (["--tagstring", "{2}", "echo", ":::", "a"], b""),
    (["--tagstring", ":::", "echo", ":::", "a"], b""),
    (["echo", "{00}", "{-0}", "{1234567890}", "{-1}", "{-2}", ":::", "a", ":::", "b"], b""),
    (["echo $((1<<2)) {}", ":::", "a"], b""),  # a shift, not a here-document
]


def make_files(d):
    files = {"f1": "1\n2\n", "f2": "x\ny\n", "h.csv": "n,v\nx,1\ny,2\n", "spaced.txt": "a  b\nc d\n",
             "empty-line.txt": "a\n\nb", "ragged.csv": "h1,h2\n1,2\n3\n4,5,6\n"}
    for name, text in files.items():
        with open(os.path.join(d, name), "w", newline="") as f:
            f.write(text)


def forms(opts, ranks):
    ranks = int(ranks)
    if not require_parallel():
        return
    with tempfile.TemporaryDirectory() as d:
        make_files(d)
        for args, stdin in FORMS:
            ref = subprocess.run(PARALLEL + args, input=stdin, capture_output=True, env=ENV, cwd=d, timeout=60)
            for threads in (1, 3):
                cmd = [opts.parfold, "--threads", str(threads), "run"] + args
                got = subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, input=stdin,
                                     capture_output=True, env=ENV, cwd=d, timeout=120)
                what = f"{args} at {ranks} rank(s) x {threads} thread(s)"
                check(got.returncode == ref.returncode,
                      f"{what}: status {got.returncode}, parallel's {ref.returncode}: {got.stderr[-300:]!r}")
                check(got.stdout == ref.stdout, f"{what}: stdout\n{got.stdout[:300]!r}\nparallel -k:\n{ref.stdout[:300]!r}")
                check(got.stderr == ref.stderr.replace(b"/bin/sh: ", b"sh: "),
                      f"{what}: stderr\n{got.stderr[:300]!r}\nparallel -k:\n{ref.stderr[:300]!r}")
        print(f"{len(FORMS)} GNU parallel command lines, at {ranks} rank(s) x 1 and 3 threads")


# (arguments after `parfold run`, the start of the one message)
REFUSALS = [
    (["echo", "\"{}\"", ":::", "a"], "parfold: error: run 'echo \"{}\"': {} inside quotes or after a backslash"),
    (["echo", "'{.}'", ":::", "a"], "parfold: error: run 'echo '{.}'': {.} inside quotes"),
    (["echo", "\\{}", ":::", "a"], "parfold: error: run 'echo \\{}': {} inside quotes or after a backslash"),
    (["-j", "4", "echo", ":::", "a"], "parfold: error: -j: GNU parallel's -j is not taken: tasks run one per worker"),
    (["--pipe", "wc", ":::", "a"], "parfold: error: --pipe: GNU parallel's --pipe is not taken: "),
    (["-S", "host", "echo", ":::", "a"], "parfold: error: -S: GNU parallel's -S is not taken: parfold reaches"),
    (["--header", "x", "echo", ":::", "a"], "parfold: error: --header: only ':' is taken"),
    (["--colsep", "(", "echo", ":::", "a"], "parfold: error: --colsep '(': missing )"),
    (["--tag", "tasks.txt"], "parfold: error: run: --tag, --tagstring, --colsep, --header and --link need"),
    (["echo", "a"], "parfold: error: run: takes one TASKFILE, or COMMAND ::: ARGUMENTS"),
    (["echo", "::::", "missing.txt"], "parfold: error: missing.txt: "),
    (["--colsep", "x*", "echo", ":::", "abc"], "parfold: error: --colsep matches an empty string in 'abc'"),
    (["echo '{%}'", ":::", "a"], "parfold: error: run 'echo '{%}'': {%} inside quotes"),
    (["cat <<E\n{}\nE", ":::", "$(id)"], "parfold: error: run 'cat <<E\n{}\nE': {} after << (a here-document)"),
    (["echo", "{-3}", ":::", "a", ":::", "b"], "parfold: error: {-3}: a task has only 2 column(s)"),
    (["--tagstring", "{%}", "echo", ":::", "a"], "parfold: error: --tagstring '{%}': {%} (the slot) is known only"),
    (["echo"] + [":::"] + [str(i) for i in range(1000)] * 1 + [":::"] + [str(i) for i in range(1000)]
     + [":::"] + [str(i) for i in range(1000)], "parfold: error: run: the sources make 1000000000 tasks, more than parfold holds in a list (10^7)"),
]


def refusals(opts):
    with tempfile.TemporaryDirectory() as d:
        for args, message in REFUSALS:
            got = subprocess.run([opts.parfold, "run"] + args, capture_output=True, cwd=d, timeout=60)
            err = got.stderr.decode(errors="replace")
            what = f"run {args}"
            check(got.returncode == 2, f"{what}: status {got.returncode}, expected 2: {err!r}")
            check(err.startswith(message) and err.count("parfold: error") == 1,
                  f"{what}: message {err!r}, expected one starting {message!r}")
            check(got.stdout == b"", f"{what}: printed {got.stdout[:100]!r}")
        print(f"{len(REFUSALS)} refusals, each one message and status 2")


if __name__ == "__main__":
    sys.exit(suite_main({"forms": forms, "refusals": refusals}))
