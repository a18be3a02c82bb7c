#!/usr/bin/python3
"""Registry benchmarks of `slipway server`'s OCI registry (/v2/, issue 4). Prints one table.

Usage: bench/registry/bench.py [big|small|sha256|all]... [--runs N] [--keep]
  big     `skopeo copy` push and pull of a 1 GiB single-layer image (one uncompressed tar
          layer, application/vnd.oci.image.layer.v1.tar, holding one 1 GiB file of random
          bytes), slipway against Debian's `docker-registry` (the CNCF distribution registry,
          filesystem storage, no auth); MB/s and the ratio. Also the servers' peak RSS
          (VmHWM) right after the push.
  small   the same with an image of 1,000 layers of 4 KiB (+ tar headers) each.
  sha256  slipway's SHA-256 of a file (util/sha256.h Sha256File, through the
          `registry_sha256` helper built from bench/registry/sha256_file.cc) against
          `sha256sum` over the same 1 GiB file (in the page cache); MB/s.
Every repetition starts both registries fresh (new data dir, new port) and pushes to a new
repository, so nothing is deduplicated or mounted; the two registries alternate which goes
first. skopeo runs with --preserve-digests (layers are sent as they are, not recompressed)
and, when pulling into an OCI layout, --dest-oci-accept-uncompressed-layers. Each figure is
the median of N repetitions (default 3). The images are generated once per invocation in a
temp dir under bench/out/ and deleted at the end (unless --keep).
Results are recorded in docs/performance.md ("Registry (issue 4)").
"""
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SLIPWAY_BUILD", os.path.join(ROOT, "build-release"))
SLIPWAY = os.path.join(BUILD, "slipway")
SHA256_TOOL = os.path.join(BUILD, "bench", "registry_sha256")
PEER = "/usr/bin/docker-registry"
SKOPEO = "/usr/bin/skopeo"
OUT = os.path.join(ROOT, "bench", "out")
MIB = 1 << 20
TAG = "v1"

LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
CONFIG_TYPE = "application/vnd.oci.image.config.v1+json"
MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"

rows = []


def row(name, value, peer="", ratio="", goal=""):
    rows.append((name, value, peer, ratio, goal))
    print(f"  {name}: {value} | {peer} | {ratio} | {goal}", file=sys.stderr, flush=True)


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def ok(cond):
    return "✔" if cond else "✘"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid, field):
    """A kB field of /proc/PID/status (VmRSS, VmHWM)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """utime + stime of the process (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------------------------
# OCI image layouts, written directly (exact sizes and media types; faster than umoci).

class Layout:
    def __init__(self, path):
        self.path = path
        self.blobs = os.path.join(path, "blobs", "sha256")
        os.makedirs(self.blobs, exist_ok=True)
        with open(os.path.join(path, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)
        self.bytes = 0  # all blobs of the image: layers, config, manifest
        self.layers = []

    def put(self, data):
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(self.blobs, digest), "wb") as f:
            f.write(data)
        self.bytes += len(data)
        return {"digest": "sha256:" + digest, "size": len(data)}

    def put_stream(self, chunks):
        """A blob from an iterable of byte strings, hashed while written."""
        h = hashlib.sha256()
        size = 0
        tmp = os.path.join(self.blobs, "tmp")
        with open(tmp, "wb") as f:
            for chunk in chunks:
                h.update(chunk)
                f.write(chunk)
                size += len(chunk)
        os.rename(tmp, os.path.join(self.blobs, h.hexdigest()))
        self.bytes += size
        return {"digest": "sha256:" + h.hexdigest(), "size": size}

    def add_layer(self, desc):
        self.layers.append(dict(desc, mediaType=LAYER_TAR))

    def finish(self):
        diff_ids = [layer["digest"] for layer in self.layers]  # uncompressed: the same
        config = {"created": "2026-01-01T00:00:00Z", "architecture": "amd64", "os": "linux",
                  "config": {}, "rootfs": {"type": "layers", "diff_ids": diff_ids}}
        config_desc = self.put(json.dumps(config).encode())
        manifest = {"schemaVersion": 2, "mediaType": MANIFEST_TYPE,
                    "config": dict(config_desc, mediaType=CONFIG_TYPE), "layers": self.layers}
        manifest_desc = self.put(json.dumps(manifest).encode())
        index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                 "manifests": [dict(manifest_desc, mediaType=MANIFEST_TYPE,
                                    annotations={"org.opencontainers.image.ref.name": TAG})]}
        with open(os.path.join(self.path, "index.json"), "w") as f:
            json.dump(index, f)
        return self


def tar_header(name, size):
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o644, 1767225600
    return info.tobuf(format=tarfile.USTAR_FORMAT)


def tar_end(size):
    """Padding of the last member to 512 bytes, the two zero blocks, and padding of the
    archive to tarfile's record size (10 KiB), as `tar` writes it."""
    pad = (-size) % 512
    total = 512 + size + pad + 1024
    return b"\0" * (pad + 1024 + (-total) % tarfile.RECORDSIZE)


def small_tar(name, data):
    return tar_header(name, len(data)) + data + tar_end(len(data))


def make_big(path, size):
    layout = Layout(path)

    def chunks():
        yield tar_header("data.bin", size)
        left = size
        while left:
            n = min(left, 4 * MIB)
            yield os.urandom(n)
            left -= n
        yield tar_end(size)

    layout.add_layer(layout.put_stream(chunks()))
    return layout.finish()


def make_small(path, layers, size):
    layout = Layout(path)
    for i in range(layers):
        layout.add_layer(layout.put(small_tar(f"layer-{i:04d}.bin", os.urandom(size))))
    return layout.finish()


# --------------------------------------------------------------------------------------------
class Registry:
    """Base: a registry server process in a fresh data dir on a free port."""
    name = ""

    def wait_ready(self, path, ready):
        deadline = time.time() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log_file.name}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", path)
                status = c.getresponse().status
                c.close()
                if ready(status):
                    return
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError(f"{self.name} did not start; see {self.log_file.name}")
            time.sleep(0.05)

    @property
    def pid(self):
        return self.proc.pid

    @property
    def host(self):
        return f"127.0.0.1:{self.port}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()
        shutil.rmtree(self.data, ignore_errors=True)


class Slipway(Registry):
    name = "slipway"

    def __init__(self, data):
        self.data = data
        os.makedirs(data)
        self.port = free_port()
        self.log_file = open(os.path.join(os.path.dirname(data), "slipway-server.log"), "a")
        self.proc = subprocess.Popen(
            [SLIPWAY, "server", "--data", data, "--listen", self.host, "--local-agents", "0"],
            stdout=self.log_file, stderr=self.log_file)
        token_file = os.path.join(data, "initial-admin-token")
        self.wait_ready("/healthz", lambda s: s == 200 and os.path.exists(token_file))
        with open(token_file) as f:
            self.creds = "bench:" + f.read().strip()


class Distribution(Registry):
    name = "docker-registry"

    def __init__(self, data):
        self.data = data
        os.makedirs(os.path.join(data, "storage"))
        self.port = free_port()
        config = os.path.join(data, "config.yml")
        with open(config, "w") as f:
            f.write(f"""version: 0.1
log:
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: {data}/storage
  cache:
    blobdescriptor: inmemory
  delete:
    enabled: true
http:
  addr: {self.host}
""")
        self.log_file = open(os.path.join(os.path.dirname(data), "docker-registry.log"), "a")
        self.proc = subprocess.Popen([PEER, "serve", config], stdout=self.log_file,
                                     stderr=self.log_file)
        self.wait_ready("/v2/", lambda s: s == 200)
        self.creds = None


def skopeo(args, label):
    """Runs `skopeo copy ARGS` and returns its wall time in seconds."""
    cmd = [SKOPEO, "copy", "--quiet", "--preserve-digests", "--retry-times", "0"] + args
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        raise RuntimeError(f"{label}: {' '.join(cmd)} failed:\n{p.stderr[-2000:]}")
    return wall


def push(registry, layout, repository):
    args = ["--dest-tls-verify=false"]
    if registry.creds:
        args += ["--dest-creds", registry.creds]
    return skopeo(args + [f"oci:{layout.path}:{TAG}", f"docker://{registry.host}/{repository}:{TAG}"],
                  f"push to {registry.name}")


def pull(registry, layout, repository, out):
    shutil.rmtree(out, ignore_errors=True)
    args = ["--src-tls-verify=false", "--dest-oci-accept-uncompressed-layers"]
    if registry.creds:
        args += ["--src-creds", registry.creds]
    wall = skopeo(args + [f"docker://{registry.host}/{repository}:{TAG}", f"oci:{out}:{TAG}"],
                  f"pull from {registry.name}")
    # What came back is what was pushed: every layer blob is there (skopeo checked digests).
    for layer in layout.layers:
        if not os.path.exists(os.path.join(out, "blobs", "sha256", layer["digest"][7:])):
            raise RuntimeError(f"pull from {registry.name}: layer {layer['digest']} missing")
    shutil.rmtree(out, ignore_errors=True)
    return wall


class RssSampler:
    """Samples VmRSS of a process every 20 ms in a thread (VmHWM gives the peak too; this
    shows the RSS in the middle of the transfer)."""

    def __init__(self, pid):
        self.pid, self.samples, self.stop_flag = pid, [], False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop_flag:
            try:
                self.samples.append(proc_status(self.pid, "VmRSS"))
            except OSError:
                return
            time.sleep(0.02)

    def stop(self):
        self.stop_flag = True
        self.thread.join()
        return max(self.samples) if self.samples else 0


def mbs(nbytes, seconds):
    return nbytes / MIB / seconds


def bench_copies(runs, parts, work):
    images = {}
    if "big" in parts:
        log("generating the 1 GiB single-layer image")
        t = time.time()
        images["big"] = make_big(os.path.join(work, "img-big"), 1 << 30)
        log(f"  {images['big'].bytes / MIB:.1f} MiB in {time.time() - t:.1f} s")
    if "small" in parts:
        log("generating the image of 1,000 small layers")
        images["small"] = make_small(os.path.join(work, "img-small"), 1000, 4096)
        log(f"  {images['small'].bytes / MIB:.1f} MiB, {len(images['small'].layers)} layers")

    kinds = ("slipway", "docker-registry")
    walls = {(img, op, k): [] for img in images for op in ("push", "pull") for k in kinds}
    cpu = {(img, op, k): [] for img in images for op in ("push", "pull") for k in kinds}
    hwm = {k: [] for k in kinds}
    mid_rss = {k: [] for k in kinds}
    idle = {k: [] for k in kinds}
    for r in range(runs):
        servers = {}
        try:
            servers["slipway"] = Slipway(os.path.join(work, f"slipway-{r}"))
            servers["docker-registry"] = Distribution(os.path.join(work, f"distribution-{r}"))
            time.sleep(1)
            for k, s in servers.items():
                idle[k].append(proc_status(s.pid, "VmRSS"))
            order = list(kinds) if r % 2 == 0 else list(reversed(kinds))
            for img, layout in images.items():
                for op in ("push", "pull"):
                    for k in order:
                        s = servers[k]
                        repo = f"bench/{img}-{r}"
                        log(f"run {r + 1}/{runs}: {op} {img} ({layout.bytes / MIB:.0f} MiB) "
                            f"{'to' if op == 'push' else 'from'} {k}")
                        c0 = cpu_seconds(s.pid)
                        sampler = RssSampler(s.pid) if (img, op) == ("big", "push") else None
                        if op == "push":
                            wall = push(s, layout, repo)
                        else:
                            wall = pull(s, layout, repo, os.path.join(work, "pulled"))
                        cpu[(img, op, k)].append(cpu_seconds(s.pid) - c0)
                        walls[(img, op, k)].append(wall)
                        log(f"  {wall:.2f} s, {mbs(layout.bytes, wall):.0f} MB/s, server CPU "
                            f"{cpu[(img, op, k)][-1]:.2f} s")
                        if sampler:
                            mid_rss[k].append(sampler.stop())
                            hwm[k].append(proc_status(s.pid, "VmHWM"))
                            log(f"  {k} VmHWM after the push: {hwm[k][-1] / 1024:.1f} MB")
        finally:
            for s in servers.values():
                s.stop()

    for img, layout in images.items():
        what = "1 GiB, 1 layer" if img == "big" else f"{len(layout.layers):,} layers of 4 KiB"
        for op in ("push", "pull"):
            ws = statistics.median(walls[(img, op, "slipway")])
            wp = statistics.median(walls[(img, op, "docker-registry")])
            ratio = wp / ws  # throughput ratio: the same bytes in each
            if img == "big":
                unit = lambda w: f"{mbs(layout.bytes, w):.0f} MB/s ({w:.2f} s)"
            else:
                unit = lambda w: f"{len(layout.layers) / w:.1f} layers/s ({w:.1f} s)"
            row(f"skopeo {op} {what}: slipway vs docker-registry", unit(ws), unit(wp),
                f"{ratio:.2f}x", "goal >= 1.0x " + ok(ratio >= 1.0))
            cs = statistics.median(cpu[(img, op, "slipway")])
            cp = statistics.median(cpu[(img, op, "docker-registry")])
            row(f"  server CPU time (user+sys) during the {op}", f"{cs:.2f} s", f"{cp:.2f} s",
                f"{cs / cp:.2f}x" if cp else "")
    if hwm["slipway"]:
        peak_s, peak_p = max(hwm["slipway"]), max(hwm["docker-registry"])
        row("server peak RSS (VmHWM) after a 1 GiB push (max of runs)",
            f"{peak_s / 1024:.1f} MB", f"{peak_p / 1024:.1f} MB", "",
            "goal < 64 MB " + ok(peak_s / 1024 < 64))
        row("  RSS sampled during the push (max) / idle before",
            f"{max(mid_rss['slipway']) / 1024:.1f} / {statistics.median(idle['slipway']) / 1024:.1f} MB",
            f"{max(mid_rss['docker-registry']) / 1024:.1f} / "
            f"{statistics.median(idle['docker-registry']) / 1024:.1f} MB")
    return images.get("big")


def bench_sha256(runs, work, big):
    if big is not None:
        path = os.path.join(big.blobs, big.layers[0]["digest"][7:])
    else:
        path = os.path.join(work, "random-1g")
        log("writing 1 GiB of random bytes for sha256")
        with open(path, "wb") as f:
            for _ in range(256):
                f.write(os.urandom(4 * MIB))
    size = os.path.getsize(path)
    subprocess.run(["cat", path], stdout=subprocess.DEVNULL, check=True)  # into the page cache

    def timed(cmd):
        t = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        return time.perf_counter() - t, out.split()[0]

    ts, tp = [], []
    for r in range(runs):
        log(f"sha256 of {size / MIB:.0f} MiB, repetition {r + 1}/{runs}")
        order = [("slipway", [SHA256_TOOL, path]), ("sha256sum", ["sha256sum", path])]
        if r % 2:
            order.reverse()
        digests = {}
        for key, cmd in order:
            wall, digests[key] = timed(cmd)
            (ts if key == "slipway" else tp).append(wall)
            log(f"  {key}: {wall:.2f} s, {mbs(size, wall):.0f} MB/s")
        if digests["slipway"] != digests["sha256sum"]:
            raise RuntimeError(f"sha256 differs: {digests}")
    s, p = mbs(size, statistics.median(ts)), mbs(size, statistics.median(tp))
    row("sha256 of a 1 GiB file (page cache): Sha256File vs sha256sum",
        f"{s:.0f} MB/s", f"{p:.0f} MB/s", f"{s / p:.2f}x", "goal >= 1.0x " + ok(s / p >= 1.0))


def main():
    args = sys.argv[1:]
    runs, keep = 3, False
    if "--runs" in args:
        i = args.index("--runs")
        runs = int(args[i + 1])
        del args[i:i + 2]
    if "--keep" in args:
        keep = True
        args.remove("--keep")
    what = set(args or ["all"])
    if not what <= {"big", "small", "sha256", "all"}:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    if "all" in what:
        what = {"big", "small", "sha256"}
    for exe in (SLIPWAY, SHA256_TOOL, PEER, SKOPEO):
        if not os.access(exe, os.X_OK):
            sys.exit(f"bench/registry: {exe} is missing (bench/registry/run builds and checks)")
    os.makedirs(OUT, exist_ok=True)
    work = tempfile.mkdtemp(prefix="registry-", dir=OUT)
    log(f"working in {work}; parts: {' '.join(sorted(what))}, {runs} repetition(s)")
    try:
        parts = what - {"sha256"}
        big = bench_copies(runs, parts, work) if parts else None
        if "sha256" in what:
            bench_sha256(runs, work, big)
    finally:
        if keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    version = subprocess.run([SLIPWAY, "version"], capture_output=True, text=True).stdout.split()
    peer = subprocess.run([PEER, "--version"], capture_output=True, text=True).stdout.split()
    sk = subprocess.run([SKOPEO, "--version"], capture_output=True, text=True).stdout.split()
    load = open("/proc/loadavg").read().split()[:3]
    print(f"\nslipway {version[1] if len(version) > 1 else '?'} ({BUILD}), docker-registry "
          f"{peer[-1] if peer else '?'}, skopeo {sk[-1] if sk else '?'}, {os.cpu_count()} cores, "
          f"load {' '.join(load)}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"median of {runs}")
    print(f"{'benchmark':<66} {'slipway':>20} {'peer':>20} {'ratio':>7}  goal")
    for r in rows:
        print(f"{r[0]:<66} {r[1]:>20} {r[2]:>20} {r[3]:>7}  {r[4]}")


if __name__ == "__main__":
    main()
