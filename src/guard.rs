//! A last line of defence for third-party decoders fed hostile input.
//!
//! Malformed Parquet files (fuzzer crash files among them) can make a
//! decoder panic. [`guarded`] turns such a panic into an ordinary per-file
//! error, and keeps the panic message off stderr: the user sees one clear
//! line naming the file, and the rest of the run goes on.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static GUARDED: Cell<u32> = const { Cell::new(0) };
}
static HOOK: Once = Once::new();

/// Runs `f`; a panic inside it becomes `Err("<what> failed: <message>")`.
pub fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if GUARDED.with(Cell::get) == 0 {
                previous(info);
            }
        }));
    });
    GUARDED.with(|g| g.set(g.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(g.get() - 1));
    result.map_err(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        format!("{what} failed on malformed input: {msg}")
    })
}

/// An iterator whose every step is [`guarded`]: a panic in `next` becomes
/// one `Err` item and ends the iteration.
pub fn guarded_iter<T>(
    what: &'static str,
    iter: impl Iterator<Item = Result<T, String>>,
) -> impl Iterator<Item = Result<T, String>> {
    let mut iter = Some(iter);
    std::iter::from_fn(move || {
        let it = iter.as_mut()?;
        match guarded(what, || it.next()) {
            Ok(item) => item,
            Err(e) => {
                iter = None;
                Some(Err(e))
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_errors() {
        assert_eq!(guarded("x", || 7), Ok(7));
        let e = guarded("decoding", || -> u8 { panic!("index out of bounds") }).unwrap_err();
        assert_eq!(e, "decoding failed on malformed input: index out of bounds");
    }
}
