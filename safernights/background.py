"""One thread per process for the work no reader waits for: writing held scans (scan_counts.py) and
reading the placements again (placements.py), each a job whose tick() it calls every TICK_SECONDS.

The thread is started by the first job that needs it after gunicorn has forked (threads do not
survive a fork, so a forked child starts its own). It holds no job alive: an app a test drops goes.
A job that waits on a stuck database holds up only this thread, never a reader's request.
"""

import os
import threading
import time
import weakref

TICK_SECONDS = 0.25


class Jobs:
    def __init__(self):
        self.jobs = weakref.WeakSet()
        self._forked()
        os.register_at_fork(after_in_child=self._forked)

    def _forked(self):
        self.running, self.lock = False, threading.Lock()

    def add(self, job):
        self.jobs.add(job)

    def start(self):
        """Make sure this process's thread runs; costs an attribute check once it does."""
        if self.running:
            return
        with self.lock:
            if not self.running:
                self.running = True
                threading.Thread(target=self._run, name="background", daemon=True).start()

    def _run(self):
        while True:
            time.sleep(TICK_SECONDS)
            for job in list(self.jobs):
                job.tick()


jobs = Jobs()
