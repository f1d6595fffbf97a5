"""What the two libosdp peer scripts share: the TCP bus, JSON output, arguments.

libosdp drives its bus through any object implementing `osdp.Channel` (non-blocking
read, write, flush); `TcpChannel` is a TCP socket seen that way. Each script prints one
JSON object per line on stdout; libosdp's own C log lines are sent to stderr so that
stdout stays machine-readable. Secrets (the SCBK) are never printed.
"""

import argparse
import json
import os
import socket
import sys
import threading

from osdp import Channel

# Where JSON lines go: the original stdout. Set up by `redirect_c_stdout`.
_json_out = sys.stdout
_json_lock = threading.Lock()


def redirect_c_stdout():
    """Keeps stdout for JSON lines and sends everything else written to fd 1
    (libosdp's C logger prints there) to stderr."""
    global _json_out
    sys.stdout.flush()
    json_fd = os.dup(1)
    os.dup2(2, 1)
    _json_out = os.fdopen(json_fd, "w", buffering=1)


def emit(record):
    """Prints one JSON line on the real stdout and flushes it."""
    line = json.dumps(record, sort_keys=True)
    with _json_lock:
        _json_out.write(line + "\n")
        _json_out.flush()


class TcpChannel(Channel):
    """A connected TCP socket as an `osdp.Channel`.

    `read` never blocks (libosdp polls it from its refresh loop). A closed
    connection sets `closed`, which the scripts watch to exit.
    """

    def __init__(self, sock):
        super().__init__()
        self.sock = sock
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.closed = threading.Event()

    def read(self, max_bytes):
        if self.closed.is_set():
            return b""
        try:
            data = self.sock.recv(max_bytes)
        except (BlockingIOError, InterruptedError):
            return b""
        except OSError:
            self.closed.set()
            return b""
        if not data:
            self.closed.set()
        return data

    def write(self, buf):
        if self.closed.is_set():
            return 0
        try:
            self.sock.setblocking(True)
            self.sock.sendall(buf)
            return len(buf)
        except OSError:
            self.closed.set()
            return 0
        finally:
            if not self.closed.is_set():
                self.sock.setblocking(False)

    def flush(self):
        pass


def parse_host_port(text):
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host, int(port)


def parse_scbk(text):
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise argparse.ArgumentTypeError("SCBK must be hexadecimal") from None
    if len(key) != 16:
        raise argparse.ArgumentTypeError("SCBK must be 16 bytes (32 hex digits)")
    return key


def add_common_arguments(parser):
    """Arguments both scripts take: the bus, the PD address, the key, limits."""
    bus = parser.add_mutually_exclusive_group(required=True)
    bus.add_argument("--connect", type=parse_host_port, metavar="HOST:PORT",
                     help="connect to a peer listening there")
    bus.add_argument("--listen", type=parse_host_port, metavar="HOST:PORT",
                     help="accept one peer there (port 0: any; printed as 'listening')")
    parser.add_argument("--address", type=int, default=1,
                        help="the PD's OSDP address, 0-126 (default 1)")
    parser.add_argument("--scbk", type=parse_scbk, metavar="HEX",
                        help="secure channel base key (32 hex digits); when given, "
                             "the secure channel is enforced")
    parser.add_argument("--log-level", type=int, default=3,
                        help="libosdp log level 0-7, printed on stderr (default 3: errors)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="exit after this many seconds whatever happens (default 120)")


def open_channel(args):
    """Connects or accepts one peer as asked, and wraps the socket."""
    if args.connect:
        sock = socket.create_connection(args.connect, timeout=10)
    else:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(args.listen)
        listener.listen(1)
        host, port = listener.getsockname()[:2]
        emit({"event": "listening", "address": f"{host}:{port}"})
        sock, _ = listener.accept()
        listener.close()
    return TcpChannel(sock)


def parse_bits(text):
    """A card's bits as given on the command line: '0' and '1' only."""
    if not text or any(bit not in "01" for bit in text):
        raise argparse.ArgumentTypeError("card bits must be a string of 0 and 1")
    return text


def bits_to_bytes(bits):
    """'1011...' to bytes, most significant bit first, left-justified (OSDP RAW)."""
    padded = bits + "0" * (-len(bits) % 8)
    return bytes(int(padded[i:i + 8], 2) for i in range(0, len(padded), 8))


def bytes_to_bits(data, count):
    """The first `count` bits of `data`, most significant bit first, as '0'/'1'."""
    text = "".join(f"{byte:08b}" for byte in data)
    return text[:count]


def describe(value):
    """A JSON-friendly copy of a libosdp dict: bytes become hex strings."""
    if isinstance(value, dict):
        return {key: describe(item) for key, item in value.items()}
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return value
