//! Freeing large values off the request path.
//!
//! A board's answer tree and the 50 issues it was read from are tens of thousands of small
//! allocations; freeing them took about a twentieth of the gateway's CPU per board, all of it
//! while the client waited. [`drop_later`] hands such a value to one background thread that
//! frees it after the response has gone out.

use std::sync::OnceLock;
use std::sync::mpsc::{Sender, channel};

type Garbage = Box<dyn Send>;

static FREER: OnceLock<Option<Sender<Garbage>>> = OnceLock::new();

/// Drops `value` on the background freeing thread, or here when that thread cannot run.
pub fn drop_later<T: Send + 'static>(value: T) {
    let freer = FREER.get_or_init(|| {
        let (sender, receiver) = channel::<Garbage>();
        std::thread::Builder::new()
            .name("jg-free".into())
            .spawn(move || {
                for garbage in receiver {
                    drop(garbage);
                }
            })
            .ok()
            .map(|_| sender)
    });
    match freer {
        // A send fails only when the thread has gone; the value then comes back and is
        // dropped here.
        Some(sender) => drop(sender.send(Box::new(value))),
        None => drop(value),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    use super::drop_later;

    struct Flag(Arc<AtomicBool>);

    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_value_handed_over_is_dropped_on_another_thread() {
        let dropped = Arc::new(AtomicBool::new(false));
        drop_later(Flag(dropped.clone()));
        let deadline = Instant::now() + Duration::from_secs(5);
        while !dropped.load(Ordering::SeqCst) {
            assert!(Instant::now() < deadline, "never dropped");
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}
