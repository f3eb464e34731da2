#!/usr/bin/env python3
"""Time from opening one document of N endpoints to its first diagnostics, end to end over stdio.

Starts `xsguard lsp`, initializes it without workspace folders, opens a generated document of N
endpoints (the shape of bench/scaling.py), and measures until the server publishes diagnostics
for it; also measures a small second document opened right after, to see whether it waits
behind the large one. Doubling N should at most double the time.

Usage: bench/lsp-first.py [--xsguard target/release/xsguard] [--sizes 4000,8000,16000]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from scaling import endpoint  # noqa: E402


def send(proc, message):
    body = json.dumps(message).encode()
    proc.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    proc.stdin.flush()


def read(proc):
    length = None
    while True:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the server closed its output")
        line = line.strip()
        if not line:
            break
        key, _, value = line.decode().partition(":")
        if key.lower() == "content-length":
            length = int(value)
    return json.loads(proc.stdout.read(length))


def first_diagnostics(xsguard, n):
    folder = tempfile.mkdtemp(prefix="xsguard-lsp-first-")
    big = os.path.join(folder, "all.xs")
    small = os.path.join(folder, "one.xs")
    text = "".join(endpoint(i) for i in range(n))
    proc = subprocess.Popen(
        [xsguard, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    send(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"processId": None, "rootUri": None, "capabilities": {},
                           "initializationOptions": {"debounceMs": 0}}})
    while read(proc).get("id") != 1:
        pass
    send(proc, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
    started = time.perf_counter()
    for path, content in ((big, text), (small, endpoint(0))):
        send(proc, {"jsonrpc": "2.0", "method": "textDocument/didOpen",
                    "params": {"textDocument": {"uri": f"file://{path}", "languageId": "xanoscript",
                                                "version": 1, "text": content}}})
    arrived = {}
    while len(arrived) < 2:
        message = read(proc)
        if message.get("method") == "textDocument/publishDiagnostics":
            uri = message["params"]["uri"]
            arrived.setdefault(uri, time.perf_counter() - started)
        elif "id" in message and "method" in message:
            # A request from the server (configuration, progress): answer it empty.
            send(proc, {"jsonrpc": "2.0", "id": message["id"], "result": None})
    send(proc, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    send(proc, {"jsonrpc": "2.0", "method": "exit"})
    proc.wait(timeout=30)
    return arrived[f"file://{big}"], arrived[f"file://{small}"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--xsguard", default="target/release/xsguard")
    parser.add_argument("--sizes", default="4000,8000,16000")
    args = parser.parse_args()
    print("| endpoints in the document | first diagnostics | small document opened after it |")
    print("|---|---|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        big, small = first_diagnostics(args.xsguard, n)
        print(f"| {n:,} | {big:.2f} s | {small:.2f} s |", flush=True)


if __name__ == "__main__":
    main()
