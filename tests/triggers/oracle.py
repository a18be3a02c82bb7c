#!/usr/bin/env python3
"""Reference answers for the triggers tests, from independent implementations.

  oracle.py cron FILE   each line "EXPRESSION<TAB>UNIX_SECONDS": prints the next fire time
                        after it (UTC, unix seconds) per croniter, or "never"
  oracle.py tz FILE     each line "ZONE<TAB>UNIX_SECONDS": prints the UTC offset in seconds
                        per the standard library's zoneinfo

Exits with 77 when the module needed is missing (the test then skips).
"""
import sys
from datetime import datetime, timezone


def cron(lines):
    try:
        from croniter import croniter
    except ImportError:
        sys.exit(77)
    out = []
    for line in lines:
        expression, start = line.split("\t")
        base = datetime.fromtimestamp(int(start), tz=timezone.utc).replace(tzinfo=None)
        try:
            nxt = croniter(expression, base).get_next(datetime)
            out.append(str(int(nxt.replace(tzinfo=timezone.utc).timestamp())))
        except Exception:  # croniter gives up on schedules that never fire
            out.append("never")
    return out


def tz(lines):
    try:
        from zoneinfo import ZoneInfo
    except ImportError:
        sys.exit(77)
    out = []
    for line in lines:
        name, instant = line.split("\t")
        when = datetime.fromtimestamp(int(instant), tz=timezone.utc)
        out.append(str(int(when.astimezone(ZoneInfo(name)).utcoffset().total_seconds())))
    return out


def main():
    mode, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f if line.strip()]
    print("\n".join({"cron": cron, "tz": tz}[mode](lines)))


if __name__ == "__main__":
    main()
