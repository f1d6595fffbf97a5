//! Transports end to end: the memory pair, TCP on the loopback, serial over a
//! pseudo-terminal pair, and OSDP frames found in chunked streams.

use std::net::TcpListener;
use std::thread;
use std::time::{Duration, Instant};

use accessctl_devices::osdp::{Address, Check, Command, Frame, FrameReader, Header, Sequence};
use accessctl_devices::transport::{
    memory, Connection, SerialTransport, TcpTransport, Transport, TransportError,
};
use proptest::prelude::*;

const WAIT: Duration = Duration::from_secs(2);

/// Receives exactly `len` bytes, or fails after [`WAIT`].
fn receive_exactly(transport: &mut dyn Transport, len: usize) -> Vec<u8> {
    let deadline = Instant::now() + WAIT;
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    while got.len() < len && Instant::now() < deadline {
        let count = transport
            .receive(&mut buf, Duration::from_millis(50))
            .unwrap();
        got.extend_from_slice(&buf[..count]);
    }
    got
}

/// Sends both ways and checks what arrives.
fn round_trip(a: &mut dyn Transport, b: &mut dyn Transport) {
    a.send(b"ping from a").unwrap();
    assert_eq!(receive_exactly(b, 11), b"ping from a");
    b.send(&[0x53, 0x00, 0xFF]).unwrap();
    assert_eq!(receive_exactly(a, 3), [0x53, 0x00, 0xFF]);
}

#[test]
fn memory_round_trip_and_timeout() {
    let (mut a, mut b) = memory::pair();
    round_trip(&mut a, &mut b);
    let started = Instant::now();
    assert_eq!(
        b.receive(&mut [0; 4], Duration::from_millis(30)).unwrap(),
        0
    );
    assert!(started.elapsed() >= Duration::from_millis(30));
}

#[test]
fn memory_receive_wakes_when_bytes_arrive() {
    let (mut a, mut b) = memory::pair();
    let sender = thread::spawn(move || {
        thread::sleep(Duration::from_millis(20));
        a.send(&[7]).unwrap();
        a
    });
    let mut buf = [0; 1];
    assert_eq!(b.receive(&mut buf, WAIT).unwrap(), 1);
    assert_eq!(buf, [7]);
    drop(sender.join().unwrap());
}

#[test]
fn tcp_round_trip_on_the_loopback() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let server = thread::spawn(move || TcpTransport::accept(&listener).unwrap());
    let mut client = TcpTransport::connect(&address, WAIT).unwrap();
    let mut server = server.join().unwrap();
    round_trip(&mut client, &mut server);
    assert_eq!(
        client
            .receive(&mut [0; 4], Duration::from_millis(10))
            .unwrap(),
        0
    );
    server.send(&[1, 2, 3]).unwrap();
    thread::sleep(Duration::from_millis(50));
    client.flush_input().unwrap();
    assert_eq!(
        client
            .receive(&mut [0; 4], Duration::from_millis(10))
            .unwrap(),
        0
    );
    drop(server);
    let closed = client.receive(&mut [0; 4], WAIT);
    assert!(
        matches!(closed, Err(TransportError::Closed { .. })),
        "{closed:?}"
    );
}

/// The error of opening `connection`, which must fail.
fn open_error(connection: &Connection) -> TransportError {
    match accessctl_devices::transport::open(connection) {
        Ok(transport) => panic!("{} opened", transport.name()),
        Err(error) => error,
    }
}

#[test]
fn opening_a_refused_tcp_connection_names_it() {
    // Bind then drop, so that nothing listens on the port.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let connection: Connection = format!("tcp:127.0.0.1:{port}").parse().unwrap();
    let error = open_error(&connection);
    assert!(
        error
            .to_string()
            .starts_with(&format!("tcp:127.0.0.1:{port}: ")),
        "{error}"
    );
}

#[test]
fn opening_a_missing_serial_port_names_it() {
    let connection: Connection = "serial:/nonexistent/tty:19200".parse().unwrap();
    let error = open_error(&connection);
    assert!(
        error
            .to_string()
            .starts_with("serial:/nonexistent/tty:19200: "),
        "{error}"
    );
}

#[cfg(unix)]
#[test]
fn serial_round_trip_over_a_pseudo_terminal() {
    let (master, slave) = match serialport::TTYPort::pair() {
        Ok(pair) => pair,
        Err(error) => {
            println!("skipped: no pseudo-terminal pair ({error})");
            return;
        }
    };
    let mut a = SerialTransport::from_port(Box::new(master), "pty-master".into(), 9600);
    let mut b = SerialTransport::from_port(Box::new(slave), "pty-slave".into(), 9600);
    round_trip(&mut a, &mut b);
    assert_eq!(
        b.receive(&mut [0; 4], Duration::from_millis(20)).unwrap(),
        0
    );
}

/// Polls to addresses 0..n with successive sequence numbers, encoded.
fn polls(count: u8) -> Vec<Vec<u8>> {
    let mut sequence = Sequence::ZERO;
    (0..count)
        .map(|address| {
            sequence = sequence.next();
            let header = Header::command(Address::new(address).unwrap(), sequence, Check::Crc16);
            Frame::command(header, &Command::Poll)
                .unwrap()
                .encode()
                .unwrap()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Frames sent in random chunks over the memory pair all come out of the reader.
    #[test]
    fn osdp_frames_in_random_chunks_are_all_found(
        count in 1u8..20,
        chunks in proptest::collection::vec(1usize..13, 1..40),
    ) {
        let frames = polls(count);
        let stream: Vec<u8> = frames.concat();
        let (mut a, mut b) = memory::pair();
        let mut reader = FrameReader::new();
        let mut found = Vec::new();
        let mut rest = stream.as_slice();
        for &size in chunks.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (chunk, tail) = rest.split_at(size.min(rest.len()));
            rest = tail;
            a.send(chunk).unwrap();
            // Read back in small pieces, until nothing more is waiting.
            let mut buf = [0u8; 7];
            loop {
                let received = b.receive(&mut buf, Duration::ZERO).unwrap();
                if received == 0 {
                    break;
                }
                reader.push(&buf[..received]);
            }
            while let Some(frame) = reader.next_frame() {
                found.push(frame.unwrap().encode().unwrap());
            }
        }
        prop_assert_eq!(found, frames);
    }
}

#[cfg(unix)]
#[test]
fn serial_echo_draining_checks_the_echo() {
    let Ok((master, slave)) = serialport::TTYPort::pair() else {
        println!("skipped: no pseudo-terminal pair");
        return;
    };
    let mut a = SerialTransport::from_port(Box::new(master), "pty-master".into(), 115_200);
    a.set_drain_echo(true);
    let mut b = SerialTransport::from_port(Box::new(slave), "pty-slave".into(), 115_200);
    // Nothing echoes: the send is reported as a bus problem.
    let error = a.send(&[1, 2, 3]).unwrap_err();
    assert!(
        matches!(
            error,
            TransportError::EchoMismatch {
                sent: 3,
                echoed: 0,
                ..
            }
        ),
        "{error:?}"
    );
    b.flush_input().unwrap();
    // The peer plays the bus: it echoes, then answers; only the answer is received.
    let echoer = thread::spawn(move || {
        let echo = receive_exactly(&mut b, 2);
        b.send(&echo).unwrap();
        b.send(&[9]).unwrap();
        b
    });
    a.send(&[4, 5]).unwrap();
    assert_eq!(receive_exactly(&mut a, 1), [9]);
    drop(echoer.join().unwrap());
}

/// A corrupted frame is rejected and the frames after it are still found.
#[test]
fn osdp_reader_recovers_from_corruption_on_the_memory_pair() {
    let frames = polls(3);
    let (mut a, mut b) = memory::pair();
    a.set_faults(memory::FaultInjection {
        corrupt_every: 5,
        ..Default::default()
    });
    a.send(&frames[0]).unwrap();
    a.set_faults(memory::FaultInjection::default());
    a.send(&frames[1..].concat()).unwrap();
    let mut reader = FrameReader::new();
    reader.push(&receive_exactly(&mut b, frames.concat().len()));
    let mut good = Vec::new();
    while let Some(frame) = reader.next_frame() {
        if let Ok(frame) = frame {
            good.push(frame.encode().unwrap());
        }
    }
    assert_eq!(good, frames[1..]);
}
