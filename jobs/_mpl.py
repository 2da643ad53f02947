"""Imports matplotlib (Debian's python3-matplotlib) with a headless backend.

If the running interpreter lacks matplotlib (a pyenv or venv python first on PATH)
and Debian's /usr/bin/python3 has it, the script re-runs itself with that one."""
import os
import sys


def pyplot():
    try:
        import matplotlib
    except ImportError:
        system = "/usr/bin/python3"
        if os.path.realpath(sys.executable) != os.path.realpath(system) and os.path.exists(system) \
                and not os.environ.get("PARFOLD_MPL_REEXEC"):
            os.environ["PARFOLD_MPL_REEXEC"] = "1"
            os.execv(system, [system] + sys.argv)
        sys.exit("error: matplotlib is missing: install it with "
                 "'sudo apt-get install python3-matplotlib' (or bash cmake/install-deps.sh)")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt
