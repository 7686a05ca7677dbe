"""Shared by the interop scripts run by tests/tests/python_interop.rs.

The official SDK (moobius 1.8.0) is used as published, with one shim
(PROTOCOL.md §10 #6): WSClient.connect always passes `ssl=<context>` to
`websockets.connect`, which the websockets library refuses for a plain
`ws://` URI, so the SDK would retry forever against a local devserver.
`patch_websockets()` drops `ssl` for `ws://` URIs only; nothing else changes.
Call it before importing `moobius`.

Configuration comes from the MOOBIUS_INTEROP environment variable (JSON),
not argv: importing `moobius` runs its template generator, which scans
sys.argv (PROTOCOL.md §10 #27). Results are printed as lines
`INTEROP {"kind": ..., ...}` for the Rust test to parse.
"""

import json
import os
import sys


def patch_websockets():
    """Drop `ssl=` for ws:// URIs (the only shim applied to the SDK)."""
    import websockets

    original = websockets.connect

    def connect(uri, *args, **kwargs):
        if str(uri).startswith("ws://"):
            kwargs.pop("ssl", None)
        return original(uri, *args, **kwargs)

    websockets.connect = connect


def config():
    """The test's settings (URIs, credentials, channel, ...)."""
    return json.loads(os.environ["MOOBIUS_INTEROP"])


def report(kind, **data):
    """One machine-readable result line on stdout."""
    print("INTEROP " + json.dumps({"kind": kind, **data}, default=str), flush=True)


def sdk_configs(cfg, service_mode):
    """The Moobius constructor arguments for a local devserver."""
    service_config = {
        "http_server_uri": cfg["http"],
        "ws_server_uri": cfg["ws"],
        "service_id": "",
        "channels": [cfg["channel"]],
        "others": "include",
        "checkin_interval": 0,
        "service_mode": service_mode,
        "no_warn_cannot_save_service_id": True,
    }
    level = os.environ.get("MOOBIUS_INTEROP_LOG", "WARNING")
    return dict(
        account_config={"email": cfg["email"], "password": cfg["password"]},
        service_config=service_config,
        log_config={"terminal_log_level": level, "log_level": level},
    )


def exit_now(code):
    """Leave at once (the SDK's loops never return)."""
    sys.stdout.flush()
    os._exit(code)
