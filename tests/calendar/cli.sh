#!/bin/sh
# "maintop calendar" against tests/calendar/calendar.conf (whose windows are
# described in words there), the clock pinned with --now: plain text, JSON
# checked with Python's json, and iCalendar checked with python3-icalendar,
# a real RFC 5545 parser.
: "${top_srcdir:=.}" "${MAINTOP:=./maintop}"
conf="$top_srcdir/tests/calendar/calendar.conf"
now=2026-11-29T03:00:00Z
tmp=$(mktemp -d "${TMPDIR:-/tmp}/maintop-cal.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC
. "$top_srcdir/tests/lib/tap.sh"
cal() {
	"$MAINTOP" --now "$now" calendar -c "$conf" "$@"
}

"$MAINTOP" --version >/dev/null 2>&1 || bail "$MAINTOP does not run"

# Plain text: the active window with its remaining time, then upcoming.
cal --days 10 >"$tmp/plain" 2>"$tmp/err"
ok $? "plain text exits 0"
grep -q '^  weekly-db \[maintenance\] ends in 3h' "$tmp/plain"
ok $? "weekly-db is active and ends in 3h"
grep -q '2026-12-06 01:00 Europe/Berlin (2026-12-06T00:00:00Z) for 6h' \
    "$tmp/plain"
ok $? "monthly-os is shown in its own zone and in UTC"
grep -q 'monthly-os and weekly-db overlap from 2026-12-06T02:00:00Z to 2026-12-06T06:00:00Z, both affecting db' "$tmp/plain"
ok $? "the shared-system conflict is listed"
[ "$(grep -c '^  20' "$tmp/plain")" = 13 ]
ok $? "13 occurrences start in the next 10 days"

# "maintop validate" warns of each clash within 90 days at the later
# window's line.
"$MAINTOP" --now "$now" validate -c "$conf" >"$tmp/out" 2>"$tmp/err"
ok $? "validate: conflicts are warnings, not errors"
grep -q "calendar.conf:31: warning: maintenance windows 'weekly-db' and 'monthly-os' overlap from 2026-12-06T02:00:00Z" "$tmp/err" &&
    [ "$(grep -c 'warning: .*overlaps freeze' "$tmp/err")" = 2 ]
ok $? "validate: the shared-system clash at line 31, two freeze clashes"

# Usage errors.
cal --days 0 >/dev/null 2>&1
[ $? = 2 ]; ok $? "--days 0 is a usage error (2)"
cal --json --ics >/dev/null 2>&1
[ $? = 2 ]; ok $? "--json with --ics is a usage error (2)"
"$MAINTOP" calendar -c "$tmp/none.conf" >/dev/null 2>&1
[ $? = 3 ]; ok $? "a missing configuration exits 3"

if ! command -v python3 >/dev/null 2>&1; then
	skip "python3 missing"; skip "python3 missing"
else
	cal --json >"$tmp/json"
	ok $? "--json exits 0"
	python3 - "$tmp/json" >"$tmp/py" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert [o["name"] for o in d["active"]] == ["weekly-db"], d["active"]
a = d["active"][0]
assert a["start"] == "2026-11-29T02:00:00Z" and a["end"] == "2026-11-29T06:00:00Z"
assert a["systems"] == ["db"] and a["owner"] == "dba team"
assert a["priority"] == 1 and a["kind"] == "maintenance"
assert a["runbooks"] == ["vacuum", "report"], a["runbooks"]
up = d["upcoming"]
assert len(up) == 37, len(up)
assert all(o["start"].endswith("Z") and o["end"].endswith("Z") for o in up)
assert [o["start"] for o in up] == sorted(o["start"] for o in up)
fr = [o for o in up if o["kind"] == "freeze"]
assert len(fr) == 1 and fr[0]["start"] == "2026-12-20T00:00:00Z"
assert fr[0]["end"] == "2027-01-03T00:00:00Z"
rel = [o for o in up if o["name"] == "release"][0]
assert rel["start"] == "2026-12-01T21:00:00Z", rel
assert "C:\\deploy\nthen" in rel["description"]
assert len(d["conflicts"]) == 12, len(d["conflicts"])
PY
	ok $? "--json: active, runbooks in dependency order, 37 upcoming in order, 12 conflicts"
	sed 's/^/# /' "$tmp/py"
fi

# Debian's python3-icalendar lives with the system Python, which may not be
# the first python3 on the PATH.
ical_py=
for py in python3 /usr/bin/python3; do
	if "$py" -c 'import icalendar' 2>/dev/null; then
		ical_py=$py
		break
	fi
done
if [ -z "$ical_py" ]; then
	skip "python3-icalendar missing"; skip "python3-icalendar missing"
	skip "python3-icalendar missing"
else
	cal --ics >"$tmp/ics"
	ok $? "--ics exits 0"
	"$MAINTOP" --now 2026-11-30T12:00:00Z calendar -c "$conf" --ics \
	    >"$tmp/ics2"
	"$ical_py" - "$tmp/ics" "$tmp/ics2" >"$tmp/py" 2>&1 <<'PY'
import sys, datetime, icalendar
raw = open(sys.argv[1], "rb").read()
lines = raw.split(b"\r\n")
assert lines[-1] == b"", "ends with CRLF"
assert b"\n" not in b"".join(lines), "only CRLF line endings"
assert all(len(l) <= 75 for l in lines), "folded at 75 octets"
assert any(l.startswith(b" ") for l in lines), "something was folded"
cal = icalendar.Calendar.from_ical(raw)
ev = [c for c in cal.walk("VEVENT")]
assert len(ev) == 38, len(ev)
utc = datetime.timezone.utc
def at(s):
    return datetime.datetime.fromisoformat(s).replace(tzinfo=utc)
rel = [e for e in ev if str(e["SUMMARY"]) == "release"][0]
assert rel.decoded("DTSTART") == at("2026-12-01T21:00:00"), rel.decoded("DTSTART")
assert rel.decoded("DTEND") == at("2026-12-01T23:00:00")
desc = str(rel["DESCRIPTION"])
assert desc.startswith("Release 4.2, with care; see C:\\deploy\nthen verify"), desc
frz = [e for e in ev if "FREEZE" in e.get("CATEGORIES").to_ical().decode()]
assert len(frz) == 1 and str(frz[0]["SUMMARY"]) == "Change freeze: year-end-freeze"
wdb = [e for e in ev if str(e["SUMMARY"]) == "weekly-db"][0]
assert "Runbooks: vacuum, report\n" in str(wdb["DESCRIPTION"]), wdb["DESCRIPTION"]
# The 48 h notice as a display alarm; windows without one have none.
al = [a for a in wdb.walk("VALARM")]
assert len(al) == 1 and str(al[0]["ACTION"]) == "DISPLAY", al
assert al[0].decoded("TRIGGER") == -datetime.timedelta(hours=48), al[0].decoded("TRIGGER")
assert "weekly-db starts" in str(al[0]["DESCRIPTION"])
assert not list(rel.walk("VALARM")) and not list(frz[0].walk("VALARM"))
uids = [str(e["UID"]) for e in ev]
assert len(set(uids)) == len(uids), "UIDs are unique"
for e in ev:
    assert e.decoded("DTSTAMP") == at("2026-11-29T03:00:00")
# The same occurrence seen from another instant keeps its UID.
ev2 = icalendar.Calendar.from_ical(open(sys.argv[2], "rb").read()).walk("VEVENT")
assert ev2[0].decoded("DTSTAMP") == at("2026-11-30T12:00:00")
rel2 = [str(e["UID"]) for e in ev2 if str(e["SUMMARY"]) == "release"]
assert rel2 == [str(rel["UID"])], (rel2, rel["UID"])
PY
	ok $? "--ics: 38 events parsed by icalendar, times, escaping, folding, UIDs, runbooks in order, notices as alarms"
	sed 's/^/# /' "$tmp/py"
	# Summer time: the first Sunday of April 2027 at 01:00 CEST is
	# 23:00 UTC the day before.
	"$MAINTOP" --now 2027-03-30T00:00:00Z calendar -c "$conf" --days 7 \
	    --json | "$ical_py" -c '
import json, sys
d = json.load(sys.stdin)
s = [o["start"] for o in d["upcoming"] if o["name"] == "monthly-os"]
assert s == ["2027-04-03T23:00:00Z"], s'
	ok $? "monthly-os in Berlin summer time starts at 23:00 UTC"
fi
echo "1..$n"
