#!/usr/bin/env python3
"""A libosdp control panel (CP) driving one PD on a TCP bus, for interoperability tests.

Prints one JSON line per thing that happens, on stdout:
  {"event": "listening", "address": "HOST:PORT"}          (with --listen)
  {"event": "status", "online": true, "secure": true}      (on every change)
  {"event": "pd_id", "vendor_code": N, ...}                (once online)
  {"event": "submitted", "kind": "output", "ok": true}     (a command was queued)
  {"event": "card", "format": N, "bits": N, "data": HEX, "bit_string": "0101..."}
  {"event": "keypad", "digits": "1234"}
  {"event": "notification", "type": N, "arg0": N, "arg1": N}
  {"event": "completed", "command": N, "status": N}        (libosdp's completion callback)
  {"event": "file_sent", "id": N, "size": N}               (the whole file was read out)
  {"event": "closed"}                                       (the peer hung up; exits)

Commands are sent once the PD is online (and secure, with --scbk), in this order:
--output, --led, --buzzer, --send-file.

Example (our PD listening on 4000, secure channel on, pulse output 0):
  cp.py --connect 127.0.0.1:4000 --address 1 --scbk 000102030405060708090a0b0c0d0e0f \
        --output 0
"""

import argparse
import sys
import time

from osdp import (Command, CommandLEDColor, ControlPanel, Event, LibFlag, PDInfo)

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
import peer  # noqa: E402

# OSDP OUT control code 5: temporary on for `timer_count` x 100 ms, then back.
OUTPUT_PULSE = 5
OUTPUT_PULSE_TIMER = 10


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    peer.add_common_arguments(parser)
    parser.add_argument("--output", type=int, metavar="NO",
                        help="pulse this output (OUT, control code 5, 1 s) once online")
    parser.add_argument("--led", action="store_true",
                        help="set LED 0 of reader 0 steady green (LED, permanent) once online")
    parser.add_argument("--buzzer", action="store_true",
                        help="beep once (BUZ) once online")
    parser.add_argument("--send-file", metavar="PATH",
                        help="send this file by file transfer once online")
    parser.add_argument("--file-id", type=int, default=1,
                        help="the file type sent with --send-file (default 1)")
    return parser.parse_args()


class FileSender:
    """libosdp's file operations for a sending CP, reading from memory."""

    def __init__(self, file_id, contents):
        self.file_id = file_id
        self.contents = contents

    def operations(self):
        return {"open": self.open, "read": self.read,
                "write": self.write, "close": self.close}

    def open(self, file_id, size):
        return len(self.contents)  # a sender answers with the file's size

    def read(self, size, offset):
        return self.contents[offset:offset + size]

    def write(self, data, offset):
        return -1  # a sending CP is never asked to write

    def close(self, file_id):
        peer.emit({"event": "file_sent", "id": file_id, "size": len(self.contents)})


def on_event(_pd, event):
    """libosdp's event callback: one JSON line per event from the PD."""
    kind = event.get("event")
    if kind == Event.CardRead:
        record = {"event": "card", "format": event.get("format"),
                  "reader": event.get("reader_no"), "data": event["data"].hex()}
        if "length" in event:
            record["bits"] = event["length"]
            record["bit_string"] = peer.bytes_to_bits(event["data"], event["length"])
        peer.emit(record)
    elif kind == Event.KeyPress:
        peer.emit({"event": "keypad", "reader": event.get("reader_no"),
                   "digits": event["data"].decode("ascii", "replace")})
    elif kind == Event.Notification:
        peer.emit({"event": "notification", "type": event.get("type"),
                   "arg0": event.get("arg0"), "arg1": event.get("arg1")})
    else:
        record = {"event": "pd_event"}
        record.update(peer.describe(event))
        peer.emit(record)
    return 0


def on_completion(_address, command, status):
    peer.emit({"event": "completed", "command": command.get("command"), "status": status})


def commands(args):
    """The commands to send once the PD is online, as (kind, dict) pairs."""
    queued = []
    if args.output is not None:
        queued.append(("output", {"command": Command.Output, "output_no": args.output,
                                  "control_code": OUTPUT_PULSE,
                                  "timer_count": OUTPUT_PULSE_TIMER}))
    if args.led:
        queued.append(("led", {"command": Command.LED, "reader": 0, "led_number": 0,
                               "control_code": 1, "on_count": 10, "off_count": 0,
                               "on_color": CommandLEDColor.Green,
                               "off_color": CommandLEDColor.Black,
                               "timer_count": 0, "temporary": False}))
    if args.buzzer:
        queued.append(("buzzer", {"command": Command.Buzzer, "reader": 0,
                                  "control_code": 2, "on_count": 2, "off_count": 2,
                                  "rep_count": 1}))
    if args.send_file:
        queued.append(("file_transfer", {"command": Command.FileTransfer,
                                         "id": args.file_id, "flags": 0}))
    return queued


def report_status(panel, args, last):
    status = (panel.is_online(args.address), panel.is_sc_active(args.address))
    if status != last:
        peer.emit({"event": "status", "online": status[0], "secure": status[1]})
        if status[0] and (last is None or not last[0]):
            try:
                pd_id = panel.get_pd_id(args.address)
            except (RuntimeError, UnboundLocalError):
                pd_id = None  # libosdp has no PDID for it (yet)
            if pd_id is not None:
                peer.emit({"event": "pd_id", "version": pd_id.version,
                           "model": pd_id.model, "vendor_code": pd_id.vendor_code,
                           "serial_number": pd_id.serial_number,
                           "firmware_version": pd_id.firmware_version})
    return status


def run(args, channel, panel):
    pending = commands(args)
    deadline = time.monotonic() + args.timeout
    last = None
    while time.monotonic() < deadline and not channel.closed.is_set():
        last = report_status(panel, args, last)
        ready = last[0] and (last[1] or not args.scbk)
        while ready and pending:
            kind, command = pending.pop(0)
            ok = panel.submit_command(args.address, command)
            peer.emit({"event": "submitted", "kind": kind, "ok": bool(ok)})
        time.sleep(0.02)
    peer.emit({"event": "closed" if channel.closed.is_set() else "timeout"})


def main():
    args = parse_arguments()
    peer.redirect_c_stdout()
    contents = None
    if args.send_file:
        with open(args.send_file, "rb") as source:
            contents = source.read()
    channel = peer.open_channel(args)
    flags = [LibFlag.EnforceSecure] if args.scbk else []
    flags.append(LibFlag.EnableNotification)
    info = PDInfo(args.address, channel, scbk=args.scbk, flags=flags)
    panel = ControlPanel([info], log_level=args.log_level, event_handler=on_event,
                         command_completion_handler=on_completion)
    panel.start()
    if contents is not None:
        panel.register_file_ops(args.address,
                                FileSender(args.file_id, contents).operations())
    try:
        run(args, channel, panel)
    finally:
        panel.teardown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
