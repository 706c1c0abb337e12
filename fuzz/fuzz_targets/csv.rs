//! Sensor-log CSV: any text parses or is refused, with and without label and time columns.
#![no_main]
use genlab_data::CsvOptions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let named = CsvOptions { label_column: Some("label".into()), time_column: Some("t".into()) };
    let _ = genlab_data::csv::parse_sensor_csv(text, &named);
    let _ = genlab_data::csv::parse_sensor_csv(text, &CsvOptions::default());
});
