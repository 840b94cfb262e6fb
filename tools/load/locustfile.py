"""Impersonate under load: ordinary users and super admins doing what people do, against two
instances that share one database. Run by scripts/load-test.sh (`make load-test`), which sets:

  LOAD_HOSTS        comma-separated base URLs of the instances; loopback only (checked below)
  LOAD_PASSWORD     the password of every seeded account (server seed-load)
  LOAD_USERS        how many user-N@load.test accounts exist (default 200)
  LOAD_SUPER_ADMINS how many admin-N@load.test accounts exist (default 20)
  LOAD_COUNTS       where to write the operations acknowledged, as JSON, when the run stops
  LOAD_MAX_REQUESTS a hard cap on requests: the run quits when it is reached, whatever the time

Each simulated person logs in with their own account and sends every request to one of the two
instances at random, so a session made on one is used on the other, and a consent changed on one
is decided against on the other.

Why the counts are exact: the audit log is compared afterwards with what the server acknowledged,
so each client counts only 2xx answers, and only for operations whose audit lines it can know.
A user is the only one who changes their own consent, and no window (24 h) ends during a run, so
a user who reads "not allowed" on their profile and then gets a 2xx for allow has created exactly
one grant; one who reads "allowed" and gets a 2xx for disallow has ended exactly one. A super
admin's acknowledged start is one `started` or `joined` line; an acknowledged task added while
impersonating is one `wrote` line (the write re-checks the impersonation under lock, so a write
after a disallow is refused, not recorded). Locust stops a person only between steps
(`Person.stop`, `--stop-timeout`), never with a request in flight, so no operation commits
unacknowledged; any request still unanswered at the end is reported, and fails the verdict.
"""

import ipaddress
import itertools
import json
import os
import random
import threading
import urllib.parse
from collections import Counter

import gevent
from locust import HttpUser, between, events, task
from locust.exception import StopUser
from locust.user.task import LOCUST_STATE_STOPPING

PASSWORD = os.environ.get("LOAD_PASSWORD", "")
USERS = int(os.environ.get("LOAD_USERS", "200"))
SUPER_ADMINS = int(os.environ.get("LOAD_SUPER_ADMINS", "20"))
COUNTS_FILE = os.environ.get("LOAD_COUNTS", "")
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "500000"))
# A client-side limit, so a hung request fails the run instead of holding it open.
REQUEST_TIMEOUT = 30


def loopback_hosts():
    """The instances to load, refusing anything that is not this machine."""
    hosts = [h.strip().rstrip("/") for h in os.environ.get("LOAD_HOSTS", "").split(",") if h.strip()]
    if not hosts:
        raise SystemExit("LOAD_HOSTS is empty: name the instances, e.g. http://127.0.0.1:3000,http://127.0.0.1:3001")
    for host in hosts:
        name = urllib.parse.urlsplit(host).hostname or ""
        try:
            loopback = name == "localhost" or ipaddress.ip_address(name).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise SystemExit(f"refusing to load {host}: only loopback addresses (127.0.0.0/8, ::1, localhost)")
    return hosts


HOSTS = loopback_hosts()

# Everything acknowledged, by kind; written to LOAD_COUNTS when the run stops. Locust runs every
# simulated person as a greenlet in this one process, so a plain Counter is shared by all.
COUNTS = Counter()
STATUS = Counter()
# Requests sent and not answered: a person stopped with one in flight would leave an operation
# that may have committed unacknowledged, and the audit comparison would be off by it.
IN_FLIGHT = Counter()
_written = threading.Lock()
_user_numbers = itertools.count(1)
_admin_numbers = itertools.count(1)


def refusal_of(response):
    """The refusal a 403 carries (`{"Refused": "NoConsent"}` -> "NoConsent"), if any."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("Refused") if isinstance(body, dict) else None


class Person(HttpUser):
    """What users and super admins share: logging in, and calling the app as a browser does."""

    abstract = True
    wait_time = between(0.5, 2.0)
    # Locust needs a host; every request names its own (one of HOSTS) anyway.
    host = HOSTS[0]

    def stop(self, force=False):
        # Locust kills a person that is waiting between steps at once; but a kill raised while the
        # wait is already over lands in the next request, which may then commit on the server
        # unacknowledged (seen in practice). So a person is only ever asked to stop: the next wait
        # (or the end of the one in progress) raises StopUser, between requests. A forced stop, after
        # --stop-timeout, still kills.
        if force:
            return super().stop(force=True)
        self._state = LOCUST_STATE_STOPPING
        return False

    def call(self, endpoint, form=None, refusals=()):
        """A server function: POST /api/<endpoint> with a form body and our own Origin, as the
        app's pages call them. Answers the response when it is 2xx, the refusal's name when it is
        a 403 this step expects (a race with another person, not a fault), and None otherwise."""
        return self.request("POST", f"/api/{endpoint}", f"api/{endpoint}", form or {}, refusals)

    def page(self, path):
        """A page, rendered on the server as a browser's first load of it."""
        return self.request("GET", path, f"page {path}", None, ())

    def request(self, method, path, name, form, refusals):
        STATUS["requests"] += 1
        if STATUS["requests"] > MAX_REQUESTS:
            # Quitting kills every person's greenlet, this one included: let another do it.
            gevent.spawn(self.environment.runner.quit)
            raise StopUser()
        host = random.choice(HOSTS)
        IN_FLIGHT[name] += 1
        with self.client.request(
            method,
            host + path,
            name=name,
            data=form,
            headers={"Origin": host} if method == "POST" else {},
            timeout=REQUEST_TIMEOUT,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            IN_FLIGHT[name] -= 1
            status = response.status_code
            STATUS[f"{status // 100}xx" if status else "no answer"] += 1
            if 200 <= status < 300:
                response.success()
                return response
            if status >= 500 or status == 0:
                STATUS[f"{'5xx' if status else 'no answer'} {name}"] += 1
                response.failure(f"{status}: {response.text[:200]}")
                return None
            refusal = refusal_of(response) if status == 403 else None
            if refusal in refusals:
                response.success()
                COUNTS[f"refused {name}: {refusal}"] += 1
                return refusal
            response.failure(f"unexpected {status}: {response.text[:200]}")
            return None

    def log_in(self, email):
        # A login waits for a hashing turn; should every turn be taken it is answered 503 with
        # Retry-After (counted as a 5xx, so a run that overloads hashing fails). Try a few times
        # so that the person takes part in the rest of the run either way.
        for _ in range(5):
            answer = self.call("auth/login", {"email": email, "password": PASSWORD, "next": ""})
            if answer is not None and not isinstance(answer, str):
                COUNTS["logins"] += 1
                return
            self.wait()
        raise StopUser()

    def ok(self, answer):
        return answer is not None and not isinstance(answer, str)


class OrdinaryUser(Person):
    """An ordinary user: reads their tenant's records and their profile, adds records, and allows
    or disallows impersonation, holding a grant open for a while so that staff can use it."""

    fixed_count = USERS

    def on_start(self):
        self.number = next(_user_numbers)
        self.log_in(f"user-{self.number}@load.test")

    @task
    def day(self):
        self.call("home")
        if random.random() < 0.5:
            self.page("/")
        if random.random() < 0.2:
            if self.ok(self.call("tasks/add", {"title": f"Load task of user {self.number}"})):
                COUNTS["task adds by users (no audit line)"] += 1
        self.wait()
        if random.random() < 0.3:
            self.page("/profile")
        answer = self.call("profile")
        if not self.ok(answer):
            return
        allowed = answer.json()["consent"]["state"] != "NotAllowed"
        self.wait()
        roll = random.random()
        if not allowed:
            if roll < 0.6:
                if self.ok(self.call("impersonation/allow")):
                    COUNTS["allows that created a grant"] += 1
            elif roll < 0.65:
                if self.ok(self.call("impersonation/disallow")):
                    COUNTS["disallows with nothing open (no line)"] += 1
        else:
            if roll < 0.25:
                if self.ok(self.call("impersonation/disallow")):
                    COUNTS["disallows that ended a grant"] += 1
            elif roll < 0.30:
                if self.ok(self.call("impersonation/allow")):
                    COUNTS["allows while a grant was open (no line)"] += 1


class SuperAdmin(Person):
    """A super admin: looks through the switcher and the audit log, impersonates someone who
    allows it, works as them for a moment, and stops."""

    fixed_count = SUPER_ADMINS

    def on_start(self):
        self.number = next(_admin_numbers)
        self.log_in(f"admin-{self.number}@load.test")

    @task
    def shift(self):
        if random.random() < 0.3:
            self.page("/impersonate")
        form = {"page": str(random.choice([0, 0, 0, 1, 2]))}
        if random.random() < 0.3:
            form["search"] = f"tenant {random.randint(1, max(1, (USERS + 19) // 20)):02}"
        switcher = self.call("impersonation/switcher", form)
        if random.random() < 0.15:
            self.call("audit", {"page": str(random.choice([0, 1]))})
            if random.random() < 0.5:
                self.page("/audit")
        if not self.ok(switcher):
            return
        candidates = switcher.json()["candidates"]
        if not candidates:
            self.wait()
            return
        subject = random.choice(candidates)
        self.wait()
        started = self.call(
            "impersonation/start",
            {"user": subject["user_id"], "reason": f"Load test, admin {self.number}"},
            refusals=("NoConsent", "ConsentExpired"),
        )
        if not self.ok(started):
            return
        COUNTS["starts (started or joined)"] += 1
        # Working as the user until done, or until the user disallows or another super admin's
        # stop ends this impersonation (rule 7, scope all): then the write or the stop is refused.
        for _ in range(random.randint(1, 3)):
            self.wait()
            self.call("home")
            if random.random() < 0.3:
                self.page(random.choice(["/", "/profile"]))
            if random.random() < 0.6:
                added = self.call(
                    "tasks/add",
                    {"title": f"Added by admin {self.number} while impersonating"},
                    refusals=("ImpersonationOver", "NoTenant"),
                )
                if not self.ok(added):
                    if added is not None:
                        return  # the impersonation is over; the session is the admin's own again
                    continue
                COUNTS["task adds while impersonating"] += 1
        self.wait()
        stopped = self.call("impersonation/stop", refusals=("NotImpersonating",))
        if self.ok(stopped):
            COUNTS["stops"] += 1


def write_counts(**_kwargs):
    if not COUNTS_FILE:
        return
    with _written:
        with open(COUNTS_FILE, "w", encoding="utf-8") as out:
            unanswered = {name: n for name, n in IN_FLIGHT.items() if n}
            json.dump({"acknowledged": dict(COUNTS), "status": dict(STATUS), "unanswered": unanswered}, out, indent=2, sort_keys=True)


events.test_stop.add_listener(write_counts)
events.quitting.add_listener(write_counts)
