#!/usr/bin/env python3
"""Checks the two peer scripts against each other: libosdp CP <-> libosdp PD on
loopback TCP, secure channel on, a card, a keypad entry, OUT/LED/BUZ and a 5 KB file.

Run with the venv's interpreter:  .venv-libosdp/bin/python interop/libosdp/selfcheck.py
Exits 0 when every expectation held, 1 otherwise (printing what was missing).
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TEST_SCBK = "000102030405060708090a0b0c0d0e0f"  # a fixed test key, not a secret
CARD = "10000000100000000000000011"


def start(script, *arguments):
    return subprocess.Popen([sys.executable, os.path.join(HERE, script), *arguments],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def main():
    contents = os.urandom(5000)
    with tempfile.NamedTemporaryFile(delete=False) as source:
        source.write(contents)
    cp = start("cp.py", "--listen", "127.0.0.1:0", "--address", "3", "--scbk", TEST_SCBK,
               "--output", "0", "--led", "--buzzer", "--send-file", source.name,
               "--timeout", "15")
    listening = json.loads(cp.stdout.readline())
    pd = start("pd.py", "--connect", listening["address"], "--address", "3",
               "--scbk", TEST_SCBK, "--card-bits", CARD, "--keypad", "1234",
               "--timeout", "8")
    pd_lines = [json.loads(line) for line in pd.stdout]
    pd.wait()
    cp_lines = [json.loads(line) for line in cp.stdout]
    cp.wait()
    os.unlink(source.name)

    expected_digest = hashlib.sha256(contents).hexdigest()
    checks = {
        "CP saw the PD online and secure":
            {"event": "status", "online": True, "secure": True} in cp_lines,
        "PD saw itself online and secure":
            {"event": "status", "online": True, "secure": True} in pd_lines,
        "CP got the card bits":
            any(l.get("event") == "card" and l.get("bit_string") == CARD for l in cp_lines),
        "CP got the keypad digits":
            any(l.get("event") == "keypad" and l.get("digits") == "1234" for l in cp_lines),
        "PD got OUT, LED and BUZ":
            {"output", "led", "buzzer"} <= {l.get("kind") for l in pd_lines
                                            if l.get("event") == "command"},
        "PD received the whole file":
            any(l.get("event") == "file" and l.get("sha256") == expected_digest
                for l in pd_lines),
    }
    for name, held in checks.items():
        print(("ok      " if held else "FAILED  ") + name)
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
