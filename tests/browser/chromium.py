"""How the browser tests and the canvas benchmark start Debian's Chromium.

The background-networking flags matter here: without them Chromium keeps dialling hosts this
machine cannot reach."""

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
