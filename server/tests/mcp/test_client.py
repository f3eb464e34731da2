"""`xsguard mcp` driven by the official MCP Python SDK (PyPI `mcp`), as an agent's client would.

Run from the repository's top folder after `cargo build`:

    python server/tests/mcp/test_client.py [path/to/xsguard]

Every check runs twice: once as the SDK connects by default (it asks `server/discover` and
falls back to the `initialize` handshake) and once with the handshake only (`mode="legacy"`),
which is how most editors and agents connect today. The findings must be those
`xsguard check --format json` prints; bad arguments must get an error (a tool result with
`isError`, or a protocol error) and leave the server answering; the server must end by itself
when the client closes its input. Prints `mcp: N passed, N failed` and exits 1 on a failure.
"""

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError

REPO = Path(__file__).resolve().parents[3]
XSGUARD = str(Path(sys.argv[1]).resolve()) if len(sys.argv) > 1 else str(REPO / "target/debug/xsguard")
APP = "examples/shop"
LOGIN = "examples/shop/apis/auth/login_POST.xs"
TOOLS = {"check", "check_source", "explain", "fixes", "rules"}
# No answer of this server takes long; a hang fails the test instead of stalling CI.
TIMEOUT = 60


def cli(*args, stdin=None):
    """What the command line prints on standard output, run in the repository's top folder."""
    return subprocess.run(
        [XSGUARD, *args], cwd=REPO, input=stdin, capture_output=True, text=True, timeout=TIMEOUT
    ).stdout


def text_of(result):
    assert result.content, result
    return result.content[0].text


async def call(client, tool, arguments):
    """A tool's result, or the protocol error it got."""
    try:
        return await client.call_tool(tool, arguments)
    except MCPError as error:
        return error


def failed(answer):
    return isinstance(answer, MCPError) or answer.is_error


async def lists_the_tools(client):
    listed = await client.list_tools()
    names = {tool.name for tool in listed.tools}
    assert names == TOOLS, names
    for tool in listed.tools:
        assert "Call it" in tool.description, tool
        assert tool.input_schema["type"] == "object", tool


async def checks_the_example_app_as_the_command_line_does(client):
    result = await client.call_tool("check", {"paths": [APP]})
    assert not result.is_error, result
    expected = json.loads(cli("check", "--format", "json", APP))
    assert expected["findings"], "the example app has findings"
    assert json.loads(text_of(result)) == expected
    assert result.structured_content == expected


async def checks_unsaved_text_in_its_workspace(client):
    text = (REPO / LOGIN).read_text()
    result = await client.call_tool("check_source", {"path": LOGIN, "text": text})
    assert not result.is_error, result
    expected = cli("check", "--format", "json", "-", "--stdin-filename", LOGIN, stdin=text)
    assert json.loads(text_of(result)) == json.loads(expected)


async def explains_a_rule_and_lists_them(client):
    result = await client.call_tool("explain", {"code": "XS102"})
    assert not result.is_error, result
    assert text_of(result) == cli("explain", "XS102")
    rules = json.loads(text_of(await client.call_tool("rules", {})))
    expected = json.loads(cli("rules", "--format", "json"))
    assert [r["code"] for r in rules] == [r["code"] for r in expected]
    for rule in rules:
        assert {"code", "name", "severity", "summary"} <= rule.keys(), rule


async def proposes_fixes_as_edits_and_writes_nothing(client):
    before = (REPO / LOGIN).read_bytes()
    result = await client.call_tool("fixes", {"path": LOGIN})
    assert not result.is_error, result
    proposed = json.loads(text_of(result))["findings"]
    assert proposed, result
    everything = json.loads(cli("check", "--format", "json", LOGIN))["findings"]
    for finding in proposed:
        assert finding["fixes"], finding
        for fix in finding["fixes"]:
            assert fix["applicability"] in ("safe", "unsafe"), fix
            for edit in fix["edits"]:
                assert {"range", "new_text"} <= edit.keys(), edit
        assert any(f["code"] == finding["code"] and f["range"] == finding["range"] for f in everything)
    assert (REPO / LOGIN).read_bytes() == before


async def bad_arguments_get_errors_and_the_server_goes_on(client):
    bad = [
        ("check", {"paths": ["examples/no-such-app"]}),
        ("check", {"paths": "examples/shop"}),
        ("check", {"paths": [3]}),
        ("check", {}),
        ("check_source", {"path": LOGIN}),
        ("explain", {"code": "XS999"}),
        ("explain", {"code": 102}),
        ("no_such_tool", {}),
    ]
    for tool, arguments in bad:
        answer = await call(client, tool, arguments)
        assert failed(answer), (tool, arguments, answer)
        # Still answering.
        assert not (await client.call_tool("explain", {"code": "XS101"})).is_error
    missing = await call(client, "check", {"paths": ["examples/no-such-app"]})
    assert "no-such-app" in text_of(missing), missing


CHECKS = [
    lists_the_tools,
    checks_the_example_app_as_the_command_line_does,
    checks_unsaved_text_in_its_workspace,
    explains_a_rule_and_lists_them,
    proposes_fixes_as_edits_and_writes_nothing,
    bad_arguments_get_errors_and_the_server_goes_on,
]


async def session(mode, results):
    """Runs every check in one session; then checks that the server ended by itself."""
    with tempfile.TemporaryDirectory() as scratch:
        status_file = Path(scratch) / "status"
        # The shell records how the server ended: killed by the SDK after its grace period
        # (the server did not see the end of its input) leaves no `0` there.
        server = StdioServerParameters(
            command="sh",
            args=["-c", 'exec 3>"$1"; "$0" mcp; echo $? >&3', XSGUARD, str(status_file)],
            cwd=str(REPO),
        )
        async with Client(server, mode=mode, read_timeout_seconds=TIMEOUT) as client:
            for check in CHECKS:
                name = f"{check.__name__} ({mode})"
                try:
                    await asyncio.wait_for(check(client), TIMEOUT)
                    results.append((name, None))
                except Exception:  # noqa: BLE001 - every failure is reported, then counted
                    results.append((name, traceback.format_exc()))
            negotiated = client.protocol_version
        started = time.monotonic()
        name = f"the server ends with its input ({mode}, protocol {negotiated})"
        deadline = started + 10
        while not status_file.read_text().strip() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        status = status_file.read_text().strip()
        results.append((name, None if status == "0" else f"exit status {status!r}"))


async def main():
    results = []
    for mode in ("auto", "legacy"):
        await session(mode, results)
    failures = [(name, error) for name, error in results if error]
    for name, error in results:
        print(f"{'ok  ' if error is None else 'FAIL'} {name}")
    for name, error in failures:
        print(f"\n--- {name}\n{error}", file=sys.stderr)
    print(f"mcp: {len(results) - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(asyncio.run(main()))
