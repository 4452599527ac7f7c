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
