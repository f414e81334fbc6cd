//! An IBSI 1 submission workbook (xlsx: a zip of XML parts) from bytes. Invariants: no panic,
//! also none inside the zip and XML readers, except one known bug of calamine 0.38 that
//! radcheck catches and reports as `SubmissionError::ReaderPanic`: a cell reference whose row
//! number overflows `u32` (found by this target; `xlsx/mod.rs`, "attempt to multiply with
//! overflow", a panic only where overflow checks are on, as in fuzz builds). libfuzzer-sys's
//! panic hook aborts on every panic, caught or not; the hook installed here lets that one
//! panic unwind to radcheck's guard and aborts on any other.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod scratch;

/// The known calamine overflow: a panic in calamine's xlsx reader about an overflow.
fn known_calamine_overflow(info: &std::panic::PanicHookInfo) -> bool {
    let in_calamine = info
        .location()
        .is_some_and(|l| l.file().contains("calamine") && l.file().ends_with("xlsx/mod.rs"));
    let message = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_default();
    in_calamine && message.contains("overflow")
}

fuzz_target!(|data: &[u8]| {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !known_calamine_overflow(info) {
                fuzzer_hook(info);
            }
        }));
    });
    let path = scratch::write("submission.xlsx", data);
    match radcheck_suites::submission::read(&path) {
        Ok(s) => {
            for case in &s.cases {
                assert!(!case.name.is_empty());
            }
        }
        Err(radcheck_suites::submission::SubmissionError::ReaderPanic { message, .. }) => {
            assert!(message.contains("overflow"), "{message}");
        }
        Err(_) => {}
    }
});
