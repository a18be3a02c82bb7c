#!/usr/bin/env python3
"""Built-in proxy against haproxy, same machine, same backends, same 90/10 split.

Two nginx servers (one worker each) answer a small static body on two ports: "stable" and
"canary". Both proxies split 90/10 between them with keep-alive to the backends (haproxy:
one backend, server weights 90 and 10; slipway: two pools). wrk drives each with keep-alive
connections at 1 and 2 threads; the backend hit directly is the baseline for the latency a
proxy adds. Proxies get as many threads as wrk. Runs are interleaved (direct, haproxy,
slipway, …) and each figure is the median of --runs. Prints one table; absolute numbers on a
shared 2-core machine mislead, the ratios travel.
"""
import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("SLIPWAY_BUILD", os.path.join(os.getcwd(), "build-release"))
SLIPWAY = os.path.join(BUILD, "slipway")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, what, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"bench/proxy: {what} exited ({proc.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"bench/proxy: {what} did not listen on {port}")


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_nginx(work, stable_port, canary_port):
    prefix = os.path.join(work, "nginx")
    os.makedirs(os.path.join(prefix, "logs"), exist_ok=True)
    conf = os.path.join(prefix, "nginx.conf")
    servers = "".join(
        f"""  server {{ listen 127.0.0.1:{port} backlog=4096; location / {{ return 200 "{name}\\n"; }} }}
"""
        for name, port in (("stable", stable_port), ("canary", canary_port)))
    with open(conf, "w") as f:
        f.write(f"""worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  default_type text/plain;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  client_body_temp_path {prefix}/body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
{servers}}}
""")
    proc = subprocess.Popen(["/usr/sbin/nginx", "-p", prefix, "-c", conf],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(stable_port, proc, "nginx")
    wait_port(canary_port, proc, "nginx")
    return proc


def start_haproxy(work, threads, port, stable_port, canary_port):
    conf = os.path.join(work, f"haproxy-{threads}.cfg")
    with open(conf, "w") as f:
        f.write(f"""global
  nbthread {threads}
  maxconn 4000
defaults
  mode http
  option http-keep-alive
  http-reuse safe
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:{port}
  option forwardfor
  default_backend app
backend app
  balance roundrobin
  server stable 127.0.0.1:{stable_port} weight 90
  server canary 127.0.0.1:{canary_port} weight 10
""")
    proc = subprocess.Popen(["/usr/sbin/haproxy", "-db", "-f", conf],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port, proc, "haproxy")
    return proc


def start_slipway(threads, port, stable_port, canary_port):
    proc = subprocess.Popen(
        [SLIPWAY, "proxy", "--listen", f"127.0.0.1:{port}", "--threads", str(threads),
         "--pool", f"stable=127.0.0.1:{stable_port}", "--pool", f"canary=127.0.0.1:{canary_port}",
         "--weight", "canary=10"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port, proc, "slipway proxy")
    return proc


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s)$", text)
    return float(m.group(1)) * UNITS[m.group(2)]


def wrk(port, threads, connections, seconds):
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency",
         f"http://127.0.0.1:{port}/"],
        capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    if bad or errors:
        sys.exit(f"bench/proxy: failed requests on port {port}:\n{out}")
    return rps, p50, p99


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", default="1,2", help="wrk (and proxy) threads, e.g. 1,2")
    args = parser.parse_args()
    thread_counts = [int(t) for t in args.threads.split(",")]

    work = tempfile.mkdtemp(prefix="slipway-bench-proxy-")
    stable_port, canary_port = free_port(), free_port()
    nginx = start_nginx(work, stable_port, canary_port)
    results = {}  # (threads, who) -> [(rps, p50, p99)]
    try:
        # The split actually happens (and both proxies answer) before anything is timed.
        for threads in thread_counts:
            for run in range(args.runs):
                for who in ("direct", "haproxy", "slipway"):
                    port = free_port()
                    proc = None
                    if who == "haproxy":
                        proc = start_haproxy(work, threads, port, stable_port, canary_port)
                    elif who == "slipway":
                        proc = start_slipway(threads, port, stable_port, canary_port)
                    else:
                        port = stable_port
                    try:
                        wrk(port, threads, args.connections, 1)  # warm-up: connections, caches
                        r = wrk(port, threads, args.connections, args.seconds)
                    finally:
                        if proc:
                            stop(proc)
                    results.setdefault((threads, who), []).append(r)
                    print(f"  {who:8} wrk -t{threads} run {run + 1}: {r[0]:9.0f} req/s "
                          f"p50 {r[1]:.3f} ms p99 {r[2]:.3f} ms", file=sys.stderr)
    finally:
        stop(nginx)

    def med(threads, who, i):
        return statistics.median(r[i] for r in results[(threads, who)])

    rows = []
    for t in thread_counts:
        s_rps, h_rps, d_rps = med(t, "slipway", 0), med(t, "haproxy", 0), med(t, "direct", 0)
        s_p50, h_p50, d_p50 = med(t, "slipway", 1), med(t, "haproxy", 1), med(t, "direct", 1)
        s_p99, h_p99, d_p99 = med(t, "slipway", 2), med(t, "haproxy", 2), med(t, "direct", 2)
        rows.append((f"wrk -t{t} -c{args.connections}: requests/s", f"{s_rps:.0f}", f"{h_rps:.0f}",
                     f"{s_rps / h_rps:.2f}x", "goal >= 0.8x"))
        rows.append((f"wrk -t{t} -c{args.connections}: p99 latency", f"{s_p99:.2f} ms",
                     f"{h_p99:.2f} ms", f"{s_p99 / h_p99:.2f}x", "goal <= 1.25x"))
        rows.append((f"wrk -t{t} -c{args.connections}: p50 latency", f"{s_p50:.2f} ms",
                     f"{h_p50:.2f} ms", f"{s_p50 / h_p50:.2f}x", ""))
        rows.append((f"wrk -t{t}: p50 added over direct ({d_p50:.2f} ms)",
                     f"{s_p50 - d_p50:+.2f} ms", f"{h_p50 - d_p50:+.2f} ms", "", ""))
        rows.append((f"wrk -t{t}: direct to nginx (baseline)", f"{d_rps:.0f}/s", "", "",
                     f"p99 {d_p99:.2f} ms"))
    version = subprocess.run([SLIPWAY, "version"], capture_output=True, text=True).stdout.split()
    load = open("/proc/loadavg").read().split()[:3]
    print()
    print(f"slipway {version[-1] if version else '?'}, {os.cpu_count()} cores, load "
          f"{' '.join(load)}, {time.strftime('%Y-%m-%d', time.gmtime())}, median of {args.runs}, "
          f"{args.seconds} s each")
    print(f"{'benchmark':44} {'slipway':>12} {'haproxy':>12} {'ratio':>9}  ")
    for row in rows:
        print(f"{row[0]:44} {row[1]:>12} {row[2]:>12} {row[3]:>9}  {row[4]}")


if __name__ == "__main__":
    main()
