#!/usr/bin/env python3
"""A libosdp peripheral device (PD) on a TCP bus, for interoperability tests.

Prints one JSON line per thing that happens, on stdout:
  {"event": "listening", "address": "HOST:PORT"}        (with --listen)
  {"event": "status", "online": true, "secure": true}    (on every change)
  {"event": "reported", "kind": "card" | "keypad"}       (a report was queued)
  {"event": "command", "kind": "output", ...}            (a command from the CP)
  {"event": "file", "id": N, "size": N, "sha256": HEX}   (a file fully received)
  {"event": "closed"}                                     (the peer hung up; exits)

Example (a CP listening on 4000, secure channel on, presenting a 26-bit card):
  pd.py --connect 127.0.0.1:4000 --address 1 --scbk 000102030405060708090a0b0c0d0e0f \
        --card-bits 10000000100000000000000011
"""

import argparse
import hashlib
import sys
import time

from osdp import (Capability, CardFormat, Command, Event, LibFlag, PDCapabilities,
                  PDInfo, PdId, PeripheralDevice)

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
import peer  # noqa: E402

COMMAND_KINDS = {
    Command.Output: "output",
    Command.LED: "led",
    Command.Buzzer: "buzzer",
    Command.Text: "text",
    Command.Keyset: "keyset",
    Command.Comset: "comset",
    Command.Manufacturer: "manufacturer",
    Command.FileTransfer: "file_transfer",
    Command.Status: "status",
}


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    peer.add_common_arguments(parser)
    parser.add_argument("--file-out", metavar="PATH",
                        help="write a file received by file transfer here")
    parser.add_argument("--card-bits", type=peer.parse_bits, metavar="BITS",
                        help="present this raw Wiegand card ('0'/'1' string) once online")
    parser.add_argument("--keypad", metavar="DIGITS",
                        help="present these keypad digits once online")
    return parser.parse_args()


class FileReceiver:
    """libosdp's file operations for a receiving PD: keeps the file in memory and
    reports its digest (and writes it to --file-out) when libosdp closes it."""

    def __init__(self, out_path):
        self.out_path = out_path
        self.contents = bytearray()
        self.file_id = None

    def operations(self):
        return {"open": self.open, "read": self.read,
                "write": self.write, "close": self.close}

    def open(self, file_id, size):
        self.file_id = file_id
        self.contents = bytearray(size)
        peer.emit({"event": "file_open", "id": file_id, "size": size})
        return 0

    def read(self, size, offset):
        return b""  # a receiving PD is never asked to read

    def write(self, data, offset):
        end = offset + len(data)
        if end > len(self.contents):
            return -1
        self.contents[offset:end] = data
        return len(data)

    def close(self, file_id):
        data = bytes(self.contents)
        if self.out_path:
            with open(self.out_path, "wb") as out:
                out.write(data)
        peer.emit({"event": "file", "id": file_id, "size": len(data),
                   "sha256": hashlib.sha256(data).hexdigest()})


def on_command(command):
    """libosdp's command callback: report the command, accept it."""
    kind = COMMAND_KINDS.get(command.get("command"), "unknown")
    record = {"event": "command", "kind": kind}
    fields = peer.describe(command)
    if kind == "keyset":  # never print a key
        fields.pop("data", None)
    record.update(fields)
    peer.emit(record)
    return 0, None


def make_device(args, channel):
    flags = [LibFlag.EnforceSecure] if args.scbk else []
    info = PDInfo(args.address, channel, scbk=args.scbk, flags=flags,
                  id=PdId(2, 1, 0x0A0B0C, 0x12345678, 0x010203))
    capabilities = PDCapabilities([
        (Capability.OutputControl, 1, 4),
        (Capability.LEDControl, 1, 1),
        (Capability.AudibleControl, 1, 1),
        (Capability.TextOutput, 1, 1),
        (Capability.CardDataFormat, 1, 1),
    ])
    return PeripheralDevice(info, capabilities, log_level=args.log_level,
                            command_handler=on_command)


def reports(args):
    """The card read and keypad events to present once online."""
    events = []
    if args.card_bits:
        events.append(("card", {"event": Event.CardRead, "reader_no": 0,
                                "direction": 0, "format": CardFormat.Wiegand,
                                "length": len(args.card_bits),
                                "data": peer.bits_to_bytes(args.card_bits)}))
    if args.keypad:
        events.append(("keypad", {"event": Event.KeyPress, "reader_no": 0,
                                  "data": args.keypad.encode("ascii")}))
    return events


def run(args, channel, device):
    pending = reports(args)
    deadline = time.monotonic() + args.timeout
    last = None
    while time.monotonic() < deadline and not channel.closed.is_set():
        status = (device.is_online(), device.is_sc_active())
        if status != last:
            peer.emit({"event": "status", "online": status[0], "secure": status[1]})
            last = status
        ready = status[0] and (status[1] or not args.scbk)
        while ready and pending:
            kind, event = pending.pop(0)
            device.submit_event(event)
            peer.emit({"event": "reported", "kind": kind})
        time.sleep(0.02)
    peer.emit({"event": "closed" if channel.closed.is_set() else "timeout"})


def main():
    args = parse_arguments()
    peer.redirect_c_stdout()
    channel = peer.open_channel(args)
    device = make_device(args, channel)
    receiver = FileReceiver(args.file_out)
    device.start()
    device.register_file_ops(receiver.operations())
    try:
        run(args, channel, device)
    finally:
        device.teardown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
