#!/usr/bin/env python3
"""parfold lines grep against GNU grep 3.8 (LC_ALL=C, -a): its pattern languages (ERE,
BRE, -F, and -P against grep -P) with their corner cases from POSIX and from grep's
behaviour, back-references included, and its everyday options, byte for byte and exit
status for exit status; what parfold cannot do as grep does is refused by name (exit 2).

  grep_options_test.py --parfold BIN --mpiexec MPIEXEC patterns | options RANKS | recursive
                                                       | symlink_loops RANKS | word_lists RANKS
                                                       | perl RANKS
"""
import itertools
import os
import random
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test import FAILURES, check, make_texts, mpi, parallel_args, suite_main  # noqa: E402,F401

C = dict(os.environ, LC_ALL="C")

LINES = [b"a)b", b"*ab", b"+a", b"?x", b"{1}", b"a{}", b"ab", b"x y", b"\\d", b"d", b"aaa", b"foo bar", b"foobar",
         b"bar_foo", b"FOO Bar", b"\xe9t\xe9", b"\xc9T\xc9", b"a.b", b"a-b", b"tab\there", b"", b"end\\", b"[x]",
         b"a" * 1001, b"x{1}y", b"(ab)", b"a|b", b"a+b", b"hyphen-word", b"\x00nul", b"cr\r", b"word word word",
         b"  spaced  ", b"1234", b"ab12", b"_under_", b"Caf\xc3\xa9", b")b", b":", b"a2c", b"a-c", b"*b",
         # for back-references: doubled letters, words and halves
         b"abab", b"abcabc", b"xyyx", b"the the end", b"aab", b"baab", b"x-y", b"AbAB", b"aaaa", b"abba",
         b"a\rb", b"x\ra", b"a\r"]

# Patterns for -E (POSIX ERE, GNU extensions) and -G (BRE): grep's answer is the truth,
# whatever it is (a match count, or exit 2 with a message).
ERE = ["a)b", "*a", "+a", "?x", "{1}", "a{}", "a{1", "a{1,2", "a{,2}", "a{2,1}", "(*a)", "(+a)", "a|*b", "[:space:]",
       "[[:space:]]", "[[:alpha:]]+$", "[[:foo:]]", "a{32768}", "\\d", "\\w+", "\\W", "\\s", "\\S+", "\\<foo",
       "bar\\>", "\\<foo\\>", "\\bfoo\\b", "\\Bar", "\\`ab", "ab\\'", "[[.a.]]b", "[[=a=]]b", "[[.hyphen.]]",
       "[[.-.]]", "a||b", "(|a)", "()", "a**", "a+*", "^*", "x{,2}", "x{1}y", "[a", "a]", "[]x]", "[^]x]", "[a-]",
       "[z-a]", "[\\]", "\\(", "a\\|b", "a.b", "a\\.b", "^$", "^", "$", "\\", "a\\", "[[:upper:]]", "[[:digit:]]{4}",
       "(a)(b)", "(ab)+", "wo?rd", "(wor)?d", "\\.", "[.]", "\xe9", "[\xe9-\xff]", "a{1001}", "(a)\\1", "\\<(foo)",
       "\t", "[^a-z]", "ab|cd|", "^(a|b)*$", "x\\{1\\}", "\\{", "{", "a{,}", "a{1,}b",
       # issue 27, section 4: a ) right after a dropped leading *, + or ? is a character
       # (glibc), a range's end cannot start another, a class cannot bound a range, and
       # [:...:] is a mistaken class only with a non-colon byte and no class or range in it.
       "(*)b", "(+)b", "(?)b", "x(*)y", "(a|*)b", "(*))b", "(**))b", "(a|*))b", "(^*)", "(^*))b",
       "(a*|*)", "(a|{1})", "(a|{1}))", "^*b", "^+b", "^?b", "(^*b)", "a|^*b", "^{2}b", "a[1-3-5]c", "a[a-c-e]c", "a[1-3-]c", "[--3]", "[1--]", "[%--]",
       "[[:alpha:]-z]", "[a-[:alpha:]]", "[0-[:alpha:]]", "[1-3[.-.]]", "[::]", "[:space[:space:]:]",
       "[:spac-e:]", "[:a:]", "[::a]", "[:a]", "[:[.a.]:]", "[:[=a=]:]", "[^:space:]", "[:sp\\ace:]", "[:-:]",
       # ... after an anchor too, and after a dropped leading {; an equivalence class cannot
       # bound a range either.
       "(a^*)", "($*)b", "(\\<+)b", "a(b\\>?)", "(\\`*)", "(a|b^+)", "({)b", "(a|{)b", "(*{)b", "(*^)b",
       "(+^)", "[[=a=]-z]", "[a-[=z=]]"]
BRE = ["*a", "a\\{1", "\\(*a\\)", "a\\|*b", "^*a", "a^b", "a$b", "\\(^a\\)", "x\\{,2\\}", "\\{1\\}", "a+", "a\\+",
       "a\\?", "a|b", "a\\|b", "[a", "a]", "\\)", "\\(a\\)", "a\\{2\\}", "a\\{1001\\}", "\\(a\\)\\1", "a**", "^*",
       "a\\{1,\\}b", "x{1}y", "(ab)", "a.b", "\\<foo\\>", "$a", "a$", "^^", "\\(ab\\)*", "[[:alpha:]]*$",
       "\\(*\\)b", "a\\|*\\)", "a[1-3-5]c", "[::]", "[:space:]", "[:spac-e:]", "[[:digit:]-9]"]
REFUSED = {"a{1001}": "repetition count above 1000", "a\\{1001\\}": "repetition count above 1000"}

# Back-references (section 3): which lines POSIX's \N selects does not depend on which
# match an engine finds, so PCRE2 selects them; where they are valid is glibc's rule (a
# group closed before, in the same branch). Written from POSIX's text (XBD 9.3.6, 9.5.2)
# and grep 3.8's answers, each run with -i and, refused by name, with -o. Left out: glibc's
# wrong answer to ^(.*)(.*)\2\1$ (every line, after 8 minutes: parfold selects the lines
# XYYX) and (a*)*\1 (a minute of glibc's backtracking on the 1001 a's).
BACKREF_ERE = ["(a)\\1", "(.)\\1", "(a*)\\1b", "((a)\\2)", "(a)(b)\\2\\1", "(a)|\\1", "(a\\1)", "\\1",
               "(a)\\2", "(a)?b\\1", "^(.+)\\1$", "(a|b)\\1", "(x)(y)?\\2", "([[:alpha:]]+) \\1",
               "(a)\\10", "(ab)\\1", "(b)a\\1", "(A)\\1", "\\<-", "a-\\>", "\\<(foo)",
               "x\\<", "(-)\\>", "(a)(b)(c)(d)(e)(f)(g)(h)(i)\\9"]
BACKREF_BRE = ["\\(a\\)\\1", "\\(.\\)\\1", "\\(a\\)\\{2\\}\\1", "\\(ab\\)*\\1",
               "a\\(b\\)*\\1", "\\1", "\\(a\\1\\)", "\\(a\\)\\|\\1", "^\\(.*\\)\\1$", "\\(a\\)\\(b\\)\\2\\1",
               "(a)\\1"]
# The -o refusal for patterns that need PCRE2 (grep's errors come first: "Invalid back reference").
NEEDS_PCRE = "-o with a back-reference"


def grep(args, path):
    return subprocess.run(["grep", "-a"] + args + [path], capture_output=True, env=C)


def ours(opts, args, path, ranks=1, env=None, decomposition=("--threads", "2")):
    cmd = [opts.parfold] + list(decomposition) + ["lines", "grep", "-a"] + args + [path]
    return subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, capture_output=True, timeout=60,
                          env=dict(os.environ, **(env or {})))


def same_as_grep(opts, args, path, ranks=1, refused=None, env=None, decomposition=("--threads", "2")):
    want, p = grep(args, path), ours(opts, args, path, ranks, env, decomposition)
    what = f"lines grep {args!r} at {ranks} rank(s)"
    errors = [l for l in p.stderr.splitlines() if l.startswith(b"parfold: error:")]
    if refused is not None and want.returncode != 2:  # grep's own error comes first
        check(p.returncode == 2 and len(errors) == 1 and refused.encode() in errors[0] and b"not supported" in errors[0],
              f"{what}: should be refused naming {refused!r}: exit {p.returncode} {p.stderr!r}")
    elif want.returncode == 2:
        said = want.stderr.decode(errors="replace").splitlines()[-1].replace("grep: ", "")
        check(p.returncode == 2 and p.stdout == b"" and len(errors) == 1 and said.encode() in errors[0],
              f"{what}: grep refuses ({said!r}); parfold: exit {p.returncode} {p.stdout[:100]!r} {p.stderr!r}")
    else:
        check(p.returncode == want.returncode and p.stdout == want.stdout,
              f"{what}: exit {p.returncode} vs grep's {want.returncode}\n{p.stdout[:300]!r}\n{want.stdout[:300]!r}\n"
              f"{p.stderr!r}")


def patterns(opts):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "corner.txt")
        with open(path, "wb") as f:
            f.write(b"\n".join(LINES) + b"\n")
        runs = 0
        for syntax, cases in (("-E", ERE + BACKREF_ERE), ("-G", BRE + BACKREF_BRE)):
            for pattern in cases:
                # grep -o disagrees with grep -c where its regex and DFA matchers read a
                # pattern differently (a leading "{"; a ")" or "{n}" right after a dropped
                # leading "*"; an ERE's ^ repeated, which -o never prints): no -o for those.
                self_disagrees = (pattern.startswith("{") or pattern in ("(a|*))b", "(a|{1})", "(a|{1}))")
                                  or (syntax == "-E" and any(r in pattern for r in ("^*", "^?", "^{"))))
                pcre = pattern in BACKREF_ERE + BACKREF_BRE
                for extra in ([], ["-i"]) + (() if self_disagrees else (["-o", "-n"],)):
                    refused = NEEDS_PCRE if pcre and "-o" in extra else REFUSED.get(pattern)
                    same_as_grep(opts, [syntax] + extra + ["-e", pattern], path, refused=refused)
                    runs += 1
                # The same lines when PCRE2 runs every pattern (its translation, to_pcre).
                if pattern not in REFUSED:
                    same_as_grep(opts, [syntax, "-e", pattern], path, env={"PARFOLD_REGEX_ENGINE": "pcre2"})
                    runs += 1
        for pattern in ("a.b", "*a", "[x]", "a\\", "", "\xe9"):  # -F: every byte itself
            for extra in ([], ["-i"], ["-x"], ["-w", "-o"]):
                same_as_grep(opts, ["-F"] + extra + ["-e", pattern], path)
                runs += 1
        # Newlines split a pattern into patterns, each parsed alone: "a(\nb)" is two
        # invalid patterns for grep, not one valid one.
        for pattern in ("a(\nb)", "foo\nbar", "x\n", "\n", "[a\n]"):
            same_as_grep(opts, ["-E", "-e", pattern], path)
            runs += 1
        # -i folds ASCII letters only, as grep in the C locale: é (\xe9) is not É (\xc9).
        same_as_grep(opts, ["-i", "-c", "-e", "\xe9"], path)
        p = ours(opts, ["-o", "-C", "1", "a"], path)
        check(p.returncode == 2 and b"-o with -A, -B or -C is not supported" in p.stderr, f"-o -C: {p.stderr!r}")
        p = ours(opts, ["-E", "-F", "a"], path)
        check(p.returncode == 2 and b"conflicting matchers specified" in p.stderr, f"-E -F: {p.stderr!r}")
        print(f"{runs} patterns (ERE, BRE, -F, with -i and -o) as grep reads them, or refused by name")


# -P: grep -P's patterns (PCRE2) with grep -P's answers, in the C locale: look-around,
# lazy and possessive repeats, atomic groups, \K, \d \s \w, back-references, anchors,
# inline options, verbs, conditionals, recursion, empty matches, and PCRE2's errors.
PERL = [r"(?<=a)b", r"(?<!a)b", r"(?<=\s)\w+", r"\bfoo(?=bar)", r"foo(?!bar)", r"a.*?b", r"a+?", r"a*+b", r"a++",
        r"(?>a+)b", r"(?>a+)a", r"foo\K\w+", r"\d+", r"\s+\S", r"\w+", r"(a)\1", r"(\w)\1", r"^(\w+) \1",
        r"(?i)foo", r"[[:alpha:]]+\d", r"\xe9", r"^$", r"^", r"x*", r"(?<=^)a", r"a$", r"\Aa", r"b\z", r"\Z",
        r"(?m)^a", r"(?s)a.b", r"a|ab", r"(?|(a)|(b))\1", r"a{2,}", r"(?:ab)+", r"(?x) a b # comment", r"\Qa.b\E",
        r"(*FAIL)|a", r"(?(?=a)ab|b)", r"(a(?1)?b)", r"(?<!\w)bar", r"\bthe\b", r"(?=a)", r"\h", r"\N+",
        r"[^a]+", r"\W\w", r")", r"(?<=a+)b", r"[", "", "\\", r"(?P<x>a)(?P=x)", r"\x00", r"(?<=\x00)n",
        # newline conventions and atomic escapes, where a window of lines could mislead
        r"(*CR)a$", r"(*CR)^b", r"(*ANYCRLF)a$", r"\R$", r"a\X$", r"x(?=(\s?))\1$", r"(?<*\s)a", r"a\s*\K"]
PERL_OPTIONS = [[], ["-i"], ["-w"], ["-x"], ["-o", "-b"], ["-v", "-c"], ["-n", "--color=always"]]
PERL_DECOMPOSITIONS = [("--threads", "2"), ("--threads", "2", "--schedule", "dynamic", "--chunk", "1"),
                       ("--threads", "3", "--schedule", "cyclic", "--chunk", "61")]


def perl(opts, ranks):
    """-P against grep -P byte for byte (exit status, lines, -o's matches, colours), at
    RANKS ranks with chunks down to 1 byte; -P takes one pattern, as grep -P."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "corner.txt")
        with open(path, "wb") as f:
            f.write((b"\n".join(LINES) + b"\n") * 3 + b"no final newline abab")
        runs = 0
        for i, pattern in enumerate(PERL):
            for j, extra in enumerate(PERL_OPTIONS):
                if ranks > 1 and j != i % len(PERL_OPTIONS):
                    continue  # under MPI, what a split may change: one option set a pattern
                if pattern == "" and "-v" in extra:
                    continue  # grep exits at once, printing no count, when -v leaves nothing to select
                decomposition = PERL_DECOMPOSITIONS[(i + j) % len(PERL_DECOMPOSITIONS)]
                same_as_grep(opts, ["-P"] + extra + ["-e", pattern], path, ranks, decomposition=decomposition)
                runs += 1
        for args in (["-P", "-e", "a", "-e", "b"], ["-P", "a\nb"], ["-P", "-E", "a"]):
            same_as_grep(opts, args, path, ranks)  # grep's errors: one pattern only, conflicting matchers
            runs += 1
        print(f"{runs} -P runs at {ranks} rank(s) matched grep -P 3.8 byte for byte")


def options(opts, ranks):
    """The everyday options on the odd texts of the other suites, at every decomposition."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        paths = make_texts(d)[:6]
        pattern_file = os.path.join(d, "patterns.txt")
        with open(pattern_file, "wb") as f:
            f.write(b"abc\nXYZ\n\\.$\n")
        empty_file = os.path.join(d, "no-patterns.txt")
        open(empty_file, "wb").close()
        cases = [["-e", "ab", "-e", "XY"], ["-f", pattern_file], ["-f", empty_file], ["-f", empty_file, "-v", "-c"],
                 ["-w", "-n", "abc"], ["-x", "-c", ""], ["-x", "-n", "[a-c ]+"], ["-o", "-b", "[A-Z]+"],
                 ["-o", "-w", "-n", "c|a"], ["-o", "-i", "xyz"], ["-v", "-o", "a"], ["-l", "a"], ["-L", "XYZ"],
                 ["-l", "-Z", "b"], ["-c", "-Z", "b"], ["-H", "-Z", "-n", "c"], ["-q", "a"], ["-q", "zzz-none"],
                 ["-m", "2", "-n", "a"], ["-m", "1", "-c", "b"], ["-m", "3", "-o", "b+"], ["-m", "0", "a"],
                 ["-m", "5", "-v", "-n", "a"], ["-b", "-n", "-H", "c"], ["-i", "-w", "abc"], ["-G", "-n", "a\\{2\\}"],
                 ["-F", "-x", "-c", "abc"], ["-s", "-c", "a"], ["-h", "-o", "[0-9]+"],
                 # Context, across chunk and rank boundaries: "--" between groups, '-' after context.
                 ["-n", "-A", "2", "ab"], ["-B", "3", "-H", "XY"], ["-C", "1", "-n", "-b", "c"],
                 ["-C", "2", "-m", "3", "a"], ["-v", "-A", "1", "a"], ["-A", "1", "-B", "2", "-c", "x"],
                 ["-C", "4", "-x", "-n", ""], ["-A", "5", "-C", "1", "-Z", "-n", "b"],
                 # -NUM, -e -NUM (a pattern), and the group separators.
                 ["-2", "-n", "ab"], ["-e", "-2", "-c"], ["--group-separator=::", "-1", "c"],
                 ["--no-group-separator", "-C", "1", "-n", "b"], ["--group-separator=", "-B", "1", "XY"],
                 ["--color=always", "--group-separator=@@", "-1", "a"],
                 # Colours: grep's default GREP_COLORS, matches in selected and context lines.
                 ["--color=always", "-n", "-H", "a"], ["--color=always", "-C", "1", "-b", "c"],
                 ["--color=always", "-v", "-A", "1", "a"], ["--color=always", "-o", "[0-9]+"],
                 ["--color=always", "-c", "a"], ["--color=always", "-l", "b"], ["--color=never", "-n", "a"],
                 ["--color", "-n", "a"]]
        configs = [(1, "static", None), (3, "dynamic", "1"), (2, "guided", "4099")]
        runs = 0
        for i, args in enumerate(cases):
            mode = [] if "-G" in args or "-F" in args else ["-E"]  # parfold's default is -E, grep's -G
            want = subprocess.run(["grep", "-a"] + mode + args + paths, capture_output=True, env=C)
            # Decompositions in turn, two per case alone and one under mpirun (the parallel
            # ones): every decomposition meets every kind of case.
            mine = [configs[i % 3], configs[(i + 1) % 3]] if ranks == 1 else [configs[1 + i % 2]]
            for threads, schedule, chunk in mine:
                cmd = [opts.parfold] + parallel_args(threads, schedule, chunk) + ["lines", "grep", "-a"] + args + paths
                p = subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, capture_output=True, timeout=120)
                check(p.returncode == want.returncode and p.stdout == want.stdout,
                      f"grep {args} at {ranks} rank(s) {threads} {schedule} {chunk}: exit {p.returncode} vs "
                      f"{want.returncode}\n{p.stdout[:300]!r}\n{want.stdout[:300]!r}\n{p.stderr[:300]!r}")
                runs += 1
        # GREP_COLORS and the older GREP_COLOR, as grep reads them.
        for env in ({"GREP_COLORS": "ms=04;32:fn=1:ln=33:se=:ne"}, {"GREP_COLORS": "mt=7:bn=35"}, {"GREP_COLOR": "4"}):
            args = ["--color=always", "-n", "-b", "-H", "-A", "1", "b"]
            want = subprocess.run(["grep", "-a", "-E"] + args + paths, capture_output=True, env=dict(C, **env))
            p = subprocess.run([opts.parfold, "lines", "grep", "-a"] + args + paths, capture_output=True, env=dict(C, **env))
            check(p.returncode == want.returncode and p.stdout == want.stdout, f"{env}: {p.stdout[:200]!r}")
        # A missing file among the files: -s keeps quiet, -q succeeds on a selected line.
        missing = os.path.join(d, "missing.txt")
        for args in (["-s", "-c", "a"], ["-q", "a"], ["-l", "a"]):
            want = subprocess.run(["grep", "-a"] + args + [missing] + paths, capture_output=True, env=C)
            p = subprocess.run([opts.parfold, "lines", "grep", "-a"] + args + [missing] + paths, capture_output=True)
            check(p.returncode == want.returncode and p.stdout == want.stdout and
                  (b"missing.txt" in p.stderr) == (b"missing.txt" in want.stderr or args[0] == "-q"),
                  f"{args} with a missing file: exit {p.returncode} vs {want.returncode} {p.stderr!r}")
        print(f"{runs} runs of grep's options at {ranks} rank(s) matched grep byte for byte")


def early_stop(opts, ranks):
    """-m, -q, -l and -L stop reading a file once its answer is known (parfold skips the
    windows of 16 MiB per worker after that): on files larger than several windows, with
    the lines that decide near the windows' edges, the output is still grep's."""
    ranks = int(ranks)
    filler = b"x" * 60
    lines = 800000  # about 60 MB
    # With one thread per rank a window is 16 MiB per rank: the last line that starts in
    # the first window, whose -A context is in the second.
    window = (16 << 20) * ranks
    edge = max(i for i, at in enumerate(itertools.accumulate([0] + [len(b"line %d " % i) + 61 for i in range(lines)]))
               if at < window)
    with tempfile.TemporaryDirectory() as d:
        def make(name, hits):
            path = os.path.join(d, name)
            with open(path, "wb") as f:
                f.write(b"".join((b"needle %d " % i if i in hits else b"line %d " % i) + filler + b"\n"
                                 for i in range(lines)))
            return path
        early = make("early", {5, 6, 7, 9, edge, edge + 1, lines - 1})
        late = make("late", {edge, edge + 3, lines - 100})
        none = make("none", set())
        files = [early, late, none]
        runs = 0
        for args in (["-m", "1"], ["-m", "1", "-A", "2"], ["-m", "3", "-n", "-A", "2"], ["-m", "4", "-B", "1", "-b"], ["-c", "-m", "2"],
                     ["-l"], ["-L"], ["-q"], ["-m", "1", "-c", "-v"], ["-m", "2", "-o", "needle [0-9]+"]):
            for chosen in (files, [late], [none, early]):
                want = subprocess.run(["grep", "-a", "-E"] + args + ["needle"] + chosen, capture_output=True, env=C)
                if args[-1].startswith("needle"):
                    want = subprocess.run(["grep", "-a", "-E"] + args + chosen, capture_output=True, env=C)
                pattern = [] if args[-1].startswith("needle") else ["needle"]
                cmd = [opts.parfold, "--threads", "1", "lines", "grep", "-a"] + args + pattern + chosen
                p = subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, capture_output=True, timeout=120)
                check(p.returncode == want.returncode and p.stdout == want.stdout,
                      f"lines grep {args} {len(chosen)} files at {ranks} rank(s): exit {p.returncode} vs "
                      f"{want.returncode}\n{p.stdout[-300:]!r}\n{want.stdout[-300:]!r}\n{p.stderr[:300]!r}")
                runs += 1
    print(f"{runs} early-stopping runs at {ranks} rank(s) matched grep")


def sorted_walk(top, follow):
    """The files under `top` in parfold's documented order: names sorted bytewise in each
    directory, symbolic links inside skipped (-r) or followed (-R)."""
    out = []
    for name in sorted(os.listdir(top)):
        path = os.path.join(top, name)
        if os.path.islink(path) and not follow:
            continue
        if os.path.isdir(path):
            out += sorted_walk(path, follow)
        elif os.path.isfile(path):
            out.append(path)
    return out


def recursive(opts):
    """-r and -R against grep (whose order is readdir's: compared as sorted lines), and
    parfold's own order checked against a sorted walk."""
    with tempfile.TemporaryDirectory() as d:
        texts = make_texts(d)[:4]
        tree = os.path.join(d, "tree")
        for sub in ("b", "a/deep/er", "c", "empty"):
            os.makedirs(os.path.join(tree, sub))
        for i, place in enumerate(("b", "a", "a/deep/er", "c", "", "a/deep")):
            with open(os.path.join(tree, place, f"f{i}.txt"), "wb") as f, open(texts[i % 4], "rb") as src:
                f.write(src.read())
        os.symlink(os.path.join(tree, "c"), os.path.join(tree, "a", "to_c"))
        os.symlink(os.path.join(tree, "b", "f0.txt"), os.path.join(tree, "link.txt"))
        for args in (["-r", "a"], ["-r", "-c", "b"], ["-R", "-c", "b"], ["-r", "-l", "X"], ["-r", "-n", "-h", "c"],
                     ["-r", "-L", "zzz"], ["-r", "zzz-none"]):
            for operands, cwd in (([], tree), (["."], tree), ([tree + "/"], d), (["a", "f4.txt"], tree)):
                want = subprocess.run(["grep", "-a", "-E"] + args + operands, capture_output=True, env=C, cwd=cwd)
                p = subprocess.run([os.path.abspath(opts.parfold), "--threads", "3", "--chunk", "999", "lines", "grep", "-a"] +
                                   args + operands, capture_output=True, cwd=cwd, timeout=60)
                check(p.returncode == want.returncode and sorted(p.stdout.split(b"\n")) == sorted(want.stdout.split(b"\n")),
                      f"grep {args} {operands}: exit {p.returncode} vs {want.returncode}\n{p.stdout[:300]!r}\n{want.stdout[:300]!r}")
        name_filters(opts, d, tree)
        for follow in (False, True):
            p = subprocess.run([opts.parfold, "lines", "grep", "-R" if follow else "-r", "-c", "", tree], capture_output=True)
            files = [line.rsplit(b":", 1)[0].decode() for line in p.stdout.splitlines()]
            check(files == sorted_walk(tree, follow), f"order of -r: {files}")
    print("-r and -R: grep's lines, in a sorted walk's order")


def symlink_maze(top):
    """A tree with links back up (".", "..", "../..", an absolute link to the top), a
    link across to a sibling (not a loop: grep reads it twice), a link to a file, a
    dangling link, a link to itself and a chain of two links to each other."""
    for sub in ("sub/deep", "other"):
        os.makedirs(os.path.join(top, sub))
    for name, text in (("a", "hello\n"), ("sub/b", "hello b\n"), ("sub/deep/c", "c hello\n"), ("other/d", "hello d\n")):
        with open(os.path.join(top, name), "w") as f:
            f.write(text)
    for name, target in (("self", "."), ("sub/up", ".."), ("sub/deep/two", "../.."), ("sub/home", os.path.abspath(top)),
                         ("sub/side", "../other"), ("to_a", "a"), ("dangle", "nowhere"), ("loop", "loop"),
                         ("c1", "c2"), ("c2", "c1")):
        os.symlink(target, os.path.join(top, name))


def same_walk_as_grep(opts, ranks, argv, cwd, compare_stderr=True):
    """parfold lines grep ARGV against grep ARGV in `cwd`: exit status, stdout and stderr
    ("grep:" read as "parfold:"; grep's order is readdir's: compared as sorted lines)."""
    want = subprocess.run(["grep", "-a", "-E"] + argv, capture_output=True, env=C, cwd=cwd)
    cmd = [os.path.abspath(opts.parfold), "--threads", "2", "lines", "grep", "-a"] + argv
    what = f"grep {argv} in {os.path.basename(cwd)} at {ranks} rank(s)"
    # A walk that never ends (a loop followed) is killed with all it started, ranks too.
    with subprocess.Popen(mpi(opts, ranks, cmd) if ranks > 1 else cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, cwd=cwd, start_new_session=True) as run:
        try:
            stdout, stderr = run.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            run.communicate()
            return check(False, f"{what}: still running after 20 s")
    p = subprocess.CompletedProcess(cmd, run.returncode, stdout, stderr)
    said = sorted(l.replace(b"grep:", b"parfold:", 1) for l in want.stderr.splitlines())
    ours = sorted(l for l in p.stderr.splitlines() if l.startswith(b"parfold:"))  # not mpirun's words
    check(p.returncode == want.returncode and sorted(p.stdout.splitlines()) == sorted(want.stdout.splitlines())
          and (ours == said or not compare_stderr),
          f"{what}: exit {p.returncode} vs {want.returncode}\n{p.stdout[:300]!r}\n{want.stdout[:300]!r}\n"
          f"{p.stderr[:600]!r}\n{want.stderr[:600]!r}")


def symlink_loops(opts, ranks):
    """-R through links back up, dangling links and loops of links, as grep: a directory
    met again inside itself (by device and inode) is said once ("warning: recursive
    directory loop", no effect on the status) and not entered; a dangling link or a loop
    of links is an error (its reason, status 2); -s silences both; -r skips the links it
    meets but follows those given. At 1 and 3 ranks: each message once."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        top = os.path.join(d, "t")
        symlink_maze(top)
        cases = [["hello"], ["-c", "hello"], ["-L", "hello"], ["-n", "zzz-none"], ["-s", "hello"],
                 ["--exclude-dir=sub", "--exclude=c*", "hello"]]
        places = [(["t"], d), ([], top), (["."], top), (["t/self", "t/sub"], d), ([os.path.join(top, "sub/")], d)]
        runs = 0
        for flag in ("-R", "-r"):
            # Under mpiexec the messages and the status are what is new: a few runs.
            for args, (operands, cwd) in (itertools.product(cases, places) if ranks == 1 else
                                          [(cases[0], places[3 if flag == "-r" else 0])]):
                same_walk_as_grep(opts, ranks, [flag] + args + operands, cwd)
                runs += 1
        # -q: the status (grep stops at its first selected line, in readdir's order: which
        # messages come before it is not compared).
        for args in (["-q", "hello"], ["-q", "zzz-none"], ["-q", "-s", "zzz-none"])[:3 if ranks == 1 else 1]:
            same_walk_as_grep(opts, ranks, ["-R"] + args + ["t"], d, compare_stderr=False)
            runs += 1
        # Only loops, no error: status 0 (1 when nothing is selected), the warnings said.
        loops = os.path.join(d, "loops")
        os.makedirs(os.path.join(loops, "in"))
        with open(os.path.join(loops, "in", "f"), "w") as f:
            f.write("hello\n")
        os.symlink(".", os.path.join(loops, "self"))
        os.symlink("..", os.path.join(loops, "in", "up"))
        for args in (["hello"], ["zzz-none"], ["-c", "hello"])[:3 if ranks == 1 else 1]:
            same_walk_as_grep(opts, ranks, ["-R"] + args + ["loops"], d)
            runs += 1
        # Only broken links, no loop of directories: grep's reasons and status 2 (-s: no
        # message, the same status); -r skips them.
        broken = os.path.join(d, "broken")
        os.makedirs(broken)
        with open(os.path.join(broken, "f"), "w") as f:
            f.write("hello\n")
        for name, target in (("dangle", "nowhere"), ("loop", "loop"), ("c1", "c2"), ("c2", "c1"), ("to_f", "f")):
            os.symlink(target, os.path.join(broken, name))
        for args in (["-R", "hello"], ["-R", "-c", "zzz-none"], ["-R", "-s", "hello"], ["-r", "hello"])[:4 if ranks == 1 else 1]:
            same_walk_as_grep(opts, ranks, args + ["broken"], d)
            runs += 1
    print(f"{runs} walks through links at {ranks} rank(s): grep's lines, messages and status")


def name_filters(opts, d, tree):
    """--include, --exclude and --exclude-dir against grep: globs on base names under -r,
    on whole names or their parts after a '/' on the command line, the last matching
    --include/--exclude deciding, a first --include leaving out what matches nothing."""
    for name in ("a/x.c", "b/y.h", "a/deep/.z.c", "c/f3.txt.c"):
        with open(os.path.join(tree, name), "w") as f:
            f.write("a line\n")
    cases = [["--include=*.c"], ["--exclude=*.c"], ["--include=*.c", "--exclude=x*"], ["--exclude=x*", "--include=*.c"],
             ["--include", "f?.txt", "--include=*.h"], ["--exclude=*"], ["--include=a"], ["--exclude=a/x.c"],
             ["--exclude-dir=a"], ["--exclude-dir=d*"], ["--exclude-dir=."], ["--exclude-dir=tree"],
             ["--exclude-dir=a/deep"], ["--include=*.c", "--exclude-dir=deep"], ["--exclude=*.txt", "--exclude=f*"],
             ["--include=[xy].?"], ["--exclude=*[0-2].txt"]]
    for flags in cases:
        for args, operands, cwd in ((["-r"], [], tree), (["-r"], ["."], tree), (["-r"], ["tree"], d), (["-r"], ["tree/"], d),
                                    (["-r", "-c"], ["a", "f4.txt", "b/y.h"], tree), ([], ["a/x.c", "b/y.h", "f4.txt"], tree),
                                    ([], ["a/x.c"], tree)):
            argv = args + flags + ["a"] + operands
            want = subprocess.run(["grep", "-a", "-E"] + argv, capture_output=True, env=C, cwd=cwd)
            p = subprocess.run([os.path.abspath(opts.parfold), "lines", "grep", "-a"] + argv, capture_output=True, cwd=cwd,
                               timeout=60, stdin=subprocess.DEVNULL)
            check(p.returncode == want.returncode and sorted(p.stdout.split(b"\n")) == sorted(want.stdout.split(b"\n")),
                  f"grep {argv} in {cwd}: exit {p.returncode} vs {want.returncode}\n{p.stdout[:300]!r}\n{want.stdout[:300]!r}"
                  f"\n{p.stderr[:300]!r}")


def binary(opts, ranks):
    """Without -a, as grep: a file with a NUL byte in its first 96 KiB (grep's first read)
    prints no line but, when a line is selected (NUL bytes then end lines too), "FILE:
    binary file matches" on stderr, even with -s; counts, -l, -L and -q as for text. A NUL
    only after the first 96 KiB: the file is printed as text (as with -a; grep would stop
    at the buffer that holds it), as README says."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        text = b"".join(b"abc line %d\n" % i for i in range(20000))  # 243 KB
        files = {"text.txt": text, "nul0.bin": b"\0" + text, "random.bin": open(make_texts(d)[0], "rb").read(),
                 "edge.bin": text[:98303] + b"\0" + text[98304:], "split.bin": b"ab\0def\nabc\n",
                 "only-nul.bin": b"\0\0\n\0"}
        for name, data in files.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        names = sorted(files)
        cases = [["abc"], ["-n", "abc"], ["zzz"], ["^def"], ["-x", "def"], ["-v", "abc"], ["-c", "abc"], ["-l", "abc"],
                 ["-L", "def"], ["-q", "zzz"], ["-s", "abc"], ["-o", "b.*"], ["-A", "1", "line 7$"], ["-m", "1", "abc"],
                 ["-w", "c"], ["^$"], ["-a", "def"], ["-I", "abc"], ["-I", "-c", "abc"], ["-I", "-l", "abc"],
                 ["-I", "-L", "abc"], ["-I", "-q", "abc"], ["--binary-files=text", "-n", "abc"], ["-I", "-a", "abc"],
                 ["-a", "-I", "-c", "abc"], ["--binary-files=without-match", "-v", "x"], ["--binary-files=binary", "-c", "d"]]
        for args in cases:
            for chosen in (names, ["split.bin"], ["text.txt", "nul0.bin"], ["edge.bin"]):
                want = subprocess.run(["grep", "-E"] + args + chosen, capture_output=True, env=C, cwd=d)
                cmd = [os.path.abspath(opts.parfold), "--threads", "2", "--chunk", "4099", "lines", "grep"] + args + chosen
                p = subprocess.run(mpi(opts, ranks, cmd) if ranks > 1 else cmd, capture_output=True, cwd=d, timeout=60)
                said = sorted(l.replace(b"grep:", b"parfold:", 1) for l in want.stderr.splitlines())
                ours = sorted(l for l in p.stderr.splitlines() if l.startswith(b"parfold:"))  # not mpirun's words
                check(p.returncode == want.returncode and p.stdout == want.stdout and ours == said,
                      f"grep {args} {chosen} at {ranks} rank(s): exit {p.returncode} vs {want.returncode}\n"
                      f"{p.stdout[:300]!r}\n{want.stdout[:300]!r}\n{p.stderr[:300]!r}\n{want.stderr[:300]!r}")
        p = subprocess.run([opts.parfold, "lines", "grep", "--binary-files=maybe", "a", "text.txt"], capture_output=True,
                           cwd=d, timeout=60)
        check(p.returncode == 2 and b"--binary-files: unknown binary-files type 'maybe'" in p.stderr, f"{p.stderr!r}")
        late = text[:200000] + b"\0" + text[200000:]
        with open(os.path.join(d, "late.bin"), "wb") as f:
            f.write(late)
        want = subprocess.run(["grep", "-a", "-n", "abc", "late.bin"], capture_output=True, env=C, cwd=d)
        p = subprocess.run([os.path.abspath(opts.parfold), "lines", "grep", "-n", "abc", "late.bin"], capture_output=True,
                           cwd=d, timeout=60)
        check(p.returncode == 0 and p.stdout == want.stdout and p.stderr == b"", f"a NUL after 96 KiB: {p.stderr!r}")
    print(f"binary files at {ranks} rank(s): grep's lines, messages and status")


def word_list_texts(d):
    """A text of 3,000 lines of words (some upper case, some with regex metacharacters,
    Latin-1 letters) and lists of 10^5 words drawn from a seeded PRNG: `plain.txt` (letters
    only, 1,500 of them in the text, repeats), `listed.txt` (the same with metacharacters
    and words ending in '.', for -F), `some.txt` and `some-plain.txt` (the first 10^4 of
    each, for -w: grep's -w takes 20 s on 10^5 words) and `empty.txt` (2,000 of them and an
    empty line, which selects every line; with -w, lines with an empty string between
    non-word bytes)."""
    rng = random.Random(23)
    letters = "abcdefghijklmnopqrstuvwxyz"

    def word(lo, hi):
        return "".join(rng.choice(letters) for _ in range(rng.randint(lo, hi)))
    vocab = [word(2, 8) for _ in range(3000)]
    meta = ["a.b", "(x)", "c++", "[y]", "\\d", "^st", "en$", "*", "x|y", "{1}", "?", "_id", "foo-bar", "\xe9t\xe9",
            "\xc9T\xc9"]
    lines = []
    for _ in range(3000):
        tokens = [rng.choice(vocab + meta) for _ in range(rng.randint(0, 9))]
        tokens = [t.upper() if rng.random() < 0.1 else t for t in tokens]
        lines.append(rng.choice([" ", ", ", "_", "-", "  "]).join(tokens) + rng.choice(["", ".", " "]))
    plain = [word(3, 9) for _ in range(98500)] + rng.sample(vocab, 1000) + [w.upper() for w in rng.sample(vocab, 500)]
    rng.shuffle(plain)
    plain += plain[:200]
    listed = plain + meta + [w + "." for w in vocab[:100]]
    rng.shuffle(listed)
    files = {"text.txt": lines, "plain.txt": plain, "listed.txt": listed, "some.txt": listed[:10000],
             "some-plain.txt": plain[:10000],
             "empty.txt": listed[:1000] + [""] + listed[1000:2000]}
    for name, content in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(("\n".join(content) + "\n").encode("latin1"))


def word_list_as_grep(opts, ranks, d, args):
    """Does `lines grep -a ARGS` print what `grep -a ARGS` prints, with its status, within
    20 s (a hang check)?"""
    want = subprocess.run(["grep", "-a"] + args, capture_output=True, env=C, cwd=d)
    cmd = [os.path.abspath(opts.parfold), "--threads", "2", "--chunk", "4099", "lines", "grep", "-a"] + args
    cmd = mpi(opts, ranks, cmd) if ranks > 1 else cmd
    try:
        p = subprocess.run(cmd, capture_output=True, cwd=d, timeout=20)
    except subprocess.TimeoutExpired:
        check(False, f"grep {args} at {ranks} rank(s): still running after 20 s")
        return False
    same = p.returncode == want.returncode and p.stdout == want.stdout
    check(same,
          f"grep {args} at {ranks} rank(s): exit {p.returncode} vs {want.returncode}, "
          f"{len(p.stdout.splitlines())} vs {len(want.stdout.splitlines())} lines\n{p.stdout[:300]!r}\n"
          f"{want.stdout[:300]!r}\n{p.stderr[:300]!r}")
    return same


def word_lists(opts, ranks):
    """-f with 10^4 and 10^5 words against grep, in 2 threads of small chunks (and ranks):
    an Aho-Corasick automaton runs them where Hyperscan would compile for minutes and RE2's
    DFA would run out of memory (before: more than 60 s). Each run has 20 s: a hang check.
    Then -o, -w -o and --color with 300 words each inside the longer ones on a line of
    200,000 bytes (before: 31 s and 1 GB for all the occurrences, sorted)."""
    ranks = int(ranks)
    with tempfile.TemporaryDirectory() as d:
        word_list_texts(d)
        cases = [["-F", "-n", "-o", "-f", "listed.txt"], ["-F", "-i", "-o", "-b", "-f", "listed.txt"],
                 ["-F", "-x", "-n", "-f", "listed.txt"], ["-F", "-v", "-c", "-f", "listed.txt"],
                 ["-F", "--color=always", "-f", "listed.txt"], ["-G", "-i", "-n", "-f", "plain.txt"],
                 ["-E", "-x", "-c", "-f", "plain.txt"], ["-F", "-w", "-o", "-f", "some.txt"],
                 ["-G", "-w", "-i", "-v", "-c", "-f", "some-plain.txt"], ["-F", "-w", "-n", "-f", "empty.txt"],
                 ["-F", "-x", "-c", "-f", "empty.txt"], ["-F", "-o", "-n", "-f", "empty.txt"]]
        with open(os.path.join(d, "nested.txt"), "w") as f:  # every word inside the longer ones
            f.write("".join("a" * k + "\n" for k in range(1, 301)))
        with open(os.path.join(d, "long.txt"), "w") as f:  # 200,000 places where 300 words begin
            f.write("a" * 200000 + "\nb a aa_ aaa\n")
        cases += [["-F", "-o", "-f", "nested.txt", "long.txt"], ["-F", "-w", "-o", "-f", "nested.txt", "long.txt"],
                  ["-F", "--color=always", "-f", "nested.txt", "long.txt"]]
        matched = sum(word_list_as_grep(opts, ranks, d, a if a[-1] == "long.txt" else a + ["text.txt"])
                      for a in cases)
        print(f"{matched} of {len(cases)} runs with lists of 300 to 10^5 words at {ranks} rank(s) matched grep "
              "byte for byte")


if __name__ == "__main__":
    sys.exit(suite_main(globals()))
