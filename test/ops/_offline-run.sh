# Runs inside `unshare -n` (a network namespace with no network at all, only a
# loopback we bring up): the unpacked release's doctor, then `up`, one message
# over MLLP, a graceful stop. Arguments: release folder, data folder.
set -eu
ip link set lo up
cd "$1"
echo "--- doctor"
bin/caraloom doctor --data "$2" || echo "doctor exit $?"
echo "--- up"
bin/caraloom up --data "$2" > "$2.up.out" 2> "$2.up.err" &
pid=$!
i=0
until grep -q "connector listening on mllp" "$2.up.out" 2>/dev/null; do
  i=$((i + 1)); [ "$i" -lt 600 ] || { echo "up did not listen"; cat "$2.up.err"; exit 3; }
  kill -0 "$pid" 2>/dev/null || { echo "up exited"; cat "$2.up.err"; exit 3; }
  sleep 0.1
done
echo "--- send"
bin/caraloom send samples/hl7/adt-a03-home-health.hl7
echo "--- stop"
kill -INT "$pid"
wait "$pid"
echo "up exit $?"
