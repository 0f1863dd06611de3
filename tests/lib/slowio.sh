# Helpers for the tests that run maintop under the slow-file shim
# (tests/screen/slowio.so).  Sourced after tests/screen/lib.sh; SLOWIO_LOG
# names the shim's log ("start" and "end" of each slow call).
#
#   slowio_ends              how many slow calls have ended
#   slowio_now               true while a slow call is in progress
#   slowio_wait              waits (60 s at most) until one is in progress
#   slowio_during KEY TEXT GONE DESC
#                            types KEY while a slow call is in progress, then
#                            TEXT on screen (with GONE set: TEXT off the
#                            screen) before that call ends: one TAP line

slowio_ends() {
	grep -c '^end$' "$SLOWIO_LOG" 2>/dev/null || true
}

slowio_now() {
	[ "$(tail -n 1 "$SLOWIO_LOG" 2>/dev/null)" = start ]
}

slowio_wait() {
	_si=0
	while ! slowio_now; do
		[ $_si -lt 600 ] || return 1
		sleep 0.1
		_si=$((_si + 1))
	done
}

# The loop answered without waiting for the file system: the key's effect
# is on screen while the slow call in progress at the key still goes on.
slowio_during() {
	_sk=$1 _st=$2 _sg=$3 _sd=$4
	if ! slowio_wait; then
		screen_ok 1 "$_sd (no slow call seen)"
		return
	fi
	_se=$(slowio_ends)
	screen_keys "$_sk"
	_si=0
	while :; do
		if screen_capture | grep -qF -- "$_st"; then
			[ -z "$_sg" ] && break
		else
			[ -n "$_sg" ] && break
		fi
		[ $_si -lt 50 ] || break
		sleep 0.1
		_si=$((_si + 1))
	done
	[ $_si -lt 50 ] && [ "$(slowio_ends)" = "$_se" ]
	screen_ok $? "$_sd"
}
