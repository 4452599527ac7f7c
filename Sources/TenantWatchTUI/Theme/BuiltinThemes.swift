// Generated from themes/*.toml (a test checks they stay identical): the themes ship inside the binary.
enum BuiltinThemes {
    static let text: [String: String] = [
        "default": """
# tenantwatch theme: default (256 colours, dark or terminal-default background).
# Colours: 0-255, "#rrggbb", "default" (the terminal's own), an ANSI name ("red", "bright_red"),
# or a name from [palette]. Style keys: fg, bg, bold, underline, reverse, dim.
name = "default"

[palette]
fg = "default"
bg = "default"
muted = 245
bar = 236
bar_fg = 252
accent = 75
red = 203
crimson = 160
orange = 214
yellow = 221
green = 114
blue = 68
magenta = 176

[styles]
text = { fg = "fg" }
dim = { fg = "muted" }
header = { fg = "bar_fg", bg = "bar" }
title = { fg = "accent", bold = true }
border = { fg = "muted" }
selected = { fg = 231, bg = 25, bold = true }
key = { fg = "accent", bold = true }
severity_info = { fg = "muted" }
severity_low = { fg = "blue" }
severity_medium = { fg = "yellow" }
severity_high = { fg = "orange", bold = true }
severity_critical = { fg = 231, bg = "crimson", bold = true }
leak = { fg = "red", bold = true }
leak_highlight = { fg = 231, bg = "crimson", bold = true, underline = true }
scoped = { fg = "green" }
unscoped = { fg = "orange", bold = true }
tenant_badge = { fg = "magenta" }
status_ok = { fg = "green" }
status_warn = { fg = "yellow" }
status_error = { fg = "red", bold = true }
search_match = { fg = 16, bg = "yellow" }
prompt = { fg = "accent", bold = true }
sql_keyword = { fg = "accent" }
""",
        "light": """
# tenantwatch theme: light (256 colours, for light backgrounds).
name = "light"

[palette]
fg = "default"
muted = 242
bar = 254
bar_fg = 236
accent = 25
red = 160
orange = 130
yellow = 136
green = 28
blue = 25
magenta = 90

[styles]
text = { fg = "fg" }
dim = { fg = "muted" }
header = { fg = "bar_fg", bg = "bar" }
title = { fg = "accent", bold = true }
border = { fg = "muted" }
selected = { fg = 231, bg = 31, bold = true }
key = { fg = "accent", bold = true }
severity_info = { fg = "muted" }
severity_low = { fg = "blue" }
severity_medium = { fg = "yellow" }
severity_high = { fg = "orange", bold = true }
severity_critical = { fg = 231, bg = "red", bold = true }
leak = { fg = "red", bold = true }
leak_highlight = { fg = 231, bg = "red", bold = true, underline = true }
scoped = { fg = "green" }
unscoped = { fg = "orange", bold = true }
tenant_badge = { fg = "magenta" }
status_ok = { fg = "green" }
status_warn = { fg = "orange" }
status_error = { fg = "red", bold = true }
search_match = { fg = 16, bg = 222 }
prompt = { fg = "accent", bold = true }
sql_keyword = { fg = "accent" }
""",
        "high-contrast": """
# tenantwatch theme: high-contrast (bright colours on black, bold where it matters).
name = "high-contrast"

[palette]
fg = "bright_white"
bg = "black"
red = "bright_red"
yellow = "bright_yellow"
green = "bright_green"
cyan = "bright_cyan"
magenta = "bright_magenta"

[styles]
text = { fg = "fg", bg = "bg" }
dim = { fg = "white", bg = "bg" }
header = { fg = "black", bg = "bright_white", bold = true }
title = { fg = "cyan", bg = "bg", bold = true, underline = true }
border = { fg = "white", bg = "bg" }
selected = { fg = "black", bg = "cyan", bold = true }
key = { fg = "yellow", bg = "bg", bold = true }
severity_info = { fg = "white", bg = "bg" }
severity_low = { fg = "cyan", bg = "bg" }
severity_medium = { fg = "yellow", bg = "bg", bold = true }
severity_high = { fg = "red", bg = "bg", bold = true }
severity_critical = { fg = "bright_white", bg = "red", bold = true, underline = true }
leak = { fg = "red", bg = "bg", bold = true, underline = true }
leak_highlight = { fg = "black", bg = "bright_yellow", bold = true, underline = true }
scoped = { fg = "green", bg = "bg" }
unscoped = { fg = "yellow", bg = "bg", bold = true, underline = true }
tenant_badge = { fg = "magenta", bg = "bg", bold = true }
status_ok = { fg = "green", bg = "bg", bold = true }
status_warn = { fg = "yellow", bg = "bg", bold = true }
status_error = { fg = "red", bg = "bg", bold = true }
search_match = { fg = "black", bg = "bright_yellow" }
prompt = { fg = "yellow", bg = "bg", bold = true }
sql_keyword = { fg = "cyan", bg = "bg", bold = true }
""",
        "colorblind": """
# tenantwatch theme: colorblind — the Okabe–Ito palette (Okabe & Ito, 2008), distinguishable
# with protanopia, deuteranopia and tritanopia. Leaks also carry bold/underline and the !X/!U marks.
name = "colorblind"

[palette]
fg = "default"
muted = 246
bar = 236
bar_fg = 252
orange = "#E69F00"
sky_blue = "#56B4E9"
bluish_green = "#009E73"
yellow = "#F0E442"
blue = "#0072B2"
vermillion = "#D55E00"
reddish_purple = "#CC79A7"

[styles]
text = { fg = "fg" }
dim = { fg = "muted" }
header = { fg = "bar_fg", bg = "bar" }
title = { fg = "sky_blue", bold = true }
border = { fg = "muted" }
selected = { fg = 231, bg = "blue", bold = true }
key = { fg = "sky_blue", bold = true }
severity_info = { fg = "muted" }
severity_low = { fg = "sky_blue" }
severity_medium = { fg = "yellow" }
severity_high = { fg = "orange", bold = true }
severity_critical = { fg = 231, bg = "vermillion", bold = true, underline = true }
leak = { fg = "vermillion", bold = true, underline = true }
leak_highlight = { fg = 16, bg = "orange", bold = true, underline = true }
scoped = { fg = "bluish_green" }
unscoped = { fg = "orange", bold = true }
tenant_badge = { fg = "reddish_purple" }
status_ok = { fg = "bluish_green" }
status_warn = { fg = "yellow" }
status_error = { fg = "vermillion", bold = true }
search_match = { fg = 16, bg = "yellow" }
prompt = { fg = "sky_blue", bold = true }
sql_keyword = { fg = "sky_blue" }
""",
        "mono": """
# tenantwatch theme: mono — no colour at all, attributes only (also what NO_COLOR selects).
name = "mono"

[styles]
text = {}
dim = { dim = true }
header = { reverse = true }
title = { bold = true }
border = { dim = true }
selected = { reverse = true, bold = true }
key = { bold = true }
severity_info = { dim = true }
severity_low = {}
severity_medium = { bold = true }
severity_high = { bold = true, underline = true }
severity_critical = { reverse = true, bold = true }
leak = { bold = true, underline = true }
leak_highlight = { reverse = true, bold = true, underline = true }
scoped = {}
unscoped = { bold = true, underline = true }
tenant_badge = { underline = true }
status_ok = {}
status_warn = { bold = true }
status_error = { bold = true, reverse = true }
search_match = { reverse = true }
prompt = { bold = true }
sql_keyword = { bold = true }
""",
    ]
}
