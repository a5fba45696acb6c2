//! The control API's next-login body.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = mock_idps::NextLogin::from_json(data);
});
