//! The demo's simulated devices, each on its own thread and its own TCP connection:
//! the readers (several PDs on one multi-drop line) and the offline lock.
//!
//! Owns the threads' loops and the messages between them and the stage: what to
//! present, when to cut the lock's link, and what the devices did. It must never
//! decide: the readers only present, the lock decides alone only through
//! `accessctl_devices::sim`, from its image.

use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant as Monotonic};

use accessctl_core::Timestamp;
use accessctl_devices::osdp::Address;
use accessctl_devices::sim::{
    LockEvent, LockOutcome, Presentation, ReaderEvent, SimLink, SimLock, SimReader,
};
use accessctl_devices::transport::{TcpTransport, CONNECT_TIMEOUT};

/// How long a device thread waits for bytes in one turn.
const TURN: Duration = Duration::from_millis(5);

/// What the stage asks of a device thread.
pub enum Order {
    /// Present this at the device at this address, at this instant of the lock's
    /// clock (the readers have none).
    Present(Address, Presentation, Timestamp),
    /// Drop the network link (the lock's cut).
    Cut,
    /// Open the network link again (the lock's network is back).
    Restore,
    /// End the thread.
    Stop,
}

/// What a device thread tells the stage.
#[derive(Debug)]
pub enum News {
    /// A reader did or learnt something.
    Reader(Address, ReaderEvent),
    /// The lock did or learnt something.
    Lock(LockEvent),
    /// What became of a presentation at the lock.
    LockOutcome(LockOutcome),
    /// The device's link failed or could not be opened.
    LinkFailed(String),
}

/// A running device thread.
pub struct DeviceThread {
    /// Orders for it.
    pub orders: Sender<Order>,
    handle: Option<JoinHandle<()>>,
}

impl DeviceThread {
    /// Stops the thread and waits for it.
    pub fn stop(&mut self) {
        let _ = self.orders.send(Order::Stop);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

impl Drop for DeviceThread {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Connects to `address` (a controller's listening bus), or tells why not.
fn connect(address: &str, news: &Sender<News>) -> Option<SimLink> {
    match TcpTransport::connect(address, CONNECT_TIMEOUT) {
        Ok(transport) => Some(SimLink::new(Box::new(transport))),
        Err(error) => {
            let _ = news.send(News::LinkFailed(error.to_string()));
            None
        }
    }
}

/// Starts the readers' thread: one TCP connection to `address`, every reader on it.
pub fn start_readers(address: String, readers: Vec<SimReader>, news: Sender<News>) -> DeviceThread {
    let (orders, inbox) = mpsc::channel();
    let handle = thread::spawn(move || run_readers(&address, readers, &inbox, &news));
    DeviceThread {
        orders,
        handle: Some(handle),
    }
}

fn run_readers(
    address: &str,
    mut readers: Vec<SimReader>,
    inbox: &Receiver<Order>,
    news: &Sender<News>,
) {
    let Some(mut link) = connect(address, news) else {
        return;
    };
    loop {
        while let Ok(order) = inbox.try_recv() {
            match order {
                Order::Present(to, presentation, _) => {
                    if let Some(reader) = readers.iter_mut().find(|r| r.address() == to) {
                        reader.present(presentation);
                    }
                }
                Order::Cut | Order::Restore | Order::Stop => return,
            }
        }
        if let Err(error) = link.exchange(&mut readers, TURN) {
            let _ = news.send(News::LinkFailed(error.to_string()));
            return;
        }
        for reader in &mut readers {
            let address = reader.address();
            while let Some(event) = reader.next_event() {
                let _ = news.send(News::Reader(address, event));
            }
        }
    }
}

/// Starts the lock's thread: its own TCP connection to `address`.
pub fn start_lock(address: String, lock: SimLock, news: Sender<News>) -> DeviceThread {
    let (orders, inbox) = mpsc::channel();
    let handle = thread::spawn(move || run_lock(&address, lock, &inbox, &news));
    DeviceThread {
        orders,
        handle: Some(handle),
    }
}

fn run_lock(address: &str, mut lock: SimLock, inbox: &Receiver<Order>, news: &Sender<News>) {
    let mut link = connect(address, news);
    loop {
        while let Ok(order) = inbox.try_recv() {
            match order {
                Order::Present(_, presentation, at) => {
                    let outcome = lock.present(&presentation, Monotonic::now(), at);
                    let _ = news.send(News::LockOutcome(outcome));
                }
                Order::Cut => link = None,
                Order::Restore => link = connect(address, news),
                Order::Stop => return,
            }
        }
        match &mut link {
            Some(open) => {
                if let Err(error) = open.exchange(&mut lock, TURN) {
                    let _ = news.send(News::LinkFailed(error.to_string()));
                    link = None;
                }
            }
            None => {
                lock.handle_timeout(Monotonic::now());
                thread::sleep(TURN);
            }
        }
        while let Some(event) = lock.next_event() {
            let _ = news.send(News::Lock(event));
        }
    }
}
