#!/usr/bin/python3
"""Server benchmarks of `slipway server` (issue 3, section 9). Prints one table.

Usage: bench/server/bench.py [dispatch|dispatch-small|throughput|buildbot|runs|log|all]
                             [--runs N]
  dispatch    a chain of 1,000 jobs (each needs the one before), 4 idle embedded agents,
              SQLite: per job, the time from "queued" (the dispatcher's decision) to the moment
              the job's step process runs: the step is `bench-clock` (bench/server/clock.c,
              built static, on the server's PATH), which prints the wall clock in ns
              (`date +%s%N` would add ~1.2 ms of dynamic loading and locale files); p50/p99.
  dispatch-small  the same over 100 runs of a 10-job chain (1,000 jobs, small pipelines).
  throughput  1,000 independent jobs `run: true`, 4 embedded agents: jobs/s on SQLite and on a
              private PostgreSQL 15 (initdb + pg_ctl in a temp dir, run as `postgres`).
  buildbot    200 trivial jobs with parallelism 2: slipway (2 embedded agents) against Debian's
              buildbot master + 2 workers (a Trigger step fanning out 200 builds); wall ratio.
  runs        server RSS idle; then 100k stored runs (server_populate) and 1,000 GET
              …/runs?limit=50 (first page, deep keyset pages) with p50/p99 and RSS.
  log         a 1 GiB job log stored through store::AppendLog: GET …/logs?offset=X&limit=1MiB.
Each timed figure is the median of N repetitions (default 3) unless it is a percentile over
many requests. Results are recorded in docs/performance.md ("Server").
"""
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SLIPWAY_BUILD", os.path.join(ROOT, "build-release"))
SLIPWAY = os.path.join(BUILD, "slipway")
POPULATE = os.path.join(BUILD, "bench", "server_populate")
PG_BIN = "/usr/lib/postgresql/15/bin"
OUT = os.path.join(ROOT, "bench", "out", "server")
BIN = os.path.join(OUT, "bin")  # on the servers' PATH (bench-clock)
FINAL = ("success", "failure", "cancelled")

rows = []


def row(name, value, peer="", ratio="", goal=""):
    rows.append((name, value, peer, ratio, goal))
    print(f"  {name}: {value} {peer} {ratio} {goal}", file=sys.stderr, flush=True)


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def pct(values, p):
    """The p-th percentile (nearest rank) of values."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def ms_of(stamp):
    """RFC 3339 "2026-11-26T13:31:16.123Z" -> epoch ms."""
    dt = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return round(dt.timestamp() * 1000)


def git_repo(path, pipeline):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    with open(os.path.join(path, ".slipway.yml"), "w") as f:
        f.write(pipeline)
    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@localhost",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@localhost")
    for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"],
                ["git", "commit", "-qm", "bench"]):
        subprocess.run(cmd, cwd=path, check=True, env=env)


class Client:
    """A keep-alive HTTP client for the API."""

    def __init__(self, port, token):
        self.port, self.token = port, token
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method, path, body=None):
        headers = {"Authorization": "Bearer " + self.token}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                payload = resp.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        if resp.status >= 400:
            raise RuntimeError(f"{method} {path}: {resp.status} {payload[:300]!r}")
        return resp, payload

    def json(self, method, path, body=None):
        _, payload = self.call(method, path, body)
        return json.loads(payload) if payload else None


class Server:
    """`slipway server` in a temp data dir."""

    def __init__(self, data, agents, database=None, fresh=True):
        self.data = data
        if fresh:
            shutil.rmtree(data, ignore_errors=True)
        os.makedirs(data, exist_ok=True)
        self.port = free_port()
        args = [SLIPWAY, "server", "--data", data, "--listen", f"127.0.0.1:{self.port}",
                "--local-agents", str(agents)]
        if database:
            args += ["--database", database]
        self.stderr = open(os.path.join(data, "server.log"), "w")
        env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
        self.proc = subprocess.Popen(args, stdout=self.stderr, stderr=self.stderr, env=env)
        deadline = time.time() + 30
        token_file = os.path.join(data, "initial-admin-token")
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("the server exited; see " + self.stderr.name)
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200 and os.path.exists(token_file):
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        with open(token_file) as f:
            self.token = f.read().strip()
        self.api = Client(self.port, self.token)

    @property
    def pid(self):
        return self.proc.pid

    def add_project(self, name, repo):
        self.api.json("POST", "/api/v1/projects",
                      {"name": name, "repo": repo, "branch": "main", "poll_interval_seconds": 0})

    def start_run(self, project):
        return self.api.json("POST", f"/api/v1/projects/{project}/runs", {})["number"]

    def wait_run(self, project, number, poll=0.02, timeout=1800):
        deadline = time.time() + timeout
        while time.time() < deadline:
            run = self.api.json("GET", f"/api/v1/projects/{project}/runs/{number}")
            if run["status"] in FINAL:
                return run, time.time()
            time.sleep(poll)
        raise RuntimeError(f"run {project}/{number} did not finish")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()


def trivial_jobs(n, prefix="j"):
    lines = ["name: trivial", "on: manual", "jobs:"]
    for i in range(n):
        lines += [f"  {prefix}{i:04d}:", "    steps:", '      - run: "true"']
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
def clock_program():
    """bench/server/clock.c built static as OUT/bin/bench-clock: the dispatch benchmark's
    step. Servers find it on their PATH, so the step is a simple command that slipway runs
    without a shell, as it would `date`."""
    os.makedirs(BIN, exist_ok=True)
    subprocess.run(["cc", "-O2", "-static", "-o", os.path.join(BIN, "bench-clock"),
                    os.path.join(ROOT, "bench", "server", "clock.c")], check=True)
    return "bench-clock"


def bench_dispatch(runs, n=1000, agents=4, chains=1):
    """`chains` runs of a chain of `n` jobs per repetition."""
    clock = clock_program()
    lines = ["name: chain", "on: manual", "jobs:"]
    for i in range(n):
        lines.append(f"  c{i:04d}:")
        if i:
            lines.append(f"    needs: c{i - 1:04d}")
        lines += ["    steps:", f"      - run: {clock}"]
    repo = os.path.join(OUT, f"chain-repo-{n}")
    git_repo(repo, "\n".join(lines) + "\n")
    server = Server(os.path.join(OUT, f"dispatch-data-{n}"), agents)
    try:
        server.add_project("chain", repo)
        dispatch, lease, prepare, handoff, walls = [], [], [], [], []
        for r in range(runs):
            log(f"dispatch: {chains} x chain of {n} jobs, repetition {r + 1}/{runs}")
            for _ in range(chains):
                number = server.start_run("chain")
                t0 = time.time()
                run, t1 = server.wait_run("chain", number, poll=0.2 if n > 100 else 0.02)
                walls.append(t1 - t0)
                assert run["status"] == "success", run["status"]
                prev_ns = None
                for job in run["jobs"]:
                    _, text = server.api.call(
                        "GET",
                        f"/api/v1/projects/chain/runs/{number}/jobs/{job['instance']}/logs")
                    found = re.findall(rb"\b(1\d{18})\b", text)
                    if not found:
                        raise RuntimeError(f"no timestamp in the log of {job['instance']}")
                    step_ns = int(found[-1])
                    queued_ms, started_ms = ms_of(job["queued"]), ms_of(job["started"])
                    dispatch.append(step_ns / 1e6 - queued_ms)
                    lease.append(started_ms - queued_ms)
                    prepare.append(step_ns / 1e6 - started_ms)
                    if prev_ns is not None:
                        handoff.append((step_ns - prev_ns) / 1e6)
                    prev_ns = step_ns
        k = len(dispatch)
        what = f"chain of {n}" if chains == 1 else f"{chains} runs x chain of {n}"
        row(f"dispatch ({what}): queued -> step runs, p50 ({k} jobs)",
            f"{pct(dispatch, 50):.1f} ms", "", "", "goal < 5 ms " + ok(pct(dispatch, 50) < 5))
        row("  queued -> step runs, p99", f"{pct(dispatch, 99):.1f} ms", "", "",
            "goal < 50 ms " + ok(pct(dispatch, 99) < 50))
        row("  of which queued -> leased (API 'started'), p50/p99",
            f"{pct(lease, 50):.0f}/{pct(lease, 99):.0f} ms")
        row("  of which leased -> step runs, p50/p99",
            f"{pct(prepare, 50):.1f}/{pct(prepare, 99):.1f} ms")
        row("  step k starts -> step k+1 starts, p50/p99",
            f"{pct(handoff, 50):.1f}/{pct(handoff, 99):.1f} ms")
        row(f"  wall of one run (median of {len(walls)})", f"{statistics.median(walls):.2f} s")
    finally:
        server.stop()


def bench_dispatch_small(runs):
    bench_dispatch(runs, n=10, chains=100)


def ok(cond):
    return "✔" if cond else "✘"


# --------------------------------------------------------------------------------------------
class Postgres:
    """A private PostgreSQL 15 cluster in a temp dir, run as the postgres user."""

    def __init__(self, fsync=True):
        self.dir = tempfile.mkdtemp(prefix="slipway-pg-")
        shutil.chown(self.dir, "postgres", "postgres")
        self.port = free_port()
        self.data = os.path.join(self.dir, "data")
        self.as_pg([f"{PG_BIN}/initdb", "-D", self.data, "-A", "trust", "-U", "postgres",
                    "-E", "UTF8"])
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        if not fsync:
            opts += " -c fsync=off -c synchronous_commit=off"
        self.as_pg([f"{PG_BIN}/pg_ctl", "-D", self.data, "-o", opts, "-l",
                    os.path.join(self.dir, "log"), "-w", "start"])
        self.as_pg([f"{PG_BIN}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U",
                    "postgres", "slipway"])
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/slipway"

    @staticmethod
    def as_pg(cmd):
        subprocess.run(["runuser", "-u", "postgres", "--"] + cmd, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/")

    def stop(self):
        self.as_pg([f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)


def run_wall(server, project):
    """Starts a run and returns (API created->finished s, client POST->seen finished s)."""
    t0 = time.time()
    number = server.start_run(project)
    run, t1 = server.wait_run(project, number)
    assert run["status"] == "success", run["status"]
    return (ms_of(run["finished"]) - ms_of(run["created"])) / 1000.0, t1 - t0


def bench_throughput(runs, n=1000, agents=4):
    repo = os.path.join(OUT, "trivial-repo")
    git_repo(repo, trivial_jobs(n))
    pg = Postgres(fsync=True)
    servers = {}
    try:
        servers["SQLite"] = Server(os.path.join(OUT, "tp-sqlite"), agents)
        servers["PostgreSQL"] = Server(os.path.join(OUT, "tp-pg"), agents, database=pg.url)
        for s in servers.values():
            s.add_project("trivial", repo)
        walls = {name: [] for name in servers}
        for r in range(runs):
            for name, s in servers.items():
                log(f"throughput: {n} jobs on {name}, repetition {r + 1}/{runs}")
                walls[name].append(run_wall(s, "trivial")[0])
        sq, pgw = statistics.median(walls["SQLite"]), statistics.median(walls["PostgreSQL"])
        row(f"throughput: {n} x `true`, {agents} agents, SQLite", f"{n / sq:.0f} jobs/s",
            f"{n / pgw:.0f} jobs/s (PG)", f"{pgw / sq:.2f}x", "")
        row(f"  wall created -> finished (median of {runs}): SQLite / PostgreSQL",
            f"{sq:.2f} s", f"{pgw:.2f} s")
    finally:
        for s in servers.values():
            s.stop()
        pg.stop()


# --------------------------------------------------------------------------------------------
BUILDBOT_CFG = r"""
from buildbot.plugins import changes, schedulers, steps, util, worker

N = {n}

class FanOut(steps.Trigger):
    # One buildset per job on the Triggerable scheduler 'jobs'.
    def getSchedulersAndProperties(self):
        return [{{'sched_name': 'jobs', 'props_to_set': {{'i': i}}, 'unimportant': False}}
                for i in range(N)]

c = BuildmasterConfig = {{}}
c['buildbotNetUsageData'] = None
c['title'] = 'bench'
c['buildbotURL'] = 'http://localhost/'
c['workers'] = [worker.Worker(name, 'pass', max_builds=1) for name in ('fan', 'w1', 'w2')]
c['protocols'] = {{'pb': {{'port': 'tcp:{port}:interface=127.0.0.1'}}}}
c['change_source'] = [changes.PBChangeSource()]
c['schedulers'] = [
    schedulers.AnyBranchScheduler(name='go', builderNames=['fanout'], treeStableTimer=None),
    schedulers.Triggerable(name='jobs', builderNames=['job']),
]
c['builders'] = [
    util.BuilderConfig(name='fanout', workernames=['fan'],
                       factory=util.BuildFactory([FanOut(schedulerNames=['jobs'],
                                                         waitForFinish=False)])),
    util.BuilderConfig(name='job', workernames=['w1', 'w2'], collapseRequests=False,
                       factory=util.BuildFactory([steps.ShellCommand(command=['true'])])),
]
c['db'] = {{'db_url': 'sqlite:///state.sqlite'}}
"""


class Buildbot:
    def __init__(self, base, n):
        shutil.rmtree(base, ignore_errors=True)
        os.makedirs(base)
        self.base = base
        self.master = os.path.join(base, "master")
        self.port = free_port()
        subprocess.run(["buildbot", "create-master", "-q", "-r", self.master], check=True,
                       stdout=subprocess.DEVNULL)
        with open(os.path.join(self.master, "master.cfg"), "w") as f:
            f.write(BUILDBOT_CFG.format(n=n, port=self.port))
        subprocess.run(["buildbot", "start", self.master], check=True, stdout=subprocess.DEVNULL)
        self.workers = []
        for name in ("fan", "w1", "w2"):
            d = os.path.join(base, name)
            subprocess.run(["buildbot-worker", "create-worker", "-q", d,
                            f"127.0.0.1:{self.port}", name, "pass"], check=True)
            subprocess.run(["buildbot-worker", "start", d], check=True,
                           stdout=subprocess.DEVNULL)
            self.workers.append(d)
        self.db = os.path.join(self.master, "state.sqlite")
        deadline = time.time() + 60
        while self.query("SELECT count(*) FROM connected_workers")[0][0] < 3:
            if time.time() > deadline:
                raise RuntimeError("buildbot workers did not connect")
            time.sleep(0.2)

    def query(self, sql):
        for _ in range(50):
            try:
                con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5)
                try:
                    return con.execute(sql).fetchall()
                finally:
                    con.close()
            except sqlite3.OperationalError:
                time.sleep(0.05)
        raise RuntimeError("cannot read " + self.db)

    def done_jobs(self):
        return self.query("SELECT count(*) FROM builds b JOIN builders r ON b.builderid = r.id "
                          "WHERE r.name = 'job' AND b.complete_at IS NOT NULL")[0][0]

    def run(self, n):
        before = self.done_jobs()
        t0 = time.time()
        subprocess.run(["buildbot", "sendchange", "--master", f"127.0.0.1:{self.port}",
                        "--auth", "change:changepw", "--who", "bench", "--branch", "main",
                        "--revision", str(t0), "file"], check=True, stdout=subprocess.DEVNULL)
        while self.done_jobs() < before + n:
            time.sleep(0.1)
            if time.time() - t0 > 1800:
                raise RuntimeError("buildbot did not finish")
        return time.time() - t0

    def master_pid(self):
        with open(os.path.join(self.master, "twistd.pid")) as f:
            return int(f.read().strip())

    def stop(self):
        for d in self.workers:
            subprocess.run(["buildbot-worker", "stop", d], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        subprocess.run(["buildbot", "stop", self.master], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)


def bench_buildbot(runs, n=200):
    version = subprocess.run(["buildbot", "--version"], capture_output=True, text=True).stdout
    version = version.split("\n")[0].replace("Buildbot version: ", "")
    repo = os.path.join(OUT, "bb-repo")
    git_repo(repo, trivial_jobs(n))
    bb = Buildbot(os.path.join(OUT, "buildbot"), n)
    server = None
    try:
        server = Server(os.path.join(OUT, "bb-slipway"), 2)
        server.add_project("trivial", repo)
        sw, peer = [], []
        for r in range(runs):
            log(f"buildbot: {n} jobs, repetition {r + 1}/{runs}")
            peer.append(bb.run(n))
            sw.append(run_wall(server, "trivial")[1])
        tb, ts = statistics.median(peer), statistics.median(sw)
        row(f"{n} x `true`, parallelism 2: slipway vs buildbot {version}", f"{ts:.2f} s",
            f"{tb:.2f} s", f"{tb / ts:.1f}x faster", "goal >= 30x " + ok(tb / ts >= 30))
        row("  per job: slipway / buildbot", f"{ts / n * 1000:.1f} ms", f"{tb / n * 1000:.0f} ms")
        row("  RSS after the runs: slipway server / buildbot master",
            f"{rss_kb(server.pid) // 1024} MB", f"{rss_kb(bb.master_pid()) // 1024} MB")
    finally:
        if server:
            server.stop()
        bb.stop()


# --------------------------------------------------------------------------------------------
def timed_gets(api, paths):
    times = []
    for path in paths:
        t = time.perf_counter_ns()
        api.call("GET", path)
        times.append((time.perf_counter_ns() - t) / 1e6)
    return times


def bench_runs(runs, stored=100_000, requests=1000):
    # Idle: a fresh server (one embedded agent, the default), 3 s after start.
    server = Server(os.path.join(OUT, "idle-data"), 1)
    try:
        time.sleep(3)
        idle = rss_kb(server.pid)
    finally:
        server.stop()
    row("server RSS idle (empty SQLite, 1 embedded agent)", f"{idle / 1024:.1f} MB", "", "",
        "goal < 30 MB " + ok(idle < 30 * 1024))

    data = os.path.join(OUT, "runs-data")
    shutil.rmtree(data, ignore_errors=True)
    os.makedirs(data)
    repo = os.path.join(OUT, "trivial-repo-1")
    git_repo(repo, trivial_jobs(1))
    log(f"runs: populating {stored} runs")
    t = time.time()
    subprocess.run([POPULATE, os.path.join(data, "slipway.db"), "big", repo, str(stored)],
                   check=True, stdout=subprocess.DEVNULL)
    log(f"runs: populated in {time.time() - t:.1f} s")
    server = Server(data, 1, fresh=False)
    try:
        time.sleep(2)
        loaded_idle = rss_kb(server.pid)
        api = server.api
        first = api.json("GET", "/api/v1/projects/big/runs?limit=50")
        newest = first["runs"][0]["id"]
        rnd = random.Random(1)
        samples = {"healthz": [], "first": [], "deep": [], "filtered": []}
        for r in range(runs):
            samples["healthz"] += timed_gets(api, ["/healthz"] * requests)
            samples["first"] += timed_gets(api, ["/api/v1/projects/big/runs?limit=50"] * requests)
            samples["deep"] += timed_gets(api, [
                f"/api/v1/projects/big/runs?limit=50&before={rnd.randint(100, newest)}"
                for _ in range(requests)])
            samples["filtered"] += timed_gets(
                api, ["/api/v1/projects/big/runs?limit=50&status=failure"] * (requests // 10))
        h50 = pct(samples["healthz"], 50)
        for key, label in (("first", "first page"), ("deep", "deep pages (random before=)"),
                           ("filtered", "status=failure (none match)")):
            p50, p99 = pct(samples[key], 50), pct(samples[key], 99)
            row(f"GET runs?limit=50, {stored // 1000}k stored, {label}: p50/p99",
                f"{p50:.2f}/{p99:.2f} ms", f"{h50:.2f} ms (/healthz p50)",
                f"{p50 / h50:.1f}x", "goal p99 < 50 ms " + ok(p99 < 50))
        row(f"server RSS, {stored // 1000}k runs stored: idle / after the GETs (peak)",
            f"{loaded_idle / 1024:.1f} MB",
            f"{rss_kb(server.pid) / 1024:.1f} MB ({rss_kb(server.pid, 'VmHWM') / 1024:.1f})")
    finally:
        server.stop()


def bench_log(runs, requests=100):
    data_file = os.path.join(ROOT, "bench", "out", "log-1g.txt")
    if not os.path.exists(data_file) or os.path.getsize(data_file) < (1 << 30):
        subprocess.run([os.path.join(ROOT, "bench", "log", "generate"), data_file, "1024"],
                       check=True)
    size = os.path.getsize(data_file)
    data = os.path.join(OUT, "log-data")
    shutil.rmtree(data, ignore_errors=True)
    os.makedirs(data)
    repo = os.path.join(OUT, "trivial-repo-1")
    git_repo(repo, trivial_jobs(1))
    log("log: storing 1 GiB through store::AppendLog")
    out = subprocess.run([POPULATE, os.path.join(data, "slipway.db"), "logs", repo, "0",
                          data_file], check=True, capture_output=True, text=True).stdout
    m = re.search(r"log run (\d+): (\d+) bytes in ([\d.]+) s", out)
    number, append_s = int(m.group(1)), float(m.group(3))
    db_size = os.path.getsize(os.path.join(data, "slipway.db"))
    server = Server(data, 0, fresh=False)
    try:
        api = server.api
        path = f"/api/v1/projects/logs/runs/{number}/jobs/build/logs"
        rnd = random.Random(2)
        mib = 1 << 20
        got, peer = [], []
        with open(data_file, "rb") as f:
            for r in range(runs):
                for _ in range(requests):
                    off = rnd.randrange(0, size - mib)
                    t = time.perf_counter_ns()
                    resp, body = api.call("GET", f"{path}?offset={off}&limit={mib}")
                    got.append((time.perf_counter_ns() - t) / 1e6)
                    t = time.perf_counter_ns()
                    f.seek(off)
                    expected = f.read(mib)
                    peer.append((time.perf_counter_ns() - t) / 1e6)
                    if body != expected:
                        raise RuntimeError(f"log bytes at {off} differ")
        p50, p99, q50 = pct(got, 50), pct(got, 99), pct(peer, 50)
        row(f"log 1 GiB: GET logs?offset=X&limit=1MiB, p50/p99 ({len(got)} random X)",
            f"{p50:.1f}/{p99:.1f} ms", f"{q50:.2f} ms (file read p50)", f"{p50 / q50:.0f}x", "")
        row("  appending it (1 MiB chunks, store::AppendLog) / stored size",
            f"{size / mib / append_s:.0f} MB/s", f"{db_size / mib:.0f} MB in SQLite")
    finally:
        server.stop()


def main():
    args = sys.argv[1:]
    runs = 3
    if "--runs" in args:
        i = args.index("--runs")
        runs = int(args[i + 1])
        del args[i:i + 2]
    what = args[0] if args else "all"
    parts = {"dispatch": bench_dispatch, "dispatch-small": bench_dispatch_small,
             "throughput": bench_throughput, "buildbot": bench_buildbot, "runs": bench_runs,
             "log": bench_log}
    if what != "all" and what not in parts:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    for exe in (SLIPWAY, POPULATE):
        if not os.access(exe, os.X_OK):
            sys.exit(f"bench/server: build first: {exe} (ninja -C {BUILD} slipway server_populate)")
    os.makedirs(OUT, exist_ok=True)
    for name, fn in parts.items():
        if what in (name, "all"):
            fn(runs)
    version = subprocess.run([SLIPWAY, "version"], capture_output=True, text=True).stdout.split()
    load = open("/proc/loadavg").read().split()[:3]
    print(f"\nslipway {version[1] if len(version) > 1 else '?'} ({BUILD}), {os.cpu_count()} cores, "
          f"load {' '.join(load)}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"{'benchmark':<66} {'slipway':>16} {'peer':>30} {'ratio':>10}  goal")
    for r in rows:
        print(f"{r[0]:<66} {r[1]:>16} {r[2]:>30} {r[3]:>10}  {r[4]}")


if __name__ == "__main__":
    main()
