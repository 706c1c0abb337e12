//! Image folders: a folder holding one file of any bytes (named .png, so it is read) loads at a
//! fixed size or is refused.
#![no_main]
use genlab_data::images::{Channels, Fit, read_image_folder};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.png"), data).unwrap();
    let _ = read_image_folder(dir.path(), 8, 8, Channels::Rgb, Fit::CenterCrop);
});
