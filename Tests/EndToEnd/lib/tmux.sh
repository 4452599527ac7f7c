# shellcheck shell=bash
# Reading the real dashboard in tmux: the scripts set $session before using these.
command -v tmux >/dev/null || { echo "FAIL - tmux not found (apt-get install tmux)" >&2; exit 1; }

# The pane's text, now.
screen() { tmux capture-pane -t "$session" -p 2>/dev/null || true; }

# wait_screen SECONDS TEXT: until the screen shows TEXT (status 1 on timeout).
wait_screen() {
    local deadline=$((SECONDS + $1))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if screen | grep -qF -- "$2"; then return 0; fi
        sleep 0.2
    done
    return 1
}

# wait_gone SECONDS TEXT: until the screen no longer shows TEXT (status 1 on timeout).
wait_gone() {
    local deadline=$((SECONDS + $1))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if ! screen | grep -qF -- "$2"; then return 0; fi
        sleep 0.2
    done
    return 1
}

# screen_fits WIDTH HEIGHT: the pane has been redrawn at that size (no line longer, no more lines).
screen_fits() {
    local s
    s="$(screen)"
    [ "$(tmux display-message -p -t "$session" '#{pane_width}x#{pane_height}')" = "$1x$2" ] \
        && [ "$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' <<<"$s")" -le "$1" ] \
        && [ "$(wc -l <<<"$s")" -le "$2" ]
}

# tmux_new_session ARGS...: `tmux new-session ARGS`, tried again while it fails for up to 20 s.
# Killing a script's last session makes the tmux server exit; a new session asked for while it
# is exiting fails with "server exited unexpectedly" (seen 1 run in 9 on a loaded machine).
tmux_new_session() {
    local deadline=$((SECONDS + 20))
    until tmux new-session "$@" 2>/dev/null; do
        if [ "$SECONDS" -ge "$deadline" ]; then tmux new-session "$@"; return; fi
        sleep 0.2
    done
}
