"""Worker processes that end with their parent.

A worker blocked reading its pipe sees its parent's death as the end of the pipe (once it holds no copy of the
parent's end itself); one busy cleaning, or stuck in a library, would live on, holding its memory and whatever
output streams it inherited (a `newsclean clean ... | tee` that never ends). On Linux the kernel can signal a
process when its parent dies: asked for here, first thing in the worker.
"""
from __future__ import annotations

import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # prctl(2) option: the signal this process gets when its parent dies (Linux)


def die_with_parent(parent_pid: int | None = None) -> None:
    """Have the kernel kill this process (SIGKILL) when its parent dies, and exit now if `parent_pid`, the parent
    it was started by, is already gone (it died before the signal was asked for). Does nothing elsewhere than
    Linux, where the end of the pipe still stops an idle worker."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no libc to call
        return
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)


def exit_on_hangup(fd: int) -> None:
    """Exit as soon as the other end of the socket `fd` closes, even while busy: a thread waits for the hang-up
    alone (POLLRDHUP, never woken by data). For workers whose parent is not the process that talks to them (a
    fork server's children: the server outlives its client while they hold its lifeline)."""
    import select
    import threading

    hangup = getattr(select, "POLLRDHUP", 0) | select.POLLHUP
    if not hasattr(select, "poll") or not getattr(select, "POLLRDHUP", 0):
        return

    def watch() -> None:
        poller = select.poll()
        poller.register(fd, hangup)
        while True:
            for _, events in poller.poll():
                if events & select.POLLNVAL:  # closed here: the worker is ending on its own
                    return
                if events & hangup:
                    os._exit(1)

    threading.Thread(target=watch, name="newsclean-lifeline", daemon=True).start()
