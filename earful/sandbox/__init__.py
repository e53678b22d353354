"""Local stand-ins for the platforms and Slack, speaking their real wire formats.

Each sandbox is an aiohttp web.Application built from a Scenario (scenario.py), a Clock (posts become
visible when the clock passes their time) and a Faults plan (faults.py) that injects 429s, 5xx,
malformed bodies, timeouts and auth failures on chosen paths. `earful demo` and the tests use the
same servers, started by SandboxServer (server.py) on a free loopback port.
"""
