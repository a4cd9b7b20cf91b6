"""Hostile command lines through the real headless binary (issue 8).

Generates command lines nobody on the project wrote: random bytes,
overlong and negative numbers, format strings, quotes, control and escape
characters, NUL bytes, SQL, long Chinese text; runs them through
`cityops --headless --json` (stdin in batches, and -c one at a time) and
checks the promises the README makes:

  - never a crash: the exit code is 0 or 1, never a signal, and the
    sanitizers report nothing;
  - one JSON object per command, and every failure carries a documented
    error code with a message; an argument the command cannot use is
    invalid_argument, usage, parse, not_found or unknown_command, never
    db_error or internal;
  - a whole number option or argument out of its range (overflow, negative,
    zero) is invalid_argument;
  - read-only commands, and changing ones refused by --readonly, leave the
    database exactly as it was (a checksum of every table and sequence).

The seed is printed; CITYOPS_SEED=N replays a run, CITYOPS_CASES=N sets
how many command lines to try.
"""
import json
import os
import random
import subprocess
import sys

CITYOPS = os.environ["CITYOPS"]
# A fixed seed, so CI runs the same lines every time; set CITYOPS_SEED to
# try others (CITYOPS_SEED=random picks one and prints it).
SEED = os.environ.get("CITYOPS_SEED") or "20260808"
SEED = random.SystemRandom().randrange(1 << 32) if SEED == "random" else int(SEED)
CASES = int(os.environ.get("CITYOPS_CASES") or 1200)
BATCH = 100
rng = random.Random(SEED)
print(f"seed {SEED} (replay: CITYOPS_SEED={SEED} ctest -R headless/hostile)", flush=True)

CODES = set("""not_found forbidden out_of_scope illegal_transition unit_busy
invalid_argument not_operator readonly usage unknown_command parse
db_unreachable db_error outcome_unknown""".split())
# A bad argument is the caller's mistake: it must say so, not blame the
# database.
ARG_CODES = {"invalid_argument", "usage", "parse", "not_found",
             "unknown_command", "readonly", "forbidden", "out_of_scope"}

READS = ["queue", "q", "ls", "show", "s", "inc", "units", "u", "unit",
         "region", "cd", "vitals", "vs", "history", "hist", "recommend",
         "rec", "mode", "whoami", "help"]
WRITES = ["raise", "new", "ack", "accept", "return", "arrive", "resolve",
          "verify", "close", "reopen", "unfounded", "cancel", "escalate",
          "note", "dispatch", "unit-status", "switch"]
# Whole-number options and their ranges (console/cmd-*.c).
INT_OPTS = {"queue": [("limit", 1, 1000), ("priority", 1, 4)],
            "q": [("limit", 1, 1000)], "ls": [("limit", 1, 1000)],
            "vitals": [("limit", 1, 10000)], "vs": [("limit", 1, 10000)],
            "recommend": [("limit", 1, 100)], "rec": [("limit", 1, 100)],
            "history": [("hours", 1, 8784)], "hist": [("hours", 1, 8784)]}
OPTS = ["--state", "--region", "--priority", "--source", "--all",
        "--exercise", "--limit", "--kind", "--status", "--category",
        "--hours", "--note", "--location", "--desc", "--dedup", "--nope", "--"]
HAN = "上海市奉贤区南桥镇黄浦外滩街道燃气泄漏积水内涝台风预警值班长处置办结核查结案一网统管"


def number():
    kind = rng.randrange(8)
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 60)))
    return [digits, "-" + digits, "0", "-1", "+" + digits, digits + "x",
            "1e" + digits[:3], "0x" + digits[:8]][kind]


def token(dirty):
    kind = rng.randrange(12)
    while not dirty and kind in (0, 7, 8):
        kind = rng.randrange(12)
    if kind == 0:  # random bytes, no line break
        return bytes(rng.choice([b for b in range(256) if b != 10])
                     for _ in range(rng.randint(1, 40)))
    if kind == 1:
        return number().encode()
    if kind == 2:
        return rng.choice(["%s%s%s%n", "%x%x%x", "%p", "%999999999d",
                           "%1$s", "%.9999f", "%ls"]).encode()
    if kind == 3:
        return rng.choice(["'", '"', "\\", "'unterminated", '"a b',
                           "\\'", "''", '""', "'\"'\"", "a\\"]).encode()
    if kind == 4:  # control and escape characters, C1, bidi
        return rng.choice([b"\x1b[2J", b"\x1b]0;pwned\x07", b"\x07",
                           b"\x08\x08", b"\r", b"\t", b"\x7f",
                           b"\xc2\x9b31m", b"\xe2\x80\xae", b"\x01\x02"])
    if kind == 5:  # long Chinese text
        n = rng.choice([10, 300, 3000])
        return "".join(rng.choice(HAN) for _ in range(n)).encode()
    if kind == 6:
        return rng.choice(["'; DROP TABLE cityops.incident; --",
                           "1 OR 1=1", "$1", "\\x00", "NULL",
                           "261121-0001", "310120", "奉贤", "FX-F01",
                           "available", "peace"]).encode()
    if kind == 7:  # invalid UTF-8
        return rng.choice([b"\xff\xfe", b"\xe4\xb8", b"\xc0\xaf",
                           b"\xed\xa0\x80"])
    if kind == 8:
        return b"\0" + number().encode()
    if kind == 9:
        return (rng.choice(OPTS) + rng.choice(["", "="]) + number()).encode()
    return rng.choice(OPTS).encode()


def command():
    """One line and what it must answer, if that is known."""
    write = rng.random() < 0.2
    # Raw bytes, invalid UTF-8 and NUL in about a third of the lines, so
    # that the rest get past the line checks into the commands.
    dirty = rng.random() < 0.3
    name = rng.choice(WRITES if write else READS)
    if rng.random() < 0.05:
        name = (token(dirty).decode("utf-8", "replace").split() or ["x"])[0] if rng.random() < 0.5 else "nosuch"
    words = [name.encode()]
    want = None
    opts = INT_OPTS.get(name)
    if opts and rng.random() < 0.5:
        opt, lo, hi = rng.choice(opts)
        value = number()
        words += [f"--{opt}".encode(), value.encode()]
        try:
            ok_num = value.lstrip("-").isdigit() and lo <= int(value) <= hi \
                and not value.startswith("+")
        except ValueError:
            ok_num = False
        if not ok_num:
            want = "invalid_argument"
        elif name in ("history", "hist"):
            words.insert(1, b"nosuch.indicator")
    else:
        words += [token(dirty) for _ in range(rng.randint(0, 5))]
    line = b" ".join(words).replace(b"\n", b" ")
    return line, write, want


def psql(sql):
    return subprocess.run(["psql", "-qAtX", "-c", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


def checksum():
    tables = psql("""select string_agg(format('%I.%I', n.nspname, c.relname), ' '
        order by c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'cityops' and c.relkind in ('r', 'p') and not c.relispartition""").split()
    parts = [f"(select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from {t} t)"
             for t in tables]
    seqs = psql("""select string_agg(format('%I.%I', n.nspname, c.relname), ' ')
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'cityops' and c.relkind = 'S'""").split()
    parts += [f"(select last_value::text || is_called::text from {s})" for s in seqs]
    return psql("select md5(" + " || ".join(parts) + ")"), len(tables), len(seqs)


failures = []


def fail(what, line, out=b"", err=b""):
    failures.append(what)
    print(f"FAIL: {what}\n  line: {line!r}\n  stdout: {out[:600]!r}\n  stderr: {err[:600]!r}",
          file=sys.stderr)


def check_stderr(err, line):
    for bad in (b"runtime error", b"AddressSanitizer", b"LeakSanitizer"):
        if bad in err:
            fail(f"sanitizer report ({bad.decode()})", line, b"", err)


def check_answer(obj, line, want):
    if not isinstance(obj, dict) or "ok" not in obj:
        return fail("answer without ok", line, json.dumps(obj).encode())
    if obj["ok"]:
        if want is not None:
            fail(f"accepted, want {want}", line, json.dumps(obj).encode())
        return None
    e = obj.get("error") or {}
    code, msg = e.get("code"), e.get("message")
    if code not in CODES:
        fail(f"undocumented error code {code!r}", line, json.dumps(obj).encode())
    elif code not in ARG_CODES:
        fail(f"error code {code} for a bad argument", line, json.dumps(obj).encode())
    if not msg:
        fail("error without a message", line, json.dumps(obj).encode())
    if want is not None and code != want:
        fail(f"error code {code}, want {want}", line, json.dumps(obj).encode())
    return code


def answered(line):
    """Whether headless prints an answer for this line (not blank, not #)."""
    if b"\0" in line:
        return True
    p = line.lstrip(b" \t")
    return not (p == b"" or p.startswith(b"#"))


before, ntables, nseqs = checksum()
cases = [command() for _ in range(CASES)]
codes = {}
ran = 0
# Most lines through stdin in batches, as a script is read.
stdin_cases = cases[: CASES * 19 // 20]
for readonly in (False, True):
    group = [c for c in stdin_cases if c[1] == readonly]
    for i in range(0, len(group), BATCH):
        batch = [c for c in group[i:i + BATCH]]
        args = [CITYOPS, "--headless", "-U", "super_city", "--json", "--keep-going"]
        if readonly:
            args.append("--readonly")
        p = subprocess.run(args, input=b"".join(l + b"\n" for l, _, _ in batch),
                           capture_output=True, timeout=300)
        ran += len(batch)
        if p.returncode not in (0, 1):
            fail(f"exit code {p.returncode} (a signal is negative)", b"<batch>", p.stdout, p.stderr)
        check_stderr(p.stderr, b"<batch>")
        outs = p.stdout.split(b"\n")
        if outs and outs[-1] == b"":
            outs.pop()
        expected = [c for c in batch if answered(c[0])]
        if len(outs) != len(expected):
            fail(f"{len(outs)} answers for {len(expected)} commands", b"<batch>", p.stdout, p.stderr)
            continue
        for (line, _, want), out in zip(expected, outs):
            try:
                obj = json.loads(out.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as ex:
                fail(f"not JSON ({ex})", line, out)
                continue
            code = check_answer(obj, line, want)
            codes[code] = codes.get(code, 0) + 1

# The rest one at a time with -c (argv cannot hold a NUL byte); few, as a
# process each is slow under the sanitizers.
for line, write, want in cases[CASES * 19 // 20:]:
    line = line.replace(b"\0", b"")
    args = [CITYOPS, "--headless", "-U", "super_city", "--json", "-c", line]
    if write:
        args.insert(2, "--readonly")
    p = subprocess.run(args, capture_output=True, timeout=60)
    ran += 1
    if p.returncode not in (0, 1):
        fail(f"exit code {p.returncode} (a signal is negative)", line, p.stdout, p.stderr)
    check_stderr(p.stderr, line)
    if not answered(line):
        continue
    try:
        obj = json.loads(p.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as ex:
        fail(f"not JSON ({ex})", line, p.stdout, p.stderr)
        continue
    code = check_answer(obj, line, want)
    codes[code] = codes.get(code, 0) + 1
    if (code is None) != (p.returncode == 0):
        fail(f"exit code {p.returncode} does not match ok={code is None}", line, p.stdout)

after, _, _ = checksum()
if after != before:
    fail(f"the database changed: checksum {before} -> {after}", b"<all>")

summary = ", ".join(f"{k or 'ok'} {v}" for k, v in sorted(codes.items(), key=lambda kv: -kv[1]))
print(f"{ran} hostile command lines, seed {SEED}: {summary}; "
      f"{ntables} tables and {nseqs} sequences unchanged" if not failures else
      f"{len(failures)} failures in {ran} command lines, seed {SEED}")
sys.exit(1 if failures else 0)
