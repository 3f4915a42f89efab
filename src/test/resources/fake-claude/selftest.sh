#!/usr/bin/env bash
# Self-test of the fake `claude` next to this script. Run: bash selftest.sh  (exit 0 = all passed)
set -u
here=$(cd "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
fake=$here/claude
captures=$here/../cli-captures
work=$(mktemp -d "${TMPDIR:-/tmp}/fake-claude-selftest.XXXXXX")
started=()   # pids we started that may still run
cleanup() {
  local p
  for p in "${started[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
# the fake's own temp files go here, so we can check they are removed
export TMPDIR=$work/tmp
mkdir -p "$TMPDIR"
unset "${!FAKE_CLAUDE_@}"

fails=0
pass() { printf 'ok   %s\n' "$1"; }
fail() { printf 'FAIL %s\n' "$1"; fails=$((fails + 1)); }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
now_ms() { local t; t=$(date +%s%N); printf '%s' $((t / 1000000)); }
msg() { printf '{"type":"user","message":{"role":"user","content":"%s"}}\n' "$1"; }
# wait_for COND_CMD...: poll up to 5 s
wait_for() { local i; for ((i = 0; i < 100; i++)); do "$@" && return 0; sleep 0.05; done; return 1; }
alive() { kill -0 "$1" 2>/dev/null; }
dead() { ! kill -0 "$1" 2>/dev/null; }
has_lines() { [[ -f $1 ]] && (( $(wc -l < "$1") >= $2 )); }

# --- replay --------------------------------------------------------------------------------
msg hello | "$fake" -p --input-format stream-json > "$work/out" 2> "$work/err"; rc=$?
check "replay 01-stream-json: exit 0" test "$rc" = 0
check "replay 01-stream-json: stdout byte for byte" cmp -s "$work/out" "$captures/01-stream-json/stdout.jsonl"
check "replay 01-stream-json: stderr empty" test ! -s "$work/err"

msg 'fake:case=60-err-401' | "$fake" -p > "$work/out" 2>/dev/null; rc=$?
check "replay 60-err-401: exit 1" test "$rc" = 1
check "replay 60-err-401: stdout" cmp -s "$work/out" "$captures/60-err-401/stdout.jsonl"

msg 'fake:case=78-session-id-invalid' | "$fake" > "$work/out" 2> "$work/err"; rc=$?
check "replay 78 (empty stdout, stderr): exit 1, stderr copied" \
  eval '[[ $rc = 1 && ! -s $work/out ]] && cmp -s "$work/err" "$captures/78-session-id-invalid/stderr.txt"'

msg 'fake:case=59-fallback-model-529' | "$fake" > /dev/null 2>&1; rc=$?
check "replay rc -9 -> exit 137" test "$rc" = 137

msg x | FAKE_CLAUDE_CASE=111-sigterm-midstream "$fake" > /dev/null 2>&1; rc=$?
check "replay via env FAKE_CLAUDE_CASE, rc 143" test "$rc" = 143

msg 'fake:case=01-stream-json, fake:mode=replay' | FAKE_CLAUDE_CASE=60-err-401 FAKE_CLAUDE_MODE=die \
  "$fake" > "$work/out" 2>/dev/null; rc=$?
check "stdin directive overrides env" \
  eval '[[ $rc = 0 ]] && cmp -s "$work/out" "$captures/01-stream-json/stdout.jsonl"'

msg 'fake:case=no-such-case' | "$fake" > "$work/out" 2> "$work/err"; rc=$?
check "missing case: exit 64 + message" \
  eval '[[ $rc = 64 && ! -s $work/out && $(<"$work/err") == "fake claude: no case no-such-case" ]]'

msg 'fake:mode=bogus' | "$fake" > /dev/null 2>&1; rc=$?
check "bad mode: exit 64" test "$rc" = 64

bad=
for d in "$captures"/*/; do
  d=${d%/}; name=${d##*/}
  printf 'fake:case=%s' "$name" | "$fake" > "$work/out" 2> "$work/err"; rc=$?
  want=$(grep -o '"rc": *-\?[0-9]*' "$d/timing.json" | grep -o -- '-\?[0-9]*$')
  (( want < 0 )) && want=$((128 - want))
  cmp -s "$work/out" "$d/stdout.jsonl" && cmp -s "$work/err" "$d/stderr.txt" && [[ $rc = "$want" ]] ||
    bad+=" $name"
done
check "replay of every capture is byte exact with the recorded rc${bad:+ (bad:$bad)}" test -z "$bad"

t0=$(now_ms)
msg 'fake:pace=150' | "$fake" > "$work/out"; rc=$?
t=$(( $(now_ms) - t0 ))
check "pace=150 over 3 lines takes >= 300 ms (took $t)" \
  eval '[[ $rc = 0 && $t -ge 300 ]] && cmp -s "$work/out" "$captures/01-stream-json/stdout.jsonl"'

# --- hang ----------------------------------------------------------------------------------
msg 'fake:mode=hang fake:after=1' | "$fake" > "$work/hang.out" 2>/dev/null &
pid=$!; started+=("$pid")
wait_for has_lines "$work/hang.out" 1
sleep 0.2
check "hang: printed exactly 1 line and still running" \
  eval '[[ $(wc -l < "$work/hang.out") = 1 ]] && alive $pid'
children=$(cat /proc/$pid/task/*/children 2>/dev/null)
t0=$(now_ms)
kill -TERM "$pid"; wait "$pid"; rc=$?
t=$(( $(now_ms) - t0 ))
check "hang: SIGTERM ends it promptly (${t} ms) with 143" eval '[[ $rc = 143 && $t -lt 1000 ]]'
ok=1; for c in $children; do wait_for dead "$c" || ok=0; done
check "hang: its sleep child is gone too (children: ${children:-none seen})" test "$ok" = 1

# SIGTERM while stdin is still open (the fake is still reading it)
mkfifo "$work/fifo"
exec 7<> "$work/fifo"
"$fake" < "$work/fifo" > /dev/null 2>&1 &
pid=$!; started+=("$pid")
sleep 0.3
t0=$(now_ms)
kill -TERM "$pid"; wait "$pid"; rc=$?
t=$(( $(now_ms) - t0 ))
exec 7>&-
check "SIGTERM while stdin is open: exit 143 promptly (${t} ms)" eval '[[ $rc = 143 && $t -lt 1000 ]]'

# --- grandchild / pidfile ------------------------------------------------------------------
msg "fake:grandchild=1 fake:pidfile=$work/pids" | "$fake" > "$work/out" 2>/dev/null &
pid=$!; wait "$pid"; rc=$?
self=$(sed -n 's/^self //p' "$work/pids")
gc=$(sed -n 's/^grandchild //p' "$work/pids")
[[ -n $gc ]] && started+=("$gc")
check "pidfile: self pid recorded" test "$self" = "$pid"
check "grandchild: pid recorded and alive after the fake exited" \
  eval '[[ $rc = 0 && -n $gc ]] && alive $gc && [[ $(cat /proc/$gc/comm 2>/dev/null) = sleep ]]'
[[ -n $gc ]] && kill "$gc" 2>/dev/null

rm -f "$work/pids"
msg "fake:pidfile=$work/pids" | "$fake" > /dev/null
check "pidfile without grandchild: only a self line" eval '[[ $(wc -l < "$work/pids") = 1 ]] && grep -q "^self " "$work/pids"'

# --- die / garbage / longline --------------------------------------------------------------
msg 'fake:mode=die fake:exit=5' | "$fake" > "$work/out" 2>/dev/null; rc=$?
check "die: exit 5 after the first 2 lines" \
  eval '[[ $rc = 5 ]] && cmp -s "$work/out" <(head -n 2 "$captures/01-stream-json/stdout.jsonl")'
msg 'fake:mode=die' | FAKE_CLAUDE_AFTER=1 "$fake" > "$work/out" 2>/dev/null; rc=$?
check "die: default exit 1, after from env" eval '[[ $rc = 1 && $(wc -l < "$work/out") = 1 ]]'

msg 'fake:mode=garbage' | "$fake" > "$work/out" 2>/dev/null; rc=$?
n=$(wc -l < "$captures/01-stream-json/stdout.jsonl")
check "garbage: line 2 is the garbage line, then the rest, exit 0" \
  eval '[[ $rc = 0 && $(sed -n 2p "$work/out") == "this is not json {" && $(wc -l < "$work/out") = $((n + 1)) ]] &&
        cmp -s <(sed 2d "$work/out") "$captures/01-stream-json/stdout.jsonl"'

msg 'fake:mode=longline fake:bytes=100000' | "$fake" > "$work/out" 2>/dev/null; rc=$?
line2=$(sed -n 2p "$work/out")
check "longline bytes=100000: line 2 is 100000 chars of junk JSON" \
  eval '[[ $rc = 0 && ${#line2} = 100000 && $line2 == "{\"type\":\"system\",\"subtype\":\"junk\",\"data\":\"xxx"*"xxx\"}" && $(wc -l < "$work/out") = 2 ]]'
t0=$(now_ms)
msg 'fake:mode=longline' | "$fake" > "$work/out" 2>/dev/null; rc=$?
t=$(( $(now_ms) - t0 ))
len=$(sed -n 2p "$work/out" | wc -c)
check "longline default: 10000000 chars + newline (${t} ms)" eval '[[ $rc = 0 && $len = 10000001 ]]'

# --- argvfile / stdinfile ------------------------------------------------------------------
msg "fake:argvfile=$work/argv fake:stdinfile=$work/stdin" > "$work/stdin.sent"
"$fake" -p --tools "" --model 'a b' < "$work/stdin.sent" > /dev/null
check "argvfile: one argument per line, empty argument kept" \
  cmp -s "$work/argv" <(printf '%s\n' -p --tools '' --model 'a b')
check "stdinfile: byte for byte copy of stdin" cmp -s "$work/stdin" "$work/stdin.sent"
FAKE_CLAUDE_ARGVFILE=$work/argv0 "$fake" < /dev/null > /dev/null
check "argvfile without arguments: empty file" eval '[[ -f $work/argv0 && ! -s $work/argv0 ]]'

# --- --version -----------------------------------------------------------------------------
out=$(FAKE_CLAUDE_VERSION_LOG=$work/vlog "$fake" --version); rc=$?
out2=$(FAKE_CLAUDE_VERSION_LOG=$work/vlog FAKE_CLAUDE_VERSION=9.9.9 "$fake" --version < /dev/null)
check "--version: default text, exit 0" eval '[[ $rc = 0 && $out == "2.1.331 (Claude Code)" && $out2 == 9.9.9 ]]'
check "--version: each call logged" eval '[[ $(cat "$work/vlog") == $'"'"'version\nversion'"'"' ]]'
out=$(FAKE_CLAUDE_VERSION_EXIT=3 "$fake" --version 2> "$work/err"); rc=$?
check "--version broken: exit 3, nothing on stdout, message on stderr" \
  eval '[[ $rc = 3 && -z $out && $(<"$work/err") == "fake claude: broken" ]]'

# --- temp files ----------------------------------------------------------------------------
left=$(ls -A "$TMPDIR")
check "no stdin temp files left behind${left:+ ($left)}" test -z "$left"

if (( fails )); then
  printf '%d check(s) FAILED\n' "$fails"
  exit 1
fi
printf 'all checks passed\n'
