#!/usr/bin/env bash
# Where a calibrate command spends its wall time: the time inside CHOLMOD's numeric factorizations
# (cholmod_factorize_p), solves (cholmod_solve2) and analyses (cholmod_analyze), measured with uprobes
# at their entry and return (perf, as root), against the command's wall clock; plus user and system
# time and peak resident memory from /usr/bin/time. Nothing in the program is changed or instrumented.
#
#   bash scripts/profile-solver-time.sh .build/release/calibrate forward .build/large-1e5 --threads 2 -o /tmp/fwd
#
# Needs perf (Debian: linux-perf) and root (uprobes). Prints one JSON line.
set -euo pipefail
if [ $# -lt 1 ]; then
    echo "usage: bash scripts/profile-solver-time.sh COMMAND [ARGUMENTS...]" >&2
    exit 2
fi
library=$(ldconfig -p | awk '/libcholmod\.so\.3 /{print $NF; exit}')
[ -n "$library" ] || { echo "profile-solver-time: libcholmod.so.3 not found" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"; perf probe -q -d "probe_libcholmod:*" 2>/dev/null || true' EXIT
perf probe -q -d "probe_libcholmod:*" 2>/dev/null || true
for f in cholmod_factorize_p cholmod_solve2 cholmod_analyze; do
    perf probe -q -x "$library" --add "$f" && perf probe -q -x "$library" --add "$f%return"
done
/usr/bin/time -f '%e %U %S %M' -o "$work/time" \
    perf record -q -e 'probe_libcholmod:*' -o "$work/perf.data" -- "$@" >"$work/stdout" 2>"$work/stderr" || {
    cat "$work/stderr" >&2
    exit 1
}
perf script -i "$work/perf.data" -F tid,time,event 2>/dev/null >"$work/events"
python3 - "$work/events" "$work/time" <<'EOF'
import json, re, sys
# Entries and returns nest per thread (the library's own @plt probes fire for calls inside it too):
# a call's time counts once, from its outermost entry to the matching return.
depth, started, total, calls = {}, {}, {}, {}
for line in open(sys.argv[1]):
    m = re.match(r"\s*(\d+)\s+([\d.]+):\s+probe_libcholmod:(\w+?)(__return)?:", line)
    if not m:
        continue
    tid, t, name, ret = m.group(1), float(m.group(2)), m.group(3), m.group(4)
    key = (tid, name)
    if not ret:
        depth[key] = depth.get(key, 0) + 1
        if depth[key] == 1:
            started[key] = t
    elif depth.get(key, 0) > 0:
        depth[key] -= 1
        if depth[key] == 0:
            total[name] = total.get(name, 0.0) + t - started[key]
            calls[name] = calls.get(name, 0) + 1
wall, user, system, rss = open(sys.argv[2]).read().split()[-4:]
wall = float(wall)
factor, solve = total.get("cholmod_factorize_p", 0.0), total.get("cholmod_solve2", 0.0)
print(json.dumps({
    "wall_s": wall, "user_s": float(user), "system_s": float(system), "max_rss_mb": int(rss) / 1024,
    "factorizations": calls.get("cholmod_factorize_p", 0), "factorization_s": round(factor, 3),
    "solves": calls.get("cholmod_solve2", 0), "solve_s": round(solve, 3),
    "analyses": calls.get("cholmod_analyze", 0), "analysis_s": round(total.get("cholmod_analyze", 0.0), 3),
    "fraction_factorization_and_solve": round((factor + solve) / wall, 3),
    "fraction_system": round(float(system) / wall, 3),
}))
EOF
