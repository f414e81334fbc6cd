//! An adapter's output (JSON object or CSV table of name -> value) from bytes, read by an
//! adapter that maps one name. Invariants: no panic; every feature is a radcheck tag, given once.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fn adapter(format: &str) -> radcheck_suites::Adapter {
    let text = format!(
        "name = \"fuzz\"\nversion_command = [\"tool\", \"--version\"]\n\
         command = [\"tool\", \"{{image}}\", \"{{mask}}\", \"{{output}}\"]\n\
         output_format = \"{format}\"\n[names]\n\"Mean\" = \"stat_mean\"\n"
    );
    radcheck_suites::Adapter::from_toml(&text, Path::new("adapter.toml")).expect("adapter")
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, output)) = data.split_first() else {
        return;
    };
    let adapter = adapter(if first % 2 == 0 { "json" } else { "csv" });
    if let Ok(x) = adapter.read_output(output, "") {
        let mut tags: Vec<&str> = x.features.iter().map(|f| f.tag.as_str()).collect();
        tags.sort_unstable();
        let n = tags.len();
        tags.dedup();
        assert_eq!(tags.len(), n, "a tag given twice");
    }
});
